import DanVanCore
import DanVanText
import Fluent
import Foundation
import SQLKit
import Vapor

/// The organiser's operations: contests, rounds, the question bank, participation, flags.
public enum QuizAdmin {

    // MARK: Contests

    /// The contest form.
    public struct ContestForm: Content, Sendable {
        public var slug: String?
        public var title: String?
        public var rules: String?
        public var unitID: String?
        public var status: String?
        public var minAge: String?
        public var requireIDNumber: String?
        public var occupations: String?
        public var prizes: String?
        public var unitPrizes: String?
        public var graceSeconds: String?
        public var minSecondsPerQuestion: String?
    }

    static func slugify(_ text: String) -> String {
        var slug = ""
        for scalar in VietnameseText.fold(text).unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) { slug.unicodeScalars.append(scalar) }
            else if !slug.isEmpty, !slug.hasSuffix("-") { slug += "-" }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        return String(slug.prefix(60))
    }

    /// Validates the form into `contest` (new or existing); errors by field.
    public static func apply(_ form: ContestForm, to contest: QuizContest, scope: AccessScope, on db: any Database) async throws -> FormErrors {
        var errors = FormErrors()
        let title = VietnameseText.clean(form.title ?? "")
        if title.isEmpty { errors.add("title", "quiz.admin.error.titleRequired") } else if title.count > 300 { errors.add("title", "quiz.admin.error.titleTooLong") }
        let slug = slugify((form.slug ?? "").isEmpty ? title : form.slug ?? "")
        if slug.isEmpty { errors.add("slug", "quiz.admin.error.slugInvalid") }
        else if let other = try await QuizContest.query(on: db).filter(\.$slug == slug).first(), other.id != contest.id { errors.add("slug", "quiz.admin.error.slugTaken") }
        if let id = UUID(uuidString: form.unitID ?? ""), let unit = try await OrgUnit.find(id, on: db), scope.contains(unit) {
            contest.$unit.id = id
        } else {
            errors.add("unitID", "quiz.admin.error.unitRequired")
        }
        let minAge = Int((form.minAge ?? "0").trimmingCharacters(in: .whitespaces)) ?? -1
        if !(0...100).contains(minAge) { errors.add("minAge", "quiz.admin.error.minAge") }
        let grace = Int((form.graceSeconds ?? "").trimmingCharacters(in: .whitespaces)) ?? -1
        if !(0...300).contains(grace) { errors.add("graceSeconds", "quiz.admin.error.grace") }
        let minSeconds = Int((form.minSecondsPerQuestion ?? "").trimmingCharacters(in: .whitespaces)) ?? -1
        if !(0...120).contains(minSeconds) { errors.add("minSecondsPerQuestion", "quiz.admin.error.minSeconds") }
        let prizes = VietnameseText.nfc(form.prizes ?? "")
        if QuizRules.prizes(prizes) == nil { errors.add("prizes", "quiz.admin.error.prizes") }
        let status = QuizContest.Status(rawValue: form.status ?? "draft")
        if status == nil { errors.add("status", "quiz.admin.error.status") }
        contest.title = title
        contest.slug = slug.isEmpty ? (form.slug ?? "") : slug
        contest.rules = VietnameseText.nfc(form.rules ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        contest.minAge = max(0, minAge)
        contest.requireIDNumber = form.requireIDNumber != nil
        contest.occupations = VietnameseText.nfc(form.occupations ?? "")
        contest.prizes = prizes
        contest.unitPrizes = form.unitPrizes != nil
        contest.graceSeconds = max(0, grace)
        contest.minSecondsPerQuestion = max(0, minSeconds)
        contest.status = status ?? .draft
        return errors
    }

    /// Contests the user may see.
    public static func contests(scope: AccessScope, on db: any Database) async throws -> [QuizContest] {
        try await scope.filter(QuizContest.query(on: db)).sort(\.$createdAt, .descending).all()
    }

    /// A contest inside the scope (404 otherwise).
    public static func contest(_ id: UUID?, scope: AccessScope, on db: any Database) async throws -> QuizContest {
        guard let id, let contest = try await scope.filter(QuizContest.query(on: db)).filter(\.$id == id).first() else { throw AppError.notFound }
        return contest
    }

    // MARK: Rounds

    /// The round form.
    public struct RoundForm: Content, Sendable {
        public var title: String?
        public var opensAt: String?
        public var closesAt: String?
        public var questionCount: String?
        public var timeLimitMinutes: String?
        public var maxAttempts: String?
        public var predictionQuestion: String?
    }

    /// Validates the form into `round`.
    public static func apply(_ form: RoundForm, to round: QuizRound) -> FormErrors {
        var errors = FormErrors()
        let title = VietnameseText.clean(form.title ?? "")
        if title.isEmpty { errors.add("title", "quiz.admin.error.titleRequired") } else if title.count > 200 { errors.add("title", "quiz.admin.error.titleTooLong") }
        let opens = VNFormat.parseDateTime(form.opensAt ?? "")
        let closes = VNFormat.parseDateTime(form.closesAt ?? "")
        if opens == nil { errors.add("opensAt", "quiz.admin.error.dateTime") }
        if closes == nil { errors.add("closesAt", "quiz.admin.error.dateTime") }
        if let opens, let closes, closes <= opens { errors.add("closesAt", "quiz.admin.error.closeBeforeOpen") }
        let count = Int((form.questionCount ?? "").trimmingCharacters(in: .whitespaces)) ?? 0
        if !(5...30).contains(count) { errors.add("questionCount", "quiz.admin.error.questionCount") }
        let minutes = Int((form.timeLimitMinutes ?? "").trimmingCharacters(in: .whitespaces)) ?? 0
        if !(1...180).contains(minutes) { errors.add("timeLimitMinutes", "quiz.admin.error.timeLimit") }
        let attempts = Int((form.maxAttempts ?? "").trimmingCharacters(in: .whitespaces)) ?? 0
        if !(1...7).contains(attempts) { errors.add("maxAttempts", "quiz.admin.error.maxAttempts") }
        let prediction = VietnameseText.clean(form.predictionQuestion ?? "")
        round.title = title
        if let opens { round.opensAt = opens }
        if let closes { round.closesAt = closes }
        round.questionCount = count
        round.timeLimitSeconds = minutes * 60
        round.maxAttempts = attempts
        round.predictionQuestion = prediction.isEmpty ? L10n.text("quiz.round.defaultPrediction") : prediction
        return errors
    }

    /// Draws the round's questions from the bank at random, preferring questions no other
    /// round of the contest uses. Only while the round is a draft.
    public static func draw(_ round: QuizRound, actor: AuditActor, now: Date, on db: any Database) async throws {
        guard round.status == .draft else { throw AppError.conflict("quiz.admin.error.notDraft") }
        let roundID = try round.requireID()
        let contestID = round.$contest.id
        let questions = try await QuizQuestion.query(on: db).filter(\.$contest.$id == contestID).all()
        guard questions.count >= round.questionCount else {
            throw AppError.rejected(.conflict, L10n.format("quiz.admin.error.bankTooSmall", [String(questions.count), String(round.questionCount)]))
        }
        let otherRounds = try await QuizRound.query(on: db).filter(\.$contest.$id == contestID).filter(\.$id != roundID).all().compactMap(\.id)
        let used = otherRounds.isEmpty ? Set<UUID>() : Set(try await QuizRoundQuestion.query(on: db).filter(\.$round.$id ~~ otherRounds).all().map { $0.$question.id })
        let fresh = questions.filter { !used.contains($0.id!) }.shuffled()
        let reused = questions.filter { used.contains($0.id!) }.shuffled()
        let chosen = Array((fresh + reused).prefix(round.questionCount)).sorted { $0.number < $1.number }
        try await db.transaction { db in
            try await QuizRoundQuestion.query(on: db).filter(\.$round.$id == roundID).delete()
            for (position, question) in chosen.enumerated() {
                let link = QuizRoundQuestion()
                link.$round.id = roundID
                link.$question.id = try question.requireID()
                link.position = position
                try await link.create(on: db)
            }
            try await AuditLog.record(
                on: db, actor: actor, at: now, action: "update", entityType: "quizRound", entityID: roundID,
                summary: L10n.format("quiz.chon_cau_hoi_cho_tuan_thi", ["\(chosen.count)", "\(round.number)"]), after: ["questions": chosen.map { String($0.number) }.joined(separator: ",")]
            )
        }
    }

    /// Publishes a draft round: its questions are then fixed.
    public static func publish(_ round: QuizRound, actor: AuditActor, now: Date, app: Application, on db: any Database) async throws {
        guard round.status == .draft else { throw AppError.conflict("quiz.admin.error.notDraft") }
        let roundID = try round.requireID()
        let count = try await QuizRoundQuestion.query(on: db).filter(\.$round.$id == roundID).count()
        guard count == round.questionCount else {
            throw AppError.rejected(.conflict, L10n.format("quiz.admin.error.poolSize", [String(count), String(round.questionCount)]))
        }
        guard round.closesAt > now else { throw AppError.conflict("quiz.admin.error.closesInPast") }
        let before = round.auditSnapshot
        round.status = .published
        try await db.transaction { db in
            try await round.update(on: db)
            try await AuditLog.record(on: db, actor: actor, at: now, action: "update", entityType: "quizRound", entityID: roundID, summary: L10n.format("quiz.cong_bo_tuan_thi", ["\(round.number)"]), before: before, after: round.auditSnapshot)
        }
        app.quiz.invalidate(roundID)
    }

    // MARK: Question bank

    /// What an import did.
    public struct ImportOutcome: Sendable {
        /// Questions added.
        public var added: Int
        /// Rows refused, by line.
        public var errors: [QuizRules.RowError]
        /// Whether anything was stored.
        public var stored: Bool
    }

    /// Reads rows from an uploaded `.xlsx` or `.csv`.
    public static func rows(fromFile data: Data, filename: String) throws -> [CSV.Row] {
        let lower = filename.lowercased()
        if lower.hasSuffix(".xlsx") || data.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            do { return try XLSX.read(data) } catch { throw AppError.rejected(.badRequest, error.message) }
        }
        if lower.hasSuffix(".xls") { throw AppError.rejected(.badRequest, L10n.text("quiz.admin.error.legacyXLS")) }
        guard let text = String(data: data, encoding: .utf8) else { throw AppError.rejected(.badRequest, L10n.text("quiz.admin.error.notUTF8")) }
        do { return try CSV.parse(text) } catch { throw AppError.rejected(.badRequest, L10n.format("quiz.admin.error.csvLine", [String(error.line), error.message])) }
    }

    /// Imports questions. With errors, nothing is stored unless `skipBad` (then the good rows
    /// are). Bank numbers continue after the highest one.
    public static func importBank(_ rows: [CSV.Row], contest: QuizContest, skipBad: Bool, actor: AuditActor, now: Date, on db: any Database) async throws -> ImportOutcome {
        let contestID = try contest.requireID()
        let existing = try await QuizQuestion.query(on: db).filter(\.$contest.$id == contestID).all()
        let read = QuizRules.readBank(rows, existing: Set(existing.map(\.searchKey)))
        if !read.errors.isEmpty, !skipBad || read.questions.isEmpty {
            return ImportOutcome(added: 0, errors: read.errors, stored: false)
        }
        let first = (existing.map(\.number).max() ?? 0) + 1
        try await db.transaction { db in
            for (offset, (_, item)) in read.questions.enumerated() {
                let question = QuizQuestion()
                question.$contest.id = contestID
                question.number = first + offset
                question.text = item.text
                question.optionsJSON = String(decoding: try JSONEncoder().encode(item.options), as: UTF8.self)
                question.correctMask = QuizRules.mask(item.correct)
                question.multiple = item.correct.count > 1
                question.topic = item.topic
                question.explanation = item.explanation
                question.searchKey = VietnameseText.fold(item.text)
                try await question.create(on: db)
            }
            try await AuditLog.record(
                on: db, actor: actor, at: now, action: "create", entityType: "quizQuestion", entityID: contestID,
                summary: L10n.format("quiz.nhap_cau_hoi_vao_ngan_hang", ["\(read.questions.count)", "\(read.errors.count)"])
            )
        }
        return ImportOutcome(added: read.questions.count, errors: read.errors, stored: true)
    }

    // MARK: Participation

    /// Participation of one unit (its whole subtree).
    public struct UnitParticipation: Sendable, Encodable {
        public let unitID: String
        public let name: String
        public let depth: Int
        public let participants: Int
        public let attempts: Int
        public let headcount: Int?
        public let rate: Double?
        public let rateText: String
        public let lagging: Bool
    }

    /// One day's activity.
    public struct DayParticipation: Sendable, Encodable {
        public let day: String
        public let registrations: Int
        public let attempts: Int
        public let barWidth: Int
    }

    private struct UnitCount: Decodable { let unit_id: UUID; let n: Int }
    private struct DayCount: Decodable { let day: Int; let n: Int }

    /// Participants and attempts by unit subtree (against headcounts) and by day. `roundID`
    /// narrows attempts (and participants to those who attempted) to one round. Units under
    /// half the average rate, or with nobody when others have people, are marked lagging.
    public static func participation(contest: QuizContest, roundID: UUID?, scope: AccessScope, on db: any Database) async throws -> (units: [UnitParticipation], days: [DayParticipation]) {
        guard let sql = db as? any SQLDatabase else { return ([], []) }
        let contestID = try contest.requireID()
        let roundFilter: SQLQueryString = roundID.map { "AND a.round_id = \(bind: $0)" } ?? ""
        let participantCounts: [UnitCount]
        if let roundID {
            participantCounts = try await sql.raw("""
                SELECT p.unit_id, COUNT(DISTINCT p.id) AS n FROM quiz_participants p JOIN quiz_attempts a ON a.participant_id = p.id
                WHERE p.contest_id = \(bind: contestID) AND a.round_id = \(bind: roundID) GROUP BY p.unit_id
                """).all(decoding: UnitCount.self)
        } else {
            participantCounts = try await sql.raw("SELECT unit_id, COUNT(*) AS n FROM quiz_participants WHERE contest_id = \(bind: contestID) GROUP BY unit_id")
                .all(decoding: UnitCount.self)
        }
        let attemptCounts = try await sql.raw("""
            SELECT p.unit_id, COUNT(*) AS n FROM quiz_attempts a JOIN quiz_participants p ON p.id = a.participant_id
            JOIN quiz_rounds r ON r.id = a.round_id WHERE r.contest_id = \(bind: contestID) \(roundFilter) GROUP BY p.unit_id
            """).all(decoding: UnitCount.self)
        let headcounts = try await QuizHeadcount.query(on: db).filter(\.$contest.$id == contestID).all()
        var ownParticipants: [UUID: Int] = [:]
        for row in participantCounts { ownParticipants[row.unit_id, default: 0] += row.n }
        var ownAttempts: [UUID: Int] = [:]
        for row in attemptCounts { ownAttempts[row.unit_id, default: 0] += row.n }
        let heads = Dictionary(headcounts.map { ($0.$unit.id, $0.headcount) }, uniquingKeysWith: { $1 })
        // Roll up by path: a unit's figure is its whole subtree (every unit, even merged ones, counts toward its ancestors).
        // One load of the tree: merged units still count toward their ancestors; the table lists
        // the active units in scope.
        let allUnits = try await OrgUnit.query(on: db).sort(\.$path).all()
        let units = allUnits.filter { $0.status == .active && scope.contains($0) }
        let pathOf = Dictionary(allUnits.compactMap { unit in unit.id.map { ($0, unit.path) } }, uniquingKeysWith: { a, _ in a })
        var subtreeParticipants: [UUID: Int] = [:]
        var subtreeAttempts: [UUID: Int] = [:]
        var subtreeHeads: [UUID: Int] = [:]
        let visible = Dictionary(units.compactMap { unit in unit.id.map { ($0, unit) } }, uniquingKeysWith: { a, _ in a })
        func ancestors(of unitID: UUID) -> [UUID] {
            guard let path = pathOf[unitID] else { return [] }
            return path.split(separator: "/").compactMap { UUID(uuidString: String($0)) }
        }
        for (unitID, count) in ownParticipants { for ancestor in ancestors(of: unitID) where visible[ancestor] != nil { subtreeParticipants[ancestor, default: 0] += count } }
        for (unitID, count) in ownAttempts { for ancestor in ancestors(of: unitID) where visible[ancestor] != nil { subtreeAttempts[ancestor, default: 0] += count } }
        for (unitID, count) in heads { for ancestor in ancestors(of: unitID) where visible[ancestor] != nil { subtreeHeads[ancestor, default: 0] += count } }
        let rates = units.compactMap { unit -> Double? in
            guard let id = unit.id, let head = subtreeHeads[id], head > 0 else { return nil }
            return Double(subtreeParticipants[id] ?? 0) / Double(head)
        }
        let average = rates.isEmpty ? 0 : rates.reduce(0, +) / Double(rates.count)
        let anyone = units.contains { ($0.id.flatMap { subtreeParticipants[$0] } ?? 0) > 0 }
        let result = units.compactMap { unit -> UnitParticipation? in
            guard let id = unit.id else { return nil }
            let people = subtreeParticipants[id] ?? 0
            let head = heads[id] ?? subtreeHeads[id]
            let rate = head.flatMap { $0 > 0 ? Double(people) / Double($0) : nil }
            let lagging = rate.map { $0 < average / 2 } ?? (anyone && people == 0 && (unit.kind == .commune))
            return UnitParticipation(
                unitID: id.uuidString, name: unit.name, depth: unit.depth, participants: people, attempts: subtreeAttempts[id] ?? 0, headcount: head, rate: rate,
                rateText: rate.map { VNFormat.percent($0, places: 1) } ?? "", lagging: lagging
            )
        }
        let registrations = try await sql.raw("SELECT day, COUNT(*) AS n FROM quiz_participants WHERE contest_id = \(bind: contestID) GROUP BY day")
            .all(decoding: DayCount.self)
        let attemptsByDay = try await sql.raw("""
            SELECT a.day, COUNT(*) AS n FROM quiz_attempts a JOIN quiz_rounds r ON r.id = a.round_id
            WHERE r.contest_id = \(bind: contestID) \(roundFilter) GROUP BY a.day
            """).all(decoding: DayCount.self)
        let registrationMap = Dictionary(registrations.map { ($0.day, $0.n) }, uniquingKeysWith: +)
        let attemptMap = Dictionary(attemptsByDay.map { ($0.day, $0.n) }, uniquingKeysWith: +)
        let daysKeys = Set(registrationMap.keys).union(attemptMap.keys).sorted()
        let peak = max(1, daysKeys.map { max(registrationMap[$0] ?? 0, attemptMap[$0] ?? 0) }.max() ?? 1)
        let days = daysKeys.map { key in
            DayParticipation(
                day: VNFormat.dayKeyText(key), registrations: registrationMap[key] ?? 0, attempts: attemptMap[key] ?? 0,
                barWidth: Int((Double(attemptMap[key] ?? 0) / Double(peak) * 300).rounded())
            )
        }
        return (result, days)
    }

    /// Sets headcounts (unit id → number; nil clears).
    public static func setHeadcounts(_ values: [UUID: Int?], contest: QuizContest, actor: AuditActor, now: Date, on db: any Database) async throws {
        let contestID = try contest.requireID()
        try await db.transaction { db in
            for (unitID, value) in values {
                let existing = try await QuizHeadcount.query(on: db).filter(\.$contest.$id == contestID).filter(\.$unit.$id == unitID).first()
                if let value {
                    let row = existing ?? QuizHeadcount()
                    row.$contest.id = contestID
                    row.$unit.id = unitID
                    row.headcount = value
                    try await row.save(on: db)
                } else if let existing {
                    try await existing.delete(on: db)
                }
            }
            try await AuditLog.record(on: db, actor: actor, at: now, action: "update", entityType: "quizHeadcount", entityID: contestID, summary: L10n.format("quiz.cap_nhat_chi_tieu_so_nguoi", ["\(values.count)"]))
        }
    }

    // MARK: Unit prizes

    /// A unit's result in a round.
    /// What a round's organiser page shows, read in one place.
    public struct RoundDetail: Sendable {
        /// The drawn questions, in their order.
        public let questions: [QuizQuestion]
        /// Attempts started, attempts submitted, distinct participants.
        public let attempts: Int, submitted: Int, participants: Int
        /// After closing: the top standings (at least 50, or as many as there are prizes), the prize
        /// names, participants with unreviewed flags, how many were ranked and the unit standings.
        public let standings: [QuizService.Standing]
        public let prizes: [String]
        public let flagged: Set<UUID>
        public let ranked: Int
        public let units: (mostParticipants: [UnitStanding], highestRate: [UnitStanding])
    }

    /// Reads a round's organiser page.
    public static func roundDetail(_ round: QuizRound, of contest: QuizContest, on db: any Database) async throws -> RoundDetail {
        let roundID = try round.requireID()
        let links = try await QuizRoundQuestion.query(on: db).filter(\.$round.$id == roundID).with(\.$question).sort(\.$position).all()
        let attempts = try await QuizAttempt.query(on: db).filter(\.$round.$id == roundID).count()
        let submitted = try await QuizAttempt.query(on: db).filter(\.$round.$id == roundID).filter(\.$status == .submitted).count()
        var participants = 0
        if let sql = db as? any SQLDatabase {
            struct Count: Decodable { let n: Int }
            participants = try await sql.raw("SELECT COUNT(DISTINCT participant_id) AS n FROM quiz_attempts WHERE round_id = \(bind: roundID)").first(decoding: Count.self)?.n ?? 0
        }
        guard round.status == .closed else {
            return RoundDetail(
                questions: links.map(\.question), attempts: attempts, submitted: submitted, participants: participants,
                standings: [], prizes: [], flagged: [], ranked: 0, units: ([], [])
            )
        }
        let prizes = QuizRules.prizeNames(QuizRules.prizes(contest.prizes) ?? [])
        let contestID = try contest.requireID()
        return RoundDetail(
            questions: links.map(\.question), attempts: attempts, submitted: submitted, participants: participants,
            standings: try await QuizService.standings(round: roundID, offset: 0, limit: max(50, prizes.count), on: db),
            prizes: prizes,
            flagged: Set(try await QuizFlag.query(on: db).filter(\.$contest.$id == contestID).filter(\.$reviewedAt == nil).all().compactMap(\.participantID)),
            ranked: try await QuizService.rankedCount(round: roundID, on: db),
            units: try await unitStandings(round: roundID, contestID: contestID, on: db)
        )
    }

    public struct UnitStanding: Sendable, Encodable {
        public let name: String
        public let participants: Int
        public let rateText: String
    }

    private struct UnitRoundCount: Decodable { let unit_id: UUID; let name: String; let n: Int }

    /// Units with most participants, and with the highest rate against their headcount.
    public static func unitStandings(round roundID: UUID, contestID: UUID, on db: any Database) async throws -> (mostParticipants: [UnitStanding], highestRate: [UnitStanding]) {
        guard let sql = db as? any SQLDatabase else { return ([], []) }
        let counts = try await sql.raw("""
            SELECT p.unit_id, u.name, COUNT(*) AS n FROM quiz_results r JOIN quiz_participants p ON p.id = r.participant_id JOIN units u ON u.id = p.unit_id
            WHERE r.round_id = \(bind: roundID) GROUP BY p.unit_id, u.name
            """).all(decoding: UnitRoundCount.self)
        let heads = Dictionary(try await QuizHeadcount.query(on: db).filter(\.$contest.$id == contestID).all().map { ($0.$unit.id, $0.headcount) }, uniquingKeysWith: { $1 })
        func text(_ rate: Double) -> String { VNFormat.percent(rate, places: 1) }
        let most = counts.sorted { ($0.n, $1.name) > ($1.n, $0.name) }.prefix(5).map { row in
            UnitStanding(name: row.name, participants: row.n, rateText: heads[row.unit_id].map { $0 > 0 ? text(Double(row.n) / Double($0)) : "" } ?? "")
        }
        let rated = counts.compactMap { row -> (UnitRoundCount, Double)? in
            guard let head = heads[row.unit_id], head > 0 else { return nil }
            return (row, Double(row.n) / Double(head))
        }.sorted { $0.1 > $1.1 }.prefix(5).map { UnitStanding(name: $0.0.name, participants: $0.0.n, rateText: text($0.1)) }
        return (Array(most), Array(rated))
    }
}
