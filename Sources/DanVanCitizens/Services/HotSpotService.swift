import DanVanCore
import DanVanText
import Fluent
import Foundation

/// A hot spot as typed.
public struct HotSpotInput: Sendable {
    public var communeID: UUID?
    public var field: PetitionField?
    public var title = ""
    public var description = ""
    public var people = 0
    public var severity = 2
    public var teams = ""
    public var sourceType: String?
    public var sourceID: UUID?

    public init() {}

    /// Messages by field.
    public func validate(commune: OrgUnit?) -> FormErrors {
        var errors = FormErrors()
        if commune == nil { errors.add("commune", "citizens.error.commune") }
        else if commune?.level != .commune { errors.add("commune", "citizens.error.commune_level") }
        if field == nil { errors.add("field", "citizens.error.field") }
        if title.trimmingCharacters(in: .whitespaces).isEmpty { errors.add("title", "citizens.error.title") }
        if title.count > 300 { errors.add("title", "citizens.error.too_long", "300") }
        if !(1...4).contains(severity) { errors.add("severity", "citizens.error.severity") }
        if people < 0 || people > 1_000_000 { errors.add("people", "citizens.error.count") }
        return errors
    }
}

/// The hot-spot register: records, situation updates, links, and the board's decision on a warning.
public enum HotSpotService {
    /// Creates a hot spot with its first timeline entry.
    public static func create(_ input: HotSpotInput, links: [(String, UUID)] = [], actor: AuditActor, unitName: String, at: Date, on db: any Database) async throws -> HotSpot {
        guard let communeID = input.communeID, let field = input.field else { throw AppError.badRequest(L10n.text("citizens.error.commune")) }
        let spot = HotSpot()
        spot.id = UUID()
        spot.$commune.id = communeID
        spot.field = field
        spot.title = VietnameseText.nfc(input.title.trimmingCharacters(in: .whitespaces))
        spot.description = VietnameseText.nfc(input.description.trimmingCharacters(in: .whitespacesAndNewlines))
        spot.people = input.people
        spot.severity = input.severity
        spot.status = .watch
        spot.teams = VietnameseText.nfc(input.teams.trimmingCharacters(in: .whitespacesAndNewlines))
        spot.sourceType = input.sourceType
        spot.sourceID = input.sourceID
        spot.searchText = VietnameseText.fold(spot.title + " " + spot.description)
        spot.version = 1
        spot.createdAt = at
        spot.updatedAt = at
        try await db.transaction { db in
            try await spot.create(on: db)
            let id = try spot.requireID()
            let update = HotSpotUpdate()
            update.id = UUID()
            update.$hotSpot.id = id
            update.unitName = unitName
            update.author = actor.name
            update.text = L10n.text("citizens.hotspot.opened")
            update.status = spot.status
            update.severity = spot.severity
            update.at = at
            try await update.create(on: db)
            for (type, targetID) in links {
                try await HotSpotLink(hotSpotID: id, targetType: type, targetID: targetID).create(on: db)
            }
            try await AuditLog.record(on: db, actor: actor, at: at, action: "create", entityType: "hot_spot", entityID: id,
                                      summary: L10n.format("citizens.audit.hotspot", [spot.title]))
        }
        return spot
    }

