import DanVanText
import Fluent
import Foundation
import SQLKit
import Vapor

/// The unit tree in tree order, kept per app between requests. Every page with a unit picker
/// or the tree used to load and order every unit (about 800 in a province) on each request.
/// The cache is checked against the table itself on every use (how many units there are and
/// the latest `updated_at`, which Fluent sets on every create and update), so a change made by
/// any instance, or by a command, is seen on the next request; units are never deleted.
/// The units handed out are shared: read them, never change and save them.
public final class UnitTreeCache: @unchecked Sendable {
    /// The units table's fingerprint.
    typealias Fingerprint = TableFingerprint

    private let lock = NSLock()
    private var fingerprint: Fingerprint?
    private var trees: [String: [OrgUnit]] = [:]
    private var options: [String: String] = [:]
    private var labels: [String: [(id: UUID, label: String)]] = [:]
    private var byID: [UUID: OrgUnit]?
    private var snapshots: [String: [UnitSnapshot]] = [:]
    private var names: [UUID: String]?

    /// An empty cache.
    public init() {}

    /// `UnitService.tree(in:includeEnded:on:)`, from the cache while the table is unchanged.
    public func tree(in scope: AccessScope, includeEnded: Bool, on db: any Database) async throws -> [OrgUnit] {
        try await lookup(scope, includeEnded: includeEnded, at: Self.fingerprint(on: db), on: db).tree
    }

    /// The `<option>` elements of a unit picker over the same tree (each unit's id as the value,
    /// its name indented by depth, HTML-escaped), with the units in `selected` marked. The text
    /// is built once per tree: a picker of a province's ~800 units through a Leaf loop was a
    /// fifth of the task list's time. Put it in a template with `#unsafeHTML(…)`.
    public func optionsHTML(in scope: AccessScope, includeEnded: Bool, selected: Set<UUID>, on db: any Database) async throws -> String {
        try await optionsHTML(in: scope, includeEnded: includeEnded, selected: selected, at: Self.fingerprint(on: db), on: db)
    }

    func optionsHTML(in scope: AccessScope, includeEnded: Bool, selected: Set<UUID>, at current: Fingerprint, on db: any Database) async throws -> String {
        let (tree, key) = try await lookup(scope, includeEnded: includeEnded, at: current, on: db)
        var html: String
        if let hit = lock.withLock({ fingerprint == current ? options[key] : nil }) {
            html = hit
        } else {
            html = Self.options(tree)
            lock.withLock { if fingerprint == current { options[key] = html } }
        }
        for id in selected {
            html = html.replacingOccurrences(of: "value=\"\(id.uuidString)\">", with: "value=\"\(id.uuidString)\" selected>")
        }
        return html
    }

    /// The `<option>`s of the one `<datalist>` a page's unit pickers search: each unit's
    /// `pickerLabels` label as the value (what a browser without JavaScript suggests and
    /// types) and its id in `data-id`. Built once per tree, like `optionsHTML`.
    func pickerListHTML(in scope: AccessScope, includeEnded: Bool, at current: Fingerprint, on db: any Database) async throws -> String {
        let (_, key) = try await lookup(scope, includeEnded: includeEnded, at: current, on: db)
        let listKey = "list|" + key
        if let hit = lock.withLock({ fingerprint == current ? options[listKey] : nil }) { return hit }
        var html = ""
        for (id, label) in try await pickerLabels(in: scope, includeEnded: includeEnded, at: current, on: db) {
            html += "<option value=\"\(label.htmlEscaped)\" data-id=\"\(id.uuidString)\"></option>"
        }
        lock.withLock { if fingerprint == current { options[listKey] = html } }
        return html
    }

