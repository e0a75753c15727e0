import DanVanCore
import DanVanText
import Fluent
import Foundation

/// The summary of the citizens' work over a period as a Word document in the issuing unit's
/// administrative layout: what was received, how it was resolved, reception days and
/// dialogues with their commitments, the hot spots.
public enum CitizenSummary {
    /// The document's blocks and title, from the statistics and the period's meetings and hot spots.
    public static func document(
        issuer: OrgUnit, parent: OrgUnit?, place: String, from: Date, through: Date, stats: PetitionStatistics, units: [UUID: OrgUnit],
        meetings: [CitizenMeeting], commitmentStates: [MeetingService.CommitmentState], hotSpots: [HotSpot], date: Date
    ) -> AdministrativeDocument {
        let total = stats.total
        func count(_ lines: [PetitionStatistics.Line], _ key: String) -> Int { lines.first { $0.key == key }?.received ?? 0 }
        var blocks: [AdministrativeDocument.Block] = []
        blocks.append(.heading("I. " + L10n.text("citizens.summary.received").uppercased()))
        blocks.append(.paragraph(L10n.format("citizens.summary.received_text", [
            VNFormat.integer(total.received), VNFormat.integer(count(stats.byKind, "complaint")), VNFormat.integer(count(stats.byKind, "denunciation")),
            VNFormat.integer(count(stats.byKind, "petition")), VNFormat.integer(count(stats.byKind, "feedback")), VNFormat.integer(stats.mass),
        ])))
        let fieldRows = stats.byField.filter { $0.received > 0 }.enumerated().map { index, line in
            [String(index + 1), PetitionField(rawValue: line.key)?.label ?? line.key, VNFormat.integer(line.received), VNFormat.integer(line.resolved), VNFormat.integer(line.overdue)]
        }
        if !fieldRows.isEmpty {
            blocks.append(.table(header: [L10n.text("citizens.col.no"), L10n.text("citizens.col.field"), L10n.text("citizens.stats.received"), L10n.text("citizens.summary.resolved"), L10n.text("citizens.stats.overdue")],
                                 rows: fieldRows, widths: [3, 14, 5, 5, 5]))
        }
        blocks.append(.heading("II. " + L10n.text("citizens.summary.resolution").uppercased()))
        blocks.append(.paragraph(L10n.format("citizens.summary.resolution_text", [
            VNFormat.integer(total.accepted), VNFormat.integer(total.resolved), VNFormat.integer(total.resolvedOnTime),
            total.onTimeRate.map { VNFormat.percent($0) } ?? L10n.text("citizens.summary.no_rate"), VNFormat.integer(total.resolvedLate), VNFormat.integer(total.overdue),
        ])))
        let unitRows = stats.byUnit.prefix(15).enumerated().map { index, line in
            [String(index + 1), UUID(uuidString: line.key).flatMap { units[$0]?.name } ?? "", VNFormat.integer(line.received), VNFormat.integer(line.resolvedOnTime), VNFormat.integer(line.overdue)]
        }
        if !unitRows.isEmpty {
            blocks.append(.table(header: [L10n.text("citizens.col.no"), L10n.text("citizens.col.unit"), L10n.text("citizens.stats.received"), L10n.text("citizens.stats.on_time"), L10n.text("citizens.stats.overdue")],
                                 rows: unitRows, widths: [3, 14, 5, 5, 5]))
        }
        blocks.append(.heading("III. " + L10n.text("citizens.meetings.title").uppercased()))
        let receptions = meetings.filter { $0.kind == .reception && $0.status == .held }.count
        let dialogues = meetings.filter { $0.kind == .dialogue && $0.status == .held }.count
        let kept = commitmentStates.filter { $0 == .kept || $0 == .keptLate }.count
        blocks.append(.paragraph(L10n.format("citizens.summary.meetings_text", [
            String(receptions), String(dialogues), String(commitmentStates.count), String(kept), String(commitmentStates.filter { $0 == .late }.count),
        ])))
        blocks.append(.heading("IV. " + L10n.text("citizens.hotspots.title").uppercased()))
        if hotSpots.isEmpty {
            blocks.append(.paragraph(L10n.text("citizens.summary.no_hotspots")))
        } else {
            for spot in hotSpots {
                blocks.append(.paragraph("- \(spot.title) (\(units[spot.$commune.id]?.name ?? ""); \(spot.status.label), \(L10n.text("citizens.hotspot.severity").lowercased()) \(spot.severityLabel.lowercased()))."))
            }
        }
        blocks.append(.heading("V. " + L10n.text("citizens.summary.proposals").uppercased()))
        blocks.append(.paragraph("…"))
        return AdministrativeLayout.report(
            issuer: issuer, parent: parent, place: place, kind: L10n.text("citizens.summary.kind"),
            title: L10n.format("citizens.summary.title", [VNFormat.date(from), VNFormat.date(through)]), date: date, blocks: blocks,
            recipients: [parent?.name, L10n.text("citizens.summary.archive")].compactMap { $0 }
        )
    }
}
