import DanVanCore
import DanVanText
import Foundation

/// How often a regime reports (tần suất), NĐ 09/2019 Art. 4 and 12.
public enum ReportFrequency: String, Codable, Sendable, CaseIterable {
    case month, quarter, sixMonths, nineMonths, year, thematic, adHoc

    public var label: String { L10n.text("reports.frequency.\(rawValue)") }

    /// Periods in a year (nil for thematic and ad hoc: their dates are free).
    public var periodsPerYear: Int? {
        switch self {
        case .month: 12
        case .quarter: 4
        case .sixMonths: 2
        case .nineMonths, .year: 1
        case .thematic, .adHoc: nil
        }
    }

    /// Whether periods repeat (định kỳ).
    public var isPeriodic: Bool { periodsPerYear != nil }
}

/// Where a period's data window falls.
public enum ReportWindow: String, Codable, Sendable, CaseIterable {
    /// The 15th of the month before to the 14th (NĐ 09/2019 Art. 12), the default.
    case cutoff
    /// Calendar months, quarters and years.
    case calendar

    public var label: String { L10n.text("reports.window.\(rawValue)") }
}

/// A period's place in its year and its data window: `start`…`end` (the cut-off day, whole days
/// in the province's time; `end` is the start of the cut-off day).
public struct ReportPeriodSlot: Sendable, Equatable {
    public var year: Int
    public var index: Int
    public var start: Date
    public var end: Date

    /// A key unique within a regime: `2026-11` (month 11), `2026-q4`, `2026-h1`, `2026-n9`, `2026-y`.
    public func key(_ frequency: ReportFrequency) -> String {
        switch frequency {
        case .month: String(format: "%04d-%02d", year, index)
        case .quarter: "\(year)-q\(index)"
        case .sixMonths: "\(year)-h\(index)"
        case .nineMonths: "\(year)-n9"
        case .year: "\(year)-y"
        case .thematic, .adHoc: "\(year)-\(index)"
        }
    }

    /// "Tháng 11/2026", "Quý IV/2026", "6 tháng đầu năm 2026"…
    public func label(_ frequency: ReportFrequency) -> String {
        switch frequency {
        case .month: L10n.format("reports.period.month", ["\(index)", "\(year)"])
        case .quarter: L10n.format("reports.period.quarter", [["I", "II", "III", "IV"][max(0, min(3, index - 1))], "\(year)"])
        case .sixMonths: L10n.format(index == 1 ? "reports.period.firstHalf" : "reports.period.secondHalf", ["\(year)"])
        case .nineMonths: L10n.format("reports.period.nineMonths", ["\(year)"])
        case .year: L10n.format("reports.period.year", ["\(year)"])
        case .thematic, .adHoc: L10n.format("reports.period.free", [VNFormat.date(start), VNFormat.date(end)])
        }
    }

    /// A short label for chart axes: "T11/26", "Q4/26", "6T1/26", "9T/26", "2026".
    public func shortLabel(_ frequency: ReportFrequency) -> String {
        let yy = String(format: "%02d", year % 100)
        switch frequency {
        case .month: return L10n.format("reports.period.short.month", [String(index), yy])
        case .quarter: return L10n.format("reports.period.short.quarter", [String(index), yy])
        case .sixMonths: return L10n.format("reports.period.short.half", [String(index), yy])
        case .nineMonths: return L10n.format("reports.period.short.nine", [yy])
        case .year: return String(year)
        case .thematic, .adHoc: return VNFormat.date(end)
        }
    }

    /// Sorts periods of a regime in time.
    public var ordinal: Int { year * 100 + index }
}

/// Period arithmetic: windows, deadlines per level, the working-day rule.
public enum ReportCalendar {
    static var calendar: Calendar { VNFormat.calendar }

    static func day(_ year: Int, _ month: Int, _ day: Int) -> Date {
        var year = year, month = month
        while month < 1 { month += 12; year -= 1 }
        while month > 12 { month -= 12; year += 1 }
        return calendar.date(from: DateComponents(year: year, month: month, day: day))!
    }

    static func lastDay(_ year: Int, _ month: Int) -> Date {
        calendar.date(byAdding: .day, value: -1, to: day(year, month + 1, 1))!
    }