    /// `pickerLabels(_:)` of the tree, made once per tree: the page's unit list and the names
    /// typed into the registration (resolved on submit) read the same labels.
    func pickerLabels(in scope: AccessScope, includeEnded: Bool, at current: Fingerprint, on db: any Database) async throws -> [(id: UUID, label: String)] {
        let (tree, key) = try await lookup(scope, includeEnded: includeEnded, at: current, on: db)
        if let hit = lock.withLock({ fingerprint == current ? labels[key] : nil }) { return hit }
        let made = Self.pickerLabels(tree)
        lock.withLock { if fingerprint == current { labels[key] = made } }
        return made
    }

    /// A label for each unit that tells it apart: its name, followed by its parent's name
    /// where two units of the tree share the name ("Ban Dân vận (Huyện ủy Tân Lập)").
    public static func pickerLabels(_ tree: [OrgUnit]) -> [(id: UUID, label: String)] {
        var counts: [String: Int] = [:]
        for unit in tree { counts[VietnameseText.fold(unit.name), default: 0] += 1 }
        let names = Dictionary(tree.compactMap { unit in unit.id.map { ($0, unit.name) } }, uniquingKeysWith: { first, _ in first })
        return tree.compactMap { unit in
            guard let id = unit.id else { return nil }
            guard counts[VietnameseText.fold(unit.name), default: 0] > 1, let parent = unit.$parent.id.flatMap({ names[$0] }) else { return (id, unit.name) }
            return (id, "\(unit.name) (\(parent))")
        }
    }

    /// Every unit (ended ones too) by id, for showing the units that rows point at without
    /// loading them as models again (51 tasks' lead units were a sixth of the task list's time).
    public func unitsByID(on db: any Database) async throws -> [UUID: OrgUnit] {
        try await unitsByID(at: Self.fingerprint(on: db), on: db)
    }

    func unitsByID(at current: Fingerprint, on db: any Database) async throws -> [UUID: OrgUnit] {
        let (tree, _) = try await lookup(.everything, includeEnded: true, at: current, on: db)
        if let hit = lock.withLock({ fingerprint == current ? byID : nil }) { return hit }
        let map = Dictionary(tree.compactMap { unit in unit.id.map { ($0, unit) } }, uniquingKeysWith: { first, _ in first })
        lock.withLock { if fingerprint == current { byID = map } }
        return map
    }

    /// `tree(in:includeEnded:)` as plain values (`UnitSnapshot`), made once per tree.
    func snapshots(in scope: AccessScope, includeEnded: Bool, at current: Fingerprint, on db: any Database) async throws -> [UnitSnapshot] {
        let (tree, key) = try await lookup(scope, includeEnded: includeEnded, at: current, on: db)
        if let hit = lock.withLock({ fingerprint == current ? snapshots[key] : nil }) { return hit }
        let plain = tree.map(UnitSnapshot.init)
        lock.withLock { if fingerprint == current { snapshots[key] = plain } }
        return plain
    }

    /// Every unit's name (ended ones too) by id, for rows that name the units they point at.
    public func unitNames(on db: any Database) async throws -> [UUID: String] {
        try await unitNames(at: Self.fingerprint(on: db), on: db)
    }

    func unitNames(at current: Fingerprint, on db: any Database) async throws -> [UUID: String] {
        if let hit = lock.withLock({ fingerprint == current ? names : nil }) { return hit }
        var map: [UUID: String] = [:]
        for unit in try await snapshots(in: .everything, includeEnded: true, at: current, on: db) { map[unit.id] = unit.name }
        lock.withLock { if fingerprint == current { names = map } }
        return map
    }

    /// The options of `units`, unselected.
    static func options(_ units: [OrgUnit]) -> String {
        var html = ""
        html.reserveCapacity(units.count * 90)
        for unit in units {
            html += "<option value=\"\(unit.id?.uuidString ?? "")\">"
            html += String(repeating: "— ", count: unit.depth) + unit.name.htmlEscaped
            html += "</option>"
        }
        return html
    }

