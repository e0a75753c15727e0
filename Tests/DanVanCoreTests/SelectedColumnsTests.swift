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
