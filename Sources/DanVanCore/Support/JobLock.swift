import Fluent
import Foundation
import SQLKit
import Vapor

/// Runs background work on one app instance at a time. On PostgreSQL the work runs inside a
/// transaction holding `pg_try_advisory_xact_lock(key # hash of the current schema)`: another
/// instance on the same schema that tries at the same moment skips the run instead of doing it
/// twice. Advisory locks are per database, so without the schema in the key two deployments
/// in different schemas of one database (a staging copy, each test's schema) skipped each
/// other's runs. SQLite has one writer process.
public enum JobLock {
    /// The lock key of a job's name (64-bit FNV-1a of its UTF-8): each job names its lock
    /// ("reports.periods"), so two modules cannot pick the same number by accident (the quiz
    /// closing and the reports job once shared 4301 and could skip each other's turn).
    public static func key(_ name: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }

    /// Runs `body` if the lock named `name` is free; returns whether it ran.
    @discardableResult
    public static func run(_ name: String, on db: any Database, _ body: @escaping @Sendable (any Database) async throws -> Void) async throws -> Bool {
        try await run(key(name), on: db, body)
    }

    /// Runs `body` if the lock for `key` is free; returns whether it ran.
    @discardableResult
    public static func run(_ key: Int64, on db: any Database, _ body: @escaping @Sendable (any Database) async throws -> Void) async throws -> Bool {
        guard let sql = db as? any SQLDatabase, sql.dialect.name == "postgresql" else {
            try await body(db)
            return true
        }
        return try await db.transaction { transaction in
            guard let locking = transaction as? any SQLDatabase else { return false }
            struct Row: Decodable { let locked: Bool }
            let locked = try await locking.raw(
                "SELECT pg_try_advisory_xact_lock(\(bind: key) # hashtextextended(current_schema(), 0)) AS locked"
            ).first(decoding: Row.self)?.locked ?? false
            guard locked else { return false }
            try await body(transaction)
            return true
        }
    }
}
