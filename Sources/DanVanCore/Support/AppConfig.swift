import Foundation
import Vapor

/// The settings the app is built from: read once from the environment, or made by tests.
public struct AppConfig: Sendable {
    /// Which database the app talks to.
    public enum DatabaseChoice: Sendable, Equatable {
        /// An SQLite file at an absolute path.
        case sqliteFile(String)
        /// A private in-memory SQLite database (tests).
        case sqliteMemory
        /// A PostgreSQL server; `schema` puts every table in that schema (tests use one each).
        case postgres(url: String, schema: String?)
    }

    /// The database to use.
    public var database: DatabaseChoice
    /// Who may read `/metrics` (`DANVAN_METRICS_ALLOW`, `DANVAN_METRICS_TOKEN`).
    public var metricsAccess = MetricsAccess()
    /// Bcrypt cost for password hashes (12 in production; tests lower it to stay fast).
    public var bcryptCost: Int
    /// Demo mode shows a banner and allows the demo loader.
    public var demoMode: Bool
    /// Marks the session cookie `Secure` (set when the app is served behind TLS).
    public var secureCookies: Bool
    /// Failed logins allowed for one account from one address inside `loginWindow` before that
    /// address is refused for that account (the owner elsewhere still signs in).
    public var maxLoginFailures: Int
    /// Failed logins allowed for one account from all addresses together inside `loginWindow`:
    /// the slower ceiling against guessing spread over many addresses.
    public var maxLoginFailuresPerAccount = 50
    /// Failed logins allowed from one address inside `loginWindow`.
    public var maxLoginFailuresPerAddress: Int
    /// The throttling window, in seconds.
    public var loginWindow: TimeInterval
    /// Runs scheduled jobs (reminders, overdue marking) in this process; `serve` and `demo`
    /// turn it on, tests and one-off commands leave it off.
    public var runScheduler = false
    /// Whether this process serves requests (`serve`, `demo`): it then listens for other
    /// instances' session changes on PostgreSQL (`AuthChangeListener`).
    public var servesRequests = false
    /// Days before a deadline when the lead unit is reminded.
    public var reminderDays = 7
    /// Peers whose `X-Forwarded-For` is believed (`DANVAN_TRUSTED_PROXIES`, comma-separated):
    /// by default a proxy on the same machine. From any other peer the header is ignored, so
    /// a client cannot pick the address its limits and audit entries are counted under.
    public var trustedProxies: Set<String> = ["127.0.0.1", "::1"]
    /// The server's secret (`DANVAN_SECRET_KEY`, or the key file `DANVAN_SECRET_KEY_FILE`,
    /// default `./data/secret.key`, made on first start with mode 0600). Never in the database
    /// or the repository. Every key the app uses is derived from it (`key(for:)`); tests and
    /// one-off configurations get a random one.
    public var secretKey = SymmetricKey(size: .bits256)
    /// The key that signs visitors' CSRF tokens.
    public var signingKey: SymmetricKey { key(for: "csrf") }
    /// How long sessions live and how often their expiry is extended.
    public var sessions = SessionPolicy()

    /// Builds a configuration.
    public init(
        database: DatabaseChoice,
        bcryptCost: Int = 12,
        demoMode: Bool = false,
        secureCookies: Bool = false,
        maxLoginFailures: Int = 5,
        maxLoginFailuresPerAddress: Int = 30,
        loginWindow: TimeInterval = 15 * 60
    ) {
        self.database = database
        self.bcryptCost = bcryptCost
        self.demoMode = demoMode
        self.secureCookies = secureCookies
        self.maxLoginFailures = maxLoginFailures
        self.maxLoginFailuresPerAddress = maxLoginFailuresPerAddress
        self.loginWindow = loginWindow
    }

