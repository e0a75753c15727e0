import Fluent
import Foundation
import NIOCore
import SQLKit
import Vapor

// Sessions and their signed-in users, kept in memory between requests.
//
// Every signed-in request read its session row and then its user (a Fluent model, decoded by
// reflection): two queries, each a hop to the database's thread pool, before the page began —
// a signed-in trivial request did a sixth of an anonymous one. The cache answers both from
// memory for a short while (`DANVAN_SESSION_CACHE_SECONDS`, 5 by default; 0 turns it off) and
// never beyond what it can know:
// - this instance's own changes reach it at once: the session driver updates or drops the
//   entry it writes, and any write of a `User` model (password, disabling, role, unit) empties
//   the whole cache;
// - another instance's changes reach it through PostgreSQL: a trigger on the sessions and users
//   tables notifies `danvan_auth` and each instance listens (`AuthChangeListener`); while its
//   listening connection is down, nothing is trusted and every request asks the database;
// - on SQLite one server owns the file; a command run beside it (`danvan create-admin`) is seen
//   within the trust period at the latest.

/// What the cache keeps for one session cookie.
struct CachedSession {
    let data: [String: String]
    let expiresAt: Date?
    /// The signed-in user as read (never handed out: requests get a copy).
    var user: User?
    /// When it was read from the database (monotonic nanoseconds).
    let readAt: UInt64
    let generation: UInt64
}

/// The app's session cache; see the file's comment.
public final class SessionCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: CachedSession] = [:]
    private var generation: UInt64 = 0
    private var hearsChanges: Bool
    /// How long an entry is answered without the database, in nanoseconds (0: never).
    let trust: UInt64
    /// At most this many sessions are kept; past it the ones read longest ago go.
    let capacity: Int
    /// The monotonic clock, in nanoseconds (a test's own).
    let clock: @Sendable () -> UInt64

    /// A cache trusting an entry `trust` seconds; `hearsChanges`: whether changes made by other
    /// instances reach it (false on PostgreSQL until its listener is connected).
    public init(trust: TimeInterval, hearsChanges: Bool, capacity: Int = 50_000, clock: @escaping @Sendable () -> UInt64 = SessionCache.monotonicNow) {
        self.trust = UInt64(max(0, trust) * 1_000_000_000)
        self.hearsChanges = hearsChanges
        self.capacity = capacity
        self.clock = clock
    }

    /// Nanoseconds since boot.
    public static let monotonicNow: @Sendable () -> UInt64 = { UInt64(NIODeadline.now().uptimeNanoseconds) }

    /// Now, by the cache's clock.
    func now() -> UInt64 { clock() }

    /// The generation to pass to `store` after reading from the database: a store made with an
    /// older one (everything was forgotten meanwhile) is dropped.
    func currentGeneration() -> UInt64 { lock.withLock { generation } }

    /// The entry of `key` if it may be answered without the database.
    func lookup(_ key: String) -> CachedSession? {
        guard trust > 0 else { return nil }
        let now = now()
        return lock.withLock {
            guard hearsChanges, let entry = entries[key], entry.generation == generation, now &- entry.readAt < trust else { return nil }
            return entry
        }
    }

    /// Keeps what was just read (or written) for `key`, unless everything was forgotten since
    /// `generation` was taken.
    func store(_ key: String, data: [String: String], expiresAt: Date?, user: User? = nil, generation: UInt64, readAt: UInt64) {
        guard trust > 0 else { return }
        lock.withLock {
            guard hearsChanges, generation == self.generation else { return }
            if entries.count >= capacity, entries[key] == nil {
                // Drop the half read longest ago (a rare sweep, not one per request).
                let cut = entries.values.map(\.readAt).sorted()[entries.count / 2]
                entries = entries.filter { $0.value.readAt > cut }
            }
            entries[key] = CachedSession(data: data, expiresAt: expiresAt, user: user, readAt: readAt, generation: generation)
        }
    }

    /// Adds the user read for `key`'s session to its entry (read in the same request, after it).
    func attach(_ user: User, to key: String, generation: UInt64) {
        lock.withLock {
            guard generation == self.generation, var entry = entries[key], entry.generation == generation else { return }
            entry.user = user
            entries[key] = entry
        }
    }

    /// Forgets one session.
    public func forget(_ key: String) {
        lock.withLock { _ = entries.removeValue(forKey: key) }
    }

    /// Forgets every session (a user changed, or changes may have been missed).
    public func forgetAll() {
        lock.withLock {
            generation &+= 1
            entries.removeAll(keepingCapacity: true)
        }
    }

    /// Whether other instances' changes reach the cache; either way everything is forgotten
    /// (changes may have been missed while the listener was away).
    public func setHearsChanges(_ value: Bool) {
        lock.withLock {
            hearsChanges = value
            generation &+= 1
            entries.removeAll(keepingCapacity: true)
        }
    }

    /// How many sessions are kept (for tests and metrics).
    public var count: Int { lock.withLock { entries.count } }
}

