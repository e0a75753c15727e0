import Foundation

/// The core module's paths: sign-in, home, account, inbox, units, users, audit, health, API.
public enum CoreRoute: NamedSiteRoute, Equatable {
    case login, logout, health, live, metrics
    case language(String?)
    case home
    case account, accountPassword, accountTokens
    case revokeToken(UUID?)
    case inbox, inboxReadAll
    case inboxItem(UUID?)
    case units, unitsExportCSV, unitsImport, unitNew
    case unit(UUID?), unitEdit(UUID?), unitDissolve(UUID?)
    case users, userNew
    case user(UUID?), userEdit(UUID?), userDisable(UUID?), userEnable(UUID?), userResetPassword(UUID?)
    case audit
    case openAPI
    case apiMe, apiUnits, apiUsers
    case apiUnit(UUID?), apiUser(UUID?)

    /// Views name these routes `core.<case>`.
    public static let namePrefix = "core"

    /// Every case, parameters empty.
    public static let patterns: [Self] = [
        .login, .logout, .health, .live, .metrics, .language(nil), .home, .account, .accountPassword, .accountTokens,
        .revokeToken(nil), .inbox, .inboxReadAll, .inboxItem(nil), .units, .unitsExportCSV, .unitsImport, .unitNew,
        .unit(nil), .unitEdit(nil), .unitDissolve(nil), .users, .userNew, .user(nil), .userEdit(nil),
        .userDisable(nil), .userEnable(nil), .userResetPassword(nil), .audit, .openAPI, .apiMe, .apiUnits, .apiUsers,
        .apiUnit(nil), .apiUser(nil),
    ]

    /// The path, segment by segment.
    public var segments: [RouteSegment] {
        switch self {
        case .login: words("login")
        case .logout: words("logout")
        case .health: words("healthz")
        case .live: words("livez")
        case .metrics: words("metrics")
        case .language(let code): words("lang", .param("code", code))
        case .home: []
        case .account: words("account")
        case .accountPassword: words("account", "password")
        case .accountTokens: words("account", "tokens")
        case .revokeToken(let id): words("account", "tokens", .param("tokenID", id), "revoke")
        case .inbox: words("inbox")
        case .inboxReadAll: words("inbox", "read-all")
        case .inboxItem(let id): words("inbox", .param("itemID", id))
        case .units: words("units")
        case .unitsExportCSV: words("units", "export.csv")
        case .unitsImport: words("units", "import")
        case .unitNew: words("units", "new")
        case .unit(let id): words("units", .param("unitID", id))
        case .unitEdit(let id): words("units", .param("unitID", id), "edit")
        case .unitDissolve(let id): words("units", .param("unitID", id), "dissolve")
        case .users: words("users")
        case .userNew: words("users", "new")
        case .user(let id): words("users", .param("userID", id))
        case .userEdit(let id): words("users", .param("userID", id), "edit")
        case .userDisable(let id): words("users", .param("userID", id), "disable")
        case .userEnable(let id): words("users", .param("userID", id), "enable")
        case .userResetPassword(let id): words("users", .param("userID", id), "reset-password")
        case .audit: words("admin", "audit")
        case .openAPI: words("api", "openapi.json")
        case .apiMe: words("api", "v1", "me")
        case .apiUnits: words("api", "v1", "units")
        case .apiUsers: words("api", "v1", "users")
        case .apiUnit(let id): words("api", "v1", "units", .param("unitID", id))
        case .apiUser(let id): words("api", "v1", "users", .param("userID", id))
        }
    }
}
