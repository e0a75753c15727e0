import DanVanCore
import Fluent
import Foundation
import Vapor

/// Kinds of citizens' submission (đơn thư).
public enum PetitionKind: String, Codable, Sendable, CaseIterable {
    case complaint, denunciation, petition, feedback
    public var label: String { L10n.text("citizens.kind.\(rawValue)") }
}

/// Where a submission came in.
public enum PetitionChannel: String, Codable, Sendable, CaseIterable {
    case reception, dialogue, letter, online, votersMeeting, press, transferred
    public var label: String { L10n.text("citizens.channel.\(rawValue)") }
}

/// What a submission is about.
public enum PetitionField: String, Codable, Sendable, CaseIterable {
    case land, environment, compensation, socialPolicy, officials, administration, infrastructure, ethnicReligious, other
    public var label: String { L10n.text("citizens.field.\(rawValue)") }
    /// Fields the early warning treats as land matters (đất đai, bồi thường, GPMB).
    public var isLandMatter: Bool { self == .land || self == .compensation }
}

/// How complex a case is (vụ việc phức tạp; tố cáo đặc biệt phức tạp).
public enum PetitionComplexity: String, Codable, Sendable, CaseIterable {
    case normal, complex, especiallyComplex
    public var label: String { L10n.text("citizens.complexity.\(rawValue)") }
}

/// Where a submission stands.
public enum PetitionStatus: String, Codable, Sendable, CaseIterable {
    /// Received, not yet accepted for handling (chưa thụ lý).
    case received
    /// Accepted (đã thụ lý), being resolved.
    case accepted
    /// Not accepted, with a reason (không thụ lý).
    case refused
    /// Sent to a body outside the system (chuyển cơ quan có thẩm quyền).
    case transferredOut
    /// Resolved, the answer sent.
    case resolved
    /// Closed (hồ sơ lưu).
    case closed

    public var label: String { L10n.text("citizens.status.\(rawValue)") }
    /// Still on somebody's desk.
    public var isOpen: Bool { self == .received || self == .accepted }
}

/// A citizen's submission. A denouncer's identity is never in this row: `senderName` holds no
/// name for a denunciation, and the identity lives sealed in `PetitionIdentity`.
public final class Petition: Model, @unchecked Sendable {
    public static let schema = "petitions"

