import DanVanApp
import DanVanCore
import DanVanTestSupport
import Foundation
import Testing
import Vapor

/// Generated from the route table (issue 16, item 5, first columns): a route added later is
/// covered without anyone remembering to. Every route that is not on the public list refuses
/// a signed-out visitor (a redirect to sign-in, or 401 from the API), and every state-changing
/// form route refuses a signed-in administrator's request without the CSRF token — never a
/// page, never a 500.
@Suite("Route table: signed-out visitors and CSRF")
struct RouteSecurityTests {
    /// Routes anyone may call: sign-in, health, the language switch, the DVK showcase, the public contest and its
    /// API (its participant routes check their own token), the API description, the citizens'
    /// form and the status lookup by tracking code, the "Dân vận khéo" showcase.
    static let openRoutes: [(String, String)] = [
        ("GET", "/login"), ("POST", "/login"), ("POST", "/logout"), ("GET", "/healthz"), ("GET", "/livez"), ("GET", "/metrics"),
        ("GET", "/lang/:code"), ("GET", "/api/openapi.json"),
    ]

    static func isPublic(_ method: String, _ path: String) -> Bool {
        openRoutes.contains { $0 == (method, path) } || path.hasPrefix("/thi") || path.hasPrefix("/gop-y") || path.hasPrefix("/tra-cuu") || path.hasPrefix("/dan-van-kheo") || path.hasPrefix("/api/v1/quiz/contests/")
            || path.hasPrefix("/api/v1/quiz/rounds/") || path.hasPrefix("/api/v1/quiz/attempts/")
    }

    /// A concrete path for a route pattern: ids that exist nowhere, plausible words elsewhere.
    static func concrete(_ route: Route) -> String {
        "/" + route.path.map { component -> String in
            switch component {
            case .constant(let word): return word
            case .parameter(let name):
                switch name {
                case "code": return "vi"
                case "slug": return "khong-co"
                case "format": return "xlsx"
                case "number": return "1"
                default: return UUID().uuidString
                }
            case .anything, .catchall: return "x"
            }
        }.joined(separator: "/")
    }

    static func pattern(_ route: Route) -> String { "/" + route.path.map(\.description).joined(separator: "/") }