    /// The `index`-th period of `year`.
    public static func slot(_ frequency: ReportFrequency, window: ReportWindow, year: Int, index: Int) -> ReportPeriodSlot? {
        guard let count = frequency.periodsPerYear, (1...count).contains(index) else { return nil }
        // The last month of the period, and how many months it spans.
        let (lastMonth, months): (Int, Int) = switch frequency {
        case .month: (index, 1)
        case .quarter: (index * 3, 3)
        case .sixMonths: (index * 6, 6)
        case .nineMonths: (9, 9)
        default: (12, 12)
        }
        switch window {
        case .cutoff:
            return ReportPeriodSlot(year: year, index: index, start: day(year, lastMonth - months, 15), end: day(year, lastMonth, 14))
        case .calendar:
            return ReportPeriodSlot(year: year, index: index, start: day(year, lastMonth - months + 1, 1), end: lastDay(year, lastMonth))
        }
    }

    /// The periods whose window ends on or after `from`, in order, `count` of them.
    public static func upcoming(_ frequency: ReportFrequency, window: ReportWindow, from: Date, count: Int) -> [ReportPeriodSlot] {
        guard let perYear = frequency.periodsPerYear, count > 0 else { return [] }
        let fromDay = calendar.startOfDay(for: from)
        var year = calendar.component(.year, from: from) - 1
        var index = 1
        var found: [ReportPeriodSlot] = []
        while found.count < count, year < 3000 {
            if let slot = slot(frequency, window: window, year: year, index: index), slot.end >= fromDay { found.append(slot) }
            index += 1
            if index > perYear { index = 1; year += 1 }
        }
        return found
    }

    /// The period holding `date` (its window contains the day).
    public static func containing(_ frequency: ReportFrequency, window: ReportWindow, date: Date) -> ReportPeriodSlot? {
        let day = calendar.startOfDay(for: date)
        return upcoming(frequency, window: window, from: day, count: 1).first.flatMap { $0.start <= day ? $0 : nil }
    }

    /// The deadline of a unit at `level`: the cut-off day plus that level's days.
    public static func deadline(cutoff: Date, days: Int) -> Date {
        calendar.date(byAdding: .day, value: days, to: calendar.startOfDay(for: cutoff))!
    }

    /// Whether `date` is a working day of `calendar` (the computed public holidays by default;
    /// pages pass `req.workingCalendar()`, which carries the province's decisions).
    public static func isWorkingDay(_ date: Date, calendar working: WorkingCalendar = WorkingCalendar()) -> Bool {
        working.isWorkingDay(LunarCalendar.SolarDate(date))
    }

    /// NĐ 09/2019 Art. 8(5)(b): at least one working day between the cut-off and the deadline.
    public static func leavesAWorkingDay(cutoff: Date, deadline: Date, calendar working: WorkingCalendar = WorkingCalendar()) -> Bool {
        var day = calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: cutoff))!
        let last = calendar.startOfDay(for: deadline)
        while day <= last {
            if isWorkingDay(day, calendar: working) { return true }
            day = calendar.date(byAdding: .day, value: 1, to: day)!
        }
        return false
    }

    /// Levels whose deadline leaves no working day after the cut-off of the first upcoming
    /// period (NĐ 09/2019 Art. 8(5)(b)); shown as a warning, not refused.
    public static func tightLevels(_ frequency: ReportFrequency, window: ReportWindow, deadlines: [OrgUnit.Level: Int], now: Date, calendar working: WorkingCalendar = WorkingCalendar()) -> [OrgUnit.Level] {
        guard let slot = upcoming(frequency, window: window, from: now, count: 1).first else { return [] }
        return OrgUnit.Level.allCases.filter { level in
            guard let days = deadlines[level] else { return false }
            return !leavesAWorkingDay(cutoff: slot.end, deadline: deadline(cutoff: slot.end, days: days), calendar: working)
        }
    }

    /// Whole days from `deadline` to `submitted` (0 when on the day or before).
    public static func daysLate(deadline: Date, submitted: Date) -> Int {
        let due = calendar.startOfDay(for: deadline)
        let day = calendar.startOfDay(for: submitted)
        guard day > due else { return 0 }
        return calendar.dateComponents([.day], from: due, to: day).day ?? 0
    }
}
