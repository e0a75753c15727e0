import DanVanCore
import DanVanText
import Fluent
import Foundation
import Vapor

extension Application {
    private struct CitizenLimiterKey: StorageKey { typealias Value = RateLimiter }

    /// Counters for the public form and the code lookup (per instance, in memory).
    var citizenLimiter: RateLimiter {
        if let limiter = storage[CitizenLimiterKey.self] { return limiter }
        let limiter = RateLimiter()
        storage[CitizenLimiterKey.self] = limiter
        return limiter
    }
}

/// The citizens' side, no sign-in: send a submission and get a code and a receipt, look the
/// code up, say whether the matter was solved.
struct PublicController {
    /// Submissions an address may send per hour.
    static let submitsPerHour = 5
    /// Wrong codes an address may try per 15 minutes.
    static let wrongCodesPerWindow = 10
    static let wrongCodeWindow = 900

    struct FormContext: Encodable, Sendable {
        let typed: [String: String]
        let errors: FormErrors
        let kinds: [SelectOption]
        let fields: [SelectOption]
        let communes: [SelectOption]
        let error: String?
    }

    func form(_ req: Request) async throws -> Response {
        try await render(req, typed: [:], errors: FormErrors(), error: nil)
    }

    func render(_ req: Request, typed: [String: String], errors: FormErrors, error: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let communes = try await req.unitTree(in: .everything).filter { $0.level == .commune }
        let kind = typed["kind"] ?? PetitionKind.feedback.rawValue
        let context = FormContext(
            typed: typed, errors: errors,
            kinds: PetitionKind.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == kind) },
            fields: [SelectOption(value: "", label: "—", selected: (typed["field"] ?? "").isEmpty)] + PetitionField.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == typed["field"]) },
            communes: [SelectOption(value: "", label: "—", selected: (typed["commune"] ?? "").isEmpty)] + communes.map { SelectOption(value: $0.id?.uuidString ?? "", label: $0.name, selected: $0.id?.uuidString == typed["commune"]) },
            error: error
        )
        return try await req.render("citizens/public_form", title: req.t("citizens.public.title"), context, status: status)
    }

    func submit(_ req: Request) async throws -> Response {
        let typed = req.typedForm()
        // A filled honeypot is a robot: it is told nothing and nothing is saved.
        if !(typed["website"] ?? "").isEmpty { return try await lookupPage(req, error: nil, status: .ok) }
        let limiter = req.application.citizenLimiter
        guard limiter.allow("submit:\(req.clientAddress)", limit: Self.submitsPerHour, window: 3600, now: req.now) else {
            return try await render(req, typed: typed, errors: FormErrors(), error: req.t("citizens.public.too_many"), status: .tooManyRequests)
        }
        var input = PetitionInput()
        input.kind = PetitionKind(rawValue: typed["kind"] ?? "")
        input.channel = .online
        input.senderName = VietnameseText.clean(typed["sender_name"] ?? "")
        input.senderAddress = VietnameseText.clean(typed["sender_address"] ?? "")
        input.senderContact = VietnameseText.clean(typed["sender_contact"] ?? "")
        input.communeID = UUID(uuidString: typed["commune"] ?? "")
        input.field = PetitionField(rawValue: typed["field"] ?? "")
        input.summary = VietnameseText.clean(typed["summary"] ?? "")
        input.content = typed["content"] ?? ""
        input.receivedOn = CivilDay.startOfDay(req.now)
        let units = try await req.unitsByID()
        let commune = input.communeID.flatMap { units[$0] }
        let errors = PetitionService.validate(input, commune: commune, today: req.now, public: true)
        guard errors.isEmpty, let communeID = input.communeID else {
            return try await render(req, typed: typed, errors: errors, error: nil, status: .unprocessableEntity)
        }
        // The commune receives what its citizens send; the clerk routes it on.
        input.unitID = communeID
        let actor = AuditActor(id: nil, name: L10n.text("citizens.actor.citizen"), address: req.clientAddress)
        let (petition, code) = try await PetitionService.create(input, receivingUnitID: communeID, keys: CitizenKeys.of(req.application), actor: actor, at: req.now, on: req.db)
        _ = try await Inbox.post(
            toUnit: communeID, kind: "citizens.online",
            message: L10n.format("citizens.inbox.online", [petition.reference, petition.kind.label, String(petition.summary.prefix(120))]),
            target: InboxTarget(type: "petition", id: try petition.requireID()), dedupeKey: "citizens.online:\(petition.id!.uuidString)", at: req.now, on: req.db
        )
        try await EarlyWarning.evaluate(after: petition, at: req.now, on: req.db)
        return try await Self.receipt(req, petition: petition, code: code, staff: false)
    }

    struct ReceiptContext: Encodable, Sendable {
        let reference: String
        let code: String
        let kind: String
        let received: String
        let ackDue: String
        let summary: String
        let commune: String
        let staff: Bool
        let petitionID: String
        let isDenunciation: Bool
    }

    /// The receipt with the tracking code: shown once (the code is not stored), printable.
    static func receipt(_ req: Request, petition: Petition, code: String, staff: Bool) async throws -> Response {
        let units = try await req.unitsByID()
        let context = ReceiptContext(
            reference: petition.reference, code: code, kind: petition.kind.label.lowercased(), received: VNFormat.date(petition.receivedOn),
            ackDue: VNFormat.date(petition.ackDueOn), summary: petition.summary, commune: units[petition.$commune.id]?.name ?? "",
            staff: staff, petitionID: petition.id?.uuidString ?? "", isDenunciation: petition.kind == .denunciation
        )
        return try await req.render("citizens/receipt", title: req.t("citizens.receipt.title"), context, status: .created)
    }

    // MARK: Status by code

    struct LookupContext: Encodable, Sendable {
        let error: String?
    }

    func lookup(_ req: Request) async throws -> Response {
        try await lookupPage(req, error: nil)
    }

    func lookupPage(_ req: Request, error: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        try await req.render("citizens/public_lookup", title: req.t("citizens.lookup.title"), LookupContext(error: error), status: status)
    }

    struct StatusContext: Encodable, Sendable {
        struct Step: Encodable, Sendable { let at: String; let label: String; let text: String }
        struct Promise: Encodable, Sendable { let content: String; let unit: String; let due: String; let state: String; let stateLabel: String }
        let code: String
        let reference: String
        let kind: String
        let status: String
        let statusLabel: String
        let received: String
        let due: String
        let dueLabel: String
        let steps: [Step]
        let answer: String
        let decision: String
        let resolved: String
        let askSatisfied: Bool
        let satisfied: String
        let promises: [Promise]
        let message: String?
    }

    /// Finds the submission for a typed code; wrong codes count against the address.
    func petition(forCode code: String, _ req: Request) async throws -> Petition? {
        let key = "wrong-code:\(req.clientAddress)"
        let limiter = req.application.citizenLimiter
        guard limiter.count(key, window: Self.wrongCodeWindow, now: req.now) < Self.wrongCodesPerWindow else {
            throw AppError.tooManyRequests(req.t("citizens.lookup.too_many"))
        }
        if let petition = try await PetitionService.find(code: code, keys: CitizenKeys.of(req.application), on: req.db) { return petition }
        _ = limiter.allow(key, limit: Self.wrongCodesPerWindow, window: Self.wrongCodeWindow, now: req.now)
        return nil
    }

    func status(_ req: Request) async throws -> Response {
        let code = VietnameseText.nfc((try? req.content.get(String.self, at: "code")) ?? "")
        do {
            guard let petition = try await petition(forCode: code, req) else {
                return try await lookupPage(req, error: req.t("citizens.lookup.not_found"), status: .notFound)
            }
            return try await statusPage(req, petition: petition, code: code, message: nil)
        } catch AppError.tooManyRequests(let message) {
            return try await lookupPage(req, error: message, status: .tooManyRequests)
        }
    }

    func statusPage(_ req: Request, petition: Petition, code: String, message: String?) async throws -> Response {
        let id = try petition.requireID()
        let units = try await req.unitsByID()
        let steps = try await PetitionEvent.query(on: req.db).filter(\.$petition.$id == id).filter(\.$isPublic == true).sort(\.$at).all()
        let meetingIDs = try await MeetingPetition.query(on: req.db).filter(\.$petition.$id == id).all().map(\.$meeting.id)
        let commitments = meetingIDs.isEmpty ? [] : try await MeetingCommitment.query(on: req.db).filter(\.$meeting.$id ~~ meetingIDs).sort(\.$dueOn).all()
        let today = CivilDay.startOfDay(req.now)
        let states = try await MeetingService.states(commitments, followUps: req.application.followUps, today: today, on: req.db)
        let due = petition.currentDue
        let context = StatusContext(
            code: PetitionText.normalizedCode(code), reference: petition.reference, kind: petition.kind.label, status: petition.status.rawValue, statusLabel: petition.status.label,
            received: VNFormat.date(petition.receivedOn), due: VNFormat.date(due),
            dueLabel: petition.status == .received ? req.t("citizens.public.due_ack") : req.t("citizens.public.due_resolve"),
            steps: steps.map { .init(at: VNFormat.date($0.at), label: $0.kind.label, text: $0.text) },
            answer: petition.publicAnswer, decision: petition.decision, resolved: VNFormat.date(petition.resolvedOn),
            askSatisfied: petition.status == .resolved && petition.satisfied == nil,
            satisfied: petition.satisfied.map { $0 ? req.t("citizens.satisfied.yes") : req.t("citizens.satisfied.no") } ?? "",
            promises: commitments.map { c in
                let state = states[c.id ?? UUID()] ?? .open
                return .init(content: c.content, unit: units[c.$unit.id]?.name ?? "", due: VNFormat.date(c.dueOn), state: state.rawValue, stateLabel: state.label)
            },
            message: message
        )
        return try await req.render("citizens/public_status", title: req.t("citizens.status.title", petition.reference), context)
    }

    /// "Is it solved?": yes closes the matter, no reopens it.
    func answer(_ req: Request) async throws -> Response {
        let code = VietnameseText.nfc((try? req.content.get(String.self, at: "code")) ?? "")
        let satisfied = (try? req.content.get(String.self, at: "satisfied")) == "yes"
        let comment = VietnameseText.nfc((try? req.content.get(String.self, at: "comment")) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            guard let petition = try await petition(forCode: code, req) else {
                return try await lookupPage(req, error: req.t("citizens.lookup.not_found"), status: .notFound)
            }
            guard petition.status == .resolved, petition.satisfied == nil else {
                return try await statusPage(req, petition: petition, code: code, message: req.t("citizens.public.answer_closed"))
            }
            try await PetitionService.citizenAnswer(petition, satisfied: satisfied, comment: comment, at: req.now, on: req.db)
            return try await statusPage(req, petition: petition, code: code, message: req.t(satisfied ? "citizens.public.thanks_yes" : "citizens.public.thanks_no"))
        } catch AppError.tooManyRequests(let message) {
            return try await lookupPage(req, error: message, status: .tooManyRequests)
        }
    }
}
