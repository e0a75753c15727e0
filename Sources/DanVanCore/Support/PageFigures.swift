import Fluent
import Foundation
import SQLKit
import Vapor

// A page's scalar figures, read in the request's first statement.
//
// Every signed-in GET reads the unit tree's fingerprint and the shell's unread count in one
// statement. A statement costs a page a few percent of its time whatever it reads (Fluent's or
// SQLKit's serialisation, SQLite's parse, the hop to the database's thread pool; issue 12), so
// a page whose figures are scalar subqueries (counts, a nearest date, another table's
// fingerprint) puts them into that statement instead of making statements of its own: the
// home page's counts and every module's to-do figures, the library's fingerprint.
//
// The figures of a scoped page need the user's scope, and the scope needs the unit tree, whose
// fingerprint is what the statement reads. They are built with the scope as the unit tree
// cache last knew it and kept only when the fingerprint read beside them is that same one;
// otherwise (the tree changed, the cache is empty, the request is not a GET or has read the
// fingerprint already) they are read in a statement of their own once the scope is known.

/// Scalar subqueries a page reads, each under its own name.
public struct PageFigures: Sendable {
    private var items: [(name: String, sql: SQLQueryString)] = []

    /// None.
    public init() {}

    /// Adds `subquery`, a `SELECT` giving one value (or none: then it reads as nil), read as
    /// `name` (lower-case letters, digits and `_`; unique on the page).
    public mutating func add(_ name: String, _ subquery: SQLQueryString) {
        // Checked in debug builds (the tests): the home page adds a dozen figures per request,
        // and these checks were 2 % of it in release.
        assert(name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }, "figure names are lower-case identifiers")
        assert(!items.contains { $0.name == name }, "figure \(name) is added twice")
        items.append((name, subquery))
    }

    /// Adds `other`'s figures.
    public mutating func add(_ other: PageFigures) {
        for item in other.items { add(item.name, item.sql) }
    }

    /// Adds the fingerprint of `table` (how many rows it has and their latest `updated_at`,
    /// which Fluent sets on every create and update), read back with
    /// `PageFigureValues.fingerprint(of:)`: the figures of a page that keeps something
    /// made from the table (`FingerprintedCache`). The table needs an index on `updated_at`.
    public mutating func addFingerprint(of table: String) {
        add(table + "_rows", "SELECT COUNT(*) FROM \(unsafeRaw: table)")
        add(table + "_latest", "SELECT MAX(updated_at) FROM \(unsafeRaw: table)")
    }

    /// Adds the latest change of `table` (`MAX(updated_at)`, from its index), read back with
    /// `PageFigureValues.latestChange(of:)`: the fingerprint of a table whose rows are never
    /// deleted (counting them would read them all).
    public mutating func addLatestChange(of table: String) {
        add(table + "_latest", "SELECT MAX(updated_at) FROM \(unsafeRaw: table)")
    }

    /// Whether there are none.
    public var isEmpty: Bool { items.isEmpty }

    /// The figures in a statement of their own.
    public func read(on db: any Database) async throws -> PageFigureValues {
        guard !isEmpty else { return PageFigureValues(nil) }
        guard let sql = db as? any SQLDatabase else { throw AppError.unavailable }
        return PageFigureValues(try await sql.raw("SELECT \(columns(leading: false))").first())
    }

    /// The figures as select-list columns, `(subquery) AS name`, comma-separated (with a
    /// leading comma when `leading`).
    func columns(leading: Bool) -> SQLQueryString {
        var text: SQLQueryString = ""
        for (index, item) in items.enumerated() {
            // The name written quoted as it is: `add` allows only lower-case letters, digits
            // and `_` (SQLKit's identifier escaping was 1.4 % of the administrator's home).
            text = text + (leading || index > 0 ? ", (" : "(") + item.sql + ") AS \"\(unsafeRaw: item.name)\""
        }
        return text
    }
}

