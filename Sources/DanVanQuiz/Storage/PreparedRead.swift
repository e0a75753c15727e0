import DanVanCore
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit

// A read on a hot path, written once and run as a statement the database keeps prepared.
// Under the quiz rush on PostgreSQL the server spent 70 µs planning the submission's
// two-table read for every request and 21 µs executing it: an ordinary query is parsed and
// planned on each call. A named prepared statement is parsed once per connection and, after
// a few calls, runs on a generic plan. Modules stay free of driver types: they describe the
// read here, and the assembly registers the driver that knows how to prepare it.

/// A value bound to a prepared read's placeholder.
public enum PreparedValue: Sendable, Equatable {
    case uuid(UUID)
    case text(String)
    case integer(Int)
}

/// A read written with PostgreSQL-style placeholders (`$1`, `$2`, …, each may recur; no `$`
/// inside string literals), decoded into `Row` by column name.
public protocol PreparedRead: Sendable {
    /// What one row decodes into.
    associatedtype Row: Decodable & Sendable
    /// A name unique among prepared reads, at most 50 bytes, e.g. `quiz.attempt-with-token`
    /// (a driver names the server-side statement after it; PostgreSQL cuts names at 63 bytes).
    static var name: String { get }
    /// The statement.
    static var sql: String { get }
    /// The values for `$1`, `$2`, ….
    var values: [PreparedValue] { get }
}

/// Runs prepared reads on the databases of one driver.
public protocol PreparedReadDriver: Sendable {
    /// The rows of `read` on `db`, or nil when `db` does not belong to this driver (the read
    /// then runs as an ordinary query).
    func rows<Read: PreparedRead>(_ read: Read, on db: any Database) async throws -> [Read.Row]?
}

/// The drivers registered by the assembly (at most one per database kind).
public enum PreparedReads {
    private static let drivers = NIOLockedValueBox<[any PreparedReadDriver]>([])

    /// Registers `driver` once per driver type; registering the same type again is a no-op.
    public static func register(_ driver: some PreparedReadDriver) {
        drivers.withLockedValue { list in
            if !list.contains(where: { type(of: $0) == type(of: driver) }) { list.append(driver) }
        }
    }

    static var registered: [any PreparedReadDriver] { drivers.withLockedValue { $0 } }

    /// `sql` with each `$N` replaced by a bind of `values[N-1]`, for any SQL dialect.
    /// Throws when a placeholder has no value.
    static func query(_ sql: String, _ values: [PreparedValue]) throws -> SQLQueryString {
        var query = SQLQueryString("")
        var rest = sql.startIndex
        for placeholder in try placeholders(in: sql, count: values.count) {
            query.appendLiteral(String(sql[rest..<placeholder.range.lowerBound]))
            switch values[placeholder.number - 1] {
            case .uuid(let value): query.appendInterpolation(bind: value)
            case .text(let value): query.appendInterpolation(bind: value)
            case .integer(let value): query.appendInterpolation(bind: value)
            }
            rest = placeholder.range.upperBound
        }
        query.appendLiteral(String(sql[rest...]))
        return query
    }

    /// Throws when `sql` has a placeholder beyond the `count` values given.
    static func checkPlaceholders(_ sql: String, count: Int) throws {
        _ = try placeholders(in: sql, count: count)
    }

    /// Each `$N` of `sql`, in order; throws at the first without one of the `count` values.
    private static func placeholders(in sql: String, count: Int) throws -> [(range: Range<String.Index>, number: Int)] {
        let bytes = sql.utf8
        var found: [(range: Range<String.Index>, number: Int)] = []
        var index = bytes.startIndex
        while let dollar = bytes[index...].firstIndex(of: UInt8(ascii: "$")) {
            var end = bytes.index(after: dollar)
            var number = 0
            while end < bytes.endIndex, let digit = bytes[end].asciiDigit {
                number = min(number * 10 + digit, Int(Int32.max))
                end = bytes.index(after: end)
            }
            if end > bytes.index(after: dollar) {
                guard number >= 1, number <= count else { throw PlaceholderError(placeholder: String(sql[dollar..<end])) }
                found.append((dollar..<end, number))
            }
            index = end
        }
        return found
    }

    /// A read's name that is empty or longer than 50 bytes.
    public struct NameError: Error, Equatable {
        /// The name.
        public let name: String

        /// Names the name.
        public init(name: String) {
            self.name = name
        }
    }

    /// A placeholder without a value.
    public struct PlaceholderError: Error, Equatable {
        /// The placeholder as written, e.g. `$3`.
        public let placeholder: String

        /// Names the placeholder.
        public init(placeholder: String) {
            self.placeholder = placeholder
        }
    }
}

extension UInt8 {
    fileprivate var asciiDigit: Int? { self >= 0x30 && self <= 0x39 ? Int(self - 0x30) : nil }
}

extension Database {
    /// Every row of `read`: prepared by a registered driver where one serves this database,
    /// otherwise as an ordinary query.
    public func all<Read: PreparedRead>(_ read: Read) async throws -> [Read.Row] {
        // The same refusals whichever path runs the read.
        guard !Read.name.isEmpty, Read.name.utf8.count <= 50 else { throw PreparedReads.NameError(name: Read.name) }
        try PreparedReads.checkPlaceholders(Read.sql, count: read.values.count)
        for driver in PreparedReads.registered {
            if let rows = try await driver.rows(read, on: self) { return rows }
        }
        guard let sql = self as? any SQLDatabase else { throw AppError.unavailable }
        return try await sql.raw(PreparedReads.query(Read.sql, read.values)).all(decoding: Read.Row.self)
    }

    /// The first row of `read`, if any.
    public func first<Read: PreparedRead>(_ read: Read) async throws -> Read.Row? {
        try await all(read).first
    }
}
