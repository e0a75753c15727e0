import DanVanCore
import DanVanText
import Fluent
import Foundation
import Vapor

/// The live consolidated report of a unit's subtree for one period, its Word and Excel files,
/// an indicator's trend, and the draft of the briefing's conclusions notice.
struct ConsolidationController {
    struct LineView: Encodable, Sendable {
        let key: String
        let name: String
        let measure: String
        let combine: String
        let current: String
        let yearToDate: String
        let lastYear: String
    }

    struct Context: Encodable, Sendable {
        let periodID: String
        let regimeID: String
        let regime: String
        let period: String
        let root: String
        let rootID: String
        let parentID: String?
        let coverage: String
        let lines: [LineView]
        let columns: [String]
        /// The parts table's rows as ready HTML: at province scale 1,000 units × 40 indicators,
        /// which Leaf would take most of a second to render cell by cell.
        let partsHTML: String
        let partCount: Int
        /// The section texts by unit, as ready HTML (thousands of paragraphs).
        let textsHTML: String
        let lastYearLabel: String
        let indicators: [SelectOption]
        let chart: String
        /// The chosen indicator by unit for this period, as bars.
        let byUnitChart: String
        let isQuarter: Bool
        let noticeDraft: String
        let canDraftNotice: Bool
        /// The receiving unit's own open reports to the level above, which this consolidation can fill.
        let ownRequests: [OwnRequest]
    }

    struct OwnRequest: Encodable, Sendable {
        let id: String
        let label: String
        let version: Int
    }

    /// The period (with regime and template) and the unit to consolidate (default: the receiving unit).
    func load(_ req: Request) async throws -> (ReportPeriod, OrgUnit, AccessScope) {
        let user = try req.requireUser()
        guard user.role != .focal else { throw AppError.notFound }
        guard let id = req.parameters.get("periodID", as: UUID.self),
              let period = try await ReportPeriod.query(on: req.db).filter(\.$id == id).with(\.$regime, { $0.with(\.$receivingUnit) }).with(\.$template).first()
        else { throw AppError.notFound }
        let scope = try await req.scope()
        guard scope.contains(period.regime.receivingUnit) else { throw AppError.notFound }
        if let unitID = try? req.query.get(UUID.self, at: "unit") { return (period, try await req.unitInScope(unitID), scope) }
        return (period, try await ReportAnalysis.defaultRoot(of: period.regime, units: try await req.unitsByID(), on: req.db), scope)
    }

    func show(_ req: Request) async throws -> Response {
        let (period, root, scope) = try await load(req)
        let units = try await req.unitsByID()
        let definition = try period.template.definition
        let chosen = (try? req.query.get(String.self, at: "indicator")).flatMap(definition.indicator) ?? definition.indicators.first
        let consolidation = try await ReportAnalysis.consolidate(period: period, root: root, units: units, trend: chosen?.key, on: req.db)
        func text(_ value: Double?, _ indicator: ReportDefinition.Indicator) -> String {
            value.map { ReportDefinition.format($0, kind: indicator.combinedKind) } ?? "—"
        }
        var chart = "", byUnitChart = ""
        if let chosen {
            chart = SVGCharts.line(consolidation.trend, title: chosen.name, maximum: chosen.kind == .percentage ? 100 : nil) { text($0, chosen) }
            let points = consolidation.parts.compactMap { part in part.values[chosen.key].map { (label: part.unit.name, value: $0) } }
            if points.count > 1 { byUnitChart = SVGCharts.bars(points, title: chosen.name) { text($0, chosen) } }
        }
        let context = Context(
            periodID: period.id?.uuidString ?? "", regimeID: period.$regime.id.uuidString, regime: period.regime.name, period: period.label,
            root: root.name, rootID: root.id?.uuidString ?? "",
            parentID: root.$parent.id.flatMap { units[$0] }.flatMap { scope.contains($0) ? $0.id?.uuidString : nil },
            coverage: req.t("reports.consolidation.coverage", String(consolidation.accepted), String(consolidation.requested)),
            lines: consolidation.lines.map { line in
                LineView(
                    key: line.indicator.key, name: line.indicator.name, measure: line.indicator.measure, combine: line.indicator.combine.label,
                    current: text(line.current, line.indicator), yearToDate: text(line.yearToDate, line.indicator), lastYear: text(line.lastYear, line.indicator)
                )
            },
            columns: definition.indicators.map(\.name),
            partsHTML: Self.partsHTML(consolidation, periodID: period.id, format: text),
            partCount: consolidation.parts.count,
            textsHTML: Self.textsHTML(consolidation),
            lastYearLabel: consolidation.lastYearLabel ?? req.t("reports.col.last_year"),
            indicators: definition.indicators.map { SelectOption(value: $0.key, label: $0.name, selected: $0.key == chosen?.key) },
            chart: chart, byUnitChart: byUnitChart, isQuarter: period.regime.frequency == .quarter,
            noticeDraft: period.regime.frequency == .quarter ? Self.noticeDraft(consolidation, issuer: period.regime.receivingUnit, place: ReportExport.place(of: period.regime.receivingUnit, units: units), now: req.now) : "",
            canDraftNotice: try req.requireUser().role != .focal,
            ownRequests: try await ReportService.ownRequests(of: period.regime.$receivingUnit.id, near: period, on: req.db).map {
                OwnRequest(id: $0.id?.uuidString ?? "", label: "\($0.unit.name): \($0.period.regime.name) — \($0.period.label)", version: $0.version)
            }
        )
        return try await req.render("reports/consolidation", title: req.t("reports.consolidation.title", period.label), context)
    }

