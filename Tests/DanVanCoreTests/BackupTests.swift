@testable import DanVanApp
import DanVanCore
import DanVanTestSupport
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

/// `danvan backup` / `danvan restore` on both databases: a backup taken while writes go on,
/// the database and the file store wiped, the backup restored and compared table by table.
@Suite("Backup and restore", .serialized)
struct BackupTests {
    static func folder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("danvan-backup-\(UUID().uuidString)")
    }

    /// Drops every table of the app (SQLite) or its whole schema (PostgreSQL).
    static func wipe(_ app: Application) async throws {
        try await app.db.withConnection { db in
            guard let sql = db as? any SQLDatabase else { return }
            if sql.dialect.name == "sqlite" {
                try await sql.raw("PRAGMA foreign_keys = OFF").run()
                for table in try await Backup.tableNames(on: sql) where !table.hasPrefix("documents_fts_") {
                    try await sql.raw("DROP TABLE IF EXISTS \(ident: table)").run()
                }
                try await sql.raw("PRAGMA foreign_keys = ON").run()
            } else if case .postgres(_, let schema?) = app.config.database {
                try await sql.raw("DROP SCHEMA \(ident: schema) CASCADE").run()
                try await sql.raw("CREATE SCHEMA \(ident: schema)").run()
            }
        }
        try? FileManager.default.removeItem(atPath: app.files.root)
    }

    @Test("a backup taken under write load restores after a wipe: every table's rows and checksum and every file as the manifest says")
    func roundTrip() async throws {
        try await withTestApp { app in
            // setup: a province with its accounts, an uploaded file
            try await TestProvince.load(app)
            let units = try await OrgUnit.query(on: app.db).count()
            // A row in the full-text index (SQLite: an FTS5 table with shadow tables).
            if let sql = app.db as? any SQLDatabase, sql.dialect.name == "sqlite" {
                try await sql.raw("INSERT INTO documents_fts(document_id, content) VALUES ('x', 'ke hoach dan van kheo')").run()
            }
            let original = Data("%PDF-1.4\n% biên bản đối thoại\n".utf8)
            let stored = try app.files.store(original, filename: "bien-ban.pdf")
            // act: writes go on while the backup is taken
            let load = Task {
                var written = 0
                while !Task.isCancelled, written < 2_000 {
                    try await AuditLog.record(on: app.db, actor: .system, at: Date(), action: "load", entityType: "test", entityID: nil, summary: "ghi \(written)")
                    written += 1
                }
                return written
            }
            let folder = Self.folder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let manifest = try await Backup.backup(app, into: folder)
            load.cancel()
            let written = try await load.value
            #expect(written > 0)
            let audit = try #require(manifest.tables.first { $0.name == "audit_entries" })
            #expect(manifest.tables.first { $0.name == "units" }?.rows == units)
            #expect(manifest.files.map(\.sha256) == [stored.sha256])
            #expect(manifest.migrations.count == DanVanModules.migrationNames.count)

            try await Self.wipe(app)
            #expect(try await Backup.tableNames(on: app.db as! any SQLDatabase).filter { $0 == "units" }.isEmpty)
            let differing = try await Backup.restore(app, from: folder, knownMigrations: DanVanModules.migrationNames, force: false)

            // check: every table as in the manifest, the data and the file back
            #expect(differing == [])
            SuiteCounts.record("backup and restore", "\(manifest.tables.count) tables, \(manifest.tables.reduce(0) { $0 + $1.rows }) rows and \(manifest.files.count) file compared by count and checksum after a wipe; \(written) writes during the backup")
            let now = try await Backup.tables(on: app.db as! any SQLDatabase)
            #expect(now == manifest.tables)
            #expect(now.first { $0.name == "audit_entries" }?.rows == audit.rows)
            #expect(try await OrgUnit.query(on: app.db).count() == units)
            if let sql = app.db as? any SQLDatabase, sql.dialect.name == "sqlite" {
                let hits = try await sql.raw("SELECT COUNT(*) AS n FROM documents_fts WHERE documents_fts MATCH 'kheo'").first()?.decode(column: "n", as: Int.self)
                #expect(hits == 1)
            }
            #expect(try app.files.read(stored.key, sha256: stored.sha256) == original)
            // The restored database works: a sign-in, a search and a write.
            let client = WebClient(app)
            try await client.login("admin")
            #expect(try await client.get("/units?q=hoa+lac").body.contains("Phường Hòa Lạc"))
            try await AuditLog.record(on: app.db, actor: .system, at: Date(), action: "after", entityType: "test", entityID: nil, summary: "sau khôi phục")
        }
    }

    @Test("restore refuses a newer schema, a damaged file, another database kind and a database that has data, before changing anything")
    func refusals() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let folder = Self.folder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let manifest = try await Backup.backup(app, into: folder)
            // A second backup into the same folder is refused.
            await #expect(throws: Backup.Failure.self) { try await Backup.backup(app, into: folder) }
            // The target has data: refused without --force.
            await #expect {
                try await Backup.restore(app, from: folder, knownMigrations: DanVanModules.migrationNames, force: false)
            } throws: { ($0 as? Backup.Failure)?.description.contains("--force") == true }
            // A program that knows fewer migrations than the backup applied.
            #expect {
                try Backup.check(folder, knownMigrations: Array(DanVanModules.migrationNames.dropLast()))
            } throws: { ($0 as? Backup.Failure)?.description.contains(DanVanModules.migrationNames.last!) == true }
            // A damaged database file.
            let database = folder.appendingPathComponent(manifest.databaseFile.path)
            var bytes = try Data(contentsOf: database)
            bytes[bytes.count / 2] ^= 0xFF
            try bytes.write(to: database)
            #expect {
                try Backup.check(folder, knownMigrations: DanVanModules.migrationNames)
            } throws: { ($0 as? Backup.Failure)?.description.contains(manifest.databaseFile.path) == true }
            // The units are still there: nothing was touched.
            #expect(try await OrgUnit.query(on: app.db).count() > 60)
        }
    }
}
