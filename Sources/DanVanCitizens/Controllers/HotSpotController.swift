import DanVanCore
import DanVanText
import Fluent
import Foundation
import Vapor

/// The hot-spot register, the early warnings waiting for the board, the weekly risk table.
struct HotSpotController {
    struct SpotRow: Encodable, Sendable {
        let id: String
        let title: String
        let commune: String
        let field: String
        let severity: Int
        let severityLabel: String
        let status: String
        let statusLabel: String
        let people: Int
        let updated: String
    }

    struct WarningRow: Encodable, Sendable {
        let id: String
        let rule: String
        let commune: String
        let field: String
        let score: Int
        let reason: String
        let created: String
        let evidence: [PetitionController.LinkRow]
        let status: String
        let statusLabel: String
        let note: String
        let decidedBy: String
        let hotspot: String?
    }

    struct RiskRow: Encodable, Sendable {
        let commune: String
        let field: String
        let score: Int
        let previous: Int
        let trend: String
        let trendLabel: String
        let reasons: [String]
    }

    struct IndexContext: Encodable, Sendable {
        let spots: [SpotRow]
        let warnings: [WarningRow]
        let decided: [WarningRow]
        let risks: [RiskRow]
        let statuses: [SelectOption]
        let canDecide: Bool
        let error: String?
    }

    func index(_ req: Request) async throws -> Response {
        try await indexPage(req, error: nil)
    }

