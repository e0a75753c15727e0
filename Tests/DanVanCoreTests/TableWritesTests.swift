@testable import DanVanCore
import DanVanTestSupport
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

@Suite("Write counters kept by the database")
struct TableWritesTests {
    @Test("every committed create, change and deletion of a tracked table raises the sum, by a model or by plain SQL; a rolled-back write, a read and an untracked table do not")
    func counted() async throws {
        try await withTestApp { app in
            // setup: track the sign-in attempts (a core table no module tracks).
            try await TestProvince.load(app)
            let track = TrackTableWrites([LoginAttempt.schema], name: "test.track-login-attempts")
            try await track.prepare(on: app.db)
            let sql = try #require(app.db as? any SQLDatabase)
            func writes() async throws -> Int {
                var figures = PageFigures()
                figures.add("writes", TableWrites.sum(of: [LoginAttempt.schema, "not_tracked"]))
                return try await figures.read(on: app.db).int("writes")
            }
            let start = try await writes()
            // act and check
            let attempt = LoginAttempt(username: "lanhdao", address: "127.0.0.1", succeeded: false, at: Date())
            try await attempt.create(on: app.db)
            let created = try await writes()
            #expect(created > start)
            attempt.succeeded = true
            try await attempt.update(on: app.db)
            let changed = try await writes()
            #expect(changed > created)
            try await sql.raw("UPDATE login_attempts SET address = '10.0.0.1'").run()
            let raw = try await writes()
            #expect(raw > changed)
            _ = try await LoginAttempt.query(on: app.db).all()
            try await User.query(on: app.db).set(\.$fullName, to: "Tên Khác").filter(\.$username == "lanhdao").update()
            #expect(try await writes() == raw, "a read and a write elsewhere leave it")
            struct Rollback: Error {}
            await #expect(throws: Rollback.self) {
                try await app.db.transaction { db in
                    try await LoginAttempt(username: "x", address: "1", succeeded: false, at: Date()).create(on: db)
                    throw Rollback()
                }
            }
            #expect(try await writes() == raw, "a rolled-back write leaves it")
            try await attempt.delete(on: app.db)
            let deleted = try await writes()
            #expect(deleted > raw)
            // Undone: no more counting.
            try await track.revert(on: app.db)
            try await LoginAttempt(username: "y", address: "1", succeeded: false, at: Date()).create(on: app.db)
            #expect(try await writes() == 0)
        }
    }
}
