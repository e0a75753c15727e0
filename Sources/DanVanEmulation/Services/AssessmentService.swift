import DanVanCore
import DanVanText
import Fluent
import Foundation

/// An appraisal as the pages show it: the council, who is in conflict, who scored, the progress.
public struct AppraisalState: Sendable {
    public let appraisal: Appraisal
    public let set: CriteriaSet
    public let criteria: [Criterion]
    public let council: Council
    public let members: [User]
    public let conflicted: Set<UUID>
    public let scores: [AppraisalScore]
    public let progress: AssessmentEngine.Progress

    public var items: [AssessmentEngine.Item] { criteria.map { AssessmentEngine.Item(id: $0.id ?? UUID(), maxPoints: $0.maxPoints, weight: $0.weight) } }
}

/// Opening, scoring and closing appraisals on the database, with their audit entries.
public enum AssessmentService {
    /// The criteria of a set in order.
    public static func criteria(of setID: UUID, on db: any Database) async throws -> [Criterion] {
        try await Criterion.query(on: db).filter(\.$set.$id == setID).sort(\.$sortOrder).all()
    }

    /// Loads everything an appraisal page needs.
    public static func state(_ appraisal: Appraisal, units: [UUID: OrgUnit]? = nil, on db: any Database) async throws -> AppraisalState {
        guard let state = try await states([appraisal], units: units, on: db)[try appraisal.requireID()] else { throw AppError.notFound }
        return state
    }

    /// The states of many appraisals at once (lists, exports): sets, criteria, councils, members
    /// and scores are read once for all of them, not once per appraisal. `units` is the cached
    /// tree when the caller has it; otherwise the units concerned are read.
    public static func states(_ appraisals: [Appraisal], units known: [UUID: OrgUnit]? = nil, on db: any Database) async throws -> [UUID: AppraisalState] {
        guard !appraisals.isEmpty else { return [:] }
        let setIDs = Array(Set(appraisals.map(\.$set.id))), councilIDs = Array(Set(appraisals.map(\.$council.id))), ids = appraisals.compactMap(\.id)
        let sets = Dictionary(try await CriteriaSet.query(on: db).filter(\.$id ~~ setIDs).all().compactMap { s in s.id.map { ($0, s) } }, uniquingKeysWith: { a, _ in a })
        let criteria = Dictionary(grouping: try await Criterion.query(on: db).filter(\.$set.$id ~~ setIDs).sort(\.$sortOrder).all(), by: \.$set.id)
        let councils = Dictionary(try await Council.query(on: db).filter(\.$id ~~ councilIDs).all().compactMap { c in c.id.map { ($0, c) } }, uniquingKeysWith: { a, _ in a })
        let memberships = try await CouncilMember.query(on: db).filter(\.$council.$id ~~ councilIDs).all()
        let userIDs = Array(Set(memberships.map(\.$user.id)))
        let users = userIDs.isEmpty ? [] : try await User.query(on: db).filter(\.$id ~~ userIDs).sort(\.$fullName).all()
        let scores = Dictionary(grouping: try await AppraisalScore.query(on: db).filter(\.$appraisal.$id ~~ ids).sort(\.$submittedAt).all(), by: \.$appraisal.id)
        var units = known ?? [:]
        if known == nil {
            let needed = Array(Set(users.map(\.$unit.id) + appraisals.map(\.$proposingUnit.id)))
            for unit in try await OrgUnit.query(on: db).filter(\.$id ~~ needed).all() { if let id = unit.id { units[id] = unit } }
        }
        var result: [UUID: AppraisalState] = [:]
        for appraisal in appraisals {
            guard let id = appraisal.id, let set = sets[appraisal.$set.id], let council = councils[appraisal.$council.id] else { continue }
            let memberIDs = Set(memberships.filter { $0.$council.id == council.id }.map(\.$user.id))
            let members = users.filter { $0.id.map(memberIDs.contains) ?? false }
            let proposingPath = units[appraisal.$proposingUnit.id]?.path ?? "/none/"
            let conflicted = Set(members.compactMap { member -> UUID? in
                guard let memberID = member.id else { return nil }
                return AssessmentEngine.inConflict(appraiserID: memberID, appraiserUnitPath: units[member.$unit.id]?.path ?? "", proposingUnitPath: proposingPath, contactUserID: appraisal.contactUserID) ? memberID : nil
            })
            let own = scores[id] ?? []
            let progress = AssessmentEngine.progress(members: members.compactMap(\.id), conflicted: conflicted, recused: appraisal.recusedIDs, scored: Set(own.map(\.$user.id)))
            result[id] = AppraisalState(appraisal: appraisal, set: set, criteria: criteria[appraisal.$set.id] ?? [], council: council, members: members, conflicted: conflicted, scores: own, progress: progress)
        }
        return result
    }

    /// Opens an appraisal of a subject (on the caller's transaction).
    public static func open(
        set: CriteriaSet, council: Council, subject: AppraisalSubject, subjectID: UUID, proposingUnitID: UUID, contactUserID: UUID?,
        level: String, round: Int = 1, actor: AuditActor, at: Date, on db: any Database
    ) async throws -> Appraisal {
        let appraisal = Appraisal()
        appraisal.id = UUID()
        appraisal.$set.id = try set.requireID()
        appraisal.$council.id = try council.requireID()
        appraisal.subjectType = subject
        appraisal.subjectID = subjectID
        appraisal.$proposingUnit.id = proposingUnitID
        appraisal.contactUserID = contactUserID
        appraisal.level = level
        appraisal.round = round
        appraisal.status = .open
        appraisal.flagged = false
        appraisal.discussion = ""
        appraisal.recused = ""
        appraisal.openedAt = at
        appraisal.version = 1
        try await appraisal.create(on: db)
        try await AuditLog.record(on: db, actor: actor, at: at, action: "open", entityType: "appraisal", entityID: appraisal.id,
                                  summary: L10n.format("emulation.audit.open", [council.name, subject.rawValue]))
        return appraisal
    }

