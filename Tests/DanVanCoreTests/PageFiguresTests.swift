@testable import DanVanCore
import DanVanTestSupport
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

@Suite("A page's figures read in the request's first statement")
struct PageFiguresTests {
    /// Figures that depend on the scope: its accounts (a join along the path), its units (by the
    /// ids the request knows), and one that reads as nothing.
    static func figures(_ scope: AccessScope) -> PageFigures {
        var figures = PageFigures()
        figures.add("accounts", "SELECT COUNT(*) FROM users u\(SQLQueryString.scopeJoin(scope, on: "u.unit_id"))")
        figures.add("units_seen", "SELECT COUNT(*) FROM units w WHERE 1 = 1\(SQLQueryString.unitFilter("w.id", scope))")
        figures.add("nothing", "SELECT MAX(updated_at) FROM units WHERE 1 = 0")
        return figures
    }

    static func request(_ app: Application, _ account: User?, _ method: HTTPMethod = .GET) -> Request {
        let request = Request(application: app, method: method, url: "/", on: app.eventLoopGroup.next())
        if let account { request.auth.login(account) }
        return request
    }

    /// Whether the values were read in the statement that read the unit tree's fingerprint.
    static func withFingerprint(_ values: PageFigureValues) -> Bool {
        values.row?.contains(column: "latest") == true
    }

    @Test("with the fingerprint when the cache knows the scope; read again with the new scope when the tree changed; alone on a POST; the values are the database's")
    func firstStatement() async throws {
        try await withTestApp { app in
            // setup
            try await TestProvince.load(app)
            let account = try await user("daumoi.tanlap", on: app)
            let commune = try await unit("X-TL", on: app)
            let scope = AccessScope.of(account, unit: commune)
            let accounts = try await scope.filter(User.query(on: app.db)).count()
            let units = try await scope.filter(OrgUnit.query(on: app.db)).count()
            _ = try await Self.request(app, account).scope() // fills the unit tree cache
            // act
            let warm = Self.request(app, account)
            let first = try await warm.readFigures(scoped: Self.figures)
            let hamlet = OrgUnit(name: "Thôn Mới Lập", code: "X-TL-NEW", kind: .village, level: .village)
            hamlet.place(under: commune)
            try await hamlet.save(on: app.db)
            let changed = Self.request(app, account)
            let afterChange = try await changed.readFigures(scoped: Self.figures)
            let post = Self.request(app, account, .POST)
            let posted = try await post.readFigures(scoped: Self.figures)
            let anonymous = try await Self.request(app, nil).readFigures(Self.figures(.everything))
            // check
            #expect(Self.withFingerprint(first) && warm.inboxUnreadKnown)
            #expect(try first.int("accounts") == accounts && first.int("units_seen") == units && first.date("nothing") == nil)
            let warmScope = try await warm.scope(), warmUnit = try await warm.currentUnit()
            #expect(warmScope == scope && warmUnit.id == commune.id)
            #expect(!Self.withFingerprint(afterChange), "the tree changed: read again once the scope is known")
            #expect(try afterChange.int("units_seen") == units + 1 && afterChange.int("accounts") == accounts)
            #expect(try await changed.scopeUnitIDs()?.contains(hamlet.requireID()) == true)
            #expect(try !Self.withFingerprint(posted) && posted.int("units_seen") == units + 1)
            // A scope that holds every unit (the province's board) filters nothing; a commune's does.
            let board = Self.request(app, try await user("lanhdao", on: app))
            let boardScope = try await board.scope()
            #expect(boardScope.pathPrefix != nil && boardScope.coversEveryUnit && (app.db as! any SQLDatabase).serialize(SQLQueryString.scopeJoin(boardScope, on: "u.unit_id")).sql.isEmpty)
            #expect(try await !changed.scope().coversEveryUnit && !AccessScope.of(account, unit: commune).coversEveryUnit)
            #expect(Self.withFingerprint(anonymous))
            let allUnits = try await OrgUnit.query(on: app.db).count()
            #expect(try anonymous.int("units_seen") == allUnits)
        }
    }

    @Test("a cache kept under a table's fingerprint is made again after any create, change or deletion, and only then")
    func fingerprintedCache() async throws {
        try await withTestApp { app in
            // setup
            try await TestProvince.load(app)
            let cache = FingerprintedCache<Int>()
            var made = 0
            func read() async throws -> Int {
                var figures = PageFigures()
                figures.addFingerprint(of: User.schema)
                let fingerprint = try await figures.read(on: app.db).fingerprint(of: User.schema)
                return try await cache.value("n", at: fingerprint) {
                    made += 1
                    return try await User.query(on: app.db).filter(\.$isActive == true).count()
                }
            }
            let active = try await User.query(on: app.db).filter(\.$isActive == true).count()
            // act and check
            let once = try await read(), twice = try await read()
            #expect(once == active && twice == active && made == 1)
            let account = try await user("daumoi.snv", on: app)
            account.isActive = false
            try await account.save(on: app.db)
            #expect(try await read() == active - 1 && made == 2)
            let added = User(username: "moi", fullName: "Người Mới", passwordHash: "x", role: .focal, unitID: account.$unit.id)
            try await added.create(on: app.db)
            #expect(try await read() == active && made == 3)
            try await added.delete(on: app.db)
            #expect(try await read() == active - 1 && made == 4)
            #expect(try await read() == active - 1 && made == 4)
        }
    }

    @Test("a cache per key keeps each key's value under its own stamp, makes it again when the stamp moves, and lets the least recently used key go when full")
    func recentlyUsed() async throws {
        let cache = RecentlyUsedCache<String, Int, String>(capacity: 2)
        var made: [String] = []
        func value(_ key: String, _ stamp: Int) async throws -> String {
            try await cache.value(key, at: stamp) {
                made.append(key)
                return "\(key)@\(stamp)"
            }
        }
        let first = try await value("a", 1), again = try await value("a", 1)
        #expect(first == "a@1" && again == "a@1" && made == ["a"])
        let moved = try await value("a", 2)
        #expect(moved == "a@2" && made == ["a", "a"])
        let b = try await value("b", 1)
        #expect(b == "b@1" && cache.count == 2)
        // "a" used after "b": adding "c" lets "b" go, keeps "a".
        let used = try await value("a", 2)
        #expect(used == "a@2" && made.count == 3)
        let c = try await value("c", 1)
        #expect(c == "c@1" && cache.count == 2)
        #expect(cache.holds("a") && !cache.holds("b") && cache.holds("c"))
        let back = try await value("b", 1)
        #expect(back == "b@1" && made == ["a", "a", "b", "c", "b"])
        #expect(!cache.holds("a"))
    }
}
