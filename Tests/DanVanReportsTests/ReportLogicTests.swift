@testable import DanVanReports
import DanVanCore
import DanVanText
import DanVanTestSupport
import Foundation
import Testing

/// Pure logic: period windows, the working-day rule, typed values, combining up the tree and over time.
@Suite("Report logic")
struct ReportLogicTests {
    init() {
        L10n.register(ReportsModule().localization)
    }

    func day(_ text: String) -> Date { VNFormat.parseDate(text)! }

    @Test("the 15th→14th windows of NĐ 09/2019 for each frequency, and calendar windows")
    func windows() {
        let january = ReportCalendar.slot(.month, window: .cutoff, year: 2026, index: 1)!
        #expect(january.start == day("2025-12-15") && january.end == day("2026-01-14"))
        let q2 = ReportCalendar.slot(.quarter, window: .cutoff, year: 2026, index: 2)!
        #expect(q2.start == day("2026-03-15") && q2.end == day("2026-06-14"))
        let h2 = ReportCalendar.slot(.sixMonths, window: .cutoff, year: 2026, index: 2)!
        #expect(h2.start == day("2026-06-15") && h2.end == day("2026-12-14"))
        let year = ReportCalendar.slot(.year, window: .cutoff, year: 2026, index: 1)!
        #expect(year.start == day("2025-12-15") && year.end == day("2026-12-14"))
        let nine = ReportCalendar.slot(.nineMonths, window: .cutoff, year: 2026, index: 1)!
        #expect(nine.end == day("2026-09-14"))
        let february = ReportCalendar.slot(.month, window: .calendar, year: 2028, index: 2)!
        #expect(february.start == day("2028-02-01") && february.end == day("2028-02-29"))
        let q4 = ReportCalendar.slot(.quarter, window: .calendar, year: 2026, index: 4)!
        #expect(q4.start == day("2026-10-01") && q4.end == day("2026-12-31"))
        #expect(ReportCalendar.slot(.month, window: .cutoff, year: 2026, index: 13) == nil)
        #expect(ReportCalendar.slot(.adHoc, window: .cutoff, year: 2026, index: 1) == nil)
        #expect(january.key(.month) == "2026-01" && q2.key(.quarter) == "2026-q2")
    }

    @Test("upcoming periods start with the one whose window holds today; consecutive windows touch")
    func upcoming() {
        let slots = ReportCalendar.upcoming(.month, window: .cutoff, from: day("2026-11-20"), count: 3)
        #expect(slots.map { $0.key(.month) } == ["2026-12", "2027-01", "2027-02"])
        for (a, b) in zip(slots, slots.dropFirst()) {
            #expect(VNFormat.calendar.date(byAdding: .day, value: 1, to: a.end) == b.start)
        }
        let onCutoff = ReportCalendar.upcoming(.quarter, window: .cutoff, from: day("2026-12-14"), count: 1)
        #expect(onCutoff.first?.key(.quarter) == "2026-q4")
        #expect(ReportCalendar.containing(.month, window: .cutoff, date: day("2026-11-14"))?.key(.month) == "2026-11")
    }

