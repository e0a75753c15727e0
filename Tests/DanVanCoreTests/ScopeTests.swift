import DanVanApp
import DanVanCore
import DanVanTestSupport
import Fluent
import Foundation
import Testing
import Vapor

@Suite("Unit-scoped access")
struct ScopeTests {
    @Test("a commune focal point gets 404 on a sibling commune's unit and users, in pages and API")
    func siblingCommuneIsInvisible() async throws {
        try await withTestApp { app in
            // setup
            try await TestProvince.load(app)
            let sibling = try await unit("X-TL", on: app)
            let siblingUser = try await user("daumoi.tanlap", on: app)
            let client = WebClient(app)
            try await client.login("daumoi")
            // act, check
            for path in ["/units/\(sibling.id!)", "/users/\(siblingUser.id!)", "/api/v1/units/\(sibling.id!)", "/api/v1/users/\(siblingUser.id!)", "/units/\(UUID())"] {
                let page = try await client.get(path)
                #expect(page.status == .notFound, "\(path)")
                #expect(!page.body.contains("Tân Lập"), "\(path) must not reveal the record")
            }
            let own = try await client.get("/units/\(try await unit("P-HL", on: app).id!)")
            #expect(own.status == .ok)
        }
    }

    @Test("lists show only the own subtree")
    func listsAreScoped() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let client = WebClient(app)
            try await client.login("daumoi")
            let page = try await client.get("/api/v1/units")
            let body = try JSONDecoder().decode(UnitPageDTO.self, from: Data(page.body.utf8))
            #expect(body.total == 8, "the ward, its party committee, its Front committee and five quarters")
            #expect(body.items.allSatisfy { $0.code.hasPrefix("P-HL") })
            let users = try await client.get("/users")
            #expect(users.body.contains("Phạm Thị Ánh"))
            #expect(!users.body.contains("Hoàng Văn Bình"))
            let html = try await client.get("/units")
            #expect(!html.body.contains("Xã Tân Lập"))
            let search = try await client.get("/units?q=tan%20lap")
            #expect(!search.body.contains("Xã Tân Lập"))
        }
    }

    @Test("leaders of the provincial board see the whole province; a commune leader only the commune")
    func leaderScopes() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let tanLap = try await unit("X-TL", on: app)
            let hoaLac = try await unit("P-HL", on: app)
            let province = WebClient(app)
            try await province.login("lanhdao")
            #expect(try await province.get("/units/\(tanLap.id!)").status == .ok)
            #expect(try await province.get("/units/\(hoaLac.id!)").status == .ok)
            let specialist = WebClient(app)
            try await specialist.login("chuyenvien")
            #expect(try await specialist.get("/units/\(hoaLac.id!)").status == .ok)
            let commune = WebClient(app)
            try await commune.login("lanhdao.xa")
            #expect(try await commune.get("/units/\(tanLap.id!)").status == .ok)
            #expect(try await commune.get("/units/\(hoaLac.id!)").status == .notFound)
        }
    }

    @Test("AccessScope filters units and unit-owned records without walking the tree")
    func scopeFunction() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let front = try await unit("MTTQ", on: app)
            let focal = try await user("daumoi.mttq", on: app)
            let scope = AccessScope.of(focal, unit: front)
            let units = try await scope.filter(OrgUnit.query(on: app.db)).all()
            #expect(Set(units.map(\.code)) == ["MTTQ", "MTTQ-LDLD", "MTTQ-HND", "MTTQ-HLHPN", "MTTQ-TD", "MTTQ-HCCB"])
            let users = try await scope.filter(User.query(on: app.db)).all()
            #expect(users.map(\.username) == ["daumoi.mttq"])
            #expect(AccessScope.of(try await user("admin", on: app), unit: front) == .everything)
        }
    }

    @Test("a request's scope knows its unit ids from the unit tree cache, the same as the database says, and sees a new unit at once")
    func requestScopeIDs() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            for username in TestProvince.accounts.map(\.username) {
                let account = try await user(username, on: app)
                let request = Request(application: app, method: .GET, url: "/", on: app.eventLoopGroup.next())
                request.auth.login(account)
                let known = try await request.scope().unitIDs(on: app.db)
                let asked = try await AccessScope.of(account, unit: try await OrgUnit.find(account.$unit.id, on: app.db)!).unitIDs(on: app.db)
                #expect(known.map(Set.init) == asked.map(Set.init), "\(username)")
                #expect(try await request.scopeUnitIDs().map(Set.init) == asked.map(Set.init), "\(username)")
            }
            // A unit added under a commune is in the next request's scope.
            let commune = try await unit("X-TL", on: app)
            let hamlet = OrgUnit(name: "Thôn Mới Lập", code: "X-TL-NEW", kind: .village, level: .village)
            hamlet.place(under: commune)
            try await hamlet.save(on: app.db)
            let request = Request(application: app, method: .GET, url: "/", on: app.eventLoopGroup.next())
            request.auth.login(try await user("daumoi.tanlap", on: app))
            #expect(try await request.scopeUnitIDs()?.contains(try hamlet.requireID()) == true)
        }
    }

    @Test("a focal point cannot reach administration: 403 page in Vietnamese, no internals")
    func forbiddenPages() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let client = WebClient(app)
            try await client.login("daumoi")
            for path in ["/admin/audit", "/units/new", "/users/new", "/units/export.csv"] {
                let page = try await client.get(path)
                #expect(page.status == .forbidden, "\(path)")
                #expect(page.body.contains("Bạn không có quyền truy cập trang này."))
                #expect(!page.body.contains("Abort"))
            }
            let post = try await client.post("/units", form: ["name": "Lén", "code": "LEN", "kind": "other", "level": "commune"])
            #expect(post.status == .forbidden)
            let api = try await client.send(.POST, "/api/v1/units", headers: ["Content-Type": "application/json", "X-CSRF-Token": client.csrf], body: ByteBuffer(string: "{\"name\":\"Lén\",\"code\":\"LEN\",\"kind\":\"other\",\"level\":\"commune\"}"))
            #expect(api.status == .forbidden)
            #expect(try await OrgUnit.query(on: app.db).filter(\.$code == "LEN").count() == 0)
        }
    }
}

struct UnitPageDTO: Decodable {
    struct Item: Decodable {
        let id: UUID
        let code: String
        let name: String
    }
    let items: [Item]
    let total: Int
}
