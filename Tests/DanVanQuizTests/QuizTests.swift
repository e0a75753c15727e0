import DanVanApp
import DanVanCore
import DanVanQuiz
import DanVanTestSupport
import DanVanText
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

// MARK: Pure rules

@Suite("Quiz rules")
struct QuizRulesTests {
    /// The rules' messages come from the quiz table, which the app registers when configured;
    /// these tests run without an app, so they register it themselves.
    init() { L10n.register(QuizModule().localization) }

    @Test("phone numbers in every common Vietnamese writing normalise to one form")
    func phones() {
        for raw in ["0912345678", "0912 345 678", "0912.345.678", "0912-345-678", "+84 912 345 678", "+84912345678", "84912345678", "(+84) 912-345-678", "912345678", "0084912345678", "０９１２３４５６７８"] {
            #expect(QuizRules.normalizePhone(raw) == "0912345678", "\(raw)")
        }
        for raw in ["", "12345", "09123456789", "0012345678", "+1 912 345 678", "0912a45678", "091234567", "+84 0912 345 678 9"] {
            #expect(QuizRules.normalizePhone(raw) == nil, "\(raw)")
        }
        #expect(QuizRules.maskPhone("0912345678") == "0912***678")
        #expect(QuizRules.normalizeIDNumber("001 090 012 345") == "001090012345")
        #expect(QuizRules.normalizeIDNumber("12345") == nil)
    }

    @Test("a layout survives encoding; scoring needs every correct option and only those")
    func scoring() throws {
        let layout = [QuizRules.Slot(number: 7, order: [2, 0, 1, 3]), QuizRules.Slot(number: 3, order: [1, 0, 2])]
        #expect(QuizRules.decode(QuizRules.encode(layout)) == layout)
        #expect(QuizRules.decode("7:0012") == nil)
        #expect(QuizRules.decode("12:3021,5:102") == [QuizRules.Slot(number: 12, order: [3, 0, 2, 1]), QuizRules.Slot(number: 5, order: [1, 0, 2])])
        #expect(QuizRules.decode("") == [])
        for bad in ["7:013", "7:", ":012", "7:01:2", "7:012,", ",7:012", "7;012", "x:01", "7:0a1", "7 :01", "1234567890:01"] {
            #expect(QuizRules.decode(bad) == nil, "\(bad)")
        }
        let keys = [7: QuizRules.Key(optionCount: 4, correctMask: 0b0101, multiple: true), 3: QuizRules.Key(optionCount: 3, correctMask: 0b001, multiple: false)]
        // Question 7 shows original options [2,0,1,3]: original 0 and 2 are positions 1 and 0.
        #expect(try QuizRules.score(answers: [7: [0, 1], 3: [1]], layout: layout, keys: keys).correct == 2)
        #expect(try QuizRules.score(answers: [7: [1], 3: [1]], layout: layout, keys: keys).correct == 1)
        #expect(try QuizRules.score(answers: [7: [0, 1, 2]], layout: layout, keys: keys).correct == 0)
        #expect(try QuizRules.score(answers: [:], layout: layout, keys: keys).chosen == [0, 0])
        #expect(throws: QuizRules.AnswerError.notInAttempt(99)) { try QuizRules.score(answers: [99: [0]], layout: layout, keys: keys) }
        #expect(throws: QuizRules.AnswerError.noSuchOption(question: 3, position: 3)) { try QuizRules.score(answers: [3: [3]], layout: layout, keys: keys) }
        #expect(throws: QuizRules.AnswerError.severalOnSingle(3)) { try QuizRules.score(answers: [3: [0, 1]], layout: layout, keys: keys) }
    }

    @Test("ranking: correct, then prediction distance, then time, then submission; best attempt counts")
    func ranking() {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let (a, b, c, d) = (UUID(), UUID(), UUID(), UUID())
        func entry(_ p: UUID, _ correct: Int, _ prediction: Int?, _ ms: Int, _ at: Double) -> QuizRules.Entry {
            QuizRules.Entry(attemptID: UUID(), participantID: p, correct: correct, prediction: prediction, timeMs: ms, submittedAt: t0.addingTimeInterval(at))
        }
        let entries = [
            entry(a, 10, 5, 100_000, 10), // perfect, prediction off by 2 (three perfect), fastest
            entry(b, 10, 3, 200_000, 20), // perfect, exact prediction, slow
            entry(c, 10, 3, 150_000, 30), // perfect, exact prediction, faster than b
            entry(d, 9, 3, 50_000, 5), entry(d, 7, 3, 10_000, 1), // best attempt is the 9
            entry(a, 8, 3, 1_000, 40), // a's worse attempt does not count
        ]
        let (perfect, placed) = QuizRules.rank(entries, questionCount: 10)
        #expect(perfect == 3)
        #expect(placed.map(\.entry.participantID) == [c, b, a, d])
        #expect(placed.map(\.distance) == [0, 0, 2, 0])
        #expect(placed.last?.entry.correct == 9)
        // Same score and prediction and time: the earlier submission wins.
        let tie = QuizRules.rank([entry(a, 5, nil, 1000, 9), entry(b, 5, nil, 1000, 3)], questionCount: 10).placed
        #expect(tie.map(\.entry.participantID) == [b, a])
        #expect(tie[0].distance == QuizRules.missingPredictionDistance)
    }