    /// Adds a situation update; the status and severity move with it.
    public static func addUpdate(_ spot: HotSpot, text: String, status: HotSpot.Status, severity: Int, expectedVersion: Int, actor: AuditActor, unitName: String, at: Date, on db: any Database) async throws {
        guard spot.version == expectedVersion else { throw AppError.conflict(L10n.text("citizens.error.stale")) }
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw AppError.badRequest(L10n.text("citizens.error.update_text")) }
        guard (1...4).contains(severity) else { throw AppError.badRequest(L10n.text("citizens.error.severity")) }
        let before = ["status": spot.status.rawValue, "severity": String(spot.severity)]
        spot.status = status
        spot.severity = severity
        spot.version += 1
        spot.updatedAt = at
        try await db.transaction { db in
            let current = try await HotSpot.query(on: db).filter(\.$id == spot.requireID()).field(\.$version).first()?.version
            guard current == expectedVersion else { throw AppError.conflict(L10n.text("citizens.error.stale")) }
            try await spot.update(on: db)
            let update = HotSpotUpdate()
            update.id = UUID()
            update.$hotSpot.id = try spot.requireID()
            update.unitName = unitName
            update.author = actor.name
            update.text = VietnameseText.nfc(text.trimmingCharacters(in: .whitespacesAndNewlines))
            update.status = status
            update.severity = severity
            update.at = at
            try await update.create(on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "update", entityType: "hot_spot", entityID: spot.id,
                                      summary: L10n.format("citizens.audit.hotspot_update", [spot.title, status.label]), before: before,
                                      after: ["status": status.rawValue, "severity": String(severity)])
        }
    }

    /// Links a submission or a meeting.
    public static func link(_ spot: HotSpot, type: String, targetID: UUID, actor: AuditActor, at: Date, on db: any Database) async throws {
        let spotID = try spot.requireID()
        guard try await HotSpotLink.query(on: db).filter(\.$hotSpot.$id == spotID).filter(\.$targetType == type).filter(\.$targetID == targetID).count() == 0 else { return }
        try await db.transaction { db in
            try await HotSpotLink(hotSpotID: spotID, targetType: type, targetID: targetID).create(on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "update", entityType: "hot_spot", entityID: spotID,
                                      summary: L10n.format("citizens.audit.hotspot_link", [spot.title, type]))
        }
    }

    /// The board confirms a warning (a hot spot is opened with its evidence) or dismisses it with a reason.
    public static func decide(_ warning: HotSpotWarning, confirm: Bool, note: String, actor: AuditActor, unitName: String, at: Date, on db: any Database) async throws -> HotSpot? {
        guard warning.status == .open else { throw AppError.badRequest(L10n.text("citizens.error.warning_decided")) }
        if !confirm, note.trimmingCharacters(in: .whitespaces).isEmpty { throw AppError.badRequest(L10n.text("citizens.error.dismiss_reason")) }
        var spot: HotSpot?
        if confirm {
            var input = HotSpotInput()
            input.communeID = warning.$commune.id
            input.field = warning.field
            let communeName = try await OrgUnit.find(warning.$commune.id, on: db)?.name ?? ""
            input.title = L10n.format("citizens.hotspot.from_warning", [warning.field.label, communeName])
            input.description = warning.reason + (note.isEmpty ? "" : "\n" + note)
            input.severity = warning.rule == WarningRule.massPetition.rawValue ? 3 : 2
            input.sourceType = "hotspot-warning"
            input.sourceID = warning.id
            let evidence = warning.evidenceIDs.split(separator: ",").compactMap { UUID(uuidString: String($0)) }
            spot = try await create(input, links: evidence.map { ("petition", $0) }, actor: actor, unitName: unitName, at: at, on: db)
        }
        warning.status = confirm ? .confirmed : .dismissed
        warning.decisionNote = VietnameseText.nfc(note)
        warning.decidedAt = at
        warning.decidedBy = actor.name
        warning.hotSpotID = spot?.id
        try await db.transaction { db in
            try await warning.update(on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "update", entityType: "hot_spot_warning", entityID: warning.id,
                                      summary: L10n.format(confirm ? "citizens.audit.warning_confirmed" : "citizens.audit.warning_dismissed", [warning.reason.prefix(120).description]))
        }
        return spot
    }
}

/// A meeting as typed, with its commitments.
public struct MeetingInput: Sendable {
    public struct Commitment: Sendable, Equatable {
        public var content: String
        public var unitID: UUID?
        public var dueOn: Date?

        /// A commitment as typed.
        public init(content: String, unitID: UUID?, dueOn: Date?) {
            self.content = content
            self.unitID = unitID
            self.dueOn = dueOn
        }
    }

    public var kind: CitizenMeeting.Kind = .reception
    public var hostName = ""
    public var hostRole: CitizenMeeting.HostRole = .other
    public var unitID: UUID?
    public var communeID: UUID?
    public var heldOn: Date?
    public var place = ""
    public var participants = 0
    public var groups = ""
    public var topics = ""
    public var minutes = ""
    public var status: CitizenMeeting.Status = .held
    public var petitionRefs: [String] = []
    public var commitments: [Commitment] = []

    public init() {}
}

/// Reception days and dialogues, their commitments, and a host's record against the minimum.
public enum MeetingService {
    /// Checks a meeting; messages by field (`commitment.<n>` for a commitment's row).
    public static func validate(_ input: MeetingInput, calendar: WorkingCalendar, today: Date, into errors: inout FormErrors) {
        if input.hostName.trimmingCharacters(in: .whitespaces).isEmpty { errors.add("host_name", "citizens.error.host") }
        if input.unitID == nil { errors.add("unit", "citizens.error.unit") }
        if input.heldOn == nil { errors.add("held_on", "citizens.error.date") }
        if let held = input.heldOn, input.status == .held, held > today { errors.add("held_on", "citizens.error.held_future") }
        if input.place.trimmingCharacters(in: .whitespaces).isEmpty { errors.add("place", "citizens.error.place") }
        if input.participants < 0 || input.participants > 1_000_000 { errors.add("participants", "citizens.error.count") }
        for (index, commitment) in input.commitments.enumerated() {
            let key = "commitment.\(index)"
            if commitment.unitID == nil { errors.add(key, "citizens.error.commitment_unit") }
            guard let due = commitment.dueOn else { errors.add(key, "citizens.error.commitment_due"); continue }
            if let held = input.heldOn, due < held { errors.add(key, "citizens.error.commitment_before") }
            let day = LunarCalendar.SolarDate(due)
            if !calendar.isWorkingDay(day) {
                let next = calendar.nextWorkingDay(from: day)
                let why = calendar.holiday(on: day).map { L10n.text("citizens.holiday.\($0.rawValue)") } ?? L10n.text("citizens.holiday.weekend")
                errors.add(key, "citizens.error.commitment_holiday", VNFormat.date(due), why, VNFormat.date(next.start))
            }
        }
    }

