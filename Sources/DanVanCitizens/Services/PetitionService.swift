import DanVanCore
import DanVanText
import Fluent
import Foundation
import SQLKit
import Vapor

/// The keys the module derives from the server's secret.
public struct CitizenKeys: Sendable {
    let code: SymmetricKey
    let sender: SymmetricKey
    let vault: IdentityVault

    /// The keyed hash a sender is found by (generators writing rows directly use it).
    public func senderKey(for name: String) -> String {
        PetitionText.senderKey(name: name, key: sender)
    }

    /// The app's keys.
    public static func of(_ app: Application) -> CitizenKeys {
        CitizenKeys(code: app.config.key(for: "citizens.code"), sender: app.config.key(for: "citizens.sender"), vault: IdentityVault.of(app))
    }
}

/// A submission as typed (staff intake or the public form), before it is saved.
public struct PetitionInput: Sendable {
    public var kind: PetitionKind?
    public var channel: PetitionChannel = .letter
    public var instance = 1
    public var complexity: PetitionComplexity = .normal
    public var remote = false
    public var senderName = ""
    public var senderAddress = ""
    public var senderContact = ""
    public var senderCount = 1
    public var representatives = ""
    public var communeID: UUID?
    public var unitID: UUID?
    public var handlerID: UUID?
    public var field: PetitionField?
    public var summary = ""
    public var content = ""
    public var receivedOn: Date?
    public var repeatOfID: UUID?
    public var overLevel = false

    public init() {}

