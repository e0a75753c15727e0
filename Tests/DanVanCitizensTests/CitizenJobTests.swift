@testable import DanVanCitizens
import DanVanCore
import DanVanTestSupport
import Fluent
import Foundation
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
