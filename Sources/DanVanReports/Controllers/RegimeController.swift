import DanVanCore
import DanVanText
import Fluent
import Foundation
import Vapor

/// Regimes: the form, one regime with its periods, opening periods, ad hoc requests, and the
/// timeliness table.
struct RegimeController {
    struct FormContext: Encodable, Sendable {
        let name: String
        let content: String
        let method: String
        let frequencies: [SelectOption]
        let windows: [SelectOption]
        let audiences: [SelectOption]
        let kinds: [SelectOption]
        let levels: [SelectOption]
        let templates: [SelectOption]
        let receivingOptions: String
        let rootOptions: String
        let unitOptions: String
        let deadlines: [DeadlineField]
        let openAhead: String
        let errors: FormErrors
        let regimeID: String?
        let active: Bool
        let version: Int
    }

    struct DeadlineField: Encodable, Sendable {
        let level: String
        let label: String
        let days: String
    }

    /// What the form sent, kept to show again.
    struct Typed {
        var name = "", content = "", method = "", frequency = "month", window = "cutoff", audience = "kindUnder"
        var kind = "", level = "commune", template = "", receiving: UUID?, root: UUID?, units: [UUID] = []
        var deadlines: [String: String] = ["village": "1", "commune": "2", "district": "4", "province": "6"]
        var openAhead = "2"
        var active = true
        var version = 0
        var regimeID: UUID?
    }

    func new(_ req: Request) async throws -> Response {
        var typed = Typed()
        typed.receiving = try await req.currentUnit().id
        return try await form(req, typed: typed, errors: FormErrors())
    }

