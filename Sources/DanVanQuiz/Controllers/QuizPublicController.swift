import DanVanCore
import DanVanText
import Fluent
import Foundation
import SQLKit
import Vapor

/// Counts public contest requests per client address (429 past the limit).
struct QuizAddressLimitMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let limit = request.application.quiz.limits.withLockedValue { $0.requestsPerAddressPerMinute }
        guard request.application.quiz.limiter.allow("ip:\(request.clientAddress)", limit: limit, window: 60, now: request.now) else {
            throw AppError.tooManyRequests(request.t("quiz.error.addressLimit"))
        }
        return try await next.respond(to: request)
    }
}

/// The public contest pages: no staff login; participants come back by phone and secret.
struct QuizPublicController {

    struct RoundCard: Encodable, Sendable {
        let number: Int
        let title: String
        let phase: String
        let phaseLabel: String
        let opensAt: String
        let closesAt: String
        let questionCount: Int
        let minutes: Int
        let maxAttempts: Int
        let attemptsUsed: Int
        let canStart: Bool
        let resumeID: String?
        let bestCorrect: String
        /// The attempt behind `bestCorrect`, whose result page the card links to.
        let bestID: String?
        let rank: String
        let perfectCount: String
    }

    struct LandingContext: Encodable, Sendable {
        let slug: String
        let title: String
        let rules: [String]
        let prizes: [String]
        let rounds: [RoundCard]
        let participantName: String?
        let participantPhone: String?
        let countdownTo: String?
        let countdownLabel: String
        let participants: String
    }

    struct RegisterContext: Encodable, Sendable {
        let slug: String
        let title: String
        /// The units' options (the "choose" one comes first in the template).
        let unitOptions: String
        let occupations: [SelectOption]
        let minAge: Int
        let requireID: Bool
        let fullName: String
        let birthDate: String
        let phone: String
        let idNumber: String
        let errors: FormErrors
    }

    struct LoginContext: Encodable, Sendable {
        let slug: String
        let title: String
        let phone: String
        let error: String?
    }

    struct OptionView: Encodable, Sendable {
        let position: Int
        let label: String
        let text: String
    }

    struct QuestionView: Encodable, Sendable {
        let index: Int
        let number: Int
        let text: String
        let multiple: Bool
        let options: [OptionView]
    }

    struct AttemptContext: Encodable, Sendable {
        let slug: String
        let title: String
        let roundTitle: String
        let attemptID: String
        let attemptNo: Int
        let deadline: String
        let deadlineISO: String
        let remainingSeconds: Int
        let questions: [QuestionView]
        let predictionQuestion: String
        let error: String?
    }

    struct ReviewRow: Encodable, Sendable {
        let index: Int
        let text: String
        let chosen: String
        let correctAnswer: String
        let right: Bool
    }

    struct ResultContext: Encodable, Sendable {
        let slug: String
        let title: String
        let roundTitle: String
        let roundNumber: Int
        let status: String
        let statusLabel: String
        let correct: Int
        let questionCount: Int
        let time: String
        let prediction: String
        let submittedAt: String
        let closed: Bool
        let rank: String
        let counted: Bool
        let review: [ReviewRow]
        let attemptsLeft: Int
    }

    struct StandingRow: Encodable, Sendable {
        let rank: Int
        let name: String
        let phone: String
        let unit: String
        let correct: Int
        let distance: String
        let time: String
        let submittedAt: String
        let prize: String
        let mine: Bool
        /// Has a flag the organiser has not reviewed (organiser's view only).
        let flagged: Bool
    }

    struct LeaderboardContext: Encodable, Sendable {
        let slug: String
        let title: String
        let roundTitle: String
        let roundNumber: Int
        let closed: Bool
        let perfectCount: String
        let rows: [StandingRow]
        let total: String
        let page: Int
        let previous: String?
        let next: String?
        let mine: StandingRow?
    }

    struct AnswerKeyContext: Encodable, Sendable {
        let slug: String
        let title: String
        let roundTitle: String
        let rows: [QuestionRow]
    }

    // MARK: Helpers

    /// The contest of the page's address with its rounds and count (kept a few seconds in
    /// memory: `ContestPageCache`); the models are shared, read them only.
    static func contestEntry(_ req: Request) async throws -> ContestPageCache.Entry {
        guard let slug = req.parameters.get("slug"),
              let entry = try await req.application.quiz.contestPages.entry(slug: slug, on: req.db)
        else { throw AppError.notFound }
        return entry
    }