    /// Why `user` may not score: not a member, in conflict, recused, already scored, closed.
    public static func refusal(_ state: AppraisalState, user: User) -> String? {
        guard let id = user.id else { return "emulation.error.not_member" }
        if state.appraisal.status != .open { return "emulation.error.closed" }
        if !state.members.contains(where: { $0.id == id }) { return "emulation.error.not_member" }
        if state.conflicted.contains(id) { return "emulation.error.conflict" }
        if state.appraisal.recusedIDs.contains(id) { return "emulation.error.recused" }
        if state.scores.contains(where: { $0.$user.id == id }) { return "emulation.error.already_scored" }
        return nil
    }

    /// Records one appraiser's scores, once. A refusal is thrown as `AppError.forbidden`; bad
    /// points come back as form errors and nothing is written.
    public static func score(_ state: AppraisalState, user: User, typed: [UUID: String], comment: String, actor: AuditActor, at: Date, on db: any Database) async throws -> FormErrors {
        var errors = FormErrors()
        if let refusal = refusal(state, user: user) {
            errors.add("score", refusal)
            return errors
        }
        let values = AssessmentEngine.parse(typed, items: state.items, prefix: "points.", into: &errors)
        guard errors.isEmpty else { return errors }
        let score = AppraisalScore()
        score.id = UUID()
        score.$appraisal.id = try state.appraisal.requireID()
        score.$user.id = try user.requireID()
        score.pointsJSON = Self.json(values)
        score.total = AssessmentEngine.total(values, items: state.items)
        score.comment = VietnameseText.nfc(comment.trimmingCharacters(in: .whitespacesAndNewlines))
        score.submittedAt = at
        try await db.transaction { db in
            try await score.create(on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "score", entityType: "appraisal", entityID: state.appraisal.id,
                                      summary: L10n.format("emulation.audit.score", [VNFormat.decimal(score.total, places: 1)]))
        }
        return errors
    }

    /// Closes an appraisal once every eligible appraiser has scored: the result, the class,
    /// the disagreement flag; a disagreement needs the council's discussion written first.
    /// Returns the message key of a refusal, or nil when closed.
    public static func close(_ state: AppraisalState, discussion: String, actor: AuditActor, at: Date, on db: any Database, then: @escaping @Sendable (Appraisal, any Database) async throws -> Void) async throws -> String? {
        let appraisal = state.appraisal
        guard appraisal.status == .open else { return "emulation.error.closed" }
        guard state.progress.complete else { return "emulation.error.incomplete" }
        let eligible = Set(state.members.compactMap(\.id)).subtracting(state.conflicted).subtracting(appraisal.recusedIDs)
        let totals = state.scores.filter { eligible.contains($0.$user.id) }.map(\.total)
        guard let result = AssessmentEngine.combine(totals, method: state.set.method) else { return "emulation.error.incomplete" }
        let flagged = AssessmentEngine.disagrees(totals, limit: state.set.spread)
        let note = VietnameseText.nfc(discussion.trimmingCharacters(in: .whitespacesAndNewlines))
        if flagged, note.isEmpty {
            if !appraisal.flagged {
                appraisal.flagged = true
                try await db.transaction { db in
                    try await appraisal.update(on: db)
                    try await AuditLog.record(on: db, actor: actor, at: at, action: "flag", entityType: "appraisal", entityID: appraisal.id,
                                              summary: L10n.format("emulation.audit.flag", [VNFormat.decimal(AssessmentEngine.spread(totals), places: 1)]))
                }
            }
            return "emulation.error.discussion"
        }
        appraisal.result = (result * 100).rounded() / 100
        appraisal.classKey = AssessmentEngine.classify(result, classes: state.set.classes)?.key
        appraisal.flagged = flagged
        appraisal.discussion = note
        appraisal.status = .closed
        appraisal.closedAt = at
        appraisal.version += 1
        try await db.transaction { db in
            try await appraisal.update(on: db)
            try await then(appraisal, db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "close", entityType: "appraisal", entityID: appraisal.id,
                                      summary: L10n.format("emulation.audit.close", [VNFormat.decimal(appraisal.result ?? 0, places: 2), appraisal.classKey ?? "—"]))
        }
        return nil
    }

    /// The lead appraiser recuses a member (a conflict the rule did not catch).
    public static func recuse(_ appraisal: Appraisal, userID: UUID, actor: AuditActor, at: Date, on db: any Database) async throws {
        guard appraisal.status == .open else { return }
        var ids = appraisal.recusedIDs
        ids.insert(userID)
        appraisal.recused = ids.map(\.uuidString).sorted().joined(separator: ",")
        appraisal.version += 1
        try await db.transaction { db in
            try await appraisal.update(on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "recuse", entityType: "appraisal", entityID: appraisal.id, summary: L10n.format("emulation.audit.recuse", [userID.uuidString]))
        }
    }

    static func json(_ values: [UUID: Double]) -> String {
        let raw = Dictionary(uniqueKeysWithValues: values.map { ($0.key.uuidString, $0.value) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? String(decoding: encoder.encode(raw), as: UTF8.self)) ?? "{}"
    }

    /// The label of a class key in a set.
    public static func classLabel(_ key: String?, in set: CriteriaSet) -> String {
        guard let key else { return "—" }
        return set.classes.first { $0.key == key }?.label ?? key
    }
}
