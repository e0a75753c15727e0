import DanVanCore
import DanVanText
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// The contest's operations, shared by the public pages, the organiser's pages and the API.
public enum QuizService {

    static func reject(_ message: String, _ status: HTTPResponseStatus = .badRequest) -> AppError { .rejected(status, message) }

    // MARK: Participants

    /// What a registration form carries.
    public struct Registration: Sendable {
        /// Full name.
        public var fullName: String
        /// `yyyy-mm-dd` or `dd/mm/yyyy`.
        public var birthDate: String
        /// Phone in any common writing.
        public var phone: String
        /// ID number (CCCD), optional unless the contest requires it.
        public var idNumber: String
        /// Unit id.
        public var unitID: String
        /// Occupation group.
        public var occupation: String
        /// The secret chosen to come back.
        public var secret: String

        /// Creates a registration.
        public init(fullName: String, birthDate: String, phone: String, idNumber: String, unitID: String, occupation: String, secret: String) {
            self.fullName = fullName
            self.birthDate = birthDate
            self.phone = phone
            self.idNumber = idNumber
            self.unitID = unitID
            self.occupation = occupation
            self.secret = secret
        }
    }

    /// The longest full name accepted.
    public static let maxNameLength = 100

    /// Bcrypt cost for participants' secrets (`DANVAN_QUIZ_SECRET_COST`, default 6): a
    /// national launch day registers hundreds a second on two cores. What keeps a stolen
    /// database from giving the secrets away is not the cost but the pepper: the secret is
    /// first keyed with HMAC-SHA256 under a key derived from the server's secret key, which is
    /// never in the database (`SecretHash`). See docs/DEPLOYMENT.md, "Secrets".
    public static func secretCost(_ app: Application) -> Int {
        let configured = ProcessInfo.processInfo.environment["DANVAN_QUIZ_SECRET_COST"].flatMap(Int.init).map { min(max($0, 4), 12) } ?? 6
        return min(app.config.bcryptCost, configured)
    }

    /// How participants' secrets are stored: `p1$` + bcrypt of the hex HMAC-SHA256 of the
    /// secret under the server's `quiz-secret` key. Hashes from before the pepper (plain
    /// bcrypt) still verify.
    public enum SecretHash {
        static let prefix = "p1$"

        static func keyed(_ secret: String, key: SymmetricKey) -> String {
            Hex.string(Array(HMAC<SHA256>.authenticationCode(for: Array(secret.utf8), using: key)))
        }

        /// The stored form of `secret`.
        public static func make(_ secret: String, key: SymmetricKey, cost: Int) throws -> String {
            prefix + (try Bcrypt.hash(keyed(secret, key: key), cost: cost))
        }

        /// Whether `secret` is the one stored as `hash`.
        public static func verify(_ secret: String, hash: String, key: SymmetricKey) -> Bool {
            if hash.hasPrefix(prefix) {
                return (try? Bcrypt.verify(keyed(secret, key: key), created: String(hash.dropFirst(prefix.count)))) ?? false
            }
            return (try? Bcrypt.verify(secret, created: hash)) ?? false
        }

        /// A hash that matches nothing, costing what a real one costs (unknown phones take as
        /// long as wrong secrets).
        static func decoy(cost: Int) -> String {
            prefix + "$2b$" + (cost < 10 ? "0" : "") + String(cost) + "$" + String(repeating: "0", count: 52) + "a"
        }
    }

    /// Checks and stores a registration. Field errors come back as `FormErrors` (nothing
    /// stored); one person registers once (normalised phone; ID number when required). With
    /// `token` the participant's API token is stored in the same transaction (one commit per
    /// registration) and returned.
    public static func register(
        _ form: Registration, contest: QuizContest, address: String, now: Date, app: Application, on db: any Database
    ) async throws -> QuizParticipant {
        try await register(form, contest: contest, address: address, now: now, issuingToken: false, app: app, on: db).participant
    }

