import DanVanText
import Fluent
import Vapor

/// Organisation tree pages: everyone sees its scope; administrators edit.
struct UnitController {

    struct IndexContext: Encodable, Sendable {
        let rows: [UnitRow]
        let query: String
        let includeEnded: Bool
        let noFocal: Bool
        let countLabel: String
        let canEdit: Bool
    }

    struct FormContext: Encodable, Sendable {
        let id: String?
        let form: UnitForm
        let errors: FormErrors
        let kinds: [SelectOption]
        let levels: [SelectOption]
        let parents: [SelectOption]
        let action: String
        let heading: String
    }

    struct MemberRow: Encodable, Sendable {
        let id: String
        let fullName: String
        let username: String
        let roleLabel: String
        let active: Bool
    }

    struct HistoryRow: Encodable, Sendable {
        let at: String
        let actor: String
        let summary: String
    }

    struct ShowContext: Encodable, Sendable {
        let unit: UnitRow
        let breadcrumbs: [UnitRow]
        let children: [UnitRow]
        let members: [MemberRow]
        let history: [HistoryRow]
        let oversight: Bool
        let successor: UnitRow?
        let predecessors: [UnitRow]
        let endedOn: String
        let canEdit: Bool
    }

    struct DissolveContext: Encodable, Sendable {
        let unit: UnitRow
        let successors: [SelectOption]
        let status: String
        let endedOn: String
        let errors: FormErrors
    }

    struct DissolveForm: Content {
        var status: String?
        var successorID: String?
        var endedOn: String?
    }

    struct ImportContext: Encodable, Sendable {
        let problems: [UnitService.ImportProblem]
        let text: String
    }

    func index(_ req: Request) async throws -> Response {
        let scope = try await req.scope()
        let query = VietnameseText.clean((try? req.query.get(String.self, at: "q")) ?? "")
        let includeEnded = ((try? req.query.get(String.self, at: "ended")) ?? "") == "1"
        let noFocal = ((try? req.query.get(String.self, at: "nofocal")) ?? "") == "1"
        let units: [OrgUnit]
        if noFocal {
            units = try await UnitService.unitsWithoutFocal(among: req.unitTree(in: scope, includeEnded: false), on: req.db)
        } else if query.isEmpty {
            units = try await req.unitTree(in: scope, includeEnded: includeEnded)
        } else {
            units = try await UnitService.search(query, in: scope, includeEnded: includeEnded, on: req.db)
        }
        let baseDepth = units.map(\.depth).min() ?? 0
        let flat = !query.isEmpty || noFocal
        let context = IndexContext(
            rows: units.map { UnitRow($0, baseDepth: flat ? $0.depth : baseDepth) }, query: query, includeEnded: includeEnded, noFocal: noFocal,
            countLabel: L10n.format("unit.count", [VNFormat.integer(units.count)]), canEdit: req.currentUser?.role == .admin
        )
        return try await req.render("units/index", title: req.t("unit.title"), context)
    }

    func show(_ req: Request) async throws -> Response {
        let unit = try await req.unitInScope(req.parameters.get("unitID", as: UUID.self))
        let detail = try await UnitService.detail(of: unit, scope: try await req.scope(), on: req.db)
        let context = ShowContext(
            unit: UnitRow(unit),
            breadcrumbs: detail.breadcrumbs.map { UnitRow($0) },
            children: detail.children.map { UnitRow($0, baseDepth: $0.depth) },
            members: detail.members.map {
                MemberRow(id: $0.id?.uuidString ?? "", fullName: $0.fullName, username: $0.username, roleLabel: $0.role.label, active: $0.isActive)
            },
            history: detail.history.map { HistoryRow(at: VNFormat.dateTime($0.at), actor: $0.actorName, summary: $0.summary) },
            oversight: unit.oversight,
            successor: detail.successor.map { UnitRow($0) },
            predecessors: detail.predecessors.map { UnitRow($0) },
            endedOn: VNFormat.date(unit.endedOn),
            canEdit: req.currentUser?.role == .admin
        )
        return try await req.render("units/show", title: unit.name, context)
    }

    func new(_ req: Request) async throws -> Response {
        var form = UnitForm(kind: OrgUnit.Kind.other.rawValue, level: OrgUnit.Level.commune.rawValue, sortOrder: "0")
        if let parent = try? req.query.get(UUID.self, at: "parent"), let unit = try await OrgUnit.find(parent, on: req.db) {
            form.parentID = parent.uuidString
            form.level = unit.level == .province ? OrgUnit.Level.province.rawValue : OrgUnit.Level.village.rawValue
        }
        return try await formPage(req, id: nil, form: form, errors: FormErrors())
    }

    func create(_ req: Request) async throws -> Response {
        let form = try req.content.decode(UnitForm.self)
        switch UnitService.validate(form) {
        case .failure(let errors):
            return try await formPage(req, id: nil, form: form, errors: errors, status: .unprocessableEntity)
        case .success(let input):
            switch try await UnitService.create(input, actor: req.actor, at: req.now, on: req.db) {
            case .failure(let errors):
                return try await formPage(req, id: nil, form: form, errors: errors, status: .unprocessableEntity)
            case .success(let unit):
                req.flash(.success, req.t("unit.saved"))
                return req.redirect(to: "/units/\(try unit.requireID())")
            }
        }
    }

    func edit(_ req: Request) async throws -> Response {
        let unit = try await req.unitInScope(req.parameters.get("unitID", as: UUID.self))
        return try await formPage(req, id: unit.id, form: UnitForm(unit), errors: FormErrors())
    }