    func lookup(_ scope: AccessScope, includeEnded: Bool, at current: Fingerprint, on db: any Database) async throws -> (tree: [OrgUnit], key: String) {
        let key = (scope.pathPrefix ?? "*") + (includeEnded ? "|all" : "|active")
        if let hit = lock.withLock({ fingerprint == current ? trees[key] : nil }) { return (hit, key) }
        let tree = try await UnitService.tree(in: scope, includeEnded: includeEnded, on: db)
        lock.withLock {
            if fingerprint != current {
                fingerprint = current
                trees = [:]
                options = [:]
                labels = [:]
                byID = nil
                snapshots = [:]
                names = nil
            }
            trees[key] = tree
        }
        return (tree, key)
    }

    /// How many units there are and their latest change, in one query.
    static func fingerprint(on db: any Database) async throws -> Fingerprint {
        try await fingerprint(unreadFor: nil, on: db).fingerprint
    }

    /// The fingerprint and, for `userID`, the user's unread inbox entries in the same
    /// statement: a signed-in page needs both (its scope and its shell), and a statement costs
    /// a page a few percent (issue 12).
    static func fingerprint(unreadFor userID: UUID?, on db: any Database) async throws -> (fingerprint: Fingerprint, unread: Int?) {
        let (fingerprint, unread, _) = try await fingerprint(unreadFor: userID, with: PageFigures(), on: db)
        return (fingerprint, unread)
    }

    /// The same statement with a page's `figures` in it (`Request.readFigures`).
    static func fingerprint(unreadFor userID: UUID?, with figures: PageFigures, on db: any Database) async throws -> (fingerprint: Fingerprint, unread: Int?, row: (any SQLRow)?) {
        guard let sql = db as? any SQLDatabase else { throw AppError.unavailable }
        let unread: SQLQueryString = userID.map { ", (SELECT COUNT(*) FROM inbox_items WHERE user_id = \(bind: $0) AND read_at IS NULL) AS unread" } ?? ""
        // Each in its own subquery, so the latest change is read from the end of the
        // `updated_at` index rather than by a walk of the table (`core.0010`).
        let row = try await sql.raw("SELECT (SELECT COUNT(*) FROM units) AS n, (SELECT MAX(updated_at) FROM units) AS latest\(unread)\(figures.columns(leading: true))").first()
        let fingerprint = Fingerprint(rows: try row?.decode(column: "n", as: Int.self) ?? 0, latest: try row?.decode(column: "latest", as: Date?.self) ?? nil)
        return (fingerprint, userID == nil ? nil : try row?.decode(column: "unread", as: Int.self), row)
    }

    /// The fingerprint the cache's pieces belong to, if it holds any.
    var knownFingerprint: Fingerprint? { lock.withLock { fingerprint } }

    /// The tree of `scope` as the cache holds it for `current`, without reading anything.
    func cachedTree(_ scope: AccessScope, includeEnded: Bool, at current: Fingerprint) -> [OrgUnit]? {
        let key = (scope.pathPrefix ?? "*") + (includeEnded ? "|all" : "|active")
        return lock.withLock { fingerprint == current ? trees[key] : nil }
    }

    /// Every unit by id as the cache holds them for `current`, without reading anything.
    func cachedUnitsByID(at current: Fingerprint) -> [UUID: OrgUnit]? {
        lock.withLock { fingerprint == current ? byID : nil }
    }
}