/// The values of a page's figures, read by name.
public struct PageFigureValues: @unchecked Sendable {
    // A row of the statement that read them (only read, on the request's task).
    let row: (any SQLRow)?
    /// The unit tree's fingerprint, read with the figures or before them (nil for figures read
    /// outside a request).
    public let unitTree: TableFingerprint?

    init(_ row: (any SQLRow)?, unitTree: TableFingerprint? = nil) {
        self.row = row
        self.unitTree = unitTree
    }

    /// The integer `name` (a count), 0 when it read as nil.
    public func int(_ name: String) throws -> Int {
        try row?.decodeNil(column: name) == false ? try row?.decode(column: name, as: Int.self) ?? 0 : 0
    }

    /// The date `name`, nil when it read as nil.
    public func date(_ name: String) throws -> Date? {
        try row?.decode(column: name, as: Date?.self) ?? nil
    }

    /// The fingerprint of `table` (`PageFigures.addFingerprint(of:)`).
    public func fingerprint(of table: String) throws -> TableFingerprint {
        TableFingerprint(rows: try int(table + "_rows"), latest: try date(table + "_latest"))
    }

    /// The fingerprint of `table`, a table whose rows are never deleted
    /// (`PageFigures.addLatestChange(of:)`).
    public func latestChange(of table: String) throws -> TableFingerprint {
        TableFingerprint(rows: 0, latest: try date(table + "_latest"))
    }

    /// Whether the figures hold `name`.
    public func has(_ name: String) -> Bool {
        row?.contains(column: name) ?? false
    }

    /// The text `name`, nil when it read as nil.
    public func text(_ name: String) throws -> String? {
        try row?.decode(column: name, as: String?.self) ?? nil
    }
}

extension Request {
    /// Reads `figures` (which do not depend on the user's scope), in the request's first
    /// statement when it has not been made yet (see the file's comment).
    public func readFigures(_ figures: PageFigures) async throws -> PageFigureValues {
        if method == .GET, storage[UnitTreeFingerprintKey.self] == nil {
            let user = inboxUnreadKnown || url.path.hasPrefix("/api/") ? nil : currentUser?.id
            let (current, unread, row) = try await UnitTreeCache.fingerprint(unreadFor: user, with: figures, on: db)
            storage[UnitTreeFingerprintKey.self] = current
            if let unread { knowInboxUnread(unread) }
            return PageFigureValues(row, unitTree: current)
        }
        let tree = try await unitTreeFingerprint()
        return PageFigureValues(try await figures.read(on: db).row, unitTree: tree)
    }

    /// Reads the figures `make` builds for the signed-in user's scope, in the request's first
    /// statement when the unit tree cache knows the scope (see the file's comment), and sets the
    /// request's scope.
    public func readFigures(scoped make: (AccessScope) throws -> PageFigures) async throws -> PageFigureValues {
        let user = try requireUser()
        if method == .GET, storage[UnitTreeFingerprintKey.self] == nil, storage[ScopeKey.self] == nil,
           let (known, unit, scope) = cachedScope(of: user) {
            let figures = try make(scope)
            let reader = inboxUnreadKnown ? nil : user.id
            let (current, unread, row) = try await UnitTreeCache.fingerprint(unreadFor: reader, with: figures, on: db)
            storage[UnitTreeFingerprintKey.self] = current
            if let unread { knowInboxUnread(unread) }
            if current == known {
                storage[UnitKey.self] = unit
                storage[ScopeKey.self] = scope
                return PageFigureValues(row, unitTree: current)
            }
            // The tree changed since: the scope is made again from it, and the figures read anew.
        }
        let scope = try await scope()
        let tree = try await unitTreeFingerprint()
        return PageFigureValues(try await make(scope).read(on: db).row, unitTree: tree)
    }

