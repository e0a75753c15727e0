import DanVanText
import Fluent
import SQLKit
import Vapor

/// A line of the home page's "what needs doing" that a module adds (reports to send, to review…).
public struct HomeTodo: Sendable, Equatable {
    public let text: String
    public let href: String

    /// A line linking to `href`.
    public init(text: String, href: String) {
        self.text = text
        self.href = href
    }
}

/// What a module contributes to a user's home page, registered in the module's `register(on:)`
/// (`app.homeTodos.append(HomeTodoSource(tables: …, figures: …, lines: …))`): the figures it
/// needs, as scalar subqueries (`PageFigures`; names prefixed with the module's, e.g.
/// `reports_owed`), and the lines it makes of their values. Reads only.
///
/// The page keeps each user's lines while nothing they are made from changed: the tables the
/// figures read (`tables`, each tracked by a `TrackTableWrites` migration of the module), the
/// accounts, the unit tree and the day. So the figures may depend on the time only through
/// the day (`today`, the start of the province's day).
public struct HomeTodoSource: Sendable {
    /// Every table the figures read.
    public let tables: [String]
    /// The figures for `user`, whose scope is `scope`, on the day starting at `today`.
    public let figures: @Sendable (_ user: User, _ scope: AccessScope, _ today: Date) -> PageFigures
    /// The lines the figures' values make.
    public let lines: @Sendable (_ values: PageFigureValues, _ user: User) throws -> [HomeTodo]

    /// A contribution reading `figures` from `tables` and showing `lines`.
    public init(
        tables: [String],
        figures: @escaping @Sendable (_ user: User, _ scope: AccessScope, _ today: Date) -> PageFigures,
        lines: @escaping @Sendable (_ values: PageFigureValues, _ user: User) throws -> [HomeTodo]
    ) {
        self.tables = tables
        self.figures = figures
        self.lines = lines
    }
}

extension Application {
    private struct HomeTodosKey: StorageKey { typealias Value = [HomeTodoSource] }

    /// The modules' contributions to the home page's to-do list, in registration order.
    public var homeTodos: [HomeTodoSource] {
        get { storage[HomeTodosKey.self] ?? [] }
        set { storage[HomeTodosKey.self] = newValue }
    }
}

/// The home page: what the signed-in user's world looks like and what needs doing.
struct HomeController {
    // The page's lists are written in Swift (see `HTML`).

    struct Count: Sendable {
        let label: String
        let value: String
        let href: String?

        var html: HTML {
            "<a class=\"stat\" href=\"\(href ?? "")\"><span class=\"stat-value\">\(value)</span><span class=\"stat-label\">\(label)</span></a>\n"
        }
    }

    struct Todo: Sendable {
        let text: String
        let href: String

        var html: HTML { "<li><a href=\"\(href)\">\(text)</a></li>" }
    }

    struct Colleague: Sendable {
        let href: String
        let fullName: String
        let roleLabel: String

        var html: HTML { "<li><a href=\"\(href)\">\(fullName)</a> <span class=\"muted small\">\(roleLabel)</span></li>" }
    }

    struct RecentEntry: Sendable {
        let at: String
        let actor: String
        let summary: String

        var html: HTML { "<li><span class=\"muted small\">\(at) · \(actor)</span><br>\(summary)</li>" }
    }

    struct HomeContext: Encodable, Sendable {
        let greeting: String
        let roleLabel: String
        let unitName: String
        let unitID: String
        let scopeLabel: String
        let counts: HTML
        let todos: HTML
        let hasTodos: Bool
        let subunits: HTML
        let hasSubunits: Bool
        let colleagues: HTML
        let recent: HTML
        let isAdmin: Bool
    }

    /// A unit under the user's own, as the home page lists it.
    static func subunitHTML(_ unit: UnitSnapshot) -> HTML {
        "<li><a href=\"\(CoreRoute.unit(unit.id).path)\">\(unit.name)</a> <span class=\"muted small\">\(unit.kind.label)</span></li>"
    }

