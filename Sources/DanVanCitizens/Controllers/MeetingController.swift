import DanVanCore
import DanVanText
import Fluent
import Foundation
import Vapor

/// Reception days and dialogues: the record against the legal minimum, the form with its
/// commitments, one meeting with what became of each promise.
struct MeetingController {
    struct MeetingRow: Encodable, Sendable {
        let id: String
        let kind: String
        let host: String
        let role: String
        let unit: String
        let held: String
        let place: String
        let participants: Int
        let status: String
        let commitments: Int
    }

    struct HostRow: Encodable, Sendable {
        let host: String
        let role: String
        let held: Int
        let minimum: String
        let short: Bool
        let kept: Int
        let late: Int
        let open: Int
    }

    struct IndexContext: Encodable, Sendable {
        let rows: [MeetingRow]
        let hosts: [HostRow]
        let month: String
        let lateCommitments: Int
    }

    func index(_ req: Request) async throws -> Response {
        let scope = try await req.scope()
        let units = try await req.unitsByID()
        let today = CivilDay.startOfDay(req.now)
        let meetings = try await scope.filter(CitizenMeeting.query(on: req.db)).sort(\.$heldOn, .descending).limit(200).all()
        let ids = meetings.compactMap(\.id)
        let commitments = ids.isEmpty ? [] : try await MeetingCommitment.query(on: req.db).filter(\.$meeting.$id ~~ ids).all()
        let states = try await MeetingService.states(commitments, followUps: req.application.followUps, today: today, on: req.db)
        let calendar = VNFormat.calendar
        let monthStart = calendar.date(from: calendar.dateComponents([.year, .month], from: today)) ?? today
        // Each host's reception days this month against the minimum of the office, and their promises.
        struct Key: Hashable { let host: String, role: CitizenMeeting.HostRole }
        var held: [Key: Int] = [:]
        var promises: [Key: (kept: Int, late: Int, open: Int)] = [:]
        let byMeeting = Dictionary(grouping: commitments, by: { $0.$meeting.id })
        for meeting in meetings {
            let key = Key(host: meeting.hostName, role: meeting.hostRole)
            if meeting.kind == .reception, meeting.status == .held, meeting.heldOn >= monthStart { held[key, default: 0] += 1 } else if held[key] == nil { held[key] = 0 }
            for commitment in byMeeting[meeting.id ?? UUID()] ?? [] {
                var counts = promises[key] ?? (0, 0, 0)
                switch states[commitment.id ?? UUID()] ?? .open {
                case .kept, .keptLate: counts.kept += 1
                case .late: counts.late += 1
                case .open: counts.open += 1
                }
                promises[key] = counts
            }
        }
        let hosts = held.keys.sorted { ($0.role.rawValue, $0.host) < ($1.role.rawValue, $1.host) }.map { key -> HostRow in
            let count = held[key] ?? 0
            let minimum = key.role.monthlyMinimum
            let p = promises[key] ?? (0, 0, 0)
            return HostRow(host: key.host, role: key.role.label, held: count, minimum: minimum.map(String.init) ?? "—", short: minimum.map { count < $0 } ?? false, kept: p.kept, late: p.late, open: p.open)
        }
        let context = IndexContext(
            rows: meetings.map { m in
                MeetingRow(id: m.id?.uuidString ?? "", kind: m.kind.label, host: m.hostName, role: m.hostRole.label, unit: units[m.$unit.id]?.name ?? "",
                           held: VNFormat.date(m.heldOn), place: m.place, participants: m.participants, status: m.status.label, commitments: byMeeting[m.id ?? UUID()]?.count ?? 0)
            },
            hosts: hosts, month: L10n.format("citizens.meetings.month", [String(calendar.component(.month, from: today)), String(calendar.component(.year, from: today))]),
            lateCommitments: states.values.filter { $0 == .late }.count
        )
        return try await req.render("citizens/meetings", title: req.t("citizens.meetings.title"), context)
    }

    struct CommitmentField: Encodable, Sendable {
        let index: Int
        let content: String
        let unit: [SelectOption]
        let unitName: String
        let due: String
        let error: String?
    }

    struct FormContext: Encodable, Sendable {
        let typed: [String: String]
        let errors: FormErrors
        let kinds: [SelectOption]
        let roles: [SelectOption]
        let statuses: [SelectOption]
        let communes: [SelectOption]
        let unitOptions: String
        let unitList: String
        let commitments: [CommitmentField]
    }

    func new(_ req: Request) async throws -> Response {
        var typed: [String: String] = ["held_on": VNFormat.isoDate(req.now), "kind": "reception", "status": "held"]
        if let petition = (try? req.query.get(String.self, at: "petition")) { typed["petitions"] = petition }
        return try await form(req, typed: typed, errors: FormErrors())
    }