    @Test("every route not on the public list refuses a signed-out visitor: sign-in redirect or 401, never a page or a 500")
    func signedOut() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            var checked = 0
            for route in app.routes.all {
                let method = route.method.rawValue, pattern = Self.pattern(route)
                guard !Self.isPublic(method, pattern) else { continue }
                let client = WebClient(app)
                let reply = try await client.send(route.method, Self.concrete(route), body: nil)
                if pattern.hasPrefix("/api/") {
                    #expect(reply.status == .unauthorized, "\(method) \(pattern) answered \(reply.status.code) to a signed-out caller")
                } else {
                    let toLogin = (300..<400).contains(reply.status.code) && (reply.location ?? "").hasPrefix("/login")
                    // A POST without a session is stopped by CSRF first: 403 is a refusal too.
                    #expect(toLogin || (method != "GET" && reply.status == .forbidden), "\(method) \(pattern) answered \(reply.status.code) to a signed-out visitor")
                }
                checked += 1
            }
            SuiteCounts.record("signed out", "\(checked) routes (every method) refused to a visitor without a session")
            #expect(checked > 100)
        }
    }

    @Test("every state-changing form route refuses a signed-in administrator's request without the CSRF token")
    func csrf() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let admin = WebClient(app)
            try await admin.login("admin")
            var checked = 0
            for route in app.routes.all where route.method != .GET && route.method != .HEAD {
                let pattern = Self.pattern(route)
                guard !pattern.hasPrefix("/api/"), pattern != "/login" else { continue }
                var headers = HTTPHeaders()
                headers.contentType = .urlEncodedForm
                let reply = try await admin.send(route.method, Self.concrete(route), headers: headers, body: ByteBuffer(string: "x=1"))
                #expect(reply.status == .forbidden, "\(route.method.rawValue) \(pattern) answered \(reply.status.code) without a CSRF token")
                checked += 1
            }
            SuiteCounts.record("CSRF", "\(checked) state-changing form routes refused without the token")
            #expect(checked > 40)
            // The administrator is still signed in: the refusals ended nothing.
            #expect(try await admin.get("/").status == .ok)
        }
    }

    /// Strings that break naive SQL, HTML and path handling.
    static let payloads = [
        "' OR '1'='1' --", "\"; DROP TABLE units; --", "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "../../etc/passwd",
        "%00", "đ' UNION SELECT password_hash FROM users --", String(repeating: "a", count: 5_000),
    ]

    @Test("every page the administrator can open, with hostile strings in its search and filter parameters: no 500, nothing echoed unescaped, the tables intact")
    func hostileQueries() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let admin = WebClient(app)
            try await admin.login("admin")
            let units = try await OrgUnit.query(on: app.db).count()
            var checked = 0
            for route in app.routes.all where route.method == .GET {
                let pattern = Self.pattern(route)
                // Pages without parameters in the path (the lists, searches and dashboards).
                guard !route.path.contains(where: { if case .parameter = $0 { return true } else { return false } }), pattern != "/logout" else { continue }
                for payload in Self.payloads {
                    let value = payload.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                    let reply = try await admin.get(pattern + "?q=\(value)&unit=\(value)&status=\(value)&kind=\(value)&page=\(value)&limit=\(value)&offset=\(value)")
                    #expect(reply.status.code < 500, "GET \(pattern) with \(payload.prefix(30)) answered \(reply.status.code)")
                    #expect(!reply.body.contains("<script>alert(1)</script>") && !reply.body.contains("<img src=x onerror"), "GET \(pattern) echoed markup unescaped")
                    checked += 1
                }
            }
            SuiteCounts.record("hostile queries", "\(checked) page × payload requests (\(Self.payloads.count) SQL, markup and path payloads in 7 parameters each)")
            #expect(checked > 200)
            #expect(try await OrgUnit.query(on: app.db).count() == units)
            #expect(try await admin.get("/").status == .ok)
        }
    }

    @Test("stored XSS: every post form on every page the administrator opens, its text fields filled with markup: no 500, and the markup never comes back unescaped, on the answer or on any page afterwards")
    func storedMarkup() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let admin = WebClient(app)
            try await admin.login("admin")
            let payload = "<script>alert(1)</script><img src=x onerror=alert(2)>"
            func clean(_ reply: WebClient.Reply, _ label: String) {
                #expect(reply.status.code < 500, "\(label) answered \(reply.status.code)")
                #expect(!reply.body.contains("<script>alert(1)") && !reply.body.contains("<img src=x onerror"), "\(label) echoed markup unescaped")
            }
            var pages: [String] = []
            for route in app.routes.all where route.method == .GET {
                let pattern = Self.pattern(route)
                guard !route.path.contains(where: { if case .parameter = $0 { return true } else { return false } }), !pattern.hasPrefix("/api"),
                      !pattern.contains("."), ![ "/logout", "/metrics", "/livez", "/healthz"].contains(pattern) else { continue }
                pages.append(pattern)
            }
            var posted = 0
            for page in pages {
                let html = try await admin.get(page)
                for form in HTMLForms.postForms(in: html.body, payload: payload) where !["/logout", "/login"].contains(form.action) {
                    var fields = form.fields
                    fields["_csrf"] = admin.csrf
                    let reply = form.multipart
                        ? try await admin.postMultipart(form.action, fields: fields, file: nil)
                        : try await admin.post(form.action, form: fields)
                    clean(reply, "POST \(form.action) (from \(page))")
                    if let location = reply.location, location.hasPrefix("/"), !location.hasPrefix("/logout") {
                        clean(try await admin.get(location), "GET \(location) after POST \(form.action)")
                    }
                    posted += 1
                    _ = try await admin.get(page)
                }
            }
            SuiteCounts.record("stored markup", "\(posted) forms from \(pages.count) pages posted with markup in every text field, every page read back")
            #expect(posted > 15)
            // Whatever was stored shows escaped on every page.
            for page in pages { clean(try await admin.get(page), "GET \(page) afterwards") }
        }
    }

    @Test("every declared OpenAPI link leads from a documented answer to a served operation; every operation has its own operationId")
    func openAPILinks() async throws {
        try await withTestApp { app in
            var paths: [String: JSON] = [:]
            for module in DanVanModules.all { paths.merge(module.openAPIPaths) { $1 } }
            let links = DanVanModules.all.flatMap(\.openAPILinks)
            let (document, unresolved) = OpenAPILink.apply(links, to: paths)
            #expect(unresolved.isEmpty, "links whose ends are not served: \(unresolved.map { "\($0.from) \($0.status) → \($0.to)" })")
            #expect(links.count >= 25)
            var ids: [String] = []
            for item in document.values {
                guard case .object(let operations) = item else { continue }
                for operation in operations.values { if case .string(let id)? = operation["operationId"] { ids.append(id) } }
            }
            #expect(Set(ids).count == ids.count && ids.count >= 30, "operationIds: \(ids.sorted())")
            // The served document is the same.
            let served = try await WebClient(app).get("/api/openapi.json")
            let decoded = try JSONDecoder().decode(JSON.self, from: served.bytes)
            #expect(decoded["paths"]?["/api/v1/tasks"]?["get"]?["responses"]?["200"]?["links"]?["firstTask"]?["parameters"]?["taskID"] == .string("$response.body#/items/0/id"))
        }
    }
}