    /// Reads `DATABASE_URL`, `DANVAN_SECURE_COOKIES`, `DANVAN_BCRYPT_COST`, `DANVAN_DEMO`,
    /// `DANVAN_REMINDER_DAYS`, `DANVAN_TRUSTED_PROXIES`, `DANVAN_SECRET_KEY` (or
    /// `DANVAN_SECRET_KEY_FILE`), `DANVAN_SESSION_REFRESH_SECONDS`, `DANVAN_SESSION_CACHE_SECONDS`.
    ///
    /// Unset, the database is an SQLite file at `./data/danvan.sqlite` under `workingDirectory`.
    public static func fromEnvironment(workingDirectory: String) throws -> AppConfig {
        let environment = ProcessInfo.processInfo.environment
        let database = try parseDatabaseURL(environment["DATABASE_URL"], workingDirectory: workingDirectory)
        var config = AppConfig(database: database)
        if let cost = environment["DANVAN_BCRYPT_COST"].flatMap(Int.init), (4...31).contains(cost) {
            config.bcryptCost = cost
        }
        config.secureCookies = ["1", "true", "yes"].contains(environment["DANVAN_SECURE_COOKIES"]?.lowercased() ?? "")
        config.demoMode = ["1", "true", "yes"].contains(environment["DANVAN_DEMO"]?.lowercased() ?? "")
        if let days = environment["DANVAN_REMINDER_DAYS"].flatMap(Int.init), (0...60).contains(days) { config.reminderDays = days }
        config.secretKey = try loadSecretKey(environment, workingDirectory: workingDirectory)
        if let seconds = environment["DANVAN_SESSION_REFRESH_SECONDS"].flatMap(TimeInterval.init), seconds >= 0 {
            config.sessions.refreshEvery = min(seconds, config.sessions.lifetime)
        }
        if let seconds = environment["DANVAN_SESSION_CACHE_SECONDS"].flatMap(TimeInterval.init), seconds >= 0 {
            config.sessions.cacheSeconds = min(seconds, 300)
        }
        config.metricsAccess = MetricsAccess(allow: environment["DANVAN_METRICS_ALLOW"] ?? "127.0.0.1/32,::1/128", token: environment["DANVAN_METRICS_TOKEN"] ?? "")
        if let proxies = environment["DANVAN_TRUSTED_PROXIES"] {
            config.trustedProxies = Set(proxies.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        return config
    }

    /// A key for one purpose (`csrf`, `quiz-secret`, …), derived from the server's secret, so
    /// no two uses share a key.
    public func key(for purpose: String) -> SymmetricKey {
        SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(("danvan." + purpose).utf8), using: secretKey))
    }

    /// The server's secret: `DANVAN_SECRET_KEY` (any text, at least 32 characters), else the
    /// key file, which is created (64 hex digits, mode 0600) if it does not exist.
    public static func loadSecretKey(_ environment: [String: String], workingDirectory: String) throws -> SymmetricKey {
        if let secret = environment["DANVAN_SECRET_KEY"], !secret.isEmpty {
            guard secret.count >= 32 else { throw ConfigError(L10n.text("core.secretKeyShort")) }
            return SymmetricKey(data: SHA256.hash(data: Array(secret.utf8)))
        }
        let base = workingDirectory.hasSuffix("/") ? workingDirectory : workingDirectory + "/"
        let path = environment["DANVAN_SECRET_KEY_FILE"].flatMap { $0.isEmpty ? nil : $0 } ?? base + "data/secret.key"
        let manager = FileManager.default
        if let data = manager.contents(atPath: path) {
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard text.count >= 32 else { throw ConfigError(L10n.format("core.secretKeyFileBad", [path])) }
            return SymmetricKey(data: SHA256.hash(data: Array(text.utf8)))
        }
        try manager.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let text = Hex.string([UInt8].random(count: 32))
        guard manager.createFile(atPath: path, contents: Data((text + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ConfigError(L10n.format("core.secretKeyFileBad", [path]))
        }
        return SymmetricKey(data: SHA256.hash(data: Array(text.utf8)))
    }

    /// Interprets a `DATABASE_URL` value.
    public static func parseDatabaseURL(_ value: String?, workingDirectory: String) throws -> DatabaseChoice {
        guard let value, !value.isEmpty else {
            let base = workingDirectory.hasSuffix("/") ? workingDirectory : workingDirectory + "/"
            return .sqliteFile(base + "data/danvan.sqlite")
        }
        if value.hasPrefix("sqlite://") {
            let path = String(value.dropFirst("sqlite://".count))
            if path == ":memory:" || path == "/:memory:" { return .sqliteMemory }
            guard path.hasPrefix("/") else {
                throw ConfigError(L10n.text("core.database_url_phai_la_duong_dan"))
            }
            return .sqliteFile(path)
        }
        if value.hasPrefix("postgres://") || value.hasPrefix("postgresql://") {
            return .postgres(url: value, schema: nil)
        }
        throw ConfigError(L10n.text("core.database_url_khong_hop_le_dung"))
    }
}

/// A configuration that cannot be used, with a Vietnamese explanation.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    /// What is wrong.
    public let description: String
    /// Creates the error.
    public init(_ description: String) { self.description = description }
}

extension Application {
    private struct ConfigKey: StorageKey { typealias Value = AppConfig }

    /// The configuration the app was built from.
    public var config: AppConfig {
        get {
            guard let config = storage[ConfigKey.self] else { fatalError("configure(_:) sets the config before use") }
            return config
        }
        set { storage[ConfigKey.self] = newValue }
    }
}
