import Fluent
import SQLKit
import Vapor

/// The core module: organisation tree, accounts, audit log, home page, health, API basics.
public struct CoreModule: DanVanModule {
    /// Creates the module.
    public init() {}

    /// Core migrations.
    public var migrations: [any Migration] { CoreMigrations.all }

    /// Route names for views (`#path("core.…")`).
    public var routeLinks: [String: [RouteSegment]] { CoreRoute.linkTable }

    /// Core's texts are built into `L10n` (everything else falls back on them), so nothing to add.
    public var localization: L10n.Tables { [:] }

    /// The `create-admin` command and the hourly purge of expired sessions (the default
    /// navigation needs nothing).
    public func register(on app: Application) throws {
        app.asyncCommands.use(CreateAdminCommand(), as: "create-admin")
        app.lifecycle.use(makeSessionPurgeJob())
        app.unitTreeCache = UnitTreeCache()
        app.keptMenus = KeptMenus()
        app.metrics = AppMetrics()
    }

    /// Mounts core routes.
    public func routes(_ routes: ModuleRoutes) throws {
        let auth = AuthController()
        routes.open.get(CoreRoute.login, use: auth.loginPage)
        routes.open.post(CoreRoute.login, use: auth.login)
        routes.open.post(CoreRoute.logout, use: auth.logout)
        routes.open.get(CoreRoute.health, use: Self.health)
        // Liveness without the database: the benchmarks' trivial route.
        routes.open.get(CoreRoute.live) { _ in "ok" }
        // Prometheus' scrape: the configured addresses or token only; anyone else gets 404.
        routes.open.get(CoreRoute.metrics) { req -> Response in
            guard req.application.config.metricsAccess.allows(req) else { throw AppError.notFound }
            var headers = HTTPHeaders()
            headers.replaceOrAdd(name: .contentType, value: "text/plain; version=0.0.4; charset=utf-8")
            return Response(status: .ok, headers: headers, body: .init(string: req.application.metrics.exposition()))
        }
        routes.open.get(CoreRoute.language(nil), use: Self.language)

        let web = routes.web
        web.get(CoreRoute.home, use: HomeController().index)

        let account = AccountController()
        web.get(CoreRoute.account, use: account.show)
        web.post(CoreRoute.accountPassword, use: account.changePassword)
        web.post(CoreRoute.accountTokens, use: account.createToken)
        web.post(CoreRoute.revokeToken(nil), use: account.revokeToken)

        let inbox = InboxController()
        web.get(CoreRoute.inbox, use: inbox.index)
        web.get(CoreRoute.inboxItem(nil), use: inbox.open)
        web.post(CoreRoute.inboxReadAll, use: inbox.readAll)

        let units = UnitController()
        web.get(CoreRoute.units, use: units.index)
        web.get(CoreRoute.unit(nil), use: units.show)
        let admin = web.grouped(RequireRoleMiddleware(.admin))
        admin.get(CoreRoute.unitsExportCSV, use: units.exportCSV)
        admin.get(CoreRoute.unitsImport, use: units.importPage)
        admin.post(CoreRoute.unitsImport, use: units.importCSV)
        admin.get(CoreRoute.unitNew, use: units.new)
        admin.post(CoreRoute.units, use: units.create)
        admin.get(CoreRoute.unitEdit(nil), use: units.edit)
        admin.post(CoreRoute.unit(nil), use: units.update)
        admin.get(CoreRoute.unitDissolve(nil), use: units.dissolvePage)
        admin.post(CoreRoute.unitDissolve(nil), use: units.dissolve)

        let users = UserController()
        web.get(CoreRoute.users, use: users.index)
        web.get(CoreRoute.user(nil), use: users.show)
        admin.get(CoreRoute.userNew, use: users.new)
        admin.post(CoreRoute.users, use: users.create)
        admin.get(CoreRoute.userEdit(nil), use: users.edit)
        admin.post(CoreRoute.user(nil), use: users.update)
        admin.post(CoreRoute.userDisable(nil), use: users.disable)
        admin.post(CoreRoute.userEnable(nil), use: users.enable)
        admin.get(CoreRoute.userResetPassword(nil), use: users.resetPage)
        admin.post(CoreRoute.userResetPassword(nil), use: users.reset)

        admin.get(CoreRoute.audit, use: AuditController().index)

        let api = APIController()
        routes.api.get(CoreRoute.apiMe, use: api.me)
        routes.api.get(CoreRoute.apiUnits, use: api.units)
        routes.api.post(CoreRoute.apiUnits, use: api.createUnit)
        routes.api.get(CoreRoute.apiUnit(nil), use: api.unit)
        routes.api.get(CoreRoute.apiUsers, use: api.users)
        routes.api.get(CoreRoute.apiUser(nil), use: api.user)
    }

