import Fluent
import Foundation
import SQLKit
import Vapor

// Sessions that cost nothing on a read.
//
// Vapor's sessions middleware stores the session at the end of every request that looked at
// it, and creates a row for any visitor whose request touched `req.session`: with SQLite at
// `synchronous=FULL` that was one fsync per page view (200 signed-in `GET /livez` made 163),
// and a national contest's visitors each left a row. The driver below keeps what the request
// read and writes only when the data changed, or when the expiry is due for its extension
// (at most once per `refreshEvery`); a session that would be created empty is never stored,
// and `SessionCookieMiddleware` then sends no cookie for it. Expired rows are purged by a job.

/// How long a session lives and how often its expiry is pushed forward.
public struct SessionPolicy: Sendable {
    /// A session unused this long is over (and its row purged).
    public var lifetime: TimeInterval = 12 * 3600
    /// The expiry is extended at most once per this interval (`DANVAN_SESSION_REFRESH_SECONDS`).
    public var refreshEvery: TimeInterval = 15 * 60
    /// How long a session and its user are answered from memory without asking the database
    /// (`DANVAN_SESSION_CACHE_SECONDS`; 0 turns the cache off). See `SessionCache`.
    public var cacheSeconds: TimeInterval = 5

    /// The default policy: 12 hours, extended at most every 15 minutes.
    public init() {}
}

/// A stored session: Fluent's `_fluent_sessions` table, with the expiry this app adds.
final class StoredSession: Model, @unchecked Sendable {
    static let schema = "_fluent_sessions"

    @ID(key: .id) var id: UUID?
    @Field(key: "key") var key: SessionID
    @Field(key: "data") var data: SessionData
    @OptionalField(key: "expires_at") var expiresAt: Date?

    init() {}

    init(key: SessionID, data: SessionData, expiresAt: Date) {
        self.key = key
        self.data = data
        self.expiresAt = expiresAt
    }
}

/// What the driver read for this request, to compare with what the request leaves.
private struct SessionReadKey: StorageKey {
    typealias Value = SessionRead
}

private enum SessionRead: Sendable {
    /// The cookie named no live session.
    case missing
    /// The session as read.
    case found(data: [String: String], expiresAt: Date?)
}

/// How this request's session was read: the cache generation it belongs to, and the user the
/// cache kept with it (if any), for `SessionUserMiddleware`.
struct SessionCacheRead {
    let generation: UInt64
    let user: User?
}

struct SessionCacheReadKey: StorageKey { typealias Value = SessionCacheRead }

/// Set when the request's new session was empty and therefore not stored.
struct UnstoredSessionKey: StorageKey { typealias Value = Bool }

/// The session driver: Fluent storage, no write unless something changed.
public struct StoredSessions: SessionDriver {
    let policy: SessionPolicy

    /// A driver following `policy`.
    public init(policy: SessionPolicy) { self.policy = policy }

    public func createSession(_ data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        let id = Self.newID()
        guard !data.snapshot.isEmpty else {
            request.storage[UnstoredSessionKey.self] = true
            return request.eventLoop.makeSucceededFuture(id)
        }
        let record = StoredSession(key: id, data: data, expiresAt: request.now.addingTimeInterval(policy.lifetime))
        return record.create(on: request.db).map { id }
    }

    public func readSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<SessionData?> {
        let now = request.now
        let cache = request.application.sessionCache
        if let entry = cache.lookup(sessionID.string) {
            request.storage[SessionCacheReadKey.self] = SessionCacheRead(generation: entry.generation, user: entry.user)
            return request.eventLoop.makeSucceededFuture(Self.remember((SessionData(initialData: entry.data), entry.expiresAt), now: now, on: request))
        }
        let generation = cache.currentGeneration(), readAt = cache.now()
        request.storage[SessionCacheReadKey.self] = SessionCacheRead(generation: generation, user: nil)
        // Read with SQLKit, not as a model: this runs on every signed-in request, and decoding a
        // Fluent model walks its properties by reflection.
        let promise = request.eventLoop.makePromise(of: SessionData?.self)
        promise.completeWithTask {
            guard let sql = request.db as? any SQLDatabase else { throw AppError.unavailable }
            let row = try await sql.select().column("data").column("expires_at").from(StoredSession.schema)
                .where("key", .equal, sessionID.string).limit(1).first()
            let record = try row.map { (data: try $0.decode(column: "data", as: SessionData.self), expiresAt: try $0.decode(column: "expires_at", as: Date?.self)) }
            if let record { cache.store(sessionID.string, data: record.data.snapshot, expiresAt: record.expiresAt, generation: generation, readAt: readAt) }
            return Self.remember(record, now: now, on: request)
        }
        return promise.futureResult
    }

    /// Keeps what was read (to compare at the end of the request) and gives the live data.
    private static func remember(_ record: (data: SessionData, expiresAt: Date?)?, now: Date, on request: Request) -> SessionData? {
        guard let record, (record.expiresAt.map { $0 > now } ?? true) else {
            request.storage[SessionReadKey.self] = .missing
            return nil
        }
        request.storage[SessionReadKey.self] = .found(data: record.data.snapshot, expiresAt: record.expiresAt)
        return record.data
    }