    @Test("a deadline must leave one working day after the cut-off (weekends do not count)")
    func workingDay() {
        // 14/11/2026 is a Saturday: +1 is Sunday (no working day), +2 is Monday.
        let cutoff = day("2026-11-14")
        #expect(!ReportCalendar.leavesAWorkingDay(cutoff: cutoff, deadline: ReportCalendar.deadline(cutoff: cutoff, days: 1)))
        #expect(ReportCalendar.leavesAWorkingDay(cutoff: cutoff, deadline: ReportCalendar.deadline(cutoff: cutoff, days: 2)))
        #expect(!ReportCalendar.leavesAWorkingDay(cutoff: cutoff, deadline: cutoff))
        // Friday 13/2/2026, then the weekend and Tết (16–20/2): the first working day is 23/2.
        let beforeTet = day("2026-02-13")
        #expect(!ReportCalendar.leavesAWorkingDay(cutoff: beforeTet, deadline: ReportCalendar.deadline(cutoff: beforeTet, days: 9)))
        #expect(ReportCalendar.leavesAWorkingDay(cutoff: beforeTet, deadline: ReportCalendar.deadline(cutoff: beforeTet, days: 10)))
        #expect(!ReportCalendar.isWorkingDay(day("2026-09-02")) && ReportCalendar.isWorkingDay(day("2026-09-03")))
        let deadlines: [OrgUnit.Level: Int] = [.commune: 1, .province: 6]
        // From 20/11/2026 the next cut-off is Monday 14/12/2026: +1 is Tuesday, fine.
        #expect(ReportCalendar.tightLevels(.month, window: .cutoff, deadlines: deadlines, now: day("2026-11-20")).isEmpty)
        // From 20/10/2026 the next cut-off is Saturday 14/11/2026: the commune's +1 is a Sunday.
        #expect(ReportCalendar.tightLevels(.month, window: .cutoff, deadlines: deadlines, now: day("2026-10-20")) == [.commune])
        // …unless the province made Sunday 15/11 a working day (a decision on the working calendar).
        let decided = WorkingCalendar(overrides: [LunarCalendar.SolarDate(year: 2026, month: 11, day: 15): .working])
        #expect(ReportCalendar.tightLevels(.month, window: .cutoff, deadlines: deadlines, now: day("2026-10-20"), calendar: decided).isEmpty)
        // A substitute day off on Tuesday 15/12 leaves no working day after Monday's cut-off with a one-day deadline.
        let off = WorkingCalendar(overrides: [LunarCalendar.SolarDate(year: 2026, month: 12, day: 15): .off])
        #expect(ReportCalendar.tightLevels(.month, window: .cutoff, deadlines: deadlines, now: day("2026-11-20"), calendar: off) == [.commune])
    }

    @Test("typed values: decimal comma, thousands dot, percentages, bounds, yes/no, rules")
    func parsing() {
        let definition = ReportDefinition.mock
        let (values, errors) = definition.parse([
            "dialogues": "1.234", "received": "12", "resolved": "10", "resolved_rate": "83,5%", "hotspot": "có",
        ])
        #expect(errors.isEmpty)
        #expect(values["dialogues"] == 1234 && values["resolved_rate"] == 83.5 && values["hotspot"] == 1)
        let bad = definition.parse(["dialogues": "mười", "received": "-1", "resolved": "2,5", "resolved_rate": "120", "hotspot": "có lẽ"]).errors
        #expect(Set(bad.keys) == ["dialogues", "received", "resolved", "resolved_rate", "hotspot"])
        let rule = definition.parse(["received": "3", "resolved": "5"]).errors
        #expect(rule["resolved"] == "Số đã giải quyết không được lớn hơn số tiếp nhận.")
        #expect(definition.missing(values).map(\.key) == ["tasks_done"])
        #expect(ReportDefinition.format(1234, kind: .integer) == "1.234")
        #expect(ReportDefinition.format(83.5, kind: .percentage) == "83,5%")
        #expect(ReportDefinition.input(83.5, kind: .percentage) == "83,5")
    }

    @Test("a definition with a weight or a rule naming no indicator is refused")
    func definitionProblems() {
        var definition = ReportDefinition.mock
        #expect(definition.problems.isEmpty)
        definition.indicators[3].weightKey = "nothing"
        definition.rules.append(.init(left: "a", comparison: .equal, right: "b", message: "m"))
        #expect(definition.problems.count == 2)
    }

