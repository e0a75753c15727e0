import DanVanApp
import DanVanCore
import DanVanTestSupport
import Fluent
import Foundation
import SQLKit
import NIOConcurrencyHelpers
import Testing
import Vapor

@Suite("Web shell, errors, API description, health")
struct ShellTests {
    @Test("each role's home page shows its own world")
    func homePerRole() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let admin = WebClient(app)
            try await admin.login("admin")
            let adminHome = try await admin.get("/")
            #expect(adminHome.body.contains("Thao tác gần đây"))
            #expect(adminHome.body.contains("Đăng nhập sai (24 giờ)"))
            #expect(adminHome.body.contains("href=\"/admin/audit\""))
            // The latest audit entry is on the administrator's home, as text.
            let latest = try #require(try await AuditEntry.query(on: app.db).sort(\.$at, .descending).first())
            #expect(adminHome.body.contains(HTML.escape(latest.summary)))
            let leader = WebClient(app)
            try await leader.login("lanhdao")
            let leaderHome = try await leader.get("/")
            #expect(leaderHome.body.contains("Toàn tỉnh"))
            #expect(leaderHome.body.contains("đơn vị chưa có cán bộ đầu mối"))
            #expect(!leaderHome.body.contains("href=\"/admin/audit\""))
            let focal = WebClient(app)
            try await focal.login("daumoi")
            let focalHome = try await focal.get("/")
            #expect(focalHome.body.contains("Khu phố Hòa Bình"))
            #expect(focalHome.body.contains("Cán bộ đầu mối"))
            #expect(!focalHome.body.contains("chưa có cán bộ đầu mối"))
            #expect(focalHome.body.contains("Văn bản"))
            // Every module the navigation names has landed: nothing is "coming soon" any more.
            #expect(!focalHome.body.contains("sắp có"))
            // The account counts: the province's leader sees every account, the ward's focal person the ward's.
            let active = try await User.query(on: app.db).filter(\.$isActive == true).count()
            #expect(leaderHome.body.contains("stat-value\">\(active)<"), "active accounts \(active)")
            let disabled = try await User.query(on: app.db).filter(\.$username == "daumoi.snv").first()!
            disabled.isActive = false
            try await disabled.update(on: app.db)
            let after = try await leader.get("/").body
            #expect(after.contains("stat-value\">\(active - 1)<") && after.contains("stat-value\">1<"), "one account disabled")
            // The colleagues are kept under the accounts' fingerprint: a change made beside this
            // page (another instance, a command) shows on the next visit.
            let colleague = try #require(try await User.query(on: app.db).filter(\.$username == "daumoi").first())
            #expect(focalHome.body.contains("<a href=\"/users/\(colleague.id!.uuidString)\">Phạm Thị Ánh</a>"))
            colleague.fullName = "Phạm Thị Ánh Dương"
            try await colleague.save(on: app.db)
            #expect(try await focal.get("/").body.contains("<a href=\"/users/\(colleague.id!.uuidString)\">Phạm Thị Ánh Dương</a>"))
            // The scope's counts are kept under the units' and the accounts' fingerprints: a
            // commune added beside the page is one more unit without a focal person.
            func withoutFocal() async throws -> Int? {
                let body = try await leader.get("/").body
                return body.firstMatch(of: /(\d+) đơn vị chưa có cán bộ đầu mối/).flatMap { Int($0.1) }
            }
            let before = try #require(try await withoutFocal())
            let commune = OrgUnit(name: "Xã Mới Lập", code: "X-MOI-LAP", kind: .commune, level: .commune)
            commune.place(under: try await unit("X-TL", on: app))
            try await commune.save(on: app.db)
            #expect(try await withoutFocal() == before + 1)
        }
    }

    @Test("a home page kept as it was shown is shown again only while nothing it shows changed: an audit entry or a failed sign-in beside it shows on the administrator's next visit, the language is the visitor's")
    func homeKept() async throws {
        try await withTestApp { app in
            // setup
            try await TestProvince.load(app)
            let admin = WebClient(app)
            try await admin.login("admin")
            func failed(_ body: String) -> Int? {
                body.firstMatch(of: /stat-value">(\d+)<\/span><span class="stat-label">Đăng nhập sai/).flatMap { Int($0.1) }
            }
            let first = try await admin.get("/").body
            // act and check: nothing changed, the same page.
            #expect(try await admin.get("/").body == first)
            // An entry written beside the page (another instance, a job) is on the next visit.
            try await AuditLog.record(on: app.db, actor: .system, at: Date().addingTimeInterval(5), action: "update", entityType: "unit", entityID: UUID(), summary: "Đổi tên \"Xã Mới\"")
            let audited = try await admin.get("/").body
            #expect(audited.contains("Đổi tên &quot;Xã Mới&quot;"))
            // A failed sign-in beside it raises the count.
            let before = try #require(failed(audited))
            try await LoginAttempt(username: "ai-do", address: "10.0.0.9", succeeded: false, at: Date()).create(on: app.db)
            #expect(failed(try await admin.get("/").body) == before + 1)
            // The same account in English gets an English page, and Vietnamese again after.
            try await admin.get("/lang/en")
            let english = try await admin.get("/").body
            #expect(english != audited && english.contains("lang=\"en\""))
            try await admin.get("/lang/vi")
            #expect(failed(try await admin.get("/").body) == before + 1)
        }
    }

    @Test("the layout kept around a page follows the shell: the unread count, the user's name, another user, the language; a page with a flash message renders whole")
    func layoutKept() async throws {
        try await withTestApp { app in
            // setup
            try await TestProvince.load(app)
            let frames = try #require(app.layoutFrames)
            let leader = WebClient(app)
            try await leader.login("lanhdao")
            let user = try #require(try await User.query(on: app.db).filter(\.$username == "lanhdao").first())
            func unread(_ body: String) -> Int {
                body.firstMatch(of: /id="inbox-unread">(\d+)</).flatMap { Int($0.1) } ?? 0
            }
            let first = try await leader.get("/units").body
            let kept = frames.count
            // act and check: the same shell, the same page, the layout kept once.
            #expect(try await leader.get("/units").body == first && frames.count == kept)
            // An inbox entry added beside the page raises the count in the layout.
            try await InboxItem(
                userID: try user.requireID(), kind: "test", message: "Việc mới", target: InboxTarget(type: "task", id: UUID()),
                dedupeKey: "layout-kept", at: Date()
            ).create(on: app.db)
            let raised = try await leader.get("/units").body
            #expect(unread(raised) == unread(first) + 1 && frames.count == kept + 1)
            // The user's name changed beside it is in the user box.
            user.fullName = "Nguyễn Văn Lãnh Đạo Mới"
            try await user.save(on: app.db)
            #expect(try await leader.get("/units").body.contains(#"class="user-name">Nguyễn Văn Lãnh Đạo Mới</a>"#))
            // Another user on the same page gets a layout of their own.
            let specialist = WebClient(app)
            try await specialist.login("chuyenvien")
            let other = try await specialist.get("/units").body
            #expect(!other.contains("Lãnh Đạo Mới") && other.contains(#"<input type="hidden" name="_csrf" value="\#(specialist.csrf)">"#))
            // English, then Vietnamese again.
            try await leader.get("/lang/en")
            #expect(try await leader.get("/units").body.contains(#"lang="en""#))
            try await leader.get("/lang/vi")
            // "Mark all read" leaves a flash message: shown once, in the layout, then gone.
            let done = L10n.text("core.da_danh_dau_tat_ca_la")
            _ = try await leader.post("/inbox/read-all", form: [:])
            let flashed = try await leader.get("/units").body
            #expect(flashed.contains(#"class="flash flash-success""#) && flashed.contains(done) && unread(flashed) == 0)
            let after = try await leader.get("/units").body
            #expect(!after.contains("flash-success") && !after.contains(done) && unread(after) == 0)
        }
    }

    @Test("a missing page is a Vietnamese 404 page; malformed input a 400 without internals")
    func errorPages() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let client = WebClient(app)
            try await client.login("admin")
            let missing = try await client.get("/khong-ton-tai")
            #expect(missing.status == .notFound)
            #expect(missing.body.contains("Không tìm thấy trang"))
            // The page and the API name the request id that the log lines carry.
            let reference = try #require(missing.headers.first(name: "X-Request-Id"))
            #expect(!reference.isEmpty && missing.body.contains("id=\"error-reference\"") && missing.body.contains(reference))
            let api = try await client.get("/api/v1/units/\(UUID())")
            let apiReference = try #require(api.headers.first(name: "X-Request-Id"))
            #expect(api.status == .notFound && api.body.contains("\"requestId\":\"\(apiReference)\""))
            let broken = try await client.send(.POST, "/units", headers: ["Content-Type": "application/json", "X-CSRF-Token": client.csrf], body: ByteBuffer(string: "{\"name\": [1,2"))
            #expect(broken.status == .badRequest)
            #expect(broken.body.contains("không đọc được") || broken.body.contains("không hợp lệ"))
            #expect(!broken.body.contains("DecodingError"))
            #expect(!broken.body.contains("Swift"))
        }
    }

    @Test("views link through #path: every name exists with its parameters, no path is written by hand")
    func viewLinks() async throws {
        try await withTestApp { app in
            let views = URL(fileURLWithPath: packageRoot + "Resources/Views")
            let files = FileManager.default.enumerator(at: views, includingPropertiesForKeys: nil)!.compactMap { $0 as? URL }.filter { $0.pathExtension == "leaf" }
            var uses = 0
            for file in files {
                let text = try String(contentsOf: file, encoding: .utf8)
                for match in text.matches(of: /#path\("([^"]+)"((?:,\s*[^,)]+)*)\)/) {
                    uses += 1
                    let name = String(match.output.1)
                    let count = match.output.2.split(separator: ",").count
                    #expect(app.links.path(name, Array(repeating: "x", count: count)) != nil, "\(file.lastPathComponent): #path(\"\(name)\") with \(count) values")
                }
                let literals = text.matches(of: /(?:href|action|src)="(\/[^"]*)"/).map { String($0.output.1) }.filter { !$0.hasPrefix("/css/") && !$0.hasPrefix("/images/") && !$0.hasPrefix("/js/") }
                #expect(literals.isEmpty, "\(file.lastPathComponent) writes paths by hand: \(literals)")
            }
            #expect(uses > 100)
        }
    }

    @Test("every registered route is a named pattern of its module's route type")
    func routesAreNamed() async throws {
        try await withTestApp { app in
            let named = Set(app.links.patterns.values.map { segments in
                segments.map { segment -> String in
                    switch segment {
                    case .constant(let word): return word
                    case .parameter(let name, _): return ":" + name
                    }
                }.joined(separator: "/")
            })
            let served = app.routes.all.map { $0.path.map(\.description).joined(separator: "/") }
            #expect(served.count > 100)
            let unnamed = served.filter { !named.contains($0) }
            #expect(unnamed.isEmpty, "routes without a name: \(unnamed)")
        }
    }

    @Test("views avoid Leaf's colon trap: a tag followed by \":\" opens a block")
    func leafColonTrap() throws {
        let views = URL(fileURLWithPath: packageRoot + "Resources/Views")
        let files = FileManager.default.enumerator(at: views, includingPropertiesForKeys: nil)!.compactMap { $0 as? URL }.filter { $0.pathExtension == "leaf" }
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let traps = text.matches(of: /#(endif|endfor|endexport|t\("[^"]*"\)):/).map { String($0.output.0) }
            #expect(traps.isEmpty, "\(file.lastPathComponent): \(traps)")
        }
    }

    @Test("the OpenAPI document describes exactly the /api/v1 routes")
    func openAPIMatchesRoutes() async throws {
        try await withTestApp { app in
            let page = try await WebClient(app).get("/api/openapi.json")
            #expect(page.status == .ok)
            let document = try JSONDecoder().decode(JSON.self, from: Data(page.body.utf8))
            #expect(document["openapi"] == "3.0.3")
            guard case .object(let paths)? = document["paths"] else { Issue.record("no paths"); return }
            var documented = Set<String>()
            for (path, item) in paths {
                guard case .object(let operations) = item else { continue }
                for method in operations.keys { documented.insert("\(method.uppercased()) \(path)") }
            }
            let served = Set(app.routes.all.compactMap { route -> String? in
                let path = "/" + route.path.map { component -> String in
                    if case .parameter(let name) = component { return "{\(name)}" }
                    return component.description
                }.joined(separator: "/")
                return path.hasPrefix("/api/v1/") ? "\(route.method.rawValue) \(path)" : nil
            })
            #expect(documented == served)
        }
    }

    @Test("/healthz answers 200 after a database round trip")
    func healthy() async throws {
        try await withTestApp { app in
            let page = try await WebClient(app).get("/healthz")
            #expect(page.status == .ok)
            #expect(page.body.contains("\"database\":\"ok\""))
        }
    }

    @Test("/healthz answers 503 when the database is unreachable")
    func unhealthy() async throws {
        let app = try await Application.make(.testing)
        app.directory = DirectoryConfiguration(workingDirectory: packageRoot)
        app.logger.logLevel = .critical
        try await DanVanApp.configure(app, config: AppConfig(database: .postgres(url: "postgres://nobody@127.0.0.1:1/none", schema: nil), bcryptCost: 4))
        let response = try await app.testing().sendRequest(.GET, "/healthz")
        #expect(response.status == .serviceUnavailable)
        try await app.asyncShutdown()
    }

    @Test("an SQLite file runs in WAL mode with synchronous=FULL, foreign keys and a busy timeout")
    func sqlitePragmas() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("danvan-\(UUID().uuidString)")
        let path = folder.appendingPathComponent("sub/danvan.sqlite").path
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        app.directory = DirectoryConfiguration(workingDirectory: packageRoot)
        try await DanVanApp.configure(app, config: AppConfig(database: .sqliteFile(path), bcryptCost: 4))
        try await app.autoMigrate()
        var seen = 0
        for loop in app.eventLoopGroup.makeIterator() {
            let sql = try #require(app.databases.database(.sqlite, logger: app.logger, on: loop) as? any SQLDatabase)
            struct Value: Decodable { let value: String }
            func pragma(_ name: String) async throws -> String {
                let row = try await sql.raw("PRAGMA \(unsafeRaw: name)").first()
                let column = try #require(row?.allColumns.first)
                return try row!.decode(column: column, as: String.self)
            }
            #expect(try await pragma("journal_mode").lowercased() == "wal")
            #expect(try await pragma("synchronous") == "2")
            #expect(try await pragma("foreign_keys") == "1")
            #expect(try await pragma("busy_timeout") == "5000")
            seen += 1
        }
        #expect(seen >= 1)
        #expect(FileManager.default.fileExists(atPath: path))
        // The group-commit writer's own connection writes as durably as the others.
        let writer = try #require(app.writerDatabase)
        let writerSQL = try #require(writer.database(logger: app.logger) as? any SQLDatabase)
        for (name, value) in [("synchronous", "2"), ("foreign_keys", "1"), ("busy_timeout", "5000")] {
            let row = try #require(try await writerSQL.raw("PRAGMA \(unsafeRaw: name)").first())
            #expect(try row.decode(column: row.allColumns[0], as: String.self) == value, "\(name)")
        }
        // The read pools read, wait for locks, and refuse to write.
        #expect(app.readDatabases.count == 3)
        for id in app.readDatabases {
            for loop in app.eventLoopGroup.makeIterator() {
                let reader = try #require(app.databases.database(id, logger: app.logger, on: loop) as? any SQLDatabase)
                let row = try #require(try await reader.raw("PRAGMA query_only").first())
                #expect(try row.decode(column: row.allColumns[0], as: String.self) == "1")
                #expect(try await reader.raw("SELECT COUNT(*) AS n FROM units").first() != nil)
                await #expect(throws: (any Error).self) { try await reader.raw("DELETE FROM units").run() }
            }
        }
        try await app.asyncShutdown()
        try? FileManager.default.removeItem(at: folder)
    }

    @Test("a periodic job runs again after a failing run and stops when the app shuts down")
    func periodicJob() async throws {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .critical
        app.directory = DirectoryConfiguration(workingDirectory: packageRoot)
        var config = AppConfig(database: .sqliteMemory, bcryptCost: 4)
        config.runScheduler = true
        try await DanVanApp.configure(app, config: config)
        let runs = NIOLockedValueBox(0)
        app.lifecycle.use(PeriodicJob("thử", firstDelay: .milliseconds(5), every: .milliseconds(5)) { _ in
            let run = runs.withLockedValue { value -> Int in
                value += 1
                return value
            }
            if run == 2 { throw AppError.unavailable }
        })
        try await app.asyncBoot()
        for _ in 0..<400 where runs.withLockedValue({ $0 }) < 4 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(runs.withLockedValue { $0 } >= 4, "the failing second run did not stop the job")
        try await app.asyncShutdown()
        let atShutdown = runs.withLockedValue { $0 }
        try await Task.sleep(for: .milliseconds(60))
        #expect(runs.withLockedValue { $0 } == atShutdown, "no run after shutdown")
    }

    @Test("DATABASE_URL is read as documented")
    func databaseURL() throws {
        #expect(try AppConfig.parseDatabaseURL(nil, workingDirectory: "/srv/danvan") == .sqliteFile("/srv/danvan/data/danvan.sqlite"))
        #expect(try AppConfig.parseDatabaseURL("sqlite:///var/lib/danvan/db.sqlite", workingDirectory: "/x") == .sqliteFile("/var/lib/danvan/db.sqlite"))
        #expect(try AppConfig.parseDatabaseURL("postgres://u:p@db:5432/danvan", workingDirectory: "/x") == .postgres(url: "postgres://u:p@db:5432/danvan", schema: nil))
        #expect(throws: ConfigError.self) { try AppConfig.parseDatabaseURL("sqlite://relative.sqlite", workingDirectory: "/x") }
        #expect(throws: ConfigError.self) { try AppConfig.parseDatabaseURL("mysql://x", workingDirectory: "/x") }
    }

    @Test("the audit viewer filters by action and shows before and after")
    func auditViewer() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            try await WebClient(app).login("daumoi", "sai")
            let admin = WebClient(app)
            try await admin.login("admin")
            let village = try await unit("X-ML-T1", on: app)
            var form = UnitForm(village)
            form.name = "Bản Lạn Mới"
            try await admin.post("/units/\(village.id!)", form: form.fields)
            let failed = try await admin.get("/admin/audit?action=loginFailed")
            #expect(failed.body.contains("Đăng nhập sai: daumoi"))
            #expect(!failed.body.contains("Cập nhật đơn vị"))
            let updates = try await admin.get("/admin/audit?action=update&entity=unit")
            #expect(updates.body.contains("Cập nhật đơn vị Bản Lạn Mới"))
            #expect(updates.body.contains("&quot;name&quot;:&quot;Bản Lạn&quot;"))
            #expect(updates.body.contains("&quot;name&quot;:&quot;Bản Lạn Mới&quot;"))
        }
    }

    @Test("static assets are served by the app")
    func assets() async throws {
        try await withTestApp { app in
            let css = try await WebClient(app).get("/css/app.css")
            #expect(css.status == .ok)
            #expect(css.body.contains(".mainnav"))
            #expect(try await WebClient(app).get("/js/app.js").status == .ok)
        }
    }
}