    @ID(key: .id) public var id: UUID?
    @Field(key: "year") public var year: Int
    @Field(key: "number") public var number: Int
    /// HMAC of the tracking code the citizen holds (the code itself is never stored).
    @Field(key: "code_hash") public var codeHash: String
    @Field(key: "kind") public var kind: PetitionKind
    @Field(key: "channel") public var channel: PetitionChannel
    /// 1 = first instance (lần đầu), 2 = second (lần hai).
    @Field(key: "instance") public var instance: Int
    @Field(key: "complexity") public var complexity: PetitionComplexity
    /// The commune is a remote or difficult area (vùng sâu, vùng xa).
    @Field(key: "remote") public var remote: Bool
    @Field(key: "sender_name") public var senderName: String
    @Field(key: "sender_address") public var senderAddress: String
    @Field(key: "sender_contact") public var senderContact: String
    /// A keyed hash of the folded sender name, so repeats are found without the name.
    @Field(key: "sender_key") public var senderKey: String
    /// People who signed (1 for one sender).
    @Field(key: "sender_count") public var senderCount: Int
    /// Representatives of a mass submission, one per line.
    @Field(key: "representatives") public var representatives: String
    /// The commune concerned.
    @Parent(key: "commune_id") public var commune: OrgUnit
    /// The unit that holds the submission now (receiving, then the one it is assigned to).
    @Parent(key: "unit_id") public var unit: OrgUnit
    /// The official handling it (for a denunciation: the one who may open the identity).
    @OptionalParent(key: "handler_id") public var handler: User?
    @Field(key: "field") public var field: PetitionField
    @Field(key: "summary") public var summary: String
    @Field(key: "content") public var content: String
    @Field(key: "search_text") public var searchText: String
    @Field(key: "received_on") public var receivedOn: Date
    /// `202611`: the month of receipt in the province, the key of the monthly rollup.
    @OptionalField(key: "received_month") public var receivedMonth: Int?
    /// The day the sender must be told it was accepted or transferred (Quy định 11: 10 working days).
    @Field(key: "ack_due_on") public var ackDueOn: Date
    @OptionalField(key: "acknowledged_on") public var acknowledgedOn: Date?
    @OptionalField(key: "accepted_on") public var acceptedOn: Date?
    @OptionalField(key: "resolve_due_on") public var resolveDueOn: Date?
    @Field(key: "extensions") public var extensions: Int
    @OptionalField(key: "resolved_on") public var resolvedOn: Date?
    @OptionalField(key: "closed_on") public var closedOn: Date?
    @Field(key: "status") public var status: PetitionStatus
    @Field(key: "result") public var result: String
    /// The part of the answer the citizen sees on the status page.
    @Field(key: "public_answer") public var publicAnswer: String
    /// The decision or document that resolved it ("Quyết định số 15/QĐ-UBND").
    @Field(key: "decision") public var decision: String
    @OptionalField(key: "repeat_of_id") public var repeatOfID: UUID?
    @Field(key: "over_level") public var overLevel: Bool
    @Field(key: "reopen_count") public var reopenCount: Int
    /// The citizen's answer to "is it solved?" (nil: not asked or not answered).
    @OptionalField(key: "satisfied") public var satisfied: Bool?
    @Field(key: "version") public var version: Int
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "updated_at") public var updatedAt: Date

    public init() {}

    /// "15/2026".
    public var reference: String { "\(number)/\(year)" }

    /// A mass submission (khiếu nại đông người): five or more people (LEGAL.md §1).
    public var isMass: Bool { senderCount >= 5 }

    /// The due date that matters now: acknowledgement before acceptance, resolution after.
    public var currentDue: Date? {
        switch status {
        case .received: ackDueOn
        case .accepted: resolveDueOn
        default: nil
        }
    }

    /// Open and past its current due date on `today` (start of day).
    public func isOverdue(today: Date) -> Bool {
        guard status.isOpen, let due = currentDue else { return false }
        return today > due
    }

    /// The sender as everyone but the handler sees it.
    public var senderShown: String {
        kind == .denunciation ? L10n.text("citizens.identity.redacted") : senderName
    }

    /// What the audit log keeps (never a denouncer's identity).
    public var auditSnapshot: [String: String] {
        [
            "reference": reference, "kind": kind.rawValue, "status": status.rawValue, "unitID": $unit.id.uuidString,
            "handlerID": $handler.id?.uuidString ?? "", "field": field.rawValue, "summary": String(summary.prefix(120)),
            "ackDueOn": VNFormat.isoDate(ackDueOn), "resolveDueOn": resolveDueOn.map(VNFormat.isoDate) ?? "", "extensions": String(extensions),
            "version": String(version),
        ]
    }
}

extension Petition: UnitOwned {
    /// A submission belongs to the unit that holds it.
    public static var ownerUnitKey: KeyPath<Petition, FieldProperty<Petition, UUID>> { \Petition.$unit.$id }
}

/// One step of a submission's history. `isPublic` steps show on the citizen's status page.
public final class PetitionEvent: Model, @unchecked Sendable {
    public static let schema = "petition_events"

    public enum Kind: String, Codable, Sendable, CaseIterable {
        case received, acknowledged, accepted, refused, assigned, transferred, transferredOut, extended, resolved, closed, reopened, citizenAnswer, note, identityOpened, linked
        public var label: String { L10n.text("citizens.event.\(rawValue)") }
    }

    @ID(key: .id) public var id: UUID?
    @Parent(key: "petition_id") public var petition: Petition
    @Field(key: "kind") public var kind: Kind
    @Field(key: "text") public var text: String
    @Field(key: "is_public") public var isPublic: Bool
    @Field(key: "actor_name") public var actorName: String
    @Field(key: "at") public var at: Date

    public init() {}

    public init(petitionID: UUID, kind: Kind, text: String, isPublic: Bool, actorName: String, at: Date) {
        id = UUID()
        $petition.id = petitionID
        self.kind = kind
        self.text = text
        self.isPublic = isPublic
        self.actorName = actorName
        self.at = at
    }
}

/// A denouncer's identity, sealed with AES-GCM under a key from configuration (never in the
/// database). One row per denunciation.
public final class PetitionIdentity: Model, @unchecked Sendable {
    public static let schema = "petition_identities"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "petition_id") public var petition: Petition
    /// Which key sealed it (for rotation).
    @Field(key: "key_id") public var keyID: String
    /// Nonce, ciphertext and tag, base64.
    @Field(key: "sealed") public var sealed: String
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}

