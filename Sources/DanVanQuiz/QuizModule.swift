import DanVanCore
import Fluent
import SQLKit
import Foundation
import Vapor

/// The online quiz contest: organiser pages under `/quiz`, public pages under `/thi`, the API
/// under `/api/v1/quiz`, and the job that closes and ranks rounds when they end.
public struct QuizModule: DanVanModule {
    /// Creates the module.
    public init() {}

    /// Migrations.
    public var migrations: [any Migration] { QuizMigrations.all }

    /// Route names for views (`#path("quiz.…")`).
    public var routeLinks: [String: [RouteSegment]] { QuizRoute.linkTable }

    /// The quiz texts.
    public var localization: L10n.Tables { QuizL10n.tables }

    /// Navigation, the runtime (writer, cache, limits) and the closing job.
    public func register(on app: Application) throws {
        app.navigation.enable("nav.quiz", href: QuizRoute.admin.path)
        app.inboxTargets.register("contest") { QuizRoute.participation($0).path }
        app.quiz = QuizRuntime(
            writer: QuizWriter(database: { [unowned app] in app.writerDB }, committed: { [metrics = app.metrics] size in
                metrics.count("danvan_quiz_writer_batches_total")
                metrics.count("danvan_quiz_writer_operations_total", by: size)
            }), limits: QuizLimits.fromEnvironment(), readDatabase: { [unowned app] in app.readDB }
        )
        app.databases.middleware.use(ContestPageInvalidation<QuizContest>(cache: app.quiz.contestPages))
        app.databases.middleware.use(ContestPageInvalidation<QuizRound>(cache: app.quiz.contestPages))
        app.lifecycle.use(makeQuizScheduler())
        // Report forms can prefill how many of a unit's people took part in a contest.
        app.reportSources.register(ReportSource(key: "quiz.participants", labelKey: "quiz.source.participants") { unitID, start, end, db in
            guard let sql = db as? any SQLDatabase else { throw AppError.unavailable }
            struct Row: Decodable { let people: Int }
            let last = end.addingTimeInterval(86_400)
            let row = try await sql.raw("""
                SELECT COUNT(DISTINCT a.participant_id) AS people FROM quiz_attempts a JOIN quiz_participants p ON p.id = a.participant_id
                WHERE p.unit_id = \(bind: unitID) AND a.status IN ('submitted', 'timedOut') AND a.submitted_at >= \(bind: start) AND a.submitted_at < \(bind: last)
                """).first(decoding: Row.self)
            return Double(row?.people ?? 0)
        })
    }

    /// Routes.
    public func routes(_ routes: ModuleRoutes) throws {
        let limited = routes.open.grouped(QuizAddressLimitMiddleware())
        let site = QuizPublicController()
        limited.get(QuizRoute.site, use: site.index)
        limited.get(QuizRoute.landing(nil), use: site.landing)
        limited.get(QuizRoute.register(nil), use: site.registerForm)
        limited.post(QuizRoute.register(nil), use: site.register)
        limited.get(QuizRoute.login(nil), use: site.loginForm)
        limited.post(QuizRoute.login(nil), use: site.login)
        limited.post(QuizRoute.logout(nil), use: site.logout)
        limited.post(QuizRoute.start(nil, nil), use: site.start)
        limited.get(QuizRoute.leaderboard(nil, nil), use: site.leaderboard)
        limited.get(QuizRoute.answerKey(nil, nil), use: site.answerKey)
        limited.get(QuizRoute.attempt(nil, nil), use: site.attemptPage)
        limited.post(QuizRoute.attempt(nil, nil), use: site.submit)
        limited.get(QuizRoute.result(nil, nil), use: site.result)

        let api = QuizAPI()
        limited.get(QuizRoute.apiContest(nil), use: api.showContest)
        limited.post(QuizRoute.apiParticipants(nil), use: api.register)
        limited.post(QuizRoute.apiSessions(nil), use: api.login)
        limited.post(QuizRoute.apiAttempts(nil), use: api.start)
        limited.get(QuizRoute.apiLeaderboard(nil), use: api.leaderboard)
        limited.get(QuizRoute.apiAttempt(nil), use: api.showAttempt)
        limited.post(QuizRoute.apiSubmission(nil), use: api.submit)
        routes.api.get(QuizRoute.apiAdminContests, use: api.adminContests)
        routes.api.get(QuizRoute.apiAdminParticipation(nil), use: api.adminParticipation)
        routes.api.get(QuizRoute.apiAdminResults(nil), use: api.adminResults)
        routes.api.post(QuizRoute.apiAdminClose(nil), use: api.adminClose)

        let admin = QuizAdminController()
        let web = routes.web
        web.get(QuizRoute.admin, use: admin.index)
        web.get(QuizRoute.newContest, use: admin.newContest)
        web.post(QuizRoute.newContest, use: admin.saveContest)
        web.get(QuizRoute.bankTemplate(nil), use: admin.bankTemplate)
        web.get(QuizRoute.contest(nil), use: admin.show)
        web.get(QuizRoute.editContest(nil), use: admin.editContest)
        web.post(QuizRoute.editContest(nil), use: admin.saveContest)
        web.get(QuizRoute.bank(nil), use: admin.bankPage)
        web.post(QuizRoute.bank(nil), use: admin.importBank)
        web.get(QuizRoute.newRound(nil), use: admin.newRound)
        web.post(QuizRoute.newRound(nil), use: admin.saveRound)
        web.get(QuizRoute.round(nil, nil), use: admin.showRound)
        web.get(QuizRoute.editRound(nil, nil), use: admin.editRound)
        web.post(QuizRoute.editRound(nil, nil), use: admin.saveRound)
        web.post(QuizRoute.draw(nil, nil), use: admin.draw)
        web.post(QuizRoute.publish(nil, nil), use: admin.publish)
        web.post(QuizRoute.close(nil, nil), use: admin.close)
        web.get(QuizRoute.results(nil, nil, nil), use: admin.exportResults)
        web.get(QuizRoute.participation(nil), use: admin.participation)
        web.get(QuizRoute.participationExport(nil, nil), use: admin.participation)
        web.post(QuizRoute.headcounts(nil), use: admin.saveHeadcounts)
        web.post(QuizRoute.urge(nil, nil), use: admin.urge)
        web.get(QuizRoute.flags(nil), use: admin.flags)
        web.post(QuizRoute.flag(nil, nil), use: admin.review)
    }