    @Test("combining over units: sum, weighted average, min, max, latest, count of yes")
    func combining() {
        let definition = ReportDefinition.mock
        let entries: [ReportCombination.Entry] = [
            .init(values: ["received": 10, "resolved_rate": 50, "hotspot": 1, "dialogues": 2], at: Date(timeIntervalSince1970: 10)),
            .init(values: ["received": 30, "resolved_rate": 90, "hotspot": 0, "dialogues": 5], at: Date(timeIntervalSince1970: 30)),
            .init(values: ["received": 0, "resolved_rate": 10, "hotspot": 1], at: Date(timeIntervalSince1970: 20)),
        ]
        #expect(ReportCombination.combine(definition.indicator("received")!, entries) == 40)
        // (50×10 + 90×30) / 40 = 80; the unit with no weight does not count.
        #expect(ReportCombination.combine(definition.indicator("resolved_rate")!, entries) == 80)
        #expect(ReportCombination.combine(definition.indicator("hotspot")!, entries) == 2)
        var share = definition.indicator("hotspot")!
        share.combine = .shareYes
        #expect(abs(ReportCombination.combine(share, entries)! - 200.0 / 3) < 1e-9 && share.combinedKind == .percentage)
        var dialogues = definition.indicator("dialogues")!
        dialogues.combine = .min
        #expect(ReportCombination.combine(dialogues, entries) == 2)
        dialogues.combine = .max
        #expect(ReportCombination.combine(dialogues, entries) == 5)
        dialogues.combine = .latest
        #expect(ReportCombination.combine(dialogues, entries) == 5)
        #expect(ReportCombination.combine(definition.indicator("tasks_done")!, entries) == nil)
        // Over time: flows add up, rates take the latest period.
        #expect(ReportCombination.overTime(definition.indicator("received")!, [3, nil, 4]) == 7)
        #expect(ReportCombination.overTime(definition.indicator("resolved_rate")!, [60, 70, nil]) == 70)
        dialogues.combine = .min
        #expect(ReportCombination.overTime(dialogues, [4, 2, 3]) == 2)
        dialogues.combine = .max
        #expect(ReportCombination.overTime(dialogues, [4, 2, 3]) == 4)
    }

    @Test("outliers against the unit's own history; fewer than three values flag nothing")
    func outliers() {
        #expect(ReportCombination.isOutlier(40, history: [10, 12, 11]))
        #expect(!ReportCombination.isOutlier(13, history: [10, 12, 11]))
        #expect(!ReportCombination.isOutlier(400, history: [10, 12]))
    }

    @Test("timeliness by the first submission: on time, late by days, missing, returned, pending")
    func timeliness() {
        let request = ReportRequest()
        request.dueOn = day("2026-11-17")
        request.status = .pending
        #expect(Timeliness.of(request, now: day("2026-11-17").addingTimeInterval(20 * 3600)) == .pending)
        #expect(Timeliness.of(request, now: day("2026-11-18").addingTimeInterval(60)) == .missing)
        request.status = .submitted
        request.firstSubmittedAt = day("2026-11-17").addingTimeInterval(23 * 3600)
        #expect(Timeliness.of(request, now: day("2026-12-01")) == .onTime)
        request.firstSubmittedAt = day("2026-11-19").addingTimeInterval(3600)
        #expect(Timeliness.of(request, now: day("2026-12-01")) == .late(2))
        request.status = .returned
        #expect(Timeliness.of(request, now: day("2026-12-01")) == .returned)
    }
}

@Suite("Report values JSON")
struct ReportJSONTests {
    @Test("the fast reader of stored values agrees with JSONDecoder on random objects, and falls back on anything else")
    func numbers() throws {
        var generator = SeededGenerator(seed: SeededGenerator.testSeed(20_261_213, environment: ProcessInfo.processInfo.environment))
        for _ in 0..<300 {
            var values: [String: Double] = [:]
            for index in 0..<Int.random(in: 0...40, using: &generator) {
                let value: Double = Bool.random(using: &generator) ? Double(Int.random(in: -5_000...5_000, using: &generator)) : Double.random(in: -1e6...1e6, using: &generator)
                values["i\(index)_\(Int.random(in: 0...99, using: &generator))"] = value
            }
            let text = try ReportJSON.encode(values)
            #expect(ReportJSON.numbers(text) == values, "\(text)")
            // The vector reader agrees, for keys present, absent and extra.
            let keys = Array(values.keys.shuffled(using: &generator).prefix(30)) + ["absent"]
            let vector = ReportJSON.vector(text, ReportJSON.Layout(keys))
            for (index, key) in keys.enumerated() {
                if let value = values[key] { #expect(vector[index] == value, "\(key) in \(text)") } else { #expect(vector[index].isNaN) }
            }
        }
        #expect(ReportJSON.numbers(#"{ "a" : 1 , "b\u00e0" : 2 }"#) == ["a": 1, "bà": 2])
        #expect(ReportJSON.numbers("not json").isEmpty)
        #expect(ReportJSON.numbers("{}").isEmpty)
        #expect(ReportJSON.vector(#"{"a":1e-05,"b":-2.5}"#, ReportJSON.Layout(["b", "a"])) == [-2.5, 1e-05])
    }
}
