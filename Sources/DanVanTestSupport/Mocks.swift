import DanVanCore
import DanVanQuiz
import DanVanText
import Fluent
import Foundation
import Vapor

// `.mock` values: a model filled with plausible content, every field overridable, not yet
// saved. Tests build exactly the data they need and save it with `save(on:)`; nothing here
// depends on the demo province, so changing the demo never breaks a test.

extension OrgUnit {
    /// A unit under `parent` (a root when nil); the code is unique unless given.
    public static func mock(
        _ name: String = "Xã Thử Nghiệm", code: String? = nil, shortName: String? = nil, kind: Kind = .commune,
        level: Level = .commune, under parent: OrgUnit? = nil, sortOrder: Int = 0, oversight: Bool = false
    ) -> OrgUnit {
        let unit = OrgUnit(
            name: name, shortName: shortName, code: code ?? "U-" + UUID().uuidString.prefix(8), kind: kind, level: level,
            sortOrder: sortOrder, oversight: oversight
        )
        unit.place(under: parent)
        return unit
    }

    /// Saves the unit and returns it, for chaining (`try await OrgUnit.mock().saved(on: db)`).
    @discardableResult
    public func saved(on db: any Database) async throws -> OrgUnit {
        try await save(on: db)
        return self
    }
}

extension User {
    /// An active account of `role` in `unit`. Its password hash is `-`, which no password
    /// matches, so it cannot sign in until `saved(on:password:)` stores a real hash.
    public static func mock(
        role: Role = .specialist, username: String? = nil, fullName: String = "Nguyễn Văn Thử", unit: OrgUnit
    ) -> User {
        let user = User(
            username: username ?? "u" + UUID().uuidString.prefix(8).lowercased(), fullName: fullName, passwordHash: "-",
            role: role, unitID: unit.id ?? UUID()
        )
        user.email = user.username + "@thu.example"
        return user
    }

    /// Hashes `password` with the app's cost, saves the account and returns it.
    @discardableResult
    public func saved(on app: Application, password: String = TestProvince.password) async throws -> User {
        passwordHash = try await Passwords.hash(password, on: app)
        try await save(on: app.db)
        return self
    }
}

extension QuizContest {
    /// A published contest of `unit` with a slug unique unless given.
    public static func mock(
        unit: OrgUnit, slug: String? = nil, title: String = "Cuộc thi thử nghiệm", minAge: Int = 0
    ) -> QuizContest {
        let contest = QuizContest()
        contest.slug = slug ?? "thu-" + UUID().uuidString.prefix(8).lowercased()
        contest.title = title
        contest.rules = "Thể lệ"
        contest.$unit.id = unit.id ?? UUID()
        contest.status = .published
        contest.minAge = minAge
        contest.requireIDNumber = false
        contest.occupations = "Cán bộ\nNhân dân"
        contest.prizes = "Nhất:1, Nhì:2"
        contest.unitPrizes = true
        contest.graceSeconds = 10
        contest.minSecondsPerQuestion = 2
        return contest
    }
}

extension QuizContest {
    /// A published contest `thu-nghiem` of the test province's TU-BTGDV with an open round of
    /// 5 questions drawn from `CSV.mockBank(12)` (needs `TestProvince.load`).
    public static func playable(_ app: Application, now: Date, maxAttempts: Int = 2, minAge: Int = 0) async throws -> (QuizContest, QuizRound) {
        let contest = QuizContest.mock(unit: try await DanVanTestSupport.unit("TU-BTGDV", on: app), slug: "thu-nghiem", minAge: minAge)
        try await contest.create(on: app.db)
        let outcome = try await QuizAdmin.importBank(CSV.mockBank(12), contest: contest, skipBad: false, actor: .system, now: now, on: app.db)
        guard outcome.added == 12 else { throw Abort(.internalServerError, reason: "the mock bank did not import: \(outcome.added)") }
        let round = QuizRound.mock(of: contest, now: now, maxAttempts: maxAttempts)
        try await round.create(on: app.db)
        try await QuizAdmin.draw(round, actor: .system, now: now, on: app.db)
        try await QuizAdmin.publish(round, actor: .system, now: now, app: app, on: app.db)
        return (contest, round)
    }
}

extension QuizRound {
    /// Round `number` of `contest`, a draft open from an hour before `now` to a day after.
    public static func mock(
        of contest: QuizContest, number: Int = 1, now: Date, questionCount: Int = 5, maxAttempts: Int = 2
    ) -> QuizRound {
        let round = QuizRound()
        round.$contest.id = contest.id ?? UUID()
        round.number = number
        round.title = "Tuần thi thứ \(number)"
        round.opensAt = now.addingTimeInterval(-3600)
        round.closesAt = now.addingTimeInterval(86_400)
        round.questionCount = questionCount
        round.timeLimitSeconds = 600
        round.maxAttempts = maxAttempts
        round.predictionQuestion = "Bao nhiêu người đúng hết?"
        round.status = .draft
        return round
    }
}

extension CSV {
    /// A question bank of `count` questions with a header row; question 3 has two right
    /// answers (A and B), every other question A.
    public static func mockBank(_ count: Int = 12) -> [CSV.Row] {
        var rows = [CSV.Row(line: 1, fields: ["Câu hỏi", "A", "B", "C", "D", "Đáp án"])]
        for index in 1...count {
            rows.append(CSV.Row(line: index + 1, fields: [
                "Câu hỏi số \(index)?", "Đúng \(index)", "Sai \(index)", "Sai nữa \(index)", "Cũng sai \(index)", index == 3 ? "A, B" : "A",
            ]))
        }
        return rows
    }
}
