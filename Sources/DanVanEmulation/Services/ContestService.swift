import DanVanCore
import DanVanText
import Fluent
import Foundation

/// Juried contests on the same engine: entries, rounds of scoring, prizes, published results.
public enum ContestService {
    /// Adds an entry while the contest takes entries.
    public static func addEntry(_ contest: JuriedContest, unitID: UUID, title: String, author: String, summary: String, files: [(filename: String, stored: FileStore.Stored)], actor: AuditActor, at: Date, on db: any Database) async throws -> FormErrors {
        var errors = FormErrors()
        if contest.status != .open { errors.add("title", "emulation.error.contest_closed") }
        if title.trimmingCharacters(in: .whitespaces).isEmpty { errors.add("title", "emulation.error.name") }
        if author.trimmingCharacters(in: .whitespaces).isEmpty { errors.add("author", "emulation.error.author") }
        guard errors.isEmpty else { return errors }
        let entry = ContestEntry()
        entry.id = UUID()
        entry.$contest.id = try contest.requireID()
        entry.$unit.id = unitID
        entry.title = VietnameseText.clean(title)
        entry.author = VietnameseText.clean(author)
        entry.summary = ModelService.text(summary)
        entry.createdAt = at
        try await db.transaction { db in
            try await entry.create(on: db)
            for file in files { try await ModelService.attach(file, owner: "entry", id: try entry.requireID(), actor: actor, at: at, on: db) }
            try await AuditLog.record(on: db, actor: actor, at: at, action: "create", entityType: "contest-entry", entityID: entry.id, summary: L10n.format("emulation.audit.entry", [contest.title, entry.title]))
        }
        return errors
    }

    /// Opens a scoring round: the first for every entry, a later one for the best `top` of the
    /// round before (every appraisal of which must be closed).
    public static func openRound(_ contest: JuriedContest, top: Int?, actor: AuditActor, at: Date, on db: any Database) async throws -> String? {
        let contestID = try contest.requireID()
        let entries = try await ContestEntry.query(on: db).filter(\.$contest.$id == contestID).all()
        guard !entries.isEmpty else { return "emulation.error.no_entries" }
        var chosen = entries
        if contest.status == .judging {
            let current = try await appraisals(contest, round: contest.round, on: db)
            guard !current.isEmpty, current.allSatisfy({ $0.status == .closed }) else { return "emulation.error.round_open" }
            let results = Dictionary(current.map { ($0.subjectID, $0.result ?? 0) }, uniquingKeysWith: { a, _ in a })
            chosen = entries.filter { results[$0.id ?? UUID()] != nil }.sorted { (results[$0.id!] ?? 0) > (results[$1.id!] ?? 0) }
            chosen = Array(chosen.prefix(max(1, top ?? chosen.count)))
        } else if contest.status == .published {
            return "emulation.error.contest_published"
        }
        guard let set = try await CriteriaSet.find(contest.$set.id, on: db), let council = try await Council.find(contest.$council.id, on: db) else { throw AppError.notFound }
        let round = contest.status == .judging ? contest.round + 1 : 1
        let picked = chosen
        try await db.transaction { db in
            for entry in picked {
                _ = try await AssessmentService.open(set: set, council: council, subject: .entry, subjectID: try entry.requireID(), proposingUnitID: entry.$unit.id,
                                                     contactUserID: nil, level: "contest", round: round, actor: actor, at: at, on: db)
            }
            contest.round = round
            contest.status = .judging
            try await contest.update(on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "round", entityType: "contest", entityID: contest.id, summary: L10n.format("emulation.audit.round", [contest.title, String(round), String(picked.count)]))
        }
        return nil
    }

    /// The appraisals of one round.
    public static func appraisals(_ contest: JuriedContest, round: Int, on db: any Database) async throws -> [Appraisal] {
        let ids = try await ContestEntry.query(on: db).filter(\.$contest.$id == contest.requireID()).all(\.$id)
        guard !ids.isEmpty else { return [] }
        return try await Appraisal.query(on: db).filter(\.$subjectType == .entry).filter(\.$subjectID ~~ ids).filter(\.$round == round).all()
    }

    /// What closing an entry's appraisal writes back: its result in the latest round.
    public static func closed(_ appraisal: Appraisal, on db: any Database) async throws {
        guard let entry = try await ContestEntry.find(appraisal.subjectID, on: db) else { return }
        entry.result = appraisal.result
        try await entry.update(on: db)
    }

    /// Ranks the last round, awards the prizes in order and publishes.
    public static func publish(_ contest: JuriedContest, actor: AuditActor, at: Date, on db: any Database) async throws -> String? {
        guard contest.status == .judging else { return "emulation.error.round_open" }
        let current = try await appraisals(contest, round: contest.round, on: db)
        guard !current.isEmpty, current.allSatisfy({ $0.status == .closed }) else { return "emulation.error.round_open" }
        // The last round's entries by their result, then those out earlier by their last result.
        let finalists = current.sorted { ($0.result ?? 0) > ($1.result ?? 0) }.map(\.subjectID)
        let others = try await ContestEntry.query(on: db).filter(\.$contest.$id == contest.requireID()).all()
            .filter { entry in !finalists.contains(entry.id ?? UUID()) }.sorted { ($0.result ?? -1) > ($1.result ?? -1) }.compactMap(\.id)
        let ranked = finalists + others
        let prizes = AssessmentEngine.award(finalists, prizes: AssessmentEngine.prizes(contest.prizes))
        try await db.transaction { db in
            for (index, id) in ranked.enumerated() {
                guard let entry = try await ContestEntry.find(id, on: db) else { continue }
                entry.rank = index + 1
                entry.prize = prizes[id]
                try await entry.update(on: db)
            }
            contest.status = .published
            try await contest.update(on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "publish", entityType: "contest", entityID: contest.id, summary: L10n.format("emulation.audit.publish", [contest.title]))
        }
        return nil
    }
}
