import Fluent
import Foundation
import SQLKit
import Vapor

/// Runs background work on one app instance at a time. On PostgreSQL the work runs inside a
/// transaction holding `pg_try_advisory_xact_lock(key)`: another instance that tries at the
/// same moment skips the run instead of doing it twice. SQLite has one writer process.
public enum JobLock {
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
            let locked = try await locking.raw("SELECT pg_try_advisory_xact_lock(\(bind: key)) AS locked").first(decoding: Row.self)?.locked ?? false
            guard locked else { return false }
            try await body(transaction)
            return true
        }
    }
}
