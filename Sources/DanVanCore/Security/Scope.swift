import Fluent
import SQLKit
import Foundation
import Vapor

/// What part of the organisation tree a user may see and change: the single mechanism every
/// module uses to filter lists and to guard single records.
///
/// - Administrators see everything.
/// - Leaders and specialists of a unit marked `oversight` (the provincial mass-mobilisation
///   board, the provincial committee's standing office) see the whole tree that unit is in.
/// - Everyone else sees the subtree of their own unit.
public struct AccessScope: Sendable, Equatable {
    /// Path prefix of the visible subtree; nil means everything.
    public let pathPrefix: String?
    /// The answer of `unitIDs(on:)` when already known (a request's scope takes it from the
    /// unit tree cache): `.some(nil)` for a scope that holds every unit.
    var knownUnitIDs: [UUID]?? = nil

    init(pathPrefix: String?) {
        self.pathPrefix = pathPrefix
    }

    /// Whether the scope holds every unit: the whole tree, or a subtree that is the whole tree
    /// (the province's board), as far as the request knows (a scope made outside a request
    /// knows only its path). Then a query needs no filter by unit.
    public var coversEveryUnit: Bool {
        pathPrefix == nil || knownUnitIDs.map { $0 == nil } == true
    }

    /// Records the scope's units (`inside`, of the whole tree `all`) for `unitIDs(on:)`.
    mutating func know(inside: [OrgUnit], all: [OrgUnit]) {
        knownUnitIDs = .some(inside.count == all.count ? nil : inside.compactMap(\.id))
    }

    /// Two scopes are the same when they see the same subtree.
    public static func == (lhs: AccessScope, rhs: AccessScope) -> Bool {
        lhs.pathPrefix == rhs.pathPrefix
    }

    /// The whole tree.
    public static let everything = AccessScope(pathPrefix: nil)

    /// Scope of `user`, whose unit is `unit`.
    public static func of(_ user: User, unit: OrgUnit) -> AccessScope {
        switch user.role {
        case .admin:
            return .everything
        case .leader, .specialist:
            if unit.oversight, let root = unit.ancestorIDs.first {
                return AccessScope(pathPrefix: "/\(root.uuidString)/")
            }
            return AccessScope(pathPrefix: unit.path)
        case .focal:
            return AccessScope(pathPrefix: unit.path)
        }
    }

    /// Whether `unit` is inside the scope.
    public func contains(_ unit: OrgUnit) -> Bool {
        guard let pathPrefix else { return true }
        return unit.path.hasPrefix(pathPrefix)
    }

    /// Ids of the units inside the scope, or nil when it covers every unit (then no filter is
    /// needed, and an `IN` list of every unit would only slow a query down). Read with SQLKit: a
    /// unit query's `.all(\.$id)` decodes whole Fluent models by reflection, which was a third
    /// of the home page's time for a provincial specialist.
    public func unitIDs(on db: any Database) async throws -> [UUID]? {
        guard let pathPrefix else { return nil }
        if let known = knownUnitIDs { return known }
        guard let sql = db as? any SQLDatabase else { throw AppError.unavailable }
        // One count first: a provincial specialist's scope holds every unit, and reading
        // thousands of ids only to find that out would cost more than the query they filter.
        struct Counts: Decodable { let total: Int, inside: Int? }
        let counts = try await sql.raw("""
            SELECT COUNT(*) AS total, SUM(CASE WHEN path LIKE \(bind: pathPrefix + "%") THEN 1 ELSE 0 END) AS inside FROM units
            """).first(decoding: Counts.self)
        if let counts, (counts.inside ?? 0) == counts.total { return nil }
        let rows = try await sql.select().column("id").from(OrgUnit.schema).where("path", .like, pathPrefix + "%").all()
        return try rows.map { try $0.decode(column: "id", as: UUID.self) }
    }

    /// Narrows a unit query to the scope.
    public func filter(_ query: QueryBuilder<OrgUnit>) -> QueryBuilder<OrgUnit> {
        guard let pathPrefix else { return query }
        return query.filter(\.$path =~ pathPrefix)
    }

    /// Narrows a query of records owned by a unit to those whose unit is inside the scope
    /// (one join, no walk of the tree).
    public func filter<M: UnitOwned>(_ query: QueryBuilder<M>) -> QueryBuilder<M> {
        guard let pathPrefix else { return query }
        return query.join(OrgUnit.self, on: M.ownerUnitKey == \OrgUnit.$id).filter(OrgUnit.self, \.$path =~ pathPrefix)
    }
}

/// A record that belongs to a unit, so `AccessScope` can filter it.
public protocol UnitOwned: Model {
    /// The foreign key of the owning unit.
    static var ownerUnitKey: KeyPath<Self, FieldProperty<Self, UUID>> { get }
}

extension User: UnitOwned {
    /// Users belong to their unit.
    public static var ownerUnitKey: KeyPath<User, FieldProperty<User, UUID>> { \User.$unit.$id }
}

extension Request {
    struct ScopeKey: StorageKey { typealias Value = AccessScope }
    struct UnitKey: StorageKey { typealias Value = OrgUnit }

    /// The signed-in user, if any.
    public var currentUser: User? { auth.get(User.self) }

    /// The signed-in user, or 401.
    public func requireUser() throws -> User {
        guard let user = auth.get(User.self) else { throw AppError.unauthenticated }
        return user
    }

    /// The signed-in user's own unit (loaded once per request).
    public func currentUnit() async throws -> OrgUnit {
        if let unit = storage[UnitKey.self] { return unit }
        let user = try requireUser()
        // From the unit tree cache (checked against the table's fingerprint, which most pages
        // read anyway), not a Fluent read of its own on every signed-in page.
        guard let unit = try await unitsByID()[user.$unit.id] else { throw AppError.forbidden }
        storage[UnitKey.self] = unit
        return unit
    }

    /// The signed-in user's scope (computed once per request).
    public func scope() async throws -> AccessScope {
        if let scope = storage[ScopeKey.self] { return scope }
        var scope = AccessScope.of(try requireUser(), unit: try await currentUnit())
        if scope.pathPrefix != nil {
            // Its units' ids from the unit tree cache (whose fingerprint the page has read for
            // the user's unit), so `unitIDs(on:)` costs no statement of its own.
            let inside = try await unitTree(in: scope, includeEnded: true)
            let all = try await unitTree(in: .everything, includeEnded: true)
            scope.know(inside: inside, all: all)
        }
        storage[ScopeKey.self] = scope
        return scope
    }

    /// The unit with `id` if it is inside the user's scope; otherwise 404, so ids outside the
    /// scope cannot be probed.
    public func unitInScope(_ id: UUID?) async throws -> OrgUnit {
        guard let id, let unit = try await OrgUnit.find(id, on: db), try await scope().contains(unit) else {
            throw AppError.notFound
        }
        return unit
    }

    /// Throws 403 unless the signed-in user has one of `roles`.
    public func require(_ roles: Role...) throws {
        guard roles.contains(try requireUser().role) else { throw AppError.forbidden }
    }
}