    /// `/api/v1/quiz/…`.
    /// From a contest to its first round's leaderboard, from a started attempt to it and its
    /// submission (with the contestant's token), from the organiser's list to participation
    /// and results.
    public var openAPILinks: [OpenAPILink] {
        let token = "header." + QuizAPI.tokenHeader
        return [
            OpenAPILink("leaderboard", from: "get /api/v1/quiz/contests/{slug}", to: "get /api/v1/quiz/rounds/{roundID}/leaderboard", parameters: ["roundID": "$response.body#/rounds/0/id"]),
            OpenAPILink("startedAttempt", from: "post /api/v1/quiz/rounds/{roundID}/attempts", status: "201", to: "get /api/v1/quiz/attempts/{attemptID}", parameters: ["attemptID": "$response.body#/id", token: "$request.header.\(QuizAPI.tokenHeader)"]),
            OpenAPILink("submitStarted", from: "post /api/v1/quiz/rounds/{roundID}/attempts", status: "201", to: "post /api/v1/quiz/attempts/{attemptID}/submission", parameters: ["attemptID": "$response.body#/id", token: "$request.header.\(QuizAPI.tokenHeader)"]),
            OpenAPILink("submitResumed", from: "post /api/v1/quiz/rounds/{roundID}/attempts", to: "post /api/v1/quiz/attempts/{attemptID}/submission", parameters: ["attemptID": "$response.body#/id", token: "$request.header.\(QuizAPI.tokenHeader)"]),
            OpenAPILink("participation", from: "get /api/v1/quiz/admin/contests", to: "get /api/v1/quiz/admin/contests/{contestID}/participation", parameters: ["contestID": "$response.body#/0/id"]),
            OpenAPILink("results", from: "get /api/v1/quiz/admin/contests", to: "get /api/v1/quiz/admin/rounds/{roundID}/results", parameters: ["roundID": "$response.body#/0/rounds/0/id"]),
        ]
    }

    public var openAPIPaths: [String: JSON] { QuizAPI.paths }
    /// Quiz schemas.
    public var openAPISchemas: [String: JSON] { QuizAPI.schemas }
}

/// Closes rounds whose time is up, every 30 seconds, on one instance at a time.
func makeQuizScheduler() -> PeriodicJob {
    PeriodicJob(L10n.text("quiz.ket_thuc_tuan_thi"), firstDelay: .seconds(20), every: .seconds(30)) { app in
        let closed = try await QuizService.closeDueRounds(now: app.clock.now(), app: app)
        if closed > 0 { app.logger.info("Closed and ranked \(closed) rounds") }
    }
}
