@testable import DanVanCitizens
import DanVanCore
import DanVanTestSupport
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

/// The hourly job: the Quy định 11 acknowledgement alerted before working day 10, overdue
/// notices, the overdue-land warning; each once.
@Suite("Citizens: the hourly job")
struct CitizenJobTests {
    @Test("the acknowledgement is alerted two working days before it is due, overdue is told once, an overdue land matter warns the board")
    func job() async throws {
        let clock = FixedClock(PetitionFlowTests.start)
        try await withTestApp(clock: clock) { app in
            // setup: a land petition received Tue 10/11; working day 10 is Tue 24/11.
            let units = try await TestProvince.load(app)
            var input = PetitionInput()
            input.kind = .petition
            input.field = .land
            input.senderName = "Trần Văn Đất"
            input.communeID = units["X-TL"]!.id
            input.unitID = units["X-TL"]!.id
            input.summary = "Tranh chấp đất"
            input.content = "Tranh chấp ranh giới đất vườn giữa hai hộ."
            input.receivedOn = VNFormat.parseDate("2026-11-10")
            let (petition, _) = try await PetitionService.create(input, receivingUnitID: units["X-TL"]!.id!, keys: CitizenKeys.of(app), actor: .system, at: clock.now(), on: app.db)
            #expect(VNFormat.isoDate(petition.ackDueOn) == "2026-11-24")
            // act, check: Thursday 19/11 is too early; Friday 20/11 is two working days before.
            clock.advance(by: 9 * 86_400)
            #expect(try await CitizenJobs.run(on: app.db, now: clock.now()).acknowledgementAlerts == 0)
            clock.advance(by: 86_400)
            #expect(try await CitizenJobs.run(on: app.db, now: clock.now()).acknowledgementAlerts == 2, "both accounts of Xã Tân Lập")
            #expect(try await CitizenJobs.run(on: app.db, now: clock.now()).acknowledgementAlerts == 0, "once")
            // Wednesday 25/11: overdue, told once; the land matter raises a warning with its evidence.
            clock.advance(by: 5 * 86_400)
            let late = try await CitizenJobs.run(on: app.db, now: clock.now())
            #expect(late.overdueNotices == 2 && late.warnings == 1)
            let warning = try #require(try await HotSpotWarning.query(on: app.db).filter(\.$rule == "overdueLand").first())
            #expect(warning.evidenceIDs.contains(petition.id!.uuidString))
            let again = try await CitizenJobs.run(on: app.db, now: clock.now())
            #expect(again.overdueNotices == 0 && again.warnings == 0)
        }
    }
}

@Suite("Citizens: the home page's lines")
struct CitizenHomeTests {
    @Test("the commune's official sees how many submissions wait and how many are overdue, counted in their scope only; the province sees both communes'; the lines follow every write to the petitions and the day")
    func homeLines() async throws {
        let clock = FixedClock(PetitionFlowTests.start)
        try await withTestApp(clock: clock) { app in
            let units = try await TestProvince.load(app)
            let keys = CitizenKeys.of(app)
            // Tân Lập: one received 40 days ago (its acknowledgement is overdue), one today; Đông Tâm: one today.
            for (code, daysAgo) in [("X-TL", 40.0), ("X-TL", 0), ("X-DT", 0)] {
                var input = PetitionInput()
                input.kind = .petition
                input.field = .land
                input.communeID = units[code]!.id
                input.unitID = units[code]!.id
                input.senderName = "Người gửi"
                input.summary = "Đề nghị giải quyết tranh chấp đất"
                input.content = "Nội dung"
                input.receivedOn = PetitionFlowTests.start.addingTimeInterval(-daysAgo * 86_400)
                _ = try await PetitionService.create(input, receivingUnitID: units[code]!.id!, keys: keys, actor: .system, at: PetitionFlowTests.start, on: app.db)
            }
            let commune = WebClient(app)
            try await commune.login("daumoi.tanlap")
            let home = try await commune.get("/").body
            #expect(home.contains("2 đơn thư chờ thụ lý"))
            #expect(home.contains("1 đơn thư quá hạn"))
            let province = WebClient(app)
            try await province.login("lanhdao")
            let wide = try await province.get("/").body
            #expect(wide.contains("3 đơn thư chờ thụ lý"))
            #expect(wide.contains("1 đơn thư quá hạn"))
            // The lines are kept per user: a submission received beside the pages shows on the
            // next visit of both.
            var input = PetitionInput()
            input.kind = .petition
            input.field = .land
            input.communeID = units["X-TL"]!.id
            input.unitID = units["X-TL"]!.id
            input.senderName = "Người gửi mới"
            input.summary = "Đề nghị làm rõ mốc giới"
            input.content = "Nội dung"
            input.receivedOn = clock.now().addingTimeInterval(-86_400)
            _ = try await PetitionService.create(input, receivingUnitID: units["X-TL"]!.id!, keys: keys, actor: .system, at: clock.now(), on: app.db)
            #expect(try await commune.get("/").body.contains("3 đơn thư chờ thụ lý"))
            #expect(try await province.get("/").body.contains("4 đơn thư chờ thụ lý"))
            // A change written by something else (a script, another instance) shows too.
            let sql = try #require(app.db as? any SQLDatabase)
            try await sql.raw("UPDATE petitions SET ack_due_on = \(bind: clock.now().addingTimeInterval(-2 * 86_400)) WHERE summary = 'Đề nghị làm rõ mốc giới'").run()
            #expect(try await commune.get("/").body.contains("2 đơn thư quá hạn"))
            #expect(try await province.get("/").body.contains("2 đơn thư quá hạn"))
            // With nothing written after it, the day turning makes Đông Tâm's, due today, overdue.
            let today = CivilDay.startOfDay(clock.now())
            try await sql.raw("UPDATE petitions SET ack_due_on = \(bind: today) WHERE unit_id = \(bind: units["X-DT"]!.id!)").run()
            #expect(try await province.get("/").body.contains("2 đơn thư quá hạn"))
            var page = ""
            while CivilDay.startOfDay(clock.now()) == today {
                #expect(page.isEmpty || page.contains("2 đơn thư quá hạn"))
                clock.advance(by: 5 * 3600)
                page = try await province.get("/").body
            }
            #expect(page.contains("3 đơn thư quá hạn"))
        }
    }
}
