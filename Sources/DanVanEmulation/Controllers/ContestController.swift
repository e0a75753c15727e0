import DanVanCore
import DanVanText
import Fluent
import Foundation
import Vapor

/// Juried contests: the press-writing contest on DVK examples and the DVK Hội thi.
struct ContestController {
    struct Row: Encodable, Sendable {
        let id: String
        let title: String
        let kind: String
        let year: Int
        let status: String
        let statusKey: String
        let entries: Int
    }

    struct IndexContext: Encodable, Sendable {
        let rows: [Row]
        let canCreate: Bool
        let kinds: [SelectOption]
        let sets: [SelectOption]
        let councils: [SelectOption]
        let typed: [String: String]
        let errors: FormErrors
    }

    func index(_ req: Request) async throws -> Response {
        try await index(req, typed: ["prizes": L10n.text("emulation.contest.default_prizes")], errors: FormErrors())
    }

    func index(_ req: Request, typed: [String: String], errors: FormErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let contests = try await JuriedContest.query(on: req.db).sort(\.$createdAt, .descending).limit(100).all()
        var rows: [Row] = []
        for contest in contests {
            rows.append(Row(id: contest.id?.uuidString ?? "", title: contest.title, kind: contest.kind.label, year: contest.year, status: contest.status.label, statusKey: contest.status.rawValue,
                            entries: try await ContestEntry.query(on: req.db).filter(\.$contest.$id == contest.requireID()).count()))
        }
        let year = EmulationAccess.currentYear(req)
        var councils: [Council] = []
        for council in try await Council.query(on: req.db).filter(\.$year == year).filter(\.$purpose == .contest).all() where try await EmulationAccess.manages(req, council: council) { councils.append(council) }
        let sets = try await CriteriaSet.query(on: req.db).filter(\.$year == year).filter(\.$purpose == .contest).all()
        let context = IndexContext(
            rows: rows, canCreate: !councils.isEmpty && !sets.isEmpty,
            kinds: JuriedContest.Kind.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == typed["kind"]) },
            sets: sets.map { SelectOption(value: $0.id?.uuidString ?? "", label: $0.title, selected: $0.id?.uuidString == typed["set"]) },
            councils: councils.map { SelectOption(value: $0.id?.uuidString ?? "", label: $0.name, selected: $0.id?.uuidString == typed["council"]) },
            typed: typed, errors: errors
        )
        return try await req.render("emulation/contests", title: req.t("emulation.contests.title"), context, status: status)
    }

    func create(_ req: Request) async throws -> Response {
        let typed = req.typedForm()
        var errors = FormErrors()
        let title = VietnameseText.clean(typed["title"] ?? "")
        if title.isEmpty { errors.add("title", "emulation.error.name") }
        let kind = JuriedContest.Kind(rawValue: typed["kind"] ?? "")
        if kind == nil { errors.add("kind", "emulation.error.kind") }
        let council = try await UUID(uuidString: typed["council"] ?? "").asyncFlatMap { try await Council.find($0, on: req.db) }
        let set = try await UUID(uuidString: typed["set"] ?? "").asyncFlatMap { try await CriteriaSet.find($0, on: req.db) }
        if council?.purpose != .contest { errors.add("council", "emulation.error.council") }
        if set?.purpose != .contest { errors.add("set", "emulation.error.set") }
        if AssessmentEngine.prizes(typed["prizes"] ?? "").isEmpty { errors.add("prizes", "emulation.error.prizes") }
        if let council, !(try await EmulationAccess.manages(req, council: council)) { throw AppError.forbidden }
        guard errors.isEmpty, let council, let set, let kind else { return try await index(req, typed: typed, errors: errors, status: .unprocessableEntity) }
        let contest = JuriedContest()
        contest.id = UUID()
        contest.$unit.id = council.$unit.id
        contest.title = title
        contest.kind = kind
        contest.year = set.year
        contest.$set.id = try set.requireID()
        contest.$council.id = try council.requireID()
        contest.status = .open
        contest.prizes = VietnameseText.nfc(typed["prizes"] ?? "")
        contest.round = 0
        contest.createdAt = req.now
        try await req.db.transaction { db in
            try await contest.create(on: db)
            try await AuditLog.record(on: db, actor: req.actor, at: req.now, action: "create", entityType: "contest", entityID: contest.id, summary: req.t("emulation.audit.contest", title))
        }
        return req.redirect(to: EmulationRoute.contest(contest.id))
    }

    struct EntryRow: Encodable, Sendable {
        let id: String
        let title: String
        let author: String
        let unit: String
        let summary: String
        let result: String
        let prize: String
        let rank: String
        let appraisalID: String?
        let progress: String
        let files: [AttachmentRow]
    }

    struct ShowContext: Encodable, Sendable {
        let id: String
        let title: String
        let kind: String
        let year: Int
        let status: String
        let statusKey: String
        let round: Int
        let prizes: String
        let council: String
        let entries: [EntryRow]
        let manages: Bool
        let canEnter: Bool
        let unitOptions: String
        let typed: [String: String]
        let errors: FormErrors
        let roundClosed: Bool
    }

    func find(_ req: Request) async throws -> JuriedContest {
        guard let id = req.parameters.get("contestID", as: UUID.self), let contest = try await JuriedContest.find(id, on: req.db) else { throw AppError.notFound }
        return contest
    }

    func show(_ req: Request) async throws -> Response {
        try await show(req, contest: try await find(req), typed: [:], errors: FormErrors())
    }

    func show(_ req: Request, contest: JuriedContest, typed: [String: String], errors: FormErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let council = try await Council.find(contest.$council.id, on: req.db)
        let manages = try await council.asyncFlatMap { try await EmulationAccess.manages(req, council: $0) } ?? false
        let units = try await req.unitsByID()
        let scope = try await req.scope()
        var entries = try await ContestEntry.query(on: req.db).filter(\.$contest.$id == contest.requireID()).all()
        let member = try await council.asyncFlatMap { c in try await CouncilMember.query(on: req.db).filter(\.$council.$id == c.requireID()).filter(\.$user.$id == req.requireUser().requireID()).first() } != nil
        // Officials see their own units' entries; the council and its level see all.
        if !manages && !member { entries = entries.filter { units[$0.$unit.id].map(scope.contains) ?? false } }
        entries.sort { ($0.rank ?? Int.max, -($0.result ?? -1), $0.createdAt) < ($1.rank ?? Int.max, -($1.result ?? -1), $1.createdAt) }
        let appraisals = try await ContestService.appraisals(contest, round: contest.round, on: req.db)
        let byEntry = Dictionary(appraisals.map { ($0.subjectID, $0) }, uniquingKeysWith: { a, _ in a })
        let files = try await EmulationAccess.fileRows(owner: "entry", ids: entries.compactMap(\.id), href: { EmulationRoute.entryFile($0.ownerID, $0.id).path }, on: req.db)
        var rows: [EntryRow] = []
        let states = try await AssessmentService.states(appraisals, units: units, on: req.db)
        for entry in entries {
            let appraisal = entry.id.flatMap { byEntry[$0] }
            let progress = appraisal.flatMap { $0.id }.flatMap { states[$0]?.progress }
            rows.append(EntryRow(
                id: entry.id?.uuidString ?? "", title: entry.title, author: entry.author, unit: units[entry.$unit.id]?.name ?? "", summary: entry.summary,
                result: entry.result.map { VNFormat.decimal($0, places: 2) } ?? "", prize: entry.prize ?? "", rank: entry.rank.map(String.init) ?? "",
                appraisalID: appraisal?.id?.uuidString, progress: progress.map { req.t("emulation.progress", String($0.scored), String($0.eligible)) } ?? "", files: files[entry.id ?? UUID()] ?? []
            ))
        }
        let context = ShowContext(
            id: contest.id?.uuidString ?? "", title: contest.title, kind: contest.kind.label, year: contest.year, status: contest.status.label, statusKey: contest.status.rawValue,
            round: contest.round, prizes: contest.prizes, council: council?.name ?? "", entries: rows, manages: manages, canEnter: contest.status == .open,
            unitOptions: try await req.unitOptionsHTML(in: scope, selected: Set([UUID(uuidString: typed["unit"] ?? "") ?? req.currentUser?.$unit.id].compactMap { $0 })),
            typed: typed, errors: errors, roundClosed: !appraisals.isEmpty && appraisals.allSatisfy { $0.status == .closed }
        )
        return try await req.render("emulation/contest", title: contest.title, context, status: status)
    }

    func entry(_ req: Request) async throws -> Response {
        let contest = try await find(req)
        let typed = req.typedForm()
        let units = try await req.unitsByID()
        let scope = try await req.scope()
        guard let unitID = UUID(uuidString: typed["unit"] ?? ""), let unit = units[unitID], scope.contains(unit) else {
            var errors = FormErrors()
            errors.add("unit", "emulation.error.unit")
            return try await show(req, contest: contest, typed: typed, errors: errors, status: .unprocessableEntity)
        }
        var stored: [(filename: String, stored: FileStore.Stored)] = []
        switch EmulationAccess.uploads(req) {
        case .success(let files): stored = files
        case .failure(let refusal):
            var errors = FormErrors()
            errors.add("files", "emulation.error.file_refused", refusal.message)
            return try await show(req, contest: contest, typed: typed, errors: errors, status: .unprocessableEntity)
        }
        let errors = try await ContestService.addEntry(contest, unitID: unitID, title: typed["title"] ?? "", author: typed["author"] ?? "", summary: String((typed["summary"] ?? "").prefix(8000)),
                                                       files: stored, actor: req.actor, at: req.now, on: req.db)
        guard errors.isEmpty else { return try await show(req, contest: contest, typed: typed, errors: errors, status: .unprocessableEntity) }
        req.flash(.success, req.t("emulation.flash.entry"))
        return req.redirect(to: EmulationRoute.contest(contest.id))
    }

    func requireManager(_ req: Request, _ contest: JuriedContest) async throws {
        guard let council = try await Council.find(contest.$council.id, on: req.db), try await EmulationAccess.manages(req, council: council) else { throw AppError.forbidden }
    }

    func round(_ req: Request) async throws -> Response {
        let contest = try await find(req)
        try await requireManager(req, contest)
        let typed = req.typedForm()
        if let refusal = try await ContestService.openRound(contest, top: Int(typed["top"] ?? ""), actor: req.actor, at: req.now, on: req.db) {
            var errors = FormErrors()
            errors.add("round", refusal)
            return try await show(req, contest: contest, typed: typed, errors: errors, status: .unprocessableEntity)
        }
        req.flash(.success, req.t("emulation.flash.round", String(contest.round)))
        return req.redirect(to: EmulationRoute.contest(contest.id))
    }

    func publish(_ req: Request) async throws -> Response {
        let contest = try await find(req)
        try await requireManager(req, contest)
        if let refusal = try await ContestService.publish(contest, actor: req.actor, at: req.now, on: req.db) {
            var errors = FormErrors()
            errors.add("round", refusal)
            return try await show(req, contest: contest, typed: [:], errors: errors, status: .unprocessableEntity)
        }
        req.flash(.success, req.t("emulation.flash.published"))
        return req.redirect(to: EmulationRoute.contest(contest.id))
    }

    func download(_ req: Request) async throws -> Response {
        guard let entryID = req.parameters.get("entryID", as: UUID.self), let entry = try await ContestEntry.find(entryID, on: req.db),
              let fileID = req.parameters.get("fileID", as: UUID.self), let file = try await EmulationFile.find(fileID, on: req.db), file.ownerType == "entry", file.ownerID == entryID else { throw AppError.notFound }
        let contest = try await JuriedContest.find(entry.$contest.id, on: req.db)
        let council = try await contest.asyncFlatMap { try await Council.find($0.$council.id, on: req.db) }
        let manages = try await council.asyncFlatMap { try await EmulationAccess.manages(req, council: $0) } ?? false
        let member = try await council.asyncFlatMap { c in try await CouncilMember.query(on: req.db).filter(\.$council.$id == c.requireID()).filter(\.$user.$id == req.requireUser().requireID()).first() } != nil
        let own = try await EmulationAccess.editsUnit(req, entry.$unit.id)
        guard manages || member || own else { throw AppError.notFound }
        return try req.download(key: file.storageKey, sha256: file.sha256, filename: file.filename, contentType: file.contentType)
    }
}