    func indexPage(_ req: Request, error: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let scope = try await req.scope()
        let user = try req.requireUser()
        let units = try await req.unitsByID()
        let wanted = (try? req.query.get(String.self, at: "status")).flatMap(HotSpot.Status.init(rawValue:))
        let query = scope.filter(HotSpot.query(on: req.db))
        if let wanted { query.filter(\.$status == wanted) } else { query.filter(\.$status != .resolved) }
        let spots = try await query.sort(\.$severity, .descending).sort(\.$updatedAt, .descending).limit(200).all()
        let open = try await HotSpotWarning.query(on: req.db).filter(\.$status == .open).sort(\.$createdAt, .descending).limit(100).all()
            .filter { units[$0.$commune.id].map(scope.contains) ?? false }
        let decided = try await HotSpotWarning.query(on: req.db).filter(\.$status != .open).sort(\.$decidedAt, .descending).limit(20).all()
            .filter { units[$0.$commune.id].map(scope.contains) ?? false }
        let evidenceIDs = Set((open + decided).flatMap { $0.evidenceIDs.split(separator: ",").compactMap { UUID(uuidString: String($0)) } })
        let evidence = evidenceIDs.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await Petition.query(on: req.db).filter(\.$id ~~ Array(evidenceIDs)).all().compactMap { p in p.id.map { ($0, p) } })
        func row(_ warning: HotSpotWarning) -> WarningRow {
            WarningRow(
                id: warning.id?.uuidString ?? "", rule: WarningRule(rawValue: warning.rule)?.label ?? warning.rule, commune: units[warning.$commune.id]?.name ?? "",
                field: warning.field.label, score: warning.score, reason: warning.reason, created: VNFormat.dateTime(warning.createdAt),
                evidence: warning.evidenceIDs.split(separator: ",").compactMap { UUID(uuidString: String($0)).flatMap { evidence[$0] } }
                    .map { .init(href: CitizensRoute.petition($0.id).path, label: "\($0.reference) — \($0.summary)") },
                status: warning.status.rawValue, statusLabel: warning.status.label, note: warning.decisionNote, decidedBy: warning.decidedBy,
                hotspot: warning.hotSpotID.map { CitizensRoute.hotspot($0).path }
            )
        }
        let risks = try await CitizenStats.riskTable(today: req.now, unitIDs: try await req.scopeUnitIDs(), on: req.db).prefix(40).map { cell in
            RiskRow(commune: units[cell.communeID]?.name ?? "", field: cell.field.label, score: cell.score, previous: cell.previousScore,
                    trend: ["down", "steady", "up"][cell.trend + 1], trendLabel: req.t("citizens.risk.trend.\(["down", "steady", "up"][cell.trend + 1])"), reasons: cell.reasons)
        }
        let context = IndexContext(
            spots: spots.map { spot in
                SpotRow(id: spot.id?.uuidString ?? "", title: spot.title, commune: units[spot.$commune.id]?.name ?? "", field: spot.field.label,
                        severity: spot.severity, severityLabel: spot.severityLabel, status: spot.status.rawValue, statusLabel: spot.status.label,
                        people: spot.people, updated: VNFormat.date(spot.updatedAt))
            },
            warnings: open.map(row), decided: decided.map(row), risks: Array(risks),
            statuses: [SelectOption(value: "", label: req.t("citizens.hotspot.not_resolved"), selected: wanted == nil)] + HotSpot.Status.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0 == wanted) },
            canDecide: user.role != .focal, error: error
        )
        return try await req.render("citizens/hotspots", title: req.t("citizens.hotspots.title"), context, status: status)
    }

    struct FormContext: Encodable, Sendable {
        let typed: [String: String]
        let errors: FormErrors
        let fields: [SelectOption]
        let communes: [SelectOption]
        let severities: [SelectOption]
    }

    /// The form; a report's pressing issue arrives prefilled (`source`, `id`, `unit`, `text`).
    func new(_ req: Request) async throws -> Response {
        var typed: [String: String] = ["severity": "2"]
        let text = VietnameseText.nfc((try? req.query.get(String.self, at: "text")) ?? "")
        if !text.isEmpty {
            typed["description"] = String(text.prefix(4000))
            typed["title"] = String(text.split(whereSeparator: { $0 == "." || $0.isNewline }).first.map(String.init)?.prefix(200) ?? "")
        }
        if let source = try? req.query.get(String.self, at: "source"), let id = try? req.query.get(String.self, at: "id"), UUID(uuidString: id) != nil {
            typed["source_type"] = String(source.prefix(40))
            typed["source_id"] = id
        }
        if let unitID = (try? req.query.get(String.self, at: "unit")).flatMap(UUID.init(uuidString:)) {
            // The reporting unit, or the commune above it.
            let units = try await req.unitsByID()
            var unit = units[unitID]
            while let current = unit, current.level != .commune, let parent = current.$parent.id { unit = units[parent] }
            if unit?.level == .commune { typed["commune"] = unit?.id?.uuidString }
        }
        return try await form(req, typed: typed, errors: FormErrors())
    }

    func form(_ req: Request, typed: [String: String], errors: FormErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let communes = try await req.unitTree(in: try await req.scope()).filter { $0.level == .commune }
        let context = FormContext(
            typed: typed, errors: errors,
            fields: [SelectOption(value: "", label: "—", selected: (typed["field"] ?? "").isEmpty)] + PetitionField.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == typed["field"]) },
            communes: [SelectOption(value: "", label: "—", selected: (typed["commune"] ?? "").isEmpty)] + communes.map { SelectOption(value: $0.id?.uuidString ?? "", label: $0.name, selected: $0.id?.uuidString == typed["commune"]) },
            severities: (1...4).map { SelectOption(value: String($0), label: L10n.text("citizens.severity.\($0)"), selected: String($0) == (typed["severity"] ?? "2")) }
        )
        return try await req.render("citizens/hotspot_form", title: req.t("citizens.hotspot.new"), context, status: status)
    }

    func create(_ req: Request) async throws -> Response {
        let typed = req.typedForm()
        let scope = try await req.scope()
        let units = try await req.unitsByID()
        var input = HotSpotInput()
        input.communeID = UUID(uuidString: typed["commune"] ?? "")
        input.field = PetitionField(rawValue: typed["field"] ?? "")
        input.title = VietnameseText.clean(typed["title"] ?? "")
        input.description = typed["description"] ?? ""
        input.people = Int((typed["people"] ?? "0").trimmingCharacters(in: .whitespaces)) ?? -1
        input.severity = Int(typed["severity"] ?? "") ?? 0
        input.teams = typed["teams"] ?? ""
        input.sourceType = (typed["source_type"] ?? "").isEmpty ? nil : typed["source_type"]
        input.sourceID = UUID(uuidString: typed["source_id"] ?? "")
        let commune = input.communeID.flatMap { units[$0] }
        var errors = input.validate(commune: commune)
        if let commune, !scope.contains(commune) { errors.add("commune", "citizens.error.commune") }
        guard errors.isEmpty else { return try await form(req, typed: typed, errors: errors, status: .unprocessableEntity) }
        let unitName = try await req.currentUnit().name
        let spot = try await HotSpotService.create(input, actor: req.actor, unitName: unitName, at: req.now, on: req.db)
        req.flash(.success, req.t("citizens.flash.hotspot"))
        return req.redirect(to: CitizensRoute.hotspot(spot.id))
    }

    struct UpdateRow: Encodable, Sendable {
        let at: String
        let unit: String
        let author: String
        let text: String
        let status: String
        let severity: String
    }

    struct ShowContext: Encodable, Sendable {
        let id: String
        let row: SpotRow
        let description: String
        let teams: [String]
        let source: PetitionController.LinkRow?
        let updates: [UpdateRow]
        let petitions: [PetitionController.LinkRow]
        let meetings: [PetitionController.LinkRow]
        let statuses: [SelectOption]
        let severities: [SelectOption]
        let meetingOptions: [SelectOption]
        let version: Int
        let error: String?
        let typed: [String: String]
    }

    func show(_ req: Request) async throws -> Response {
        try await page(req, spot: try await find(req))
    }

    func find(_ req: Request) async throws -> HotSpot {
        guard let id = req.parameters.get("hotspotID", as: UUID.self),
              let spot = try await (try await req.scope()).filter(HotSpot.query(on: req.db)).filter(\.$id == id).first() else { throw AppError.notFound }
        return spot
    }

    func page(_ req: Request, spot: HotSpot, error: String? = nil, typed: [String: String] = [:], status: HTTPResponseStatus = .ok) async throws -> Response {
        let id = try spot.requireID()
        let units = try await req.unitsByID()
        let updates = try await HotSpotUpdate.query(on: req.db).filter(\.$hotSpot.$id == id).sort(\.$at, .descending).all()
        let links = try await HotSpotLink.query(on: req.db).filter(\.$hotSpot.$id == id).all()
        let petitionIDs = links.filter { $0.targetType == "petition" }.map(\.targetID)
        let meetingIDs = links.filter { $0.targetType == "meeting" }.map(\.targetID)
        let petitions = petitionIDs.isEmpty ? [] : try await Petition.query(on: req.db).filter(\.$id ~~ petitionIDs).sort(\.$receivedOn).all()
        let meetings = meetingIDs.isEmpty ? [] : try await CitizenMeeting.query(on: req.db).filter(\.$id ~~ meetingIDs).sort(\.$heldOn).all()
        let source: PetitionController.LinkRow? = spot.sourceType.flatMap { type in
            spot.sourceID.flatMap { sourceID in
                req.application.inboxTargets.link(InboxTarget(type: type, id: sourceID)).map { .init(href: $0, label: req.t("citizens.hotspot.source.\(type == "report" ? "report" : "warning")")) }
            }
        }
        let nearby = try await CitizenMeeting.query(on: req.db).filter(\.$commune.$id == spot.$commune.id).sort(\.$heldOn, .descending).limit(30).all()
            .filter { !meetingIDs.contains($0.id ?? UUID()) }
        let context = ShowContext(
            id: id.uuidString,
            row: SpotRow(id: id.uuidString, title: spot.title, commune: units[spot.$commune.id]?.name ?? "", field: spot.field.label, severity: spot.severity,
                         severityLabel: spot.severityLabel, status: spot.status.rawValue, statusLabel: spot.status.label, people: spot.people, updated: VNFormat.date(spot.updatedAt)),
            description: spot.description, teams: spot.teams.split(whereSeparator: \.isNewline).map(String.init), source: source,
            updates: updates.map { UpdateRow(at: VNFormat.dateTime($0.at), unit: $0.unitName, author: $0.author, text: $0.text, status: $0.status.label, severity: L10n.text("citizens.severity.\(min(4, max(1, $0.severity)))")) },
            petitions: petitions.map { .init(href: CitizensRoute.petition($0.id).path, label: "\($0.reference) — \($0.summary) (\($0.status.label))") },
            meetings: meetings.map { .init(href: CitizensRoute.meeting($0.id).path, label: "\($0.kind.label) \(VNFormat.date($0.heldOn)) — \($0.hostName)") },
            statuses: HotSpot.Status.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == (typed["status"] ?? spot.status.rawValue)) },
            severities: (1...4).map { SelectOption(value: String($0), label: L10n.text("citizens.severity.\($0)"), selected: String($0) == (typed["severity"] ?? String(spot.severity))) },
            meetingOptions: nearby.map { SelectOption(value: $0.id?.uuidString ?? "", label: "\($0.kind.label) \(VNFormat.date($0.heldOn)) — \($0.hostName)", selected: false) },
            version: spot.version, error: error, typed: typed
        )
        return try await req.render("citizens/hotspot", title: spot.title, context, status: status)
    }

    func update(_ req: Request) async throws -> Response {
        let spot = try await find(req)
        let typed = req.typedForm()
        guard let status = HotSpot.Status(rawValue: typed["status"] ?? ""), let severity = Int(typed["severity"] ?? "") else {
            return try await page(req, spot: spot, error: req.t("citizens.error.severity"), typed: typed, status: .unprocessableEntity)
        }
        do {
            try await HotSpotService.addUpdate(spot, text: typed["text"] ?? "", status: status, severity: severity, expectedVersion: Int(typed["version"] ?? "") ?? -1,
                                               actor: req.actor, unitName: try await req.currentUnit().name, at: req.now, on: req.db)
        } catch AppError.badRequest(let message) {
            return try await page(req, spot: try await find(req), error: message, typed: typed, status: .unprocessableEntity)
        } catch AppError.conflict(let message) {
            return try await page(req, spot: try await find(req), error: message, typed: typed, status: .conflict)
        }
        req.flash(.success, req.t("citizens.flash.hotspot_update"))
        return req.redirect(to: CitizensRoute.hotspot(spot.id))
    }

    /// Links a meeting of the commune, or a submission by its number ("12/2026").
    func link(_ req: Request) async throws -> Response {
        let spot = try await find(req)
        if let meetingID = (try? req.content.get(String.self, at: "meeting")).flatMap(UUID.init(uuidString:)) {
            guard let meeting = try await CitizenMeeting.find(meetingID, on: req.db), meeting.$commune.id == spot.$commune.id else { throw AppError.notFound }
            try await HotSpotService.link(spot, type: "meeting", targetID: meetingID, actor: req.actor, at: req.now, on: req.db)
            req.flash(.success, req.t("citizens.flash.linked_meeting"))
            return req.redirect(to: CitizensRoute.hotspot(spot.id))
        }
        let reference = ((try? req.content.get(String.self, at: "reference")) ?? "").trimmingCharacters(in: .whitespaces)
        guard let petition = try await PetitionService.find(reference: reference, on: req.db) else {
            return try await page(req, spot: spot, error: req.t("citizens.error.petition_ref", reference), typed: ["reference": reference], status: .unprocessableEntity)
        }
        try await HotSpotService.link(spot, type: "petition", targetID: try petition.requireID(), actor: req.actor, at: req.now, on: req.db)
        req.flash(.success, req.t("citizens.flash.linked", petition.reference))
        return req.redirect(to: CitizensRoute.hotspot(spot.id))
    }

    /// The board confirms or dismisses a warning.
    func decide(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard user.role != .focal else { throw AppError.forbidden }
        let units = try await req.unitsByID()
        let scope = try await req.scope()
        guard let id = req.parameters.get("warningID", as: UUID.self), let warning = try await HotSpotWarning.find(id, on: req.db),
              units[warning.$commune.id].map(scope.contains) == true else { throw AppError.notFound }
        let confirm = (try? req.content.get(String.self, at: "decision")) == "confirm"
        let note = VietnameseText.nfc((try? req.content.get(String.self, at: "note")) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let spot: HotSpot?
        do {
            spot = try await HotSpotService.decide(warning, confirm: confirm, note: note, actor: req.actor, unitName: try await req.currentUnit().name, at: req.now, on: req.db)
        } catch AppError.badRequest(let message) {
            return try await indexPage(req, error: message, status: .unprocessableEntity)
        }
        if let spot {
            req.flash(.success, req.t("citizens.flash.confirmed"))
            return req.redirect(to: CitizensRoute.hotspot(spot.id))
        }
        req.flash(.success, req.t("citizens.flash.dismissed"))
        return req.redirect(to: CitizensRoute.hotspots)
    }
}