    /// The same, also issuing the participant's API token when `issuingToken`.
    public static func register(
        _ form: Registration, contest: QuizContest, address: String, now: Date, issuingToken: Bool, app: Application, on db: any Database
    ) async throws -> (participant: QuizParticipant, token: String?) {
        let contestID = try contest.requireID()
        let limits = app.quiz.limits.withLockedValue { $0 }
        let hour = Int(now.timeIntervalSince1970) / 3600
        if !app.quiz.limiter.allow("reg:\(address)", limit: limits.registrationsPerAddressPerHour, window: 3600, now: now) {
            throw AppError.tooManyRequests(L10n.text("quiz.error.registrationLimit"))
        }
        var errors = FormErrors()
        let name = VietnameseText.clean(form.fullName)
        if name.isEmpty { errors.add("fullName", "quiz.error.nameRequired") }
        else if name.count > maxNameLength { errors.add("fullName", "quiz.error.nameTooLong", String(maxNameLength), String(name.count)) }
        else if name.unicodeScalars.contains(where: { CharacterSet.decimalDigits.contains($0) || "<>{}@#$%^*=_|\\/".unicodeScalars.contains($0) }) {
            errors.add("fullName", "quiz.error.nameCharacters")
        }
        let phone = QuizRules.normalizePhone(form.phone)
        if form.phone.trimmingCharacters(in: .whitespaces).isEmpty { errors.add("phone", "quiz.error.phoneRequired") }
        else if phone == nil { errors.add("phone", "quiz.error.phoneInvalid") }
        var birth: Date?
        if form.birthDate.trimmingCharacters(in: .whitespaces).isEmpty {
            if contest.minAge > 0 { errors.add("birthDate", "quiz.error.birthRequired") }
        } else if let date = VNFormat.parseDate(form.birthDate), date < now {
            birth = date
            let age = QuizRules.age(born: date, on: now)
            if age > 120 { errors.add("birthDate", "quiz.error.birthInvalid") }
            else if age < contest.minAge { errors.add("birthDate", "quiz.error.tooYoung", String(contest.minAge)) }
        } else {
            errors.add("birthDate", "quiz.error.birthInvalid")
        }
        var idNumber: String?
        if !form.idNumber.trimmingCharacters(in: .whitespaces).isEmpty {
            idNumber = QuizRules.normalizeIDNumber(form.idNumber)
            if idNumber == nil { errors.add("idNumber", "quiz.error.idInvalid") }
        } else if contest.requireIDNumber {
            errors.add("idNumber", "quiz.error.idRequired")
        }
        var unit: OrgUnit?
        if let id = UUID(uuidString: form.unitID), let found = try await OrgUnit.find(id, on: db), found.status == .active {
            unit = found
        } else {
            errors.add("unitID", "quiz.error.unitRequired")
        }
        let occupations = contest.occupationList
        let occupation = VietnameseText.clean(form.occupation)
        if !occupations.isEmpty, !occupations.contains(occupation) { errors.add("occupation", "quiz.error.occupationRequired") }
        let secret = VietnameseText.nfc(form.secret)
        if secret.count < 4 || secret.count > 32 { errors.add("secret", "quiz.error.secretLength") }
        if let phone, errors["phone"] == nil,
           try await QuizParticipant.query(on: db).filter(\.$contest.$id == contestID).filter(\.$phone == phone).first() != nil {
            errors.add("phone", "quiz.error.phoneTaken")
        }
        if let idNumber, errors["idNumber"] == nil,
           try await QuizParticipant.query(on: db).filter(\.$contest.$id == contestID).filter(\.$idNumber == idNumber).first() != nil {
            errors.add("idNumber", "quiz.error.idTaken")
        }
        guard errors.isEmpty, let phone, let unit else { throw errors }
        let cost = secretCost(app)
        let key = app.config.key(for: "quiz-secret")
        let hash = try await app.threadPool.runIfActive { try SecretHash.make(secret, key: key, cost: cost) }
        let participant = QuizParticipant()
        participant.$contest.id = contestID
        participant.fullName = name
        participant.birthDate = birth
        participant.phone = phone
        participant.idNumber = idNumber
        participant.$unit.id = try unit.requireID()
        participant.unitPath = unit.path
        participant.occupation = occupation
        participant.secretHash = hash
        participant.address = address
        participant.day = VNFormat.dayKey(now)
        participant.disqualified = false
        participant.searchKey = VietnameseText.fold(name + " " + phone)
        let token = issuingToken ? newToken() : nil
        if let token { participant.tokenHash = tokenHash(token) }
        do {
            try await db.transaction { db in
                try await participant.create(on: db)
                try await AuditLog.record(
                    on: db, actor: AuditActor(id: nil, name: L10n.text("quiz.admin.thi_sinh"), address: address), at: now, action: "create", entityType: "quizParticipant",
                    entityID: participant.id, summary: L10n.format("quiz.dang_ky_du_thi", ["\(QuizRules.maskPhone(phone))"]),
                    after: ["contestID": contestID.uuidString, "unitID": participant.$unit.id.uuidString, "occupation": occupation]
                )
                // Many registrations from one address in an hour: raise a flag, refuse nothing.
                let recent = try await QuizParticipant.query(on: db).filter(\.$contest.$id == contestID).filter(\.$address == address)
                    .filter(\.$createdAt >= Date(timeIntervalSince1970: TimeInterval(hour * 3600))).count()
                if recent >= limits.registrationFlagThreshold, let sql = db as? any SQLDatabase {
                    try await QuizWriter.insertFlags([QuizWriter.FlagWrite(
                        contestID: contestID, roundID: nil, participantID: participant.id, attemptID: nil, kind: .registrationBurst, address: address,
                        detail: L10n.format("quiz.luot_dang_ky_tu_dia_chi", ["\(recent)", "\(address)"]), dedupeKey: "reg:\(contestID):\(address):\(hour)", at: now
                    )], on: sql)
                }
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // Two registrations with the same phone at the same moment: the second loses.
            var errors = FormErrors()
            errors.add("phone", "quiz.error.phoneTaken")
            throw errors
        }
        return (participant, token)
    }

    /// Finds the participant by phone and secret (return visit). Wrong secrets are limited per
    /// phone; the message never says which of the two was wrong.
    public static func login(phone raw: String, secret: String, contest: QuizContest, address: String, now: Date, app: Application, on db: any Database) async throws -> QuizParticipant {
        guard let phone = QuizRules.normalizePhone(raw) else { throw reject(L10n.text("quiz.error.phoneInvalid")) }
        let limits = app.quiz.limits.withLockedValue { $0 }
        let key = "login:\(try contest.requireID()):\(phone)"
        guard app.quiz.limiter.allow(key + ":peek", limit: limits.loginFailuresPerPhone * 4, window: 900, now: now) else {
            throw AppError.tooManyRequests(L10n.text("quiz.error.loginLimit"))
        }
        let participant = try await QuizParticipant.query(on: db).filter(\.$contest.$id == contest.requireID()).filter(\.$phone == phone).first()
        let hash = participant?.secretHash ?? SecretHash.decoy(cost: secretCost(app))
        let candidate = VietnameseText.nfc(secret)
        let pepper = app.config.key(for: "quiz-secret")
        let valid = (try? await app.threadPool.runIfActive { SecretHash.verify(candidate, hash: hash, key: pepper) }) ?? false
        guard let participant, valid else {
            if !app.quiz.limiter.allow(key, limit: limits.loginFailuresPerPhone, window: 900, now: now) {
                throw AppError.tooManyRequests(L10n.text("quiz.error.loginLimit"))
            }
            throw reject(L10n.text("quiz.error.loginFailed"), .unauthorized)
        }
        return participant
    }

    /// A new participant API token (not yet stored).
    static func newToken() -> String { "dvq_" + Hex.string([UInt8].random(count: 24)) }

    /// A new API token for the participant (the previous one stops working).
    public static func issueToken(for participant: QuizParticipant, on db: any Database) async throws -> String {
        let token = newToken()
        participant.tokenHash = tokenHash(token)
        try await participant.update(on: db)
        return token
    }

    /// SHA-256 of a token, hex (the same hash as staff API tokens).
    public static func tokenHash(_ token: String) -> String { APIToken.hash(token) }

    /// The participant a token belongs to.
    public static func participant(token: String, on db: any Database) async throws -> ParticipantRef? {
        try await db.first(ParticipantByToken(hash: tokenHash(token)))
    }

    /// Who is acting on the public side.
    public struct ParticipantRef: Decodable, Sendable {
        /// Participant id.
        public let id: UUID
        /// Contest id.
        public let contestID: UUID
        /// Excluded by the organiser.
        public let disqualified: Bool

        enum CodingKeys: String, CodingKey {
            case id
            case contestID = "contest_id"
            case disqualified
        }

        /// Creates a reference.
        public init(id: UUID, contestID: UUID, disqualified: Bool) {
            self.id = id
            self.contestID = contestID
            self.disqualified = disqualified
        }
    }

    // MARK: Attempts

    /// A started (or resumed) attempt.
    public struct Started: Sendable {
        /// Attempt id.
        public let id: UUID
        /// Whether an attempt already under way was resumed instead.
        public let resumed: Bool
    }

    private struct AttemptBrief: Decodable {
        let id: UUID
        let attempt_no: Int
        let status: String
        let deadline_at: Date
    }

    /// Starts an attempt (or resumes the one under way). Counts attempts server-side.
    public static func start(round roundID: UUID, participant: ParticipantRef, address: String, now: Date, app: Application, on db: any Database) async throws -> Started {
        guard let info = try await app.quiz.round(roundID, on: db), info.contestID == participant.contestID, info.status != .draft else { throw AppError.notFound }
        try checkParticipantRate(participant, address: address, now: now, app: app)
        guard info.isOpen(at: now) else {
            throw reject(now < info.opensAt ? L10n.format("quiz.error.notOpenYet", [VNFormat.dateTime(info.opensAt)]) : L10n.text("quiz.error.roundClosed"), .conflict)
        }
        guard let sql = db as? any SQLDatabase else { throw AppError.unavailable }
        for _ in 0..<2 {
            let existing = try await sql.raw("""
                SELECT id, attempt_no, status, deadline_at FROM quiz_attempts
                WHERE participant_id = \(bind: participant.id) AND round_id = \(bind: roundID)
                """).all(decoding: AttemptBrief.self)
            let grace = TimeInterval(info.graceSeconds)
            if let open = existing.first(where: { $0.status == QuizAttempt.Status.started.rawValue && $0.deadline_at.addingTimeInterval(grace) > now }) {
                return Started(id: open.id, resumed: true)
            }
            guard existing.count < info.maxAttempts else {
                throw reject(L10n.format("quiz.error.noAttemptsLeft", [String(info.maxAttempts)]), .conflict)
            }
            var generator = SystemRandomNumberGenerator()
            let layout = QuizRules.layout(questions: info.pool, using: &generator)
            // Time-ordered: a rush of starts appends to the attempts' key index.
            let id = UUID.timeOrdered()
            let start = QuizWriter.Start(
                id: id, roundID: roundID, participantID: participant.id, attemptNo: (existing.map(\.attempt_no).max() ?? 0) + 1, startedAt: now,
                deadlineAt: min(now.addingTimeInterval(TimeInterval(info.timeLimitSeconds)), info.closesAt), layout: QuizRules.encode(layout),
                address: address, day: VNFormat.dayKey(now)
            )
            if try await app.quiz.writer.write(.start(start)) { return Started(id: id, resumed: false) }
            // Another start of the same participant won the race: loop to resume it.
        }
        throw reject(L10n.text("quiz.error.busy"), .conflict)
    }

    private static func checkParticipantRate(_ participant: ParticipantRef, address: String, now: Date, app: Application) throws {
        let limit = app.quiz.limits.withLockedValue { $0.actionsPerParticipantPerMinute }
        guard app.quiz.limiter.allow("p:\(participant.id)", limit: limit, window: 60, now: now) else {
            let minute = Int(now.timeIntervalSince1970) / 60
            let flag = QuizWriter.FlagWrite(
                contestID: participant.contestID, roundID: nil, participantID: participant.id, attemptID: nil, kind: .rateLimited, address: address,
                detail: L10n.format("quiz.qua_luot_bat_dau_nop_bai", ["\(limit)"]), dedupeKey: "rate:\(participant.id):\(minute / 60)", at: now
            )
            let db = app.db
            Task { if let sql = db as? any SQLDatabase { try? await QuizWriter.insertFlags([flag], on: sql) } }
            throw AppError.tooManyRequests(L10n.text("quiz.error.tooFast"))
        }
    }

    /// An attempt as its owner sees it.
    public struct AttemptView: Sendable {
        /// Attempt id.
        public let id: UUID
        /// Round id.
        public let roundID: UUID
        /// Participant id.
        public let participantID: UUID
        /// 1, 2, …
        public let attemptNo: Int
        /// Start.
        public let startedAt: Date
        /// Deadline.
        public let deadlineAt: Date
        /// Layout.
        public let layout: [QuizRules.Slot]
        /// Status.
        public let status: QuizAttempt.Status
        /// Submission time.
        public let submittedAt: Date?
        /// Chosen original-option masks per layout slot.
        public let chosen: [Int]
        /// Right answers.
        public let correct: Int?
        /// Prediction.
        public let prediction: Int?
        /// Time taken.
        public let timeMs: Int?
    }

    /// An attempt with what the submission checks of its participant.
    struct AttemptRow: Decodable, Sendable {
        let id: UUID
        let round_id: UUID
        let participant_id: UUID
        let attempt_no: Int
        let started_at: Date
        let deadline_at: Date
        let layout: String
        let status: String
        let submitted_at: Date?
        let answers: String?
        let correct: Int?
        let prediction: Int?
        let time_ms: Int?
        let token_hash: String?
        let contest_id: UUID
        let disqualified: Bool

        /// The attempt as the service works with it (nil if its stored layout is unreadable).
        var view: AttemptView? {
            guard let layout = QuizRules.decode(layout) else { return nil }
            return AttemptView(
                id: id, roundID: round_id, participantID: participant_id, attemptNo: attempt_no, startedAt: started_at, deadlineAt: deadline_at,
                layout: layout, status: QuizAttempt.Status(rawValue: status) ?? .started, submittedAt: submitted_at,
                chosen: (answers ?? "").split(separator: ",").map { Int($0) ?? 0 }, correct: correct, prediction: prediction, timeMs: time_ms
            )
        }

        /// Its participant.
        var participant: ParticipantRef { ParticipantRef(id: participant_id, contestID: contest_id, disqualified: disqualified) }

        /// What both reads of an attempt select and join.
        static let selection = """
            SELECT a.id, a.round_id, a.participant_id, a.attempt_no, a.started_at, a.deadline_at, a.layout, a.status, a.submitted_at, a.answers,
                   a.correct, a.prediction, a.time_ms, p.token_hash, p.contest_id, p.disqualified
            FROM quiz_attempts a JOIN quiz_participants p ON p.id = a.participant_id
            """
    }

    // The reads of the public hot paths, prepared once per connection where the database
    // allows (`PreparedRead`).

    private struct AttemptByID: PreparedRead {
        static let name = "quiz.attempt"
        typealias Row = AttemptRow
        static let sql = AttemptRow.selection + " WHERE a.id = $1"
        let id: UUID
        var values: [PreparedValue] { [.uuid(id)] }
    }

    private struct ParticipantByToken: PreparedRead {
        static let name = "quiz.participant-by-token"
        typealias Row = ParticipantRef
        static let sql = "SELECT id, contest_id, disqualified FROM quiz_participants WHERE token_hash = $1"
        let hash: String
        var values: [PreparedValue] { [.text(hash)] }
    }

    /// Attempts with their participants' token hashes, one query for a group of ids (the
    /// submission's read goes through `QuizRuntime.attemptReader`, which groups the reads of
    /// concurrent submissions). One row or nil per id, in order.
    static func attemptsWithToken(_ ids: [UUID], on db: any Database) async throws -> [AttemptRow?] {
        guard let sql = db as? any SQLDatabase else { throw AppError.unavailable }
        let unique = Array(Set(ids))
        let rows = try await sql.raw("\(unsafeRaw: AttemptRow.selection) WHERE a.id IN (\(SQLList(unique.map { SQLBind($0) })))").all(decoding: AttemptRow.self)
        let byID = Dictionary(rows.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return ids.map { byID[$0] }
    }

    /// The attempt and its participant, if `token` is the participant's current API token
    /// (the submission hot path: one read, grouped with the concurrent submissions' reads).
    public static func attempt(_ id: UUID, token: String, app: Application) async throws -> (AttemptView, ParticipantRef) {
        guard let row = try await app.quiz.attemptReader.run(id) else { throw AppError.notFound }
        guard row.token_hash == tokenHash(token) else {
            // Someone else's attempt and a wrong token look the same from outside.
            if try await participant(token: token, on: app.readDB) == nil { throw AppError.rejected(.unauthorized, L10n.text("quiz.error.tokenInvalid")) }
            throw AppError.notFound
        }
        guard let view = row.view else { throw AppError.notFound }
        return (view, row.participant)
    }

    /// The attempt if it belongs to `participantID` (someone else's attempt looks missing).
    public static func attempt(_ id: UUID, of participantID: UUID, on db: any Database) async throws -> AttemptView {
        guard let row = try await db.first(AttemptByID(id: id)), row.participant_id == participantID, let view = row.view else { throw AppError.notFound }
        return view
    }

    /// What a submission came to.
    public struct Submitted: Sendable {
        /// The attempt as stored.
        public let attempt: AttemptView
        /// Questions in the attempt.
        public let questionCount: Int
        /// True when this attempt had already been submitted (the first submission counts).
        public let duplicate: Bool
    }

    /// The largest prediction accepted.
    public static let maxPrediction = 100_000_000

    /// Scores and records a submission through the group-commit writer. `answers` maps a
    /// question number to chosen display positions.
    public static func submit(
        attempt attemptID: UUID, participant: ParticipantRef, answers: [Int: [Int]], prediction: Int?, address: String, now: Date,
        app: Application, on db: any Database
    ) async throws -> Submitted {
        try await submit(attempt: try await self.attempt(attemptID, of: participant.id, on: db), participant: participant, answers: answers, prediction: prediction, address: address, now: now, app: app, on: db)
    }

    /// `submit` for an attempt already loaded (with its owner checked).
    public static func submit(
        attempt: AttemptView, participant: ParticipantRef, answers: [Int: [Int]], prediction: Int?, address: String, now: Date,
        app: Application, on db: any Database
    ) async throws -> Submitted {
        let attemptID = attempt.id
        guard let info = try await app.quiz.round(attempt.roundID, on: db) else { throw AppError.notFound }
        if attempt.status != .started {
            return Submitted(attempt: attempt, questionCount: attempt.layout.count, duplicate: true)
        }
        try checkParticipantRate(participant, address: address, now: now, app: app)
        guard info.acceptsSubmissions(at: now) else { throw reject(L10n.text("quiz.error.submitAfterClose"), .conflict) }
        if let prediction, !(0...maxPrediction).contains(prediction) {
            throw reject(L10n.format("quiz.error.predictionRange", [VNFormat.integer(maxPrediction)]))
        }
        let scored: (correct: Int, chosen: [Int])
        do {
            scored = try QuizRules.score(answers: answers, layout: attempt.layout, keys: info.keys)
        } catch .notInAttempt(let number) {
            throw reject(L10n.format("quiz.error.notInAttempt", [String(number)]))
        } catch .noSuchOption(let number, let position) {
            throw reject(L10n.format("quiz.error.noSuchOption", [String(position + 1), String(attempt.layout.firstIndex { $0.number == number }.map { $0 + 1 } ?? number)]))
        } catch .severalOnSingle(let number) {
            throw reject(L10n.format("quiz.error.severalOnSingle", [String(attempt.layout.firstIndex { $0.number == number }.map { $0 + 1 } ?? number)]))
        }
        let late = now > attempt.deadlineAt.addingTimeInterval(TimeInterval(info.graceSeconds))
        let timeMs = max(0, min(Int((now.timeIntervalSince(attempt.startedAt) * 1000).rounded()), Int(attempt.deadlineAt.timeIntervalSince(attempt.startedAt) * 1000) + info.graceSeconds * 1000))
        let correct = late ? 0 : scored.correct
        var flag: QuizWriter.FlagWrite?
        let threshold = attempt.layout.count * info.minSecondsPerQuestion * 1000
        if !late, correct == attempt.layout.count, timeMs < threshold {
            flag = QuizWriter.FlagWrite(
                contestID: info.contestID, roundID: info.id, participantID: participant.id, attemptID: attemptID, kind: .fastPerfect, address: address,
                detail: L10n.format("quiz.dung_ca_cau_trong_nguong", ["\(correct)", "\(VNFormat.seconds(timeMs))", "\(VNFormat.seconds(threshold))"]), dedupeKey: "fast:\(attemptID)", at: now
            )
        }
        let submission = QuizWriter.Submission(
            attemptID: attemptID, participantID: participant.id, submittedAt: now, answers: scored.chosen.map(String.init).joined(separator: ","),
            correct: correct, prediction: prediction, timeMs: timeMs, status: late ? .timedOut : .submitted, address: address, flag: flag
        )
        if try await app.quiz.writer.write(.submit(submission)) {
            // Committed: what was written is what is stored; no need to read it back.
            let stored = AttemptView(
                id: attemptID, roundID: attempt.roundID, participantID: attempt.participantID, attemptNo: attempt.attemptNo, startedAt: attempt.startedAt,
                deadlineAt: attempt.deadlineAt, layout: attempt.layout, status: submission.status, submittedAt: now, chosen: scored.chosen, correct: correct,
                prediction: prediction, timeMs: timeMs
            )
            return Submitted(attempt: stored, questionCount: attempt.layout.count, duplicate: false)
        }
        let stored = try await self.attempt(attemptID, of: participant.id, on: db)
        if stored.status == .started { throw reject(L10n.text("quiz.error.submitAfterClose"), .conflict) }
        return Submitted(attempt: stored, questionCount: stored.layout.count, duplicate: true)
    }

    // MARK: Closing and ranking

    /// Closes every published round whose close (plus grace) has passed. Returns how many.
    @discardableResult
    public static func closeDueRounds(now: Date, app: Application) async throws -> Int {
        let closed = NIOLockedValueBox(0)
        // One instance runs the job at a time; another skips this turn.
        try await JobLock.run("quiz.close-rounds", on: app.db) { db in
            let due = try await QuizRound.query(on: db).filter(\.$status == .published).filter(\.$closesAt < now).with(\.$contest).all()
            for round in due where now > round.closesAt.addingTimeInterval(TimeInterval(round.contest.graceSeconds + 5)) {
                try await close(round, actor: .system, now: now, app: app, on: db)
                closed.withLockedValue { $0 += 1 }
            }
        }
        return closed.withLockedValue { $0 }
    }

    /// Closes (or re-ranks) a round: marks attempts never submitted as timed out, counts the
    /// participants with every answer right, and writes the full ranking in one statement.
    public static func close(_ round: QuizRound, actor: AuditActor, now: Date, app: Application, on database: (any Database)? = nil) async throws {
        let roundID = try round.requireID()
        try await (database ?? app.db).transaction { db in
            guard let sql = db as? any SQLDatabase else { throw AppError.unavailable }
            if sql.dialect.name == "postgresql" {
                // Two instances closing the same round take turns (the second re-ranks).
                try await sql.raw("SELECT id FROM quiz_rounds WHERE id = \(bind: roundID) FOR UPDATE").run()
            }
            let reranking = round.status == .closed
            try await sql.raw("UPDATE quiz_rounds SET status = \(bind: QuizRound.Status.closed.rawValue) WHERE id = \(bind: roundID)").run()
            try await sql.raw("""
                UPDATE quiz_attempts SET status = \(bind: QuizAttempt.Status.timedOut.rawValue)
                WHERE round_id = \(bind: roundID) AND status = \(bind: QuizAttempt.Status.started.rawValue)
                """).run()
            let perfect = try await rank(roundID: roundID, questionCount: round.questionCount, on: sql)
            round.status = .closed
            round.perfectCount = perfect
            round.closedAt = now
            try await round.update(on: db)
            try await AuditLog.record(
                on: db, actor: actor, at: now, action: "update", entityType: "quizRound", entityID: roundID,
                summary: reranking ? L10n.format("quiz.xep_hang_lai_tuan_thi", ["\(round.number)"]) : L10n.format("quiz.ket_thuc_va_xep_hang_tuan", ["\(round.number)", "\(perfect)"]),
                after: round.auditSnapshot
            )
        }
        app.quiz.invalidate(roundID)
    }

    private struct CountRow: Decodable { let n: Int }

    /// Writes `quiz_results` for the round and returns the number of all-correct participants.
    static func rank(roundID: UUID, questionCount: Int, on sql: any SQLDatabase) async throws -> Int {
        let submitted = QuizAttempt.Status.submitted.rawValue
        let perfect = try await sql.raw("""
            SELECT COUNT(DISTINCT a.participant_id) AS n FROM quiz_attempts a JOIN quiz_participants p ON p.id = a.participant_id
            WHERE a.round_id = \(bind: roundID) AND a.status = \(bind: submitted) AND a.correct >= \(bind: questionCount) AND p.disqualified = \(bind: false)
            """).first(decoding: CountRow.self)?.n ?? 0
        try await sql.raw("DELETE FROM quiz_results WHERE round_id = \(bind: roundID)").run()
        try await sql.raw("""
            INSERT INTO quiz_results (round_id, rank, participant_id, attempt_id, correct, distance, time_ms, submitted_at)
            SELECT round_id, ROW_NUMBER() OVER (ORDER BY correct DESC, distance ASC, time_ms ASC, submitted_at ASC, id ASC),
                   participant_id, id, correct, distance, time_ms, submitted_at
            FROM (
                SELECT a.id, a.round_id, a.participant_id, a.correct, a.time_ms, a.submitted_at,
                       CASE WHEN a.prediction IS NULL THEN \(bind: QuizRules.missingPredictionDistance) ELSE ABS(a.prediction - \(bind: perfect)) END AS distance,
                       ROW_NUMBER() OVER (PARTITION BY a.participant_id ORDER BY a.correct DESC, a.submitted_at ASC, a.id ASC) AS pick
                FROM quiz_attempts a JOIN quiz_participants p ON p.id = a.participant_id
                WHERE a.round_id = \(bind: roundID) AND a.status = \(bind: submitted) AND p.disqualified = \(bind: false)
            ) best
            WHERE pick = 1
            """).run()
        return perfect
    }

    /// One line of a round's ranking.
    public struct Standing: Decodable, Sendable {
        /// Rank.
        public let rank: Int
        /// Right answers.
        public let correct: Int
        /// Prediction distance.
        public let distance: Int
        /// Time taken.
        public let time_ms: Int
        /// Submission time.
        public let submitted_at: Date
        /// Participant.
        public let participant_id: UUID
        /// Attempt.
        public let attempt_id: UUID
        /// Name.
        public let full_name: String
        /// Phone (mask before showing).
        public let phone: String
        /// Unit name.
        public let unit_name: String
    }

    /// A page of the ranking.
    public static func standings(round roundID: UUID, offset: Int, limit: Int, on db: any Database) async throws -> [Standing] {
        guard let sql = db as? any SQLDatabase else { return [] }
        return try await sql.raw("""
            SELECT r.rank, r.correct, r.distance, r.time_ms, r.submitted_at, r.participant_id, r.attempt_id, p.full_name, p.phone, u.name AS unit_name
            FROM quiz_results r JOIN quiz_participants p ON p.id = r.participant_id JOIN units u ON u.id = p.unit_id
            WHERE r.round_id = \(bind: roundID) AND r.rank > \(bind: offset) AND r.rank <= \(bind: offset + limit)
            ORDER BY r.rank
            """).all(decoding: Standing.self)
    }

    /// The participant's rank in a closed round.
    public static func standing(round roundID: UUID, participant participantID: UUID, on db: any Database) async throws -> Standing? {
        guard let sql = db as? any SQLDatabase else { return nil }
        return try await sql.raw("""
            SELECT r.rank, r.correct, r.distance, r.time_ms, r.submitted_at, r.participant_id, r.attempt_id, p.full_name, p.phone, u.name AS unit_name
            FROM quiz_results r JOIN quiz_participants p ON p.id = r.participant_id JOIN units u ON u.id = p.unit_id
            WHERE r.round_id = \(bind: roundID) AND r.participant_id = \(bind: participantID)
            """).first(decoding: Standing.self)
    }

    /// Ranked participants of a round.
    public static func rankedCount(round roundID: UUID, on db: any Database) async throws -> Int {
        guard let sql = db as? any SQLDatabase else { return 0 }
        return try await sql.raw("SELECT COUNT(*) AS n FROM quiz_results WHERE round_id = \(bind: roundID)").first(decoding: CountRow.self)?.n ?? 0
    }
}

extension VNFormat {
    /// `245,3 giây` from milliseconds.
    public static func seconds(_ milliseconds: Int) -> String {
        let tenths = (milliseconds + 50) / 100
        return L10n.format("quiz.giay_3", ["\(tenths / 10)", "\(tenths % 10)"])
    }
}
