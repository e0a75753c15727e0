import DanVanCore
import DanVanText
import Foundation

/// The module's documents: the recognition decision with its list (Word, the issuer's
/// administrative layout), the appraisal results (Excel).
public enum EmulationDocuments {
    /// "Quyết định công nhận mô hình, điển hình Dân vận khéo năm 2026": the articles and the list.
    public static func decision(issuer: OrgUnit, parent: OrgUnit?, place: String, level: String, year: Int, recognitions: [Recognition], models: [UUID: DVKModel], units: [UUID: OrgUnit], date: Date) -> AdministrativeDocument {
        var blocks: [AdministrativeDocument.Block] = []
        blocks.append(.paragraph(L10n.format("emulation.decision.basis", [String(year)])))
        blocks.append(.heading(L10n.text("emulation.decision.decides")))
        blocks.append(.paragraph(L10n.format("emulation.decision.article1", [VNFormat.integer(recognitions.count), L10n.text("emulation.level.\(level)").lowercased(), String(year)])))
        blocks.append(.paragraph(L10n.text("emulation.decision.article2")))
        blocks.append(.paragraph(L10n.text("emulation.decision.article3")))
        blocks.append(.heading(L10n.format("emulation.decision.list", [String(year)])))
        let rows = recognitions.enumerated().map { index, recognition -> [String] in
            let model = models[recognition.$model.id]
            return [String(index + 1), model?.name ?? "", model.map { $0.kind.label } ?? "", recognition.field.label, units[recognition.unitID]?.name ?? "",
                    recognition.result.map { VNFormat.decimal($0, places: 1) } ?? ""]
        }
        blocks.append(.table(header: [L10n.text("emulation.col.no"), L10n.text("emulation.col.name"), L10n.text("emulation.col.kind"), L10n.text("emulation.col.field"), L10n.text("emulation.col.unit"), L10n.text("emulation.col.result")],
                             rows: rows, widths: [3, 16, 6, 7, 10, 4]))
        return AdministrativeLayout.document(
            issuer: issuer, parent: parent, place: place, kindCode: L10n.text("emulation.decision.code"), kind: L10n.text("emulation.decision.kind"),
            title: L10n.format("emulation.decision.title", [String(year)]), date: date, blocks: blocks,
            recipients: [L10n.text("emulation.decision.recipient_units"), parent?.name, L10n.text("emulation.decision.archive")].compactMap { $0 }
        )
    }

    /// The appraisal results of a year as rows: one line per appraisal with each criterion's
    /// average, the result and the class.
    public static func resultRows(_ states: [(AppraisalState, subject: String, unit: String)]) -> [[String]] {
        var rows: [[String]] = [[L10n.text("emulation.col.no"), L10n.text("emulation.col.subject"), L10n.text("emulation.col.unit"), L10n.text("emulation.col.council"),
                                 L10n.text("emulation.col.scored"), L10n.text("emulation.col.spread"), L10n.text("emulation.col.result"), L10n.text("emulation.col.class"), L10n.text("emulation.col.status")]]
        for (index, entry) in states.enumerated() {
            let state = entry.0
            let totals = state.scores.map(\.total)
            rows.append([
                String(index + 1), entry.subject, entry.unit, state.council.name,
                "\(state.progress.scored)/\(state.progress.eligible)", VNFormat.decimal(AssessmentEngine.spread(totals), places: 1),
                state.appraisal.result.map { VNFormat.decimal($0, places: 2) } ?? "", AssessmentService.classLabel(state.appraisal.classKey, in: state.set) == "—" ? "" : AssessmentService.classLabel(state.appraisal.classKey, in: state.set),
                state.appraisal.status.label + (state.appraisal.flagged ? " (" + L10n.text("emulation.flagged") + ")" : ""),
            ])
        }
        return rows
    }
}
