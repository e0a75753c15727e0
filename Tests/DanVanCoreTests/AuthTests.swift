import DanVanApp
import DanVanCore
import DanVanTestSupport
import Fluent
import Foundation
import Testing
import Vapor

@Suite("Login, sessions, CSRF, headers")
struct AuthTests {
    @Test("the login page is Vietnamese and carries a CSRF token")
    func loginPage() async throws {
        try await withTestApp { app in
            let client = WebClient(app)
            let page = try await client.get("/login")
            #expect(page.status == .ok)
            #expect(page.body.contains("Đăng nhập hệ thống"))
            #expect(page.body.contains("lang=\"vi\""))
            #expect(!client.csrf.isEmpty)
        }
    }

    @Test("a wrong password keeps the typed username and says why, in Vietnamese")
    func wrongPassword() async throws {
        try await withTestApp { app in
            // setup
            try await TestProvince.load(app)
            let client = WebClient(app)
            // act
            let page = try await client.login("daumoi", "sai-mat-khau")
            // check
            #expect(page.status == .unauthorized)
            #expect(page.body.contains("Tên đăng nhập hoặc mật khẩu không đúng."))
            #expect(page.body.contains("value=\"daumoi\""))
            let failures = try await AuditEntry.query(on: app.db).filter(\.$action == "loginFailed").count()
            #expect(failures == 1)
        }
    }

    @Test("a good login starts a new session and opens the home page")
    func goodLogin() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let client = WebClient(app)
            try await client.get("/login")
            let before = client.csrf
            let response = try await client.post("/login", form: ["username": "DAUMOI ", "password": TestProvince.password, "next": "/units"])
            #expect(response.status == .seeOther)
            #expect(response.location == "/units")
            let home = try await client.get("/")
            #expect(home.status == .ok)
            #expect(home.body.contains("Xin chào, Phạm Thị Ánh"))
            #expect(client.csrf == before, "the CSRF token survives the new session id")
        }
    }

    @Test("an off-site next parameter is ignored (no open redirect)")
    func noOpenRedirect() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let client = WebClient(app)
            try await client.get("/login")
            let response = try await client.post("/login", form: ["username": "admin", "password": TestProvince.password, "next": "//evil.example/x"])
            #expect(response.location == "/")
        }
    }

    @Test("after repeated failures logins are refused, even with the right password")
    func throttling() async throws {
        let clock = FixedClock(Date(timeIntervalSince1970: 1_795_000_000))
        try await withTestApp(clock: clock) { app in
            try await TestProvince.load(app)
            let client = WebClient(app)
            for _ in 0..<5 { try await client.login("lanhdao", "sai") }
            let refused = try await client.login("lanhdao", TestProvince.password)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.body.contains("Đăng nhập sai quá nhiều lần"))
            // Another account is not affected.
            let other = try await WebClient(app).login("chuyenvien")
            #expect(other.status == .seeOther)
            // After the window the account works again.
            clock.advance(by: 16 * 60)
            let later = try await client.login("lanhdao", TestProvince.password)
            #expect(later.status == .seeOther)
        }
    }

    @Test("a stranger guessing from one address does not lock the owner out; guessing spread over many addresses meets the account's ceiling")
    func throttlingByAccountAndAddress() async throws {
        let clock = FixedClock(Date(timeIntervalSince1970: 1_795_000_000))
        try await withTestApp(clock: clock, configure: { $0.maxLoginFailuresPerAccount = 12 }) { app in
            try await TestProvince.load(app)
            func login(_ password: String, from address: String) async throws -> UserService.LoginOutcome {
                try await UserService.login(username: "lanhdao", password: password, address: address, app: app, on: app.db)
            }
            for _ in 0..<8 { _ = try await login("sai", from: "203.0.113.9") }
            guard case .throttled = try await login(TestProvince.password, from: "203.0.113.9") else { Issue.record("the attacking address is not throttled"); return }
            guard case .success = try await login(TestProvince.password, from: "198.51.100.7") else { Issue.record("the owner is locked out"); return }
            // Seven more addresses, one guess each, reach the account's ceiling of 12 failures.
            for index in 1...7 { _ = try await login("sai", from: "192.0.2.\(index)") }
            guard case .throttled = try await login(TestProvince.password, from: "198.51.100.7") else { Issue.record("the account ceiling does not hold"); return }
            clock.advance(by: 16 * 60)
            guard case .success = try await login(TestProvince.password, from: "198.51.100.7") else { Issue.record("the window does not end"); return }
        }
    }

    @Test("pages need a login: the browser is sent to the login page, the API gets 401 JSON")
    func requiresLogin() async throws {
        try await withTestApp { app in
            let client = WebClient(app)
            let page = try await client.get("/units?q=x")
            #expect(page.status == .seeOther)
            #expect(page.location?.hasPrefix("/login?next=") == true)
            let api = try await client.get("/api/v1/units")
            #expect(api.status == .unauthorized)
            #expect(api.body.contains("Vui lòng đăng nhập"))
        }
    }

    @Test("a form posted without the CSRF token is refused with a Vietnamese message")
    func csrf() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let client = WebClient(app)
            try await client.login("admin")
            let refused = try await client.post("/units", form: ["name": "X", "code": "X", "kind": "other", "level": "commune"], csrf: false)
            #expect(refused.status == .forbidden)
            #expect(refused.body.contains("Biểu mẫu đã hết hạn"))
            let wrong = try await client.post("/units", form: ["_csrf": "0000", "name": "X", "code": "X", "kind": "other", "level": "commune"])
            #expect(wrong.status == .forbidden)
            #expect(try await OrgUnit.query(on: app.db).filter(\.$code == "X").count() == 0)
        }
    }

    @Test("logout ends the session; the old cookie no longer signs in")
    func logout() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let client = WebClient(app)
            try await client.login("admin")
            try await client.get("/")
            let out = try await client.post("/logout", form: [:])
            #expect(out.location == "/login")
            #expect(try await client.get("/").status == .seeOther)
        }
    }

    @Test("every response carries the security headers; the session cookie is HttpOnly and SameSite=Lax")
    func securityHeaders() async throws {
        try await withTestApp { app in
            let page = try await WebClient(app).get("/login")
            let csp = page.headers.first(name: "Content-Security-Policy") ?? ""
            #expect(csp.contains("script-src 'self'"))
            #expect(!csp.contains("unsafe-inline"))
            #expect(csp.contains("frame-ancestors 'none'"))
            #expect(page.headers.first(name: "X-Content-Type-Options") == "nosniff")
            #expect(page.headers.first(name: "Referrer-Policy") == "same-origin")
            let cookie = page.headers.first(name: .setCookie) ?? ""
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.lowercased().contains("samesite=lax"))
            #expect(!cookie.contains("Secure"))
            let missing = try await WebClient(app).get("/khong-co")
            #expect(missing.headers.first(name: "X-Frame-Options") == "DENY")
        }
    }

    @Test("behind TLS the session cookie is Secure")
    func secureCookie() async throws {
        try await withTestApp(configure: { $0.secureCookies = true }) { app in
            let page = try await WebClient(app).get("/login")
            #expect(page.headers.first(name: .setCookie)?.contains("Secure") == true)
        }
    }
}
