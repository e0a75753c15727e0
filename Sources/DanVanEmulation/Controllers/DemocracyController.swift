import DanVanCore
import DanVanText
import Fluent
import Foundation
import Vapor

/// Grassroots democracy: the communes of the scope and their year, one commune's
/// self-assessment with its evidence, the level above opening the appraisal.
struct DemocracyController {
    struct Row: Encodable, Sendable {
        let unitID: String
        let unit: String
        let status: String
        let statusKey: String
        let selfTotal: String
        let result: String
        let className: String
        let passing: Bool
    }

    struct IndexContext: Encodable, Sendable {
        let rows: [Row]
        let year: Int
        let years: [SelectOption]
        let hasSet: Bool
        let total: Int
        let submitted: Int
        let appraised: Int
        let passing: Int
        let own: String?
    }

    func index(_ req: Request) async throws -> Response {
        let year = EmulationAccess.year(req)
        let scope = try await req.scope()
        let communes = TargetService.communes(try await req.unitTree(in: scope))
        let set = try await DemocracyService.set(.democracy, year: year, on: req.db)
        let ids = communes.compactMap(\.id)
        var rows: [UUID: DemocracyAssessment] = [:]
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            for row in try await DemocracyAssessment.query(on: req.db).filter(\.$year == year).filter(\.$unit.$id ~~ chunk).all() { rows[row.$unit.id] = row }
        }
        let passingKeys = set?.passingKeys ?? []
        let list = communes.map { unit -> Row in
            let row = unit.id.flatMap { rows[$0] }
            return Row(unitID: unit.id?.uuidString ?? "", unit: unit.name, status: row?.status.label ?? req.t("emulation.democracy.none"), statusKey: row?.status.rawValue ?? "none",
                       selfTotal: row.map { $0.status == .draft ? "" : VNFormat.decimal($0.total, places: 1) } ?? "", result: row?.result.map { VNFormat.decimal($0, places: 1) } ?? "",
                       className: set.map { s in row?.classKey.map { AssessmentService.classLabel($0, in: s) } ?? "" } ?? "", passing: row?.classKey.map(passingKeys.contains) ?? false)
        }
        let current = EmulationAccess.currentYear(req)
        let ownUnit = try await req.currentUnit()
        let byID = try await req.unitsByID()
        let own = ownUnit.kind == .commune ? ownUnit : ownUnit.ancestorIDs.reversed().compactMap { byID[$0] }.first { $0.kind == .commune }
        return try await req.render("emulation/democracy", title: req.t("emulation.democracy.title"), IndexContext(
            rows: list, year: year, years: (current - 9...current).reversed().map { SelectOption(value: String($0), label: String($0), selected: $0 == year) }, hasSet: set != nil, total: list.count,
            submitted: rows.values.filter { $0.status != .draft }.count, appraised: rows.values.filter { $0.status == .appraised }.count, passing: list.filter(\.passing).count,
            own: own?.id?.uuidString
        ))
    }

    struct CriterionRow: Encodable, Sendable {
        let id: String
        let group: String
        let newGroup: Bool
        let title: String
        let guidance: String
        let max: String
        let typed: String
        let error: String?
    }

    struct UnitContext: Encodable, Sendable {
        let unitID: String
        let unit: String
        let year: Int
        let status: String
        let statusKey: String
        let editable: Bool
        let criteria: [CriterionRow]
        let total: String
        let maximum: String
        let notes: String
        let files: [AttachmentRow]
        let result: String?
        let className: String?
        let appraisalID: String?
        let canOpen: Bool
        let councils: [SelectOption]
        let errors: FormErrors
        let hasSet: Bool
    }

    func unit(_ req: Request) async throws -> OrgUnit {
        guard let id = req.parameters.get("unitID", as: UUID.self), let unit = try await req.unitsByID()[id], unit.kind == .commune else { throw AppError.notFound }
        try await EmulationAccess.requireInScope(req, id)
        return unit
    }

    func show(_ req: Request) async throws -> Response {
        let unit = try await unit(req)
        return try await show(req, unit: unit, year: EmulationAccess.year(req), typed: nil, errors: FormErrors())
    }

    func show(_ req: Request, unit: OrgUnit, year: Int, typed: [String: String]?, errors: FormErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let unitID = try unit.requireID()
        let assessment = try await DemocracyService.assessment(unitID: unitID, year: year, on: req.db)
        let set = try await assessment.asyncFlatMap { try await CriteriaSet.find($0.$set.id, on: req.db) }
        let criteria = try await set.asyncFlatMap { try await AssessmentService.criteria(of: try $0.requireID(), on: req.db) } ?? []
        let points = assessment?.points ?? [:]
        var lastGroup = ""
        let rows = criteria.map { criterion -> CriterionRow in
            let id = criterion.id ?? UUID()
            let newGroup = criterion.groupName != lastGroup
            lastGroup = criterion.groupName
            return CriterionRow(id: id.uuidString, group: criterion.groupName, newGroup: newGroup, title: criterion.title, guidance: criterion.guidance,
                                max: VNFormat.decimal(criterion.maxPoints, places: 0), typed: typed?["points.\(id.uuidString)"] ?? points[id].map { VNFormat.decimal($0, places: $0 == $0.rounded() ? 0 : 1) } ?? "",
                                error: errors["points.\(id.uuidString)"])
        }
        let files = try await assessment?.id.asyncFlatMap { id in try await EmulationAccess.fileRows(owner: "democracy", ids: [id], href: { EmulationRoute.democracyFile(unitID, $0.id).path + "?year=\(year)" }, on: req.db)[id] } ?? []
        let units = try await req.unitsByID()
        var councils: [SelectOption] = []
        if assessment?.status == .submitted, assessment?.appraisalID == nil {
            for council in try await EmulationAccess.councils(for: unit, year: year, purpose: .democracy, level: nil, strictlyAbove: true, units: units, on: req.db) where try await EmulationAccess.manages(req, council: council) {
                councils.append(SelectOption(value: council.id?.uuidString ?? "", label: council.name + " — " + (units[council.$unit.id]?.name ?? ""), selected: false))
            }
        }
        let editable = try await EmulationAccess.editsUnit(req, unitID) && assessment?.status == .draft && year == EmulationAccess.currentYear(req)
        let items = criteria.map { AssessmentEngine.Item(id: $0.id ?? UUID(), maxPoints: $0.maxPoints, weight: $0.weight) }
        let context = UnitContext(
            unitID: unitID.uuidString, unit: unit.name, year: year, status: assessment?.status.label ?? "", statusKey: assessment?.status.rawValue ?? "none", editable: editable,
            criteria: rows, total: VNFormat.decimal(assessment?.total ?? 0, places: 1), maximum: VNFormat.decimal(AssessmentEngine.maximum(items), places: 0),
            notes: typed?["notes"] ?? assessment?.notes ?? "", files: files, result: assessment?.result.map { VNFormat.decimal($0, places: 2) },
            className: set.flatMap { s in assessment?.classKey.map { AssessmentService.classLabel($0, in: s) } }, appraisalID: assessment?.appraisalID?.uuidString,
            canOpen: !councils.isEmpty, councils: councils, errors: errors, hasSet: set != nil
        )
        return try await req.render("emulation/democracy_unit", title: req.t("emulation.democracy.unit_title", unit.name, String(year)), context, status: status)
    }

    func save(_ req: Request) async throws -> Response {
        let unit = try await unit(req)
        let year = EmulationAccess.currentYear(req)
        let typed = req.typedForm()
        guard let assessment = try await DemocracyService.assessment(unitID: try unit.requireID(), year: year, on: req.db) else { throw AppError.notFound }
        let criteria = try await AssessmentService.criteria(of: assessment.$set.id, on: req.db)
        var errors = FormErrors()
        if let version = Int(typed["version"] ?? ""), version != assessment.version { errors.add("status", "emulation.error.stale") }
        var stored: [(filename: String, stored: FileStore.Stored)] = []
        switch EmulationAccess.uploads(req) {
        case .success(let files): stored = files
        case .failure(let refusal): errors.add("files", "emulation.error.file_refused", refusal.message)
        }
        if errors.isEmpty {
            errors = try await DemocracyService.save(assessment, criteria: criteria, typed: EmulationAccess.points(typed, criteria: criteria), notes: String((typed["notes"] ?? "").prefix(20000)),
                                                     submit: typed["submit"] == "1", files: stored, actor: req.actor, at: req.now, on: req.db)
        }
        guard errors.isEmpty else { return try await show(req, unit: unit, year: year, typed: typed, errors: errors, status: .unprocessableEntity) }
        req.flash(.success, req.t(typed["submit"] == "1" ? "emulation.flash.democracy_submitted" : "emulation.flash.saved"))
        return req.redirect(to: EmulationRoute.democracyUnit(unit.id))
    }

    func appraise(_ req: Request) async throws -> Response {
        let unit = try await unit(req)
        let typed = req.typedForm()
        let year = Int(typed["year"] ?? "") ?? EmulationAccess.currentYear(req)
        guard let assessment = try await DemocracyAssessment.query(on: req.db).filter(\.$unit.$id == unit.requireID()).filter(\.$year == year).first(),
              let council = try await UUID(uuidString: typed["council"] ?? "").asyncFlatMap({ try await Council.find($0, on: req.db) }) else { throw AppError.badRequest(req.t("emulation.error.council")) }
        guard try await EmulationAccess.manages(req, council: council) else { throw AppError.forbidden }
        let units = try await req.unitsByID()
        guard council.purpose == .democracy, council.$unit.id != unit.id, units[council.$unit.id].map({ EmulationAccess.covers($0, unit) }) ?? false,
              assessment.status == .submitted, assessment.appraisalID == nil, let set = try await CriteriaSet.find(assessment.$set.id, on: req.db) else {
            var errors = FormErrors()
            errors.add("council", "emulation.error.council")
            return try await show(req, unit: unit, year: year, typed: nil, errors: errors, status: .unprocessableEntity)
        }
        let appraisal = try await DemocracyService.openAppraisal(assessment, set: set, council: council, actor: req.actor, at: req.now, on: req.db)
        req.flash(.success, req.t("emulation.flash.appraisal_opened"))
        return req.redirect(to: EmulationRoute.appraisal(appraisal.id))
    }

    func download(_ req: Request) async throws -> Response {
        let unit = try await unit(req)
        guard let fileID = req.parameters.get("fileID", as: UUID.self), let file = try await EmulationFile.find(fileID, on: req.db), file.ownerType == "democracy",
              let assessment = try await DemocracyAssessment.find(file.ownerID, on: req.db), assessment.$unit.id == unit.id else { throw AppError.notFound }
        return try req.download(key: file.storageKey, sha256: file.sha256, filename: file.filename, contentType: file.contentType)
    }
}