    func update(_ req: Request) async throws -> Response {
        let unit = try await req.unitInScope(req.parameters.get("unitID", as: UUID.self))
        let form = try req.content.decode(UnitForm.self)
        switch UnitService.validate(form) {
        case .failure(let errors):
            return try await formPage(req, id: unit.id, form: form, errors: errors, status: .unprocessableEntity)
        case .success(let input):
            switch try await UnitService.update(try unit.requireID(), with: input, actor: req.actor, at: req.now, on: req.db) {
            case .failure(let errors):
                return try await formPage(req, id: unit.id, form: form, errors: errors, status: .unprocessableEntity)
            case .success(let unit):
                req.flash(.success, req.t("unit.saved"))
                return req.redirect(to: "/units/\(try unit.requireID())")
            }
        }
    }

    func dissolvePage(_ req: Request) async throws -> Response {
        let unit = try await req.unitInScope(req.parameters.get("unitID", as: UUID.self))
        return try await dissolveForm(req, unit: unit, form: DissolveForm(status: OrgUnit.Status.merged.rawValue, successorID: nil, endedOn: VNFormat.isoDate(req.now)), errors: FormErrors())
    }

    func dissolve(_ req: Request) async throws -> Response {
        let unit = try await req.unitInScope(req.parameters.get("unitID", as: UUID.self))
        let form = try req.content.decode(DissolveForm.self)
        var errors = FormErrors()
        let status = OrgUnit.Status(rawValue: form.status ?? "")
        if status == nil { errors.add("status", "common.invalidChoice") }
        var endedOn: Date?
        if let raw = form.endedOn, !raw.isEmpty {
            endedOn = VNFormat.parseDate(raw)
            if endedOn == nil { errors.add("endedOn", "common.invalidDate") }
        }
        guard errors.isEmpty, let status else {
            return try await dissolveForm(req, unit: unit, form: form, errors: errors, status: .unprocessableEntity)
        }
        switch try await UnitService.setStatus(
            try unit.requireID(), status: status, successorID: UUID(uuidString: form.successorID ?? ""), endedOn: endedOn,
            actor: req.actor, at: req.now, on: req.db
        ) {
        case .failure(let errors):
            return try await dissolveForm(req, unit: unit, form: form, errors: errors, status: .unprocessableEntity)
        case .success(let unit):
            req.flash(.success, req.t("unit.dissolved"))
            return req.redirect(to: "/units/\(try unit.requireID())")
        }
    }

    func exportCSV(_ req: Request) async throws -> Response {
        let csv = try await UnitService.exportCSV(in: try await req.scope(), on: req.db)
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.contentDisposition = .init(.attachment, filename: "don-vi-\(VNFormat.isoDate(req.now)).csv")
        return Response(status: .ok, headers: headers, body: .init(string: csv))
    }

    func importPage(_ req: Request) async throws -> Response {
        try await req.render("units/import", title: req.t("unit.import"), ImportContext(problems: [], text: ""))
    }

    struct ImportForm: Content {
        var file: File?
        var text: String?
    }

    func importCSV(_ req: Request) async throws -> Response {
        let form = try req.content.decode(ImportForm.self)
        var text = form.text ?? ""
        if let file = form.file, file.data.readableBytes > 0 {
            guard let decoded = file.data.getString(at: file.data.readerIndex, length: file.data.readableBytes, encoding: .utf8) else {
                return try await req.render(
                    "units/import", title: req.t("unit.import"),
                    ImportContext(problems: [.init(line: 0, message: req.t("units.tep_khong_phai_van_ban_utf"))], text: text),
                    status: .unprocessableEntity
                )
            }
            text = decoded
        }
        let result = try await UnitService.importCSV(text, actor: req.actor, at: req.now, on: req.db)
        guard result.problems.isEmpty else {
            return try await req.render("units/import", title: req.t("unit.import"), ImportContext(problems: result.problems, text: form.file == nil ? text : ""), status: .unprocessableEntity)
        }
        req.flash(.success, req.t("unit.importDone", String(result.created), String(result.updated)))
        return req.redirect(to: "/units")
    }

    // MARK: helpers

    private func formPage(_ req: Request, id: UUID?, form: UnitForm, errors: FormErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let units = try await req.unitTree(in: try await req.scope(), includeEnded: false)
        let ownPath = try await id.asyncMap { try await OrgUnit.find($0, on: req.db)?.path } ?? nil
        var parents = [SelectOption(value: "", label: req.t("unit.noParent"), selected: (form.parentID ?? "").isEmpty)]
        parents += SelectOption.units(units.filter { unit in ownPath.map { !unit.path.hasPrefix($0) } ?? true }, selectedID: form.parentID)
        let context = FormContext(
            id: id?.uuidString, form: form, errors: errors,
            kinds: OrgUnit.Kind.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == form.kind) },
            levels: OrgUnit.Level.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == form.level) },
            parents: parents, action: id.map { "/units/\($0)" } ?? "/units",
            heading: id == nil ? req.t("unit.new") : req.t("unit.edit") + ": " + (form.name ?? "")
        )
        return try await req.render("units/form", title: context.heading, context, status: status)
    }

    private func dissolveForm(_ req: Request, unit: OrgUnit, form: DissolveForm, errors: FormErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let candidates = try await req.unitTree(in: .everything, includeEnded: false).filter { !$0.path.hasPrefix(unit.path) }
        let context = DissolveContext(
            unit: UnitRow(unit),
            successors: SelectOption.units(candidates, selectedID: form.successorID),
            status: form.status ?? "", endedOn: form.endedOn ?? "", errors: errors
        )
        return try await req.render("units/dissolve", title: req.t("unit.dissolve") + ": " + unit.name, context, status: status)
    }
}