extension Application {
    private struct SessionCacheKey: StorageKey { typealias Value = SessionCache }

    /// The app's session cache (off until `configure` sets one).
    public var sessionCache: SessionCache {
        get { storage[SessionCacheKey.self] ?? Self.noSessionCache }
        set { storage[SessionCacheKey.self] = newValue }
    }

    private static let noSessionCache = SessionCache(trust: 0, hearsChanges: false)
}

extension User {
    /// A copy of a cached user for one request: the same values, marked as stored. Every field
    /// counts as set, so an update through it would write them all: code that changes an account
    /// loads it first (`UserService`'s callers do).
    func requestCopy() -> User {
        let copy = User()
        copy.id = id
        copy.username = username
        copy.fullName = fullName
        copy.passwordHash = passwordHash
        copy.role = role
        copy.$unit.id = $unit.id
        copy.email = email
        copy.phone = phone
        copy.isActive = isActive
        copy.mustChangePassword = mustChangePassword
        copy.sessionVersion = sessionVersion
        copy.searchKey = searchKey
        copy.lastLoginAt = lastLoginAt
        copy.createdAt = createdAt
        copy.updatedAt = updatedAt
        copy.$id.exists = true
        return copy
    }
}

/// Empties the session cache whenever a user is updated or deleted through Fluent on this
/// instance (a password, a role, a unit, disabling: what decides who a session is).
public struct UserChangeMiddleware: AsyncModelMiddleware {
    let cache: SessionCache

    /// Empties `cache` on every change of a user.
    public init(cache: SessionCache) { self.cache = cache }

    public func update(model: User, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try await next.update(model, on: db)
        cache.forgetAll()
    }

    public func delete(model: User, force: Bool, on db: any Database, next: any AnyAsyncModelResponder) async throws {
        try await next.delete(model, force: force, on: db)
        cache.forgetAll()
    }
}

/// On PostgreSQL, a trigger on the sessions and users tables notifies `danvan_auth` of every
/// change made by any instance or command: a session's key, or nothing for a user (every
/// instance then forgets all). SQLite has no notifications; nothing to do there.
struct AddAuthChangeNotify: AsyncMigration {
    var name: String { "core.0009.auth-change-notify" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        try await sql.raw("""
            CREATE OR REPLACE FUNCTION danvan_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_TABLE_NAME = '_fluent_sessions' THEN
                    PERFORM pg_notify('danvan_auth', OLD.key);
                ELSE
                    PERFORM pg_notify('danvan_auth', '');
                END IF;
                RETURN NULL;
            END $$
            """).run()
        try await sql.raw("CREATE TRIGGER danvan_sessions_changed AFTER UPDATE OR DELETE ON _fluent_sessions FOR EACH ROW EXECUTE FUNCTION danvan_auth_changed()").run()
        try await sql.raw("CREATE TRIGGER danvan_users_changed AFTER UPDATE OR DELETE ON users FOR EACH ROW EXECUTE FUNCTION danvan_auth_changed()").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        try await sql.raw("DROP TRIGGER IF EXISTS danvan_sessions_changed ON _fluent_sessions").run()
        try await sql.raw("DROP TRIGGER IF EXISTS danvan_users_changed ON users").run()
        try await sql.raw("DROP FUNCTION IF EXISTS danvan_auth_changed()").run()
    }
}