    func form(_ req: Request, typed: [String: String], errors: FormErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let scope = try await req.scope()
        let labels = Dictionary(try await req.unitPickerLabels(in: .everything).map { ($0.id, $0.label) }, uniquingKeysWith: { first, _ in first })
        let communes = try await req.unitTree(in: .everything).filter { $0.level == .commune }
        let unitID = UUID(uuidString: typed["unit"] ?? "") ?? req.currentUser?.$unit.id
        let rows = max(3, Self.commitmentIndexes(typed).count + 1)
        let context = FormContext(
            typed: typed, errors: errors,
            kinds: CitizenMeeting.Kind.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == typed["kind"]) },
            roles: CitizenMeeting.HostRole.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == (typed["host_role"] ?? "other")) },
            statuses: CitizenMeeting.Status.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == typed["status"]) },
            communes: [SelectOption(value: "", label: "—", selected: (typed["commune"] ?? "").isEmpty)] + communes.map { SelectOption(value: $0.id?.uuidString ?? "", label: $0.name, selected: $0.id?.uuidString == typed["commune"]) },
            unitOptions: try await req.unitOptionsHTML(in: scope, selected: Set([unitID].compactMap { $0 })),
            unitList: try await req.unitPickerListHTML(in: .everything),
            commitments: (0..<rows).map { index in
                let chosen = UUID(uuidString: typed["commitment.\(index).unit"] ?? "")
                return CommitmentField(
                    index: index, content: typed["commitment.\(index).content"] ?? "",
                    unit: chosen.flatMap { id in labels[id].map { [SelectOption(value: id.uuidString, label: $0, selected: true)] } } ?? [],
                    unitName: typed["commitment.\(index).unit_name"] ?? "", due: typed["commitment.\(index).due"] ?? "", error: errors["commitment.\(index)"]
                )
            }
        )
        return try await req.render("citizens/meeting_form", title: req.t("citizens.meetings.new"), context, status: status)
    }

    static func commitmentIndexes(_ typed: [String: String]) -> [Int] {
        Set(typed.keys.compactMap { key -> Int? in
            guard key.hasPrefix("commitment.") else { return nil }
            let parts = key.split(separator: ".")
            return parts.count == 3 ? Int(parts[1]) : nil
        }).sorted()
    }

    func create(_ req: Request) async throws -> Response {
        var typed: [String: String] = [:]
        for (name, value) in req.formPairs() where !value.isEmpty || typed[name] == nil { typed[name] = VietnameseText.nfc(value) }
        let scope = try await req.scope()
        let units = try await req.unitsByID()
        var input = MeetingInput()
        input.kind = CitizenMeeting.Kind(rawValue: typed["kind"] ?? "") ?? .reception
        input.hostName = VietnameseText.clean(typed["host_name"] ?? "")
        input.hostRole = CitizenMeeting.HostRole(rawValue: typed["host_role"] ?? "") ?? .other
        input.unitID = UUID(uuidString: typed["unit"] ?? "").flatMap { units[$0].map(scope.contains) == true ? $0 : nil }
        input.communeID = UUID(uuidString: typed["commune"] ?? "").flatMap { units[$0]?.level == .commune ? $0 : nil }
        input.heldOn = VNFormat.parseDate(typed["held_on"] ?? "")
        input.place = VietnameseText.clean(typed["place"] ?? "")
        input.participants = Int((typed["participants"] ?? "").trimmingCharacters(in: .whitespaces)) ?? 0
        input.groups = typed["groups"] ?? ""
        input.topics = typed["topics"] ?? ""
        input.minutes = typed["minutes"] ?? ""
        input.status = CitizenMeeting.Status(rawValue: typed["status"] ?? "") ?? .held
        let labels = Dictionary(try await req.unitPickerLabels(in: .everything).map { (VietnameseText.fold($0.label), $0.id) }, uniquingKeysWith: { first, _ in first })
        for index in Self.commitmentIndexes(typed) {
            let content = VietnameseText.clean(typed["commitment.\(index).content"] ?? "")
            guard !content.isEmpty else { continue }
            var unitID = UUID(uuidString: typed["commitment.\(index).unit"] ?? "").flatMap { units[$0] != nil ? $0 : nil }
            if unitID == nil, let name = typed["commitment.\(index).unit_name"], !name.isEmpty { unitID = labels[VietnameseText.fold(name)] }
            if let unitID { typed["commitment.\(index).unit"] = unitID.uuidString }
            input.commitments.append(.init(content: content, unitID: unitID, dueOn: VNFormat.parseDate(typed["commitment.\(index).due"] ?? "")))
        }
        // Submissions raised, by their numbers ("12/2026, 15/2026").
        var petitionIDs: [UUID] = []
        var errors = FormErrors()
        for reference in (typed["petitions"] ?? "").split(whereSeparator: { $0 == "," || $0 == ";" || $0.isWhitespace }).map(String.init) where !reference.isEmpty {
            if let found = try await PetitionService.find(reference: reference, on: req.db), let id = found.id {
                petitionIDs.append(id)
            } else {
                errors.add("petitions", "citizens.error.petition_ref", reference)
            }
        }
        let calendar = try await WorkingCalendarStore.load(on: req.db)
        MeetingService.validate(input, calendar: calendar, today: req.now, into: &errors)
        // Validation numbers the non-empty commitment rows from 0; the form is shown the same way.
        guard errors.isEmpty else { return try await form(req, typed: Self.renumbered(typed), errors: errors, status: .unprocessableEntity) }
        let meeting = try await MeetingService.create(input, petitionIDs: petitionIDs, followUps: req.application.followUps, actor: req.actor, at: req.now, on: req.db)
        req.flash(.success, req.t("citizens.flash.meeting", String(input.commitments.count)))
        return req.redirect(to: CitizensRoute.meeting(meeting.id))
    }

    /// The typed commitment rows without the empty ones, numbered from 0 (as validation numbers them).
    static func renumbered(_ typed: [String: String]) -> [String: String] {
        var result = typed.filter { !$0.key.hasPrefix("commitment.") }
        var next = 0
        for index in commitmentIndexes(typed) where !(typed["commitment.\(index).content"] ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
            for field in ["content", "unit", "unit_name", "due"] { result["commitment.\(next).\(field)"] = typed["commitment.\(index).\(field)"] }
            next += 1
        }
        return result
    }

    struct CommitmentRow: Encodable, Sendable {
        let id: String
        let content: String
        let unit: String
        let due: String
        let state: String
        let stateLabel: String
        let href: String?
        let canKeep: Bool
    }

    struct ShowContext: Encodable, Sendable {
        let id: String
        let kind: String
        let host: String
        let role: String
        let unit: String
        let commune: String
        let held: String
        let place: String
        let participants: Int
        let groups: String
        let topics: String
        let minutes: String
        let status: String
        let petitions: [PetitionController.LinkRow]
        let commitments: [CommitmentRow]
        let today: String
        let tracked: Bool
    }

    func show(_ req: Request) async throws -> Response {
        let meeting = try await find(req)
        let id = try meeting.requireID()
        let units = try await req.unitsByID()
        let links = try await MeetingPetition.query(on: req.db).filter(\.$meeting.$id == id).all().map(\.$petition.id)
        let petitions = links.isEmpty ? [] : try await Petition.query(on: req.db).filter(\.$id ~~ links).sort(\.$number).all()
        let commitments = try await MeetingCommitment.query(on: req.db).filter(\.$meeting.$id == id).sort(\.$dueOn).all()
        let states = try await MeetingService.states(commitments, followUps: req.application.followUps, today: CivilDay.startOfDay(req.now), on: req.db)
        let targets = req.application.inboxTargets
        let context = ShowContext(
            id: id.uuidString, kind: meeting.kind.label, host: meeting.hostName, role: meeting.hostRole.label, unit: units[meeting.$unit.id]?.name ?? "",
            commune: meeting.$commune.id.flatMap { units[$0]?.name } ?? "", held: VNFormat.date(meeting.heldOn), place: meeting.place,
            participants: meeting.participants, groups: meeting.groups, topics: meeting.topics, minutes: meeting.minutes, status: meeting.status.label,
            petitions: petitions.map { .init(href: CitizensRoute.petition($0.id).path, label: "\($0.reference) — \($0.summary)") },
            commitments: commitments.map { c in
                let state = states[c.id ?? UUID()] ?? .open
                return CommitmentRow(
                    id: c.id?.uuidString ?? "", content: c.content, unit: units[c.$unit.id]?.name ?? "", due: VNFormat.date(c.dueOn), state: state.rawValue, stateLabel: state.label,
                    href: c.followUpType.flatMap { type in c.followUpID.flatMap { targets.link(InboxTarget(type: type, id: $0)) } }, canKeep: c.followUpID == nil && c.keptOn == nil
                )
            },
            today: VNFormat.isoDate(req.now), tracked: req.application.followUps.available
        )
        return try await req.render("citizens/meeting", title: "\(meeting.kind.label) \(VNFormat.date(meeting.heldOn))", context)
    }

    func find(_ req: Request) async throws -> CitizenMeeting {
        guard let id = req.parameters.get("meetingID", as: UUID.self),
              let meeting = try await (try await req.scope()).filter(CitizenMeeting.query(on: req.db)).filter(\.$id == id).first() else { throw AppError.notFound }
        return meeting
    }

    /// Records a commitment kept (only where no follow-up module tracks it).
    func keep(_ req: Request) async throws -> Response {
        let meeting = try await find(req)
        guard let commitmentID = req.parameters.get("commitmentID", as: UUID.self),
              let commitment = try await MeetingCommitment.query(on: req.db).filter(\.$id == commitmentID).filter(\.$meeting.$id == meeting.requireID()).first()
        else { throw AppError.notFound }
        let day = VNFormat.parseDate((try? req.content.get(String.self, at: "on")) ?? "") ?? CivilDay.startOfDay(req.now)
        try await MeetingService.keep(commitment, on: min(day, CivilDay.startOfDay(req.now)), actor: req.actor, at: req.now, on: req.db)
        req.flash(.success, req.t("citizens.flash.kept"))
        return req.redirect(to: CitizensRoute.meeting(meeting.id))
    }
}
