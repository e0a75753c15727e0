import DanVanCore
import DanVanText
import Fluent
import Foundation
import SQLKit
import Vapor

/// The organiser's pages under `/quiz`.
struct QuizAdminController {

    struct ContestRow: Encodable, Sendable {
        let id: String
        let title: String
        let slug: String
        let status: String
        let statusLabel: String
        let unit: String
        let participants: String
        let rounds: Int
    }

    struct RoundRow: Encodable, Sendable {
        let number: Int
        let title: String
        let status: String
        let statusLabel: String
        let phaseLabel: String
        let opensAt: String
        let closesAt: String
        let questionCount: Int
        let attempts: String
        let perfectCount: String
    }

    struct ContestContext: Encodable, Sendable {
        let id: String
        let title: String
        let slug: String
        let statusLabel: String
        let unit: String
        let rules: String
        let prizes: String
        let minAge: Int
        let requireID: Bool
        let graceSeconds: Int
        let minSeconds: Int
        let rounds: [RoundRow]
        let questions: Int
        let participants: String
        let openFlags: Int
        let canManage: Bool
    }

    struct ContestFormContext: Encodable, Sendable {
        let id: String?
        let form: QuizAdmin.ContestForm
        let units: [SelectOption]
        let statuses: [SelectOption]
        let errors: FormErrors
    }

    struct RoundFormContext: Encodable, Sendable {
        let contestID: String
        let contestTitle: String
        let number: Int?
        let form: QuizAdmin.RoundForm
        let errors: FormErrors
    }

    struct RoundContext: Encodable, Sendable {
        let contestID: String
        let contestTitle: String
        let slug: String
        let number: Int
        let title: String
        let status: String
        let statusLabel: String
        let phaseLabel: String
        let opensAt: String
        let closesAt: String
        let questionCount: Int
        let minutes: Int
        let maxAttempts: Int
        let predictionQuestion: String
        let pool: [QuestionRow]
        let attempts: String
        let submitted: String
        let participants: String
        let perfectCount: String
        let closed: Bool
        let draft: Bool
        let canClose: Bool
        let results: [QuizPublicController.StandingRow]
        let ranked: String
        let mostParticipants: [QuizAdmin.UnitStanding]
        let highestRate: [QuizAdmin.UnitStanding]
        let unitPrizes: Bool
        let canManage: Bool
    }

    struct BankContext: Encodable, Sendable {
        let contestID: String
        let contestTitle: String
        let rows: [QuestionRow]
        let total: Int
        let query: String
        let importErrors: [QuizRules.RowError]
        let importMessage: String?
        let canManage: Bool
    }

    struct ParticipationContext: Encodable, Sendable {
        let contestID: String
        let contestTitle: String
        let units: [QuizAdmin.UnitParticipation]
        let days: [QuizAdmin.DayParticipation]
        let rounds: [SelectOption]
        let roundQuery: String
        let totalParticipants: String
        let lagging: Int
        let canManage: Bool
    }

    struct FlagRow: Encodable, Sendable {
        let id: String
        let kind: String
        let at: String
        let address: String
        let detail: String
        let participant: String
        let disqualified: Bool
        let reviewed: Bool
        let note: String
    }

    struct FlagsContext: Encodable, Sendable {
        let contestID: String
        let contestTitle: String
        let rows: [FlagRow]
        let showAll: Bool
    }

    static let managers: Set<Role> = [.admin, .specialist, .leader]

    static func canManage(_ req: Request) -> Bool { req.currentUser.map { managers.contains($0.role) } ?? false }

    static func requireManager(_ req: Request) throws {
        guard canManage(req) else { throw AppError.forbidden }
    }

    static func contest(_ req: Request) async throws -> QuizContest {
        try await QuizAdmin.contest(req.parameters.get("contestID", as: UUID.self), scope: req.scope(), on: req.db)
    }

    static func round(_ req: Request, contest: QuizContest) async throws -> QuizRound {
        guard let number = req.parameters.get("number", as: Int.self),
              let round = try await QuizRound.query(on: req.db).filter(\.$contest.$id == contest.requireID()).filter(\.$number == number).first()
        else { throw AppError.notFound }
        return round
    }

    // MARK: Contests

