import DanVanCore
import DanVanText
import Foundation

/// Word and Excel files of a consolidated report or of one submission, in the administrative
/// layout of the issuing unit's family (Party or State).
public enum ReportExport {
    /// Party bodies write in the Party layout (HD 36-HD/VPTW); the others in the State one (NĐ 30/2020).
    static func family(of unit: OrgUnit) -> AdministrativeDocument.Family {
        [.partyCommittee, .partyBoard, .partyDelegation].contains(unit.kind) ? .party : .state
    }

    /// The header blocks for `issuer` (its parent is the superior body).
    static func document(issuer: OrgUnit, parent: OrgUnit?, place: String, kind: String, title: String, date: Date, blocks: [AdministrativeDocument.Block], recipients: [String]) -> AdministrativeDocument {
        let family = family(of: issuer)
        let code = issuer.shortName ?? issuer.code
        let symbol = family == .party ? "    -BC/\(code)" : "    /BC-\(code)"
        return AdministrativeDocument(
            family: family, superior: parent?.name, issuer: issuer.name, symbol: symbol, place: place, date: date,
            kind: kind, title: title, blocks: blocks, recipients: recipients, signature: signature(of: issuer)
        )
    }

    /// Who signs for the unit (LEGAL.md §3): a collective body signs "T/M" (Party) or "TM."
    /// (State) and its head's title; an advisory board or a department, its head directly.
    static func signature(of unit: OrgUnit) -> AdministrativeDocument.Signature {
        switch unit.kind {
        case .partyCommittee: return .init(authority: L10n.text("reports.sign.standing_party"), title: L10n.text("reports.sign.secretary"), name: "")
        case .partyDelegation: return .init(authority: "T/M " + unit.name, title: L10n.text("reports.sign.secretary"), name: "")
        case .partyBoard: return .init(authority: "", title: L10n.text("reports.export.head_board"), name: "")
        case .government, .peoplesCouncil: return .init(authority: "TM. " + unit.name, title: L10n.text("reports.sign.chair"), name: "")
        case .fatherlandFront, .socioPolitical: return .init(authority: L10n.text("reports.sign.standing_front"), title: L10n.text("reports.sign.chair"), name: "")
        case .department: return .init(authority: "", title: L10n.text("reports.sign.director"), name: "")
        default: return .init(authority: "", title: L10n.text("reports.export.head"), name: "")
        }
    }

    /// The place of the date line: the province at the top of `unit`'s tree.
    public static func place(of unit: OrgUnit, units: [UUID: OrgUnit]) -> String {
        AdministrativeDocument.place(fromProvince: unit.ancestorIDs.first.flatMap { units[$0] }?.name ?? unit.name)
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

    /// The consolidated report as a Word document.
    public static func docx(_ consolidation: ReportAnalysis.Consolidation, regime: ReportRegime, issuer: OrgUnit, parent: OrgUnit?, place: String, date: Date) throws -> Data {
        var blocks: [AdministrativeDocument.Block] = []
        blocks.append(.paragraph(L10n.format("reports.export.coverage", [String(consolidation.accepted), String(consolidation.requested), AdministrativeDocument.lowercasedFirst(consolidation.period.label)])))
        let numerals = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
        var number = 0
        for section in consolidation.definition.sections {
            blocks.append(.heading("\(numerals[min(number, numerals.count - 1)]). \(section.title.uppercased())"))
            number += 1
            let texts = consolidation.texts[section.key] ?? []
            if texts.isEmpty { blocks.append(.paragraph(L10n.text("reports.export.no_text"))) }
            for (unit, text) in texts { blocks.append(.paragraph("\(unit): \(text)")) }
        }
        if !consolidation.lines.isEmpty {
            blocks.append(.heading("\(numerals[min(number, numerals.count - 1)]). \(L10n.text("reports.export.indicators").uppercased())"))
            let rows = indicatorRows(consolidation)
            blocks.append(.table(header: rows[0], rows: Array(rows.dropFirst()), widths: [3, 14, 4, 4, 4, 5]))
        }
        let document = document(
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
        var blocks: [AdministrativeDocument.Block] = []
        let numerals = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
        var number = 0
        let texts = request.texts
        for section in definition.sections {
            blocks.append(.heading("\(numerals[min(number, numerals.count - 1)]). \(section.title.uppercased())"))
            number += 1
            blocks.append(.paragraph(texts[section.key] ?? L10n.text("reports.export.no_text")))
        }
        if !definition.indicators.isEmpty {
            blocks.append(.heading("\(numerals[min(number, numerals.count - 1)]). \(L10n.text("reports.export.indicators").uppercased())"))
            let values = request.values
            let rows = definition.indicators.enumerated().map { index, indicator in
                [String(index + 1), indicator.name, indicator.measure, values[indicator.key].map { ReportDefinition.format($0, kind: indicator.kind) } ?? "—"]
            }
            blocks.append(.table(header: [L10n.text("reports.col.no"), L10n.text("reports.col.indicator"), L10n.text("reports.col.measure"), L10n.text("reports.col.value")], rows: rows, widths: [3, 16, 4, 5]))
        }
        let document = document(
            issuer: request.unit, parent: parent, place: place, kind: request.period.template.documentKind,
            title: AdministrativeDocument.subject(regimeName: request.period.regime.name, period: request.period.label), date: date, blocks: blocks,
            recipients: [request.period.regime.$receivingUnit.value?.name, L10n.text("reports.export.archive")].compactMap { $0 }
        )
        return try DOCX.write(document)
    }
}
