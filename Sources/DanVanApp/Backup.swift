import DanVanCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// `danvan backup DIR` and `danvan restore DIR` (issue 16, item 4).
///
/// A backup is a folder: the database (SQLite: `VACUUM INTO`, a consistent copy taken while the
/// server writes; PostgreSQL: `pg_dump --format=custom` in an exported snapshot), the file store
/// (`files/`, content-addressed, each checked against its name), and `manifest.json` with the
/// migrations applied, every table's row count and checksum taken from that same snapshot, and
/// every file's size and SHA-256. Restore refuses a backup from a newer schema (a migration this
/// program does not know), checks free space and every checksum before touching anything, puts
/// the database and files back, runs the newer migrations, and compares the tables with the
/// manifest.
enum Backup {
    static let formatVersion = 1

    struct Manifest: Codable, Equatable {
        var format: Int
        var createdAt: String
        var database: String
        var migrations: [String]
        var databaseFile: Entry
        var tables: [Table]
        var files: [Entry]
    }

    struct Entry: Codable, Equatable {
        var path: String
        var size: Int
        var sha256: String
    }

    struct Table: Codable, Equatable {
        var name: String
        var rows: Int
        /// Order-independent: the wrapping sum of every row's SHA-256 prefix, in hex.
        var checksum: String
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ message: String) { description = message }
    }

    // MARK: tables

    /// The tables of the database the app uses (PostgreSQL: its current schema).
    static func tableNames(on sql: any SQLDatabase, in attached: String? = nil) async throws -> [String] {
        let master: SQLQueryString = attached.map { "\(ident: $0).sqlite_master" } ?? "sqlite_master"
        let query: SQLQueryString = sql.dialect.name == "sqlite"
            ? "SELECT name FROM \(master) WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            : "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
        return try await sql.raw(query).all().map { try $0.decode(column: "name", as: String.self) }
    }

    /// Row count and checksum of every table. A value is read as text, a number, raw bytes or
    /// a date, whichever its column gives, so the same database gives the same sums.
    static func tables(on sql: any SQLDatabase, in attached: String? = nil) async throws -> [Table] {
        var result: [Table] = []
        /// Rows arrive on the database's event loop, one at a time: the sums are kept behind a lock.
        final class Sums: @unchecked Sendable {
            let lock = NSLock()
            var rows = 0
            var sum: UInt64 = 0
            func add(_ value: UInt64) { lock.withLock { rows += 1; sum &+= value } }
        }
        // The full-text index's own tables (documents_fts_data, …) are derived: their pages
        // depend on the order rows were indexed in; the index's rows are summed instead.
        for name in try await tableNames(on: sql, in: attached) where !name.contains("_fts_") {
            let sums = Sums()
            let table: SQLQueryString = attached.map { "\(ident: $0).\(ident: name)" } ?? "\(ident: name)"
            try await sql.raw("SELECT * FROM \(table)").run { row in
                var text = ""
                for column in row.allColumns.sorted() {
                    text += column + "="
                    if (try? row.decodeNil(column: column)) == true {
                        text += "∅"
                    } else if let value = try? row.decode(column: column, as: String.self) {
                        text += value
                    } else if let value = try? row.decode(column: column, as: Int64.self) {
                        text += String(value)
                    } else if let value = try? row.decode(column: column, as: Double.self) {
                        text += String(value)
                    } else if let value = try? row.decode(column: column, as: Bool.self) {
                        text += String(value)
                    } else if let value = try? row.decode(column: column, as: UUID.self) {
                        text += value.uuidString
                    } else if let value = try? row.decode(column: column, as: Date.self) {
                        text += String(value.timeIntervalSince1970)
                    } else if let value = try? row.decode(column: column, as: Data.self) {
                        text += value.base64EncodedString()
                    } else {
                        text += "?"
                    }
                    text += "\u{1F}"
                }
                let digest = Array(SHA256.hash(data: Data(text.utf8)))
                sums.add(digest.prefix(8).reduce(0) { $0 << 8 | UInt64($1) })
            }
            result.append(Table(name: name, rows: sums.rows, checksum: String(format: "%016llx", sums.sum)))
        }
        return result
    }

    static func applied(on sql: any SQLDatabase, in attached: String? = nil) async throws -> [String] {
        let table: SQLQueryString = attached.map { "\(ident: $0)._fluent_migrations" } ?? "_fluent_migrations"
        return try await sql.raw("SELECT name FROM \(table) ORDER BY batch, name").all().map { try $0.decode(column: "name", as: String.self) }
    }

    // MARK: files

    static func sha256(of url: URL) throws -> (String, Int) {
        let data = try Data(contentsOf: url)
        return (SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined(), data.count)
    }

    /// Every file under `root`, relative paths, sorted.
    static func files(under root: URL) -> [String] {
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        var found: [String] = []
        for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            found.append(String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1)))
        }
        return found.sorted()
    }

    /// Copies the file store into `target`, each file checked against the SHA-256 its name
    /// carries (a store file is named by its content).
    static func copyFiles(from root: URL, to target: URL) throws -> [Entry] {
        var entries: [Entry] = []
        for path in files(under: root) {
            let source = root.appendingPathComponent(path)
            let (sha, size) = try sha256(of: source)
            let name = source.deletingPathExtension().lastPathComponent
            if name.count == 64, name.allSatisfy(\.isHexDigit), name != sha {
                throw Failure(L10n.format("backup.tep_hong", [path]))
            }
            let destination = target.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: destination.path) { try FileManager.default.copyItem(at: source, to: destination) }
            entries.append(Entry(path: path, size: size, sha256: sha))
        }
        return entries
    }

    // MARK: tools

    /// Runs a command-line tool (pg_dump, pg_restore) without blocking an event loop.
    static func run(_ tool: String, _ arguments: [String]) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: Failure(L10n.format("backup.khong_chay_duoc", [tool]))) }
        }
        guard status == 0 else {
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw Failure(L10n.format("backup.cong_cu_loi", [tool, message.trimmingCharacters(in: .whitespacesAndNewlines)]))
        }
    }

    /// The PostgreSQL server the app uses, and its own schema when it has one (tests do).
    static func postgresURL(_ app: Application) throws -> (url: String, schema: String?) {
        guard case .postgres(let url, let schema) = app.config.database else { throw Failure("PostgreSQL") }
        return (url, schema)
    }

    // MARK: backup

    /// Writes a backup of the app's database and files into `folder` (new or empty).
    static func backup(_ app: Application, into folder: URL) async throws -> Manifest {
        let manager = FileManager.default
        if manager.fileExists(atPath: folder.path), !((try? manager.contentsOfDirectory(atPath: folder.path)) ?? []).isEmpty {
            throw Failure(L10n.format("backup.thu_muc_khong_trong", [folder.path]))
        }
        try manager.createDirectory(at: folder, withIntermediateDirectories: true)
        guard let sql = app.db as? any SQLDatabase else { throw AppError.unavailable }
        var manifest = Manifest(
            format: formatVersion, createdAt: ISO8601DateFormatter().string(from: Date()), database: sql.dialect.name == "sqlite" ? "sqlite" : "postgresql",
            migrations: [], databaseFile: Entry(path: "", size: 0, sha256: ""), tables: [], files: []
        )
        if manifest.database == "sqlite" {
            // One statement, one read transaction: a consistent copy while others write.
            let path = folder.appendingPathComponent("database.sqlite").path
            try await sql.raw("VACUUM INTO \(literal: path)").run()
            // The sums are taken from the copy itself, attached to one connection.
            (manifest.migrations, manifest.tables) = try await app.db.withConnection { db in
                guard let sql = db as? any SQLDatabase else { throw AppError.unavailable }
                try await sql.raw("ATTACH DATABASE \(literal: path) AS copy").run()
                do {
                    let result = (try await applied(on: sql, in: "copy"), try await tables(on: sql, in: "copy"))
                    try await sql.raw("DETACH DATABASE copy").run()
                    return result
                } catch {
                    try? await sql.raw("DETACH DATABASE copy").run()
                    throw error
                }
            }
            manifest.databaseFile.path = "database.sqlite"
        } else {
            // pg_dump reads the snapshot this transaction exports; the sums are read in it too.
            let (url, schema) = try postgresURL(app)
            let path = folder.appendingPathComponent("database.dump").path
            (manifest.migrations, manifest.tables) = try await app.db.transaction { db in
                guard let sql = db as? any SQLDatabase else { throw AppError.unavailable }
                try await sql.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").run()
                let snapshot = try await sql.raw("SELECT pg_export_snapshot() AS id").first().map { try $0.decode(column: "id", as: String.self) } ?? ""
                async let dump: Void = run("pg_dump", ["--format=custom", "--no-owner", "--snapshot=\(snapshot)", "--file=\(path)"] + (schema.map { ["--schema=\($0)"] } ?? []) + [url])
                let migrations = try await applied(on: sql)
                let tables = try await tables(on: sql)
                try await dump
                return (migrations, tables)
            }
            manifest.databaseFile.path = "database.dump"
        }
        (manifest.databaseFile.sha256, manifest.databaseFile.size) = try sha256(of: folder.appendingPathComponent(manifest.databaseFile.path))
        manifest.files = try copyFiles(from: URL(fileURLWithPath: app.files.root), to: folder.appendingPathComponent("files"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(manifest).write(to: folder.appendingPathComponent("manifest.json"))
        return manifest
    }

    // MARK: restore

    /// Checks a backup folder: its manifest, that this program knows every migration it
    /// applied, and every checksum. Nothing is changed.
    static func check(_ folder: URL, knownMigrations: [String]) throws -> Manifest {
        let data: Data
        do { data = try Data(contentsOf: folder.appendingPathComponent("manifest.json")) } catch {
            throw Failure(L10n.format("backup.khong_co_manifest", [folder.path]))
        }
        guard let manifest = try? JSONDecoder().decode(Manifest.self, from: data), manifest.format <= formatVersion else {
            throw Failure(L10n.text("backup.manifest_hong"))
        }
        let known = Set(knownMigrations)
        let newer = manifest.migrations.filter { !known.contains($0) }
        guard newer.isEmpty else { throw Failure(L10n.format("backup.luoc_do_moi_hon", [newer.joined(separator: ", ")])) }
        for entry in [manifest.databaseFile] + manifest.files.map({ Entry(path: "files/" + $0.path, size: $0.size, sha256: $0.sha256) }) {
            let url = folder.appendingPathComponent(entry.path)
            guard let (sha, size) = try? sha256(of: url), sha == entry.sha256, size == entry.size else {
                throw Failure(L10n.format("backup.sai_checksum", [entry.path]))
            }
        }
        return manifest
    }

    /// Free bytes on the volume holding `url` (or its nearest existing parent).
    static func freeBytes(at url: URL) -> Int64 {
        var probe = url
        while !FileManager.default.fileExists(atPath: probe.path), probe.path != "/" { probe.deleteLastPathComponent() }
        let attributes = try? FileManager.default.attributesOfFileSystem(forPath: probe.path)
        return (attributes?[.systemFreeSize] as? NSNumber)?.int64Value ?? .max
    }

    /// Restores `folder` into the app's database and file store, which must be empty unless
    /// `force`; then migrates to this program's schema and compares the tables with the
    /// manifest. Returns the tables that differ (empty when all match).
    static func restore(_ app: Application, from folder: URL, knownMigrations: [String], force: Bool) async throws -> [String] {
        let manifest = try check(folder, knownMigrations: knownMigrations)
        guard let sql = app.db as? any SQLDatabase else { throw AppError.unavailable }
        let kind = sql.dialect.name == "sqlite" ? "sqlite" : "postgresql"
        guard kind == manifest.database else { throw Failure(L10n.format("backup.khac_loai_csdl", [manifest.database, kind])) }
        let filesRoot = URL(fileURLWithPath: app.files.root)
        let needed = Int64(manifest.databaseFile.size * 3 + manifest.files.reduce(0) { $0 + $1.size })
        guard freeBytes(at: filesRoot) >= needed else { throw Failure(L10n.format("backup.khong_du_cho", ["\(needed / 1_048_576 + 1)"])) }
        let existing = try await tableNames(on: sql).filter { $0 != "_fluent_migrations" }
        var occupied = false
        for table in existing where (try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first().map { try $0.decode(column: "n", as: Int.self) } ?? 0) > 0 {
            occupied = true
            break
        }
        if occupied, !force { throw Failure(L10n.text("backup.csdl_khong_trong")) }
        if kind == "sqlite" {
            // On one connection: the backup attached, every table of the app dropped and made
            // again from the backup's own definitions, its rows copied, then its indexes and
            // triggers; all in one transaction, in the file the app keeps open.
            let source = folder.appendingPathComponent(manifest.databaseFile.path).path
            try await app.db.withConnection { db in
                guard let sql = db as? any SQLDatabase else { throw AppError.unavailable }
                try await sql.raw("PRAGMA foreign_keys = OFF").run()
                try await sql.raw("ATTACH DATABASE \(literal: source) AS restored").run()
                do {
                    /// The schema objects of one attached database, in creation order, without the
                    /// shadow tables of its virtual tables (those come with their virtual table).
                    func schema(_ database: String) async throws -> [(type: String, name: String, table: String, sql: String)] {
                        let rows = try await sql.raw("SELECT type, name, tbl_name, sql FROM \(ident: database).sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid").all()
                        let objects = try rows.map {
                            (try $0.decode(column: "type", as: String.self), try $0.decode(column: "name", as: String.self),
                             try $0.decode(column: "tbl_name", as: String.self), try $0.decode(column: "sql", as: String.self))
                        }
                        let virtual = objects.filter { $0.0 == "table" && $0.3.uppercased().hasPrefix("CREATE VIRTUAL") }.map(\.1)
                        return objects.filter { object in !virtual.contains { object.2.hasPrefix($0 + "_") } }
                    }
                    let restored = try await schema("restored")
                    try await sql.raw("BEGIN IMMEDIATE").run()
                    for table in try await schema("main") where table.type == "table" {
                        try await sql.raw("DROP TABLE IF EXISTS main.\(ident: table.name)").run()
                    }
                    for table in restored where table.type == "table" {
                        try await sql.raw("\(unsafeRaw: table.sql)").run()
                        try await sql.raw("INSERT INTO main.\(ident: table.name) SELECT * FROM restored.\(ident: table.name)").run()
                    }
                    for object in restored where ["index", "trigger", "view"].contains(object.type) {
                        try await sql.raw("\(unsafeRaw: object.sql)").run()
                    }
                    try await sql.raw("COMMIT").run()
                } catch {
                    try? await sql.raw("ROLLBACK").run()
                    try? await sql.raw("DETACH DATABASE restored").run()
                    try? await sql.raw("PRAGMA foreign_keys = ON").run()
                    throw error
                }
                try await sql.raw("DETACH DATABASE restored").run()
                try await sql.raw("PRAGMA foreign_keys = ON").run()
            }
        } else {
            try await run("pg_restore", ["--clean", "--if-exists", "--no-owner", "--single-transaction", "--dbname=\(try postgresURL(app).url)", folder.appendingPathComponent(manifest.databaseFile.path).path])
        }
        _ = try copyFiles(from: folder.appendingPathComponent("files"), to: filesRoot)
        // Compared before migrating: newer migrations may add rows or tables.
        let now = try await tables(on: sql)
        let expected = Dictionary(manifest.tables.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let differing = now.compactMap { table -> String? in
            guard let want = expected[table.name] else { return nil }
            return want == table ? nil : table.name
        } + manifest.tables.map(\.name).filter { name in !now.contains { $0.name == name } }
        try await app.autoMigrate()
        return differing
    }
}

/// `danvan backup DIR`.
struct BackupCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "folder", help: "DIR")
        var folder: String
    }

    var help: String { L10n.text("backup.help") }

    func run(using context: CommandContext, signature: Signature) async throws {
        let folder = URL(fileURLWithPath: signature.folder)
        do {
            let manifest = try await Backup.backup(context.application, into: folder)
            context.console.print(L10n.format("backup.xong", [
                folder.path, "\(manifest.tables.count)", "\(manifest.tables.reduce(0) { $0 + $1.rows })", "\(manifest.files.count)",
            ]))
        } catch let failure as Backup.Failure {
            throw ConfigError(failure.description)
        }
    }
}

/// `danvan restore DIR [--force]`.
struct RestoreCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "folder", help: "DIR")
        var folder: String
        @Flag(name: "force", help: "")
        var force: Bool
    }

    var help: String { L10n.text("backup.restore_help") }

    func run(using context: CommandContext, signature: Signature) async throws {
        let folder = URL(fileURLWithPath: signature.folder)
        do {
            let differing = try await Backup.restore(context.application, from: folder, knownMigrations: DanVanModules.migrationNames, force: signature.force)
            guard differing.isEmpty else { throw ConfigError(L10n.format("backup.khong_khop", [differing.joined(separator: ", ")])) }
            context.console.print(L10n.format("backup.da_khoi_phuc", [folder.path]))
        } catch let failure as Backup.Failure {
            throw ConfigError(failure.description)
        }
    }
}
