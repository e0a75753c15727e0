import DanVanCore
import DanVanDemo
import DanVanDocuments
import DanVanTasks
import DanVanQuiz
import DanVanReports
import DanVanCitizens
import DanVanEmulation
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Leaf
import LeafKit
import NIOCore
import SQLKit
import Vapor

/// Every domain module of the app, in the order their migrations run.
public enum DanVanModules {
    /// The modules.
    public static let all: [any DanVanModule] = [CoreModule(), DocumentsModule(), TasksModule(), QuizModule(), ReportsModule(), CitizensModule(), EmulationModule()]

    /// Every migration this program knows, by name: a backup that applied another is newer.
    public static var migrationNames: [String] {
        [SessionRecord.migration.name] + all.flatMap { $0.migrations.map(\.name) }
    }
}

/// Builds the app from `config`: database, sessions, views, middleware, modules, routes and
/// commands. The server, the tests and the benchmarks all go through here.
public func configure(_ app: Application, config: AppConfig, modules: [any DanVanModule] = DanVanModules.all) async throws {
    app.config = config
    try await configureDatabase(app, config.database)

    let sessionPolicy = config.sessions
    app.sessions.use { _ in StoredSessions(policy: sessionPolicy) }
    // Sessions and their users from memory for a few seconds (`SessionCache`): on SQLite one
    // server owns the file; on PostgreSQL other instances' changes arrive by notification, and
    // until the listener is connected nothing is trusted.
    let postgres: PostgresConnection.Configuration?
    if case .postgres(let url, _) = config.database { postgres = try SQLPostgresConfiguration(url: url).coreConfiguration } else { postgres = nil }
    app.sessionCache = SessionCache(trust: sessionPolicy.cacheSeconds, hearsChanges: postgres == nil)
    app.databases.middleware.use(UserChangeMiddleware(cache: app.sessionCache))
    if let postgres, config.servesRequests { app.lifecycle.use(AuthChangeListener(configuration: postgres)) }
    app.migrations.add(SessionRecord.migration)
    let secure = config.secureCookies
    // Max-Age only: Vapor formats an `Expires` date with a new DateFormatter on every response,
    // which cost a fifth of a signed-in request's time; every browser honours Max-Age.
    let lifetime = Int(sessionPolicy.lifetime)
    app.sessions.configuration = SessionsConfiguration(cookieName: "danvan_session") { id in
        HTTPCookies.Value(string: id.string, maxAge: lifetime, path: "/", isSecure: secure, isHTTPOnly: true, sameSite: .lax)
    }
    app.passwords.use(.bcrypt(cost: config.bcryptCost))

    app.views.use(.leaf)
    app.leaf.tags["t"] = TranslateTag()
    app.leaf.tags["path"] = PathTag()
    app.leaf.tags["csrf"] = CSRFFieldTag()
    app.leaf.tags[EscapeTag.name] = EscapeTag()
    let reloadsTemplates = Environment.get("DANVAN_TEMPLATE_RELOAD") == "1"
    app.leaf.cache = TemplateCache(enabled: !reloadsTemplates)
    // The layout around pages kept per shell (see LayoutFrames); not while templates are re-read.
    app.layoutFrames = reloadsTemplates ? nil : LayoutFrames()
    // The views with their fixed texts and links written in, per language (see LocalizedTemplates).
    let views = app.leaf.configuration.rootDirectory
    app.leaf.sources = .singleSource(LocalizedTemplates(
        files: NIOLeafFiles(fileio: app.fileio, limits: .default, sandboxDirectory: views, viewDirectory: views),
        links: { [unowned app] in app.links }
    ))

    // Evidence uploads: up to 10 MB a file, a few files a report.
    app.routes.defaultMaxBodySize = "32mb"
    app.files = FileStore(root: ProcessInfo.processInfo.environment["DANVAN_FILES"] ?? app.directory.workingDirectory + "data/files")
    app.middleware = Middlewares()
    app.middleware.use(RouteLoggingMiddleware(logLevel: .info))
    // Request metrics for /metrics; DANVAN_METRICS=0 leaves them out.
    if ProcessInfo.processInfo.environment["DANVAN_METRICS"] != "0" { app.middleware.use(MetricsMiddleware()) }
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(ErrorPageMiddleware())
    app.middleware.use(PublicFilesMiddleware(publicDirectory: app.directory.publicDirectory))
    app.middleware.use(SessionCookieMiddleware())
    app.middleware.use(app.sessions.middleware)
    app.middleware.use(SessionUserMiddleware())
    app.middleware.use(CSRFCookie.Middleware())
    app.middleware.use(CSRFMiddleware())

    for module in modules {
        app.migrations.add(module.migrations)
        app.links.add(module.routeLinks)
        L10n.register(module.localization)
        try module.register(on: app)
    }

    let routes = ModuleRoutes(
        app: app,
        open: app.routes,
        web: app.routes.grouped(RequireUserMiddleware(api: false)),
        api: app.routes.grouped(BearerTokenMiddleware()).grouped(RequireUserMiddleware(api: true))
    )
    for module in modules { try module.routes(routes) }
    let document = OpenAPIDocument.build(modules: modules)
    app.get(CoreRoute.openAPI) { req async throws -> Response in
        let response = Response(status: .ok)
        try response.content.encode(document, as: .json)
        return response
    }

    // Each module registered its own commands and jobs in `register(on:)`; the demo target's
    // come from here, since no module depends on it.
    DemoCommands.register(on: app)
    app.asyncCommands.use(BackupCommand(), as: "backup")
    app.asyncCommands.use(RestoreCommand(), as: "restore")
}