    @Test("a bank file is checked row by row and every bad row is named by its line")
    func bank() {
        let rows = [
            CSV.Row(line: 1, fields: ["STT", "Nội dung câu hỏi", "Phương án A", "Phương án B", "Phương án C", "Phương án D", "Đáp án đúng", "Chủ đề"]),
            CSV.Row(line: 2, fields: ["1", "Câu một?", "x", "y", "z", "", "B", "DVK"]),
            CSV.Row(line: 3, fields: ["2", "", "x", "y", "z", "t", "A", ""]),
            CSV.Row(line: 4, fields: ["3", "Câu ba?", "x", "y", "z", "", "D", ""]),
            CSV.Row(line: 5, fields: ["4", "Câu bốn?", "x", "", "z", "t", "A", ""]),
            CSV.Row(line: 6, fields: ["5", "CÂU MỘT?", "p", "q", "r", "s", "A", ""]),
            CSV.Row(line: 7, fields: ["6", "Câu sáu?", "x", "y", "z", "t", "A, c", ""]),
            CSV.Row(line: 8, fields: ["7", "Câu bảy?", "x", "y", "x", "t", "A", ""]),
            CSV.Row(line: 9, fields: ["8", "Câu tám?", "x", "y", "z", "t", "", ""]),
        ]
        let result = QuizRules.readBank(rows, existing: [VietnameseText.fold("Câu đã có?")])
        #expect(result.questions.map(\.line) == [2, 7])
        #expect(result.questions[0].question.correct == [1])
        #expect(result.questions[0].question.options.count == 3)
        #expect(result.questions[1].question.correct == [0, 2])
        #expect(result.errors.map(\.line) == [3, 4, 5, 6, 8, 9])
        #expect(result.errors[1].message.contains("\"D\""))
        #expect(result.errors[3].message.contains("trùng"))
        let missing = QuizRules.readBank([CSV.Row(line: 1, fields: ["Câu hỏi", "A", "B"])])
        #expect(missing.errors.first?.message.contains("Đáp án") == true)
    }

    @Test("an .xlsx written by Excel-style code reads back with row numbers; prizes parse")
    func xlsxAndPrizes() throws {
        let data = try XLSX.write(sheetName: "Câu hỏi", rows: [["Câu hỏi", "A", "B"], ["Tiếng Việt có dấu & <ký hiệu>", "1", ""], ["", "", ""], ["Dòng 4", "x", "y"]])
        let rows = try XLSX.read(data)
        #expect(rows.map(\.line) == [1, 2, 4])
        #expect(rows[1].fields[0] == "Tiếng Việt có dấu & <ký hiệu>")
        #expect(throws: XLSX.ReadError.self) { try XLSX.read(Data("not a zip".utf8)) }
        #expect(QuizRules.prizes("1,2,5,8")?.map(\.count) == [1, 2, 5, 8])
        #expect(QuizRules.prizes("Nhất:1, Nhì:2")?.first?.name == "Giải Nhất")
        #expect(QuizRules.prizes("Nhất:x") == nil)
        #expect(QuizRules.prizeNames(QuizRules.prizes("1,2")!) == ["Giải Nhất", "Giải Nhì", "Giải Nhì"])
    }

    @Test("a contestant's secret is stored peppered: it verifies under the server's key only; hashes from before the pepper still verify")
    func secretHash() throws {
        let key = SymmetricKey(size: .bits256)
        let hash = try QuizService.SecretHash.make("1234", key: key, cost: 4)
        #expect(hash.hasPrefix("p1$$2b$04$"))
        #expect(QuizService.SecretHash.verify("1234", hash: hash, key: key))
        #expect(!QuizService.SecretHash.verify("1235", hash: hash, key: key))
        #expect(!QuizService.SecretHash.verify("1234", hash: hash, key: SymmetricKey(size: .bits256)), "the database alone is not enough")
        #expect(!hash.contains("1234"))
        let legacy = try Bcrypt.hash("Bí mật", cost: 4)
        #expect(QuizService.SecretHash.verify("Bí mật", hash: legacy, key: key))
        #expect(!QuizService.SecretHash.verify("bí mật", hash: legacy, key: key))
    }
}

// MARK: Through the app

/// A published contest with an open round of 5 questions from a 12-question bank.
func makeContest(_ app: Application, now: Date, maxAttempts: Int = 2, minAge: Int = 0) async throws -> (QuizContest, QuizRound) {
    try await QuizContest.playable(app, now: now, maxAttempts: maxAttempts, minAge: minAge)
}

struct APIReply {
    let status: HTTPStatus
    let json: [String: Any]
    let body: String
}

/// A participant stored directly (not through registration), for tests that need many.
@discardableResult
func storedParticipant(_ contest: QuizContest, unit: OrgUnit, fullName: String, phone: String, on db: any Database) async throws -> QuizParticipant {
    let participant = QuizParticipant()
    participant.$contest.id = try contest.requireID()
    participant.fullName = fullName
    participant.phone = phone
    participant.$unit.id = try unit.requireID()
    participant.unitPath = unit.path
    participant.occupation = "Nhân dân"
    participant.secretHash = "x"
    participant.address = "test"
    participant.day = 20261123
    participant.disqualified = false
    participant.searchKey = ""
    try await participant.create(on: db)
    return participant
}

func api(_ client: WebClient, _ method: HTTPMethod, _ path: String, token: String? = nil, _ body: [String: Any]? = nil) async throws -> APIReply {
    var headers = HTTPHeaders()
    headers.contentType = .json
    if let token { headers.replaceOrAdd(name: "X-Participant-Token", value: token) }
    let data = try body.map { try JSONSerialization.data(withJSONObject: $0) }
    let page = try await client.send(method, path, headers: headers, body: data.map { ByteBuffer(data: $0) })
    let json = (try? JSONSerialization.jsonObject(with: Data(page.body.utf8))) as? [String: Any] ?? [:]
    return APIReply(status: page.status, json: json, body: page.body)
}

/// The right display positions for every question of an attempt (from the answer key).
func rightAnswers(_ attemptID: UUID, app: Application) async throws -> [String: [Int]] {
    let attempt = try #require(try await QuizAttempt.find(attemptID, on: app.db))
    var answers: [String: [Int]] = [:]
    for slot in QuizRules.decode(attempt.layout) ?? [] {
        let question = try #require(try await QuizQuestion.query(on: app.db).filter(\.$number == slot.number).first())
        answers[String(slot.number)] = QuizRules.indexes(of: question.correctMask).compactMap { slot.order.firstIndex(of: $0) }
    }
    return answers
}

