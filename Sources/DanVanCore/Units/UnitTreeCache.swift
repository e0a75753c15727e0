import Fluent
import Foundation
import Vapor

/// The unit tree in tree order, kept per app between requests. Every page with a unit picker
/// or the tree used to load and order every unit (about 800 in a province) on each request.
/// The cache is checked against the table itself on every use (how many units there are and
/// the latest `updated_at`, which Fluent sets on every create and update), so a change made by
/// any instance, or by a command, is seen on the next request; units are never deleted.
/// The units handed out are shared: read them, never change and save them.
public final class UnitTreeCache: @unchecked Sendable {
    private struct Fingerprint: Equatable {
        let count: Int
        let latest: Date?
    }

    private let lock = NSLock()
    private var fingerprint: Fingerprint?
    private var trees: [String: [OrgUnit]] = [:]

    /// An empty cache.
    public init() {}

    /// `UnitService.tree(in:includeEnded:on:)`, from the cache while the table is unchanged.
    public func tree(in scope: AccessScope, includeEnded: Bool, on db: any Database) async throws -> [OrgUnit] {
        let current = Fingerprint(
            count: try await OrgUnit.query(on: db).count(),
            latest: try await OrgUnit.query(on: db).max(\.$updatedAt) ?? nil
        )
        let key = (scope.pathPrefix ?? "*") + (includeEnded ? "|all" : "|active")
        if let hit = lock.withLock({ fingerprint == current ? trees[key] : nil }) { return hit }
        let tree = try await UnitService.tree(in: scope, includeEnded: includeEnded, on: db)
        lock.withLock {
            if fingerprint != current {
                fingerprint = current
                trees = [:]
            }
            trees[key] = tree
        }
        return tree
    }
}

extension Application {
    private struct UnitTreeCacheKey: StorageKey { typealias Value = UnitTreeCache }

    /// The app's unit tree cache, made when CoreModule registers (before any request, so
    /// requests only ever read the storage).
    public var unitTreeCache: UnitTreeCache {
        get {
            guard let cache = storage[UnitTreeCacheKey.self] else { fatalError("CoreModule is not registered") }
            return cache
        }
        set { storage[UnitTreeCacheKey.self] = newValue }
    }
}

extension Request {
    /// The units of `scope` in tree order (active ones unless `includeEnded`), through the
    /// app's cache.
    public func unitTree(in scope: AccessScope, includeEnded: Bool = false) async throws -> [OrgUnit] {
        try await application.unitTreeCache.tree(in: scope, includeEnded: includeEnded, on: db)
    }
}