    /// The contest of the page's address (shared: read it only).
    static func contest(_ req: Request) async throws -> QuizContest {
        try await contestEntry(req).contest
    }

    static func round(_ req: Request, contest: QuizContest) async throws -> QuizRound {
        guard let number = req.parameters.get("number", as: Int.self),
              let round = try await QuizRound.query(on: req.db).filter(\.$contest.$id == contest.requireID()).filter(\.$number == number)
                .filter(\.$status != .draft).first()
        else { throw AppError.notFound }
        return round
    }

    static func sessionKey(_ contest: QuizContest) -> String { "quiz:" + (contest.id?.uuidString ?? "") }

    /// The participant signed in to this contest in this browser.
    static func participant(_ req: Request, contest: QuizContest) async throws -> QuizParticipant? {
        guard req.incomingCookies[req.application.sessions.configuration.cookieName] != nil,
              let id = req.session.data[sessionKey(contest)].flatMap(UUID.init(uuidString:)),
              let participant = try await QuizParticipant.find(id, on: req.db),
              participant.$contest.id == contest.id
        else { return nil }
        return participant
    }

    static func requireParticipant(_ req: Request, contest: QuizContest) async throws -> QuizParticipant {
        guard let participant = try await participant(req, contest: contest) else {
            throw AppError.rejected(.unauthorized, req.t("quiz.error.signInFirst"))
        }
        return participant
    }

    static func ref(_ participant: QuizParticipant) throws -> QuizService.ParticipantRef {
        QuizService.ParticipantRef(id: try participant.requireID(), contestID: participant.$contest.id, disqualified: participant.disqualified)
    }

    static let letters = ["A", "B", "C", "D", "E", "F"]

    // MARK: Pages

    func index(_ req: Request) async throws -> Response {
        let contests = try await QuizContest.query(on: req.db).filter(\.$status == .published).sort(\.$createdAt, .descending).all()
        if contests.count == 1, let only = contests.first { return req.redirect(to: QuizRoute.landing(only.slug)) }
        struct Item: Encodable, Sendable { let slug: String; let title: String }
        struct Context: Encodable, Sendable { let contests: [Item] }
        return try await req.render("quiz/public_index", title: req.t("quiz.public.title"), Context(contests: contests.map { Item(slug: $0.slug, title: $0.title) }))
    }

    func landing(_ req: Request) async throws -> Response {
        let entry = try await Self.contestEntry(req)
        let contest = entry.contest
        let now = req.now
        let participant = try await Self.participant(req, contest: contest)
        let rounds = entry.rounds
        var attempts: [UUID: [QuizAttempt]] = [:]
        if let id = participant?.id {
            for attempt in try await QuizAttempt.query(on: req.db).filter(\.$participant.$id == id).all() {
                attempts[attempt.$round.id, default: []].append(attempt)
            }
        }
        var cards: [RoundCard] = []
        for round in rounds {
            let roundID = try round.requireID()
            let mine = attempts[roundID] ?? []
            let phase = round.phase(at: now)
            let open = mine.first { $0.status == .started && $0.deadlineAt.addingTimeInterval(TimeInterval(contest.graceSeconds)) > now }
            // The most correct answers; of equals, the one submitted first (as the ranking counts).
            let bestAttempt = mine.filter { $0.status == .submitted && $0.correct != nil }.min { a, b in
                a.correct! != b.correct! ? a.correct! > b.correct! : (a.submittedAt ?? now) < (b.submittedAt ?? now)
            }
            let best = bestAttempt?.correct
            var rank = ""
            if round.status == .closed, let id = participant?.id, let standing = try await QuizService.standing(round: roundID, participant: id, on: req.db) {
                rank = VNFormat.integer(standing.rank)
            }
            cards.append(RoundCard(
                number: round.number, title: round.title, phase: phase, phaseLabel: req.t("quiz.phase.\(phase)"), opensAt: VNFormat.dateTime(round.opensAt),
                closesAt: VNFormat.dateTime(round.closesAt), questionCount: round.questionCount,
                minutes: max(1, round.timeLimitSeconds / 60), maxAttempts: round.maxAttempts, attemptsUsed: mine.count,
                canStart: participant != nil && phase == "open" && (open != nil || mine.count < round.maxAttempts), resumeID: open?.id?.uuidString,
                bestCorrect: best.map { "\($0)/\(round.questionCount)" } ?? "", bestID: bestAttempt?.id?.uuidString, rank: rank, perfectCount: round.perfectCount.map(VNFormat.integer) ?? ""
            ))
        }
        let openRound = rounds.first { $0.phase(at: now) == "open" }
        let nextRound = rounds.first { $0.phase(at: now) == "upcoming" }
        let count = entry.participants
        let context = LandingContext(
            slug: contest.slug, title: contest.title,
            rules: entry.rules, prizes: entry.prizes, rounds: cards, participantName: participant?.fullName, participantPhone: participant.map { QuizRules.maskPhone($0.phone) },
            countdownTo: (openRound?.closesAt ?? nextRound?.opensAt).map { $0.formatted(.iso8601) },
            countdownLabel: openRound != nil ? req.t("quiz.public.countdownClose") : req.t("quiz.public.countdownOpen"),
            participants: VNFormat.integer(count)
        )
        return try await req.render("quiz/landing", title: contest.title, context)
    }

