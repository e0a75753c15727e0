import DanVanCore
import DanVanText
import Fluent
import Foundation
import SQLKit
import Vapor

/// A submission as lists show it (a denouncer never named).
struct PetitionRow: Encodable, Sendable {
    let id: String
    let reference: String
    let kind: String
    let kindLabel: String
    let summary: String
    let sender: String
    let commune: String
    let unit: String
    let field: String
    let received: String
    let due: String
    let status: String
    let statusLabel: String
    let overdue: Bool
    let mass: Bool
    let repeated: Bool

    init(_ petition: Petition, units: [UUID: OrgUnit], today: Date) {
        id = petition.id?.uuidString ?? ""
        reference = petition.reference
        kind = petition.kind.rawValue
        kindLabel = petition.kind.label
        summary = petition.summary
        sender = petition.senderShown
        commune = units[petition.$commune.id]?.name ?? ""
        unit = units[petition.$unit.id]?.name ?? ""
        field = petition.field.label
        received = VNFormat.date(petition.receivedOn)
        due = VNFormat.date(petition.currentDue)
        status = petition.status.rawValue
        statusLabel = petition.status.label
        overdue = petition.isOverdue(today: today)
        mass = petition.isMass
        repeated = petition.repeatOfID != nil
    }
}

/// Staff pages of submissions: the list, intake with the duplicate hint, one submission with
/// its legal clock and steps, the protected identity, files.
struct PetitionController {
    // MARK: List

    struct IndexContext: Encodable, Sendable {
        let rows: [PetitionRow]
        let total: Int
        let query: String
        let statuses: [SelectOption]
        let kinds: [SelectOption]
        let fields: [SelectOption]
        let communes: [SelectOption]
        let overdueOnly: Bool
        let previous: String?
        let next: String?
        let overdueCount: Int
        let ackDueSoon: Int
        let exportQuery: String
        let canIntake: Bool
    }

    struct Filter {
        var status: PetitionStatus?
        var openOnly = true
        var kind: PetitionKind?
        var field: PetitionField?
        var communeID: UUID?
        var overdueOnly = false
        var query = ""

        init(_ req: Request) {
            let status = (try? req.query.get(String.self, at: "status")) ?? "open"
            self.status = PetitionStatus(rawValue: status)
            openOnly = status == "open"
            kind = (try? req.query.get(String.self, at: "kind")).flatMap(PetitionKind.init(rawValue:))
            field = (try? req.query.get(String.self, at: "field")).flatMap(PetitionField.init(rawValue:))
            communeID = (try? req.query.get(String.self, at: "commune")).flatMap(UUID.init(uuidString:))
            overdueOnly = (try? req.query.get(String.self, at: "overdue")) == "1"
            query = VietnameseText.nfc((try? req.query.get(String.self, at: "q")) ?? "").trimmingCharacters(in: .whitespaces)
            if query.count > 200 { query = String(query.prefix(200)) }
        }
    }

    /// The filtered list inside the units `unitIDs` (nil: all; `Request.scopeUnitIDs`).
    static func filtered(_ filter: Filter, unitIDs: [UUID]?, today: Date, on db: any Database) -> QueryBuilder<Petition> {
        let query = Petition.query(on: db)
        if let unitIDs { query.filter(\.$unit.$id ~~ unitIDs) }
        if let status = filter.status { query.filter(\.$status == status) } else if filter.openOnly { query.filter(\.$status ~~ [.received, .accepted]) }
        if let kind = filter.kind { query.filter(\.$kind == kind) }
        if let field = filter.field { query.filter(\.$field == field) }
        if let communeID = filter.communeID { query.filter(\.$commune.$id == communeID) }
        if filter.overdueOnly {
            query.group(.or) { group in
                group.group(.and) { $0.filter(\.$status == .received).filter(\.$ackDueOn < today) }
                group.group(.and) { $0.filter(\.$status == .accepted).filter(\.$resolveDueOn < today) }
            }
        }
        let words = PetitionText.words(filter.query)
        for word in words.sorted().prefix(6) { query.filter(\.$searchText, .contains(inverse: false, .anywhere), word) }
        return query
    }

    /// Rows per page of the list (light on a phone).
    static let pageSize = 50