    /// `<tr>`s of the parts table: a link to drill down, the coverage, one cell per indicator,
    /// and what the missing reports would add (by the previous period).
    static func partsHTML(_ consolidation: ReportAnalysis.Consolidation, periodID: UUID?, format: (Double?, ReportDefinition.Indicator) -> String) -> String {
        let indicators = consolidation.definition.indicators
        var html = ""
        html.reserveCapacity(consolidation.parts.count * (indicators.count * 30 + 200))
        for part in consolidation.parts {
            let complete = part.accepted == part.requested
            html += complete ? "<tr>" : #"<tr class="lagging">"#
            let link = ReportsRoute.consolidation(periodID).path(query: [("unit", part.unit.id?.uuidString)])
            html += #"<td><a href="\#(link.htmlEscaped)">\#(part.unit.name.htmlEscaped)</a>"#
            if !part.missingEstimate.isEmpty {
                let lacking = indicators.compactMap { indicator in part.missingEstimate[indicator.key].map { "\(indicator.name): ~\(format($0, indicator))" } }.prefix(3).joined(separator: "; ")
                html += #"<br><span class="muted small">\#(L10n.format("reports.lacking", [lacking]).htmlEscaped)</span>"#
            }
            html += #"</td><td class="nowrap">\#(part.accepted)/\#(part.requested)</td>"#
            for indicator in indicators { html += #"<td class="nowrap">\#(format(part.values[indicator.key], indicator).htmlEscaped)</td>"# }
            html += "</tr>"
        }
        return html
    }

    /// One card per section with each accepted unit's text.
    static func textsHTML(_ consolidation: ReportAnalysis.Consolidation) -> String {
        var html = ""
        for section in consolidation.definition.sections {
            guard let entries = consolidation.texts[section.key], !entries.isEmpty else { continue }
            html += #"<section class="card"><h2>\#(section.title.htmlEscaped)</h2>"#
            for entry in entries { html += "<p><strong>\(entry.unit.htmlEscaped)</strong> — \(entry.text.htmlEscaped)</p>" }
            html += "</section>"
        }
        return html
    }

    func docx(_ req: Request) async throws -> Response {
        let (period, root, _) = try await load(req)
        let units = try await req.unitsByID()
        let consolidation = try await ReportAnalysis.consolidate(period: period, root: root, units: units, on: req.db)
        let issuer = period.regime.receivingUnit
        let data = try ReportExport.docx(
            consolidation, regime: period.regime, issuer: issuer, parent: issuer.$parent.id.flatMap { units[$0] }, place: ReportExport.place(of: issuer, units: units), date: req.now
        )
        return req.wordDocument(data, baseName: "tong-hop-\(period.key)-\(root.code)")
    }

    func xlsx(_ req: Request) async throws -> Response {
        let (period, root, _) = try await load(req)
        let consolidation = try await ReportAnalysis.consolidate(period: period, root: root, units: try await req.unitsByID(), on: req.db)
        var headers = HTTPHeaders()
        headers.contentDisposition = .init(.attachment, filename: "chi-tieu-\(period.key)-\(root.code).xlsx")
        headers.contentType = HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        return Response(status: .ok, headers: headers, body: .init(data: try ReportExport.xlsx(consolidation)))
    }

    struct DraftForm: Content {
        var request: UUID?
        var version: String?
    }

    /// Fills the receiving unit's own report (to the level above) from this consolidation, as a
    /// draft, and opens it for editing.
    func draftOwn(_ req: Request) async throws -> Response {
        let (period, root, scope) = try await load(req)
        let form = try req.content.decode(DraftForm.self)
        let request = try await ReportService.find(form.request, scope: scope, on: req.db)
        guard scope.contains(request.unit), request.$unit.id == period.regime.$receivingUnit.id else { throw AppError.forbidden }
        let consolidation = try await ReportAnalysis.consolidate(period: period, root: root, units: try await req.unitsByID(), on: req.db)
        do {
            try await ReportService.draft(request, from: consolidation, expectedVersion: Int(form.version ?? "") ?? -1, actor: req.actor, at: req.now, on: req.db)
        } catch ReportService.Refusal.staleVersion {
            throw AppError.conflict("reports.error.stale_review")
        } catch ReportService.Refusal.wrongState(let message) {
            throw AppError.rejected(.conflict, message)
        }
        req.flash(.success, req.t("reports.flash.own_draft"))
        return req.redirect(to: ReportsRoute.request(try request.requireID()))
    }

    /// The conclusions notice of the quarterly briefing (Thông báo kết luận), drafted from the
    /// consolidated report in the layout the directive reader knows, for the specialist to
    /// edit; its assignments become next quarter's tasks through the document registration.
    /// The receiving unit (`issuer`) holds the briefing and issues the notice; the units whose
    /// reports it consolidated follow the situation, the issuer keeps the reporting on time.
    static func noticeDraft(_ consolidation: ReportAnalysis.Consolidation, issuer: OrgUnit, place: String, now: Date) -> String {
        let root = consolidation.root
        let period = AdministrativeDocument.lowercasedFirst(consolidation.period.label)
        let next = ReportCalendar.slot(.quarter, window: .calendar, year: consolidation.period.index == 4 ? consolidation.period.year + 1 : consolidation.period.year, index: consolidation.period.index % 4 + 1)
        var lines: [String] = []
        lines.append(issuer.name.uppercased())
        lines.append(L10n.format("reports.notice.number", [issuer.shortName ?? issuer.code]))
        lines.append(AdministrativeDocument.dateLine(place: place, date: now))
        lines.append("")
        lines.append(L10n.text("reports.notice.kind"))
        lines.append(L10n.format("reports.notice.title", [period]))
        lines.append("")
        lines.append(L10n.format("reports.notice.intro", [period, String(consolidation.accepted), String(consolidation.requested)]))
        lines.append(L10n.text("reports.notice.results"))
        for line in consolidation.lines.prefix(12) {
            guard let value = line.current else { continue }
            lines.append("- \(line.indicator.name): \(ReportDefinition.format(value, kind: line.indicator.combinedKind)) \(line.indicator.measure)".trimmingCharacters(in: .whitespaces))
        }
        lines.append(L10n.text("reports.notice.tasks"))
        let due = next.map { VNFormat.date($0.end) } ?? ""
        lines.append(L10n.format("reports.notice.task1", [root.name, due]))
        lines.append(L10n.format("reports.notice.task2", [issuer.name, due]))
        return lines.joined(separator: "\n")
    }
}
