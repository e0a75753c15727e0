import DanVanCore
import Fluent
import Foundation
import Vapor

/// The online quiz contest: organiser pages under `/quiz`, public pages under `/thi`, the API
/// under `/api/v1/quiz`, and the job that closes and ranks rounds when they end.
public struct QuizModule: DanVanModule {
    /// Creates the module.
    public init() {}

    /// Migrations.
    public var migrations: [any Migration] { QuizMigrations.all }

    /// Navigation, the runtime (writer, cache, limits) and the closing job.
    public func register(on app: Application) throws {
        app.navigation.enable("nav.quiz", href: "/quiz")
        app.quiz = QuizRuntime(
            writer: QuizWriter(database: { [unowned app] in app.writerDB }), limits: QuizLimits.fromEnvironment(), readDatabase: { [unowned app] in app.readDB }
        )
        app.lifecycle.use(makeQuizScheduler())
    }

    /// Routes.
    public func routes(_ routes: ModuleRoutes) throws {
        let limited = routes.open.grouped(QuizAddressLimitMiddleware())
        let site = QuizPublicController()
        let pub = limited.grouped("thi")
        pub.get(use: site.index)
        pub.get(":slug", use: site.landing)
        pub.get(":slug", "dang-ky", use: site.registerForm)
        pub.post(":slug", "dang-ky", use: site.register)
        pub.get(":slug", "dang-nhap", use: site.loginForm)
        pub.post(":slug", "dang-nhap", use: site.login)
        pub.post(":slug", "thoat", use: site.logout)
        pub.post(":slug", "tuan", ":number", "bat-dau", use: site.start)
        pub.get(":slug", "tuan", ":number", "xep-hang", use: site.leaderboard)
        pub.get(":slug", "tuan", ":number", "dap-an", use: site.answerKey)
        pub.get(":slug", "bai", ":attempt", use: site.attemptPage)
        pub.post(":slug", "bai", ":attempt", use: site.submit)
        pub.get(":slug", "bai", ":attempt", "ket-qua", use: site.result)

        let api = QuizAPI()
        let publicAPI = limited.grouped("api", "v1", "quiz")
        publicAPI.get("contests", ":slug", use: api.showContest)
        publicAPI.post("contests", ":slug", "participants", use: api.register)
        publicAPI.post("contests", ":slug", "sessions", use: api.login)
        publicAPI.post("rounds", ":roundID", "attempts", use: api.start)
        publicAPI.get("rounds", ":roundID", "leaderboard", use: api.leaderboard)
        publicAPI.get("attempts", ":attemptID", use: api.showAttempt)
        publicAPI.post("attempts", ":attemptID", "submission", use: api.submit)
        let adminAPI = routes.api.grouped("quiz", "admin")
        adminAPI.get("contests", use: api.adminContests)
        adminAPI.get("contests", ":contestID", "participation", use: api.adminParticipation)
        adminAPI.get("rounds", ":roundID", "results", use: api.adminResults)
        adminAPI.post("rounds", ":roundID", "close", use: api.adminClose)

        let admin = QuizAdminController()
        let web = routes.web.grouped("quiz")
        web.get(use: admin.index)
        web.get("new", use: admin.newContest)
        web.post("new", use: admin.saveContest)
        web.get("bank-template", ":format", use: admin.bankTemplate)
        web.get(":contestID", use: admin.show)
        web.get(":contestID", "edit", use: admin.editContest)
        web.post(":contestID", "edit", use: admin.saveContest)
        web.get(":contestID", "bank", use: admin.bankPage)
        web.post(":contestID", "bank", use: admin.importBank)
        web.get(":contestID", "rounds", "new", use: admin.newRound)
        web.post(":contestID", "rounds", "new", use: admin.saveRound)
        web.get(":contestID", "rounds", ":number", use: admin.showRound)
        web.get(":contestID", "rounds", ":number", "edit", use: admin.editRound)
        web.post(":contestID", "rounds", ":number", "edit", use: admin.saveRound)
        web.post(":contestID", "rounds", ":number", "draw", use: admin.draw)
        web.post(":contestID", "rounds", ":number", "publish", use: admin.publish)
        web.post(":contestID", "rounds", ":number", "close", use: admin.close)
        web.get(":contestID", "rounds", ":number", "results", ":format", use: admin.exportResults)
        web.get(":contestID", "participation", use: admin.participation)
        web.get(":contestID", "participation", "export", ":format", use: admin.participation)
        web.post(":contestID", "participation", "headcounts", use: admin.saveHeadcounts)
        web.post(":contestID", "participation", "urge", ":unitID", use: admin.urge)
        web.get(":contestID", "flags", use: admin.flags)
        web.post(":contestID", "flags", ":flagID", use: admin.review)
    }

    /// `/api/v1/quiz/…`.
    public var openAPIPaths: [String: JSON] { QuizAPI.paths }
    /// Quiz schemas.
    public var openAPISchemas: [String: JSON] { QuizAPI.schemas }
}

/// Closes rounds whose time is up, every 30 seconds, on one instance at a time.
func makeQuizScheduler() -> PeriodicJob {
    PeriodicJob("Kết thúc tuần thi", firstDelay: .seconds(20), every: .seconds(30)) { app in
        let closed = try await QuizService.closeDueRounds(now: app.clock.now(), app: app)
        if closed > 0 { app.logger.info("Đã kết thúc và xếp hạng \(closed) tuần thi") }
    }
}
