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

    @Test("the list pages by 50, newest first, keeping its filters")
    func paging() async throws {
        try await withTestApp(clock: FixedClock(PetitionFlowTests.start)) { app in
            let units = try await TestProvince.load(app)
            let keys = CitizenKeys.of(app)
            for index in 0..<55 {
                var input = PetitionInput()
                input.kind = .feedback
                input.field = .infrastructure
                input.senderName = "Người gửi \(index)"
                input.communeID = units["X-TL"]!.id
                input.unitID = units["X-TL"]!.id
                input.summary = "Phản ánh đường thôn số \(index)"
                input.content = "Đường thôn số \(index) bị hư hỏng."
                input.receivedOn = VNFormat.parseDate("2026-10-01")!.addingTimeInterval(Double(index) * 86_400 / 2)
                _ = try await PetitionService.create(input, receivingUnitID: units["X-TL"]!.id!, keys: keys, actor: .system, at: PetitionFlowTests.start, on: app.db)
            }
            let client = WebClient(app)
            try await client.login("daumoi.tanlap")
            let first = try await client.get("/citizens?field=infrastructure")
            #expect(first.body.components(separatedBy: "<tr data-id=").count - 1 == 50)
            #expect(first.body.contains("Phản ánh đường thôn số 54") && !first.body.contains("Phản ánh đường thôn số 4<"))
            let next = try #require(PetitionFlowTests.value(in: first.body, after: "href=\"").flatMap { _ in
                first.body.range(of: "id=\"next-page\"").map { first.body[..<$0.lowerBound] }.flatMap { $0.range(of: "href=\"", options: .backwards).map { String(first.body[$0.upperBound...].prefix { $0 != "\"" }) } }
            }).replacingOccurrences(of: "&amp;", with: "&")
            #expect(next.contains("field=infrastructure") && next.contains("page=2"))
            let second = try await client.get(next)
            #expect(second.body.components(separatedBy: "<tr data-id=").count - 1 == 5)
            #expect(second.body.contains("id=\"previous-page\""))
        }
    }
}
