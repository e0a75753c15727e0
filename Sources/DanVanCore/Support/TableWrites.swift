import Fluent
import Foundation
import SQLKit

// Counters of the writes to chosen tables, kept by the database itself.
//
// A page that keeps what it made from several tables (the home page's to-do lines: reports,
// petitions, appraisals) must know, in its first statement, whether any of them changed. A
// table's `COUNT(*)` and latest `updated_at` (`TableFingerprint`) do not serve every table:
// some have no `updated_at`, and counting a large table reads it all. A trigger on each chosen
// table raises the table's counter in `table_writes` in the writing transaction, whatever
// wrote (a page, a job, another instance, a script): the sum of the counters changes exactly
// when a committed write touched one of the tables (counters only rise; a rolled-back write
// takes its raise back with it). PostgreSQL raises it once per statement and holds the
// counter's row until the writing transaction ends, so writes to the same table queue there:
// only tables written at an official's pace are tracked (never the quiz's).

/// The write counters (see the file's comment).
public enum TableWrites {
    /// The table of counters: one row per tracked table.
    static let schema = "table_writes"

    /// A scalar subquery: the sum of the counters of `tables` (each tracked by a
    /// `TrackTableWrites` migration), read back with `PageFigureValues.int`.
    public static func sum(of tables: [String]) -> SQLQueryString {
        // Table names are the code's (lower-case letters, digits and `_`, checked in debug
        // builds), written in quotes as they are: SQLKit's literal escaping was 1.7 % of the
        // home page.
        assert(tables.allSatisfy { $0.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") } }, "table names are lower-case identifiers")
        let names = tables.isEmpty ? "''" : tables.sorted().map { "'" + $0 + "'" }.joined(separator: ", ")
        return "SELECT CAST(COALESCE(SUM(writes), 0) AS BIGINT) FROM table_writes WHERE name IN (\(unsafeRaw: names))"
    }

    /// The names of the triggers on `table` on SQLite (one per kind of write).
    static func sqliteTriggers(_ table: String) -> [(name: String, event: String)] {
        ["INSERT", "UPDATE", "DELETE"].map { ("\(table)_writes_\($0.lowercased())", $0) }
    }
}

extension CoreMigrations {
    /// The counters' table and, on PostgreSQL, the trigger function that raises them.
    struct CreateTableWrites: AsyncMigration {
        var name: String { "core.0013.create-table-writes" }

        func prepare(on database: any Database) async throws {
            try await database.schema(TableWrites.schema)
                .field("name", .string, .identifier(auto: false))
                .field("writes", .int64, .required)
                .create()
            guard let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
            try await sql.raw("""
                CREATE OR REPLACE FUNCTION danvan_count_writes() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  UPDATE table_writes SET writes = writes + 1 WHERE name = TG_TABLE_NAME;
                  RETURN NULL;
                END
                $$
                """).run()
        }

        func revert(on database: any Database) async throws {
            if let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" {
                try await sql.raw("DROP FUNCTION IF EXISTS danvan_count_writes()").run()
            }
            try await database.schema(TableWrites.schema).delete()
        }
    }
}

/// Counts every write to `tables` from now on (`TableWrites`): a module's migration, named
/// `name`, for the tables whose changes a kept page (`RecentlyUsedCache`) must see.
public struct TrackTableWrites: AsyncMigration {
    let tables: [String]
    public let name: String

    /// Tracks `tables`, by the migration called `name`.
    public init(_ tables: [String], name: String) {
        self.tables = tables
        self.name = name
    }

    public func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw AppError.unavailable }
        for table in tables {
            try await sql.raw("INSERT INTO table_writes (name, writes) VALUES (\(bind: table), 0)").run()
            if sql.dialect.name == "postgresql" {
                try await sql.raw("""
                    CREATE TRIGGER \(ident: table + "_writes") AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON \(ident: table)
                    FOR EACH STATEMENT EXECUTE FUNCTION danvan_count_writes()
                    """).run()
            } else {
                for (trigger, event) in TableWrites.sqliteTriggers(table) {
                    try await sql.raw("""
                        CREATE TRIGGER \(ident: trigger) AFTER \(unsafeRaw: event) ON \(ident: table)
                        BEGIN UPDATE table_writes SET writes = writes + 1 WHERE name = \(literal: table); END
                        """).run()
                }
            }
        }
    }

    public func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { throw AppError.unavailable }
        for table in tables {
            if sql.dialect.name == "postgresql" {
                try await sql.raw("DROP TRIGGER IF EXISTS \(ident: table + "_writes") ON \(ident: table)").run()
            } else {
                for (trigger, _) in TableWrites.sqliteTriggers(table) {
                    try await sql.raw("DROP TRIGGER IF EXISTS \(ident: trigger)").run()
                }
            }
            try await sql.raw("DELETE FROM table_writes WHERE name = \(bind: table)").run()
        }
    }
}
