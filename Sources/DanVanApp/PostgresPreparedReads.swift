import DanVanCore
import DanVanQuiz
import FluentPostgresDriver
import Foundation
import Vapor

/// Runs `PreparedRead`s on PostgreSQL as named prepared statements: PostgresNIO parses a
/// statement once on each connection and afterwards sends only its values, and the server
/// reuses the plan.
struct PostgresPreparedReads: PreparedReadDriver {
    func rows<Read: PreparedRead>(_ read: Read, on db: any Database) async throws -> [Read.Row]? {
        guard let postgres = db as? any PostgresDatabase else { return nil }
        let logger = db.logger
        return try await postgres.withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                var rows: [Read.Row] = []
                for try await row in try await connection.execute(Statement(read: read), logger: logger) { rows.append(row) }
                return rows
            }
        }.get()
    }

    /// One `PreparedRead` type as a PostgresNIO statement.
    private struct Statement<Read: PreparedRead>: PostgresPreparedStatement {
        typealias Row = Read.Row
        static var name: String { "danvan:" + Read.name }
        static var sql: String { Read.sql }
        let read: Read

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: read.values.count)
            for value in read.values {
                switch value {
                case .uuid(let uuid): bindings.append(uuid)
                case .text(let text): bindings.append(text)
                case .integer(let integer): bindings.append(integer)
                }
            }
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Read.Row {
            try row.sql().decode(model: Read.Row.self, with: SQLRowDecoder())
        }
    }
}
