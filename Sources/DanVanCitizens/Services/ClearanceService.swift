import DanVanCore
import DanVanText
import Fluent
import Foundation

/// Site-clearance mobilisation: projects, households by commune, teams' visits, the complaints
/// linked, and the warning when refusals rise.
public enum ClearanceService {
    /// Creates a project followed by `unitID`.
    public static func createProject(name: String, description: String, unitID: UUID, startedOn: Date, actor: AuditActor, at: Date, on db: any Database) async throws -> ClearanceProject {
        let trimmed = VietnameseText.clean(name)
        guard !trimmed.isEmpty else { throw AppError.badRequest(L10n.text("citizens.clearance.error.name")) }
        let project = ClearanceProject()
        project.id = UUID()
        project.name = trimmed
        project.description = VietnameseText.nfc(description.trimmingCharacters(in: .whitespacesAndNewlines))
        project.$unit.id = unitID
        project.startedOn = CivilDay.startOfDay(startedOn)
        project.status = .active
        project.createdAt = at
        try await db.transaction { db in
            try await project.create(on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "create", entityType: "clearance_project", entityID: project.id,
                                      summary: L10n.format("citizens.audit.clearance", [project.name]))
        }
        return project
    }

    /// The counts of a commune's households, checked; a new area when the commune has none yet.
    /// Returns the warning raised when refusals rose.
    @discardableResult
    public static func updateArea(
        _ project: ClearanceProject, communeID: UUID, households: Int, agreed: Int, refusing: Int, teams: String?, expectedVersion: Int?,
        actor: AuditActor, at: Date, on db: any Database
    ) async throws -> HotSpotWarning? {
        guard households >= 0, agreed >= 0, refusing >= 0, households <= 1_000_000 else { throw AppError.badRequest(L10n.text("citizens.clearance.error.counts")) }
        guard agreed + refusing <= households else {
            throw AppError.badRequest(L10n.format("citizens.clearance.error.sum", [String(agreed), String(refusing), String(households)]))
        }
        let projectID = try project.requireID()
        let existing = try await ClearanceArea.query(on: db).filter(\.$project.$id == projectID).filter(\.$commune.$id == communeID).first()
        if let existing, let expectedVersion, existing.version != expectedVersion { throw AppError.conflict(L10n.text("citizens.error.stale")) }
        let area = existing ?? ClearanceArea()
        if existing == nil {
            area.id = UUID()
            area.$project.id = projectID
            area.$commune.id = communeID
            area.teams = ""
            area.version = 0
        }
        let before = existing.map { ["households": String($0.households), "agreed": String($0.agreed), "refusing": String($0.refusing)] }
        area.households = households
        area.agreed = agreed
        area.refusing = refusing
        if let teams { area.teams = VietnameseText.nfc(teams.trimmingCharacters(in: .whitespacesAndNewlines)) }
        area.version += 1
        area.updatedAt = at
        try await db.transaction { db in
            try await area.save(on: db)
            let snapshot = ClearanceSnapshot()
            snapshot.id = UUID()
            snapshot.$area.id = try area.requireID()
            snapshot.agreed = agreed
            snapshot.refusing = refusing
            snapshot.at = at
            try await snapshot.create(on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "update", entityType: "clearance_area", entityID: area.id,
                                      summary: L10n.format("citizens.audit.clearance_area", [project.name, String(households), String(agreed), String(refusing)]),
                                      before: before, after: ["households": String(households), "agreed": String(agreed), "refusing": String(refusing)])
        }
        return try await checkRefusals(project, area: area, at: at, on: db)
    }

    /// How many more households refuse now than at the lowest point within the rule's days.
    public static func refusalRise(area: ClearanceArea, days: Int, at: Date, on db: any Database) async throws -> (from: Int, to: Int) {
        let since = at.addingTimeInterval(-Double(days) * 86_400)
        let snapshots = try await ClearanceSnapshot.query(on: db).filter(\.$area.$id == area.requireID()).sort(\.$at).all()
        // The count in force when the window opened, and every count inside it.
        let before = snapshots.last { $0.at < since }?.refusing
        let inside = snapshots.filter { $0.at >= since }.map(\.refusing)
        let baseline = ([before].compactMap { $0 } + inside).min() ?? area.refusing
        return (baseline, area.refusing)
    }

    static func checkRefusals(_ project: ClearanceProject, area: ClearanceArea, at: Date, on db: any Database) async throws -> HotSpotWarning? {
        let settings = try await EarlyWarning.settings(on: db)
        guard let rule = settings[.clearanceRefusals], rule.enabled else { return nil }
        let (from, to) = try await refusalRise(area: area, days: rule.days, at: at, on: db)
        guard to - from >= rule.threshold else { return nil }
        let communeName = try await OrgUnit.find(area.$commune.id, on: db)?.name ?? ""
        let linked = try await ClearanceLink.query(on: db).filter(\.$area.$id == area.requireID()).all().map(\.$petition.id)
        let reason = L10n.format("citizens.warning.reason.clearanceRefusals", [project.name, communeName, String(from), String(to), String(rule.days), String(area.households)])
        return try await EarlyWarning.raise(.clearanceRefusals, communeID: area.$commune.id, field: .compensation, score: to - from, reason: reason,
                                            evidence: linked, at: at, on: db, key: "\(try area.requireID().uuidString):\(to)")
    }

    /// Records a team's visit.
    public static func addVisit(_ area: ClearanceArea, team: String, visitedOn: Date, householdsMet: Int, note: String, actor: AuditActor, at: Date, on db: any Database) async throws {
        guard !VietnameseText.clean(team).isEmpty else { throw AppError.badRequest(L10n.text("citizens.clearance.error.team")) }
        guard !note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw AppError.badRequest(L10n.text("citizens.clearance.error.note")) }
        guard householdsMet >= 0, householdsMet <= area.households else { throw AppError.badRequest(L10n.format("citizens.clearance.error.met", [String(area.households)])) }
        guard CivilDay.startOfDay(visitedOn) <= CivilDay.startOfDay(at) else { throw AppError.badRequest(L10n.text("citizens.error.future")) }
        let visit = ClearanceVisit()
        visit.id = UUID()
        visit.$area.id = try area.requireID()
        visit.team = VietnameseText.clean(team)
        visit.visitedOn = CivilDay.startOfDay(visitedOn)
        visit.householdsMet = householdsMet
        visit.note = VietnameseText.nfc(note.trimmingCharacters(in: .whitespacesAndNewlines))
        visit.author = actor.name
        visit.createdAt = at
        try await db.transaction { db in
            try await visit.create(on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "create", entityType: "clearance_visit", entityID: visit.id,
                                      summary: L10n.format("citizens.audit.clearance_visit", [visit.team, VNFormat.date(visit.visitedOn)]))
        }
    }

    /// Links a complaint to an area.
    public static func link(_ area: ClearanceArea, petition: Petition, actor: AuditActor, at: Date, on db: any Database) async throws {
        let areaID = try area.requireID(), petitionID = try petition.requireID()
        guard try await ClearanceLink.query(on: db).filter(\.$area.$id == areaID).filter(\.$petition.$id == petitionID).count() == 0 else { return }
        let link = ClearanceLink()
        link.id = UUID()
        link.$area.id = areaID
        link.$petition.id = petitionID
        try await db.transaction { db in
            try await link.create(on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "update", entityType: "clearance_area", entityID: areaID,
                                      summary: L10n.format("citizens.audit.clearance_link", [petition.reference]))
        }
    }
}