    func form(_ req: Request, typed: Typed, errors: FormErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let scope = try await req.scope()
        let templates = try await ReportService.currentTemplates(on: req.db)
        let context = FormContext(
            name: typed.name, content: typed.content, method: typed.method,
            frequencies: ReportFrequency.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == typed.frequency) },
            windows: ReportWindow.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == typed.window) },
            audiences: ReportRegime.Audience.allCases.map { SelectOption(value: $0.rawValue, label: req.t("reports.audience.\($0.rawValue)"), selected: $0.rawValue == typed.audience) },
            kinds: [SelectOption(value: "", label: req.t("reports.any_kind"), selected: typed.kind.isEmpty)] + OrgUnit.Kind.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == typed.kind) },
            levels: [SelectOption(value: "", label: req.t("reports.any_level"), selected: typed.level.isEmpty)] + OrgUnit.Level.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == typed.level) },
            templates: templates.map { SelectOption(value: $0.code, label: "\($0.name) (v\($0.version))", selected: $0.code == typed.template) },
            receivingOptions: try await req.unitOptionsHTML(in: scope, selected: Set([typed.receiving].compactMap { $0 })),
            rootOptions: try await req.unitOptionsHTML(in: scope, selected: Set([typed.root].compactMap { $0 })),
            unitOptions: try await req.unitOptionsHTML(in: scope, selected: Set(typed.units)),
            deadlines: OrgUnit.Level.allCases.map { DeadlineField(level: $0.rawValue, label: $0.label, days: typed.deadlines[$0.rawValue] ?? "") },
            openAhead: typed.openAhead, errors: errors, regimeID: typed.regimeID?.uuidString, active: typed.active, version: typed.version
        )
        return try await req.render("reports/regime_form", title: typed.regimeID == nil ? req.t("reports.regime.new") : req.t("reports.regime.edit"), context, status: status)
    }

    /// What the form sent.
    static func read(_ req: Request) -> Typed {
        var typed = Typed()
        typed.deadlines = [:]
        typed.active = false
        for (name, value) in req.formPairs() {
            let value = VietnameseText.nfc(value)
            switch name {
            case "name": typed.name = VietnameseText.clean(value)
            case "content": typed.content = value.trimmingCharacters(in: .whitespacesAndNewlines)
            case "method": typed.method = VietnameseText.clean(value)
            case "frequency": typed.frequency = value
            case "window": typed.window = value
            case "audience": typed.audience = value
            case "unit_kind": typed.kind = value
            case "unit_level": typed.level = value
            case "template": typed.template = value
            case "receiving": typed.receiving = UUID(uuidString: value)
            case "root": typed.root = UUID(uuidString: value)
            case "units", "units[]": if let id = UUID(uuidString: value) { typed.units.append(id) }
            case "open_ahead": typed.openAhead = value
            case "active": typed.active = value == "1"
            case "version": typed.version = Int(value) ?? -1
            default: if name.hasPrefix("deadline.") { typed.deadlines[String(name.dropFirst("deadline.".count))] = value.trimmingCharacters(in: .whitespaces) }
            }
        }
        return typed
    }

    /// The regime the form describes, or the message of each field that is wrong.
    func validate(_ req: Request, _ typed: Typed) async throws -> (RegimeDraft?, FormErrors) {
        var errors = FormErrors()
        if typed.name.isEmpty { errors.add("name", "reports.error.name") }
        let frequency = ReportFrequency(rawValue: typed.frequency)
        if frequency == nil { errors.add("frequency", "reports.error.frequency") }
        let audience = ReportRegime.Audience(rawValue: typed.audience) ?? .kindUnder
        var receiving: OrgUnit?
        if let id = typed.receiving { receiving = try? await req.unitInScope(id) }
        if receiving == nil { errors.add("receiving", "reports.error.receiving") }
        if audience == .list, typed.units.isEmpty { errors.add("units", "reports.error.units") }
        if audience == .kindUnder, typed.root == nil { errors.add("root", "reports.error.root") }
        if let root = typed.root, (try? await req.unitInScope(root)) == nil { errors.add("root", "reports.error.root") }
        let templates = try await ReportService.currentTemplates(on: req.db)
        if !templates.contains(where: { $0.code == typed.template }) { errors.add("template", "reports.error.template") }
        var deadlines: [OrgUnit.Level: Int] = [:]
        for level in OrgUnit.Level.allCases {
            let raw = typed.deadlines[level.rawValue] ?? ""
            if raw.isEmpty { continue }
            if let days = Int(raw), (0...60).contains(days) { deadlines[level] = days } else { errors.add("deadlines", "reports.error.deadline", level.label) }
        }
        if deadlines.isEmpty { errors.add("deadlines", "reports.error.deadline_any") }
        let openAhead = Int(typed.openAhead) ?? 0
        if !(1...24).contains(openAhead) { errors.add("open_ahead", "reports.error.open_ahead") }
        guard errors.isEmpty, let frequency, let receiving else { return (nil, errors) }
        return (RegimeDraft(
            name: typed.name, content: typed.content, frequency: frequency, window: ReportWindow(rawValue: typed.window) ?? .cutoff,
            receivingUnitID: try receiving.requireID(), audience: audience, unitIDs: typed.units, unitKind: OrgUnit.Kind(rawValue: typed.kind),
            unitLevel: OrgUnit.Level(rawValue: typed.level), rootUnitID: audience == .kindUnder ? typed.root : nil, deadlines: deadlines,
            method: typed.method, templateCode: typed.template, openAhead: openAhead
        ), errors)
    }

    func create(_ req: Request) async throws -> Response {
        let typed = Self.read(req)
        let (draft, errors) = try await validate(req, typed)
        guard let draft else { return try await form(req, typed: typed, errors: errors, status: .unprocessableEntity) }
        let regime = try await ReportService.createRegime(draft, actor: req.actor, at: req.now, on: req.db)
        let opened = try await ReportService.openPeriods(regime, now: req.now, actor: req.actor, on: req.db)
        req.flash(.success, req.t("reports.flash.regime", String(opened.count)))
        return req.redirect(to: ReportsRoute.regime(try regime.requireID()))
    }

    /// The form filled with a regime.
    func edit(_ req: Request) async throws -> Response {
        let regime = try await find(req)
        var typed = Typed()
        typed.name = regime.name
        typed.content = regime.content
        typed.method = regime.method
        typed.frequency = regime.frequency.rawValue
        typed.window = regime.window.rawValue
        typed.audience = regime.audience.rawValue
        typed.kind = regime.unitKind?.rawValue ?? ""
        typed.level = regime.unitLevel?.rawValue ?? ""
        typed.template = regime.templateCode
        typed.receiving = regime.$receivingUnit.id
        typed.root = regime.$rootUnit.id
        typed.units = regime.unitIDs
        typed.deadlines = Dictionary(uniqueKeysWithValues: regime.deadlines.map { ($0.key.rawValue, String($0.value)) })
        typed.openAhead = String(regime.openAhead)
        typed.active = regime.active
        typed.version = regime.version
        typed.regimeID = regime.id
        return try await form(req, typed: typed, errors: FormErrors())
    }

    /// Saves the regime; periods already open keep their requests and deadlines.
    func update(_ req: Request) async throws -> Response {
        let regime = try await find(req)
        var typed = Self.read(req)
        typed.regimeID = regime.id
        let (draft, errors) = try await validate(req, typed)
        guard let draft else { return try await form(req, typed: typed, errors: errors, status: .unprocessableEntity) }
        do {
            try await ReportService.updateRegime(regime, with: draft, active: typed.active, expectedVersion: typed.version, actor: req.actor, at: req.now, on: req.db)
        } catch ReportService.Refusal.staleVersion {
            var stale = FormErrors()
            stale.add("name", "reports.error.regime_stale")
            return try await form(req, typed: typed, errors: stale, status: .conflict)
        }
        req.flash(.success, req.t("reports.flash.regime_saved"))
        return req.redirect(to: ReportsRoute.regime(try regime.requireID()))
    }

    // MARK: One regime

    struct PeriodRow: Encodable, Sendable {
        let id: String
        let label: String
        let window: String
        let requested: Int
        let submitted: Int
        let accepted: Int
        let missing: Int
        let templateVersion: Int
    }

    struct ShowContext: Encodable, Sendable {
        let id: String
        let name: String
        let content: String
        let facts: [Fact]
        let warnings: [String]
        let periods: [PeriodRow]
        let canManage: Bool
        let periodic: Bool
        let error: String?
    }

    struct Fact: Encodable, Sendable {
        let label: String
        let value: String
    }

    func find(_ req: Request) async throws -> ReportRegime {
        guard let id = req.parameters.get("regimeID", as: UUID.self), let regime = try await ReportRegime.query(on: req.db).filter(\.$id == id).with(\.$receivingUnit).with(\.$rootUnit).first() else {
            throw AppError.notFound
        }
        guard try await req.scope().contains(regime.receivingUnit) else { throw AppError.notFound }
        return regime
    }

    func show(_ req: Request) async throws -> Response {
        try await showPage(req, error: nil)
    }

    func showPage(_ req: Request, error: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let user = try req.requireUser()
        guard user.role != .focal else { throw AppError.notFound }
        let regime = try await find(req)
        let regimeID = try regime.requireID()
        let periods = try await ReportPeriod.query(on: req.db).filter(\.$regime.$id == regimeID).with(\.$template).all().sorted { ($0.cutoffOn, $0.key) > ($1.cutoffOn, $1.key) }
        let ids = periods.compactMap(\.id)
        let requests = ids.isEmpty ? [] : try await ReportRequest.query(on: req.db).filter(\.$period.$id ~~ ids).all()
        let now = req.now
        var counts: [UUID: (Int, Int, Int, Int)] = [:]
        for request in requests {
            var c = counts[request.$period.id] ?? (0, 0, 0, 0)
            c.0 += 1
            if request.firstSubmittedAt != nil { c.1 += 1 }
            if request.status == .accepted { c.2 += 1 }
            if Timeliness.of(request, now: now) == .missing { c.3 += 1 }
            counts[request.$period.id] = c
        }
        var audience = regime.audience == .list ? req.t("reports.audience.count", String(regime.unitIDs.count)) : ""
        if regime.audience == .kindUnder {
            audience = req.t("reports.audience.under", regime.unitKind?.label ?? regime.unitLevel?.label ?? req.t("reports.any_kind"), regime.rootUnit?.name ?? "")
        }
        let deadlines = OrgUnit.Level.allCases.compactMap { level in regime.deadlines[level].map { req.t("reports.deadline.days", level.label, String($0)) } }.joined(separator: "; ")
        let context = ShowContext(
            id: regimeID.uuidString, name: regime.name, content: regime.content,
            facts: [
                Fact(label: req.t("reports.field.frequency"), value: regime.frequency.label),
                Fact(label: req.t("reports.field.window"), value: regime.window.label),
                Fact(label: req.t("reports.field.receiving"), value: regime.receivingUnit.name),
                Fact(label: req.t("reports.field.audience"), value: audience),
                Fact(label: req.t("reports.field.deadlines"), value: deadlines),
                Fact(label: req.t("reports.field.method"), value: regime.method),
            ],
            warnings: ReportCalendar.tightLevels(regime.frequency, window: regime.window, deadlines: regime.deadlines, now: now, calendar: try await req.workingCalendar()).map { req.t("reports.warning.tight", $0.label) },
            periods: periods.map { period in
                let c = counts[period.id ?? UUID()] ?? (0, 0, 0, 0)
                return PeriodRow(
                    id: period.id?.uuidString ?? "", label: period.label, window: "\(VNFormat.date(period.startsOn)) – \(VNFormat.date(period.cutoffOn))",
                    requested: c.0, submitted: c.1, accepted: c.2, missing: c.3, templateVersion: period.template.version
                )
            },
            canManage: [.admin, .specialist].contains(user.role), periodic: regime.frequency.isPeriodic, error: error
        )
        return try await req.render("reports/regime", title: regime.name, context, status: status)
    }

    func open(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard [.admin, .specialist].contains(user.role) else { throw AppError.forbidden }
        let regime = try await find(req)
        do {
            let opened = try await ReportService.openPeriods(regime, now: req.now, actor: req.actor, on: req.db)
            req.flash(.success, req.t("reports.flash.opened", String(opened.count)))
        } catch ReportService.Refusal.wrongState(let message) {
            return try await showPage(req, error: message, status: .conflict)
        }
        return req.redirect(to: ReportsRoute.regime(try regime.requireID()))
    }

    struct AdHocForm: Content {
        var start: String?
        var cutoff: String?
        var questions: String?
    }

    /// An ad hoc (or thematic) request with free dates and a short list of questions.
    func adHoc(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard [.admin, .specialist].contains(user.role) else { throw AppError.forbidden }
        let regime = try await find(req)
        let form = try req.content.decode(AdHocForm.self)
        guard let start = VNFormat.parseDate(form.start ?? ""), let cutoff = VNFormat.parseDate(form.cutoff ?? ""), start <= cutoff else {
            return try await showPage(req, error: req.t("reports.error.adhoc_dates"), status: .unprocessableEntity)
        }
        let regimeID = try regime.requireID()
        let slot = ReportPeriodSlot(year: VNFormat.calendar.component(.year, from: cutoff), index: 0, start: start, end: cutoff)
        let questions = (form.questions ?? "").split(separator: "\n").map { VietnameseText.clean(String($0)) }.filter { !$0.isEmpty }.prefix(20).joined(separator: "\n")
        do {
            try await ReportService.openPeriod(regime, slot: slot, adHoc: true, questions: questions, now: req.now, actor: req.actor, on: req.db)
        } catch ReportService.Refusal.wrongState(let message) {
            return try await showPage(req, error: message, status: .conflict)
        }
        req.flash(.success, req.t("reports.flash.opened", "1"))
        return req.redirect(to: ReportsRoute.regime(regimeID))
    }

    // MARK: Timeliness

    struct ComplianceContext: Encodable, Sendable {
        let regimeID: String
        let name: String
        let periods: [String]
        /// The table's rows as ready HTML (1,000 units × 12 periods is 12,000 cells).
        let rowsHTML: String
        let rowCount: Int
        let chart: String
        let totals: String
    }

    func compliance(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard user.role != .focal else { throw AppError.notFound }
        let regime = try await find(req)
        let count = min(24, max(1, (try? req.query.get(Int.self, at: "periods")) ?? 12))
        let table = try await ReportAnalysis.compliance(regimeID: try regime.requireID(), count: count, scope: try await req.scope(), now: req.now, units: try await req.unitsByID(), on: req.db)
        var rowsHTML = ""
        rowsHTML.reserveCapacity(table.rows.count * (table.periods.count * 140 + 200))
        for (index, row) in table.rows.enumerated() {
            rowsHTML += "<tr><td>\(index + 1)</td><td>\(row.unit.name.htmlEscaped)</td>"
            for period in table.periods {
                guard let cell = period.id.flatMap({ row.cells[$0] }) else { rowsHTML += #"<td class="cell-none"></td>"#; continue }
                let code = cell.timeliness.code
                rowsHTML += #"<td class="cell-\#(code)"><a href="\#(ReportsRoute.request(cell.requestID).path)" class="status status-time-\#(code)">\#(cell.timeliness.label.htmlEscaped)</a></td>"#
            }
            rowsHTML += #"<td>\#(row.onTime)</td><td>\#(row.late)</td><td>\#(row.missing)</td><td class="nowrap">\#(row.onTimeRate.map { VNFormat.percent($0) } ?? "—")</td></tr>"#
        }
        let points = table.periods.map { period in (label: period.shortLabel(regime.frequency), value: period.id.flatMap { table.periodRates[$0] }) }
        let counted = table.rows.reduce(0) { $0 + $1.counted }, onTime = table.rows.reduce(0) { $0 + $1.onTime }
        let context = ComplianceContext(
            regimeID: regime.id?.uuidString ?? "", name: regime.name, periods: table.periods.map(\.label), rowsHTML: rowsHTML, rowCount: table.rows.count,
            chart: SVGCharts.rateLine(points, title: req.t("reports.chart.on_time")),
            totals: req.t("reports.compliance.totals", VNFormat.integer(onTime), VNFormat.integer(counted), counted > 0 ? VNFormat.percent(Double(onTime) / Double(counted)) : "—")
        )
        return try await req.render("reports/compliance", title: req.t("reports.compliance.title", regime.name), context)
    }
}