    /// An administrator's extra figures: active accounts that must change their password,
    /// failed sign-ins since `since`, and what stands for the latest audit entries
    /// (`recentStamp(_:)`). On PostgreSQL that is the entries themselves (`recentFigures`), so
    /// the page needs no second statement. On SQLite it is the newest entry's row number
    /// (`home_audit_last`): entries are only ever added, never changed or deleted, and each new
    /// row gets a higher number, so the same number means the same latest entries; their text
    /// is read only when the page's body is made again — parsing the entries' query on every
    /// visit was a tenth of the administrator's home.
    static func adminFigures(since: Date, dialect: String) -> PageFigures {
        var figures = PageFigures()
        figures.add("home_must_change", "SELECT COUNT(*) FROM users WHERE must_change_password = \(bind: true) AND is_active = \(bind: true)")
        figures.add("home_failed", "SELECT COUNT(*) FROM login_attempts WHERE succeeded = \(bind: false) AND at >= \(bind: since)")
        if dialect == "postgresql" {
            figures.add(recentFigures(dialect: dialect))
        } else {
            figures.add("home_audit_last", "SELECT MAX(rowid) FROM audit_entries")
        }
        return figures
    }

    /// The latest audit entries as one text (`home_recent`, read back by `recentEntries(_:)`):
    /// each entry's time (seconds since 1970), actor and summary, as a JSON array of arrays.
    static func recentFigures(dialect: String) -> PageFigures {
        var figures = PageFigures()
        let latest: SQLQueryString = "SELECT at, actor_name, summary FROM audit_entries ORDER BY at DESC LIMIT \(literal: recentCount)"
        figures.add("home_recent", dialect == "postgresql"
            ? "SELECT COALESCE(json_agg(json_build_array(EXTRACT(EPOCH FROM r.at), r.actor_name, r.summary)), '[]')::text FROM (\(latest)) r"
            : "SELECT json_group_array(json_array(r.at, r.actor_name, r.summary)) FROM (\(latest)) r")
        return figures
    }

    /// What the administrator's figures `values` say of the latest audit entries: their text
    /// (PostgreSQL) or the newest one's row number (SQLite); see `adminFigures`.
    static func recentStamp(_ values: PageFigureValues) throws -> String? {
        try values.has("home_recent") ? values.text("home_recent") : String(try values.int("home_audit_last"))
    }

    /// The latest audit entries: from `values` when they hold them, else read now from `db`.
    static func recentEntries(_ values: PageFigureValues, on db: any Database) async throws -> [RecentEntry] {
        if values.has("home_recent") { return try recentEntries(values) }
        return try recentEntries(try await recentFigures(dialect: (db as? any SQLDatabase)?.dialect.name ?? "").read(on: db))
    }

    /// How many audit entries an administrator's home page shows.
    static let recentCount = 8

    /// The audit entries of `home_recent`, newest first.
    static func recentEntries(_ values: PageFigureValues) throws -> [RecentEntry] {
        struct Entry: Decodable {
            let at: Double, actor: String, summary: String
            init(from decoder: any Decoder) throws {
                var fields = try decoder.unkeyedContainer()
                (at, actor, summary) = (try fields.decode(Double.self), try fields.decode(String.self), try fields.decode(String.self))
            }
        }
        guard let text = try values.text("home_recent") else { return [] }
        let entries = try JSONDecoder().decode([Entry].self, from: Data(text.utf8))
        return entries.sorted { $0.at > $1.at }.map { entry in
            RecentEntry(at: VNFormat.dateTime(Date(timeIntervalSince1970: entry.at)), actor: entry.actor, summary: entry.summary)
        }
    }

    /// `adminFigures(since:)` read on their own.
    static func adminCounts(since: Date, on db: any Database) async throws -> (mustChange: Int, failed: Int) {
        let values = try await adminFigures(since: since, dialect: (db as? any SQLDatabase)?.dialect.name ?? "").read(on: db)
        return (try values.int("home_must_change"), try values.int("home_failed"))
    }

    /// The columns of a colleague's line, named once.
    private enum ColleagueColumns {
        static let id = User.column(\.$id), fullName = User.column(\.$fullName), role = User.column(\.$role)
        static let all = [id.key, fullName.key, role.key]
    }

