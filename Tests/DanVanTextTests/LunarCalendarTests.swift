import DanVanText
import Foundation
import Testing

@Suite("Lunar calendar")
struct LunarCalendarTests {
    typealias Solar = LunarCalendar.SolarDate

    @Test("Tết and Giỗ Tổ fall on the published solar dates")
    func knownDates() {
        let tet: [Int: Solar] = [
            2020: Solar(year: 2020, month: 1, day: 25), 2021: Solar(year: 2021, month: 2, day: 12), 2022: Solar(year: 2022, month: 2, day: 1),
            2023: Solar(year: 2023, month: 1, day: 22), 2024: Solar(year: 2024, month: 2, day: 10), 2025: Solar(year: 2025, month: 1, day: 29),
            2026: Solar(year: 2026, month: 2, day: 17), 2027: Solar(year: 2027, month: 2, day: 6),
        ]
        for (year, date) in tet { #expect(LunarCalendar.tet(year) == date, "\(year)") }
        #expect(LunarCalendar.solar(.init(day: 10, month: 3, year: 2024)) == Solar(year: 2024, month: 4, day: 18))
        #expect(LunarCalendar.solar(.init(day: 10, month: 3, year: 2025)) == Solar(year: 2025, month: 4, day: 7))
        #expect(LunarCalendar.solar(.init(day: 10, month: 3, year: 2026)) == Solar(year: 2026, month: 4, day: 26))
        // 2023 had a leap second month (nhuận tháng 2): lunar 1/2 nhuận = 22/3/2023.
        #expect(LunarCalendar.solar(.init(day: 1, month: 2, year: 2023, leap: true)) == Solar(year: 2023, month: 3, day: 22))
        #expect(LunarCalendar.solar(.init(day: 1, month: 2, year: 2024, leap: true)) == nil)
    }

    @Test("solar → lunar → solar is the identity over ten years, day by day")
    func roundTrip() {
        var day = Solar(year: 2020, month: 1, day: 1)
        while day.year < 2030 {
            let lunar = LunarCalendar.lunar(day)
            #expect(LunarCalendar.solar(lunar) == day, "\(day) → \(lunar)")
            #expect((1...30).contains(lunar.day) && (1...12).contains(lunar.month))
            day = LunarCalendar.adding(1, to: day)
        }
    }

    @Test("public holidays: fixed days, the five Tết days, Giỗ Tổ")
    func holidays() {
        let days = LunarCalendar.publicHolidays(2026)
        #expect(days.contains(Solar(year: 2026, month: 1, day: 1)) && days.contains(Solar(year: 2026, month: 9, day: 2)))
        for day in 16...20 { #expect(days.contains(Solar(year: 2026, month: 2, day: day)), "\(day)/2/2026") }
        #expect(days.contains(Solar(year: 2026, month: 4, day: 26)))
        #expect(days.count == 11)
    }
}
