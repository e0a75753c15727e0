import DanVanCore
import DanVanText
import Fluent
import SQLKit
import Foundation
import Vapor

/// The register of models and exemplars and one model's page with its lifecycle.
struct ModelController {
    struct Row: Encodable, Sendable {
        let id: String
        let name: String
        let kind: String
        let field: String
        let land: Bool
        let unit: String
        let year: Int
        let status: String
        let statusKey: String
        let level: String
    }

    struct IndexContext: Encodable, Sendable {
        let rows: [Row]
        let total: Int
        let q: String
        let years: [SelectOption]
        let statuses: [SelectOption]
        let fields: [SelectOption]
        let counts: [SelectOption]
        let year: Int
        let canDecide: Bool
        let more: Bool
        let nextOffset: Int
        let query: String
    }

    /// The register: filters by year, status, field and words; 100 rows a page.
    func index(_ req: Request) async throws -> Response {
        let (models, total, filters) = try await register(req, limit: 100, rowColumnsOnly: true)
        let units = try await req.unitsByID()
        let year = filters.year
        // The year's models by status in one grouped read (a Fluent count per status was nine
        // queries of the page's thirteen).
        guard let sql = req.db as? any SQLDatabase else { throw AppError.unavailable }
        struct StatusCount: Decodable { let status: String; let n: Int }
        let byStatus = Dictionary(try await sql.raw("""
            SELECT status, COUNT(*) AS n FROM \(ident: DVKModel.schema) WHERE year = \(bind: year)\(SQLQueryString.unitFilter("unit_id", try await req.scopeUnitIDs()))
            GROUP BY status
            """).all(decoding: StatusCount.self).map { ($0.status, $0.n) }, uniquingKeysWith: +)
        let counts = DVKModel.Status.allCases.compactMap { status in
            byStatus[status.rawValue].flatMap { count in
                count > 0 ? SelectOption(value: status.rawValue, label: "\(status.label): \(VNFormat.integer(count))", selected: filters.status == status) : nil
            }
        }
        let current = EmulationAccess.currentYear(req)
        let context = IndexContext(
            rows: models.map { Self.row($0, units: units) }, total: total, q: filters.q,
            years: (current - 9...current + 1).reversed().map { SelectOption(value: String($0), label: String($0), selected: $0 == year) },
            statuses: [SelectOption(value: "", label: req.t("emulation.all_statuses"), selected: filters.status == nil)] + DVKModel.Status.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0 == filters.status) },
            fields: [SelectOption(value: "", label: req.t("emulation.all_fields"), selected: filters.field == nil)] + EmulationField.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0 == filters.field) },
            counts: counts, year: year, canDecide: req.currentUser?.role != .focal,
            more: filters.offset + models.count < total, nextOffset: filters.offset + 100,
            query: "year=\(year)&status=\(filters.status?.rawValue ?? "")&field=\(filters.field?.rawValue ?? "")&q=\(filters.q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        )
        return try await req.render("emulation/index", title: req.t("emulation.title"), context)
    }

    struct Filters {
        let year: Int
        let status: DVKModel.Status?
        let field: EmulationField?
        let q: String
        let offset: Int
    }

    /// The register's rows in the scope with the page's filters.
    /// `rowColumnsOnly`: read only what a row of the register shows (`row(_:units:)`); the
    /// other fields of the models it gives must not be read.
    func register(_ req: Request, limit: Int?, page: APIPage? = nil, rowColumnsOnly: Bool = false) async throws -> ([DVKModel], Int, Filters) {
        let filters = Filters(
            year: EmulationAccess.year(req), status: (req.query[String.self, at: "status"]).flatMap(DVKModel.Status.init(rawValue:)),
            field: (req.query[String.self, at: "field"]).flatMap(EmulationField.init(rawValue:)),
            q: VietnameseText.nfc(req.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespaces),
            offset: max(0, req.query[Int.self, at: "offset"] ?? 0)
        )
        let scoped = try await req.scopeUnitIDs()
        func base() -> QueryBuilder<DVKModel> {
            let query = DVKModel.query(on: req.db).filter(\.$year == filters.year)
            if let scoped { query.filter(\.$unit.$id ~~ scoped) }
            if let status = filters.status { query.filter(\.$status == status) }
            if let field = filters.field { query.filter(\.$field == field) }
            for word in VietnameseText.fold(filters.q).split(separator: " ").prefix(6) { query.filter(\.$searchText ~~ String(word)) }
            return query
        }
        let total = try await base().count(\.$status)
        var query = base().sort(\.$updatedAt, .descending).sort(\.$id)
        if let page { query = query.range(page.range) } else if let limit { query = query.range(filters.offset..<(filters.offset + limit)) }
        if rowColumnsOnly {
            query = query.field(\.$id).field(\.$name).field(\.$kind).field(\.$holder).field(\.$field).field(\.$landFocus)
                .field(\.$unit.$id).field(\.$year).field(\.$status).field(\.$level)
        }
        return (try await query.allSelected(), total, filters)
    }

    static func row(_ model: DVKModel, units: [UUID: OrgUnit]) -> Row {
        Row(id: model.id?.uuidString ?? "", name: model.name, kind: model.kind.label + (model.kind == .exemplar ? " (\(model.holder.label.lowercased()))" : ""), field: model.field.label, land: model.landFocus,
            unit: units[model.$unit.id]?.name ?? "", year: model.year, status: model.status.label, statusKey: model.status.rawValue,
            level: model.level.map { L10n.text("emulation.level.\($0)") } ?? "")
    }

    /// The register as .xlsx (the scope and filters of the page).
    func registerXLSX(_ req: Request) async throws -> Response {
        let (models, _, filters) = try await register(req, limit: nil)
        let units = try await req.unitsByID()
        var rows: [[String]] = [[req.t("emulation.col.no"), req.t("emulation.col.name"), req.t("emulation.col.kind"), req.t("emulation.col.field"), req.t("emulation.col.unit"),
                                 req.t("emulation.col.year"), req.t("emulation.col.status"), req.t("emulation.col.level"), req.t("emulation.col.commendation"), req.t("emulation.col.contact")]]
        for (index, model) in models.enumerated() {
            let row = Self.row(model, units: units)
            rows.append([String(index + 1), model.name, row.kind, row.field + (model.landFocus ? " (\(req.t("emulation.land")))" : ""), row.unit, String(model.year), row.status, row.level, model.commendation, model.contactName])
        }
        return try req.spreadsheet(rows, format: .xlsx, baseName: "so-dang-ky-dan-van-kheo-\(filters.year)", sheetName: req.t("emulation.register"), widths: [5, 45, 18, 22, 30, 7, 16, 14, 20, 22])
    }

    struct FormContext: Encodable, Sendable {
        let typed: [String: String]
        let errors: FormErrors
        let kinds: [SelectOption]
        let holders: [SelectOption]
        let fields: [SelectOption]
        let unitOptions: String
        let window: String
        let source: String?
    }

    func new(_ req: Request) async throws -> Response {
        var typed = ["year": String(EmulationAccess.currentYear(req)), "kind": "model", "holder": "collective"]
        if let user = req.currentUser {
            typed["unit"] = user.$unit.id.uuidString
            typed["contact_name"] = user.fullName
        }
        if let source = req.query[UUID.self, at: "source"] { typed["source"] = source.uuidString }
        return try await form(req, typed: typed, errors: FormErrors())
    }

    func form(_ req: Request, typed: [String: String], errors: FormErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let scope = try await req.scope()
        let year = Int(typed["year"] ?? "") ?? EmulationAccess.currentYear(req)
        let settings = try await ModelService.year(year, on: req.db)
        let source = try await UUID(uuidString: typed["source"] ?? "").asyncFlatMap { try await DVKModel.find($0, on: req.db) }
        let context = FormContext(
            typed: typed, errors: errors,
            kinds: DVKModel.Kind.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == typed["kind"]) },
            holders: DVKModel.Holder.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == typed["holder"]) },
            fields: [SelectOption(value: "", label: "—", selected: (typed["field"] ?? "").isEmpty)] + EmulationField.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == typed["field"]) },
            unitOptions: try await req.unitOptionsHTML(in: scope, selected: Set([UUID(uuidString: typed["unit"] ?? "")].compactMap { $0 })),
            window: req.t("emulation.window", String(year), VNFormat.date(settings.opensOn), VNFormat.date(settings.closesOn)),
            source: source?.name
        )
        return try await req.render("emulation/form", title: req.t("emulation.new"), context, status: status)
    }

    func create(_ req: Request) async throws -> Response {
        let typed = req.typedForm()
        var input = ModelInput()
        let units = try await req.unitsByID()
        let scope = try await req.scope()
        input.unitID = UUID(uuidString: typed["unit"] ?? "").flatMap { id in units[id].map(scope.contains) == true ? id : nil }
        input.year = EmulationAccess.currentYear(req)
        input.kind = DVKModel.Kind(rawValue: typed["kind"] ?? "") ?? .model
        input.holder = DVKModel.Holder(rawValue: typed["holder"] ?? "") ?? .collective
        input.name = typed["name"] ?? ""
        input.field = EmulationField(rawValue: typed["field"] ?? "")
        input.landFocus = typed["land_focus"] == "on" || typed["land_focus"] == "1"
        input.problem = typed["problem"] ?? ""
        input.solution = typed["solution"] ?? ""
        input.beneficiaries = typed["beneficiaries"] ?? ""
        input.expected = typed["expected"] ?? ""
        input.contactName = typed["contact_name"] ?? ""
        input.contactPhone = typed["contact_phone"] ?? ""
        input.contactUserID = req.currentUser?.id
        input.sourceModelID = UUID(uuidString: typed["source"] ?? "")
        switch try await ModelService.register(input, actor: req.actor, at: req.now, on: req.db) {
        case .failure(let errors):
            var kept = typed
            kept["year"] = String(input.year)
            return try await form(req, typed: kept, errors: errors, status: .unprocessableEntity)
        case .success(let model):
            req.flash(.success, req.t("emulation.flash.registered", model.name))
            return req.redirect(to: EmulationRoute.model(model.id))
        }
    }

    // MARK: one model

    struct EventRow: Encodable, Sendable {
        let kind: String
        let text: String
        let actor: String
        let at: String
        let files: [AttachmentRow]
    }

    struct AppraisalRow: Encodable, Sendable {
        let id: String
        let council: String
        let level: String
        let status: String
        let result: String
        let className: String
        let flagged: Bool
        let progress: String
    }

    struct ReplicationRow: Encodable, Sendable {
        let id: String
        let unit: String
        let due: String
        let state: String
        let stateKey: String
        let progress: Int
        let results: String
        let link: String?
        let canReport: Bool
    }

    struct RecognitionRow: Encodable, Sendable {
        let level: String
        let year: Int
        let decision: String
        let date: String
        let result: String
    }

    struct ShowContext: Encodable, Sendable {
        let id: String
        let name: String
        let kind: String
        let field: String
        let land: Bool
        let unit: String
        let unitID: String
        let year: Int
        let status: String
        let statusKey: String
        let level: String
        let problem: String
        let solution: String
        let beneficiaries: String
        let expected: String
        let results: String
        let contact: String
        let commendation: String
        let reasons: String
        let source: String?
        let sourceID: String?
        let events: [EventRow]
        let files: [AttachmentRow]
        let appraisals: [AppraisalRow]
        let recognitions: [RecognitionRow]
        let replications: [ReplicationRow]
        let canEdit: Bool
        let canPropose: Bool
        let proposeLevels: [SelectOption]
        let canOpen: Bool
        let councils: [SelectOption]
        let sets: [SelectOption]
        let canDecide: Bool
        let decidable: String?
        let canBoard: Bool
        let replicateUnits: [SelectOption]
        let replicateKinds: [SelectOption]
        let replicateLevels: [SelectOption]
        let replicateAreas: [SelectOption]
        let isPublic: Bool
        let typed: [String: String]
        let errors: FormErrors
        let version: Int
    }

    func find(_ req: Request) async throws -> DVKModel {
        guard let id = req.parameters.get("modelID", as: UUID.self), let model = try await DVKModel.find(id, on: req.db) else { throw AppError.notFound }
        try await EmulationAccess.requireInScope(req, model.$unit.id)
        return model
    }

    func show(_ req: Request) async throws -> Response {
        try await show(req, model: try await find(req), typed: [:], errors: FormErrors())
    }

    func show(_ req: Request, model: DVKModel, typed: [String: String], errors: FormErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let id = try model.requireID()
        let units = try await req.unitsByID()
        guard let unit = units[model.$unit.id] else { throw AppError.notFound }
        let events = try await ModelEvent.query(on: req.db).filter(\.$model.$id == id).sort(\.$at).all()
        let eventFiles = try await EmulationAccess.fileRows(owner: "event", ids: events.compactMap(\.id), href: { EmulationRoute.modelFile(id, $0.id).path }, on: req.db)
        let files = try await EmulationAccess.fileRows(owner: "model", ids: [id], href: { EmulationRoute.modelFile(id, $0.id).path }, on: req.db)[id] ?? []
        let appraisals = try await Appraisal.query(on: req.db).filter(\.$subjectType == .model).filter(\.$subjectID == id).sort(\.$openedAt).all()
        var appraisalRows: [AppraisalRow] = []
        let appraisalStates = try await AssessmentService.states(appraisals, units: units, on: req.db)
        for appraisal in appraisals {
            guard let state = appraisalStates[appraisal.id ?? UUID()] else { continue }
            appraisalRows.append(AppraisalRow(
                id: appraisal.id?.uuidString ?? "", council: state.council.name, level: L10n.text("emulation.level.\(appraisal.level)"), status: appraisal.status.label,
                result: appraisal.result.map { VNFormat.decimal($0, places: 2) } ?? "—", className: AssessmentService.classLabel(appraisal.classKey, in: state.set),
                flagged: appraisal.flagged, progress: req.t("emulation.progress", String(state.progress.scored), String(state.progress.eligible))
            ))
        }
        let recognitions = try await Recognition.query(on: req.db).filter(\.$model.$id == id).sort(\.$decisionDate).all()
        let replications = try await Replication.query(on: req.db).filter(\.$model.$id == id).sort(\.$createdAt).all()
        let followIDs = replications.compactMap(\.followUpID)
        let states = try await req.application.followUps.states.asyncFlatMap { try await $0(followIDs, req.db) } ?? [:]
        let today = CivilDay.startOfDay(req.now)
        let scope = try await req.scope()
        var replicationRows: [ReplicationRow] = []
        for replication in replications {
            let followed = replication.followUpID.flatMap { states[$0] }
            let done = followed?.done ?? (replication.doneOn != nil)
            let key = done ? "done" : (replication.dueOn < today ? "late" : "open")
            let link = replication.followUpType.flatMap { type in replication.followUpID.flatMap { req.application.inboxTargets.link(InboxTarget(type: type, id: $0)) } }
            replicationRows.append(ReplicationRow(
                id: replication.id?.uuidString ?? "", unit: units[replication.$unit.id]?.name ?? "", due: VNFormat.date(replication.dueOn),
                state: req.t("emulation.replication.\(key)"), stateKey: key, progress: followed?.progress ?? (done ? 100 : 0), results: replication.results, link: link,
                canReport: units[replication.$unit.id].map(scope.contains) ?? false
            ))
        }
        let year = EmulationAccess.currentYear(req)
        let canEdit = try await EmulationAccess.editsUnit(req, model.$unit.id) && model.status != .retired
        let canPropose = try await EmulationAccess.proposes(req, model.$unit.id) && ModelService.canPropose(model, currentYear: year)
        // Levels: the commune first for a commune's model; the province once recognised lower.
        var levels: [String] = []
        if unit.level == .commune || unit.level == .village, model.level == nil { levels.append("commune") }
        levels.append("province")
        let open = appraisals.last { $0.status == .open }
        let lastClosed = appraisals.last { $0.status == .closed }
        let wanted: OrgUnit.Level = model.proposedLevel == "province" ? .province : .commune
        let councils = try await EmulationAccess.councils(for: unit, year: year, purpose: .model, level: wanted, units: units, on: req.db)
        var manageable: [Council] = []
        for council in councils where try await EmulationAccess.manages(req, council: council) { manageable.append(council) }
        let sets = try await CriteriaSet.query(on: req.db).filter(\.$year == year).filter(\.$purpose == .model).all()
        let proposedLevel = typed["level"] ?? levels.first ?? "commune"
        let decidable = model.status == .appraising ? lastClosed.flatMap { closed in open == nil && appraisals.last?.id == closed.id ? closed.id?.uuidString : nil } : nil
        var canDecide = false
        if let lastClosed, let council = try await Council.find(lastClosed.$council.id, on: req.db) { canDecide = try await EmulationAccess.manages(req, council: council) }
        let canBoard = try await EmulationAccess.boards(req, over: model.$unit.id)
        // Replication candidates: the filters of the page (kind, level, under a unit), in the scope.
        let kind = typed["r_kind"].flatMap(OrgUnit.Kind.init(rawValue:)) ?? req.query[String.self, at: "r_kind"].flatMap(OrgUnit.Kind.init(rawValue:)) ?? .commune
        let level = (typed["r_level"] ?? req.query[String.self, at: "r_level"]).flatMap(OrgUnit.Level.init(rawValue:))
        let under = (typed["r_under"] ?? req.query[String.self, at: "r_under"]).flatMap(UUID.init(uuidString:)).flatMap { units[$0] }
        let taken = Set(replications.map(\.$unit.id))
        let candidates = try await req.unitTree(in: scope).filter { candidate in
            candidate.kind == kind && (level == nil || candidate.level == level) && (under.map { candidate.path.hasPrefix($0.path) } ?? true) && candidate.id != model.$unit.id && !taken.contains(candidate.id ?? UUID())
        }
        let source = try await model.sourceModelID.asyncFlatMap { try await DVKModel.find($0, on: req.db) }
        let context = ShowContext(
            id: id.uuidString, name: model.name, kind: model.kind.label + (model.kind == .exemplar ? " (\(model.holder.label.lowercased()))" : ""), field: model.field.label, land: model.landFocus,
            unit: unit.name, unitID: unit.id?.uuidString ?? "", year: model.year, status: model.status.label, statusKey: model.status.rawValue,
            level: model.level.map { L10n.text("emulation.level.\($0)") } ?? "", problem: model.problem, solution: model.solution, beneficiaries: model.beneficiaries,
            expected: model.expected, results: model.results, contact: [model.contactName, model.contactPhone].filter { !$0.isEmpty }.joined(separator: " · "),
            commendation: model.commendation, reasons: model.reasons, source: source?.name, sourceID: source?.id?.uuidString,
            events: events.map { EventRow(kind: $0.kind, text: $0.text, actor: $0.actorName, at: VNFormat.dateTime($0.at), files: eventFiles[$0.id ?? UUID()] ?? []) },
            files: files, appraisals: appraisalRows,
            recognitions: recognitions.map { RecognitionRow(level: L10n.text("emulation.level.\($0.level)"), year: $0.year, decision: $0.decisionNumber, date: VNFormat.date($0.decisionDate), result: $0.result.map { VNFormat.decimal($0, places: 2) } ?? "—") },
            replications: replicationRows, canEdit: canEdit, canPropose: canPropose,
            proposeLevels: levels.map { SelectOption(value: $0, label: L10n.text("emulation.level.\($0)"), selected: $0 == proposedLevel) },
            canOpen: model.status == .proposed && !manageable.isEmpty && !sets.isEmpty,
            councils: manageable.map { council in SelectOption(value: council.id?.uuidString ?? "", label: council.name + " — " + (units[council.$unit.id]?.name ?? ""), selected: council.id?.uuidString == typed["council"]) },
            sets: sets.map { SelectOption(value: $0.id?.uuidString ?? "", label: $0.title, selected: $0.id?.uuidString == typed["set"]) },
            canDecide: canDecide && decidable != nil, decidable: decidable, canBoard: canBoard && [.recognised, .commended, .replicated].contains(model.status),
            replicateUnits: candidates.prefix(300).map { SelectOption(value: $0.id?.uuidString ?? "", label: $0.name, selected: typed["unit.\($0.id?.uuidString ?? "")"] == "on") },
            replicateKinds: [OrgUnit.Kind.commune, .fatherlandFront, .socioPolitical, .partyCommittee, .department, .government].map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0 == kind) },
            replicateLevels: [SelectOption(value: "", label: "—", selected: level == nil)] + OrgUnit.Level.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0 == level) },
            replicateAreas: [SelectOption(value: "", label: L10n.text("emulation.all_areas"), selected: under == nil)] + (try await req.unitTree(in: scope)).filter { $0.level != .village && $0.kind != .village && ($0.level == .province || $0.kind == .commune) && $0.id != nil }.prefix(500).map { SelectOption(value: $0.id!.uuidString, label: $0.name, selected: $0.id == under?.id) },
            isPublic: model.status.isPublic, typed: typed, errors: errors, version: model.version
        )
        return try await req.render("emulation/show", title: model.name, context, status: status)
    }

    /// A stale form (another official changed the model meanwhile) is shown again with a message.
    func stale(_ req: Request, _ model: DVKModel, _ typed: [String: String]) async throws -> Response? {
        guard let version = Int(typed["version"] ?? ""), version != model.version else { return nil }
        var errors = FormErrors()
        errors.add("version", "emulation.error.stale")
        return try await show(req, model: model, typed: typed, errors: errors, status: .conflict)
    }

    func note(_ req: Request) async throws -> Response {
        let model = try await find(req)
        let typed = req.typedForm()
        guard try await EmulationAccess.editsUnit(req, model.$unit.id), model.status != .retired else { throw AppError.forbidden }
        var errors = FormErrors()
        let text = (typed["text"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { errors.add("text", "emulation.error.note") }
        if text.count > 8000 { errors.add("text", "emulation.error.too_long", "8000") }
        var stored: [(filename: String, stored: FileStore.Stored)] = []
        switch EmulationAccess.uploads(req) {
        case .success(let files): stored = files
        case .failure(let refusal): errors.add("files", "emulation.error.file_refused", refusal.message)
        }
        guard errors.isEmpty else { return try await show(req, model: model, typed: typed, errors: errors, status: .unprocessableEntity) }
        try await ModelService.note(model, text: text, results: typed["results"], files: stored, actor: req.actor, at: req.now, on: req.db)
        req.flash(.success, req.t("emulation.flash.note"))
        return req.redirect(to: EmulationRoute.model(model.id))
    }

    func upload(_ req: Request) async throws -> Response {
        let model = try await find(req)
        guard try await EmulationAccess.editsUnit(req, model.$unit.id) else { throw AppError.forbidden }
        switch EmulationAccess.uploads(req) {
        case .failure(let refusal):
            var errors = FormErrors()
            errors.add("upload", "emulation.error.file_refused", refusal.message)
            return try await show(req, model: model, typed: [:], errors: errors, status: .unprocessableEntity)
        case .success(let files):
            try await req.db.transaction { db in
                for file in files { try await ModelService.attach(file, owner: "model", id: try model.requireID(), actor: req.actor, at: req.now, on: db) }
                try await AuditLog.record(on: db, actor: req.actor, at: req.now, action: "upload", entityType: "dvk-model", entityID: model.id, summary: req.t("emulation.audit.upload", String(files.count)))
            }
            return req.redirect(to: EmulationRoute.model(model.id))
        }
    }

    /// A file of the model or of one of its notes.
    func download(_ req: Request) async throws -> Response {
        let model = try await find(req)
        guard let fileID = req.parameters.get("fileID", as: UUID.self), let file = try await EmulationFile.find(fileID, on: req.db) else { throw AppError.notFound }
        let ownEvent = file.ownerType == "event" ? try await ModelEvent.find(file.ownerID, on: req.db).map { $0.$model.id == model.id } ?? false : false
        guard (file.ownerType == "model" && file.ownerID == model.id) || ownEvent else { throw AppError.notFound }
        return try req.download(key: file.storageKey, sha256: file.sha256, filename: file.filename, contentType: file.contentType)
    }

    func propose(_ req: Request) async throws -> Response {
        let model = try await find(req)
        let typed = req.typedForm()
        guard try await EmulationAccess.proposes(req, model.$unit.id) else { throw AppError.forbidden }
        if let stale = try await stale(req, model, typed) { return stale }
        var errors = FormErrors()
        let level = typed["level"] ?? ""
        if !["commune", "province"].contains(level) { errors.add("level", "emulation.error.level") }
        if !ModelService.canPropose(model, currentYear: EmulationAccess.currentYear(req)) { errors.add("level", "emulation.error.cannot_propose") }
        if model.results.isEmpty, (typed["results"] ?? "").trimmingCharacters(in: .whitespaces).isEmpty { errors.add("results", "emulation.error.results") }
        guard errors.isEmpty else { return try await show(req, model: model, typed: typed, errors: errors, status: .unprocessableEntity) }
        try await ModelService.propose(model, level: level, results: typed["results"] ?? "", actor: req.actor, at: req.now, on: req.db)
        req.flash(.success, req.t("emulation.flash.proposed"))
        return req.redirect(to: EmulationRoute.model(model.id))
    }

    func appraise(_ req: Request) async throws -> Response {
        let model = try await find(req)
        let typed = req.typedForm()
        if let stale = try await stale(req, model, typed) { return stale }
        var errors = FormErrors()
        let council = try await UUID(uuidString: typed["council"] ?? "").asyncFlatMap { try await Council.find($0, on: req.db) }
        let set = try await UUID(uuidString: typed["set"] ?? "").asyncFlatMap { try await CriteriaSet.find($0, on: req.db) }
        let units = try await req.unitsByID()
        if model.status != .proposed { errors.add("council", "emulation.error.not_proposed") }
        if let council {
            guard try await EmulationAccess.manages(req, council: council) else { throw AppError.forbidden }
            let owner = units[council.$unit.id]
            let wanted: OrgUnit.Level = model.proposedLevel == "province" ? .province : .commune
            if council.purpose != .model || owner?.level != wanted || !(owner.flatMap { o in units[model.$unit.id].map { EmulationAccess.covers(o, $0) } } ?? false) { errors.add("council", "emulation.error.council") }
        } else {
            errors.add("council", "emulation.error.council")
        }
        if set?.purpose != .model { errors.add("set", "emulation.error.set") }
        guard errors.isEmpty, let council, let set else { return try await show(req, model: model, typed: typed, errors: errors, status: .unprocessableEntity) }
        let appraisal = try await ModelService.openAppraisal(model, set: set, council: council, level: model.proposedLevel == "province" ? "province" : "commune", actor: req.actor, at: req.now, on: req.db)
        req.flash(.success, req.t("emulation.flash.appraisal_opened"))
        return req.redirect(to: EmulationRoute.appraisal(appraisal.id))
    }

    func decide(_ req: Request) async throws -> Response {
        let model = try await find(req)
        let typed = req.typedForm()
        if let stale = try await stale(req, model, typed) { return stale }
        guard let appraisal = try await Appraisal.query(on: req.db).filter(\.$subjectType == .model).filter(\.$subjectID == model.requireID()).sort(\.$openedAt, .descending).first(),
              let council = try await Council.find(appraisal.$council.id, on: req.db), let set = try await CriteriaSet.find(appraisal.$set.id, on: req.db) else {
            var errors = FormErrors()
            errors.add("decision", "emulation.error.not_appraised")
            return try await show(req, model: model, typed: typed, errors: errors, status: .unprocessableEntity)
        }
        guard try await EmulationAccess.manages(req, council: council) else { throw AppError.forbidden }
        let recognise = typed["decision"] == "recognise"
        let passes = appraisal.classKey.map { set.passingKeys.contains($0) } ?? false
        let errors = model.status == .appraising
            ? try await ModelService.decide(model, appraisal: appraisal, recognise: recognise, passes: passes, decisionNumber: typed["decision_number"] ?? "", decisionDate: VNFormat.parseDate(typed["decision_date"] ?? ""),
                                            reasons: typed["reasons"] ?? "", actor: req.actor, at: req.now, on: req.db)
            : { var e = FormErrors(); e.add("decision", "emulation.error.not_appraised"); return e }()
        guard errors.isEmpty else { return try await show(req, model: model, typed: typed, errors: errors, status: .unprocessableEntity) }
        req.flash(.success, req.t(recognise ? "emulation.flash.recognised" : "emulation.flash.not_recognised"))
        return req.redirect(to: EmulationRoute.model(model.id))
    }

    /// Board work on a recognised model (commend, replicate, retire): a level above the model's unit.
    func requireBoard(_ req: Request, _ model: DVKModel) async throws {
        guard try await EmulationAccess.boards(req, over: model.$unit.id), req.currentUser?.role != .focal else { throw AppError.forbidden }
    }

    func commend(_ req: Request) async throws -> Response {
        let model = try await find(req)
        let typed = req.typedForm()
        try await requireBoard(req, model)
        if let stale = try await stale(req, model, typed) { return stale }
        var errors = FormErrors()
        let form = (typed["commendation"] ?? "").trimmingCharacters(in: .whitespaces)
        if form.isEmpty { errors.add("commendation", "emulation.error.commendation") }
        if ![.recognised, .commended, .replicated].contains(model.status) { errors.add("commendation", "emulation.error.not_recognised") }
        guard errors.isEmpty else { return try await show(req, model: model, typed: typed, errors: errors, status: .unprocessableEntity) }
        try await ModelService.commend(model, form: form, actor: req.actor, at: req.now, on: req.db)
        req.flash(.success, req.t("emulation.flash.commended"))
        return req.redirect(to: EmulationRoute.model(model.id))
    }

    func replicate(_ req: Request) async throws -> Response {
        let model = try await find(req)
        let typed = req.typedForm()
        try await requireBoard(req, model)
        if typed["filter"] == "1" {
            // The filter button: the same page with the candidates of the chosen kind, level, area.
            return try await show(req, model: model, typed: typed, errors: FormErrors())
        }
        if let stale = try await stale(req, model, typed) { return stale }
        var errors = FormErrors()
        let units = try await req.unitsByID()
        let scope = try await req.scope()
        let chosen = typed.keys.filter { $0.hasPrefix("unit.") && typed[$0] == "on" }.compactMap { UUID(uuidString: String($0.dropFirst(5))) }.compactMap { units[$0] }.filter(scope.contains)
        if chosen.isEmpty { errors.add("replicate", "emulation.error.replicate_units") }
        let due = VNFormat.parseDate(typed["due"] ?? "")
        if due == nil { errors.add("due", "emulation.error.date") } else if let due, due < CivilDay.startOfDay(req.now) { errors.add("due", "emulation.error.past") }
        if ![.recognised, .commended, .replicated].contains(model.status) { errors.add("replicate", "emulation.error.not_recognised") }
        guard errors.isEmpty, let due else { return try await show(req, model: model, typed: typed, errors: errors, status: .unprocessableEntity) }
        let count = try await ModelService.replicate(model, units: chosen, content: typed["content"] ?? "", dueOn: due, followUps: req.application.followUps, actor: req.actor, at: req.now, on: req.db)
        req.flash(.success, req.t("emulation.flash.replicated", String(count)))
        return req.redirect(to: EmulationRoute.model(model.id))
    }

    func retire(_ req: Request) async throws -> Response {
        let model = try await find(req)
        let typed = req.typedForm()
        try await requireBoard(req, model)
        if let stale = try await stale(req, model, typed) { return stale }
        var errors = FormErrors()
        if (typed["reasons"] ?? "").trimmingCharacters(in: .whitespaces).isEmpty { errors.add("retire_reasons", "emulation.error.reasons") }
        if model.status == .retired { errors.add("retire_reasons", "emulation.error.retired") }
        guard errors.isEmpty else { return try await show(req, model: model, typed: typed, errors: errors, status: .unprocessableEntity) }
        try await ModelService.retire(model, reasons: typed["reasons"] ?? "", actor: req.actor, at: req.now, on: req.db)
        req.flash(.success, req.t("emulation.flash.retired"))
        return req.redirect(to: EmulationRoute.model(model.id))
    }

    /// The adopting unit reports what the replication achieved.
    func replicationResult(_ req: Request) async throws -> Response {
        guard let id = req.parameters.get("replicationID", as: UUID.self), let replication = try await Replication.find(id, on: req.db) else { throw AppError.notFound }
        guard try await EmulationAccess.editsUnit(req, replication.$unit.id) else { throw AppError.notFound }
        let typed = req.typedForm()
        try await ModelService.replicationResult(replication, results: String((typed["results"] ?? "").prefix(4000)), done: typed["done"] == "on", actor: req.actor, at: req.now, on: req.db)
        req.flash(.success, req.t("emulation.flash.saved"))
        return req.redirect(to: EmulationRoute.model(replication.$model.id))
    }

    struct CertificateContext: Encodable, Sendable {
        let issuer: String
        let superior: String
        let name: String
        let unit: String
        let kind: String
        let field: String
        let level: String
        let decision: String
        let dateLine: String
        let signTitle: String
    }

    /// A printable certificate of recognition (A4 landscape when printed).
    func certificate(_ req: Request) async throws -> Response {
        let model = try await find(req)
        guard model.status.isPublic, let recognition = try await Recognition.query(on: req.db).filter(\.$model.$id == model.requireID()).sort(\.$decisionDate, .descending).first() else { throw AppError.notFound }
        let units = try await req.unitsByID()
        let issuer = try await recognitionIssuer(req, level: recognition.level, modelUnit: units[model.$unit.id], units: units)
        let context = CertificateContext(
            issuer: issuer?.name.uppercased() ?? "", superior: issuer.flatMap { $0.$parent.id }.flatMap { units[$0]?.name.uppercased() } ?? "",
            name: model.name, unit: units[model.$unit.id]?.name ?? "", kind: model.kind.label, field: model.field.label, level: L10n.text("emulation.level.\(recognition.level)"),
            decision: recognition.decisionNumber, dateLine: issuer.map { AdministrativeDocument.dateLine(place: AdministrativeLayout.place(of: $0, units: units), date: recognition.decisionDate) } ?? VNFormat.date(recognition.decisionDate),
            signTitle: issuer.map { AdministrativeLayout.signature(of: $0).title } ?? ""
        )
        return try await req.render("emulation/certificate", title: req.t("emulation.certificate"), context)
    }

    /// The unit that recognises at a level: the province's oversight board, or the commune's party committee.
    func recognitionIssuer(_ req: Request, level: String, modelUnit: OrgUnit?, units: [UUID: OrgUnit]) async throws -> OrgUnit? {
        guard let modelUnit else { return nil }
        let ancestors = (modelUnit.ancestorIDs + [modelUnit.id].compactMap { $0 }).compactMap { units[$0] }
        if level == "province" {
            let root = ancestors.first
            return units.values.filter { unit in unit.oversight && unit.isActive && (root.map { unit.path.hasPrefix($0.path) } ?? true) }.min { $0.path.count < $1.path.count } ?? root
        }
        let commune = ancestors.last { $0.level == .commune && $0.kind == .commune }
        return commune.flatMap { c in units.values.first { $0.$parent.id == c.id && $0.kind == .partyCommittee && $0.isActive } } ?? commune
    }

    /// The recognition decision with its list, as .docx in the issuer's layout (`?year=&level=&number=`).
    func decisionDocx(_ req: Request) async throws -> Response {
        let year = EmulationAccess.year(req)
        let level = req.query[String.self, at: "level"] == "commune" ? "commune" : "province"
        let number = (req.query[String.self, at: "number"]).map(VietnameseText.nfc)
        let units = try await req.unitsByID()
        let scoped = try await req.scopeUnitIDs()
        let query = Recognition.query(on: req.db).filter(\.$year == year).filter(\.$level == level)
        if let number, !number.isEmpty { query.filter(\.$decisionNumber == number) }
        if let scoped { query.filter(\.$unitID ~~ scoped) }
        let recognitions = try await query.sort(\.$decisionDate).all()
        guard !recognitions.isEmpty else {
            req.flash(.error, req.t("emulation.error.no_recognitions"))
            return req.redirect(to: EmulationRoute.index)
        }
        let models = Dictionary(try await DVKModel.query(on: req.db).filter(\.$id ~~ recognitions.map(\.$model.id)).all().compactMap { m in m.id.map { ($0, m) } }, uniquingKeysWith: { a, _ in a })
        let user = try await req.currentUnit()
        let issuer = try await recognitionIssuer(req, level: level, modelUnit: recognitions.first.flatMap { units[$0.unitID] }, units: units) ?? user
        let document = EmulationDocuments.decision(issuer: issuer, parent: issuer.$parent.id.flatMap { units[$0] }, place: AdministrativeLayout.place(of: issuer, units: units),
                                                   level: level, year: year, recognitions: recognitions, models: models, units: units, date: recognitions.last?.decisionDate ?? req.now)
        return req.wordDocument(try DOCX.write(document), baseName: "quyet-dinh-cong-nhan-dan-van-kheo-\(year)")
    }
}