    /// What the home page reads for `user` in its one statement: an administrator's extra
    /// figures, the fingerprint of the accounts (the scope's counts and the colleagues are kept
    /// under it and the unit tree's), the writes to the modules' tables (`home_writes`: the
    /// modules' lines are kept under it), and, when `withModules`, the modules' figures.
    static func figures(for user: User, scope: AccessScope, now: Date, modules: [HomeTodoSource], withModules: Bool, dialect: String) -> PageFigures {
        var figures = PageFigures()
        if user.role == .admin { figures.add(adminFigures(since: now.addingTimeInterval(-86_400), dialect: dialect)) }
        figures.addFingerprint(of: User.schema)
        figures.add("home_writes", TableWrites.sum(of: Array(Set(modules.flatMap(\.tables)))))
        if withModules { figures.add(moduleFigures(for: user, scope: scope, now: now, modules: modules)) }
        return figures
    }

    /// The modules' figures for `user` on the day of `now`.
    static func moduleFigures(for user: User, scope: AccessScope, now: Date, modules: [HomeTodoSource]) -> PageFigures {
        var figures = PageFigures()
        let today = CivilDay.startOfDay(now)
        for source in modules { figures.add(source.figures(user, scope, today)) }
        return figures
    }

    /// The modules' lines made from their figures' `values`.
    static func moduleLines(for user: User, values: PageFigureValues, modules: [HomeTodoSource]) throws -> [HomeTodo] {
        try modules.flatMap { try $0.lines(values, user) }
    }

    /// What the modules' lines for a user are made from: the writes to the modules' tables,
    /// the unit tree (the user's scope), the accounts (the user's role, unit and name) and the
    /// day (the figures' dates).
    struct LinesStamp: Equatable, Sendable {
        let writes: Int
        let units: TableFingerprint?
        let accounts: TableFingerprint
        let today: Date
    }