/// A file attached to a submission (a letter, a decision).
public final class PetitionAttachment: Model, @unchecked Sendable {
    public static let schema = "petition_attachments"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "petition_id") public var petition: Petition
    @Field(key: "filename") public var filename: String
    @Field(key: "content_type") public var contentType: String
    @Field(key: "size") public var size: Int
    @Field(key: "sha256") public var sha256: String
    @Field(key: "storage_key") public var storageKey: String
    @Field(key: "uploaded_by") public var uploadedBy: String
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}

/// A time limit as the law sets it, as data: the 1/7/2026 amendment is a new row with its
/// `effectiveFrom`, the old one closed with `effectiveUntil`.
public final class TimeLimitRule: Model, @unchecked Sendable {
    public static let schema = "citizen_time_limits"

    /// Calendar or working days.
    public enum DayType: String, Codable, Sendable, CaseIterable {
        case calendar, working
        public var label: String { L10n.text("citizens.dayType.\(rawValue)") }
    }

    @ID(key: .id) public var id: UUID?
    @Field(key: "kind") public var kind: PetitionKind
    /// 0 = any instance.
    @Field(key: "instance") public var instance: Int
    /// nil = any complexity.
    @OptionalField(key: "complexity") public var complexity: PetitionComplexity?
    /// nil = any area.
    @OptionalField(key: "remote") public var remote: Bool?
    /// Days to accept (thụ lý) from receipt; nil = only the 10-working-day acknowledgement.
    @OptionalField(key: "accept_days") public var acceptDays: Int?
    /// Days to resolve, counted from acceptance.
    @Field(key: "resolve_days") public var resolveDays: Int
    @Field(key: "day_type") public var dayType: DayType
    /// How many extensions the law allows, and at most how many days each.
    @Field(key: "max_extensions") public var maxExtensions: Int
    @Field(key: "extension_days") public var extensionDays: Int
    @Field(key: "basis") public var basis: String
    @Field(key: "effective_from") public var effectiveFrom: Date
    @OptionalField(key: "effective_until") public var effectiveUntil: Date?
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}

/// A decision about one day of the working calendar (a substitute day off, a Saturday worked).
public final class CalendarDecision: Model, @unchecked Sendable {
    public static let schema = "citizen_calendar_days"

    @ID(key: .id) public var id: UUID?
    /// `2026-02-16`.
    @Field(key: "day") public var day: String
    @Field(key: "decision") public var decision: String
    @Field(key: "note") public var note: String
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}

/// A reception day (tiếp công dân) or a direct dialogue (đối thoại trực tiếp).
public final class CitizenMeeting: Model, @unchecked Sendable {
    public static let schema = "citizen_meetings"

    public enum Kind: String, Codable, Sendable, CaseIterable {
        case reception, dialogue
        public var label: String { L10n.text("citizens.meeting.kind.\(rawValue)") }
    }

    /// The host's office, which sets the legal minimum of reception days.
    public enum HostRole: String, Codable, Sendable, CaseIterable {
        case provinceSecretary, provinceChair, communeSecretary, communeChair, other
        public var label: String { L10n.text("citizens.host.\(rawValue)") }
        /// Reception days a month the role must hold (LEGAL.md §1: KL 215; Luật Tiếp công dân Art. 15).
        public var monthlyMinimum: Int? {
            switch self {
            case .provinceSecretary, .provinceChair: 1
            case .communeSecretary: 2
            case .communeChair: 4
            case .other: nil
            }
        }
    }

    public enum Status: String, Codable, Sendable, CaseIterable {
        case planned, held
        public var label: String { L10n.text("citizens.meeting.status.\(rawValue)") }
    }

    @ID(key: .id) public var id: UUID?
    @Field(key: "kind") public var kind: Kind
    @Field(key: "host_name") public var hostName: String
    @Field(key: "host_role") public var hostRole: HostRole
    /// The host's unit.
    @Parent(key: "unit_id") public var unit: OrgUnit
    @OptionalParent(key: "commune_id") public var commune: OrgUnit?
    @Field(key: "held_on") public var heldOn: Date
    @Field(key: "place") public var place: String
    @Field(key: "participants") public var participants: Int
    @Field(key: "groups") public var groups: String
    @Field(key: "topics") public var topics: String
    @Field(key: "minutes") public var minutes: String
    @Field(key: "status") public var status: Status
    @Field(key: "version") public var version: Int
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}

