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
    let title: String
    let status: QuizRound.Status
    let opensAt: Date
    let closesAt: Date
    let questionCount: Int
    let timeLimitSeconds: Int
    let maxAttempts: Int
    let graceSeconds: Int
    let minSecondsPerQuestion: Int
    let predictionQuestion: String
    let keys: [Int: QuizRules.Key]
    let pool: [(number: Int, optionCount: Int)]
    let texts: [Int: Text]
    let loadedAt: TimeInterval

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
    /// Rate limit counters.
    public let limiter = RateLimiter()
    /// Limits (tests tighten them).
    public let limits: NIOLockedValueBox<QuizLimits>
    private let rounds = NIOLockedValueBox([UUID: RoundInfo]())
    /// Seconds a cached round's times and status are trusted.
    let refreshSeconds: TimeInterval = 3

    init(writer: QuizWriter, limits: QuizLimits) {
        self.writer = writer
        self.limits = .init(limits)
    }

    /// The round, from memory if fresh enough.
    public func round(_ id: UUID, on db: any Database) async throws -> RoundInfo? {
        let now = ProcessInfo.processInfo.systemUptime
        if let cached = rounds.withLockedValue({ $0[id] }), now - cached.loadedAt < refreshSeconds { return cached }
        guard let info = try await load(id, on: db, uptime: now) else { return nil }
        rounds.withLockedValue { $0[id] = info }
        return info
    }

    /// Forgets a round after a change made in this process.
    public func invalidate(_ id: UUID) {
        _ = rounds.withLockedValue { $0.removeValue(forKey: id) }
    }

    private func load(_ id: UUID, on db: any Database, uptime: TimeInterval) async throws -> RoundInfo? {
        guard let round = try await QuizRound.query(on: db).filter(\.$id == id).with(\.$contest).first() else { return nil }
        let links = try await RoundQuestion.query(on: db).filter(\.$round.$id == id).with(\.$question).sort(\.$position).all()
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