/// Points Fluent at SQLite or PostgreSQL.
///
/// SQLite runs in WAL mode with `synchronous=FULL` (a committed write survives a power cut),
/// foreign keys on and a 5 s busy timeout. Those pragmas are per connection; sqlite-kit opens
/// one connection per event loop, so they are applied once on each loop's connection.
func configureDatabase(_ app: Application, _ choice: AppConfig.DatabaseChoice) async throws {
    switch choice {
    case .sqliteMemory:
        app.databases.use(.sqlite(.memory, sqlLogLevel: nil), as: .sqlite)
        try await applySQLitePragmas(app, .sqlite, durableWrites)
    case .sqliteFile(let path):
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        app.databases.use(.sqlite(.file(path), sqlLogLevel: nil), as: .sqlite)
        if let sql = app.db as? any SQLDatabase { try await sql.raw("PRAGMA journal_mode = WAL").run() }
        try await applySQLitePragmas(app, .sqlite, durableWrites)
        // A second pool on the same file for batched writers (quiz submissions): its
        // connection, pinned to one loop, commits while requests read through their own.
        // Its commits never stop to copy the log into the database file (an automatic
        // checkpoint, with its flushes, made every thousandth page's batch wait): in a server
        // process a background job checkpoints instead, from another connection.
        let writer = Application.WriterDatabase(app, id: DatabaseID(string: "sqlite-writer"), configuration: .sqlite(.file(path), sqlLogLevel: nil))
        app.writerDatabase = writer
        try await applySQLitePragmas(writer.database(logger: app.logger), durableWrites + (app.config.runScheduler ? ["wal_autocheckpoint = 0"] : []))
        if app.config.runScheduler { app.lifecycle.use(walCheckpointer()) }
        // Read-only pools for hot reads (`req.readDB`): WAL lets them read while others write.
        let readPools = ProcessInfo.processInfo.environment["DANVAN_SQLITE_READ_POOLS"].flatMap(Int.init) ?? 3
        let readers = (0..<max(0, readPools)).map { DatabaseID(string: "sqlite-read-\($0)") }
        for id in readers {
            app.databases.use(.sqlite(.file(path), sqlLogLevel: nil), as: id, isDefault: false)
            try await applySQLitePragmas(app, id, ["busy_timeout = 5000", "query_only = 1"])
        }
        app.readDatabases = readers
    case .postgres(let url, let schema):
        var configuration = try SQLPostgresConfiguration(url: url)
        if let schema { configuration.searchPath = [schema, "public"] }
        // Connections per event loop (each a server process); requests wait in line for one.
        let perLoop = ProcessInfo.processInfo.environment["DANVAN_PG_CONNECTIONS_PER_LOOP"].flatMap(Int.init).map { max(1, $0) } ?? 4
        app.databases.use(.postgres(configuration: configuration, maxConnectionsPerEventLoop: perLoop, sqlLogLevel: .debug), as: .psql)
        PreparedReads.register(PostgresPreparedReads())
        // The group-commit writer gets a connection of its own: queued behind a rush of
        // reads for one of the shared pool's connections, it waited 17 ms of every 29 ms batch.
        app.writerDatabase = Application.WriterDatabase(
            app, id: DatabaseID(string: "psql-writer"), configuration: .postgres(configuration: configuration, maxConnectionsPerEventLoop: 1, sqlLogLevel: .debug)
        )
        if let schema, let sql = app.db as? any SQLDatabase {
            try await sql.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()
        }
    }
}