@Suite("Quiz contest through the app")
struct QuizAppTests {
    let start = Date(timeIntervalSince1970: 1_795_000_000)

    @Test("register, start, submit once, result; answers never reach the client before submission")
    func publicAPIFlow() async throws {
        let clock = FixedClock(start)
        try await withTestApp(clock: clock) { app in
            try await TestProvince.load(app)
            let (contest, round) = try await makeContest(app, now: start)
            let ward = try await unit("P-HL", on: app)
            let client = WebClient(app)
            let registration = try await api(client, .POST, "/api/v1/quiz/contests/\(contest.slug)/participants", [
                "fullName": "Nguyễn Thị Thử", "phone": "+84 912 000 111", "birthDate": "1990-02-03", "unitId": ward.id!.uuidString, "occupation": "Nhân dân", "secret": "bí mật",
            ])
            #expect(registration.status == .created)
            let token = try #require(registration.json["token"] as? String)
            // The same person with the phone written another way is refused.
            let again = try await api(client, .POST, "/api/v1/quiz/contests/\(contest.slug)/participants", [
                "fullName": "Người khác", "phone": "0912.000.111", "unitId": ward.id!.uuidString, "occupation": "Nhân dân", "secret": "abcd",
            ])
            #expect(again.status == .unprocessableEntity)
            #expect(again.body.contains("đã đăng ký"))
            let started = try await api(client, .POST, "/api/v1/quiz/rounds/\(round.id!)/attempts", token: token)
            #expect(started.status == .created)
            #expect(!started.body.contains("correct\":") || started.body.contains("\"correct\":null") || !started.body.contains("correctMask"))
            #expect(!started.body.contains("Mask") && !started.body.contains("\"correct\":"), "no answer data before submission: \(started.body.prefix(200))")
            let questions = try #require(started.json["questions"] as? [[String: Any]])
            #expect(questions.count == 5)
            let attemptID = try #require((started.json["id"] as? String).flatMap(UUID.init(uuidString:)))
            // Starting again resumes the same attempt.
            let resumed = try await api(client, .POST, "/api/v1/quiz/rounds/\(round.id!)/attempts", token: token)
            #expect(resumed.status == .ok && resumed.json["id"] as? String == attemptID.uuidString)
            // Answers to a question not in the attempt are refused with a message.
            let stray = try await api(client, .POST, "/api/v1/quiz/attempts/\(attemptID)/submission", token: token, ["answers": ["999": [0]]])
            #expect(stray.status == .badRequest && stray.body.contains("không thuộc lượt thi"))
            // A body that is not the documented JSON gets a message, never a crash.
            let submission = "/api/v1/quiz/attempts/\(attemptID)/submission"
            for raw in [#"{"answers": {"1": [0]"#, "[1, 2]", #"{"answers": {"1": "A"}}"#, #"{"answers": [0]}"#, #"{"prediction": "nhiều"}"#, #"{"answers": {"1": [0.5]}}"#, ""] {
                var headers = HTTPHeaders()
                headers.contentType = .json
                headers.replaceOrAdd(name: "X-Participant-Token", value: token)
                let reply = try await client.send(.POST, submission, headers: headers, body: ByteBuffer(string: raw))
                #expect(reply.status == .badRequest && reply.body.contains(L10n.text("error.badForm")), "\(raw): \(reply.status) \(reply.body.prefix(160))")
            }
            let badKey = try await api(client, .POST, submission, token: token, ["answers": ["câu 1": [0]]])
            #expect(badKey.status == .badRequest && badKey.body.contains("không phải số câu hỏi"))
            // A form-encoded body still reads (through Vapor's decoders) and is checked the same way.
            var formHeaders = HTTPHeaders()
            formHeaders.contentType = .urlEncodedForm
            formHeaders.replaceOrAdd(name: "X-Participant-Token", value: token)
            let form = try await client.send(.POST, submission, headers: formHeaders, body: ByteBuffer(string: "answers[999][]=0"))
            #expect(form.status == .badRequest && form.body.contains("không thuộc lượt thi"), "\(form.status) \(form.body.prefix(160))")
            clock.advance(by: 95.5)
            let answers = try await rightAnswers(attemptID, app: app)
            let submitted = try await api(client, .POST, "/api/v1/quiz/attempts/\(attemptID)/submission", token: token, ["answers": answers, "prediction": 1])
            #expect(submitted.status == .ok)
            #expect(submitted.json["correct"] as? Int == 5)
            #expect(submitted.json["timeMs"] as? Int == 95_500)
            #expect(submitted.json["duplicate"] as? Bool == false)
            // A double submission counts once.
            clock.advance(by: 5)
            let twice = try await api(client, .POST, "/api/v1/quiz/attempts/\(attemptID)/submission", token: token, ["answers": [:] as [String: [Int]], "prediction": 9])
            #expect(twice.json["duplicate"] as? Bool == true && twice.json["correct"] as? Int == 5 && twice.json["prediction"] as? Int == 1)
            // Someone else's attempt id looks missing.
            let other = try await api(client, .POST, "/api/v1/quiz/contests/\(contest.slug)/participants", [
                "fullName": "Trần Văn Khác", "phone": "0987000222", "unitId": ward.id!.uuidString, "occupation": "Cán bộ", "secret": "abcd",
            ])
            let otherToken = try #require(other.json["token"] as? String)
            #expect(try await api(client, .GET, "/api/v1/quiz/attempts/\(attemptID)", token: otherToken).status == .notFound)
            #expect(try await api(client, .GET, "/api/v1/quiz/attempts/\(attemptID)", token: "dvq_wrong").status == .unauthorized)
            // Stored once, audited.
            let stored = try await QuizAttempt.query(on: app.db).filter(\.$status == .submitted).count()
            #expect(stored == 1)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$entityType == "quizAttempt").count() == 2)
            // Late: beyond the deadline and its grace the attempt is recorded as timed out.
            let late = try await api(client, .POST, "/api/v1/quiz/rounds/\(round.id!)/attempts", token: otherToken)
            let lateID = try #require(late.json["id"] as? String)
            clock.advance(by: 600 + 11)
            let lateReply = try await api(client, .POST, "/api/v1/quiz/attempts/\(lateID)/submission", token: otherToken, ["answers": [:] as [String: [Int]]])
            #expect(lateReply.json["status"] as? String == "timedOut" && lateReply.json["correct"] as? Int == 0)
            // Attempts are counted server-side: the second participant has one left, then none.
            let second = try await api(client, .POST, "/api/v1/quiz/rounds/\(round.id!)/attempts", token: otherToken)
            #expect(second.status == .created)
            clock.advance(by: 700)
            let third = try await api(client, .POST, "/api/v1/quiz/rounds/\(round.id!)/attempts", token: otherToken)
            #expect(third.status == .conflict && third.body.contains("hết 2 lượt"))
            // After the round closes, submissions are refused and the leaderboard masks phones.
            clock.advance(by: 86_400)
            #expect(try await QuizService.closeDueRounds(now: clock.now(), app: app) == 1)
            let afterClose = try await api(client, .POST, "/api/v1/quiz/attempts/\(try #require(second.json["id"] as? String))/submission", token: otherToken, ["answers": [:] as [String: [Int]]])
            #expect(afterClose.status == .notFound || afterClose.status == .conflict || afterClose.json["duplicate"] as? Bool == true)
            let board = try await api(client, .GET, "/api/v1/quiz/rounds/\(round.id!)/leaderboard")
            let items = try #require(board.json["items"] as? [[String: Any]])
            #expect(items.count == 1 && items[0]["phone"] as? String == "0912***111" && items[0]["prize"] as? String == "Giải Nhất")
            #expect(board.json["perfectCount"] as? Int == 1)
        }
    }

