import DanVanCore
import DanVanText
import Foundation

/// Word and Excel files of a consolidated report or of one submission, in the administrative
/// layout of the issuing unit's family (Party or State).
public enum ReportExport {
    /// The place of the date line: the province at the top of `unit`'s tree.
    public static func place(of unit: OrgUnit, units: [UUID: OrgUnit]) -> String {
        AdministrativeLayout.place(of: unit, units: units)
    }

    /// Indicator table rows (header first): No | indicator | unit | this period | year to date | same period last year.
    public static func indicatorRows(_ consolidation: ReportAnalysis.Consolidation) -> [[String]] {
        var rows = [[
            L10n.text("reports.col.no"), L10n.text("reports.col.indicator"), L10n.text("reports.col.measure"),
            L10n.text("reports.col.current"), L10n.text("reports.col.ytd"), L10n.text("reports.col.last_year"),
        ]]
        for (index, line) in consolidation.lines.enumerated() {
            let kind = line.indicator.combinedKind
            rows.append([
                String(index + 1), line.indicator.name, line.indicator.kind == .percentage ? "" : line.indicator.measure,
                line.current.map { ReportDefinition.format($0, kind: kind) } ?? "—",
                line.yearToDate.map { ReportDefinition.format($0, kind: kind) } ?? "—",
                line.lastYear.map { ReportDefinition.format($0, kind: kind) } ?? "—",
            ])
        }
        return rows
    }

    /// The body of a report: each section under a Roman numeral with its paragraphs, then the
    /// indicator table under the next numeral.
    static func body(_ definition: ReportDefinition, table: AdministrativeDocument.Block?, paragraphs: (ReportDefinition.Section) -> [String]) -> [AdministrativeDocument.Block] {
        var blocks: [AdministrativeDocument.Block] = []
        for (index, section) in definition.sections.enumerated() {
            blocks.append(.heading("\(AdministrativeLayout.roman(index + 1)). \(section.title.uppercased())"))
            blocks += paragraphs(section).map { .paragraph($0) }
        }
        if let table {
            blocks.append(.heading("\(AdministrativeLayout.roman(definition.sections.count + 1)). \(L10n.text("reports.export.indicators").uppercased())"))
            blocks.append(table)
        }
        return blocks
    }

    /// The consolidated report as a Word document.
    public static func docx(_ consolidation: ReportAnalysis.Consolidation, regime: ReportRegime, issuer: OrgUnit, parent: OrgUnit?, place: String, date: Date) throws -> Data {
        var blocks: [AdministrativeDocument.Block] = []
        blocks.append(.paragraph(L10n.format("reports.export.coverage", [String(consolidation.accepted), String(consolidation.requested), AdministrativeDocument.lowercasedFirst(consolidation.period.label)])))
        let rows = indicatorRows(consolidation)
        blocks += body(consolidation.definition, table: consolidation.lines.isEmpty ? nil : .table(header: rows[0], rows: Array(rows.dropFirst()), widths: [3, 14, 4, 4, 4, 5])) { section in
            let texts = consolidation.texts[section.key] ?? []
            return texts.isEmpty ? [L10n.text("reports.export.no_text")] : texts.map { "\($0.unit): \($0.text)" }
        }
        let document = AdministrativeLayout.report(
            issuer: issuer, parent: parent, place: place, kind: L10n.text("reports.export.kind"),
            title: AdministrativeDocument.subject(regimeName: regime.name, period: consolidation.period.label)
                + (consolidation.root.id == issuer.id || consolidation.root.id == regime.$rootUnit.id ? "" : " — " + consolidation.root.name),
            date: date, blocks: blocks,
            recipients: [parent?.name, L10n.text("reports.export.archive")].compactMap { $0 }
        )
        return try DOCX.write(document)
    }

    /// The consolidated indicators, with one column per part, as a workbook.
    public static func xlsx(_ consolidation: ReportAnalysis.Consolidation) throws -> Data {
        var rows = indicatorRows(consolidation)
        rows[0] += consolidation.parts.map(\.unit.name)
        for (index, line) in consolidation.lines.enumerated() {
            rows[index + 1] += consolidation.parts.map { part in
                part.values[line.indicator.key].map { ReportDefinition.input($0, kind: line.indicator.combinedKind).replacingOccurrences(of: ",", with: ".") } ?? ""
            }
        }
        return try XLSX.write(sheetName: consolidation.period.label, rows: rows, widths: [5, 50, 12, 12, 12, 14] + consolidation.parts.map { _ in 16 })
    }

    /// One unit's submission as a Word document.
    public static func docx(request: ReportRequest, parent: OrgUnit?, place: String, date: Date) throws -> Data {
        let definition = try request.period.template.definition
        let texts = request.texts, values = request.values
        let rows = definition.indicators.enumerated().map { index, indicator in
            [String(index + 1), indicator.name, indicator.measure, values[indicator.key].map { ReportDefinition.format($0, kind: indicator.kind) } ?? "—"]
        }
        let table: AdministrativeDocument.Block? = rows.isEmpty ? nil : .table(
            header: [L10n.text("reports.col.no"), L10n.text("reports.col.indicator"), L10n.text("reports.col.measure"), L10n.text("reports.col.value")], rows: rows, widths: [3, 16, 4, 5]
        )
        let blocks = body(definition, table: table) { [texts[$0.key] ?? L10n.text("reports.export.no_text")] }
        let document = AdministrativeLayout.report(
            issuer: request.unit, parent: parent, place: place, kind: request.period.template.documentKind,
            title: AdministrativeDocument.subject(regimeName: request.period.regime.name, period: request.period.label), date: date, blocks: blocks,
            recipients: [request.period.regime.$receivingUnit.value?.name, L10n.text("reports.export.archive")].compactMap { $0 }
        )
        return try DOCX.write(document)
    }
}
