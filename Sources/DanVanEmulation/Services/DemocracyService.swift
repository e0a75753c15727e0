import DanVanCore
import DanVanText
import Fluent
import Foundation

/// Grassroots democracy (QCDC, LEGAL.md §5): each commune assesses itself once a year against
/// the year's criteria (the four modes of Luật 10/2022), attaches its evidence, submits; the
/// level above appraises it with the same engine and the class results.
public enum DemocracyService {
    /// The year's criteria set for a purpose (the first made that year).
    public static func set(_ purpose: AssessmentPurpose, year: Int, on db: any Database) async throws -> CriteriaSet? {
        try await CriteriaSet.query(on: db).filter(\.$year == year).filter(\.$purpose == purpose).sort(\.$createdAt).first()
    }

    /// The commune's assessment of `year`, a new draft if none.
    public static func assessment(unitID: UUID, year: Int, on db: any Database) async throws -> DemocracyAssessment? {
        if let found = try await DemocracyAssessment.query(on: db).filter(\.$unit.$id == unitID).filter(\.$year == year).first() { return found }
        guard let set = try await set(.democracy, year: year, on: db) else { return nil }
        let draft = DemocracyAssessment()
        draft.$unit.id = unitID
        draft.year = year
        draft.$set.id = try set.requireID()
        draft.pointsJSON = "{}"
        draft.total = 0
        draft.notes = ""
        draft.status = .draft
        draft.version = 0
        draft.updatedAt = Date(timeIntervalSince1970: 0)
        return draft
    }

    /// Saves the self-assessment; `submit` sends it to the level above (every criterion scored).
    /// A draft keeps the points that are valid so far.
    public static func save(_ assessment: DemocracyAssessment, criteria: [Criterion], typed: [UUID: String], notes: String, submit: Bool, files: [(filename: String, stored: FileStore.Stored)], actor: AuditActor, at: Date, on db: any Database) async throws -> FormErrors {
        var errors = FormErrors()
        guard assessment.status == .draft else {
            errors.add("status", "emulation.error.democracy_submitted")
            return errors
        }
        let items = criteria.map { AssessmentEngine.Item(id: $0.id ?? UUID(), maxPoints: $0.maxPoints, weight: $0.weight) }
        var values: [UUID: Double]
        if submit {
            values = AssessmentEngine.parse(typed, items: items, prefix: "points.", into: &errors)
        } else {
            // A draft: only what was typed is checked.
            let filled = typed.filter { !$0.value.trimmingCharacters(in: .whitespaces).isEmpty }
            values = AssessmentEngine.parse(filled, items: items.filter { filled[$0.id] != nil }, prefix: "points.", into: &errors)
        }
        guard errors.isEmpty else { return errors }
        assessment.pointsJSON = AssessmentService.json(values)
        assessment.total = AssessmentEngine.total(values, items: items)
        assessment.notes = VietnameseText.nfc(notes.trimmingCharacters(in: .whitespacesAndNewlines))
        if submit {
            assessment.status = .submitted
            assessment.submittedAt = at
        }
        assessment.version += 1
        assessment.updatedAt = at
        try await db.transaction { db in
            if assessment.id == nil {
                assessment.id = UUID()
                try await assessment.create(on: db)
            } else {
                try await assessment.update(on: db)
            }
            for file in files { try await ModelService.attach(file, owner: "democracy", id: try assessment.requireID(), actor: actor, at: at, on: db) }
            try await AuditLog.record(on: db, actor: actor, at: at, action: submit ? "submit" : "save", entityType: "democracy", entityID: assessment.id,
                                      summary: L10n.format("emulation.audit.democracy", [String(assessment.year), VNFormat.decimal(assessment.total, places: 1)]))
        }
        return errors
    }

    /// The level above opens the appraisal of a submitted self-assessment.
    public static func openAppraisal(_ assessment: DemocracyAssessment, set: CriteriaSet, council: Council, actor: AuditActor, at: Date, on db: any Database) async throws -> Appraisal {
        try await db.transaction { db in
            let appraisal = try await AssessmentService.open(set: set, council: council, subject: .democracy, subjectID: try assessment.requireID(), proposingUnitID: assessment.$unit.id,
                                                             contactUserID: nil, level: "democracy", actor: actor, at: at, on: db)
            assessment.appraisalID = appraisal.id
            assessment.version += 1
            assessment.updatedAt = at
            try await assessment.update(on: db)
            return appraisal
        }
    }

    /// What closing the appraisal writes back: the result and class.
    public static func closed(_ appraisal: Appraisal, on db: any Database) async throws {
        guard let assessment = try await DemocracyAssessment.find(appraisal.subjectID, on: db) else { return }
        assessment.result = appraisal.result
        assessment.classKey = appraisal.classKey
        assessment.status = .appraised
        assessment.version += 1
        try await assessment.update(on: db)
    }
}

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