    /// `GET /healthz`: 200 after a database round trip, 503 when the database does not answer.
    @Sendable static func health(_ req: Request) async throws -> Response {
        do {
            if let sql = req.db as? any SQLDatabase {
                try await sql.raw("SELECT 1").run()
            } else {
                _ = try await OrgUnit.query(on: req.db).limit(1).count()
            }
            return try await ["status": "ok", "database": "ok"].encodeResponse(status: .ok, for: req)
        } catch {
            req.logger.error("Health check: the database did not answer: \(String(reflecting: error))")
            return try await ["status": "unavailable", "database": "error"].encodeResponse(status: .serviceUnavailable, for: req)
        }
    }

    /// `GET /lang/:code`: remembers the interface language in a cookie.
    @Sendable static func language(_ req: Request) async throws -> Response {
        let code = req.parameters.get("code") ?? "vi"
        let response = req.redirect(to: req.headers.first(name: .referer).flatMap { URL(string: $0)?.path } ?? CoreRoute.home.path)
        if let locale = L10n.Locale(rawValue: code) {
            response.cookies["lang"] = HTTPCookies.Value(string: locale.rawValue, maxAge: 365 * 86_400, path: "/", isHTTPOnly: true, sameSite: .lax)
        }
        return response
    }

    /// From a list to its items, from the signed-in account to its unit, from a new unit to it.
    public var openAPILinks: [OpenAPILink] {
        [
            OpenAPILink("firstUnit", from: "get /api/v1/units", to: "get /api/v1/units/{unitID}", parameters: ["unitID": "$response.body#/items/0/id"]),
            OpenAPILink("createdUnit", from: "post /api/v1/units", status: "201", to: "get /api/v1/units/{unitID}", parameters: ["unitID": "$response.body#/id"]),
            OpenAPILink("firstUser", from: "get /api/v1/users", to: "get /api/v1/users/{userID}", parameters: ["userID": "$response.body#/items/0/id"]),
            OpenAPILink("myAccount", from: "get /api/v1/me", to: "get /api/v1/users/{userID}", parameters: ["userID": "$response.body#/id"]),
            OpenAPILink("myUnit", from: "get /api/v1/me", to: "get /api/v1/units/{unitID}", parameters: ["unitID": "$response.body#/unitId"]),
            OpenAPILink("userUnit", from: "get /api/v1/users/{userID}", to: "get /api/v1/units/{unitID}", parameters: ["unitID": "$response.body#/unitId"]),
        ]
    }

