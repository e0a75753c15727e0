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
    struct Count: Encodable, Sendable {
        let label: String
        let value: String
        let href: String?
    }

    struct Todo: Encodable, Sendable {
        let text: String
        let href: String
    }

    struct Colleague: Encodable, Sendable {
        let href: String
        let fullName: String
        let roleLabel: String
    }

    struct RecentEntry: Encodable, Sendable {
        let at: String
        let actor: String
        let summary: String
    }

    struct HomeContext: Encodable, Sendable {
        let greeting: String
        let roleLabel: String
        let unitName: String
        let unitID: String
        let scopeLabel: String
        let counts: [Count]
        let todos: [Todo]
        let subunits: [UnitRow]
        let colleagues: [Colleague]
        let recent: [RecentEntry]
        let isAdmin: Bool
    }

    /// What a user's home page shows; a plain function so tests call it directly.
    /// `tree` is the scope's units in tree order, ended ones included (the unit tree cache's).
    /// `modules` are the lines the modules add (`app.homeTodos`).
    static func context(for user: User, unit: OrgUnit, scope: AccessScope, tree: [OrgUnit], now: Date, modules: [HomeTodoSource] = [], on db: any Database) async throws -> HomeContext {
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
            let mustChange = try await User.query(on: db).filter(\.$mustChangePassword == true).filter(\.$isActive == true).count()
            if mustChange > 0 { todos.append(Todo(text: L10n.format("home.todoMustChange", [VNFormat.integer(mustChange)]), href: "/users?mustchange=1")) }
            let failed = try await LoginAttempt.query(on: db).filter(\.$succeeded == false).filter(\.$at >= now.addingTimeInterval(-86_400)).count()
            counts.append(Count(label: L10n.text("home.failedLogins"), value: VNFormat.integer(failed), href: "/admin/audit?action=loginFailed"))
            recent = try await AuditEntry.query(on: db).sort(\.$at, .descending).limit(8).all().map {
                RecentEntry(at: VNFormat.dateTime($0.at), actor: $0.actorName, summary: $0.summary)
            }
        }
        let unitID = try unit.requireID()
        let children = activeTree.filter { $0.$parent.id == unitID }
        // Only what the list shows (every column of each account was read and decoded).
        let colleagues = try await User.query(on: db).field(\.$id).field(\.$fullName).field(\.$role)
            .filter(\.$unit.$id == unit.requireID()).filter(\.$isActive == true).allSelected()
        return HomeContext(
            greeting: L10n.format("home.greeting", [user.fullName]), roleLabel: user.role.label, unitName: unit.name,
            unitID: unit.id?.uuidString ?? "",
            scopeLabel: scope.pathPrefix == nil ? L10n.text("home.scopeAll") : (scope.pathPrefix == unit.path ? unit.name : L10n.text("home.scopeAll")),
            counts: counts, todos: todos,
            subunits: children.map { UnitRow($0, baseDepth: $0.depth) },
            colleagues: VietnameseCollation.sorted(colleagues, by: \.fullName).map {
                Colleague(href: CoreRoute.user($0.id).path, fullName: $0.fullName, roleLabel: $0.role.label)
            },
            recent: recent, isAdmin: user.role == .admin
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
            for: user, unit: try await req.currentUnit(), scope: scope, tree: try await req.unitTree(in: scope, includeEnded: true), now: req.now,
            modules: req.application.homeTodos, on: req.db
        )
        return try await req.render("home/index", title: req.t("home.title"), context)
    }
}