    /// The list's link to page `page`, keeping the filters.
    static func pageLink(_ req: Request, page: Int) -> String {
        var items = (URLComponents(string: req.url.string)?.queryItems ?? []).filter { $0.name != "page" }
        if page > 1 { items.append(URLQueryItem(name: "page", value: String(page))) }
        var components = URLComponents()
        components.path = CitizensRoute.index.path
        components.queryItems = items.isEmpty ? nil : items
        return components.string ?? CitizensRoute.index.path
    }

    func index(_ req: Request) async throws -> Response {
        let unitIDs = try await req.scopeUnitIDs()
        let today = CivilDay.startOfDay(req.now)
        let filter = Filter(req)
        let units = try await req.unitsByID()
        let page = max(1, min(10_000, (try? req.query.get(Int.self, at: "page")) ?? 1))
        let rows = try await Self.filtered(filter, unitIDs: unitIDs, today: today, on: req.db).sort(\.$receivedOn, .descending).sort(\.$number, .descending)
            .range((page - 1) * Self.pageSize..<page * Self.pageSize).all()
        // Counted on a column every index of the list carries (index-only).
        let total = try await Self.filtered(filter, unitIDs: unitIDs, today: today, on: req.db).count(\.$receivedOn)
        var overdue = Filter(req)
        overdue.overdueOnly = true
        overdue.status = nil
        overdue.openOnly = true
        let overdueCount = try await Self.filtered(overdue, unitIDs: unitIDs, today: today, on: req.db).count(\.$receivedOn)
        let soon = today.addingTimeInterval(3 * 86_400)
        let waiting = Petition.query(on: req.db).filter(\.$status == .received).filter(\.$acknowledgedOn == nil).filter(\.$ackDueOn >= today).filter(\.$ackDueOn <= soon)
        if let unitIDs { waiting.filter(\.$unit.$id ~~ unitIDs) }
        let ackDueSoon = try await waiting.count(\.$receivedOn)
        let statusValue = filter.status?.rawValue ?? (filter.openOnly ? "open" : "all")
        let communes = try await req.unitTree(in: .everything).filter { $0.level == .commune }
        let context = IndexContext(
            rows: rows.map { PetitionRow($0, units: units, today: today) }, total: total, query: filter.query,
            statuses: [SelectOption(value: "open", label: req.t("citizens.filter.open"), selected: statusValue == "open"),
                       SelectOption(value: "all", label: req.t("citizens.filter.all"), selected: statusValue == "all")]
                + PetitionStatus.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == statusValue) },
            kinds: [SelectOption(value: "", label: req.t("citizens.filter.any_kind"), selected: filter.kind == nil)] + PetitionKind.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0 == filter.kind) },
            fields: [SelectOption(value: "", label: req.t("citizens.filter.any_field"), selected: filter.field == nil)] + PetitionField.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0 == filter.field) },
            communes: [SelectOption(value: "", label: req.t("citizens.filter.any_commune"), selected: filter.communeID == nil)] + communes.map { SelectOption(value: $0.id?.uuidString ?? "", label: $0.name, selected: $0.id == filter.communeID) },
            overdueOnly: filter.overdueOnly,
            previous: page > 1 ? Self.pageLink(req, page: page - 1) : nil, next: page * Self.pageSize < total ? Self.pageLink(req, page: page + 1) : nil,
            overdueCount: overdueCount, ackDueSoon: ackDueSoon,
            exportQuery: req.url.query ?? "", canIntake: true
        )
        return try await req.render("citizens/index", title: req.t("citizens.title"), context)
    }

    /// The filtered list as an Excel file (a denouncer never named).
    func exportXLSX(_ req: Request) async throws -> Response {
        let today = CivilDay.startOfDay(req.now)
        let units = try await req.unitsByID()
        let rows = try await Self.filtered(Filter(req), unitIDs: try await req.scopeUnitIDs(), today: today, on: req.db).sort(\.$receivedOn, .descending).limit(50_000).all()
        var table: [[String]] = [["citizens.col.reference", "citizens.col.received", "citizens.col.kind", "citizens.col.field", "citizens.col.sender",
                                  "citizens.col.commune", "citizens.col.summary", "citizens.col.unit", "citizens.col.status", "citizens.col.due", "citizens.col.resolved", "citizens.col.overdue"].map { req.t($0) }]
        for petition in rows {
            table.append([
                petition.reference, VNFormat.date(petition.receivedOn), petition.kind.label, petition.field.label, petition.senderShown,
                units[petition.$commune.id]?.name ?? "", petition.summary, units[petition.$unit.id]?.name ?? "", petition.status.label,
                VNFormat.date(petition.currentDue ?? petition.resolveDueOn), VNFormat.date(petition.resolvedOn), petition.isOverdue(today: today) ? req.t("citizens.yes") : "",
            ])
        }
        return try req.spreadsheet(table, format: .xlsx, baseName: "don-thu-\(VNFormat.isoDate(req.now))", sheetName: req.t("citizens.title"), widths: [10, 12, 12, 18, 24, 20, 50, 28, 16, 12, 12, 8])
    }

    // MARK: Intake

    struct Typed: Encodable, Sendable {
        var values: [String: String] = [:]
        subscript(_ key: String) -> String { values[key] ?? "" }
    }

    struct DuplicateRow: Encodable, Sendable {
        let id: String
        let reference: String
        let summary: String
        let received: String
        let status: String
        let why: String
        let linked: Bool
    }

    struct FormContext: Encodable, Sendable {
        let typed: [String: String]
        let errors: FormErrors
        let kinds: [SelectOption]
        let channels: [SelectOption]
        let fields: [SelectOption]
        let complexities: [SelectOption]
        let communes: [SelectOption]
        let unitOptions: String
        let handlers: [SelectOption]
        let duplicates: [DuplicateRow]
        let today: String
    }

    func new(_ req: Request) async throws -> Response {
        var typed = Typed()
        typed.values["received_on"] = VNFormat.isoDate(req.now)
        typed.values["channel"] = PetitionChannel.reception.rawValue
        typed.values["sender_count"] = "1"
        typed.values["instance"] = "1"
        return try await form(req, typed: typed, errors: FormErrors(), duplicates: [])
    }

    func form(_ req: Request, typed: Typed, errors: FormErrors, duplicates: [DuplicateCandidate], status: HTTPResponseStatus = .ok) async throws -> Response {
        let scope = try await req.scope()
        let communes = try await req.unitTree(in: .everything).filter { $0.level == .commune }
        let unitID = UUID(uuidString: typed["unit"]) ?? req.currentUser?.$unit.id
        let handlers = try await Self.handlerOptions(req, scope: scope, selected: typed["handler"])
        let context = FormContext(
            typed: typed.values, errors: errors,
            kinds: [SelectOption(value: "", label: "—", selected: typed["kind"].isEmpty)] + PetitionKind.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == typed["kind"]) },
            channels: PetitionChannel.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == typed["channel"]) },
            fields: [SelectOption(value: "", label: "—", selected: typed["field"].isEmpty)] + PetitionField.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == typed["field"]) },
            complexities: PetitionComplexity.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == (typed["complexity"].isEmpty ? "normal" : typed["complexity"])) },
            communes: [SelectOption(value: "", label: "—", selected: typed["commune"].isEmpty)] + communes.map { SelectOption(value: $0.id?.uuidString ?? "", label: $0.name, selected: $0.id?.uuidString == typed["commune"]) },
            unitOptions: try await req.unitOptionsHTML(in: scope, selected: Set([unitID].compactMap { $0 })),
            handlers: handlers,
            duplicates: duplicates.map {
                DuplicateRow(id: $0.id.uuidString, reference: $0.reference, summary: $0.summary, received: VNFormat.date($0.receivedOn), status: $0.status.label,
                             why: $0.sameSender ? req.t("citizens.duplicate.same_sender") : req.t("citizens.duplicate.same_topic", VNFormat.percent(Double($0.likeness))),
                             linked: typed["repeat_of"] == $0.id.uuidString)
            },
            today: VNFormat.isoDate(req.now)
        )
        return try await req.render("citizens/form", title: req.t("citizens.new"), context, status: status)
    }

    /// Active accounts inside the scope, as handler choices.
    static func handlerOptions(_ req: Request, scope: AccessScope, selected: String) async throws -> [SelectOption] {
        let users = try await scope.filter(User.query(on: req.db)).filter(\.$isActive == true).sort(\.$fullName).limit(500).all()
        let units = try await req.unitsByID()
        return [SelectOption(value: "", label: "—", selected: selected.isEmpty)] + users.map { user in
            SelectOption(value: user.id?.uuidString ?? "", label: "\(user.fullName) — \(units[user.$unit.id]?.shortName ?? units[user.$unit.id]?.name ?? "")", selected: user.id?.uuidString == selected)
        }
    }

    /// Reads the typed form into an input (and keeps every value for a re-render).
    static func read(_ pairs: [(name: String, value: String)]) -> (PetitionInput, Typed) {
        var typed = Typed()
        var input = PetitionInput()
        for (name, raw) in pairs {
            let value = VietnameseText.nfc(raw)
            typed.values[name] = value
            switch name {
            case "kind": input.kind = PetitionKind(rawValue: value)
            case "channel": input.channel = PetitionChannel(rawValue: value) ?? .letter
            case "instance": input.instance = Int(value) ?? 1
            case "complexity": input.complexity = PetitionComplexity(rawValue: value) ?? .normal
            case "remote": input.remote = value == "1"
            case "sender_name": input.senderName = VietnameseText.clean(value)
            case "sender_address": input.senderAddress = VietnameseText.clean(value)
            case "sender_contact": input.senderContact = VietnameseText.clean(value)
            case "sender_count": input.senderCount = Int(value.trimmingCharacters(in: .whitespaces)) ?? 0
            case "representatives": input.representatives = value
            case "commune": input.communeID = UUID(uuidString: value)
            case "unit": input.unitID = UUID(uuidString: value)
            case "handler": input.handlerID = UUID(uuidString: value)
            case "field": input.field = PetitionField(rawValue: value)
            case "summary": input.summary = VietnameseText.clean(value)
            case "content": input.content = value
            case "received_on": input.receivedOn = VNFormat.parseDate(value)
            case "repeat_of": input.repeatOfID = UUID(uuidString: value)
            case "over_level": input.overLevel = value == "1"
            default: break
            }
        }
        return (input, typed)
    }

    /// The intake form's fields and files: a multipart form (with the letter or the papers
    /// attached) or a plain one.
    static func intake(_ req: Request) -> (pairs: [(name: String, value: String)], files: [File]) {
        guard req.headers.contentType?.type == "multipart" else { return (req.formPairs(), []) }
        let files = req.formFiles().filter { $0.data.readableBytes > 0 }
        return (req.formPairs().filter { $0.name != "files" }, files)
    }

    func create(_ req: Request) async throws -> Response {
        let (pairs, uploads) = Self.intake(req)
        let (input, typed) = Self.read(pairs)
        let units = try await req.unitsByID()
        let commune = input.communeID.flatMap { units[$0] }
        var errors = PetitionService.validate(input, commune: commune, today: req.now)
        let scope = try await req.scope()
        if let unitID = input.unitID, units[unitID].map(scope.contains) != true { errors.add("unit", "citizens.error.unit") }
        if let handlerID = input.handlerID, let unitID = input.unitID ?? req.currentUser?.$unit.id {
            do { try await PetitionService.checkHandler(handlerID, unitID: unitID, on: req.db) } catch { errors.add("handler", "citizens.error.handler_unit") }
        }
        if let repeatOf = input.repeatOfID, try await Petition.find(repeatOf, on: req.db) == nil { errors.add("repeat_of", "citizens.error.repeat") }
        guard errors.isEmpty else { return try await form(req, typed: typed, errors: errors, duplicates: [], status: .unprocessableEntity) }
        let keys = CitizenKeys.of(req.application)
        // The duplicate hint: shown once; the clerk links the new one as a repeat or confirms it is new.
        if typed["checked"] != "1" {
            let candidates = try await PetitionService.duplicates(of: input, keys: keys, on: req.db)
            if !candidates.isEmpty {
                var shown = typed
                shown.values["checked"] = "1"
                return try await form(req, typed: shown, errors: errors, duplicates: candidates, status: .ok)
            }
        }
        // Papers attached to the intake are checked before anything is saved.
        let stored: [(filename: String, stored: FileStore.Stored)]
        do {
            stored = try req.storeUploads(uploads)
        } catch let refusal as FileStore.Refusal {
            var failed = FormErrors()
            failed.add("files", "citizens.error.file", refusal.message)
            return try await form(req, typed: typed, errors: failed, duplicates: [], status: .unprocessableEntity)
        }
        let user = try req.requireUser()
        let (petition, code) = try await PetitionService.create(input, receivingUnitID: user.$unit.id, keys: keys, actor: req.actor, at: req.now, on: req.db)
        if !stored.isEmpty { try await Self.attach(stored, to: petition, actor: req.actor, at: req.now, on: req.db) }
        try await EarlyWarning.evaluate(after: petition, at: req.now, on: req.db)
        return try await PublicController.receipt(req, petition: petition, code: code, staff: true)
    }

    // MARK: One submission

    struct EventRow: Encodable, Sendable {
        let at: String
        let label: String
        let text: String
        let actor: String
        let isPublic: Bool
    }

    struct LinkRow: Encodable, Sendable {
        let href: String
        let label: String
    }

    struct ShowContext: Encodable, Sendable {
        let id: String
        let row: PetitionRow
        let channel: String
        let instance: Int
        let complexity: String
        let remote: Bool
        let senderCount: Int
        let representatives: [String]
        let senderAddress: String
        let senderContact: String
        let isDenunciation: Bool
        let canOpenIdentity: Bool
        let identity: IdentityView?
        let handler: String
        let content: String
        let ackDue: String
        let acknowledged: String
        let accepted: String
        let resolveDue: String
        let extensions: Int
        let extensionsLeft: Int
        let extensionDays: Int
        let resolved: String
        let decision: String
        let result: String
        let publicAnswer: String
        let satisfied: String
        let reopenCount: Int
        let overLevel: Bool
        let dueNote: String
        let basis: String
        let repeatOf: LinkRow?
        let repeats: [LinkRow]
        let meetings: [LinkRow]
        let hotspots: [LinkRow]
        let events: [EventRow]
        let attachments: [AttachmentRow]
        let version: Int
        let steps: [StepView]
        let unitOptions: String
        let suggestedUnit: String
        let handlers: [SelectOption]
        let today: String
        let error: String?
        let typed: [String: String]
    }

    struct StepView: Encodable, Sendable {
        let key: String
        let label: String
    }

    struct IdentityView: Encodable, Sendable {
        let name: String
        let address: String
        let contact: String
        let letter: String?
    }

    func show(_ req: Request) async throws -> Response {
        try await page(req, petition: try await find(req))
    }

    func find(_ req: Request) async throws -> Petition {
        try await PetitionService.find(req.parameters.get("petitionID", as: UUID.self), scope: try await req.scope(), on: req.db)
    }

    func page(_ req: Request, petition: Petition, identity: DenouncerIdentity? = nil, error: String? = nil, typed: [String: String] = [:], status: HTTPResponseStatus = .ok) async throws -> Response {
        let user = try req.requireUser()
        let scope = try await req.scope()
        let units = try await req.unitsByID()
        let today = CivilDay.startOfDay(req.now)
        let id = try petition.requireID()
        let events = try await PetitionEvent.query(on: req.db).filter(\.$petition.$id == id).sort(\.$at).all()
        let attachments = try await PetitionAttachment.query(on: req.db).filter(\.$petition.$id == id).sort(\.$createdAt).all()
        let handler = try await petition.$handler.id.asyncMap { try await User.find($0, on: req.db) } ?? nil
        let rules = try await TimeLimitRule.query(on: req.db).filter(\.$kind == petition.kind).all()
        let rule = TimeLimits.rule(kind: petition.kind, instance: petition.instance, complexity: petition.complexity, remote: petition.remote, on: petition.acceptedOn ?? petition.receivedOn, among: rules)
        let repeatOf = try await petition.repeatOfID.asyncMap { try await Petition.find($0, on: req.db) } ?? nil
        let repeats = try await Petition.query(on: req.db).filter(\.$repeatOfID == id).sort(\.$receivedOn).limit(50).all()
        let meetingIDs = try await MeetingPetition.query(on: req.db).filter(\.$petition.$id == id).all().map(\.$meeting.id)
        let meetings = meetingIDs.isEmpty ? [] : try await CitizenMeeting.query(on: req.db).filter(\.$id ~~ meetingIDs).all()
        let spotIDs = try await HotSpotLink.query(on: req.db).filter(\.$targetType == "petition").filter(\.$targetID == id).all().map(\.$hotSpot.id)
        let spots = spotIDs.isEmpty ? [] : try await HotSpot.query(on: req.db).filter(\.$id ~~ spotIDs).all()
        var steps: [String] = []
        switch petition.status {
        case .received: steps = ["accept", "assign", "transfer", "refuse", "transferOut"] + (petition.acknowledgedOn == nil ? ["acknowledge"] : [])
        case .accepted:
            steps = ["resolve", "assign", "transfer"]
            if let rule, rule.maxExtensions > petition.extensions { steps.append("extend") }
            if petition.acknowledgedOn == nil { steps.append("acknowledge") }
        case .resolved: steps = ["close", "reopen"]
        case .closed: steps = ["reopen"]
        case .refused, .transferredOut: steps = ["close"]
        }
        steps.append("note")
        var dueNote = ""
        if let due = petition.currentDue, petition.status.isOpen {
            let calendar = try await WorkingCalendarStore.load(on: req.db)
            if today > due {
                dueNote = req.t("citizens.due.overdue", String(calendar.workingDays(after: LunarCalendar.SolarDate(due), through: LunarCalendar.SolarDate(today))))
            } else {
                dueNote = req.t("citizens.due.left", String(calendar.workingDays(after: LunarCalendar.SolarDate(today), through: LunarCalendar.SolarDate(due))))
            }
        }
        let suggested = try await PetitionService.suggestedUnit(communeID: petition.$commune.id, field: petition.field, on: req.db)
        let context = ShowContext(
            id: id.uuidString, row: PetitionRow(petition, units: units, today: today), channel: petition.channel.label, instance: petition.instance,
            complexity: petition.complexity.label, remote: petition.remote, senderCount: petition.senderCount,
            representatives: petition.representatives.split(separator: "\n").map(String.init),
            senderAddress: petition.kind == .denunciation ? "" : petition.senderAddress, senderContact: petition.kind == .denunciation ? "" : petition.senderContact,
            isDenunciation: petition.kind == .denunciation, canOpenIdentity: PetitionService.canOpenIdentity(petition, user: user),
            identity: identity.map { shown in IdentityView(name: shown.name, address: shown.address, contact: shown.contact, letter: shown.letter?.filename) },
            handler: handler?.fullName ?? "", content: petition.content,
            ackDue: VNFormat.date(petition.ackDueOn), acknowledged: VNFormat.date(petition.acknowledgedOn), accepted: VNFormat.date(petition.acceptedOn),
            resolveDue: VNFormat.date(petition.resolveDueOn), extensions: petition.extensions,
            extensionsLeft: max(0, (rule?.maxExtensions ?? 0) - petition.extensions), extensionDays: rule?.extensionDays ?? 0,
            resolved: VNFormat.date(petition.resolvedOn), decision: petition.decision, result: petition.result, publicAnswer: petition.publicAnswer,
            satisfied: petition.satisfied.map { $0 ? req.t("citizens.satisfied.yes") : req.t("citizens.satisfied.no") } ?? "",
            reopenCount: petition.reopenCount, overLevel: petition.overLevel, dueNote: dueNote,
            basis: rule.map { req.t("citizens.basis.line", $0.basis, String($0.resolveDays), $0.dayType.label) } ?? req.t("citizens.basis.none"),
            repeatOf: repeatOf.map { LinkRow(href: CitizensRoute.petition($0.id).path, label: $0.reference + " — " + $0.summary) },
            repeats: repeats.map { LinkRow(href: CitizensRoute.petition($0.id).path, label: $0.reference + " — " + VNFormat.date($0.receivedOn)) },
            meetings: meetings.map { LinkRow(href: CitizensRoute.meeting($0.id).path, label: "\($0.kind.label) \(VNFormat.date($0.heldOn)) — \($0.hostName)") },
            hotspots: spots.map { LinkRow(href: CitizensRoute.hotspot($0.id).path, label: $0.title) },
            events: events.map { EventRow(at: VNFormat.dateTime($0.at), label: $0.kind.label, text: $0.text, actor: $0.actorName, isPublic: $0.isPublic) },
            attachments: attachments.map { AttachmentRow(id: $0.id, filename: $0.filename, bytes: $0.size, uploadedBy: $0.uploadedBy, at: $0.createdAt, href: CitizensRoute.petitionFile(id, $0.id).path) },
            version: petition.version, steps: steps.map { StepView(key: $0, label: req.t("citizens.step.\($0)")) },
            unitOptions: try await req.unitOptionsHTML(in: scope, selected: Set([UUID(uuidString: typed["unit"] ?? "") ?? suggested])),
            suggestedUnit: units[suggested]?.name ?? "",
            handlers: try await Self.handlerOptions(req, scope: scope, selected: typed["handler"] ?? petition.$handler.id?.uuidString ?? ""),
            today: VNFormat.isoDate(req.now), error: error, typed: typed
        )
        return try await req.render("citizens/show", title: "\(req.t("citizens.petition")) \(petition.reference)", context, status: status)
    }

    /// One step: the form names it with `step`.
    func action(_ req: Request) async throws -> Response {
        let petition = try await find(req)
        let typed = req.typedForm()
        let text = { (key: String) in (typed[key] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        let day = VNFormat.parseDate(text("on")) ?? CivilDay.startOfDay(req.now)
        let action: PetitionService.Action
        switch text("step") {
        case "acknowledge": action = .acknowledge(on: day)
        case "accept": action = .accept(on: day)
        case "refuse": action = .refuse(reason: text("reason"), on: day)
        case "assign", "transfer":
            guard let unitID = UUID(uuidString: text("unit")), try await req.unitsByID()[unitID].map({ _ in true }) == true else {
                return try await page(req, petition: petition, error: req.t("citizens.error.unit"), typed: typed, status: .unprocessableEntity)
            }
            let handlerID = UUID(uuidString: text("handler"))
            action = text("step") == "assign" ? .assign(unitID: unitID, handlerID: handlerID) : .transfer(unitID: unitID, handlerID: handlerID, reason: text("reason"))
        case "transferOut": action = .transferOut(body: text("body"), reason: text("reason"), on: day)
        case "extend":
            guard let days = Int(text("days")) else { return try await page(req, petition: petition, error: req.t("citizens.error.days"), typed: typed, status: .unprocessableEntity) }
            action = .extend(days: days, decision: text("decision"), on: day)
        case "resolve": action = .resolve(result: text("result"), publicAnswer: text("public_answer"), decision: text("decision"), on: day)
        case "close": action = .close(on: day)
        case "reopen": action = .reopen(reason: text("reason"))
        case "note": action = .note(text: text("text"))
        default: throw AppError.badRequest(req.t("citizens.error.step"))
        }
        if text("on") != "", VNFormat.parseDate(text("on")) == nil {
            return try await page(req, petition: petition, error: req.t("citizens.error.date"), typed: typed, status: .unprocessableEntity)
        }
        do {
            try await PetitionService.apply(action, to: petition, expectedVersion: Int(text("version")) ?? -1, actor: req.actor, at: req.now, on: req.db)
        } catch AppError.badRequest(let message) {
            return try await page(req, petition: try await find(req), error: message, typed: typed, status: .unprocessableEntity)
        } catch AppError.conflict(let message) {
            return try await page(req, petition: try await find(req), error: message, typed: typed, status: .conflict)
        }
        req.flash(.success, req.t("citizens.flash.step", petition.reference))
        // After a transfer the submission may have left the user's scope.
        if (try? await find(req)) == nil { return req.redirect(to: CitizensRoute.index) }
        return req.redirect(to: CitizensRoute.petition(petition.id))
    }

    // MARK: The protected identity

    /// Opens a denouncer's identity (POST: a deliberate, audited act); `letter=1` downloads
    /// the scanned letter.
    func identity(_ req: Request) async throws -> Response {
        let petition = try await find(req)
        let user = try req.requireUser()
        guard PetitionService.canOpenIdentity(petition, user: user) else { throw AppError.forbidden }
        let keys = CitizenKeys.of(req.application)
        let identity = try await PetitionService.openIdentity(petition, user: user, keys: keys, actor: req.actor, at: req.now, on: req.db)
        if (try? req.content.get(String.self, at: "letter")) == "1" {
            guard let letter = identity?.letter else { throw AppError.notFound }
            let sealed = try req.application.files.read(letter.storageKey, sha256: letter.sha256)
            let data = try keys.vault.openFile(sealed)
            var headers = HTTPHeaders()
            headers.contentDisposition = .init(.attachment, filename: letter.filename)
            headers.replaceOrAdd(name: .contentType, value: letter.contentType)
            headers.replaceOrAdd(name: .cacheControl, value: "no-store")
            return Response(status: .ok, headers: headers, body: .init(data: data))
        }
        return try await page(req, petition: petition, identity: identity ?? DenouncerIdentity(name: "", address: "", contact: ""))
    }

    struct UploadForm: Content {
        var files: [File]?
        var letter: File?
    }

    /// Seals the scanned letter of a denunciation into its identity (handler or administrator).
    func letter(_ req: Request) async throws -> Response {
        let petition = try await find(req)
        let user = try req.requireUser()
        guard PetitionService.canOpenIdentity(petition, user: user) else { throw AppError.forbidden }
        let form = try req.content.decode(UploadForm.self)
        guard let file = form.letter, file.data.readableBytes > 0 else { return try await page(req, petition: petition, error: req.t("citizens.error.no_file"), status: .unprocessableEntity) }
        guard file.data.readableBytes <= req.application.files.maximumBytes else { return try await page(req, petition: petition, error: req.t("citizens.error.file_size"), status: .unprocessableEntity) }
        let keys = CitizenKeys.of(req.application)
        let id = try petition.requireID()
        let data = Data(file.data.readableBytesView)
        let contentType: String
        do {
            contentType = try req.application.files.check(data, filename: file.filename)
        } catch let refusal as FileStore.Refusal {
            return try await page(req, petition: petition, error: refusal.message, status: .unprocessableEntity)
        }
        let stored = try req.application.files.storeSealed(try keys.vault.sealFile(data))
        let existing = try await PetitionIdentity.query(on: req.db).filter(\.$petition.$id == id).first()
        var identity = try existing.map { try keys.vault.open($0.sealed, petitionID: id) } ?? DenouncerIdentity(name: "", address: "", contact: "")
        identity.letter = .init(storageKey: stored.key, sha256: stored.sha256, filename: file.filename, contentType: contentType, size: data.count)
        let row = existing ?? PetitionIdentity()
        if existing == nil {
            row.id = UUID()
            row.$petition.id = id
            row.createdAt = req.now
        }
        row.keyID = keys.vault.keyID
        row.sealed = try keys.vault.seal(identity, petitionID: id)
        let actor = req.actor
        try await req.db.transaction { db in
            try await row.save(on: db)
            try await PetitionEvent(petitionID: id, kind: .note, text: L10n.text("citizens.event.letter_sealed"), isPublic: false, actorName: actor.name, at: req.now).create(on: db)
            try await AuditLog.record(on: db, actor: actor, at: req.now, action: "update", entityType: "petition", entityID: id, summary: L10n.format("citizens.audit.letter", [petition.reference]))
        }
        req.flash(.success, req.t("citizens.flash.letter"))
        return req.redirect(to: CitizensRoute.petition(id))
    }

    /// Attaches files (a denunciation's files must already be stripped of the denouncer).
    func upload(_ req: Request) async throws -> Response {
        let petition = try await find(req)
        let form = try req.content.decode(UploadForm.self)
        let stored: [(filename: String, stored: FileStore.Stored)]
        do {
            stored = try req.storeUploads(form.files ?? [])
        } catch let refusal as FileStore.Refusal {
            return try await page(req, petition: petition, error: refusal.message, status: .unprocessableEntity)
        }
        guard !stored.isEmpty else { return try await page(req, petition: petition, error: req.t("citizens.error.no_file"), status: .unprocessableEntity) }
        try await Self.attach(stored, to: petition, actor: req.actor, at: req.now, on: req.db)
        req.flash(.success, req.t("citizens.flash.files", String(stored.count)))
        return req.redirect(to: CitizensRoute.petition(petition.id))
    }

    /// Records stored files as the submission's attachments, audited.
    static func attach(_ stored: [(filename: String, stored: FileStore.Stored)], to petition: Petition, actor: AuditActor, at: Date, on db: any Database) async throws {
        let id = try petition.requireID()
        try await db.transaction { db in
            for (filename, file) in stored {
                let row = PetitionAttachment()
                row.id = UUID()
                row.$petition.id = id
                row.filename = filename
                row.contentType = file.contentType
                row.size = file.size
                row.sha256 = file.sha256
                row.storageKey = file.key
                row.uploadedBy = actor.name
                row.createdAt = at
                try await row.create(on: db)
            }
            try await AuditLog.record(on: db, actor: actor, at: at, action: "update", entityType: "petition", entityID: id,
                                      summary: L10n.format("citizens.audit.files", [petition.reference, String(stored.count)]))
        }
    }

    func download(_ req: Request) async throws -> Response {
        let petition = try await find(req)
        guard let fileID = req.parameters.get("fileID", as: UUID.self),
              let file = try await PetitionAttachment.query(on: req.db).filter(\.$id == fileID).filter(\.$petition.$id == petition.requireID()).first()
        else { throw AppError.notFound }
        return try req.download(key: file.storageKey, sha256: file.sha256, filename: file.filename, contentType: file.contentType)
    }
}