    /// What a user's home page shows; a plain function so tests call it directly.
    /// `tree` is the scope's units in tree order, ended ones included (the unit tree cache's).
    /// `values` are `figures(for:scope:now:modules:withModules:)`'s, read; `moduleLines` the
    /// lines the modules add (`app.homeTodos`).
    static func context(
        for user: User, unit: OrgUnit, scope: AccessScope, tree: [UnitSnapshot], values: PageFigureValues, moduleLines: [HomeTodo] = [],
        caches: Caches? = nil, on db: any Database
    ) async throws -> HomeContext {
        let activeTree = tree.filter(\.isActive)
        let activeUnits = activeTree.count
        let endedUnits = tree.count - activeUnits
        let accounts = try values.fingerprint(of: User.schema)
        // The scope's accounts and units without a focal person change only with the accounts
        // and the units: kept under both tables' fingerprints (a walk of both, a third of the
        // statement's time).
        let makeCounts = { try await Self.counts(in: scope, on: db) }
        let scopeCounts: Counts
        if let caches, let units = values.unitTree {
            scopeCounts = try await caches.counts.value(scope.pathPrefix ?? "*", at: units, accounts, make: makeCounts)
        } else {
            scopeCounts = try await makeCounts()
        }
        let (activeUsers, disabledUsers, withoutFocal) = (scopeCounts.active, scopeCounts.disabled, scopeCounts.withoutFocal)
        var counts = [
            Count(label: L10n.text("home.units"), value: VNFormat.integer(activeUnits), href: "/units"),
            Count(label: L10n.text("home.users"), value: VNFormat.integer(activeUsers), href: "/users"),
        ]
        if user.role != .focal {
            counts.append(Count(label: L10n.text("home.unitsEnded"), value: VNFormat.integer(endedUnits), href: "/units?ended=1"))
            counts.append(Count(label: L10n.text("home.usersDisabled"), value: VNFormat.integer(disabledUsers), href: "/users"))
        }
        var todos: [Todo] = []
        var recent: [RecentEntry] = []
        if user.mustChangePassword {
            todos.append(Todo(text: L10n.text("home.todoOwnPassword"), href: "/account"))
        }
        todos += moduleLines.map { Todo(text: $0.text, href: $0.href) }
        if user.role != .focal, withoutFocal > 0 {
            todos.append(Todo(text: L10n.format("home.todoNoFocal", [VNFormat.integer(withoutFocal)]), href: "/units?nofocal=1"))
        }
        if user.role == .admin {
            let mustChange = try values.int("home_must_change"), failed = try values.int("home_failed")
            if mustChange > 0 { todos.append(Todo(text: L10n.format("home.todoMustChange", [VNFormat.integer(mustChange)]), href: "/users?mustchange=1")) }
            counts.append(Count(label: L10n.text("home.failedLogins"), value: VNFormat.integer(failed), href: "/admin/audit?action=loginFailed"))
            recent = try await Self.recentEntries(values, on: db)
        }
        let unitID = try unit.requireID()
        let children = activeTree.filter { $0.parentID == unitID }
        // The unit's active accounts, kept while the accounts table is unchanged (the page read
        // its fingerprint with the counts).
        let makeColleagues = { try await Self.colleaguesHTML(of: unitID, on: db) }
        let colleagueLines: HTML
        if let caches {
            colleagueLines = try await caches.colleagues.value(unitID.uuidString, at: accounts, make: makeColleagues)
        } else {
            colleagueLines = try await makeColleagues()
        }
        return HomeContext(
            greeting: L10n.format("home.greeting", [user.fullName]), roleLabel: user.role.label, unitName: unit.name,
            unitID: unit.id?.uuidString ?? "",
            scopeLabel: scope.pathPrefix == nil ? L10n.text("home.scopeAll") : (scope.pathPrefix == unit.path ? unit.name : L10n.text("home.scopeAll")),
            counts: HTML.joined(counts.map(\.html)), todos: HTML.joined(todos.map(\.html)), hasTodos: !todos.isEmpty,
            subunits: HTML.joined(children.map(Self.subunitHTML)), hasSubunits: !children.isEmpty,
            colleagues: colleagueLines, recent: HTML.joined(recent.map(\.html)), isAdmin: user.role == .admin
        )
    }

    /// The lines of the active accounts of unit `unitID`, in Vietnamese order; only what the list
    /// shows, without models.
    static func colleaguesHTML(of unitID: UUID, on db: any Database) async throws -> HTML {
        typealias C = ColleagueColumns
        let colleagues = try await User.query(on: db).fields(C.all).filter(\.$unit.$id == unitID).filter(\.$isActive == true)
            .rows { row in Colleague(href: CoreRoute.user(try row[C.id]).path, fullName: try row[C.fullName], roleLabel: try row[C.role].label) }
        return HTML.joined(VietnameseCollation.sorted(colleagues, by: \.fullName).map(\.html))
    }

    /// Active and disabled accounts in the scope, and its active units above the village
    /// level without an active focal person, as figures (`counts(_:)` reads them back).
    static func countFigures(in scope: AccessScope) -> PageFigures {
        let inScope: SQLQueryString = scope.coversEveryUnit ? "" : scope.pathPrefix.map { " AND \(SQLQueryString.pathLike("w.path", $0))" } ?? ""
        var figures = PageFigures()
        figures.add("home_active", "SELECT SUM(CASE WHEN u.is_active THEN 1 ELSE 0 END) FROM users u\(SQLQueryString.scopeJoin(scope, on: "u.unit_id"))")
        figures.add("home_disabled", "SELECT SUM(CASE WHEN u.is_active THEN 0 ELSE 1 END) FROM users u\(SQLQueryString.scopeJoin(scope, on: "u.unit_id"))")
        figures.add("home_without_focal", """
            SELECT COUNT(*) FROM units w WHERE w.status = \(bind: OrgUnit.Status.active.rawValue) AND w.level <> \(bind: OrgUnit.Level.village.rawValue)\(inScope)
             AND NOT EXISTS (SELECT 1 FROM users f WHERE f.unit_id = w.id AND f.role = \(bind: Role.focal.rawValue) AND f.is_active = \(bind: true))
            """)
        return figures
    }