    /// The user's unit and scope as the unit tree cache knows them, without reading anything,
    /// and the fingerprint they belong to; nil when the cache does not hold them.
    private func cachedScope(of user: User) -> (UnitTreeCache.Fingerprint, OrgUnit, AccessScope)? {
        let cache = application.unitTreeCache
        guard let known = cache.knownFingerprint, let unit = cache.cachedUnitsByID(at: known)?[user.$unit.id] else { return nil }
        var scope = AccessScope.of(user, unit: unit)
        if scope.pathPrefix != nil {
            guard let inside = cache.cachedTree(scope, includeEnded: true, at: known),
                  let all = cache.cachedTree(.everything, includeEnded: true, at: known) else { return nil }
            scope.know(inside: inside, all: all)
        }
        return (known, unit, scope)
    }
}

/// How many rows a table has and their latest change: when neither moved, nothing was
/// created, changed or deleted (a deletion lowers the count; a creation or a change sets a
/// newer `updated_at`).
public struct TableFingerprint: Equatable, Sendable {
    public let rows: Int
    public let latest: Date?

    /// The fingerprint of a table with `rows` rows changed last at `latest`.
    public init(rows: Int, latest: Date?) {
        self.rows = rows
        self.latest = latest
    }
}

/// Values made from a table, kept per instance while its fingerprint (read by the page in its
/// first statement, `PageFigures.addFingerprint(of:)`) stays the same: what every instance
/// shows is what the table holds, whichever instance changed it. The values are shared: read
/// them, never change them.
public final class FingerprintedCache<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var fingerprint: [TableFingerprint]?
    private var values: [String: Value] = [:]

    /// An empty cache.
    public init() {}

    /// The value under `key` for the tables' fingerprints `current` (always given in the same
    /// order), made by `make` (and kept) when the cache has none. `make` reads the tables after
    /// their fingerprints were read, so what it keeps is never older than they say.
    /// A value that also depends on time says until when it holds with `isCurrent`.
    public func value(
        _ key: String, at current: TableFingerprint..., isCurrent: (Value) -> Bool = { _ in true }, make: () async throws -> Value
    ) async throws -> Value {
        if let hit = lock.withLock({ fingerprint == current ? values[key] : nil }), isCurrent(hit) { return hit }
        let made = try await make()
        lock.withLock {
            if fingerprint != current {
                fingerprint = current
                values = [:]
            }
            values[key] = made
        }
        return made
    }
}

/// Values kept per key (a user), each under a stamp of its own that the page reads in its first
/// statement (the user's inbox entries counted), at most `capacity` of them: the one used
/// least recently goes first. For what one user sees often and many users each see their own
/// of; `FingerprintedCache` keeps what all users share under one fingerprint.
public final class RecentlyUsedCache<Key: Hashable & Sendable, Stamp: Equatable & Sendable, Value: Sendable>: @unchecked Sendable {
    private struct Entry {
        let stamp: Stamp
        let value: Value
        var used: UInt64
    }

    private let lock = NSLock()
    private var entries: [Key: Entry] = [:]
    private var clock: UInt64 = 0
    /// How many keys it holds at most.
    public let capacity: Int

    /// An empty cache of at most `capacity` keys.
    public init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    /// The value under `key` made when its stamp was `stamp`, or the one `make` makes now (and
    /// kept). `make` reads after the stamp was read, so what it keeps is never older than the
    /// stamp says.
    public func value(_ key: Key, at stamp: Stamp, make: () async throws -> Value) async throws -> Value {
        let hit: Value? = lock.withLock {
            clock += 1
            guard var entry = entries[key], entry.stamp == stamp else { return nil }
            entry.used = clock
            entries[key] = entry
            return entry.value
        }
        if let hit { return hit }
        let made = try await make()
        lock.withLock {
            clock += 1
            if entries[key] == nil, entries.count >= capacity,
               let oldest = entries.min(by: { $0.value.used < $1.value.used })?.key {
                entries[oldest] = nil
            }
            entries[key] = Entry(stamp: stamp, value: made, used: clock)
        }
        return made
    }

    /// How many keys it holds.
    public var count: Int { lock.withLock { entries.count } }

    /// Whether it holds a value for `key`.
    public func holds(_ key: Key) -> Bool { lock.withLock { entries[key] != nil } }
}
