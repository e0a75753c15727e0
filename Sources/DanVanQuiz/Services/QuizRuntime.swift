import DanVanCore
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// A published round as the hot paths need it, kept in memory: its times and limits, the
/// answer key and the question texts. Questions of a published round never change, so the
/// key is safe to keep; times and status are re-read every few seconds so an organiser's
/// change (or another instance closing the round) is seen quickly.
public struct RoundInfo: Sendable {
    /// The question as an attempt page shows it.
    public struct Text: Sendable {
        /// Question text.
        public let text: String
        /// Options in original order.
        public let options: [String]
        /// Several options may be chosen.
        public let multiple: Bool
    }

    let id: UUID
    let contestID: UUID
    let number: Int
    public let title: String
    public internal(set) var status: QuizRound.Status
    let opensAt: Date
    let closesAt: Date
    let questionCount: Int
    let timeLimitSeconds: Int
    let maxAttempts: Int
    /// Seconds after an attempt's deadline a submission still counts (the contest's setting).
    public internal(set) var graceSeconds: Int
    var minSecondsPerQuestion: Int
    let predictionQuestion: String
    let keys: [Int: QuizRules.Key]
    let pool: [(number: Int, optionCount: Int)]
    let texts: [Int: Text]
    var loadedAt: TimeInterval

    func isOpen(at now: Date) -> Bool { status == .published && now >= opensAt && now < closesAt }

    /// Whether a submission received at `now` is still inside the round (its close + grace).
    func acceptsSubmissions(at now: Date) -> Bool {
        status == .published && now <= closesAt.addingTimeInterval(TimeInterval(graceSeconds))
    }
}

/// Limits of the public contest pages and API. Defaults suit a province; an address here is
/// often a mobile carrier's shared address (CGNAT), so per-address limits are generous and
/// per-participant limits strict.
public struct QuizLimits: Sendable {
    /// Public quiz requests per address per minute (0: no limit).
    public var requestsPerAddressPerMinute = 1_200
    /// Registrations from one address per hour before they are refused.
    public var registrationsPerAddressPerHour = 100
    /// Registrations from one address per hour before a flag is raised for review.
    public var registrationFlagThreshold = 15
    /// Starts and submissions per participant per minute.
    public var actionsPerParticipantPerMinute = 20
    /// Wrong secrets per phone per 15 minutes.
    public var loginFailuresPerPhone = 8

    /// Reads `DANVAN_QUIZ_REQUESTS_PER_ADDRESS` (per minute) and
    /// `DANVAN_QUIZ_REGISTRATIONS_PER_ADDRESS` (per hour) over the defaults.
    public static func fromEnvironment() -> QuizLimits {
        var limits = QuizLimits()
        let environment = ProcessInfo.processInfo.environment
        if let value = environment["DANVAN_QUIZ_REQUESTS_PER_ADDRESS"].flatMap(Int.init), value >= 0 { limits.requestsPerAddressPerMinute = value }
        if let value = environment["DANVAN_QUIZ_REGISTRATIONS_PER_ADDRESS"].flatMap(Int.init), value >= 0 { limits.registrationsPerAddressPerHour = value }
        return limits
    }
}

/// The contest's in-process machinery: the group-commit writer, the round cache, the rate
/// limiter and the limits.
public final class QuizRuntime: Sendable {
    /// The group-commit writer.
    public let writer: QuizWriter
    /// The submission's read, grouped: one query for every attempt asked for while the
    /// previous query ran. Under the rush on PostgreSQL each submission's own round trip was
    /// most of the database server's work.
    let attemptReader: GroupRunner<UUID, QuizService.AttemptRow?>
    /// Rate limit counters.
    public let limiter = RateLimiter()
    /// Limits (tests tighten them).
    public let limits: NIOLockedValueBox<QuizLimits>
    private let rounds = NIOLockedValueBox(RoundCache())
    /// The contests as their public pages read them.
    public let contestPages = ContestPageCache()
    /// Seconds a cached round's times and status are trusted.
    let refreshSeconds: TimeInterval = 3
    /// Seconds past which a cached round is no longer served while it is being re-read.
    let staleLimitSeconds: TimeInterval = 30

    private struct RoundCache {
        var entries: [UUID: RoundInfo] = [:]
        var refreshing: Set<UUID> = []
    }

    init(writer: QuizWriter, limits: QuizLimits, readDatabase: @escaping @Sendable () -> any Database) {
        self.writer = writer
        attemptReader = GroupRunner(maxGroup: 200) { ids in try await QuizService.attemptsWithToken(ids, on: readDatabase()) }
        self.limits = .init(limits)
    }

    /// The round, from memory if fresh enough. A round a little past its refresh time is
    /// served as it is while one task re-reads it, so the hundreds of requests that arrive in
    /// that moment never all reload it at once (which is what made latency spike every few
    /// seconds under load).
    public func round(_ id: UUID, on db: any Database) async throws -> RoundInfo? {
        try await round(id, on: db, uptime: ProcessInfo.processInfo.systemUptime).info
    }

