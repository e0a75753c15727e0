import DanVanApp
@testable import DanVanCore
import DanVanTestSupport
import Fluent
import FluentPostgresDriver
import Foundation
import SQLKit
import Testing
import Vapor

/// The session cache (issue 12): a signed-in request is answered from memory, and what ends a
/// session — signing out, a disabled account, a changed password, a row changed by another
/// instance — is seen at once (this instance, or PostgreSQL's notification) or within the
/// trust period (a command beside an SQLite server).
@Suite("Session cache: fast, and never longer than it may")
struct SessionCacheTests {
    /// Signs `username` in; returns the session cookie as a `Cookie` header value.
    static func signIn(_ app: Application, _ username: String) async throws -> String {
        let client = WebClient(app)
        let reply = try await client.login(username)
        let header = try #require(reply.headers[.setCookie].first { $0.hasPrefix("danvan_session=") })
        return String(header.prefix { $0 != ";" })
    }

    /// `GET path` with exactly `cookie`: 200 when the session signs in, a redirect otherwise.
    static func status(_ app: Application, _ path: String = "/account", cookie: String) async throws -> HTTPStatus {
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .cookie, value: cookie)
        return try await app.testing().sendRequest(.GET, path, headers: headers).status
    }

    static func sessionKey(_ cookie: String) -> String {
        String(cookie.dropFirst("danvan_session=".count)).removingPercentEncoding ?? ""
    }

    @Test("a signed-in request is answered from the cache: a row deleted behind the app's back still signs in within the trust period; with the cache off, not")
    func cachedWithinTrust() async throws {
        guard case .sqliteMemory = testDatabaseChoice else { return } // PostgreSQL: see the listener's test
        for seconds in [300.0, 0] {
            try await withTestApp(configure: { $0.sessions.cacheSeconds = seconds }) { app in
                try await TestProvince.load(app)
                let cookie = try await Self.signIn(app, "chuyenvien")
                #expect(try await Self.status(app, cookie: cookie) == .ok)
                #expect(app.sessionCache.count == (seconds > 0 ? 1 : 0))
                // As a command beside an SQLite server would: the app is not told.
                let sql = try #require(app.db as? any SQLDatabase)
                try await sql.delete(from: "_fluent_sessions").run()
                #expect(try await Self.status(app, cookie: cookie) == (seconds > 0 ? .ok : .seeOther))
            }
        }
    }

    @Test("the cache's rules: an entry is answered until its trust period ends; a forgotten generation's late store is dropped; deaf to other instances it answers nothing; full, it drops the older half")
    func rules() {
        final class Clock: @unchecked Sendable { var now: UInt64 = 1_000 }
        let clock = Clock()
        let cache = SessionCache(trust: 5, hearsChanges: true, capacity: 4, clock: { clock.now })
        let generation = cache.currentGeneration()
        cache.store("a", data: ["uid": "1"], expiresAt: nil, generation: generation, readAt: cache.now())
        clock.now += 4_999_999_999
        #expect(cache.lookup("a")?.data == ["uid": "1"])
        clock.now += 1
        #expect(cache.lookup("a") == nil, "the trust period is over")
        // A read that began before everything was forgotten stores nothing.
        let old = cache.currentGeneration()
        cache.forgetAll()
        cache.store("b", data: [:], expiresAt: nil, generation: old, readAt: cache.now())
        #expect(cache.lookup("b") == nil && cache.count == 0)
        // Not hearing other instances: nothing stored, nothing answered.
        cache.setHearsChanges(false)
        cache.store("c", data: [:], expiresAt: nil, generation: cache.currentGeneration(), readAt: cache.now())
        #expect(cache.lookup("c") == nil && cache.count == 0)
        cache.setHearsChanges(true)
        for (index, key) in ["k1", "k2", "k3", "k4", "k5"].enumerated() {
            clock.now += 10
            cache.store(key, data: ["n": "\(index)"], expiresAt: nil, generation: cache.currentGeneration(), readAt: cache.now())
        }
        #expect(cache.count <= 4 && cache.lookup("k5") != nil && cache.lookup("k1") == nil)
        cache.forget("k5")
        #expect(cache.lookup("k5") == nil)
    }

    @Test("signing out, disabling the account and changing the password end sessions at once, whatever the trust period")
    func localChangesAreSeenAtOnce() async throws {
        try await withTestApp(configure: { $0.sessions.cacheSeconds = 300 }) { app in
            try await TestProvince.load(app)
            // Signing out: the old cookie, replayed, no longer signs in.
            let client = WebClient(app)
            let reply = try await client.login("lanhdao")
            let cookie = String(try #require(reply.headers[.setCookie].first { $0.hasPrefix("danvan_session=") }).prefix { $0 != ";" })
            #expect(try await Self.status(app, cookie: cookie) == .ok)
            _ = try await client.get("/account")
            _ = try await client.post("/logout", form: [:])
            #expect(try await Self.status(app, cookie: cookie) == .seeOther)

            // Disabled by the administrator: the official's next request is signed out.
            let official = try await Self.signIn(app, "daumoi")
            #expect(try await Self.status(app, cookie: official) == .ok)
            let admin = WebClient(app)
            try await admin.login("admin")
            let user = try #require(try await User.query(on: app.db).filter(\.$username == "daumoi").first())
            _ = try await admin.get("/users/\(user.id!.uuidString)")
            #expect(try await admin.post("/users/\(user.id!.uuidString)/disable", form: [:]).status == .seeOther)
            #expect(try await Self.status(app, cookie: official) == .seeOther)

            // A changed password ends the other sessions, keeps this one.
            let phone = try await Self.signIn(app, "chuyenvien")
            let laptop = WebClient(app)
            try await laptop.login("chuyenvien")
            #expect(try await Self.status(app, cookie: phone) == .ok)
            _ = try await laptop.get("/account")
            let changed = try await laptop.post("/account/password", form: ["currentPassword": TestProvince.password, "newPassword": "Mật-khẩu-mới-2026", "confirmPassword": "Mật-khẩu-mới-2026"])
            #expect(changed.status == .seeOther)
            #expect(try await Self.status(app, cookie: phone) == .seeOther)
            #expect(try await laptop.get("/account").status == .ok)
            // The stored account has the new password (the change went to the stored row, not a copy).
            let stored = try #require(try await User.query(on: app.db).filter(\.$username == "chuyenvien").first())
            #expect(try await Passwords.verify("Mật-khẩu-mới-2026", hash: stored.passwordHash, on: app))
            #expect(stored.fullName == TestProvince.accounts.first { $0.username == "chuyenvien" }?.fullName)
        }
    }

    @Test("PostgreSQL: another instance's change reaches the cache by notification, long before the trust period ends; while nobody listens nothing is trusted")
    func otherInstancesByNotification() async throws {
        guard case .postgres(let url, _) = testDatabaseChoice else { return }
        try await withTestApp(configure: { $0.sessions.cacheSeconds = 300 }) { app in
            try await TestProvince.load(app)
            let cookie = try await Self.signIn(app, "chuyenvien")
            // Not listening yet: every request asks the database.
            #expect(try await Self.status(app, cookie: cookie) == .ok)
            #expect(app.sessionCache.count == 0)
            let listener = AuthChangeListener(configuration: try SQLPostgresConfiguration(url: url).coreConfiguration)
            listener.start(app)
            defer { Task { await listener.shutdownAsync(app) } }
            var cached = false
            for _ in 0..<150 where !cached {
                try await Task.sleep(for: .milliseconds(100))
                #expect(try await Self.status(app, cookie: cookie) == .ok)
                cached = app.sessionCache.count > 0
            }
            #expect(cached, "the cache is used once the listener listens")
            // Another instance signs the session out (its row goes): seen within a second.
            let sql = try #require(app.db as? any SQLDatabase)
            try await sql.delete(from: "_fluent_sessions").where("key", .equal, Self.sessionKey(cookie)).run()
            var signedOut = false
            for _ in 0..<100 where !signedOut {
                try await Task.sleep(for: .milliseconds(100))
                signedOut = try await Self.status(app, cookie: cookie) == .seeOther
            }
            #expect(signedOut, "the deleted session was still answered from memory")
            // A user changed elsewhere (disabled by a command): every session of the cache goes.
            let other = try await Self.signIn(app, "lanhdao")
            #expect(try await Self.status(app, cookie: other) == .ok)
            #expect(try await Self.status(app, cookie: other) == .ok)
            try await sql.update("users").set("is_active", to: false).where("username", .equal, "lanhdao").run()
            var disabled = false
            for _ in 0..<100 where !disabled {
                try await Task.sleep(for: .milliseconds(100))
                disabled = try await Self.status(app, cookie: other) == .seeOther
            }
            #expect(disabled, "the disabled account was still answered from memory")
            await listener.shutdownAsync(app)
        }
    }
}
