@testable import DanVanCitizens
import DanVanCore
import DanVanText
import DanVanTestSupport
import Fluent
import Foundation
import Testing
import Vapor

/// The monthly rollup the statistics read is kept in step with every write: after random
/// intakes, acceptances, resolutions, transfers, reopenings and citizens' answers, the
/// statistics of any period and scope equal those read from the submissions themselves.
@Suite("Citizens: the monthly rollup")
struct RollupTests {
    @Test("property: for random histories, the rollup's statistics equal a scan of the submissions, for every period and scope")
    func rollupEqualsScan() async throws {
        let clock = FixedClock(VNFormat.parseDateTime("2026-11-30T09:00")!)
        try await withTestApp(clock: clock) { app in
            // setup
            let units = try await TestProvince.load(app)
            let communes = ["P-HL", "P-DS", "X-TL", "X-DT", "X-PH"].compactMap { units[$0] }
            let keys = CitizenKeys.of(app)
            var generator = SeededGenerator(seed: SeededGenerator.testSeed(20_261_130, environment: ProcessInfo.processInfo.environment))
            var petitions: [Petition] = []
            // act: 120 submissions over four months, then random steps on them
            for index in 0..<120 {
                var input = PetitionInput()
                input.kind = PetitionKind.allCases.filter { $0 != .denunciation }.randomElement(using: &generator)
                input.field = PetitionField.allCases.randomElement(using: &generator)
                input.channel = PetitionChannel.allCases.randomElement(using: &generator)!
                input.senderName = "Người gửi \(index % 17)"
                input.senderCount = Int.random(in: 0..<10, using: &generator) == 0 ? 12 : 1
                input.representatives = "A\nB"
                let commune = communes.randomElement(using: &generator)!
                input.communeID = commune.id
                input.unitID = commune.id
                input.summary = "Đơn số \(index)"
                input.content = "Nội dung đơn thử nghiệm số \(index)."
                let received = VNFormat.parseDate("2026-08-01")!.addingTimeInterval(Double(Int.random(in: 0..<118, using: &generator)) * 86_400)
                input.receivedOn = received
                let (petition, _) = try await PetitionService.create(input, receivingUnitID: commune.id!, keys: keys, actor: .system, at: received.addingTimeInterval(3600), on: app.db)
                petitions.append(petition)
            }
            for petition in petitions {
                let received = petition.receivedOn
                let roll = Int.random(in: 0..<10, using: &generator)
                if roll >= 3 {
                    let accepted = min(clock.now(), received.addingTimeInterval(Double(Int.random(in: 0...5, using: &generator)) * 86_400))
                    try await PetitionService.apply(.accept(on: VNFormat.calendar.startOfDay(for: accepted)), to: petition, expectedVersion: petition.version, actor: .system, at: clock.now(), on: app.db)
                }
                if roll >= 5, let accepted = petition.acceptedOn {
                    let resolved = min(VNFormat.calendar.startOfDay(for: clock.now()), accepted.addingTimeInterval(Double(Int.random(in: 0...60, using: &generator)) * 86_400))
                    try await PetitionService.apply(.resolve(result: "Xong", publicAnswer: "", decision: "", on: resolved), to: petition, expectedVersion: petition.version, actor: .system, at: clock.now(), on: app.db)
                }
                if roll == 4 {
                    let other = communes.first { $0.id != petition.$unit.id }!
                    try await PetitionService.apply(.transfer(unitID: other.id!, handlerID: nil, reason: "Đúng thẩm quyền"), to: petition, expectedVersion: petition.version, actor: .system, at: clock.now(), on: app.db)
                }
                if roll == 9 {
                    try await PetitionService.citizenAnswer(petition, satisfied: Bool.random(using: &generator), comment: "", at: clock.now(), on: app.db)
                }
                if roll == 8 {
                    try await PetitionService.apply(.close(on: VNFormat.calendar.startOfDay(for: clock.now())), to: petition, expectedVersion: petition.version, actor: .system, at: clock.now(), on: app.db)
                    try await PetitionService.apply(.reopen(reason: "Chưa xong"), to: petition, expectedVersion: petition.version, actor: .system, at: clock.now(), on: app.db)
                }
            }
            // check: whole months, partial months, one day, a commune's scope and a unit list
            let today = VNFormat.calendar.startOfDay(for: clock.now())
            let ranges: [(String, String)] = [("2026-08-01", "2026-12-01"), ("2026-08-15", "2026-11-20"), ("2026-09-01", "2026-10-01"), ("2026-09-10", "2026-09-11"), ("2026-07-20", "2026-12-31")]
            for scope in [nil, [units["X-TL"]!.id!], communes.prefix(3).compactMap(\.id)] as [[UUID]?] {
                for (from, until) in ranges {
                    let start = VNFormat.parseDate(from)!, end = VNFormat.parseDate(until)!
                    let rolled = try await CitizenStats.statistics(from: start, until: end, unitIDs: scope, today: today, on: app.db)
                    let scanned = try await CitizenStats.statisticsByScan(from: start, until: end, unitIDs: scope, today: today, on: app.db)
                    #expect(rolled == scanned, "\(from)–\(until), scope \(scope?.count ?? 0) units")
                }
            }
            #expect(try await CitizenStats.statistics(from: VNFormat.parseDate("2026-08-01")!, until: VNFormat.parseDate("2026-12-01")!, unitIDs: nil, today: today, on: app.db).total.received == 120)
            // A rebuild from scratch gives the same rollup as the one kept in step.
            let kept = try await CitizenStats.statistics(from: VNFormat.parseDate("2026-08-01")!, until: VNFormat.parseDate("2026-12-01")!, unitIDs: nil, today: today, on: app.db)
            try await PetitionRollup.rebuild(on: app.db)
            #expect(try await CitizenStats.statistics(from: VNFormat.parseDate("2026-08-01")!, until: VNFormat.parseDate("2026-12-01")!, unitIDs: nil, today: today, on: app.db) == kept)
        }
    }
}
