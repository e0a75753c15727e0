import DanVanCore
import DanVanQuiz
import DanVanTestSupport
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

@Suite("Prepared reads and the writer's own database")
struct PreparedReadTests {
    private struct UnitRow: Decodable, Sendable, Equatable {
        let code: String
        let depth: Int
    }

    /// Uses each kind of value, and `$1` twice.
    private struct UnitsByCode: PreparedRead {
        typealias Row = UnitRow
        static let name = "test.units-by-code"
        static let sql = "SELECT code, depth FROM units WHERE (code = $1 OR code = $2 OR id = $3) AND depth >= $4 AND code <> $1 || 'x' ORDER BY code"
        let first: String
        let second: String
        let id: UUID
        let minimumDepth: Int
        var values: [PreparedValue] { [.text(first), .text(second), .uuid(id), .integer(minimumDepth)] }
    }

    private struct Broken: PreparedRead {
        typealias Row = UnitRow
        static let name = "test.broken"
        static let sql = "SELECT code, depth FROM units WHERE code = $2"
        var values: [PreparedValue] { [.text("P-HL")] }
    }

    private struct LongName: PreparedRead {
        typealias Row = UnitRow
        static let name = String(repeating: "n", count: 51)
        static let sql = "SELECT code, depth FROM units"
        var values: [PreparedValue] { [] }
    }

    @Test("a prepared read binds text, numbers and ids by position, the same on each database, and is prepared on PostgreSQL")
    func readsAndPrepares() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let ward = try await unit("P-HL", on: app)
            let board = try await unit("TU-BTGDV", on: app)
            let read = UnitsByCode(first: "P-HL", second: "nothing", id: try board.requireID(), minimumDepth: 0)
            let rows = try await app.db.all(read)
            #expect(rows == [UnitRow(code: "P-HL", depth: ward.depth), UnitRow(code: "TU-BTGDV", depth: board.depth)].sorted { $0.code < $1.code })
            // The depth filter is bound as a number: a floor above both leaves nothing.
            #expect(try await app.db.first(UnitsByCode(first: "P-HL", second: "x", id: UUID(), minimumDepth: 99)) == nil)
            // Called again (a cached statement on PostgreSQL) it answers with the new values.
            #expect(try await app.db.all(UnitsByCode(first: "TU-BTGDV", second: "x", id: UUID(), minimumDepth: 0)).map(\.code) == ["TU-BTGDV"])
            await #expect(throws: PreparedReads.PlaceholderError(placeholder: "$2")) { try await app.db.all(Broken()) }
            await #expect(throws: PreparedReads.NameError(name: LongName.name)) { try await app.db.all(LongName()) }

            guard let sql = app.db as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
            // On one connection: after the read, the server holds it as a named statement.
            struct Name: Decodable { let name: String }
            let names = try await app.db.transaction { db -> [String] in
                _ = try await db.all(read)
                return try await (db as! any SQLDatabase).raw("SELECT name FROM pg_prepared_statements").all(decoding: Name.self).map(\.name)
            }
            #expect(names.contains("danvan:" + UnitsByCode.name))
        }
    }

    @Test("the group-commit writer has its own connection on a loop no request runs on (file and PostgreSQL databases)")
    func writerDatabase() async throws {
        try await withTestApp { app in
            // In-memory SQLite has one database, which the writer shares.
            guard let writer = app.writerDatabase else { return }
            #expect(!app.eventLoopGroup.makeIterator().contains { $0 === writer.loop })
            let sql = try #require(app.writerDB as? any SQLDatabase)
            struct Count: Decodable { let n: Int }
            #expect(try await sql.raw("SELECT COUNT(*) AS n FROM units").first(decoding: Count.self) != nil)
        }
    }
}
