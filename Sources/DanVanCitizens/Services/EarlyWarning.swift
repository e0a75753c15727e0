import DanVanCore
import DanVanText
import Fluent
import Foundation
import SQLKit

/// The early-warning rules; their thresholds are data (`citizen_warning_rules`).
public enum WarningRule: String, Codable, Sendable, CaseIterable {
    /// N or more submissions of one field in one commune within D days.
    case fieldCluster
    /// A mass submission of more than M people.
    case massPetition
    /// N or more filings from one sender within D days.
    case repeatedFilings
    /// An open submission on land or site clearance past its due date.
    case overdueLand
    /// Households refusing a project's site clearance in a commune rose by N or more within D days.
    case clearanceRefusals

    public var label: String { L10n.text("citizens.rule.\(rawValue)") }
    var defaultThreshold: Int {
        switch self {
        case .fieldCluster: 3
        case .massPetition: 10
        case .repeatedFilings: 3
        case .overdueLand: 1
        case .clearanceRefusals: 3
        }
    }
    var defaultDays: Int {
        switch self {
        case .fieldCluster: 30
        case .massPetition: 0
        case .repeatedFilings: 365
        case .overdueLand: 0
        case .clearanceRefusals: 30
        }
    }
    /// Whether the rule reads `days`.
    public var usesDays: Bool { defaultDays > 0 }
}

/// Raising possible hot spots from the submissions, each with its evidence, for the board to
/// confirm or dismiss.
public enum EarlyWarning {
    /// The rules' settings by rule.
    public static func settings(on db: any Database) async throws -> [WarningRule: WarningRuleSetting] {
        var result: [WarningRule: WarningRuleSetting] = [:]
        for row in try await WarningRuleSetting.query(on: db).all() {
            if let rule = WarningRule(rawValue: row.key) { result[rule] = row }
        }
        return result
    }

    /// Checks the rules a new submission can trip; returns the warnings raised or renewed.
    @discardableResult
    public static func evaluate(after petition: Petition, at: Date, on db: any Database) async throws -> [HotSpotWarning] {
        let settings = try await settings(on: db)
        var raised: [HotSpotWarning] = []
        let communeID = petition.$commune.id
        let communeName = try await OrgUnit.find(communeID, on: db)?.name ?? ""
        if let rule = settings[.fieldCluster], rule.enabled {
            let since = petition.receivedOn.addingTimeInterval(-Double(rule.days - 1) * 86_400)
            let rows = try await Petition.query(on: db).filter(\.$commune.$id == communeID).filter(\.$field == petition.field)
                .filter(\.$receivedOn >= since).filter(\.$status != .refused).sort(\.$receivedOn).field(\.$id).field(\.$receivedOn).all()
            if rows.count >= rule.threshold {
                let reason = L10n.format("citizens.warning.reason.fieldCluster", [String(rows.count), petition.field.label, communeName, String(rule.days),
                                                                                  VNFormat.date(rows.first?.receivedOn), VNFormat.date(rows.last?.receivedOn)])
                if let warning = try await raise(.fieldCluster, communeID: communeID, field: petition.field, score: rows.count, reason: reason, evidence: rows.compactMap(\.id), at: at, on: db) {
                    raised.append(warning)
                }
            }
        }
        if let rule = settings[.massPetition], rule.enabled, petition.senderCount > rule.threshold {
            let reason = L10n.format("citizens.warning.reason.massPetition", [petition.reference, String(petition.senderCount), communeName, String(rule.threshold)])
            if let warning = try await raise(.massPetition, communeID: communeID, field: petition.field, score: petition.senderCount, reason: reason, evidence: [try petition.requireID()], at: at, on: db) {
                raised.append(warning)
            }
        }
        if let rule = settings[.repeatedFilings], rule.enabled, !petition.senderKey.isEmpty {
            let since = petition.receivedOn.addingTimeInterval(-Double(rule.days) * 86_400)
            let rows = try await Petition.query(on: db).filter(\.$senderKey == petition.senderKey).filter(\.$receivedOn >= since).sort(\.$receivedOn).field(\.$id).all()
            if rows.count >= rule.threshold {
                let reason = L10n.format("citizens.warning.reason.repeatedFilings", [String(rows.count), String(rule.days), communeName, petition.reference])
                if let warning = try await raise(.repeatedFilings, communeID: communeID, field: petition.field, score: rows.count, reason: reason, evidence: rows.compactMap(\.id), at: at, on: db) {
                    raised.append(warning)
                }
            }
        }
        return raised
    }