    /// The scope's active and disabled accounts and its units without an active focal person.
    struct Counts: Sendable {
        let active: Int, disabled: Int, withoutFocal: Int
    }

    /// `countFigures(in:)` read on their own.
    static func counts(in scope: AccessScope, on db: any Database) async throws -> Counts {
        let values = try await countFigures(in: scope).read(on: db)
        return Counts(active: try values.int("home_active"), disabled: try values.int("home_disabled"), withoutFocal: try values.int("home_without_focal"))
    }

    /// What the home page keeps per instance under its tables' fingerprints.
    struct Caches: Sendable {
        /// The scope's counts, by scope, under the units' and the accounts' fingerprints.
        let counts = FingerprintedCache<Counts>()
        /// The colleagues' lines, by unit, under the accounts' fingerprint.
        let colleagues = FingerprintedCache<HTML>()
        /// The modules' lines, by user, for the 1,000 users who looked last (`LinesStamp`).
        let lines = RecentlyUsedCache<UUID, LinesStamp, [HomeTodo]>(capacity: 1_000)
        /// The page's body as rendered, by user and language, for the 1,000 who looked last
        /// (`BodyStamp`): on a visit with nothing changed only the layout is rendered.
        let bodies = RecentlyUsedCache<String, BodyStamp, HTML>(capacity: 1_000)
    }

    /// Everything a user's page body is made from besides the user's id and language: the unit
    /// tree (the unit, its subunits, the scope and its counts), the accounts (the user, the
    /// colleagues, the counts), the modules' lines and an administrator's figures (with the
    /// latest audit entries' text).
    struct BodyStamp: Equatable, Sendable {
        let units: TableFingerprint?
        let accounts: TableFingerprint
        let lines: [HomeTodo]
        let admin: [String?]
        let localized: Bool
    }

    /// The page's body: the layout shows it (`home/index`, `#unsafeHTML(page.body)`).
    struct Body: Encodable, Sendable {
        let body: HTML
    }

    let caches = Caches()

    func index(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let userID = try user.requireID()
        let modules = req.application.homeTodos, now = req.now, dialect = (req.db as? any SQLDatabase)?.dialect.name ?? ""
        // One statement for the unit tree's fingerprint, the unread count and every figure; the
        // modules' figures only when this user's lines are not kept (they are likely current).
        let withModules = !caches.lines.holds(userID)
        let values = try await req.readFigures(scoped: { scope in
            Self.figures(for: user, scope: scope, now: now, modules: modules, withModules: withModules, dialect: dialect)
        })
        let scope = try await req.scope()
        let stamp = LinesStamp(
            writes: try values.int("home_writes"), units: values.unitTree, accounts: try values.fingerprint(of: User.schema),
            today: CivilDay.startOfDay(now)
        )
        let lines = try await caches.lines.value(userID, at: stamp) {
            // Made from the figures read with the stamp, or (kept lines out of date) read now,
            // after the stamp: never older than it says.
            let figures = withModules ? values : try await Self.moduleFigures(for: user, scope: scope, now: now, modules: modules).read(on: req.db)
            return try Self.moduleLines(for: user, values: figures, modules: modules)
        }
        let admin: [String?] = user.role == .admin
            ? [String(try values.int("home_must_change")), String(try values.int("home_failed")), try Self.recentStamp(values)] : []
        let bodyStamp = BodyStamp(
            units: values.unitTree, accounts: stamp.accounts, lines: lines, admin: admin, localized: req.application.rendersLocalizedTemplates
        )
        let body = try await caches.bodies.value(userID.uuidString + "|" + req.locale.rawValue, at: bodyStamp) {
            let context = try await Self.context(
                for: user, unit: try await req.currentUnit(), scope: scope, tree: try await req.unitSnapshots(in: scope, includeEnded: true),
                values: values, moduleLines: lines, caches: caches, on: req.db
            )
            return try await req.renderPiece("home/body", context)
        }
        return try await req.render("home/index", title: req.t("home.title"), Body(body: body))
    }
}