    func index(_ req: Request) async throws -> Response {
        let contests = try await QuizAdmin.contests(scope: req.scope(), on: req.db)
        var rows: [ContestRow] = []
        for contest in contests {
            let id = try contest.requireID()
            let unit = try await OrgUnit.find(contest.$unit.id, on: req.db)
            rows.append(ContestRow(
                id: id.uuidString, title: contest.title, slug: contest.slug, status: contest.status.rawValue, statusLabel: contest.status.label,
                unit: unit?.name ?? "", participants: VNFormat.integer(try await QuizParticipant.query(on: req.db).filter(\.$contest.$id == id).count()),
                rounds: try await QuizRound.query(on: req.db).filter(\.$contest.$id == id).count()
            ))
        }
        struct Context: Encodable, Sendable { let rows: [ContestRow]; let canManage: Bool }
        return try await req.render("quiz/admin_index", title: req.t("quiz.admin.title"), Context(rows: rows, canManage: Self.canManage(req)))
    }

    func contestForm(_ req: Request, contest: QuizContest?, form: QuizAdmin.ContestForm?, errors: FormErrors) async throws -> Response {
        let scope = try await req.scope()
        let units = try await scope.filter(OrgUnit.query(on: req.db)).filter(\.$status == .active).sort(\.$path).all()
        let current = try await req.currentUnit()
        let form = form ?? QuizAdmin.ContestForm(
            slug: contest?.slug, title: contest?.title, rules: contest?.rules ?? req.t("quiz.admin.defaultRules"),
            unitID: (contest?.$unit.id ?? current.id)?.uuidString, status: contest?.status.rawValue ?? "draft", minAge: String(contest?.minAge ?? 0),
            requireIDNumber: (contest?.requireIDNumber ?? false) ? "on" : nil, occupations: contest?.occupations ?? req.t("quiz.admin.defaultOccupations"),
            prizes: contest?.prizes ?? req.t("quiz.nhat_1_nhi_2_ba_5"), unitPrizes: (contest?.unitPrizes ?? true) ? "on" : nil,
            graceSeconds: String(contest?.graceSeconds ?? 15), minSecondsPerQuestion: String(contest?.minSecondsPerQuestion ?? 2)
        )
        let statuses = QuizContest.Status.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == form.status) }
        return try await req.render("quiz/admin_contest_form", title: contest == nil ? req.t("quiz.admin.newContest") : req.t("quiz.admin.editContest"), ContestFormContext(
            id: contest?.id?.uuidString, form: form, units: SelectOption.units(units, selectedID: form.unitID), statuses: statuses, errors: errors
        ), status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    func newContest(_ req: Request) async throws -> Response {
        try Self.requireManager(req)
        return try await contestForm(req, contest: nil, form: nil, errors: FormErrors())
    }

    func editContest(_ req: Request) async throws -> Response {
        try Self.requireManager(req)
        return try await contestForm(req, contest: try await Self.contest(req), form: nil, errors: FormErrors())
    }

    func saveContest(_ req: Request) async throws -> Response {
        try Self.requireManager(req)
        let existing: QuizContest? = req.parameters.get("contestID") == nil ? nil : try await Self.contest(req)
        let contest = existing ?? QuizContest()
        let before = existing?.auditSnapshot
        let form = try req.content.decode(QuizAdmin.ContestForm.self)
        let errors = try await QuizAdmin.apply(form, to: contest, scope: req.scope(), on: req.db)
        guard errors.isEmpty else { return try await contestForm(req, contest: existing, form: form, errors: errors) }
        try await req.db.transaction { db in
            try await contest.save(on: db)
            try await req.audit(on: db, existing == nil ? "create" : "update", "quizContest", id: contest.id, summary: L10n.format("quiz.cuoc_thi", ["\(contest.title)"]), before: before, after: contest.auditSnapshot)
        }
        req.flash(.success, req.t("quiz.admin.saved"))
        return req.redirect(to: QuizRoute.contest(contest.id))
    }

    func show(_ req: Request) async throws -> Response {
        let contest = try await Self.contest(req)
        let id = try contest.requireID()
        let now = req.now
        let rounds = try await QuizRound.query(on: req.db).filter(\.$contest.$id == id).sort(\.$number).all()
        var rows: [RoundRow] = []
        for round in rounds {
            let attempts = try await QuizAttempt.query(on: req.db).filter(\.$round.$id == round.requireID()).count()
            rows.append(RoundRow(
                number: round.number, title: round.title, status: round.status.rawValue, statusLabel: round.status.label,
                phaseLabel: req.t("quiz.phase.\(round.phase(at: now))"), opensAt: VNFormat.dateTime(round.opensAt), closesAt: VNFormat.dateTime(round.closesAt),
                questionCount: round.questionCount, attempts: VNFormat.integer(attempts), perfectCount: round.perfectCount.map(VNFormat.integer) ?? ""
            ))
        }
        let unit = try await OrgUnit.find(contest.$unit.id, on: req.db)
        return try await req.render("quiz/admin_contest", title: contest.title, ContestContext(
            id: id.uuidString, title: contest.title, slug: contest.slug, statusLabel: contest.status.label, unit: unit?.name ?? "", rules: contest.rules,
            prizes: contest.prizes, minAge: contest.minAge, requireID: contest.requireIDNumber, graceSeconds: contest.graceSeconds,
            minSeconds: contest.minSecondsPerQuestion, rounds: rows, questions: try await QuizQuestion.query(on: req.db).filter(\.$contest.$id == id).count(),
            participants: VNFormat.integer(try await QuizParticipant.query(on: req.db).filter(\.$contest.$id == id).count()),
            openFlags: try await QuizFlag.query(on: req.db).filter(\.$contest.$id == id).filter(\.$reviewedAt == nil).count(), canManage: Self.canManage(req)
        ))
    }

    // MARK: Rounds

    func roundForm(_ req: Request, contest: QuizContest, round: QuizRound?, form: QuizAdmin.RoundForm?, errors: FormErrors) async throws -> Response {
        var form = form
        if form == nil {
            let last = try await QuizRound.query(on: req.db).filter(\.$contest.$id == contest.requireID()).sort(\.$number, .descending).first()
            let number = round?.number ?? ((last?.number ?? 0) + 1)
            let opens = round?.opensAt ?? last?.closesAt.addingTimeInterval(3600) ?? req.now
            form = QuizAdmin.RoundForm(
                title: round?.title ?? req.t("quiz.round.defaultTitle", String(number)), opensAt: VNFormat.isoDateTime(opens),
                closesAt: VNFormat.isoDateTime(round?.closesAt ?? opens.addingTimeInterval(7 * 86_400 - 3600)), questionCount: String(round?.questionCount ?? last?.questionCount ?? 20),
                timeLimitMinutes: String((round?.timeLimitSeconds ?? last?.timeLimitSeconds ?? 1200) / 60), maxAttempts: String(round?.maxAttempts ?? last?.maxAttempts ?? 1),
                predictionQuestion: round?.predictionQuestion ?? req.t("quiz.round.defaultPrediction")
            )
        }
        return try await req.render("quiz/admin_round_form", title: round == nil ? req.t("quiz.admin.newRound") : req.t("quiz.admin.editRound"), RoundFormContext(
            contestID: try contest.requireID().uuidString, contestTitle: contest.title, number: round?.number, form: form!, errors: errors
        ), status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    func newRound(_ req: Request) async throws -> Response {
        try Self.requireManager(req)
        return try await roundForm(req, contest: try await Self.contest(req), round: nil, form: nil, errors: FormErrors())
    }

    func editRound(_ req: Request) async throws -> Response {
        try Self.requireManager(req)
        let contest = try await Self.contest(req)
        let round = try await Self.round(req, contest: contest)
        guard round.status == .draft else { throw AppError.conflict("quiz.admin.error.notDraft") }
        return try await roundForm(req, contest: contest, round: round, form: nil, errors: FormErrors())
    }

    func saveRound(_ req: Request) async throws -> Response {
        try Self.requireManager(req)
        let contest = try await Self.contest(req)
        let existing: QuizRound? = req.parameters.get("number") == nil ? nil : try await Self.round(req, contest: contest)
        if let existing, existing.status != .draft { throw AppError.conflict("quiz.admin.error.notDraft") }
        let round = existing ?? QuizRound()
        let before = existing?.auditSnapshot
        let form = try req.content.decode(QuizAdmin.RoundForm.self)
        let errors = QuizAdmin.apply(form, to: round)
        guard errors.isEmpty else { return try await roundForm(req, contest: contest, round: existing, form: form, errors: errors) }
        if existing == nil {
            let last = try await QuizRound.query(on: req.db).filter(\.$contest.$id == contest.requireID()).sort(\.$number, .descending).first()
            round.$contest.id = try contest.requireID()
            round.number = (last?.number ?? 0) + 1
            round.status = .draft
        }
        try await req.db.transaction { db in
            try await round.save(on: db)
            try await req.audit(on: db, existing == nil ? "create" : "update", "quizRound", id: round.id, summary: L10n.format("quiz.tuan_thi", ["\(round.number)", "\(round.title)"]), before: before, after: round.auditSnapshot)
        }
        let pool = try await QuizRoundQuestion.query(on: req.db).filter(\.$round.$id == round.requireID()).count()
        if pool != round.questionCount, (try? await QuizAdmin.draw(round, actor: req.actor, now: req.now, on: req.db)) == nil {
            req.flash(.warning, req.t("quiz.admin.bankShort"))
        }
        req.flash(.success, req.t("quiz.admin.saved"))
        return req.redirect(to: QuizRoute.round(contest.id, round.number))
    }

    func showRound(_ req: Request) async throws -> Response {
        let contest = try await Self.contest(req)
        let round = try await Self.round(req, contest: contest)
        let now = req.now
        let detail = try await QuizAdmin.roundDetail(round, of: contest, on: req.db)
        let pool = detail.questions.enumerated().map { QuestionRow($0.element, index: $0.offset + 1) }
        let results = detail.standings.isEmpty ? [] : QuizPublicController.standingRows(detail.standings, prizes: detail.prizes, mine: nil, maskPhones: false, flagged: detail.flagged)
        let (attempts, submitted, participants, ranked, units) = (detail.attempts, detail.submitted, detail.participants, detail.ranked, detail.units)
        return try await req.render("quiz/admin_round", title: round.title, RoundContext(
            contestID: try contest.requireID().uuidString, contestTitle: contest.title, slug: contest.slug, number: round.number, title: round.title,
            status: round.status.rawValue, statusLabel: round.status.label, phaseLabel: req.t("quiz.phase.\(round.phase(at: now))"),
            opensAt: VNFormat.dateTime(round.opensAt), closesAt: VNFormat.dateTime(round.closesAt), questionCount: round.questionCount,
            minutes: round.timeLimitSeconds / 60, maxAttempts: round.maxAttempts, predictionQuestion: round.predictionQuestion, pool: pool,
            attempts: VNFormat.integer(attempts), submitted: VNFormat.integer(submitted), participants: VNFormat.integer(participants),
            perfectCount: round.perfectCount.map(VNFormat.integer) ?? "", closed: round.status == .closed, draft: round.status == .draft,
            canClose: round.status == .published, results: results, ranked: VNFormat.integer(ranked), mostParticipants: units.mostParticipants,
            highestRate: units.highestRate, unitPrizes: contest.unitPrizes, canManage: Self.canManage(req)
        ))
    }

    func draw(_ req: Request) async throws -> Response {
        try Self.requireManager(req)
        let contest = try await Self.contest(req)
        let round = try await Self.round(req, contest: contest)
        try await QuizAdmin.draw(round, actor: req.actor, now: req.now, on: req.db)
        req.flash(.success, req.t("quiz.admin.drawn", String(round.questionCount)))
        return req.redirect(to: QuizRoute.round(contest.id, round.number))
    }

    func publish(_ req: Request) async throws -> Response {
        try Self.requireManager(req)
        let contest = try await Self.contest(req)
        let round = try await Self.round(req, contest: contest)
        do {
            try await QuizAdmin.publish(round, actor: req.actor, now: req.now, app: req.application, on: req.db)
            req.flash(.success, req.t("quiz.admin.published"))
        } catch let error as AppError {
            req.flash(.error, error.message(req.locale))
        }
        return req.redirect(to: QuizRoute.round(contest.id, round.number))
    }

    func close(_ req: Request) async throws -> Response {
        try Self.requireManager(req)
        let contest = try await Self.contest(req)
        let round = try await Self.round(req, contest: contest)
        guard round.status != .draft else { throw AppError.conflict("quiz.admin.error.closeDraft") }
        let started = Date()
        try await QuizService.close(round, actor: req.actor, now: req.now, app: req.application)
        let elapsed = Date().timeIntervalSince(started)
        req.flash(.success, req.t("quiz.admin.closed", VNFormat.integer(round.perfectCount ?? 0), String(format: "%.2f", elapsed).replacingOccurrences(of: ".", with: ",")))
        return req.redirect(to: QuizRoute.round(contest.id, round.number))
    }

    func exportResults(_ req: Request) async throws -> Response {
        let contest = try await Self.contest(req)
        let round = try await Self.round(req, contest: contest)
        guard round.status == .closed else { throw AppError.conflict("quiz.error.keyNotYet") }
        let format = SpreadsheetFormat(rawValue: req.parameters.get("format") ?? "") ?? .xlsx
        let prizes = QuizRules.prizeNames(QuizRules.prizes(contest.prizes) ?? [])
        let standings = try await QuizService.standings(round: round.requireID(), offset: 0, limit: 1_000_000, on: req.db)
        var rows = [[req.t("quiz.leaderboard.rank"), req.t("quiz.leaderboard.prize"), req.t("quiz.register.fullName"), req.t("quiz.leaderboard.phone"), req.t("quiz.leaderboard.unit"), req.t("quiz.result.correct"), req.t("quiz.du_doan_lech"), req.t("quiz.thoi_gian_giay"), req.t("quiz.result.submittedAt")]]
        for row in QuizPublicController.standingRows(standings, prizes: prizes, mine: nil, maskPhones: false) {
            rows.append([String(row.rank), row.prize, row.name, row.phone, row.unit, String(row.correct), row.distance, row.time.replacingOccurrences(of: req.t("quiz.giay_2"), with: ""), row.submittedAt])
        }
        return try req.spreadsheet(rows, format: format, baseName: "ket-qua-tuan-\(round.number)", sheetName: req.t("quiz.ket_qua_tuan", "\(round.number)"), widths: [7, 18, 28, 14, 30, 10, 12, 14, 20])
    }

    // MARK: Bank

    func bank(_ req: Request, importErrors: [QuizRules.RowError] = [], message: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let contest = try await Self.contest(req)
        let query = VietnameseText.nfc((try? req.query.get(String.self, at: "q")) ?? "")
        var builder = QuizQuestion.query(on: req.db).filter(\.$contest.$id == (try contest.requireID()))
        if !query.isEmpty { builder = builder.filter(\.$searchKey ~~ VietnameseText.fold(query)) }
        let questions = try await builder.sort(\.$number).limit(500).all()
        return try await req.render("quiz/admin_bank", title: req.t("quiz.bank.title"), BankContext(
            contestID: try contest.requireID().uuidString, contestTitle: contest.title,
            rows: questions.map { QuestionRow($0, index: $0.number) },
            total: try await QuizQuestion.query(on: req.db).filter(\.$contest.$id == contest.requireID()).count(), query: query, importErrors: importErrors,
            importMessage: message, canManage: Self.canManage(req)
        ), status: status)
    }

    func bankPage(_ req: Request) async throws -> Response { try await bank(req) }

    struct ImportForm: Content {
        var file: File?
        var skipBad: String?
    }

    func importBank(_ req: Request) async throws -> Response {
        try Self.requireManager(req)
        let contest = try await Self.contest(req)
        let form = try req.content.decode(ImportForm.self)
        guard let file = form.file, file.data.readableBytes > 0 else {
            return try await bank(req, message: req.t("quiz.bank.noFile"), status: .badRequest)
        }
        guard file.data.readableBytes <= 5_000_000 else { return try await bank(req, message: req.t("quiz.bank.tooLarge"), status: .badRequest) }
        let rows: [CSV.Row]
        do {
            rows = try QuizAdmin.rows(fromFile: Data(buffer: file.data), filename: file.filename)
        } catch let error as AppError {
            return try await bank(req, message: error.message(req.locale), status: .badRequest)
        }
        let outcome = try await QuizAdmin.importBank(rows, contest: contest, skipBad: form.skipBad != nil, actor: req.actor, now: req.now, on: req.db)
        if outcome.stored {
            req.flash(.success, req.t("quiz.bank.imported", String(outcome.added)))
            if outcome.errors.isEmpty { return req.redirect(to: QuizRoute.bank(contest.id)) }
            return try await bank(req, importErrors: outcome.errors, message: req.t("quiz.bank.importedSkipping", String(outcome.added), String(outcome.errors.count)))
        }
        return try await bank(req, importErrors: outcome.errors, message: req.t("quiz.bank.rejected", String(outcome.errors.count)), status: .unprocessableEntity)
    }

    func bankTemplate(_ req: Request) async throws -> Response {
        let rows = [
            [req.t("quiz.cau_hoi"), "A", "B", "C", "D", req.t("quiz.public.answerKey"), req.t("quiz.chu_de"), req.t("quiz.giai_thich")],
            [req.t("quiz.phong_trao_thi_dua_dan_van"), "2009", "2010", "2015", "2020", "A", req.t("quiz.dan_van_kheo"), ""],
            [req.t("quiz.nhung_luc_luong_nao_tham_gia"), req.t("quiz.ca_he_thong_chinh_tri"), req.t("quiz.chi_ban_dan_van"), req.t("quiz.luc_luong_vu_trang"), "", "A, C", req.t("quiz.dan_van"), ""],
        ]
        return try req.spreadsheet(rows, format: SpreadsheetFormat(rawValue: req.parameters.get("format") ?? "") ?? .xlsx, baseName: "mau-ngan-hang-cau-hoi", sheetName: req.t("quiz.cau_hoi"), widths: [60, 25, 25, 25, 25, 10, 18, 30])
    }

    // MARK: Participation

    func participation(_ req: Request) async throws -> Response {
        let contest = try await Self.contest(req)
        let roundQuery = (try? req.query.get(String.self, at: "round")) ?? ""
        let rounds = try await QuizRound.query(on: req.db).filter(\.$contest.$id == contest.requireID()).filter(\.$status != .draft).sort(\.$number).all()
        let round = rounds.first { String($0.number) == roundQuery }
        let data = try await QuizAdmin.participation(contest: contest, roundID: round?.id, scope: req.scope(), on: req.db)
        if let format = req.parameters.get("format").flatMap(SpreadsheetFormat.init(rawValue:)) {
            var rows = [[req.t("quiz.leaderboard.unit"), req.t("quiz.so_nguoi_du_thi"), req.t("quiz.so_luot_thi"), req.t("quiz.admin.chi_tieu"), req.t("quiz.admin.ty_le"), req.t("quiz.cham")]]
            for unit in data.units {
                rows.append([String(repeating: "  ", count: unit.depth) + unit.name, String(unit.participants), String(unit.attempts), unit.headcount.map(String.init) ?? "", unit.rateText, unit.lagging ? "x" : ""])
            }
            return try req.spreadsheet(rows, format: format, baseName: "tham-gia-cuoc-thi", sheetName: "Tham gia", widths: [50, 16, 14, 12, 10, 8])
        }
        let total = try await QuizParticipant.query(on: req.db).filter(\.$contest.$id == contest.requireID()).count()
        return try await req.render("quiz/admin_participation", title: req.t("quiz.participation.title"), ParticipationContext(
            contestID: try contest.requireID().uuidString, contestTitle: contest.title, units: data.units, days: data.days,
            rounds: [SelectOption(value: "", label: req.t("quiz.participation.allRounds"), selected: round == nil)]
                + rounds.map { SelectOption(value: String($0.number), label: $0.title, selected: $0.id == round?.id) },
            roundQuery: roundQuery, totalParticipants: VNFormat.integer(total), lagging: data.units.filter(\.lagging).count, canManage: Self.canManage(req)
        ))
    }

    func saveHeadcounts(_ req: Request) async throws -> Response {
        try Self.requireManager(req)
        let contest = try await Self.contest(req)
        let scope = try await req.scope()
        let visible = Set(try await scope.filter(OrgUnit.query(on: req.db)).all().compactMap(\.id))
        var values: [UUID: Int?] = [:]
        for (name, raw) in req.formPairs() {
            guard name.hasPrefix("h_"), let id = UUID(uuidString: String(name.dropFirst(2))), visible.contains(id) else { continue }
            let text = raw.filter { $0 != " " && $0 != "." }
            if text.isEmpty { values[id] = .some(nil); continue }
            guard let value = Int(text), (0...10_000_000).contains(value) else {
                req.flash(.error, req.t("quiz.participation.badHeadcount", raw))
                return req.redirect(to: QuizRoute.participation(contest.id))
            }
            values[id] = value
        }
        try await QuizAdmin.setHeadcounts(values, contest: contest, actor: req.actor, now: req.now, on: req.db)
        req.flash(.success, req.t("quiz.admin.saved"))
        return req.redirect(to: QuizRoute.participation(contest.id))
    }

    func urge(_ req: Request) async throws -> Response {
        try Self.requireManager(req)
        let contest = try await Self.contest(req)
        let unit = try await req.unitInScope(req.parameters.get("unitID", as: UUID.self))
        let now = req.now
        let unitID = try unit.requireID()
        try await req.db.transaction { db in
            _ = try await Inbox.post(
                toUnit: unitID, kind: "quiz.urged", message: req.t("quiz.participation.urgeMessage", contest.title),
                target: InboxTarget(type: "contest", id: contest.id!), dedupeKey: "quiz.urged:\(contest.id!):\(unitID):\(VNFormat.dayKey(now))", at: now, on: db
            )
            try await req.audit(on: db, "update", "quizContest", id: contest.id, summary: L10n.format("quiz.don_doc_van_dong_tham_gia", ["\(unit.name)"]))
        }
        req.flash(.success, req.t("quiz.participation.urged", unit.name))
        return req.redirect(to: QuizRoute.participation(contest.id))
    }

    // MARK: Flags

    func flags(_ req: Request) async throws -> Response {
        let contest = try await Self.contest(req)
        let showAll = (try? req.query.get(String.self, at: "all")) == "1"
        var query = QuizFlag.query(on: req.db).filter(\.$contest.$id == (try contest.requireID()))
        if !showAll { query = query.filter(\.$reviewedAt == nil) }
        let flags = try await query.sort(\.$createdAt, .descending).limit(500).all()
        let ids = Array(Set(flags.compactMap(\.participantID)))
        let participants = ids.isEmpty ? [:] : Dictionary(try await QuizParticipant.query(on: req.db).filter(\.$id ~~ ids).all().map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
        let rows = flags.map { flag in
            let participant = flag.participantID.flatMap { participants[$0] }
            return FlagRow(
                id: flag.id!.uuidString, kind: flag.kind.label, at: VNFormat.dateTime(flag.createdAt), address: flag.address, detail: flag.detail,
                participant: participant.map { "\($0.fullName) (\($0.phone))" } ?? "", disqualified: participant?.disqualified ?? false,
                reviewed: flag.reviewedAt != nil, note: flag.reviewNote ?? ""
            )
        }
        return try await req.render("quiz/admin_flags", title: req.t("quiz.flags.title"), FlagsContext(contestID: try contest.requireID().uuidString, contestTitle: contest.title, rows: rows, showAll: showAll))
    }

    struct ReviewForm: Content {
        var note: String?
        var disqualify: String?
    }

    func review(_ req: Request) async throws -> Response {
        try Self.requireManager(req)
        let contest = try await Self.contest(req)
        guard let id = req.parameters.get("flagID", as: UUID.self),
              let flag = try await QuizFlag.query(on: req.db).filter(\.$id == id).filter(\.$contest.$id == contest.requireID()).first()
        else { throw AppError.notFound }
        let form = try req.content.decode(ReviewForm.self)
        let disqualify = form.disqualify != nil
        let note = VietnameseText.clean(form.note ?? "")
        try await req.db.transaction { db in
            flag.reviewedAt = req.now
            flag.reviewNote = (req.currentUser?.username ?? "") + ": " + (note.isEmpty ? (disqualify ? req.t("quiz.flags.disqualified") : req.t("quiz.flags.accepted")) : note)
            try await flag.update(on: db)
            if disqualify, let participantID = flag.participantID, let participant = try await QuizParticipant.find(participantID, on: db) {
                participant.disqualified = true
                try await participant.update(on: db)
                try await req.audit(on: db, "update", "quizParticipant", id: participantID, summary: L10n.format("quiz.loai_thi_sinh_khoi_xep_hang", ["\(flag.detail)"]), after: ["disqualified": "true"])
            }
            try await req.audit(on: db, "update", "quizFlag", id: id, summary: L10n.format("quiz.xem_xet_canh_bao", ["\(flag.reviewNote ?? "")"]))
        }
        if disqualify, let roundID = flag.roundID, let round = try await QuizRound.find(roundID, on: req.db), round.status == .closed {
            try await QuizService.close(round, actor: req.actor, now: req.now, app: req.application)
        }
        req.flash(.success, req.t("quiz.flags.reviewed"))
        return req.redirect(to: QuizRoute.flags(contest.id))
    }
}