    /// The unit picker's options after the "choose" one, as HTML (see `UnitTreeCache.optionsHTML`).
    func unitOptions(_ req: Request, selected: String?) async throws -> String {
        try await req.unitOptionsHTML(in: .everything, selected: Set([selected.flatMap(UUID.init(uuidString:))].compactMap { $0 }))
    }

    func registerForm(_ req: Request) async throws -> Response {
        let entry = try await Self.contestEntry(req)
        return try await renderRegister(req, contest: entry.contest, occupationList: entry.occupations, form: nil, errors: FormErrors())
    }

    func renderRegister(_ req: Request, contest: QuizContest, occupationList: [String]? = nil, form: QuizService.Registration?, errors: FormErrors) async throws -> Response {
        let occupations = [SelectOption(value: "", label: req.t("quiz.register.chooseOccupation"), selected: form == nil)]
            + (occupationList ?? contest.occupationList).map { SelectOption(value: $0, label: $0, selected: form?.occupation == $0) }
        return try await req.render("quiz/register", title: req.t("quiz.register.title"), RegisterContext(
            slug: contest.slug, title: contest.title, unitOptions: try await unitOptions(req, selected: form?.unitID), occupations: occupations, minAge: contest.minAge,
            requireID: contest.requireIDNumber, fullName: form?.fullName ?? "", birthDate: form?.birthDate ?? "", phone: form?.phone ?? "",
            idNumber: form?.idNumber ?? "", errors: errors
        ), status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    struct RegisterForm: Content {
        var fullName: String?
        var birthDate: String?
        var phone: String?
        var idNumber: String?
        var unitID: String?
        var occupation: String?
        var secret: String?
    }

    func register(_ req: Request) async throws -> Response {
        let contest = try await Self.contest(req)
        let body = try req.content.decode(RegisterForm.self)
        let form = QuizService.Registration(
            fullName: VietnameseText.nfc(body.fullName ?? ""), birthDate: body.birthDate ?? "", phone: body.phone ?? "", idNumber: body.idNumber ?? "",
            unitID: body.unitID ?? "", occupation: VietnameseText.nfc(body.occupation ?? ""), secret: body.secret ?? ""
        )
        do {
            let participant = try await QuizService.register(form, contest: contest, address: req.clientAddress, now: req.now, app: req.application, on: req.db)
            req.session.data[Self.sessionKey(contest)] = participant.id?.uuidString
            req.flash(.success, req.t("quiz.register.done", participant.fullName))
            return req.redirect(to: QuizRoute.landing(contest.slug))
        } catch let errors as FormErrors {
            return try await renderRegister(req, contest: contest, form: form, errors: errors)
        }
    }

    func loginForm(_ req: Request) async throws -> Response {
        let contest = try await Self.contest(req)
        return try await req.render("quiz/login", title: req.t("quiz.login.title"), LoginContext(slug: contest.slug, title: contest.title, phone: "", error: nil))
    }

    struct LoginForm: Content {
        var phone: String?
        var secret: String?
    }

    func login(_ req: Request) async throws -> Response {
        let contest = try await Self.contest(req)
        let body = try req.content.decode(LoginForm.self)
        do {
            let participant = try await QuizService.login(
                phone: body.phone ?? "", secret: body.secret ?? "", contest: contest, address: req.clientAddress, now: req.now, app: req.application, on: req.db
            )
            req.session.data[Self.sessionKey(contest)] = participant.id?.uuidString
            req.flash(.success, req.t("quiz.login.welcome", participant.fullName))
            return req.redirect(to: QuizRoute.landing(contest.slug))
        } catch let error as AppError {
            return try await req.render(
                "quiz/login", title: req.t("quiz.login.title"),
                LoginContext(slug: contest.slug, title: contest.title, phone: body.phone ?? "", error: error.message(req.locale)), status: error.status
            )
        }
    }

    func logout(_ req: Request) async throws -> Response {
        let contest = try await Self.contest(req)
        req.session.data[Self.sessionKey(contest)] = nil
        return req.redirect(to: QuizRoute.landing(contest.slug))
    }

    func start(_ req: Request) async throws -> Response {
        let contest = try await Self.contest(req)
        let round = try await Self.round(req, contest: contest)
        let participant = try await Self.requireParticipant(req, contest: contest)
        do {
            let started = try await QuizService.start(
                round: round.requireID(), participant: Self.ref(participant), address: req.clientAddress, now: req.now, app: req.application, on: req.db
            )
            if started.resumed { req.flash(.warning, req.t("quiz.attempt.resumed")) }
            return req.redirect(to: QuizRoute.attempt(contest.slug, started.id))
        } catch let error as AppError where error.status == .conflict || error.status == .tooManyRequests {
            req.flash(.error, error.message(req.locale))
            return req.redirect(to: QuizRoute.landing(contest.slug))
        }
    }

    func attemptPage(_ req: Request) async throws -> Response {
        let contest = try await Self.contest(req)
        let participant = try await Self.requireParticipant(req, contest: contest)
        guard let id = req.parameters.get("attempt", as: UUID.self) else { throw AppError.notFound }
        let attempt = try await QuizService.attempt(id, of: participant.requireID(), on: req.db)
        guard let info = try await req.application.quiz.round(attempt.roundID, on: req.db) else { throw AppError.notFound }
        let now = req.now
        if attempt.status != .started || now > attempt.deadlineAt.addingTimeInterval(TimeInterval(info.graceSeconds)) || !info.acceptsSubmissions(at: now) {
            return req.redirect(to: QuizRoute.result(contest.slug, id))
        }
        return try await renderAttempt(req, contest: contest, attempt: attempt, info: info, error: nil, status: .ok)
    }

    func renderAttempt(_ req: Request, contest: QuizContest, attempt: QuizService.AttemptView, info: RoundInfo, error: String?, status: HTTPResponseStatus) async throws -> Response {
        let questions = attempt.layout.enumerated().map { index, slot in
            let text = info.texts[slot.number]
            return QuestionView(
                index: index + 1, number: slot.number, text: text?.text ?? "", multiple: text?.multiple ?? false,
                options: slot.order.enumerated().map { position, original in
                    OptionView(position: position, label: Self.letters[min(position, Self.letters.count - 1)], text: text?.options[safe: original] ?? "")
                }
            )
        }
        return try await req.render("quiz/attempt", title: info.title, AttemptContext(
            slug: contest.slug, title: contest.title, roundTitle: info.title, attemptID: attempt.id.uuidString, attemptNo: attempt.attemptNo,
            deadline: VNFormat.dateTime(attempt.deadlineAt), deadlineISO: attempt.deadlineAt.formatted(.iso8601),
            remainingSeconds: max(0, Int(attempt.deadlineAt.timeIntervalSince(req.now))), questions: questions,
            predictionQuestion: info.predictionQuestion, error: error
        ), status: status)
    }

    /// Reads `a<number>=<position>` pairs (repeated for several-answer questions) and
    /// `prediction` from the posted form.
    static func answers(from pairs: [(name: String, value: String)]) -> (answers: [Int: [Int]], prediction: String, malformed: Bool) {
        var answers: [Int: [Int]] = [:]
        var prediction = ""
        var malformed = false
        for (name, value) in pairs {
            if name == "prediction" { prediction = value; continue }
            guard name.hasPrefix("a"), let number = Int(name.dropFirst()) else { continue }
            guard let position = Int(value) else { malformed = true; continue }
            answers[number, default: []].append(position)
        }
        return (answers, prediction, malformed)
    }

    func submit(_ req: Request) async throws -> Response {
        let contest = try await Self.contest(req)
        let participant = try await Self.requireParticipant(req, contest: contest)
        guard let id = req.parameters.get("attempt", as: UUID.self) else { throw AppError.notFound }
        let parsed = Self.answers(from: req.formPairs())
        let predictionText = parsed.prediction.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ".", with: "")
        var prediction: Int?
        var formError: String?
        if parsed.malformed { formError = req.t("error.badForm") }
        if !predictionText.isEmpty {
            if let value = Int(predictionText) { prediction = value } else { formError = req.t("quiz.error.predictionNumber") }
        }
        let attempt = try await QuizService.attempt(id, of: participant.requireID(), on: req.db)
        let now = req.now
        if let formError, attempt.status == .started, now <= attempt.deadlineAt, let info = try await req.application.quiz.round(attempt.roundID, on: req.db) {
            return try await renderAttempt(req, contest: contest, attempt: attempt, info: info, error: formError, status: .badRequest)
        }
        do {
            let result = try await QuizService.submit(
                attempt: id, participant: Self.ref(participant), answers: parsed.answers, prediction: prediction, address: req.clientAddress, now: now,
                app: req.application, on: req.db
            )
            if result.duplicate { req.flash(.warning, req.t("quiz.attempt.duplicate")) }
            else if result.attempt.status == .timedOut { req.flash(.error, req.t("quiz.attempt.late")) }
            else { req.flash(.success, req.t("quiz.attempt.submitted")) }
            return req.redirect(to: QuizRoute.result(contest.slug, id))
        } catch let error as AppError where error.status == .badRequest {
            guard let info = try await req.application.quiz.round(attempt.roundID, on: req.db) else { throw error }
            return try await renderAttempt(req, contest: contest, attempt: attempt, info: info, error: error.message(req.locale), status: .badRequest)
        } catch let error as AppError where error.status == .conflict {
            req.flash(.error, error.message(req.locale))
            return req.redirect(to: QuizRoute.landing(contest.slug))
        }
    }

    func result(_ req: Request) async throws -> Response {
        let contest = try await Self.contest(req)
        let participant = try await Self.requireParticipant(req, contest: contest)
        guard let id = req.parameters.get("attempt", as: UUID.self) else { throw AppError.notFound }
        let attempt = try await QuizService.attempt(id, of: participant.requireID(), on: req.db)
        guard let round = try await QuizRound.find(attempt.roundID, on: req.db), let info = try await req.application.quiz.round(attempt.roundID, on: req.db) else {
            throw AppError.notFound
        }
        let closed = round.status == .closed
        var rank = ""
        var counted = false
        if closed, let standing = try await QuizService.standing(round: attempt.roundID, participant: participant.requireID(), on: req.db) {
            rank = VNFormat.integer(standing.rank)
            counted = standing.attempt_id == attempt.id
        }
        var review: [ReviewRow] = []
        if closed {
            for (index, slot) in attempt.layout.enumerated() {
                let text = info.texts[slot.number]
                let key = info.keys[slot.number]
                let picked = attempt.chosen[safe: index] ?? 0
                func describe(_ mask: Int) -> String {
                    QuizRules.indexes(of: mask).map { original in
                        let position = slot.order.firstIndex(of: original) ?? original
                        return Self.letters[min(position, 5)] + ". " + (text?.options[safe: original] ?? "")
                    }.joined(separator: "; ")
                }
                review.append(ReviewRow(
                    index: index + 1, text: text?.text ?? "", chosen: picked == 0 ? req.t("quiz.result.noAnswer") : describe(picked),
                    correctAnswer: describe(key?.correctMask ?? 0), right: picked != 0 && picked == key?.correctMask
                ))
            }
        }
        let used = try await QuizAttempt.query(on: req.db).filter(\.$participant.$id == participant.requireID()).filter(\.$round.$id == attempt.roundID).count()
        return try await req.render("quiz/result", title: req.t("quiz.result.title"), ResultContext(
            slug: contest.slug, title: contest.title, roundTitle: round.title, roundNumber: round.number, status: attempt.status.rawValue,
            statusLabel: req.t("quiz.attemptStatus.\(attempt.status.rawValue)"), correct: attempt.correct ?? 0, questionCount: attempt.layout.count,
            time: attempt.timeMs.map(VNFormat.seconds) ?? "", prediction: attempt.prediction.map(VNFormat.integer) ?? req.t("quiz.result.noPrediction"),
            submittedAt: VNFormat.dateTime(attempt.submittedAt), closed: closed, rank: rank, counted: counted, review: review,
            attemptsLeft: info.isOpen(at: req.now) ? max(0, round.maxAttempts - used) : 0
        ))
    }

    static func standingRows(_ standings: [QuizService.Standing], prizes: [String], mine: UUID?, maskPhones: Bool, flagged: Set<UUID> = []) -> [StandingRow] {
        standings.map { row in
            StandingRow(
                rank: row.rank, name: row.full_name, phone: maskPhones ? QuizRules.maskPhone(row.phone) : row.phone, unit: row.unit_name, correct: row.correct,
                distance: row.distance >= QuizRules.missingPredictionDistance ? "—" : VNFormat.integer(row.distance), time: VNFormat.seconds(row.time_ms),
                submittedAt: VNFormat.dateTime(row.submitted_at) + String(format: ":%02d", VNFormat.calendar.component(.second, from: row.submitted_at)),
                prize: prizes[safe: row.rank - 1] ?? "", mine: row.participant_id == mine, flagged: flagged.contains(row.participant_id)
            )
        }
    }

    func leaderboard(_ req: Request) async throws -> Response {
        let contest = try await Self.contest(req)
        let round = try await Self.round(req, contest: contest)
        let roundID = try round.requireID()
        let page = max(1, (try? req.query.get(Int.self, at: "trang")) ?? 1)
        let size = 50
        let participant = try await Self.participant(req, contest: contest)
        let prizes = QuizRules.prizeNames(QuizRules.prizes(contest.prizes) ?? [])
        let closed = round.status == .closed
        let standings = closed ? try await QuizService.standings(round: roundID, offset: (page - 1) * size, limit: size, on: req.db) : []
        let total = closed ? try await QuizService.rankedCount(round: roundID, on: req.db) : 0
        var mine: StandingRow?
        if closed, let id = participant?.id, let standing = try await QuizService.standing(round: roundID, participant: id, on: req.db) {
            mine = Self.standingRows([standing], prizes: prizes, mine: id, maskPhones: true).first
        }
        let base = QuizRoute.leaderboard(contest.slug, round.number).path
        return try await req.render("quiz/leaderboard", title: req.t("quiz.leaderboard.title"), LeaderboardContext(
            slug: contest.slug, title: contest.title, roundTitle: round.title, roundNumber: round.number, closed: closed,
            perfectCount: round.perfectCount.map(VNFormat.integer) ?? "", rows: Self.standingRows(standings, prizes: prizes, mine: participant?.id, maskPhones: true),
            total: VNFormat.integer(total), page: page, previous: page > 1 ? "\(base)?trang=\(page - 1)" : nil,
            next: page * size < total ? "\(base)?trang=\(page + 1)" : nil, mine: mine
        ))
    }

    func answerKey(_ req: Request) async throws -> Response {
        let contest = try await Self.contest(req)
        let round = try await Self.round(req, contest: contest)
        guard round.status == .closed else { throw AppError.rejected(.notFound, req.t("quiz.error.keyNotYet")) }
        let links = try await QuizRoundQuestion.query(on: req.db).filter(\.$round.$id == round.requireID()).with(\.$question).sort(\.$position).all()
        let rows = links.enumerated().map { QuestionRow($0.element.question, index: $0.offset + 1) }
        return try await req.render("quiz/answer_key", title: req.t("quiz.key.title"), AnswerKeyContext(slug: contest.slug, title: contest.title, roundTitle: round.title, rows: rows))
    }
}

/// A bank question with its answer key, as the organiser's pages and the published answer key
/// show it: options lettered in their original order.
struct QuestionRow: Encodable, Sendable {
    let index: Int
    let number: Int
    let text: String
    let options: [String]
    let correct: String
    let topic: String
    let explanation: String

    init(_ question: QuizQuestion, index: Int) {
        let letters = QuizPublicController.letters
        self.index = index
        number = question.number
        text = question.text
        options = question.options.enumerated().map { letters[min($0.offset, letters.count - 1)] + ". " + $0.element }
        correct = QuizRules.indexes(of: question.correctMask).map { letters[min($0, letters.count - 1)] }.joined(separator: ", ")
        topic = question.topic
        explanation = question.explanation
    }
}

extension Array {
    /// The element at `index`, or nil outside the array.
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
