import Fluent
import Foundation
import SQLKit

/// Counts every write to the database from the moment it is installed: a trigger on each table
/// logs the table and the operation into `danvan_write_log`. On PostgreSQL the triggers fire
/// once per statement (an `UPDATE` that matched nothing still counts); SQLite has only row
/// triggers, so there a statement that changed no row goes unseen.
public struct WriteCounter: Sendable {
    let sql: any SQLDatabase

    /// Installs the log and the triggers on every table `db` has now.
    public static func install(on db: any Database) async throws -> WriteCounter {
        guard let sql = db as? any SQLDatabase else { throw CounterError.notSQL }
        let postgres = sql.dialect.name == "postgresql"
        try await sql.raw("CREATE TABLE danvan_write_log (entry TEXT NOT NULL)").run()
        struct Table: Decodable { let name: String }
        if postgres {
            try await sql.raw("""
                CREATE OR REPLACE FUNCTION danvan_count_write() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN INSERT INTO danvan_write_log VALUES (TG_TABLE_NAME || '.' || TG_OP); RETURN NULL; END $$
                """).run()
            let tables = try await sql.raw("""
                SELECT table_name AS name FROM information_schema.tables
                WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'danvan_write_log'
                """).all(decoding: Table.self)
            for table in tables {
                try await sql.raw("""
                    CREATE TRIGGER \(unsafeRaw: "danvan_count_" + table.name) AFTER INSERT OR UPDATE OR DELETE ON \(ident: table.name)
                    FOR EACH STATEMENT EXECUTE FUNCTION danvan_count_write()
                    """).run()
            }
        } else {
            let tables = try await sql.raw("""
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'danvan_write_log' AND sql NOT LIKE 'CREATE VIRTUAL%'
                """).all(decoding: Table.self)
            for table in tables {
                for operation in ["INSERT", "UPDATE", "DELETE"] {
                    try await sql.raw("""
                        CREATE TRIGGER \(ident: "danvan_count_" + table.name + "_" + operation) AFTER \(unsafeRaw: operation) ON \(ident: table.name)
                        BEGIN INSERT INTO danvan_write_log VALUES (\(literal: table.name + "." + operation)); END
                        """).run()
                }
            }
        }
        return WriteCounter(sql: sql)
    }

    /// The writes logged so far, oldest first (`table.OPERATION`).
    public func writes() async throws -> [String] {
        struct Row: Decodable { let entry: String }
        return try await sql.raw("SELECT entry FROM danvan_write_log").all(decoding: Row.self).map(\.entry)
    }

    /// Forgets the writes logged so far.
    public func reset() async throws {
        try await sql.raw("DELETE FROM danvan_write_log").run()
    }

    enum CounterError: Error { case notSQL }
}