    /// The daily check: open land and site-clearance submissions past their due date, by commune.
    @discardableResult
    public static func checkOverdue(now: Date, on db: any Database) async throws -> [HotSpotWarning] {
        let settings = try await settings(on: db)
        guard let rule = settings[.overdueLand], rule.enabled else { return [] }
        let today = CivilDay.startOfDay(now)
        let open = try await Petition.query(on: db).filter(\.$field ~~ [.land, .compensation]).filter(\.$status ~~ [.received, .accepted]).all()
        var byPlace: [String: [Petition]] = [:]
        for petition in open where petition.isOverdue(today: today) {
            byPlace["\(petition.$commune.id.uuidString)|\(petition.field.rawValue)", default: []].append(petition)
        }
        var raised: [HotSpotWarning] = []
        for (_, petitions) in byPlace.sorted(by: { $0.key < $1.key }) where petitions.count >= rule.threshold {
            let first = petitions[0]
            let communeName = try await OrgUnit.find(first.$commune.id, on: db)?.name ?? ""
            let late = petitions.map { "\($0.reference) (\(VNFormat.date($0.currentDue)))" }.joined(separator: ", ")
            let reason = L10n.format("citizens.warning.reason.overdueLand", [String(petitions.count), first.field.label, communeName, late])
            if let warning = try await raise(.overdueLand, communeID: first.$commune.id, field: first.field, score: petitions.count, reason: reason, evidence: petitions.compactMap(\.id), at: now, on: db) {
                raised.append(warning)
            }
        }
        return raised
    }

    /// Raises a warning, or renews the open one for the same rule, commune and field. A
    /// dismissed warning is not raised again on the evidence the board already saw.
    /// `key` names evidence that is not a submission (an area's refusal count).
    static func raise(_ rule: WarningRule, communeID: UUID, field: PetitionField, score: Int, reason: String, evidence: [UUID], at: Date, on db: any Database, key: String? = nil) async throws -> HotSpotWarning? {
        let tokens = evidence.map(\.uuidString) + [key].compactMap { $0 }
        let evidenceText = tokens.joined(separator: ",")
        let existing = try await HotSpotWarning.query(on: db).filter(\.$rule == rule.rawValue).filter(\.$commune.$id == communeID).filter(\.$field == field)
            .sort(\.$createdAt, .descending).first()
        if let existing {
            switch existing.status {
            case .open:
                guard existing.evidenceIDs != evidenceText else { return nil }
                existing.score = score
                existing.reason = reason
                existing.evidenceIDs = evidenceText
                try await existing.update(on: db)
                return existing
            case .dismissed, .confirmed:
                // Only new evidence raises it again.
                let seen = Set(existing.evidenceIDs.split(separator: ",").map(String.init))
                if tokens.allSatisfy({ seen.contains($0) }) { return nil }
                if existing.status == .confirmed, existing.hotSpotID != nil, rule != .overdueLand {
                    // Already a hot spot: the new submissions are linked to it instead.
                    if let spotID = existing.hotSpotID {
                        for id in evidence where !seen.contains(id.uuidString) {
                            if try await HotSpotLink.query(on: db).filter(\.$hotSpot.$id == spotID).filter(\.$targetID == id).count() == 0 {
                                try await HotSpotLink(hotSpotID: spotID, targetType: "petition", targetID: id).create(on: db)
                            }
                        }
                        existing.evidenceIDs = evidenceText
                        try await existing.update(on: db)
                    }
                    return nil
                }
            }
        }
        let warning = HotSpotWarning()
        warning.id = UUID()
        warning.rule = rule.rawValue
        warning.$commune.id = communeID
        warning.field = field
        warning.score = score
        warning.reason = reason
        warning.evidenceIDs = evidenceText
        warning.status = .open
        warning.decisionNote = ""
        warning.dedupeKey = "\(rule.rawValue):\(communeID.uuidString):\(field.rawValue):\(Int(at.timeIntervalSince1970))"
        warning.createdAt = at
        warning.decidedBy = ""
        try await warning.create(on: db)
        try await AuditLog.record(on: db, actor: .system, at: at, action: "create", entityType: "hot_spot_warning", entityID: warning.id,
                                  summary: L10n.format("citizens.audit.warning", [rule.label]))
        for unit in try await OrgUnit.query(on: db).filter(\.$oversight == true).all() {
            _ = try await Inbox.post(
                toUnit: try unit.requireID(), kind: "citizens.warning", message: L10n.format("citizens.inbox.warning", [String(reason.prefix(200))]),
                target: InboxTarget(type: "hotspot-warning", id: try warning.requireID()), dedupeKey: "citizens.warning:\(warning.id!.uuidString)", at: at, on: db
            )
        }
        return warning
    }
}
