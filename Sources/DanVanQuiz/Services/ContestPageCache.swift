import DanVanCore
import Fluent
import Foundation
import NIOConcurrencyHelpers

/// What every public page of a contest reads first — the contest by its address, its
/// published rounds and how many have registered — kept in memory for a few seconds.
///
/// On a launch day the landing and registration pages take the rush: each visit read the
/// contest, its rounds and a count through Fluent (three queries, a third of the landing
/// page's time in the profile, issue 12) for data an organiser changes a few times a contest.
/// The copy is trusted `trustSeconds` (3, as the round cache of the API trusts a round's
/// times): a change made on this instance (a contest or round saved through Fluent, a round
/// closed by the job, a draw) empties it at once; another instance's change is seen within
/// the trust period. The count a visitor sees may lag by as much.
///
/// The models handed out are shared by concurrent requests: read them, never change or save
/// them (the organiser's pages read their own copies).
public final class ContestPageCache: Sendable {
    /// A contest as its public pages read it.
    public struct Entry: Sendable {
        /// The contest (read only).
        public let contest: QuizContest
        /// Its rounds that are not drafts, by number (read only).
        public let rounds: [QuizRound]
        /// Participants registered when it was read.
        public let participants: Int
        /// The rules' paragraphs, the prizes as shown ("Giải nhất: 1") and the occupation
        /// groups, parsed once per read instead of on every visit.
        public let rules: [String]
        public let prizes: [String]
        public let occupations: [String]
        /// Monotonic seconds when it was read.
        let loadedAt: TimeInterval
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Raised by every invalidation: a read begun before it is not kept.
        var generation = 0
    }

    private let state = NIOLockedValueBox(State())
    /// Seconds a copy is answered without the database.
    let trustSeconds: TimeInterval
    /// The monotonic clock in seconds (a test's own).
    let clock: @Sendable () -> TimeInterval

    public init(trustSeconds: TimeInterval = 3, clock: @escaping @Sendable () -> TimeInterval = { ProcessInfo.processInfo.systemUptime }) {
        self.trustSeconds = trustSeconds
        self.clock = clock
    }

    /// The published (or closed) contest at `slug`, with its rounds and count; nil when there
    /// is none or it is a draft.
    public func entry(slug: String, on db: any Database) async throws -> Entry? {
        let now = clock()
        let (cached, generation) = state.withLockedValue { ($0.entries[slug], $0.generation) }
        if let cached, now - cached.loadedAt < trustSeconds { return cached }
        guard let fresh = try await load(slug: slug, on: db, now: now) else {
            state.withLockedValue { _ = $0.entries.removeValue(forKey: slug) }
            return nil
        }
        state.withLockedValue { state in
            if state.generation == generation { state.entries[slug] = fresh }
        }
        return fresh
    }

    /// Forgets every contest (after a change made on this instance).
    public func invalidate() {
        state.withLockedValue { state in
            state.entries.removeAll()
            state.generation += 1
        }
    }

    private func load(slug: String, on db: any Database, now: TimeInterval) async throws -> Entry? {
        guard let contest = try await QuizContest.query(on: db).filter(\.$slug == slug).filter(\.$status != .draft).first() else { return nil }
        let id = try contest.requireID()
        let rounds = try await QuizRound.query(on: db).filter(\.$contest.$id == id).filter(\.$status != .draft).sort(\.$number).all()
        let participants = try await QuizParticipant.query(on: db).filter(\.$contest.$id == id).count()
        return Entry(
            contest: contest, rounds: rounds, participants: participants,
            rules: contest.rules.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
            prizes: (QuizRules.prizes(contest.prizes) ?? []).map { "\($0.name): \($0.count)" }, occupations: contest.occupationList, loadedAt: now
        )
    }
}

/// Empties the contest page cache whenever a model of type `M` (a contest, a round) is
/// created, updated or deleted through Fluent on this instance.
struct ContestPageInvalidation<M: Model>: AsyncModelMiddleware {
    let cache: ContestPageCache

    func create(model: M, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try await next.create(model, on: db)
        cache.invalidate()
    }

    func update(model: M, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try await next.update(model, on: db)
        cache.invalidate()
    }

    func delete(model: M, force: Bool, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try await next.delete(model, force: force, on: db)
        cache.invalidate()
    }
}