extension CitizenMeeting: UnitOwned {
    public static var ownerUnitKey: KeyPath<CitizenMeeting, FieldProperty<CitizenMeeting, UUID>> { \CitizenMeeting.$unit.$id }
}

/// A submission raised at a meeting.
public final class MeetingPetition: Model, @unchecked Sendable {
    public static let schema = "citizen_meeting_petitions"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "meeting_id") public var meeting: CitizenMeeting
    @Parent(key: "petition_id") public var petition: Petition

    public init() {}

    public init(meetingID: UUID, petitionID: UUID) {
        id = UUID()
        $meeting.id = meetingID
        $petition.id = petitionID
    }
}

/// What the host promised at a meeting, followed up to the end.
public final class MeetingCommitment: Model, @unchecked Sendable {
    public static let schema = "citizen_commitments"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "meeting_id") public var meeting: CitizenMeeting
    @Field(key: "content") public var content: String
    @Parent(key: "unit_id") public var unit: OrgUnit
    @Field(key: "due_on") public var dueOn: Date
    /// The followed-up item (a task) when a follow-up module is present.
    @OptionalField(key: "followup_type") public var followUpType: String?
    @OptionalField(key: "followup_id") public var followUpID: UUID?
    /// Kept, recorded here when no follow-up module tracks it.
    @OptionalField(key: "kept_on") public var keptOn: Date?
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}

/// A hot spot (điểm nóng): a place where discontent may flare.
public final class HotSpot: Model, @unchecked Sendable {
    public static let schema = "citizen_hot_spots"

    public enum Status: String, Codable, Sendable, CaseIterable {
        case watch, active, calming, resolved
        public var label: String { L10n.text("citizens.hotspot.status.\(rawValue)") }
    }

    @ID(key: .id) public var id: UUID?
    @Parent(key: "commune_id") public var commune: OrgUnit
    @Field(key: "field") public var field: PetitionField
    @Field(key: "title") public var title: String
    @Field(key: "description") public var description: String
    @Field(key: "people") public var people: Int
    /// 1 (low) … 4 (critical).
    @Field(key: "severity") public var severity: Int
    @Field(key: "status") public var status: Status
    /// The mobilisation teams assigned, one per line.
    @Field(key: "teams") public var teams: String
    /// What raised it: a confirmed warning, a report's pressing issue.
    @OptionalField(key: "source_type") public var sourceType: String?
    @OptionalField(key: "source_id") public var sourceID: UUID?
    @Field(key: "search_text") public var searchText: String
    @Field(key: "version") public var version: Int
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "updated_at") public var updatedAt: Date

    public init() {}

    public var severityLabel: String { L10n.text("citizens.severity.\(min(4, max(1, severity)))") }
}

extension HotSpot: UnitOwned {
    public static var ownerUnitKey: KeyPath<HotSpot, FieldProperty<HotSpot, UUID>> { \HotSpot.$commune.$id }
}

/// A situation update on a hot spot.
public final class HotSpotUpdate: Model, @unchecked Sendable {
    public static let schema = "citizen_hot_spot_updates"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "hot_spot_id") public var hotSpot: HotSpot
    @Field(key: "unit_name") public var unitName: String
    @Field(key: "author") public var author: String
    @Field(key: "text") public var text: String
    @Field(key: "status") public var status: HotSpot.Status
    @Field(key: "severity") public var severity: Int
    @Field(key: "at") public var at: Date

    public init() {}
}

/// A submission or meeting linked to a hot spot.
public final class HotSpotLink: Model, @unchecked Sendable {
    public static let schema = "citizen_hot_spot_links"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "hot_spot_id") public var hotSpot: HotSpot
    @Field(key: "target_type") public var targetType: String
    @Field(key: "target_id") public var targetID: UUID

    public init() {}

    public init(hotSpotID: UUID, targetType: String, targetID: UUID) {
        id = UUID()
        $hotSpot.id = hotSpotID
        self.targetType = targetType
        self.targetID = targetID
    }
}

/// A possible hot spot the early warning found, waiting for the board to confirm or dismiss.
public final class HotSpotWarning: Model, @unchecked Sendable {
    public static let schema = "citizen_warnings"