    public func updateSession(_ sessionID: SessionID, to data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        let now = request.now
        if case .found(let before, let expiresAt)? = request.storage[SessionReadKey.self],
           before == data.snapshot, !Self.needsRefresh(expiresAt, now: now, policy: policy) {
            return request.eventLoop.makeSucceededFuture(sessionID)
        }
        let cache = request.application.sessionCache
        let generation = cache.currentGeneration(), writtenAt = cache.now()
        let expiresAt = now.addingTimeInterval(policy.lifetime)
        return StoredSession.query(on: request.db)
            .filter(\.$key == sessionID)
            .set(\.$data, to: data)
            .set(\.$expiresAt, to: expiresAt)
            .update()
            .map {
                // What was just written is what the next request reads; its user is read again.
                cache.store(sessionID.string, data: data.snapshot, expiresAt: expiresAt, generation: generation, readAt: writtenAt)
                return sessionID
            }
    }

    public func deleteSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<Void> {
        request.application.sessionCache.forget(sessionID.string)
        if case .missing? = request.storage[SessionReadKey.self] { return request.eventLoop.makeSucceededVoidFuture() }
        return StoredSession.query(on: request.db).filter(\.$key == sessionID).delete()
    }

    /// Whether an expiry read as `expiresAt` is due to be pushed forward at `now`: it was last
    /// set more than `refreshEvery` ago (or never).
    static func needsRefresh(_ expiresAt: Date?, now: Date, policy: SessionPolicy) -> Bool {
        guard let expiresAt else { return true }
        return expiresAt.timeIntervalSince(now) < policy.lifetime - policy.refreshEvery
    }

    /// 32 random bytes, base64: the cookie's value.
    static func newID() -> SessionID {
        SessionID(string: Data([UInt8].random(count: 32)).base64EncodedString())
    }

    /// Deletes the sessions that expired before `now`; returns how many.
    public static func purge(before now: Date, on db: any Database) async throws -> Int {
        let expired = StoredSession.query(on: db).filter(\.$expiresAt < now)
        let count = try await expired.count()
        if count > 0 { try await StoredSession.query(on: db).filter(\.$expiresAt < now).delete() }
        return count
    }
}

/// Keeps a session that was never stored from reaching the browser: placed before (outside)
/// the sessions middleware, it drops the cookie of an empty new session, or expires a stale one.
public struct SessionCookieMiddleware: AsyncMiddleware {
    /// Creates the middleware.
    public init() {}

    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        if request.storage[UnstoredSessionKey.self] == true {
            let name = request.application.sessions.configuration.cookieName
            if request.incomingCookies[name] != nil {
                response.cookies[name] = .expired
            } else {
                response.cookies.all[name] = nil
            }
        }
        return response
    }
}

extension Request {
    /// Whether the request came with a session cookie (so `session` may hold something); a
    /// request without one never creates a session by looking.
    public var hasSession: Bool {
        sessionsReady && incomingCookies[application.sessions.configuration.cookieName] != nil
    }

    /// The cookies the request came with, parsed once: Vapor's `cookies` parses the Cookie
    /// header on every read, and a page reads it several times (session, CSRF token per form,
    /// language) — 10 % of a light page in the profile.
    public var incomingCookies: HTTPCookies {
        if let parsed = storage[IncomingCookiesKey.self] { return parsed }
        let parsed = Self.parseCookies(headers[.cookie]) ?? cookies
        storage[IncomingCookiesKey.self] = parsed
        return parsed
    }

    /// The cookies of `headers` (the request's Cookie headers) as Vapor reads them, for the
    /// plain form browsers send — `name=value` pairs separated by `;` — in one pass (Vapor's
    /// general header parser took 2–5 % of a page). Nil for anything else (a quote or a comma),
    /// which Vapor's parser then reads.
    static func parseCookies(_ headers: [String]) -> HTTPCookies? {
        func isBlank(_ character: Character) -> Bool { character == " " || character == "\t" }
        func isNameCharacter(_ character: Character) -> Bool {
            character.isASCII && (character.isLetter || character.isNumber || character == "_" || character == "-" || character == ".")
        }
        var cookies = HTTPCookies()
        for header in headers {
            if header.utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: ",") }) { return nil }
            for piece in header.split(separator: ";") {
                let pair = piece.drop(while: isBlank)
                // A piece without `=` is no cookie, for Vapor too.
                guard let equals = pair.firstIndex(of: "=") else { continue }
                let name = pair[..<equals]
                guard !name.isEmpty, name.allSatisfy(isNameCharacter) else { return nil }
                var value = pair[pair.index(after: equals)...].drop(while: isBlank)
                while let last = value.last, isBlank(last) { value = value.dropLast() }
                cookies[String(name)] = HTTPCookies.Value(string: String(value))
            }
        }
        return cookies
    }
}

private struct IncomingCookiesKey: StorageKey { typealias Value = HTTPCookies }

/// The session-expiry migration: `expires_at` on `_fluent_sessions`, set for sessions that exist.
struct AddSessionExpiry: AsyncMigration {
    var name: String { "core.0008.add-session-expiry" }

    func prepare(on database: any Database) async throws {
        try await database.schema("_fluent_sessions").field("expires_at", .datetime).update()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "fluent_sessions_expires_idx").on("_fluent_sessions").column("expires_at").run()
            try await sql.update("_fluent_sessions").set("expires_at", to: Date().addingTimeInterval(SessionPolicy().lifetime)).run()
        }
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            try await sql.drop(index: "fluent_sessions_expires_idx").run()
        }
        try await database.schema("_fluent_sessions").deleteField("expires_at").update()
    }
}

/// The job that deletes expired sessions, hourly.
func makeSessionPurgeJob() -> PeriodicJob {
    PeriodicJob("session purge", firstDelay: .seconds(60), every: .seconds(3600)) { app in
        try await JobLock.run("core.session-purge", on: app.db) { db in
            let purged = try await StoredSessions.purge(before: app.clock.now(), on: db)
            if purged > 0 { app.logger.info("Purged \(purged) expired sessions") }
        }
    }
}