    /// Saves a meeting with its linked submissions and commitments; each commitment becomes a
    /// followed-up item when a follow-up module is present.
    public static func create(_ input: MeetingInput, petitionIDs: [UUID], followUps: FollowUps, actor: AuditActor, at: Date, on db: any Database) async throws -> CitizenMeeting {
        guard let unitID = input.unitID, let heldOn = input.heldOn else { throw AppError.badRequest(L10n.text("citizens.error.unit")) }
        let meeting = CitizenMeeting()
        meeting.id = UUID()
        meeting.kind = input.kind
        meeting.hostName = VietnameseText.nfc(input.hostName.trimmingCharacters(in: .whitespaces))
        meeting.hostRole = input.hostRole
        meeting.$unit.id = unitID
        meeting.$commune.id = input.communeID
        meeting.heldOn = CivilDay.startOfDay(heldOn)
        meeting.place = VietnameseText.nfc(input.place.trimmingCharacters(in: .whitespaces))
        meeting.participants = input.participants
        meeting.groups = VietnameseText.nfc(input.groups)
        meeting.topics = VietnameseText.nfc(input.topics)
        meeting.minutes = VietnameseText.nfc(input.minutes)
        meeting.status = input.status
        meeting.version = 1
        meeting.createdAt = at
        try await db.transaction { db in
            try await meeting.create(on: db)
            let id = try meeting.requireID()
            for petitionID in Set(petitionIDs) {
                try await MeetingPetition(meetingID: id, petitionID: petitionID).create(on: db)
            }
            let origin = L10n.format("citizens.meeting.origin", [meeting.kind.label, VNFormat.date(meeting.heldOn), meeting.place])
            for commitment in input.commitments {
                guard let unitID = commitment.unitID, let due = commitment.dueOn else { continue }
                let row = MeetingCommitment()
                row.id = UUID()
                row.$meeting.id = id
                row.content = VietnameseText.nfc(commitment.content.trimmingCharacters(in: .whitespaces))
                row.$unit.id = unitID
                row.dueOn = CivilDay.startOfDay(due)
                row.createdAt = at
                if let create = followUps.create {
                    let target = try await create(FollowUpDraft(content: row.content, origin: origin, unitID: unitID, dueOn: row.dueOn), actor, at, db)
                    row.followUpType = target.type
                    row.followUpID = target.id
                }
                try await row.create(on: db)
            }
            try await AuditLog.record(on: db, actor: actor, at: at, action: "create", entityType: "citizen_meeting", entityID: id,
                                      summary: L10n.format("citizens.audit.meeting", [meeting.kind.label, meeting.hostName, VNFormat.date(meeting.heldOn)]))
        }
        return meeting
    }

    /// A commitment's state on `today`.
    public enum CommitmentState: String, Sendable {
        case open, late, kept, keptLate
        public var label: String { L10n.text("citizens.commitment.\(rawValue)") }
    }

    /// The states of commitments (from the follow-up module where it tracks them).
    public static func states(_ commitments: [MeetingCommitment], followUps: FollowUps, today: Date, on db: any Database) async throws -> [UUID: CommitmentState] {
        let tracked = commitments.compactMap(\.followUpID)
        let followed = try await followUps.states?(tracked, db) ?? [:]
        var result: [UUID: CommitmentState] = [:]
        for commitment in commitments {
            guard let id = commitment.id else { continue }
            var doneOn = commitment.keptOn
            if let followID = commitment.followUpID, let state = followed[followID] { doneOn = state.done ? (state.doneOn ?? today) : nil }
            if let doneOn { result[id] = CivilDay.startOfDay(doneOn) > commitment.dueOn ? .keptLate : .kept }
            else { result[id] = today > commitment.dueOn ? .late : .open }
        }
        return result
    }

    /// Records a commitment kept (when no follow-up module tracks it).
    public static func keep(_ commitment: MeetingCommitment, on day: Date, actor: AuditActor, at: Date, on db: any Database) async throws {
        guard commitment.followUpID == nil else { throw AppError.badRequest(L10n.text("citizens.error.commitment_tracked")) }
        commitment.keptOn = CivilDay.startOfDay(day)
        try await db.transaction { db in
            try await commitment.update(on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "update", entityType: "citizen_commitment", entityID: commitment.id,
                                      summary: L10n.format("citizens.audit.commitment_kept", [String(commitment.content.prefix(80))]))
        }
    }
}