    /// `round(_:on:)` at a given monotonic time (seconds); `refreshing` tells whether this
    /// call served a stale copy and started the one re-read (the task is returned to await).
    public func round(_ id: UUID, on db: any Database, uptime now: TimeInterval) async throws -> (info: RoundInfo?, refreshing: Task<Void, Never>?) {
        enum Plan { case serve(RoundInfo), serveAndRefresh(RoundInfo), load }
        let plan: Plan = rounds.withLockedValue { cache in
            guard let cached = cache.entries[id] else { return .load }
            let age = now - cached.loadedAt
            if age < refreshSeconds { return .serve(cached) }
            if age < staleLimitSeconds, !cache.refreshing.contains(id) {
                cache.refreshing.insert(id)
                return .serveAndRefresh(cached)
            }
            return age < staleLimitSeconds ? .serve(cached) : .load
        }
        switch plan {
        case .serve(let info):
            return (info, nil)
        case .serveAndRefresh(let info):
            let task = Task {
                let fresh = try? await self.refresh(info, on: db, uptime: now)
                self.rounds.withLockedValue { cache in
                    cache.refreshing.remove(id)
                    // Dropped if the round was invalidated meanwhile (what was read may predate the change).
                    guard cache.entries[id] != nil else { return }
                    cache.entries[id] = fresh
                }
            }
            return (info, task)
        case .load:
            guard let info = try await load(id, on: db, uptime: now) else { return (nil, nil) }
            rounds.withLockedValue { $0.entries[id] = info }
            return (info, nil)
        }
    }

    /// Forgets a round after a change made in this process.
    public func invalidate(_ id: UUID) {
        _ = rounds.withLockedValue { $0.entries.removeValue(forKey: id) }
        contestPages.invalidate()
    }

    /// What may change on a round outside a draft, read for a copy in memory: its status and
    /// its contest's grace and speed threshold. Outside a draft a round's dates, settings and
    /// questions are fixed (the organiser's forms and the draw refuse), so they are kept; a
    /// draft is read whole. Re-reading the whole round decoded 500 questions and their links
    /// through Fluent — 60–90 ms on one event loop every 3 s under the rush, which the
    /// requests queued behind it felt in the slowest percent.
    private func refresh(_ cached: RoundInfo, on db: any Database, uptime: TimeInterval) async throws -> RoundInfo? {
        guard cached.status != .draft else { return try await load(cached.id, on: db, uptime: uptime) }
        guard let state = try await db.first(RoundState(id: cached.id)) else { return nil }
        var info = cached
        info.status = QuizRound.Status(rawValue: state.status) ?? cached.status
        info.graceSeconds = state.grace_seconds
        info.minSecondsPerQuestion = state.min_seconds_per_question
        info.loadedAt = uptime
        return info
    }

    private struct RoundState: PreparedRead {
        struct Row: Decodable, Sendable {
            let status: String
            let grace_seconds: Int
            let min_seconds_per_question: Int
        }
        static let name = "quiz.round-state"
        static let sql = """
            SELECT r.status, c.grace_seconds, c.min_seconds_per_question
            FROM quiz_rounds r JOIN quiz_contests c ON c.id = r.contest_id WHERE r.id = $1
            """
        let id: UUID
        var values: [PreparedValue] { [.uuid(id)] }
    }

    private func load(_ id: UUID, on db: any Database, uptime: TimeInterval) async throws -> RoundInfo? {
        guard let round = try await QuizRound.query(on: db).filter(\.$id == id).with(\.$contest).first() else { return nil }
        let links = try await QuizRoundQuestion.query(on: db).filter(\.$round.$id == id).with(\.$question).sort(\.$position).all()
        var keys: [Int: QuizRules.Key] = [:]
        var texts: [Int: RoundInfo.Text] = [:]
        var pool: [(number: Int, optionCount: Int)] = []
        for link in links {
            let question = link.question
            let options = question.options
            keys[question.number] = question.key
            texts[question.number] = RoundInfo.Text(text: question.text, options: options, multiple: question.multiple)
            pool.append((question.number, options.count))
        }
        return RoundInfo(
            id: id, contestID: round.$contest.id, number: round.number, title: round.title, status: round.status, opensAt: round.opensAt,
            closesAt: round.closesAt, questionCount: round.questionCount, timeLimitSeconds: round.timeLimitSeconds, maxAttempts: round.maxAttempts,
            graceSeconds: round.contest.graceSeconds, minSecondsPerQuestion: round.contest.minSecondsPerQuestion,
            predictionQuestion: round.predictionQuestion, keys: keys, pool: pool, texts: texts, loadedAt: uptime
        )
    }
}

extension Application {
    private struct QuizRuntimeKey: StorageKey { typealias Value = QuizRuntime }

    /// The contest machinery of this process.
    public var quiz: QuizRuntime {
        get {
            guard let runtime = storage[QuizRuntimeKey.self] else { fatalError("QuizModule is not registered") }
            return runtime
        }
        set { storage[QuizRuntimeKey.self] = newValue }
    }
}