    public enum Status: String, Codable, Sendable, CaseIterable {
        case open, confirmed, dismissed
        public var label: String { L10n.text("citizens.warning.status.\(rawValue)") }
    }

    @ID(key: .id) public var id: UUID?
    @Field(key: "rule") public var rule: String
    @Parent(key: "commune_id") public var commune: OrgUnit
    @Field(key: "field") public var field: PetitionField
    @Field(key: "score") public var score: Int
    /// Why, in words, and the submissions behind it (ids, comma-separated).
    @Field(key: "reason") public var reason: String
    @Field(key: "evidence_ids") public var evidenceIDs: String
    @Field(key: "status") public var status: Status
    @Field(key: "decision_note") public var decisionNote: String
    @OptionalField(key: "hot_spot_id") public var hotSpotID: UUID?
    @Field(key: "dedupe_key") public var dedupeKey: String
    @Field(key: "created_at") public var createdAt: Date
    @OptionalField(key: "decided_at") public var decidedAt: Date?
    @Field(key: "decided_by") public var decidedBy: String

    public init() {}
}

/// The settings of one early-warning rule.
public final class WarningRuleSetting: Model, @unchecked Sendable {
    public static let schema = "citizen_warning_rules"

    @ID(key: .id) public var id: UUID?
    @Field(key: "key") public var key: String
    @Field(key: "enabled") public var enabled: Bool
    @Field(key: "threshold") public var threshold: Int
    @Field(key: "days") public var days: Int
    @Field(key: "updated_at") public var updatedAt: Date

    public init() {}
}

/// A key project's site clearance (giải phóng mặt bằng) followed by the mobilisation work.
public final class ClearanceProject: Model, @unchecked Sendable {
    public static let schema = "clearance_projects"

    public enum Status: String, Codable, Sendable, CaseIterable {
        case active, done
        public var label: String { L10n.text("citizens.clearance.status.\(rawValue)") }
    }

    @ID(key: .id) public var id: UUID?
    @Field(key: "name") public var name: String
    @Field(key: "description") public var description: String
    /// The unit that follows the project (the board, a district committee).
    @Parent(key: "unit_id") public var unit: OrgUnit
    @Field(key: "started_on") public var startedOn: Date
    @Field(key: "status") public var status: Status
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}

extension ClearanceProject: UnitOwned {
    public static var ownerUnitKey: KeyPath<ClearanceProject, FieldProperty<ClearanceProject, UUID>> { \ClearanceProject.$unit.$id }
}

/// A project's households in one commune: how many are affected, have agreed, refuse.
public final class ClearanceArea: Model, @unchecked Sendable {
    public static let schema = "clearance_areas"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "project_id") public var project: ClearanceProject
    @Parent(key: "commune_id") public var commune: OrgUnit
    @Field(key: "households") public var households: Int
    @Field(key: "agreed") public var agreed: Int
    @Field(key: "refusing") public var refusing: Int
    /// The mobilisation teams that visit the households, one per line.
    @Field(key: "teams") public var teams: String
    @Field(key: "version") public var version: Int
    @Field(key: "updated_at") public var updatedAt: Date

    public init() {}

    /// Households neither agreed nor refusing yet.
    public var pending: Int { max(0, households - agreed - refusing) }
}

/// The counts of an area as they were after an update, so a rise in refusals shows.
public final class ClearanceSnapshot: Model, @unchecked Sendable {
    public static let schema = "clearance_snapshots"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "area_id") public var area: ClearanceArea
    @Field(key: "agreed") public var agreed: Int
    @Field(key: "refusing") public var refusing: Int
    @Field(key: "at") public var at: Date

    public init() {}
}

/// A team's visit to households of an area, with what they heard.
public final class ClearanceVisit: Model, @unchecked Sendable {
    public static let schema = "clearance_visits"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "area_id") public var area: ClearanceArea
    @Field(key: "team") public var team: String
    @Field(key: "visited_on") public var visitedOn: Date
    @Field(key: "households_met") public var householdsMet: Int
    @Field(key: "note") public var note: String
    @Field(key: "author") public var author: String
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}

/// A complaint linked to an area of a project.
public final class ClearanceLink: Model, @unchecked Sendable {
    public static let schema = "clearance_links"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "area_id") public var area: ClearanceArea
    @Parent(key: "petition_id") public var petition: Petition

    public init() {}
}