    /// Representatives, one per line, trimmed.
    public var representativeList: [String] {
        representatives.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// A possible duplicate shown to the clerk before saving.
public struct DuplicateCandidate: Sendable, Equatable {
    public let id: UUID
    public let reference: String
    public let summary: String
    public let commune: String
    public let receivedOn: Date
    public let status: PetitionStatus
    /// Why it was shown: the same sender, or the same place and topic (with the likeness).
    public let sameSender: Bool
    public let likeness: Double
}

/// Submissions: intake, the legal clock, routing, resolution and the citizen's answer.
public enum PetitionService {
    /// Checks a typed submission; messages by field.
    public static func validate(_ input: PetitionInput, commune: OrgUnit?, today: Date, public isPublic: Bool = false) -> FormErrors {
        var errors = FormErrors()
        if input.kind == nil { errors.add("kind", "citizens.error.kind") }
        if input.field == nil { errors.add("field", "citizens.error.field") }
        if input.summary.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { errors.add("summary", "citizens.error.summary") }
        if input.content.trimmingCharacters(in: .whitespacesAndNewlines).count < 10 { errors.add("content", "citizens.error.content") }
        if input.summary.count > 300 { errors.add("summary", "citizens.error.too_long", "300") }
        if input.content.count > 20_000 { errors.add("content", "citizens.error.too_long", "20.000") }
        if let commune {
            if commune.level != .commune { errors.add("commune", "citizens.error.commune_level") }
        } else {
            errors.add("commune", "citizens.error.commune")
        }
        if let received = input.receivedOn {
            if received > today { errors.add("received_on", "citizens.error.future") }
        } else {
            errors.add("received_on", "citizens.error.date")
        }
        if input.kind != .denunciation, input.senderName.trimmingCharacters(in: .whitespaces).isEmpty {
            errors.add("sender_name", "citizens.error.sender")
        }
        if input.kind == .denunciation, !isPublic, input.handlerID == nil {
            errors.add("handler", "citizens.error.denunciation_handler")
        }
        if !(1...100_000).contains(input.senderCount) { errors.add("sender_count", "citizens.error.count") }
        if input.kind == .complaint, input.senderCount >= 5 {
            // Luật Khiếu nại Art. 8(4); NĐ 124/2020 Art. 6: 5–10 people up to 2 representatives; 11 or more up to 5.
            let allowed = input.senderCount <= 10 ? 2 : 5
            let count = input.representativeList.count
            if count == 0 { errors.add("representatives", "citizens.error.representatives") }
            else if count > allowed { errors.add("representatives", "citizens.error.representatives_max", String(allowed), String(input.senderCount)) }
        }
        if input.kind != .complaint, input.instance != 1 { errors.add("instance", "citizens.error.instance") }
        if input.kind != .denunciation, input.complexity == .especiallyComplex, input.kind != .complaint {
            errors.add("complexity", "citizens.error.complexity")
        }
        return errors
    }

    /// Open submissions that may be the same matter: from the same sender, or from the same
    /// commune on the same field with much the same words.
    public static func duplicates(of input: PetitionInput, keys: CitizenKeys, excluding: UUID? = nil, on db: any Database) async throws -> [DuplicateCandidate] {
        guard let communeID = input.communeID else { return [] }
        let senderKey = PetitionText.senderKey(name: input.senderName, key: keys.sender)
        var found: [UUID: DuplicateCandidate] = [:]
        let open: [PetitionStatus] = [.received, .accepted]
        if !senderKey.isEmpty {
            for row in try await Petition.query(on: db).filter(\.$senderKey == senderKey).filter(\.$status ~~ open).sort(\.$receivedOn, .descending).limit(20).all() {
                guard let id = row.id, id != excluding else { continue }
                found[id] = candidate(row, sameSender: true, likeness: 1)
            }
        }
        let words = PetitionText.words(input.summary + " " + input.content)
        if let field = input.field, !words.isEmpty {
            let since = (input.receivedOn ?? Date()).addingTimeInterval(-730 * 86_400)
            let rows = try await Petition.query(on: db).filter(\.$commune.$id == communeID).filter(\.$field == field).filter(\.$status ~~ open)
                .filter(\.$receivedOn >= since).sort(\.$receivedOn, .descending).limit(400)
                .field(\.$id).field(\.$year).field(\.$number).field(\.$summary).field(\.$searchText).field(\.$receivedOn).field(\.$status).field(\.$commune.$id)
                .allSelected()
            for row in rows {
                guard let id = row.id, id != excluding, found[id] == nil else { continue }
                let likeness = PetitionText.likeness(words, Set(row.searchText.split(separator: " ").map(String.init)))
                if likeness >= 0.45 { found[id] = candidate(row, sameSender: false, likeness: likeness) }
            }
        }
        return found.values.sorted { ($0.sameSender ? 2 : $0.likeness, $0.receivedOn) > ($1.sameSender ? 2 : $1.likeness, $1.receivedOn) }.prefix(8).map { $0 }
    }

    static func candidate(_ row: Petition, sameSender: Bool, likeness: Double) -> DuplicateCandidate {
        DuplicateCandidate(id: row.id!, reference: row.reference, summary: row.summary, commune: "", receivedOn: row.receivedOn, status: row.status, sameSender: sameSender, likeness: likeness)
    }

    /// The unit that usually handles this field in this commune (the most frequent holder of
    /// the last 200 such submissions), else the commune itself.
    public static func suggestedUnit(communeID: UUID, field: PetitionField, on db: any Database) async throws -> UUID {
        let rows = try await Petition.query(on: db).filter(\.$commune.$id == communeID).filter(\.$field == field)
            .sort(\.$receivedOn, .descending).limit(200).field(\.$unit.$id).all()
        var counts: [UUID: Int] = [:]
        for row in rows { counts[row.$unit.id, default: 0] += 1 }
        return counts.max { ($0.value, $0.key.uuidString) < ($1.value, $1.key.uuidString) }?.key ?? communeID
    }

    /// Saves a submission with its first event (and a sealed identity for a denunciation);
    /// returns it and the tracking code the sender keeps.
    public static func create(
        _ input: PetitionInput, receivingUnitID: UUID, keys: CitizenKeys, actor: AuditActor, at: Date, on db: any Database
    ) async throws -> (petition: Petition, code: String) {
        guard let kind = input.kind, let field = input.field, let communeID = input.communeID, let received = input.receivedOn else {
            throw AppError.badRequest(L10n.text("citizens.error.kind"))
        }
        let calendar = try await WorkingCalendarStore.load(on: db)
        let rules = try await TimeLimitRule.query(on: db).filter(\.$kind == kind).all()
        let rule = TimeLimits.rule(kind: kind, instance: input.instance, complexity: input.complexity, remote: input.remote, on: received, among: rules)
        let code = PetitionText.newCode()
        let year = VNFormat.calendar.component(.year, from: received)
        let petition = Petition()
        petition.id = UUID()
        petition.year = year
        petition.codeHash = PetitionText.codeHash(code, key: keys.code)
        petition.kind = kind
        petition.channel = input.channel
        petition.instance = kind == .complaint ? max(1, min(2, input.instance)) : 1
        petition.complexity = input.complexity
        petition.remote = input.remote
        let identity = DenouncerIdentity(
            name: VietnameseText.nfc(input.senderName.trimmingCharacters(in: .whitespaces)),
            address: VietnameseText.nfc(input.senderAddress.trimmingCharacters(in: .whitespaces)),
            contact: input.senderContact.trimmingCharacters(in: .whitespaces)
        )
        // A denouncer's name, address and contact never enter this row, its search text or the audit log.
        petition.senderName = kind == .denunciation ? "" : identity.name
        petition.senderAddress = kind == .denunciation ? "" : identity.address
        petition.senderContact = kind == .denunciation ? "" : identity.contact
        petition.senderKey = PetitionText.senderKey(name: identity.name, key: keys.sender)
        petition.senderCount = input.senderCount
        petition.representatives = kind == .denunciation ? "" : VietnameseText.nfc(input.representativeList.joined(separator: "\n"))
        petition.$commune.id = communeID
        petition.$unit.id = input.unitID ?? receivingUnitID
        petition.$handler.id = input.handlerID
        petition.field = field
        petition.summary = VietnameseText.nfc(input.summary.trimmingCharacters(in: .whitespacesAndNewlines))
        petition.content = VietnameseText.nfc(input.content.trimmingCharacters(in: .whitespacesAndNewlines))
        petition.searchText = PetitionText.words(petition.summary + " " + petition.content).sorted().joined(separator: " ")
        petition.receivedOn = CivilDay.startOfDay(received)
        petition.receivedMonth = PetitionRollup.month(petition.receivedOn)
        petition.ackDueOn = TimeLimits.acknowledgementDue(received: petition.receivedOn, rule: rule, calendar: calendar)
        petition.extensions = 0
        petition.status = .received
        petition.result = ""
        petition.publicAnswer = ""
        petition.decision = ""
        petition.repeatOfID = input.repeatOfID
        petition.overLevel = input.overLevel
        petition.reopenCount = 0
        petition.version = 1
        petition.createdAt = at
        petition.updatedAt = at
        try await db.transaction { db in
            petition.number = try await nextNumber(year: year, on: db)
            try await petition.create(on: db)
            try await PetitionRollup.move(from: nil, to: PetitionRollup.contribution(petition), on: db)
            let id = try petition.requireID()
            if kind == .denunciation {
                // The scanned letter is sealed into the identity later, from the submission's page.
                let sealedIdentity = identity
                if !sealedIdentity.isEmpty {
                    let row = PetitionIdentity()
                    row.id = UUID()
                    row.$petition.id = id
                    row.keyID = keys.vault.keyID
                    row.sealed = try keys.vault.seal(sealedIdentity, petitionID: id)
                    row.createdAt = at
                    try await row.create(on: db)
                }
            }
            var text = L10n.format("citizens.event.received_text", [input.channel.label, VNFormat.date(petition.ackDueOn)])
            if let repeatOf = input.repeatOfID, let original = try await Petition.find(repeatOf, on: db) {
                text += " " + L10n.format("citizens.event.repeat_of", [original.reference])
            }
            try await PetitionEvent(petitionID: id, kind: .received, text: text, isPublic: true, actorName: actor.name, at: at).create(on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "create", entityType: "petition", entityID: id,
                                      summary: L10n.format("citizens.audit.create", [petition.reference, kind.label]), after: petition.auditSnapshot)
            if petition.$unit.id != receivingUnitID || input.handlerID != nil {
                try await notifyAssigned(petition, at: at, on: db)
            }
        }
        return (petition, code)
    }

    static func nextNumber(year: Int, on db: any Database) async throws -> Int {
        let last = try await Petition.query(on: db).filter(\.$year == year).max(\.$number) ?? 0
        return last + 1
    }

    static func notifyAssigned(_ petition: Petition, at: Date, on db: any Database) async throws {
        let id = try petition.requireID()
        _ = try await Inbox.post(
            toUnit: petition.$unit.id, kind: "citizens.assigned",
            message: L10n.format("citizens.inbox.assigned", [petition.reference, petition.kind.label, String(petition.summary.prefix(120)), VNFormat.date(petition.currentDue ?? petition.ackDueOn)]),
            target: InboxTarget(type: "petition", id: id), dedupeKey: "citizens.assigned:\(id):\(petition.version)", at: at, on: db
        )
    }

    /// A step in a submission's handling.
    public enum Action: Sendable, Equatable {
        case acknowledge(on: Date)
        case accept(on: Date)
        case refuse(reason: String, on: Date)
        case assign(unitID: UUID, handlerID: UUID?)
        case transfer(unitID: UUID, handlerID: UUID?, reason: String)
        case transferOut(body: String, reason: String, on: Date)
        case extend(days: Int, decision: String, on: Date)
        case resolve(result: String, publicAnswer: String, decision: String, on: Date)
        case close(on: Date)
        case reopen(reason: String)
        case note(text: String)
    }

    /// Applies `action` (checked against the law's and the record's state), with its event,
    /// audit entry and notices, on one transaction.
    public static func apply(_ action: Action, to petition: Petition, expectedVersion: Int, actor: AuditActor, at: Date, on db: any Database) async throws {
        guard petition.version == expectedVersion else { throw AppError.conflict(L10n.text("citizens.error.stale")) }
        let before = petition.auditSnapshot
        let counted = PetitionRollup.contribution(petition)
        let calendar = try await WorkingCalendarStore.load(on: db)
        let today = CivilDay.startOfDay(at)
        func checkDay(_ day: Date, notBefore start: Date) throws {
            if day > today { throw AppError.badRequest(L10n.text("citizens.error.future")) }
            if day < CivilDay.startOfDay(start) { throw AppError.badRequest(L10n.format("citizens.error.before", [VNFormat.date(start)])) }
        }
        var event: (PetitionEvent.Kind, String, Bool)
        var notify = false
        switch action {
        case .acknowledge(let day):
            guard petition.status.isOpen, petition.acknowledgedOn == nil else { throw AppError.badRequest(L10n.text("citizens.error.acknowledged")) }
            try checkDay(day, notBefore: petition.receivedOn)
            petition.acknowledgedOn = day
            event = (.acknowledged, L10n.format("citizens.event.acknowledged_text", [VNFormat.date(day)]), true)
        case .accept(let day):
            guard petition.status == .received else { throw AppError.badRequest(L10n.text("citizens.error.not_received")) }
            if petition.kind == .denunciation, petition.$handler.id == nil { throw AppError.badRequest(L10n.text("citizens.error.denunciation_handler")) }
            try checkDay(day, notBefore: petition.receivedOn)
            let rules = try await TimeLimitRule.query(on: db).filter(\.$kind == petition.kind).all()
            let rule = TimeLimits.rule(kind: petition.kind, instance: petition.instance, complexity: petition.complexity, remote: petition.remote, on: day, among: rules)
            petition.acceptedOn = day
            petition.acknowledgedOn = petition.acknowledgedOn ?? day
            petition.resolveDueOn = TimeLimits.resolutionDue(accepted: day, rule: rule, calendar: calendar)
            petition.status = .accepted
            let due = petition.resolveDueOn.map(VNFormat.date) ?? "—"
            event = (.accepted, L10n.format("citizens.event.accepted_text", [VNFormat.date(day), due, rule?.basis ?? L10n.text("citizens.basis.none")]), true)
        case .refuse(let reason, let day):
            guard petition.status == .received else { throw AppError.badRequest(L10n.text("citizens.error.not_received")) }
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw AppError.badRequest(L10n.text("citizens.error.reason")) }
            try checkDay(day, notBefore: petition.receivedOn)
            petition.status = .refused
            petition.acknowledgedOn = petition.acknowledgedOn ?? day
            petition.closedOn = day
            event = (.refused, L10n.format("citizens.event.refused_text", [reason]), true)
        case .assign(let unitID, let handlerID):
            guard petition.status.isOpen else { throw AppError.badRequest(L10n.text("citizens.error.closed")) }
            if petition.kind == .denunciation, handlerID == nil { throw AppError.badRequest(L10n.text("citizens.error.denunciation_handler")) }
            try await checkHandler(handlerID, unitID: unitID, on: db)
            petition.$unit.id = unitID
            petition.$handler.id = handlerID
            let unitName = try await OrgUnit.find(unitID, on: db)?.name ?? ""
            event = (.assigned, L10n.format("citizens.event.assigned_text", [unitName]), false)
            notify = true
        case .transfer(let unitID, let handlerID, let reason):
            guard petition.status.isOpen else { throw AppError.badRequest(L10n.text("citizens.error.closed")) }
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw AppError.badRequest(L10n.text("citizens.error.reason")) }
            guard unitID != petition.$unit.id else { throw AppError.badRequest(L10n.text("citizens.error.same_unit")) }
            if petition.kind == .denunciation, handlerID == nil { throw AppError.badRequest(L10n.text("citizens.error.denunciation_handler")) }
            try await checkHandler(handlerID, unitID: unitID, on: db)
            petition.$unit.id = unitID
            petition.$handler.id = handlerID
            let unitName = try await OrgUnit.find(unitID, on: db)?.name ?? ""
            // The sender is told where it went and why (the public status page shows it).
            event = (.transferred, L10n.format("citizens.event.transferred_text", [unitName, reason]), true)
            notify = true
        case .transferOut(let body, let reason, let day):
            guard petition.status == .received else { throw AppError.badRequest(L10n.text("citizens.error.not_received")) }
            guard !body.trimmingCharacters(in: .whitespaces).isEmpty else { throw AppError.badRequest(L10n.text("citizens.error.body")) }
            try checkDay(day, notBefore: petition.receivedOn)
            petition.status = .transferredOut
            petition.acknowledgedOn = petition.acknowledgedOn ?? day
            petition.closedOn = day
            event = (.transferredOut, L10n.format("citizens.event.transferred_out_text", [body, reason]), true)
        case .extend(let days, let decision, let day):
            guard petition.status == .accepted, let due = petition.resolveDueOn else { throw AppError.badRequest(L10n.text("citizens.error.not_accepted")) }
            let rules = try await TimeLimitRule.query(on: db).filter(\.$kind == petition.kind).all()
            let rule = TimeLimits.rule(kind: petition.kind, instance: petition.instance, complexity: petition.complexity, remote: petition.remote, on: petition.acceptedOn ?? day, among: rules)
            guard let rule, rule.maxExtensions > petition.extensions else {
                throw AppError.badRequest(L10n.format("citizens.error.extension_count", [String(rule?.maxExtensions ?? 0), petition.complexity.label]))
            }
            guard days >= 1, days <= rule.extensionDays else { throw AppError.badRequest(L10n.format("citizens.error.extension_days", [String(rule.extensionDays)])) }
            guard !decision.trimmingCharacters(in: .whitespaces).isEmpty else { throw AppError.badRequest(L10n.text("citizens.error.decision")) }
            try checkDay(day, notBefore: petition.acceptedOn ?? petition.receivedOn)
            petition.extensions += 1
            petition.resolveDueOn = TimeLimits.add(days, rule.dayType, to: due, calendar: calendar)
            event = (.extended, L10n.format("citizens.event.extended_text", [decision, String(days), VNFormat.date(petition.resolveDueOn)]), true)
        case .resolve(let result, let answer, let decision, let day):
            guard petition.status == .accepted, let accepted = petition.acceptedOn else { throw AppError.badRequest(L10n.text("citizens.error.resolve_before_accept")) }
            guard !result.trimmingCharacters(in: .whitespaces).isEmpty else { throw AppError.badRequest(L10n.text("citizens.error.result")) }
            try checkDay(day, notBefore: accepted)
            petition.status = .resolved
            petition.resolvedOn = day
            petition.result = VietnameseText.nfc(result)
            petition.publicAnswer = VietnameseText.nfc(answer.isEmpty ? result : answer)
            petition.decision = VietnameseText.nfc(decision)
            petition.satisfied = nil
            event = (.resolved, L10n.format("citizens.event.resolved_text", [decision.isEmpty ? "—" : decision, VNFormat.date(day)]), true)
        case .close(let day):
            guard [.resolved, .refused, .transferredOut].contains(petition.status) else { throw AppError.badRequest(L10n.text("citizens.error.close")) }
            petition.status = .closed
            petition.closedOn = day
            event = (.closed, L10n.text("citizens.event.closed_text"), true)
        case .reopen(let reason):
            guard [.resolved, .closed].contains(petition.status) else { throw AppError.badRequest(L10n.text("citizens.error.reopen")) }
            petition.status = petition.acceptedOn == nil ? .received : .accepted
            petition.resolvedOn = nil
            petition.closedOn = nil
            petition.reopenCount += 1
            event = (.reopened, L10n.format("citizens.event.reopened_text", [reason]), true)
            notify = true
        case .note(let text):
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw AppError.badRequest(L10n.text("citizens.error.note")) }
            event = (.note, VietnameseText.nfc(text), false)
        }
        petition.version += 1
        petition.updatedAt = at
        let id = try petition.requireID()
        let (eventKind, eventText, eventPublic) = event
        let shouldNotify = notify
        let recounted = PetitionRollup.contribution(petition)
        try await db.transaction { db in
            try await bumpVersion(petition, expected: expectedVersion, on: db)
            try await PetitionRollup.move(from: counted, to: recounted, on: db)
            try await PetitionEvent(petitionID: id, kind: eventKind, text: VietnameseText.nfc(eventText), isPublic: eventPublic, actorName: actor.name, at: at).create(on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "update", entityType: "petition", entityID: id,
                                      summary: L10n.format("citizens.audit.step", [petition.reference, eventKind.label]), before: before, after: petition.auditSnapshot)
            if shouldNotify { try await notifyAssigned(petition, at: at, on: db) }
        }
    }

    /// Saves `petition` only if nobody saved it since `expected` was read.
    static func bumpVersion(_ petition: Petition, expected: Int, on db: any Database) async throws {
        let current = try await Petition.query(on: db).filter(\.$id == petition.requireID()).field(\.$version).first()?.version
        guard current == expected else { throw AppError.conflict(L10n.text("citizens.error.stale")) }
        try await petition.update(on: db)
    }

    static func checkHandler(_ handlerID: UUID?, unitID: UUID, on db: any Database) async throws {
        guard let handlerID else { return }
        guard let handler = try await User.find(handlerID, on: db), handler.isActive else { throw AppError.badRequest(L10n.text("citizens.error.handler")) }
        guard let unit = try await OrgUnit.find(unitID, on: db) else { throw AppError.badRequest(L10n.text("citizens.error.unit")) }
        // The handler works in the unit, inside it, or in a unit above it.
        let handlerUnit = try await OrgUnit.find(handler.$unit.id, on: db)
        guard handler.role == .admin || handlerUnit.map({ $0.path.hasPrefix(unit.path) || unit.path.hasPrefix($0.path) }) == true else {
            throw AppError.badRequest(L10n.text("citizens.error.handler_unit"))
        }
    }

    /// The citizen answers "is it solved?" from the status page: yes closes it, no reopens it
    /// and tells the holding unit.
    public static func citizenAnswer(_ petition: Petition, satisfied: Bool, comment: String, at: Date, on db: any Database) async throws {
        guard petition.status == .resolved else { throw AppError.badRequest(L10n.text("citizens.public.answer_closed")) }
        let actor = AuditActor(id: nil, name: L10n.text("citizens.actor.citizen"), address: nil)
        let text = satisfied ? L10n.text("citizens.event.satisfied") : L10n.format("citizens.event.unsatisfied", [comment.isEmpty ? "—" : String(comment.prefix(1000))])
        let id = try petition.requireID()
        let expected = petition.version
        let before = petition.auditSnapshot
        let counted = PetitionRollup.contribution(petition)
        petition.satisfied = satisfied
        if satisfied {
            petition.status = .closed
            petition.closedOn = CivilDay.startOfDay(at)
        } else {
            petition.status = petition.acceptedOn == nil ? .received : .accepted
            petition.resolvedOn = nil
            petition.reopenCount += 1
        }
        petition.version += 1
        petition.updatedAt = at
        let recounted = PetitionRollup.contribution(petition)
        try await db.transaction { db in
            try await bumpVersion(petition, expected: expected, on: db)
            try await PetitionRollup.move(from: counted, to: recounted, on: db)
            try await PetitionEvent(petitionID: id, kind: satisfied ? .citizenAnswer : .reopened, text: VietnameseText.nfc(text), isPublic: true, actorName: actor.name, at: at).create(on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "update", entityType: "petition", entityID: id,
                                      summary: L10n.format("citizens.audit.citizen", [petition.reference, satisfied ? "1" : "0"]), before: before, after: petition.auditSnapshot)
            if !satisfied {
                _ = try await Inbox.post(
                    toUnit: petition.$unit.id, kind: "citizens.reopened",
                    message: L10n.format("citizens.inbox.reopened", [petition.reference, String(petition.summary.prefix(120))]),
                    target: InboxTarget(type: "petition", id: id), dedupeKey: "citizens.reopened:\(id):\(petition.version)", at: at, on: db
                )
            }
        }
    }

    /// Opens a denouncer's identity for the handler or an administrator, and records the
    /// opening in the audit log and the history (never what was read).
    public static func openIdentity(_ petition: Petition, user: User, keys: CitizenKeys, actor: AuditActor, at: Date, on db: any Database) async throws -> DenouncerIdentity? {
        guard canOpenIdentity(petition, user: user) else { throw AppError.forbidden }
        let id = try petition.requireID()
        guard let row = try await PetitionIdentity.query(on: db).filter(\.$petition.$id == id).first() else { return nil }
        let identity = try keys.vault.open(row.sealed, petitionID: id)
        try await db.transaction { db in
            try await PetitionEvent(petitionID: id, kind: .identityOpened, text: L10n.format("citizens.event.identity_opened", [actor.name]), isPublic: false, actorName: actor.name, at: at).create(on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "read-identity", entityType: "petition", entityID: id,
                                      summary: L10n.format("citizens.audit.identity", [petition.reference]))
        }
        return identity
    }

    /// Only the assigned handler and administrators see a denouncer.
    public static func canOpenIdentity(_ petition: Petition, user: User) -> Bool {
        guard petition.kind == .denunciation else { return false }
        return user.role == .admin || (user.id != nil && petition.$handler.id == user.id)
    }

    /// A submission by its number as people write it ("12/2026").
    public static func find(reference: String, on db: any Database) async throws -> Petition? {
        let parts = reference.trimmingCharacters(in: .whitespaces).split(separator: "/").compactMap { Int($0) }
        guard parts.count == 2 else { return nil }
        return try await Petition.query(on: db).filter(\.$number == parts[0]).filter(\.$year == parts[1]).first()
    }

    /// A submission by its tracking code.
    public static func find(code: String, keys: CitizenKeys, on db: any Database) async throws -> Petition? {
        let normalized = PetitionText.normalizedCode(code)
        guard normalized.count == 12, !normalized.contains("?") else { return nil }
        return try await Petition.query(on: db).filter(\.$codeHash == PetitionText.codeHash(normalized, key: keys.code)).first()
    }

    /// A submission inside `scope`, or 404.
    public static func find(_ id: UUID?, scope: AccessScope, on db: any Database) async throws -> Petition {
        guard let id, let petition = try await scope.filter(Petition.query(on: db)).filter(\.$id == id).first() else { throw AppError.notFound }
        return petition
    }
}