extension String {
    /// `&`, `"`, `'`, `<` and `>` as entities, for text put into HTML outside Leaf (`HTML.escape`).
    public var htmlEscaped: String {
        HTML.escape(self)
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
    struct UnitTreeFingerprintKey: StorageKey { typealias Value = UnitTreeCache.Fingerprint }

    /// The units table's fingerprint, read once per GET however many cached pieces (tree,
    /// picker, map) the page asks for; a request that may write reads it on every use, so
    /// what it shows after changing a unit is current.
    func unitTreeFingerprint() async throws -> UnitTreeCache.Fingerprint {
        guard method == .GET else { return try await UnitTreeCache.fingerprint(on: db) }
        if let known = storage[UnitTreeFingerprintKey.self] { return known }
        // A GET writes nothing, so the unread count read now is the one the shell shows.
        let user = inboxUnreadKnown || url.path.hasPrefix("/api/") ? nil : currentUser?.id
        let (current, unread) = try await UnitTreeCache.fingerprint(unreadFor: user, on: db)
        storage[UnitTreeFingerprintKey.self] = current
        if let unread { knowInboxUnread(unread) }
        return current
    }

    /// The units of `scope` in tree order (active ones unless `includeEnded`), through the
    /// app's cache.
    public func unitTree(in scope: AccessScope, includeEnded: Bool = false) async throws -> [OrgUnit] {
        try await application.unitTreeCache.lookup(scope, includeEnded: includeEnded, at: unitTreeFingerprint(), on: db).tree
    }

    /// `unitTree(in:includeEnded:)` as plain values, through the app's cache: for pages that
    /// walk the tree (a model's field is read through its property wrapper, a generic lookup
    /// each time — a fifth of the task dashboard over a province's tree).
    public func unitSnapshots(in scope: AccessScope, includeEnded: Bool = false) async throws -> [UnitSnapshot] {
        try await application.unitTreeCache.snapshots(in: scope, includeEnded: includeEnded, at: unitTreeFingerprint(), on: db)
    }

    /// Every unit's name by id, through the app's cache.
    public func unitNames() async throws -> [UUID: String] {
        try await application.unitTreeCache.unitNames(at: unitTreeFingerprint(), on: db)
    }

    /// `UnitTreeCache.unitsByID`, through the app's cache.
    public func unitsByID() async throws -> [UUID: OrgUnit] {
        try await application.unitTreeCache.unitsByID(at: unitTreeFingerprint(), on: db)
    }

    /// `UnitTreeCache.pickerListHTML`, through the app's cache: put it once on the page in a
    /// `<datalist>` (`#unsafeHTML`) that every `data-picker` select with `data-source` searches.
    public func unitPickerListHTML(in scope: AccessScope, includeEnded: Bool = false) async throws -> String {
        try await application.unitTreeCache.pickerListHTML(in: scope, includeEnded: includeEnded, at: unitTreeFingerprint(), on: db)
    }

    /// `UnitTreeCache.pickerLabels`, through the app's cache: each unit's picker label by id.
    public func unitPickerLabels(in scope: AccessScope, includeEnded: Bool = false) async throws -> [(id: UUID, label: String)] {
        try await application.unitTreeCache.pickerLabels(in: scope, includeEnded: includeEnded, at: unitTreeFingerprint(), on: db)
    }

    /// `UnitTreeCache.optionsHTML`, through the app's cache.
    public func unitOptionsHTML(in scope: AccessScope, includeEnded: Bool = false, selected: Set<UUID> = []) async throws -> String {
        try await application.unitTreeCache.optionsHTML(in: scope, includeEnded: includeEnded, selected: selected, at: unitTreeFingerprint(), on: db)
    }
}

extension Request {
    /// The ids of the units inside the user's scope, or nil when the scope is the whole tree, so
    /// the large queries filter by `unit_id IN (…)` from the cached tree (or not at all) instead
    /// of joining a large table to `units` by path (`AccessScope.filter`).
    public func scopeUnitIDs() async throws -> [UUID]? {
        // `req.scope()` took them from the unit tree cache: no statement here.
        try await scope().unitIDs(on: db)
    }
}

/// A unit as plain values, read once from its model (`UnitTreeCache.snapshots`).
public struct UnitSnapshot: Sendable, Equatable {
    public let id: UUID
    public let parentID: UUID?
    public let name: String
    public let path: String
    public let depth: Int
    public let kind: OrgUnit.Kind
    public let isActive: Bool

    /// The values of `unit` (saved, so it has an id).
    public init(_ unit: OrgUnit) {
        id = unit.id ?? UUID()
        parentID = unit.$parent.id
        name = unit.name
        path = unit.path
        depth = unit.depth
        kind = unit.kind
        isActive = unit.isActive
    }
}
