import DanVanCore
import DanVanTestSupport
import Fluent
import Foundation
import Testing

@Suite("Rows read with their selected columns only")
struct SelectedColumnsTests {
    @Test("allSelected() gives each model the selected properties, fetched as all() gives them, and nothing else; without a selection it is all()")
    func sameAsAll() async throws {
        try await withTestApp { app in
            // setup
            try await TestProvince.load(app)
            func query() -> QueryBuilder<User> {
                User.query(on: app.db).field(\.$id).field(\.$fullName).field(\.$role).field(\.$unit.$id).field(\.$lastLoginAt).sort(\.$username)
            }
            // act
            let fluent = try await query().all()
            let selected = try await query().allSelected()
            let whole = try await User.query(on: app.db).sort(\.$username).allSelected()
            // check
            #expect(fluent.count == selected.count && selected.count >= 8)
            for (a, b) in zip(fluent, selected) {
                #expect(a.id == b.id && a.fullName == b.fullName && a.role == b.role && a.$unit.id == b.$unit.id && a.lastLoginAt == b.lastLoginAt)
                #expect(b.$id.exists && b.$fullName.value != nil && b.$lastLoginAt.value != nil)
                // What was not selected is not there, in either.
                #expect(a.$username.value == nil && b.$username.value == nil && b.$passwordHash.value == nil)
            }
            let everything = try await User.query(on: app.db).sort(\.$username).all()
            #expect(whole.map(\.username) == everything.map(\.username) && whole.map(\.passwordHash) == everything.map(\.passwordHash))
        }
    }
}

@Suite("Rows read without models")
struct RowsWithoutModelsTests {
    private struct Line: Equatable, Sendable {
        let id: UUID
        let fullName: String
        let unitID: UUID
        let lastLoginAt: Date?
    }

    private enum C {
        static let id = User.column(\.$id), fullName = User.column(\.$fullName), unit = User.column(\.$unit.$id), lastLogin = User.column(\.$lastLoginAt)
    }

    @Test("rows(_:) reads the named columns as all() decodes them, NULL as nil, in the query's order and range")
    func sameAsAll() async throws {
        try await withTestApp { app in
            // setup
            try await TestProvince.load(app)
            let users = try await User.query(on: app.db).sort(\.$username).all()
            // One who never signed in (NULL) and one who did, so both forms are read.
            users[0].lastLoginAt = nil
            try await users[0].save(on: app.db)
            users[1].lastLoginAt = Date(timeIntervalSince1970: 1_790_000_000.25)
            try await users[1].save(on: app.db)
            // act
            let lines = try await User.query(on: app.db).fields([C.id.key, C.fullName.key, C.unit.key, C.lastLogin.key]).sort(\.$username).range(0..<6)
                .rows { row in Line(id: try row[C.id], fullName: try row[C.fullName], unitID: try row[C.unit], lastLoginAt: try row[C.lastLogin]) }
            let models = try await User.query(on: app.db).sort(\.$username).range(0..<6).all()
            // check
            #expect(lines.count == 6)
            #expect(lines == models.map { Line(id: $0.id!, fullName: $0.fullName, unitID: $0.$unit.id, lastLoginAt: $0.lastLoginAt) })
            #expect(lines[0].lastLoginAt == nil && lines[1].lastLoginAt != nil)
        }
    }

    @Test("fields(_:) selects those columns only: a column not named is not in the row")
    func onlyNamed() async throws {
        try await withTestApp { app in
            // setup
            try await TestProvince.load(app)
            let username = User.column(\.$username)
            // act
            let read = try await User.query(on: app.db).fields([C.id.key]).limit(1).rows { row in
                (try row[C.id], Result { try row[username] })
            }
            // check
            let (_, missing) = try #require(read.first)
            #expect(throws: (any Error).self) { try missing.get() }
        }
    }

    @Test("an id's text is parsed as Foundation parses it, in either case; anything else is not an id")
    func canonicalIDs() {
        for _ in 0..<5_000 {
            // setup
            let id = UUID()
            // act, check
            #expect(UUID(canonical: id.uuidString) == id)
            #expect(UUID(canonical: id.uuidString.lowercased()) == id)
        }
        for text in ["", "8F9BA939-FF72-4441-AFBD-47A7A5F366E", "8F9BA939-FF72-4441-AFBD-47A7A5F366E2X", "8F9BA939FF72-4441-AFBD-47A7A5F366E2-", "8G9BA939-FF72-4441-AFBD-47A7A5F366E2", "8F9BA939-FF72-4441-AFBD+47A7A5F366E2", "{8F9BA939-FF72-4441-AFBD-47A7A5F366E}"] {
            #expect(UUID(canonical: text) == nil, "\(text)")
            #expect(UUID(uuidString: text) == nil, "\(text)")
        }
    }
}