@Suite("Fixed cost per page")
struct FixedCostTests {
    @Test("templates are parsed once even in the development environment `serve` runs in; the session cookie has Max-Age and no Expires")
    func templatesCachedCookieWithoutExpires() async throws {
        try await withTestApp(environment: .development) { app in
            try await TestProvince.load(app)
            #expect(app.leaf.renderer.cache.isEnabled, "Vapor's Leaf turns its own cache off in development")
            let client = WebClient(app)
            let login = try await client.login("chuyenvien")
            let cookie = try #require(login.headers[.setCookie].first { $0.hasPrefix("danvan_session=") })
            #expect(cookie.contains("Max-Age=43200") && !cookie.contains("Expires="))
            #expect(try await client.get("/").status == .ok)
            let cached = app.leaf.cache.count
            #expect(cached >= 2, "the home page and its layout are kept")
            #expect(try await client.get("/").status == .ok)
            #expect(app.leaf.cache.count == cached)
        }
    }
}

@Suite("Inbox: pages")
struct InboxPageTests {
    @Test("a long inbox comes 50 entries a page, newest first, with links both ways; the unread count is the whole inbox's")
    func paged() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let leader = try #require(try await User.query(on: app.db).filter(\.$username == "lanhdao").first())
            let start = Date(timeIntervalSince1970: 1_780_000_000)
            for number in 1...120 {
                let item = InboxItem(userID: leader.id!, kind: "task", message: "Nhắc việc số \(number)", target: InboxTarget(type: "task", id: UUID()), dedupeKey: "k\(number)", at: start.addingTimeInterval(Double(number) * 60))
                if number <= 30 { item.readAt = start.addingTimeInterval(86_400) }
                try await item.create(on: app.db)
            }
            let client = WebClient(app)
            try await client.login("lanhdao")
            let first = try await client.get("/inbox").body
            #expect(first.components(separatedBy: "Nhắc việc số ").count - 1 == 50)
            #expect(first.contains("Nhắc việc số 120<") && !first.contains("Nhắc việc số 70<"))
            #expect(first.contains("href=\"/inbox?page=2\"") && !first.contains("id=\"previous-page\""))
            #expect(first.contains("Đánh dấu tất cả đã đọc"))
            let last = try await client.get("/inbox?page=3").body
            #expect(last.components(separatedBy: "Nhắc việc số ").count - 1 == 20)
            #expect(last.contains("Nhắc việc số 1<") && last.contains("href=\"/inbox?page=2\"") && !last.contains("id=\"next-page\""))
            // Unread entries stand out: all of the newest 50, none of the oldest 20 (read).
            #expect(first.components(separatedBy: "<li class=\"unread\">").count - 1 == 50)
            #expect(!last.contains("class=\"unread\""))
            // Every page's badge shows the count, read with the unit tree's fingerprint on a GET
            // that asks for its scope, or alone on one that does not; opening an entry lowers it.
            for path in ["/", "/inbox", "/tasks", "/units", "/account"] {
                #expect(try await client.get(path).body.contains("id=\"inbox-unread\">90<"), "\(path)")
            }
            let newest = try #require(try await InboxItem.query(on: app.db).filter(\.$user.$id == leader.id!).filter(\.$readAt == nil).first())
            _ = try await client.get("/inbox/\(newest.id!)")
            for path in ["/", "/tasks", "/account"] {
                #expect(try await client.get(path).body.contains("id=\"inbox-unread\">89<"), "\(path)")
            }
        }
    }

    @Test("the first page is kept per user and shows what the entries are after an entry comes or is read, whichever instance wrote it; other users see their own")
    func firstPageKept() async throws {
        try await withTestApp { app in
            // setup
            try await TestProvince.load(app)
            let leader = try #require(try await User.query(on: app.db).filter(\.$username == "lanhdao").first())
            let start = Date(timeIntervalSince1970: 1_780_000_000)
            func post(_ number: Int, to user: User) async throws -> InboxItem {
                let item = InboxItem(userID: user.id!, kind: "task", message: "Nhắc việc số \(number)", target: InboxTarget(type: "task", id: UUID()), dedupeKey: "k\(number)", at: start.addingTimeInterval(Double(number) * 60))
                try await item.create(on: app.db)
                return item
            }
            for number in 1...3 { _ = try await post(number, to: leader) }
            let client = WebClient(app)
            try await client.login("lanhdao")
            func unreadRows() async throws -> Int { try await client.get("/inbox").body.components(separatedBy: "<li class=\"unread\">").count - 1 }
            #expect(try await unreadRows() == 3)
            // Kept: a message changed underneath (which the application never does) does not
            // show, since nothing the stamp counts moved.
            let sql = try #require(app.db as? any SQLDatabase)
            try await sql.raw("UPDATE inbox_items SET message = 'Đổi ngầm' WHERE dedupe_key = 'k1'").run()
            let kept = try await client.get("/inbox").body
            #expect(kept.contains("Nhắc việc số 1<") && !kept.contains("Đổi ngầm"))
            // act and check: an entry written beside the page (another instance, a job) shows.
            let fourth = try await post(4, to: leader)
            let added = try await client.get("/inbox").body
            #expect(added.contains("Nhắc việc số 4<") && added.contains("Đổi ngầm"))
            // Read beside the page, then another added and read: each shows.
            try await sql.raw("UPDATE inbox_items SET read_at = \(bind: start) WHERE id = \(bind: fourth.id!)").run()
            #expect(try await unreadRows() == 3)
            let fifth = try await post(5, to: leader)
            try await sql.raw("UPDATE inbox_items SET read_at = \(bind: start) WHERE id = \(bind: fifth.id!)").run()
            let page = try await client.get("/inbox").body
            #expect(page.contains("Nhắc việc số 5<") && page.components(separatedBy: "<li class=\"unread\">").count - 1 == 3)
            // Opening an entry and "mark all read" through the pages show at once.
            _ = try await client.get("/inbox/\(fourth.id!)")
            try await client.post("/inbox/read-all", form: [:])
            #expect(try await unreadRows() == 0)
            // Another user's first page is that user's own.
            let specialist = try #require(try await User.query(on: app.db).filter(\.$username == "chuyenvien").first())
            _ = try await post(9, to: specialist)
            let other = WebClient(app)
            try await other.login("chuyenvien")
            let theirs = try await other.get("/inbox").body
            #expect(theirs.contains("Nhắc việc số 9<") && !theirs.contains("Nhắc việc số 5<"))
        }
    }

    @Test("an entry's text is shown as text, never as markup; the newest entries are found by the (user, created) index, not sorted")
    func escapedAndIndexed() async throws {
        try await withTestApp { app in
            // setup
            try await TestProvince.load(app)
            let leader = try #require(try await User.query(on: app.db).filter(\.$username == "lanhdao").first())
            let item = InboxItem(userID: leader.id!, kind: "task", message: "<b>Họp & \"gấp\"</b>", target: InboxTarget(type: "task", id: UUID()), dedupeKey: "x", at: Date())
            try await item.create(on: app.db)
            let client = WebClient(app)
            try await client.login("lanhdao")
            // act
            let page = try await client.get("/inbox").body
            // check
            #expect(page.contains("&lt;b&gt;Họp &amp; &quot;gấp&quot;&lt;/b&gt;") && !page.contains("<b>Họp"))
            #expect(page.contains("<a href=\"/inbox/\(item.id!.uuidString)\">"))
            let sql = try #require(app.db as? any SQLDatabase)
            struct Detail: Decodable { let detail: String }
            struct Name: Decodable { let indexname: String }
            if sql.dialect.name == "sqlite" {
                let plan = try await sql.raw("EXPLAIN QUERY PLAN SELECT id FROM inbox_items WHERE user_id = \(bind: leader.id!) ORDER BY created_at DESC LIMIT 51").all(decoding: Detail.self).map(\.detail)
                #expect(plan.contains { $0.contains("inbox_items_newest_idx") } && !plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
            } else {
                let names = try await sql.raw("SELECT indexname FROM pg_indexes WHERE tablename = 'inbox_items'").all(decoding: Name.self).map(\.indexname)
                #expect(names.contains("inbox_items_newest_idx"), "\(names)")
            }
        }
    }
}
