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
