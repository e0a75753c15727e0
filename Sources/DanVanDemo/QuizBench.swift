import DanVanCore
import DanVanQuiz
import DanVanText
import Fluent
import Foundation
import SQLKit
import Vapor

/// `danvan bench-quiz setup|verify|close`: data for `scripts/bench-quiz`.
///
/// - `setup --participants N --questions Q --starts S --attempts A --out DIR`: a published
///   contest with a bank of Q questions and an open round of 20 (3 attempts allowed); N
///   registered participants with API tokens; participants S… already have A started attempts
///   each (default 2, so the submission phase cannot run out of work at ~4,000/s). Writes `DIR/round`, `DIR/starts.txt`
///   (one token per line, for the start phase) and `DIR/submits.txt` (attempt id, token and a
///   JSON body per line, for the submission phase).
/// - `verify --round ID --out DIR`: every attempt id the load tool saw acknowledged
///   (`DIR/acked-*.txt`) is a submitted attempt.
/// - `close --attempts A`: a second round with A submitted attempts, then times its closing.
struct QuizBenchCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action") var action: String
        @Option(name: "participants") var participants: Int?
        @Option(name: "questions") var questions: Int?
        @Option(name: "starts") var starts: Int?
        @Option(name: "out") var out: String?
        @Option(name: "round") var round: String?
        @Option(name: "attempts") var attempts: Int?
    }

    var help: String { "Dữ liệu cho scripts/bench-quiz" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        switch signature.action {
        case "setup":
            try await setup(
                app, participants: signature.participants ?? 100_000, questions: signature.questions ?? 500, starts: signature.starts ?? 20_000,
                attemptsEach: min(3, max(1, signature.attempts ?? 2)), out: signature.out ?? "."
            )
        case "verify":
            // Every id the load tool saw acknowledged must be a submitted attempt.
            guard let id = signature.round.flatMap(UUID.init(uuidString:)), let sql = app.db as? any SQLDatabase, let folder = signature.out else { throw AppError.notFound }
            var acknowledged = Set<UUID>()
            for file in try FileManager.default.contentsOfDirectory(atPath: folder) where file.hasPrefix("acked-") {
                for line in try String(contentsOfFile: folder + "/" + file, encoding: .utf8).split(separator: "\n") {
                    if let uuid = UUID(uuidString: String(line)) { acknowledged.insert(uuid) }
                }
            }
            struct Row: Decodable { let id: UUID }
            let stored = Set(try await sql.raw("SELECT id FROM quiz_attempts WHERE round_id = \(bind: id) AND status = 'submitted'").all(decoding: Row.self).map(\.id))
            let missing = acknowledged.subtracting(stored).count
            context.console.print("acknowledged=\(acknowledged.count) stored=\(stored.count) acknowledged_missing=\(missing)")
        case "close":
            try await close(app, attempts: signature.attempts ?? 200_000, context: context)
        default:
            context.console.print("Cách dùng: danvan bench-quiz setup|verify|close")
        }
    }

    static func token(_ index: Int) -> String { "dvq_bench_\(index)" }

    func insertChunked(_ sql: any SQLDatabase, table: String, columns: String, rows: [SQLGroupExpression]) async throws {
        for start in stride(from: 0, to: rows.count, by: 400) {
            let chunk = Array(rows[start..<min(rows.count, start + 400)])
            try await sql.raw("INSERT INTO \(unsafeRaw: table) (\(unsafeRaw: columns)) VALUES \(SQLList(chunk))").run()
        }
    }

    func setup(_ app: Application, participants count: Int, questions: Int, starts: Int, attemptsEach: Int, out: String) async throws {
        try await app.autoMigrate()
        if try await OrgUnit.query(on: app.db).count() == 0 { try await DemoProvince.load(app: app) }
        let now = Date()
        guard let sql = app.db as? any SQLDatabase,
              let board = try await OrgUnit.query(on: app.db).filter(\.$code == "TU-BTGDV").first() else { return }
        let communes = try await OrgUnit.query(on: app.db).filter(\.$kind == .commune).all()
        let contest = QuizContest()
        contest.slug = "bench-\(Int(now.timeIntervalSince1970))"
        contest.title = "Cuộc thi đo tải"
        contest.rules = "Đo tải"
        contest.$unit.id = try board.requireID()
        contest.status = .published
        contest.minAge = 0
        contest.requireIDNumber = false
        contest.occupations = ""
        contest.prizes = "Nhất:1, Nhì:2, Ba:5, Khuyến khích:8"
        contest.unitPrizes = true
        contest.graceSeconds = 15
        contest.minSecondsPerQuestion = 0
        try await contest.create(on: app.db)
        var rows = [CSV.Row(line: 1, fields: ["Câu hỏi", "A", "B", "C", "D", "Đáp án"])]
        for index in 1...questions {
            rows.append(CSV.Row(line: index + 1, fields: ["Câu hỏi đo tải số \(index): nội dung nào đúng về công tác dân vận?", "Phương án đúng \(index)", "Phương án sai \(index)", "Phương án khác \(index)", "Phương án nữa \(index)", index % 10 == 0 ? "A, C" : "A"]))
        }
        _ = try await QuizAdmin.importBank(rows, contest: contest, skipBad: false, actor: .system, now: now, on: app.db)
        let round = QuizRound()
        round.$contest.id = try contest.requireID()
        round.number = 1
        round.title = "Tuần đo tải"
        round.opensAt = now.addingTimeInterval(-60)
        round.closesAt = now.addingTimeInterval(86_400)
        round.questionCount = 20
        round.timeLimitSeconds = 3600
        round.maxAttempts = 3
        round.predictionQuestion = "Dự đoán"
        round.status = .draft
        try await round.create(on: app.db)
        try await QuizAdmin.draw(round, actor: .system, now: now, on: app.db)
        try await QuizAdmin.publish(round, actor: .system, now: now, app: app, on: app.db)
        let roundID = try round.requireID()
        let pool = try await QuizRoundQuestion.query(on: app.db).filter(\.$round.$id == roundID).with(\.$question).all()
        let keys = Dictionary(pool.map { ($0.question.number, $0.question.correctMask) }, uniquingKeysWith: { a, _ in a })
        let hash = try Bcrypt.hash("bench", cost: 4)
        var participantIDs: [UUID] = []
        var participantRows: [SQLGroupExpression] = []
        let day = VNFormat.dayKey(now)
        for index in 0..<count {
            let unit = communes[index % communes.count]
            let id = UUID()
            participantIDs.append(id)
            participantRows.append(SQLGroupExpression([
                SQLBind(id), SQLBind(try contest.requireID()), SQLBind("Thí sinh \(index)"), SQLBind(String(format: "09%08d", index)), SQLBind(try unit.requireID()),
                SQLBind(unit.path), SQLBind("Nhân dân"), SQLBind(hash), SQLBind(QuizService.tokenHash(Self.token(index))), SQLBind("bench"), SQLBind(day),
                SQLBind(false), SQLBind("thi sinh \(index)"), SQLBind(now),
            ] as [any SQLExpression]))
        }
        try await insertChunked(sql, table: "quiz_participants", columns: "id, contest_id, full_name, phone, unit_id, unit_path, occupation, secret_hash, token_hash, address, day, disqualified, search_key, created_at", rows: participantRows)
        var generator = SystemRandomNumberGenerator()
        var attemptRows: [SQLGroupExpression] = []
        var submits = ""
        // Every participant's first attempt, then every second one: one participant's attempts
        // are far apart in the submission phase, as in a real rush.
        for (attemptNo, index) in (1...attemptsEach).lazy.flatMap({ number in (starts..<count).lazy.map { (number, $0) } }) {
            let layout = QuizRules.layout(questions: pool.map { ($0.question.number, $0.question.options.count) }, using: &generator)
            let id = UUID.timeOrdered(at: now)  // as QuizService.start makes them
            attemptRows.append(SQLGroupExpression([
                SQLBind(id), SQLBind(roundID), SQLBind(participantIDs[index]), SQLBind(attemptNo), SQLBind(now), SQLBind(now.addingTimeInterval(3600)),
                SQLBind(QuizRules.encode(layout)), SQLBind("started"), SQLBind("bench"), SQLBind(day),
            ] as [any SQLExpression]))
            // Right answers on three questions in four, so scores spread.
            var answers: [String] = []
            for (position, slot) in layout.enumerated() {
                let right = QuizRules.indexes(of: keys[slot.number] ?? 1).compactMap { slot.order.firstIndex(of: $0) }
                let chosen = position % 4 == 3 ? [right.first == 0 ? 1 : 0] : right
                answers.append("\"\(slot.number)\":[\(chosen.map(String.init).joined(separator: ","))]")
            }
            submits += "\(id.uuidString)\t\(Self.token(index))\t{\"answers\":{\(answers.joined(separator: ","))},\"prediction\":\(index % 5000)}\n"
        }
        try await insertChunked(sql, table: "quiz_attempts", columns: "id, round_id, participant_id, attempt_no, started_at, deadline_at, layout, status, address, day", rows: attemptRows)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try roundID.uuidString.write(toFile: out + "/round", atomically: true, encoding: .utf8)
        try (0..<starts).map { Self.token($0) }.joined(separator: "\n").appending("\n").write(toFile: out + "/starts.txt", atomically: true, encoding: .utf8)
        try submits.write(toFile: out + "/submits.txt", atomically: true, encoding: .utf8)
        print("contest \(contest.slug): \(questions) questions, \(count) participants, \(attemptRows.count) started attempts, round \(roundID)")
    }

    func close(_ app: Application, attempts: Int, context: CommandContext) async throws {
        guard let sql = app.db as? any SQLDatabase,
              let contest = try await QuizContest.query(on: app.db).filter(\.$slug =~ "bench-").first() else {
            context.console.print("Chạy setup trước")
            return
        }
        let now = Date()
        let round = QuizRound()
        round.$contest.id = try contest.requireID()
        round.number = (try await QuizRound.query(on: app.db).filter(\.$contest.$id == contest.requireID()).count()) + 1
        round.title = "Tuần đo xếp hạng"
        round.opensAt = now.addingTimeInterval(-7200)
        round.closesAt = now.addingTimeInterval(-60)
        round.questionCount = 20
        round.timeLimitSeconds = 1200
        round.maxAttempts = 3
        round.predictionQuestion = "Dự đoán"
        round.status = .published
        try await round.create(on: app.db)
        let roundID = try round.requireID()
        struct P: Decodable { let id: UUID }
        let participants = try await sql.raw("SELECT id FROM quiz_participants WHERE contest_id = \(bind: contest.requireID())").all(decoding: P.self).map(\.id)
        var generator = SystemRandomNumberGenerator()
        var rows: [SQLGroupExpression] = []
        for index in 0..<attempts {
            let participant = participants[index % participants.count]
            let started = now.addingTimeInterval(-7000 + Double(index % 6000))
            let correct = Int.random(in: 14...20, using: &generator)
            rows.append(SQLGroupExpression([
                SQLBind(UUID()), SQLBind(roundID), SQLBind(participant), SQLBind(index / participants.count + 1), SQLBind(started), SQLBind(started.addingTimeInterval(1200)),
                SQLBind(""), SQLBind("submitted"), SQLBind(started.addingTimeInterval(Double(Int.random(in: 60_000...1_200_000, using: &generator)) / 1000)),
                SQLBind(correct), SQLBind(Int.random(in: 0...3000, using: &generator)), SQLBind(Int.random(in: 60_000...1_200_000, using: &generator)), SQLBind("bench"), SQLBind(20261123),
            ] as [any SQLExpression]))
        }
        try await insertChunked(sql, table: "quiz_attempts", columns: "id, round_id, participant_id, attempt_no, started_at, deadline_at, layout, status, submitted_at, correct, prediction, time_ms, address, day", rows: rows)
        let clock = ContinuousClock()
        let elapsed = try await clock.measure { try await QuizService.close(round, actor: .system, now: now, app: app) }
        let ranked = try await QuizService.rankedCount(round: roundID, on: app.db)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        context.console.print(String(format: "close: %d attempts, %d ranked, %d all-correct, %.2f s", attempts, ranked, round.perfectCount ?? 0, seconds))
    }
}