    /// The API paths served here.
    public var openAPIPaths: [String: JSON] {
        let unitID: JSON = ["name": "unitID", "in": "path", "required": true, "schema": ["type": "string", "format": "uuid"]]
        let userID: JSON = ["name": "userID", "in": "path", "required": true, "schema": ["type": "string", "format": "uuid"]]
        let notFound: JSON = ["description": .string(L10n.text("core.khong_tim_thay_hoac_nam_ngoai")), "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]]
        let unauthorized: JSON = ["description": .string(L10n.text("core.chua_dang_nhap_hoac_khoa_khong")), "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]]
        func ok(_ schema: String) -> JSON { ["description": .string(L10n.text("core.thanh_cong")), "content": ["application/json": ["schema": ["$ref": .string("#/components/schemas/\(schema)")]]]] }
        return [
            "/api/v1/me": ["get": ["summary": .string(L10n.text("core.tai_khoan_dang_dang_nhap")), "tags": ["core"], "responses": ["200": ok("User"), "401": unauthorized]]],
            "/api/v1/units": [
                "get": [
                    "summary": .string(L10n.text("core.don_vi_trong_pham_vi_theo")), "tags": ["core"],
                    "parameters": .array([
                        ["name": "q", "in": "query", "description": .string(L10n.text("core.tim_khong_dau_theo_ten_ten")), "schema": ["type": "string"]],
                        ["name": "ended", "in": "query", "description": .string(L10n.text("core.1_gom_ca_don_vi_da")), "schema": ["type": "string", "enum": ["0", "1"]]],
                    ] + APIPage.openAPIParameters),
                    "responses": ["200": ok("UnitPage"), "401": unauthorized],
                ],
                "post": [
                    "summary": .string(L10n.text("core.tao_don_vi_quan_tri")), "tags": ["core"],
                    "requestBody": ["required": true, "content": ["application/json": ["schema": ["$ref": "#/components/schemas/UnitCreate"]]]],
                    "responses": [
                        "201": ok("OrgUnit"), "401": unauthorized,
                        "403": ["description": .string(L10n.text("core.khong_co_quyen")), "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]],
                        "422": ["description": .string(L10n.text("core.du_lieu_khong_hop_le")), "content": ["application/json": ["schema": ["$ref": "#/components/schemas/ValidationError"]]]],
                    ],
                ],
            ],
            "/api/v1/units/{unitID}": ["get": ["summary": .string(L10n.text("core.mot_don_vi")), "tags": ["core"], "parameters": [unitID], "responses": ["200": ok("OrgUnit"), "401": unauthorized, "404": notFound]]],
            "/api/v1/users": [
                "get": [
                    "summary": .string(L10n.text("core.nguoi_dung_trong_pham_vi")), "tags": ["core"],
                    "parameters": .array([["name": "unit", "in": "query", "schema": ["type": "string", "format": "uuid"]]] + APIPage.openAPIParameters),
                    "responses": ["200": ok("UserPage"), "401": unauthorized],
                ],
            ],
            "/api/v1/users/{userID}": ["get": ["summary": .string(L10n.text("core.mot_nguoi_dung")), "tags": ["core"], "parameters": [userID], "responses": ["200": ok("User"), "401": unauthorized, "404": notFound]]],
        ]
    }

    /// Schemas of the core API.
    public var openAPISchemas: [String: JSON] {
        let uuid: JSON = ["type": "string", "format": "uuid"]
        let kinds: JSON = .array(OrgUnit.Kind.allCases.map { .string($0.rawValue) })
        let levels: JSON = .array(OrgUnit.Level.allCases.map { .string($0.rawValue) })
        return [
            "Error": ["type": "object", "required": ["error"], "properties": ["error": ["type": "object", "properties": ["status": ["type": "string"], "message": ["type": "string"], "requestId": ["type": "string"]]]]],
            "ValidationError": ["type": "object", "properties": ["error": ["type": "object", "properties": [
                "status": ["type": "string"], "message": ["type": "string"], "fields": ["type": "object", "additionalProperties": ["type": "string"]],
            ]]]],
            "OrgUnit": [
                "type": "object",
                "required": ["id", "name", "code", "kind", "level", "depth", "status", "oversight"],
                "properties": [
                    "id": uuid, "name": ["type": "string"], "shortName": ["type": "string", "nullable": true], "code": ["type": "string"],
                    "kind": ["type": "string", "enum": kinds], "level": ["type": "string", "enum": levels],
                    "parentId": ["type": "string", "format": "uuid", "nullable": true], "depth": ["type": "integer"],
                    "status": ["type": "string", "enum": ["active", "dissolved", "merged"]],
                    "successorId": ["type": "string", "format": "uuid", "nullable": true],
                    "endedOn": ["type": "string", "format": "date", "nullable": true], "oversight": ["type": "boolean"],
                ],
            ],
            "UnitCreate": [
                "type": "object", "required": ["name", "code", "kind", "level"],
                "properties": [
                    "name": ["type": "string"], "shortName": ["type": "string"], "code": ["type": "string"],
                    "kind": ["type": "string", "enum": kinds], "level": ["type": "string", "enum": levels],
                    "parentId": uuid, "sortOrder": ["type": "integer"], "oversight": ["type": "boolean"],
                ],
            ],
            "UnitPage": APIPage.openAPISchema(of: "OrgUnit"),
            "User": [
                "type": "object", "required": ["id", "username", "fullName", "role", "unitId", "isActive"],
                "properties": [
                    "id": uuid, "username": ["type": "string"], "fullName": ["type": "string"],
                    "role": ["type": "string", "enum": .array(Role.allCases.map { .string($0.rawValue) })], "unitId": uuid, "isActive": ["type": "boolean"],
                ],
            ],
            "UserPage": APIPage.openAPISchema(of: "User"),
        ]
    }
}
