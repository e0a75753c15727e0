@testable import DanVanCore
import DanVanTestSupport
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

@Suite("Home page counts and what every page reads")
struct HomeCountsTests {
    /// The counts as the home page read them before they became one statement.
    static func expected(_ account: User, on app: Application) async throws -> (active: Int, disabled: Int, withoutFocal: Int) {
        let scope = AccessScope.of(account, unit: try #require(try await OrgUnit.find(account.$unit.id, on: app.db)))
        let users = try await scope.filter(User.query(on: app.db)).all()
        let tree = try await scope.filter(OrgUnit.query(on: app.db)).all().filter(\.isActive)
        let withoutFocal = try await UnitService.unitsWithoutFocal(among: tree, on: app.db)
        return (users.filter(\.isActive).count, users.filter { !$0.isActive }.count, withoutFocal.count)
    }

    @Test("accounts and units without a focal person, in one statement, as counted one by one, for every account's scope; a focal person disabled shows at once")
    func sameAsOneByOne() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            // setup: a disabled account and a commune whose focal person leaves
            let leaving = try await user("daumoi", on: app)
            var checked = 0
            for round in 0..<2 {
                if round == 1 {
                    leaving.isActive = false
                    try await leaving.update(on: app.db)
                }
                for username in TestProvince.accounts.map(\.username) {
                    let account = try await user(username, on: app)
                    let scope = AccessScope.of(account, unit: try #require(try await OrgUnit.find(account.$unit.id, on: app.db)))
                    // act
                    let counts = try await HomeController.counts(in: scope, on: app.db)
                    // check
                    let expected = try await Self.expected(account, on: app)
                    #expect(counts.active == expected.active && counts.disabled == expected.disabled && counts.withoutFocal == expected.withoutFocal, "\(username), round \(round): \(counts) vs \(expected)")
                    checked += 1
                }
            }
            #expect(checked >= 8)
            let province = try await user("admin", on: app)
            let all = try await HomeController.counts(in: AccessScope.of(province, unit: try #require(try await OrgUnit.find(province.$unit.id, on: app.db))), on: app.db)
            #expect(all.disabled >= 1 && all.withoutFocal >= 1)
        }
    }

    @Test("the unit tree's fingerprint, read on every signed-in page, finds the latest change from an index")
    func fingerprintFromIndex() async throws {
        try await withTestApp { app in
            // setup
            let sql = try #require(app.db as? any SQLDatabase)
            struct Detail: Decodable { let detail: String }
            struct Name: Decodable { let indexname: String }
            // act
            let plan: [String]
            if sql.dialect.name == "sqlite" {
                plan = try await sql.raw("EXPLAIN QUERY PLAN SELECT (SELECT COUNT(*) FROM units) AS n, (SELECT MAX(updated_at) FROM units) AS latest").all(decoding: Detail.self).map(\.detail)
            } else {
                plan = try await sql.raw("SELECT indexname FROM pg_indexes WHERE tablename = 'units'").all(decoding: Name.self).map(\.indexname)
            }
            // check
            #expect(plan.contains { $0.contains("units_updated_idx") }, "\(plan)")
        }
    }

    @Test("an administrator's extra figures in one statement are the counts one by one: accounts to change their password, failed sign-ins of the last day")
    func adminCounts() async throws {
        try await withTestApp { app in
            // setup
            try await TestProvince.load(app)
            let now = Date()
            let users = try await User.query(on: app.db).sort(\.$username).all()
            users[0].mustChangePassword = true
            try await users[0].save(on: app.db)
            users[1].mustChangePassword = true
            users[1].isActive = false
            try await users[1].save(on: app.db)
            for (offset, succeeded) in [(-3_600.0, false), (-7_200, false), (-90_000, false), (-60, true)] {
                try await LoginAttempt(username: "x", address: "127.0.0.1", succeeded: succeeded, at: now.addingTimeInterval(offset)).create(on: app.db)
            }
            let since = now.addingTimeInterval(-86_400)
            // act
            let (mustChange, failed) = try await HomeController.adminCounts(since: since, on: app.db)
            // check
            #expect(mustChange == (try await User.query(on: app.db).filter(\.$mustChangePassword == true).filter(\.$isActive == true).count()))
            #expect(failed == (try await LoginAttempt.query(on: app.db).filter(\.$succeeded == false).filter(\.$at >= since).count()))
            #expect(mustChange >= 1 && failed == 2)
            // Found by the (succeeded, at) index, not by reading every attempt ever made.
            let sql = try #require(app.db as? any SQLDatabase)
            struct Detail: Decodable { let detail: String }
            struct Name: Decodable { let indexname: String }
            if sql.dialect.name == "sqlite" {
                let plan = try await sql.raw("EXPLAIN QUERY PLAN SELECT COUNT(*) FROM login_attempts WHERE succeeded = \(bind: false) AND at >= \(bind: since)").all(decoding: Detail.self).map(\.detail)
                #expect(plan.contains { $0.contains("login_attempts_failed_idx") }, "\(plan)")
            } else {
                let names = try await sql.raw("SELECT indexname FROM pg_indexes WHERE tablename = 'login_attempts'").all(decoding: Name.self).map(\.indexname)
                #expect(names.contains("login_attempts_failed_idx"), "\(names)")
            }
        }
    }

    @Test("an administrator's latest audit entries, read as one text in the page's statement, are the table's newest, in order, with any text intact")
    func recentAudit() async throws {
        try await withTestApp { app in
            // setup: twelve entries, the newest three with quotes, markup, a line break and diacritics.
            try await TestProvince.load(app)
            let now = Date().addingTimeInterval(60)
            let older = (1...9).map { (Double($0) - 10, "Thao tác số \($0)") }
            for (offset, summary) in older + [(1.0, "Thêm đơn vị Xã Mới"), (2, "Sửa \"đơn\" <b>gấp</b>\ndòng hai — Đắk Lắk"), (3, "Khoá tài khoản")] {
                try await AuditLog.record(on: app.db, actor: .system, at: now.addingTimeInterval(offset), action: "update", entityType: "unit", entityID: UUID(), summary: summary)
            }
            let dialect = (app.db as? any SQLDatabase)?.dialect.name ?? ""
            // act
            let admin = try await HomeController.adminFigures(since: now, dialect: dialect).read(on: app.db)
            let recent = try await HomeController.recentEntries(admin, on: app.db)
            // check
            let expected = try await AuditEntry.query(on: app.db).sort(\.$at, .descending).limit(HomeController.recentCount).all()
            #expect(recent.count == HomeController.recentCount && expected.count == HomeController.recentCount)
            #expect(recent.prefix(3).map(\.summary) == ["Khoá tài khoản", "Sửa \"đơn\" <b>gấp</b>\ndòng hai — Đắk Lắk", "Thêm đơn vị Xã Mới"])
            #expect(recent.map(\.summary) == expected.map(\.summary))
            #expect(recent.map(\.at) == expected.map { VNFormat.dateTime($0.at) })
            #expect(recent.map(\.actor) == expected.map(\.actorName))
            // What stands for them moves with a new entry, and only then.
            let stamp = try HomeController.recentStamp(admin)
            #expect(stamp == (try HomeController.recentStamp(try await HomeController.adminFigures(since: now, dialect: dialect).read(on: app.db))))
            try await AuditLog.record(on: app.db, actor: .system, at: now.addingTimeInterval(10), action: "update", entityType: "unit", entityID: UUID(), summary: "Thao tác mới")
            #expect(stamp != (try HomeController.recentStamp(try await HomeController.adminFigures(since: now, dialect: dialect).read(on: app.db))))
        }
    }
}
