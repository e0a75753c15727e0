import DanVanApp
import DanVanCore
import DanVanQuiz
import DanVanTestSupport
import Fluent
import Foundation
import Testing
import Vapor

@Suite("A read never writes")
struct ReadWriteTests {
    private let now = Date(timeIntervalSince1970: 1_796_180_400)

    @Test("signed-in GETs of every navigation page and of records, for every role, write nothing to the database")
    func signedInReads() async throws {
        try await withTestApp(clock: FixedClock(now)) { app in
            try await TestProvince.load(app)
            let specialist = WebClient(app)
            try await specialist.login("chuyenvien")
            let confirm = try await specialist.registerDirective().confirm
            let document = try #require(confirm.location)
            let task = try await specialist.get(document)
            let taskPath = try #require(Self.firstLink(in: task.body, prefix: "/tasks/"))
            let (contest, _) = try await QuizContest.playable(app, now: now)
            let pages = app.navigation.entries.compactMap(\.href) + [
                document, taskPath, "/account", "/units/\(try await unit("X-TL", on: app).requireID())",
                "/quiz/\(try contest.requireID())", "/quiz/\(try contest.requireID())/rounds/1",
                "/tasks?status=open&sort=due", "/documents?q=dan+van", "/tasks/dashboard", "/livez",
                "/citizens?overdue=1", "/citizens/petitions/new", "/citizens/statistics", "/citizens/meetings", "/citizens/meetings/new",
                "/citizens/settings", "/hotspots", "/hotspots/new",
                "/emulation/models/new", "/emulation/appraisals", "/emulation/democracy", "/emulation/democracy/\(try await unit("X-TL", on: app).requireID())",
                "/emulation/contests", "/emulation/targets?year=2026", "/emulation/settings", "/emulation/units/\(try await unit("X-TL", on: app).requireID())",
            ]
            let counter = try await WriteCounter.install(on: app.db)
            for account in TestProvince.accounts {
                let client = WebClient(app)
                try await client.login(account.username)
                try await counter.reset()
                for page in pages {
                    let reply = try await client.get(page)
                    #expect([.ok, .forbidden, .notFound].contains(reply.status), "\(account.username) \(page): \(reply.status)")
                    #expect(try await counter.writes() == [], "\(account.username) GET \(page)")
                    try await counter.reset()
                }
            }
        }
    }

    @Test("anonymous visitors and a signed-in contestant read the public contest pages without a write, and get no session")
    func anonymousReads() async throws {
        try await withTestApp(clock: FixedClock(now)) { app in
            try await TestProvince.load(app)
            let (contest, _) = try await QuizContest.playable(app, now: now)
            let ward = try await unit("P-HL", on: app)
            let publicPages = ["/thi", "/thi/\(contest.slug)", "/thi/\(contest.slug)/dang-ky", "/thi/\(contest.slug)/dang-nhap", "/login", "/livez", "/gop-y", "/tra-cuu", "/dan-van-kheo"]
            let counter = try await WriteCounter.install(on: app.db)
            // Two visits each: the first without any cookie, the second with what the first set.
            let visitor = WebClient(app)
            for page in publicPages + publicPages {
                let reply = try await visitor.get(page)
                #expect([.ok, .seeOther].contains(reply.status), "\(page)")
                #expect(!reply.headers[.setCookie].contains { $0.hasPrefix("danvan_session=") }, "no session for a visitor: \(page)")
            }
            #expect(try await counter.writes() == [])
            // The anonymous forms still post: registration signs the contestant in.
            let registered = try await visitor.post("/thi/\(contest.slug)/dang-ky", form: [
                "fullName": "Lê Văn Đọc", "phone": "0905 333 444", "birthDate": "01/02/1980", "unitID": ward.id!.uuidString,
                "occupation": "Nhân dân", "secret": "1234",
            ])
            #expect(registered.status == .seeOther)
            #expect(try await counter.writes().contains { $0.hasPrefix("_fluent_sessions.") }, "signing in stores a session")
            try await visitor.get("/thi/\(contest.slug)")
            try await counter.reset()
            for page in publicPages {
                #expect([.ok, .seeOther].contains(try await visitor.get(page).status), "\(page)")
                #expect(try await counter.writes() == [], "contestant GET \(page)")
            }
        }
    }

    @Test("a session's expiry is extended at most once per interval, an expired session signs nobody in, and the purge removes it")
    func sessionExpiry() async throws {
        let clock = FixedClock(now)
        try await withTestApp(clock: clock, configure: { $0.sessions.refreshEvery = 600 }) { app in
            try await TestProvince.load(app)
            let client = WebClient(app)
            try await client.login("chuyenvien")
            let counter = try await WriteCounter.install(on: app.db)
            clock.advance(by: 599)
            #expect(try await client.get("/").status == .ok)
            #expect(try await counter.writes() == [])
            clock.advance(by: 2)
            #expect(try await client.get("/").status == .ok)
            #expect(try await counter.writes() == ["_fluent_sessions.UPDATE"], "past the interval the expiry moves once")
            try await counter.reset()
            #expect(try await client.get("/inbox").status == .ok)
            #expect(try await counter.writes() == [])
            // Unused for longer than its lifetime: over, and purged.
            clock.advance(by: app.config.sessions.lifetime + 1)
            #expect(try await client.get("/").status == .seeOther)
            #expect(try await StoredSessions.purge(before: clock.now(), on: app.db) == 1)
            #expect(try await StoredSessions.purge(before: clock.now(), on: app.db) == 0)
        }
    }

    @Test("a form posted without the visitor's signed token, or with a forged one, is refused and changes nothing")
    func anonymousCSRF() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let visitor = WebClient(app)
            try await visitor.get("/login")
            let token = visitor.csrf
            #expect(token.split(separator: ".").count == 2)
            let forged = String(token.prefix(33)) + String(repeating: "0", count: 64)
            let bad = try await visitor.post("/login", form: ["username": "chuyenvien", "password": TestProvince.password, "_csrf": forged])
            #expect(bad.status == .forbidden)
            let missing = try await WebClient(app).post("/login", form: ["username": "chuyenvien", "password": TestProvince.password])
            #expect(missing.status == .forbidden)
            let good = try await visitor.post("/login", form: ["username": "chuyenvien", "password": TestProvince.password, "next": "/"])
            #expect(good.status == .seeOther && good.location == "/")
            #expect(visitor.csrf == token, "the login form's token goes on in the session")
            #expect(try await visitor.get("/").status == .ok)
        }
    }

    /// The first `href` in `html` that starts with `prefix` followed by an id.
    static func firstLink(in html: String, prefix: String) -> String? {
        var rest = html[...]
        while let range = rest.range(of: "href=\"" + prefix) {
            let tail = rest[range.upperBound...]
            let end = tail.firstIndex(of: "\"") ?? tail.endIndex
            let id = String(tail[..<end])
            if UUID(uuidString: id) != nil { return prefix + id }
            rest = tail
        }
        return nil
    }
}
