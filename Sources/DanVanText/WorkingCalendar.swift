import Foundation

/// Working days in Vietnam: Monday to Friday, less the public holidays of the Labour Code 2019
/// (Art. 112; Tết and Giỗ Tổ placed by `LunarCalendar`), with the year's own decisions laid
/// over them (a holiday moved, a substitute day off, a Saturday made a working day). Pure
/// arithmetic on dates; the overrides come from the database.
public struct WorkingCalendar: Sendable, Equatable {
    /// Why a day is not a working day (or is one against the rule).
    public enum Holiday: String, Sendable, Codable, CaseIterable {
        case newYear, tet, hungKings, reunification, labour, national
    }

    /// A decision for one day: it is worked, or it is off.
    public enum Override: String, Sendable, Codable, CaseIterable {
        /// A day off (a substitute day, a holiday moved here).
        case off
        /// A working day (a Saturday worked in exchange, a computed holiday moved away).
        case working
    }

    /// Decisions by date.
    public var overrides: [LunarCalendar.SolarDate: Override]

    /// A calendar with the given decisions.
    public init(overrides: [LunarCalendar.SolarDate: Override] = [:]) {
        self.overrides = overrides
    }

    /// The public holidays of `year` as usually placed, each with its reason.
    public static func holidays(_ year: Int) -> [LunarCalendar.SolarDate: Holiday] {
        var days: [LunarCalendar.SolarDate: Holiday] = [
            .init(year: year, month: 1, day: 1): .newYear, .init(year: year, month: 4, day: 30): .reunification,
            .init(year: year, month: 5, day: 1): .labour, .init(year: year, month: 9, day: 1): .national, .init(year: year, month: 9, day: 2): .national,
        ]
        for tetYear in [year, year + 1] {
            let tet = LunarCalendar.tet(tetYear)
            for offset in -1...3 {
                let day = LunarCalendar.adding(offset, to: tet)
                if day.year == year { days[day] = .tet }
            }
        }
        if let gioTo = LunarCalendar.solar(LunarCalendar.LunarDate(day: 10, month: 3, year: year)) { days[gioTo] = .hungKings }
        return days
    }

    private static let cache = HolidayCache()

    /// Day of the week, 0 = Sunday … 6 = Saturday.
    public static func weekday(_ date: LunarCalendar.SolarDate) -> Int {
        (LunarCalendar.julianDay(date) + 1) % 7
    }

    /// Whether `date` is a working day.
    public func isWorkingDay(_ date: LunarCalendar.SolarDate) -> Bool {
        if let decision = overrides[date] { return decision == .working }
        let weekday = Self.weekday(date)
        if weekday == 0 || weekday == 6 { return false }
        return Self.cache.holidays(date.year)[date] == nil
    }

    /// The holiday on `date`, if it is one by the computed rule and no decision moved it.
    public func holiday(on date: LunarCalendar.SolarDate) -> Holiday? {
        if overrides[date] == .working { return nil }
        return Self.cache.holidays(date.year)[date]
    }

    /// The `count`-th working day after `start` (the start day itself is not counted): a time
    /// limit of `count` working days from `start` ends on it.
    public func addingWorkingDays(_ count: Int, to start: LunarCalendar.SolarDate) -> LunarCalendar.SolarDate {
        var day = start
        var left = max(0, count)
        var guardSteps = 0
        while left > 0, guardSteps < 10_000 {
            day = LunarCalendar.adding(1, to: day)
            if isWorkingDay(day) { left -= 1 }
            guardSteps += 1
        }
        return day
    }

    /// `count` calendar days after `start`; a last day that is not a working day moves to the
    /// next working day (Civil Code 2015, Art. 148(4)).
    public func addingCalendarDays(_ count: Int, to start: LunarCalendar.SolarDate) -> LunarCalendar.SolarDate {
        nextWorkingDay(from: LunarCalendar.adding(max(0, count), to: start))
    }

    /// `date` if it is a working day, else the first working day after it.
    public func nextWorkingDay(from date: LunarCalendar.SolarDate) -> LunarCalendar.SolarDate {
        var day = date
        var guardSteps = 0
        while !isWorkingDay(day), guardSteps < 60 {
            day = LunarCalendar.adding(1, to: day)
            guardSteps += 1
        }
        return day
    }

    /// Working days after `start` up to and including `end` (0 when `end` is not after `start`).
    public func workingDays(after start: LunarCalendar.SolarDate, through end: LunarCalendar.SolarDate) -> Int {
        guard start < end else { return 0 }
        var count = 0
        var day = LunarCalendar.adding(1, to: start)
        while day <= end {
            if isWorkingDay(day) { count += 1 }
            day = LunarCalendar.adding(1, to: day)
        }
        return count
    }
}

/// The computed holidays per year, made once.
final class HolidayCache: @unchecked Sendable {
    private let lock = NSLock()
    private var years: [Int: [LunarCalendar.SolarDate: WorkingCalendar.Holiday]] = [:]

    func holidays(_ year: Int) -> [LunarCalendar.SolarDate: WorkingCalendar.Holiday] {
        lock.lock()
        defer { lock.unlock() }
        if let known = years[year] { return known }
        let computed = WorkingCalendar.holidays(year)
        years[year] = computed
        return computed
    }
}

extension LunarCalendar.SolarDate {
    /// `2026-07-01`.
    public var iso: String { String(format: "%04d-%02d-%02d", year, month, day) }

    /// Parses `2026-07-01`.
    public init?(iso: String) {
        let parts = iso.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, (1...12).contains(parts[1]), (1...31).contains(parts[2]), parts[0] > 1900, parts[0] < 3000 else { return nil }
        self.init(year: parts[0], month: parts[1], day: parts[2])
        guard LunarCalendar.solar(LunarCalendar.julianDay(self)) == self else { return nil }
    }
}
