import DanVanText
import Fluent
import SQLKit
import Vapor

/// A line of the home page's "what needs doing" that a module adds (reports to send, to review…).
public struct HomeTodo: Sendable {
    public let text: String
    public let href: String

    /// A line linking to `href`.
    public init(text: String, href: String) {
        self.text = text
        self.href = href
    }
}

/// What a module contributes to a user's home page; registered in the module's `register(on:)`
/// (`app.homeTodos.append { user, scope, now, db in … }`). Reads only.
public typealias HomeTodoSource = @Sendable (_ user: User, _ scope: AccessScope, _ now: Date, _ db: any Database) async throws -> [HomeTodo]

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

    /// The columns of a recent audit entry's line, named once.
    private enum AuditColumns {
        static let at = AuditEntry.column(\.$at), actor = AuditEntry.column(\.$actorName), summary = AuditEntry.column(\.$summary)
        static let all = [at.key, actor.key, summary.key]
    }

    /// An administrator's two extra figures in one statement: active accounts that must change
    /// their password, and failed sign-ins since `since`.
    static func adminCounts(since: Date, on db: any Database) async throws -> (mustChange: Int, failed: Int) {
        guard let sql = db as? any SQLDatabase else { throw AppError.unavailable }
        struct Row: Decodable { let must_change: Int, failed: Int }
        let row = try await sql.raw("""
            SELECT (SELECT COUNT(*) FROM users WHERE must_change_password = \(bind: true) AND is_active = \(bind: true)) AS must_change,
            (SELECT COUNT(*) FROM login_attempts WHERE succeeded = \(bind: false) AND at >= \(bind: since)) AS failed
            """).first(decoding: Row.self)
        return (row?.must_change ?? 0, row?.failed ?? 0)
    }

    /// The columns of a colleague's line, named once.
    private enum ColleagueColumns {
        static let id = User.column(\.$id), fullName = User.column(\.$fullName), role = User.column(\.$role)
        static let all = [id.key, fullName.key, role.key]
    }

    /// What a user's home page shows; a plain function so tests call it directly.
    /// `tree` is the scope's units in tree order, ended ones included (the unit tree cache's).
    /// `modules` are the lines the modules add (`app.homeTodos`).
    static func context(for user: User, unit: OrgUnit, scope: AccessScope, tree: [UnitSnapshot], now: Date, modules: [HomeTodoSource] = [], on db: any Database) async throws -> HomeContext {
        let activeTree = tree.filter(\.isActive)
        let activeUnits = activeTree.count
        let endedUnits = tree.count - activeUnits
        let (activeUsers, disabledUsers, withoutFocal) = try await Self.counts(in: scope, on: db)
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
        for source in modules {
            todos += try await source(user, scope, now, db).map { Todo(text: $0.text, href: $0.href) }
        }
        if user.role != .focal, withoutFocal > 0 {
            todos.append(Todo(text: L10n.format("home.todoNoFocal", [VNFormat.integer(withoutFocal)]), href: "/units?nofocal=1"))
        }
        if user.role == .admin {
            let (mustChange, failed) = try await Self.adminCounts(since: now.addingTimeInterval(-86_400), on: db)
            if mustChange > 0 { todos.append(Todo(text: L10n.format("home.todoMustChange", [VNFormat.integer(mustChange)]), href: "/users?mustchange=1")) }
            counts.append(Count(label: L10n.text("home.failedLogins"), value: VNFormat.integer(failed), href: "/admin/audit?action=loginFailed"))
            // The latest entries' time, actor and summary, without models (an entry's before and
            // after texts can be long).
            typealias A = AuditColumns
            recent = try await AuditEntry.query(on: db).fields(A.all).sort(\.$at, .descending).limit(8).rows { row in
                RecentEntry(at: VNFormat.dateTime(try row[A.at]), actor: try row[A.actor], summary: try row[A.summary])
            }
        }
        let unitID = try unit.requireID()
        let children = activeTree.filter { $0.parentID == unitID }
        // Only what the list shows, without models (every column of each account was read and decoded).
        typealias C = ColleagueColumns
        let colleagues = try await User.query(on: db).fields(C.all).filter(\.$unit.$id == unit.requireID()).filter(\.$isActive == true)
            .rows { row in Colleague(href: CoreRoute.user(try row[C.id]).path, fullName: try row[C.fullName], roleLabel: try row[C.role].label) }
        return HomeContext(
            greeting: L10n.format("home.greeting", [user.fullName]), roleLabel: user.role.label, unitName: unit.name,
            unitID: unit.id?.uuidString ?? "",
            scopeLabel: scope.pathPrefix == nil ? L10n.text("home.scopeAll") : (scope.pathPrefix == unit.path ? unit.name : L10n.text("home.scopeAll")),
            counts: HTML.joined(counts.map(\.html)), todos: HTML.joined(todos.map(\.html)), hasTodos: !todos.isEmpty,
            subunits: HTML.joined(children.map(Self.subunitHTML)), hasSubunits: !children.isEmpty,
            colleagues: HTML.joined(VietnameseCollation.sorted(colleagues, by: \.fullName).map(\.html)),
            recent: HTML.joined(recent.map(\.html)), isAdmin: user.role == .admin
        )
    }

    /// Active and disabled accounts in the scope, and its active units above the village
    /// level without an active focal person, in one read with SQLKit (Fluent counts walked the
    /// user model by reflection; the units were found by reading every staffed unit's id).
    static func counts(in scope: AccessScope, on db: any Database) async throws -> (active: Int, disabled: Int, withoutFocal: Int) {
        guard let sql = db as? any SQLDatabase else { throw AppError.unavailable }
        struct Row: Decodable { let active: Int?, disabled: Int?, without_focal: Int? }
        let inScope: SQLQueryString = scope.pathPrefix.map { " AND w.path LIKE \(bind: $0 + "%")" } ?? ""
        let row = try await sql.raw("""
            SELECT SUM(CASE WHEN u.is_active THEN 1 ELSE 0 END) AS active, SUM(CASE WHEN u.is_active THEN 0 ELSE 1 END) AS disabled,
            (SELECT COUNT(*) FROM units w WHERE w.status = \(bind: OrgUnit.Status.active.rawValue) AND w.level <> \(bind: OrgUnit.Level.village.rawValue)\(inScope)
             AND NOT EXISTS (SELECT 1 FROM users f WHERE f.unit_id = w.id AND f.role = \(bind: Role.focal.rawValue) AND f.is_active = \(bind: true))) AS without_focal
            FROM users u\(SQLQueryString.scopeJoin(scope, on: "u.unit_id"))
            """).first(decoding: Row.self)
        return (row?.active ?? 0, row?.disabled ?? 0, row?.without_focal ?? 0)
    }

    func index(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let scope = try await req.scope()
        let context = try await Self.context(
            for: user, unit: try await req.currentUnit(), scope: scope, tree: try await req.unitSnapshots(in: scope, includeEnded: true), now: req.now,
            modules: req.application.homeTodos, on: req.db
        )
        return try await req.render("home/index", title: req.t("home.title"), context)
    }
}