/// What every SQLite connection that writes needs: a committed write survives a power cut,
/// foreign keys are checked, a locked database is waited for up to 5 s.
private let durableWrites = ["synchronous = FULL", "foreign_keys = ON", "busy_timeout = 5000"]

/// Applies `pragmas` on the connection of pool `id` on each of `loops` (all loops by default).
/// Pragmas are per connection and sqlite-kit keeps one connection per loop in each pool.
private func applySQLitePragmas(_ app: Application, _ id: DatabaseID, _ pragmas: [String]) async throws {
    var seen = Set<ObjectIdentifier>()
    for loop in app.eventLoopGroup.makeIterator() where seen.insert(ObjectIdentifier(loop)).inserted {
        guard let database = app.databases.database(id, logger: app.logger, on: loop) else { continue }
        try await applySQLitePragmas(database, pragmas)
    }
}

/// Runs `pragmas` on the connection behind `database`.
private func applySQLitePragmas(_ database: any Database, _ pragmas: [String]) async throws {
    guard let sql = database as? any SQLDatabase else { return }
    for pragma in pragmas { try await sql.raw("PRAGMA \(unsafeRaw: pragma)").run() }
}

/// Copies the SQLite write-ahead log into the database file every second, from a pooled
/// connection (a PASSIVE checkpoint waits for nobody and blocks no writer). Runs where the
/// group-commit writer has its automatic checkpoints turned off.
private func walCheckpointer() -> PeriodicJob {
    PeriodicJob(L10n.text("cli.chep_nhat_ky_ghi_wal_vao"), firstDelay: .seconds(1), every: .seconds(1)) { app in
        guard let sql = app.db as? any SQLDatabase else { return }
        try await sql.raw("PRAGMA wal_checkpoint(PASSIVE)").run()
    }
}

/// The OpenAPI 3 document, assembled from what each module serves.
public enum OpenAPIDocument {
    /// Builds the document.
    public static func build(modules: [any DanVanModule]) -> JSON {
        var paths: [String: JSON] = [:]
        var schemas: [String: JSON] = [:]
        for module in modules {
            paths.merge(module.openAPIPaths) { $1 }
            schemas.merge(module.openAPISchemas) { $1 }
        }
        // A link whose operation is not served (a module left out) is dropped; the route tests
        // check that with every module every declared link resolves.
        paths = OpenAPILink.apply(modules.flatMap(\.openAPILinks), to: paths).paths
        return [
            "openapi": "3.0.3",
            "info": [
                "title": "DanVan API",
                "version": "1.0.0",
                "description": .string(L10n.text("cli.api_cua_he_thong_quan_ly")),
            ],
            "servers": [["url": "/"]],
            "security": [["bearer": []], ["session": []]],
            "paths": .object(paths),
            "components": [
                "securitySchemes": [
                    "bearer": ["type": "http", "scheme": "bearer"],
                    "session": ["type": "apiKey", "in": "cookie", "name": "danvan_session"],
                ],
                "schemas": .object(schemas),
            ],
        ]
    }
}

/// Leaf's template cache, on unless `DANVAN_TEMPLATE_RELOAD=1` (for editing templates). Vapor's
/// Leaf switches its cache off in the development environment, which is what `serve` runs in
/// unless told `--env production`: every page then re-read and re-parsed its templates from
/// disk (the largest single cost in the profile of the public contest pages). This cache keeps
/// its own setting and ignores that switch.
struct TemplateCache: LeafCache {
    private let store = DefaultLeafCache()
    private let enabled: Bool

    init(enabled: Bool) {
        self.enabled = enabled
        store.isEnabled = enabled
    }

    var isEnabled: Bool {
        get { enabled }
        set {} // Leaf's development-environment override; see the type's comment.
    }

    var count: Int { store.count }

    func insert(_ document: LeafAST, on loop: any EventLoop, replace: Bool) -> EventLoopFuture<LeafAST> {
        store.insert(document, on: loop, replace: replace)
    }

    func retrieve(documentName: String, on loop: any EventLoop) -> EventLoopFuture<LeafAST?> {
        store.retrieve(documentName: documentName, on: loop)
    }

    func remove(_ documentName: String, on loop: any EventLoop) -> EventLoopFuture<Bool?> {
        store.remove(documentName, on: loop)
    }
}