    @Test("concurrent submissions are read in groups: each gets its own attempt; a stranger's token, a missing id and a double submission are told apart")
    func concurrentSubmissions() async throws {
        try await withTestApp(clock: FixedClock(start)) { app in
            try await TestProvince.load(app)
            let (contest, round) = try await makeContest(app, now: start)
            let ward = try await unit("P-HL", on: app)
            var entries: [(token: String, attempt: String)] = []
            for index in 0..<10 {
                let client = WebClient(app)
                let registration = try await api(client, .POST, "/api/v1/quiz/contests/\(contest.slug)/participants", [
                    "fullName": "Thí sinh \(["An", "Bình", "Chi", "Dũng", "Đào", "Giang", "Hà", "Khánh", "Lan", "Minh"][index])", "phone": String(format: "09130000%02d", index), "unitId": ward.id!.uuidString, "occupation": "Nhân dân",
                    "secret": "abcd",
                ])
                let token = try #require(registration.json["token"] as? String, "\(registration.body.prefix(300))")
                let started = try await api(client, .POST, "/api/v1/quiz/rounds/\(round.id!)/attempts", token: token)
                entries.append((token, try #require(started.json["id"] as? String)))
            }
            // Every participant submits at once; the first also submits twice; a stranger uses the
            // second's attempt id with the first's token; one id does not exist.
            enum Kind: Sendable { case own(Int), twice, stranger, missing }
            var jobs: [(Kind, String, String)] = entries.enumerated().map { (Kind.own($0.offset), $0.element.attempt, $0.element.token) }
            jobs.append((.twice, entries[0].attempt, entries[0].token))
            jobs.append((.stranger, entries[1].attempt, entries[0].token))
            jobs.append((.missing, UUID().uuidString, entries[2].token))
            let raw = try await withThrowingTaskGroup(of: (Kind, HTTPResponseStatus, String).self) { group in
                for (kind, attempt, token) in jobs {
                    group.addTask {
                        let reply = try await api(WebClient(app), .POST, "/api/v1/quiz/attempts/\(attempt)/submission", token: token, ["answers": [:] as [String: [Int]], "prediction": 3])
                        return (kind, reply.status, reply.body)
                    }
                }
                var all: [(Kind, HTTPResponseStatus, String)] = []
                for try await reply in group { all.append(reply) }
                return all
            }
            let replies = raw.map { kind, status, body in
                (kind, APIReply(status: status, json: (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:], body: body))
            }
            var firstAttemptReplies: [APIReply] = []
            for (kind, reply) in replies {
                switch kind {
                case .own(let index):
                    #expect(reply.status == .ok && reply.json["id"] as? String == entries[index].attempt, "\(index): \(reply.status) \(reply.body.prefix(120))")
                    if index == 0 { firstAttemptReplies.append(reply) }
                case .twice:
                    #expect(reply.status == .ok && reply.json["id"] as? String == entries[0].attempt)
                    firstAttemptReplies.append(reply)
                case .stranger, .missing:
                    #expect(reply.status == .notFound, "\(kind): \(reply.status)")
                }
            }
            // The double submission counts once.
            #expect(firstAttemptReplies.compactMap { $0.json["duplicate"] as? Bool }.sorted { !$0 && $1 } == [false, true])
            #expect(try await QuizAttempt.query(on: app.db).filter(\.$status == .submitted).count() == 10)
        }
    }

    @Test("a round is kept in memory; a stale copy is served while one task re-reads what may change; a change made here is seen at once")
    func roundCache() async throws {
        try await withTestApp(clock: FixedClock(start)) { app in
            try await TestProvince.load(app)
            let (contest, round) = try await makeContest(app, now: start)
            let id = try round.requireID()
            let original = round.title
            // A monotonic time far from any load the app made while setting up.
            let base = 1_000_000.0
            let first = try await app.quiz.round(id, on: app.db, uptime: base)
            #expect(first.info?.title == original && first.info?.status == .published && first.refreshing == nil)
            // Another instance closes the round and changes the contest's grace.
            let sql = try #require(app.db as? any SQLDatabase)
            // (Its title is changed too, only to show what the re-read leaves alone.)
            try await sql.raw("UPDATE quiz_rounds SET status = 'closed', title = 'Đổi ở máy khác' WHERE id = \(bind: id)").run()
            try await sql.raw("UPDATE quiz_contests SET grace_seconds = 77 WHERE id = \(bind: try contest.requireID())").run()
            // Fresh for three seconds.
            #expect(try await app.quiz.round(id, on: app.db, uptime: base + 1).info?.status == .published)
            // Then the stale copy is served while one task re-reads; a second caller starts none.
            let stale = try await app.quiz.round(id, on: app.db, uptime: base + 4)
            #expect(stale.info?.status == .published)
            let refresh = try #require(stale.refreshing)
            let second = try await app.quiz.round(id, on: app.db, uptime: base + 4)
            #expect(second.info?.status == .published && second.refreshing == nil)
            await refresh.value
            let refreshed = try #require(try await app.quiz.round(id, on: app.db, uptime: base + 4.5).info)
            #expect(refreshed.status == .closed && refreshed.graceSeconds == 77)
            // What cannot change outside a draft was kept, not re-read.
            #expect(refreshed.title == original)
            // A copy older than the stale limit is not served: the caller waits for a whole read.
            round.title = "Tuần ba mươi giây"
            try await round.save(on: app.db)
            let late = try await app.quiz.round(id, on: app.db, uptime: base + 40)
            #expect(late.info?.title == "Tuần ba mươi giây" && late.refreshing == nil)
            // A change made in this process (organiser's save, close) is seen at once.
            round.title = "Tuần sau khi sửa"
            try await round.save(on: app.db)
            #expect(try await app.quiz.round(id, on: app.db, uptime: base + 41).info?.title == "Tuần ba mươi giây")
            app.quiz.invalidate(id)
            #expect(try await app.quiz.round(id, on: app.db, uptime: base + 41).info?.title == "Tuần sau khi sửa")
        }
    }

    @Test("a draft round in memory is re-read whole")
    func draftRoundCache() async throws {
        try await withTestApp(clock: FixedClock(start)) { app in
            try await TestProvince.load(app)
            let (_, round) = try await makeContest(app, now: start)
            let id = try round.requireID()
            round.status = .draft
            try await round.save(on: app.db)
            app.quiz.invalidate(id)
            let base = 2_000_000.0
            #expect(try await app.quiz.round(id, on: app.db, uptime: base).info?.status == .draft)
            round.title = "Nháp đã sửa ở máy khác"
            round.timeLimitSeconds = 1200
            try await round.save(on: app.db)
            let stale = try await app.quiz.round(id, on: app.db, uptime: base + 4)
            await stale.refreshing?.value
            let info = try #require(try await app.quiz.round(id, on: app.db, uptime: base + 4.5).info)
            #expect(info.title == "Nháp đã sửa ở máy khác")
        }
    }

    @Test("closing ranks in the database exactly as the rules do in Swift (random rounds)")
    func rankingMatchesRules() async throws {
        try await withTestApp(clock: FixedClock(start)) { app in
            try await TestProvince.load(app)
            let (contest, round) = try await makeContest(app, now: start, maxAttempts: 3)
            let ward = try await unit("X-TL", on: app)
            let seed = SeededGenerator.testSeed(20261202, environment: ProcessInfo.processInfo.environment)
            var generator = SeededGenerator(seed: seed)
            var entries: [QuizRules.Entry] = []
            for index in 0..<60 {
                let participant = try await storedParticipant(contest, unit: ward, fullName: "Thí sinh \(index)", phone: String(format: "0913%06d", index), on: app.db)
                for number in 1...Int.random(in: 1...3, using: &generator) {
                    let attempt = QuizAttempt()
                    attempt.id = UUID()
                    attempt.$round.id = try round.requireID()
                    attempt.$participant.id = try participant.requireID()
                    attempt.attemptNo = number
                    attempt.startedAt = start
                    attempt.deadlineAt = start.addingTimeInterval(600)
                    attempt.layout = ""
                    attempt.status = .submitted
                    // Few distinct values so ties on every level happen.
                    attempt.correct = Int.random(in: 3...5, using: &generator)
                    attempt.prediction = Bool.random(using: &generator) ? Int.random(in: 0...6, using: &generator) : nil
                    attempt.timeMs = Int.random(in: 1...4, using: &generator) * 1000
                    attempt.submittedAt = start.addingTimeInterval(Double(Int.random(in: 1...5, using: &generator)))
                    attempt.address = "test"
                    attempt.day = 20261123
                    try await attempt.create(on: app.db)
                    entries.append(QuizRules.Entry(
                        attemptID: attempt.id!, participantID: participant.id!, correct: attempt.correct!, prediction: attempt.prediction,
                        timeMs: attempt.timeMs!, submittedAt: attempt.submittedAt!
                    ))
                }
            }
            try await QuizService.close(round, actor: .system, now: start, app: app)
            let expected = QuizRules.rank(entries, questionCount: 5)
            #expect(round.perfectCount == expected.perfect, "seed \(seed)")
            let standings = try await QuizService.standings(round: round.requireID(), offset: 0, limit: 1000, on: app.db)
            #expect(standings.map(\.attempt_id) == expected.placed.map(\.entry.attemptID), "seed \(seed)")
            #expect(standings.map(\.distance) == expected.placed.map(\.distance), "seed \(seed)")
        }
    }

    @Test("the organiser imports a bank with two bad rows and sees them by line; nothing half-imported")
    func importWithBadRows() async throws {
        try await withTestApp(clock: FixedClock(start)) { app in
            try await TestProvince.load(app)
            let (contest, _) = try await makeContest(app, now: start)
            let client = WebClient(app)
            try await client.login("chuyenvien")
            try await client.get("/quiz/\(contest.id!)/bank")
            let csv = "Câu hỏi;A;B;C;Đáp án\r\nCâu mới một?;x;y;z;B\r\n;x;y;z;A\r\nCâu mới hai?;x;y;z;E\r\nCâu mới ba?;x;y;z;C\r\n"
            let refused = try await client.postMultipart("/quiz/\(contest.id!)/bank", fields: [:], file: ("file", "cau-hoi.csv", csv))
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.contains("<td>3</td><td>Thiếu nội dung câu hỏi.</td>"))
            #expect(refused.body.contains("<td>4</td>"))
            #expect(try await QuizQuestion.query(on: app.db).count() == 12)
            let kept = try await client.postMultipart("/quiz/\(contest.id!)/bank", fields: ["skipBad": "1"], file: ("file", "cau-hoi.csv", csv))
            #expect(kept.status == .ok && kept.body.contains("bỏ qua 2 dòng lỗi"))
            #expect(try await QuizQuestion.query(on: app.db).count() == 14)
            let garbage = try await client.postMultipart("/quiz/\(contest.id!)/bank", fields: [:], file: ("file", "cau-hoi.xlsx", "PK\u{3}\u{4}broken"))
            #expect(garbage.status == .badRequest && garbage.body.contains("Excel"))
        }
    }

    @Test("the public pages: registration keeps typed data with messages, attempt, result, leaderboard, answer key after close")
    func publicPages() async throws {
        let clock = FixedClock(start)
        try await withTestApp(clock: clock) { app in
            try await TestProvince.load(app)
            let (contest, round) = try await makeContest(app, now: start, minAge: 16)
            let ward = try await unit("P-HL", on: app)
            let client = WebClient(app)
            let landing = try await client.get("/thi/\(contest.slug)")
            #expect(landing.status == .ok && landing.body.contains("Đăng ký dự thi"))
            try await client.get("/thi/\(contest.slug)/dang-ky")
            let longName = String(repeating: "Nguyễn ", count: 20)
            let bad = try await client.post("/thi/\(contest.slug)/dang-ky", form: [
                "fullName": longName, "phone": "12345", "birthDate": "2015-01-01", "unitID": "", "occupation": "Nhân dân", "secret": "ab",
            ])
            #expect(bad.status == .unprocessableEntity)
            for message in ["tối đa 100 ký tự", "Số điện thoại không hợp lệ", "từ 16 tuổi", "chọn xã, phường", "từ 4 đến 32"] {
                #expect(bad.body.contains(message), "\(message)")
            }
            #expect(bad.body.contains("value=\"12345\""))
            let chosen = try await client.post("/thi/\(contest.slug)/dang-ky", form: [
                "fullName": "Lê Văn Thi", "phone": "12345", "birthDate": "01/02/1980", "unitID": ward.id!.uuidString, "occupation": "Nhân dân", "secret": "1234",
            ])
            #expect(chosen.status == .unprocessableEntity)
            #expect(chosen.body.contains("value=\"\(ward.id!.uuidString)\" selected>"), "the chosen unit stays chosen")
            let ok = try await client.post("/thi/\(contest.slug)/dang-ky", form: [
                "fullName": "Lê Văn Thi", "phone": "0905 111 222", "birthDate": "01/02/1980", "unitID": ward.id!.uuidString, "occupation": "Nhân dân", "secret": "1234",
            ])
            #expect(ok.status == .seeOther)
            let started = try await client.post("/thi/\(contest.slug)/tuan/1/bat-dau", form: [:])
            let attemptPath = try #require(started.location)
            let page = try await client.get(attemptPath)
            #expect(page.status == .ok && page.body.contains("data-remaining=\"600\""))
            let attemptID = try #require(UUID(uuidString: String(attemptPath.split(separator: "/").last!)))
            var pairs: [(String, String)] = [("prediction", "1")]
            for (number, positions) in try await rightAnswers(attemptID, app: app) { for position in positions { pairs.append(("a\(number)", String(position))) } }
            clock.advance(by: 61)
            let submitted = try await client.post(attemptPath, pairs: pairs)
            #expect(submitted.location == attemptPath + "/ket-qua")
            let result = try await client.get(attemptPath + "/ket-qua")
            #expect(result.body.contains("id=\"result-correct\">5/5"))
            #expect(!result.body.contains("Đáp án đúng"), "answers stay hidden while the round is open")
            let back = try await client.get("/thi/\(contest.slug)")
            #expect(back.body.contains("href=\"\(attemptPath)/ket-qua\" class=\"my-result\">5/5</a>"), "the landing links the best attempt's result")
            #expect(try await client.get("/thi/\(contest.slug)/tuan/1/dap-an").status == .notFound)
            try await QuizService.close(round, actor: .system, now: clock.now(), app: app)
            let board = try await client.get("/thi/\(contest.slug)/tuan/1/xep-hang")
            #expect(board.body.contains("Lê Văn Thi") && board.body.contains("0905***222") && !board.body.contains("0905111222"))
            #expect(try await client.get("/thi/\(contest.slug)/tuan/1/dap-an").status == .ok)
            #expect(try await client.get(attemptPath + "/ket-qua").body.contains("Đáp án đúng"))
        }
    }

    @Test("anti-abuse: limits answer 429 with a message and raise flags for review; bursts of registrations are flagged, not dropped")
    func antiAbuse() async throws {
        let clock = FixedClock(start)
        try await withTestApp(clock: clock) { app in
            try await TestProvince.load(app)
            let (contest, round) = try await makeContest(app, now: start)
            app.quiz.limits.withLockedValue { $0.registrationFlagThreshold = 3; $0.actionsPerParticipantPerMinute = 3 }
            let ward = try await unit("P-HL", on: app)
            let client = WebClient(app)
            var tokens: [String] = []
            for index in 0..<4 {
                let reply = try await api(client, .POST, "/api/v1/quiz/contests/\(contest.slug)/participants", [
                    "fullName": "Người \(["An", "Bình", "Chi", "Dũng"][index])", "phone": "090000000\(index)", "unitId": ward.id!.uuidString, "occupation": "Nhân dân", "secret": "abcd",
                ])
                #expect(reply.status == .created)
                tokens.append(try #require(reply.json["token"] as? String))
            }
            #expect(try await QuizFlag.query(on: app.db).filter(\.$kind == .registrationBurst).count() == 1)
            #expect(try await QuizParticipant.query(on: app.db).count() == 4)
            // A perfect attempt in 3 seconds is flagged and still ranked.
            let started = try await api(client, .POST, "/api/v1/quiz/rounds/\(round.id!)/attempts", token: tokens[0])
            let id = try #require((started.json["id"] as? String).flatMap(UUID.init(uuidString:)))
            clock.advance(by: 3)
            let reply = try await api(client, .POST, "/api/v1/quiz/attempts/\(id)/submission", token: tokens[0], ["answers": try await rightAnswers(id, app: app)])
            #expect(reply.json["correct"] as? Int == 5)
            #expect(try await QuizFlag.query(on: app.db).filter(\.$kind == .fastPerfect).count() == 1)
            // Hammering: the fourth action in a minute is refused.
            for _ in 0..<2 { _ = try await api(client, .POST, "/api/v1/quiz/rounds/\(round.id!)/attempts", token: tokens[0]) }
            let refused = try await api(client, .POST, "/api/v1/quiz/rounds/\(round.id!)/attempts", token: tokens[0])
            #expect(refused.status == .tooManyRequests && refused.body.contains("quá nhanh"))
            // The organiser sees the flags and can disqualify; the ranking is recomputed.
            try await QuizService.close(round, actor: .system, now: clock.now(), app: app)
            #expect(try await QuizService.rankedCount(round: round.requireID(), on: app.db) == 1)
            let staff = WebClient(app)
            try await staff.login("chuyenvien")
            let flags = try await staff.get("/quiz/\(contest.id!)/flags")
            #expect(flags.body.contains("nhanh bất thường"))
            let flag = try #require(try await QuizFlag.query(on: app.db).filter(\.$kind == .fastPerfect).first())
            let reviewed = try await staff.post("/quiz/\(contest.id!)/flags/\(flag.id!)", form: ["note": "Đã gọi điện xác minh", "disqualify": "1"])
            #expect(reviewed.status == .seeOther)
            #expect(try await QuizService.rankedCount(round: round.requireID(), on: app.db) == 0)
        }
    }

    @Test("participation by unit subtree against headcounts, by day; lagging units can be urged")
    func participation() async throws {
        try await withTestApp(clock: FixedClock(start)) { app in
            try await TestProvince.load(app)
            let (contest, _) = try await makeContest(app, now: start)
            let client = WebClient(app)
            for (index, code) in ["P-HL", "P-HL", "X-TL"].enumerated() {
                let reply = try await api(client, .POST, "/api/v1/quiz/contests/\(contest.slug)/participants", [
                    "fullName": "Người \(["An", "Bình", "Chi"][index])", "phone": "091000000\(index)", "unitId": try await unit(code, on: app).id!.uuidString,
                    "occupation": "Nhân dân", "secret": "abcd",
                ])
                #expect(reply.status == .created)
            }
            let staff = WebClient(app)
            try await staff.login("chuyenvien")
            try await staff.get("/quiz/\(contest.id!)/participation")
            let ward = try await unit("P-HL", on: app)
            let commune = try await unit("X-TL", on: app)
            let saved = try await staff.post("/quiz/\(contest.id!)/participation/headcounts", form: ["h_\(ward.id!)": "4", "h_\(commune.id!)": "100"])
            #expect(saved.status == .seeOther)
            let data = try await QuizAdmin.participation(contest: contest, roundID: nil, scope: .everything, on: app.db)
            let wardRow = try #require(data.units.first { $0.unitID == ward.id!.uuidString })
            #expect(wardRow.participants == 2 && wardRow.headcount == 4 && wardRow.rateText == "50,0%")
            let communeRow = try #require(data.units.first { $0.unitID == commune.id!.uuidString })
            #expect(communeRow.lagging && !wardRow.lagging)
            let province = try #require(data.units.first { $0.depth == 0 })
            #expect(province.participants == 3)
            #expect(data.days.first?.registrations == 3)
            let urged = try await staff.post("/quiz/\(contest.id!)/participation/urge/\(commune.id!)", form: [:])
            #expect(urged.status == .seeOther)
            #expect(try await InboxItem.query(on: app.db).filter(\.$kind == "quiz.urged").count() >= 1)
            let export = try await staff.get("/quiz/\(contest.id!)/participation/export/xlsx")
            #expect(export.status == .ok && export.headers.contentType?.subType.contains("spreadsheetml") == true)
        }
    }

    @Test("the organiser sets up a contest and a week through the forms; a participant comes back by phone and secret")
    func organiserFormsAndReturnVisit() async throws {
        let clock = FixedClock(start)
        try await withTestApp(clock: clock) { app in
            try await TestProvince.load(app)
            let board = try await unit("TU-BTGDV", on: app)
            let staff = WebClient(app)
            try await staff.login("chuyenvien")
            try await staff.get("/quiz/new")
            var form = [
                "title": "Tìm hiểu Dân vận khéo", "slug": "", "unitID": board.id!.uuidString, "status": "published", "rules": "Thể lệ", "minAge": "0",
                "occupations": "Nhân dân", "prizes": "Nhất:one", "graceSeconds": "10", "minSecondsPerQuestion": "2",
            ]
            let refused = try await staff.post("/quiz/new", form: form)
            #expect(refused.status == .unprocessableEntity && refused.body.contains("Cơ cấu giải") && refused.body.contains("value=\"Tìm hiểu Dân vận khéo\""))
            form["prizes"] = "Nhất:1, Nhì:2"
            let created = try await staff.post("/quiz/new", form: form)
            let contestPath = try #require(created.location)
            let contest = try #require(try await QuizContest.query(on: app.db).filter(\.$slug == "tim-hieu-dan-van-kheo").first())
            #expect(contestPath == "/quiz/\(contest.id!)")
            try await staff.get("\(contestPath)/bank")
            var csv = "Câu hỏi,A,B,C,Đáp án\r\n"
            for index in 1...6 { csv += "Câu \(index)?,Đúng \(index),Sai \(index),Khác \(index),A\r\n" }
            #expect(try await staff.postMultipart("\(contestPath)/bank", fields: [:], file: ("file", "bank.csv", csv)).status == .seeOther)
            try await staff.get("\(contestPath)/rounds/new")
            var round = [
                "title": "Tuần thi thứ 1", "opensAt": VNFormat.isoDateTime(start.addingTimeInterval(-60)), "closesAt": VNFormat.isoDateTime(start.addingTimeInterval(-120)),
                "questionCount": "5", "timeLimitMinutes": "10", "maxAttempts": "2", "predictionQuestion": "",
            ]
            let badRound = try await staff.post("\(contestPath)/rounds/new", form: round)
            #expect(badRound.status == .unprocessableEntity && badRound.body.contains("phải sau thời điểm mở"))
            round["closesAt"] = VNFormat.isoDateTime(start.addingTimeInterval(86_400))
            let savedRound = try await staff.post("\(contestPath)/rounds/new", form: round)
            #expect(savedRound.location == "\(contestPath)/rounds/1")
            let roundPage = try await staff.get("\(contestPath)/rounds/1")
            #expect(roundPage.body.contains("Câu hỏi của tuần thi (5)"))
            #expect(try await staff.post("\(contestPath)/rounds/1/publish", form: [:]).status == .seeOther)
            #expect(try await QuizRound.query(on: app.db).first()?.status == .published)
            // A participant registered through the API comes back in the browser.
            let ward = try await unit("P-HL", on: app)
            let client = WebClient(app)
            let registered = try await api(client, .POST, "/api/v1/quiz/contests/tim-hieu-dan-van-kheo/participants", [
                "fullName": "Võ Thị Trở Lại", "phone": "0933 444 555", "unitId": ward.id!.uuidString, "occupation": "Nhân dân", "secret": "mật khẩu",
            ])
            #expect(registered.status == .created)
            let browser = WebClient(app)
            try await browser.get("/thi/tim-hieu-dan-van-kheo/dang-nhap")
            let wrong = try await browser.post("/thi/tim-hieu-dan-van-kheo/dang-nhap", form: ["phone": "+84933444555", "secret": "sai"])
            #expect(wrong.status == .unauthorized && wrong.body.contains("không đúng") && wrong.body.contains("value=\"+84933444555\""))
            let back = try await browser.post("/thi/tim-hieu-dan-van-kheo/dang-nhap", form: ["phone": "+84933444555", "secret": "mật khẩu"])
            #expect(back.location == "/thi/tim-hieu-dan-van-kheo")
            let landing = try await browser.get("/thi/tim-hieu-dan-van-kheo")
            #expect(landing.body.contains("Võ Thị Trở Lại") && landing.body.contains("start-button"))
        }
    }
}

@Suite("Contest pages kept in memory")
struct ContestPageCacheTests {
    let start = Date(timeIntervalSince1970: 1_795_000_000)

    /// A clock the test moves.
    final class Uptime: @unchecked Sendable {
        var now: TimeInterval = 500
    }

    @Test("the contest, its rounds and its count are read once per trust period; a change made behind the app is seen after it, one made here at once")
    func trustAndInvalidation() async throws {
        try await withTestApp(clock: FixedClock(start)) { app in
            try await TestProvince.load(app)
            let (contest, round) = try await makeContest(app, now: start)
            let uptime = Uptime()
            let cache = ContestPageCache(trustSeconds: 3, clock: { uptime.now })
            let first = try #require(try await cache.entry(slug: contest.slug, on: app.db))
            #expect(first.contest.title == contest.title && first.rounds.map(\.number) == [round.number] && first.participants == 0)
            // Another instance renames the contest and a participant registers there.
            let sql = try #require(app.db as? any SQLDatabase)
            try await sql.raw("UPDATE quiz_contests SET title = 'Đổi ở máy khác' WHERE id = \(bind: try contest.requireID())").run()
            _ = try await storedParticipant(contest, unit: try await unit("X-TL", on: app), fullName: "Lê Thị Đào", phone: "0912000111", on: app.db)
            uptime.now += 2.9
            let trusted = try #require(try await cache.entry(slug: contest.slug, on: app.db))
            #expect(trusted.contest.title == contest.title && trusted.participants == 0)
            uptime.now += 0.2
            let reread = try #require(try await cache.entry(slug: contest.slug, on: app.db))
            #expect(reread.contest.title == "Đổi ở máy khác" && reread.participants == 1)
            // A contest made a draft is no longer found, however fresh the copy.
            try await sql.raw("UPDATE quiz_contests SET status = 'draft' WHERE id = \(bind: try contest.requireID())").run()
            cache.invalidate()
            #expect(try await cache.entry(slug: contest.slug, on: app.db) == nil)
        }
    }

    @Test("the landing page shows an organiser's change made on this instance at once")
    func landingSeesChangesHere() async throws {
        try await withTestApp(clock: FixedClock(start)) { app in
            try await TestProvince.load(app)
            let (contest, round) = try await makeContest(app, now: start)
            let client = WebClient(app)
            let before = try await client.get("/thi/\(contest.slug)")
            #expect(before.status == .ok && before.body.contains(round.title))
            round.title = "Tuần thi đổi tên lúc \(Int.random(in: 100...999))"
            try await round.save(on: app.db)
            contest.title = "Cuộc thi đã đổi tên"
            try await contest.save(on: app.db)
            let after = try await client.get("/thi/\(contest.slug)")
            #expect(after.body.contains(round.title) && after.body.contains("Cuộc thi đã đổi tên"))
            // A round closed by the closing job (raw SQL, then `invalidate`) too.
            let sql = try #require(app.db as? any SQLDatabase)
            try await sql.raw("UPDATE quiz_rounds SET status = 'draft' WHERE id = \(bind: try round.requireID())").run()
            app.quiz.invalidate(try round.requireID())
            #expect(!(try await client.get("/thi/\(contest.slug)").body.contains(round.title)))
        }
    }
}
