import Foundation

/// The Vietnamese lunar calendar (âm lịch), computed for the UTC+7 meridian with the
/// astronomical algorithms published by Hồ Ngọc Đức (new moons and the sun's longitude after
/// Jean Meeus). Gives the solar date of a lunar date (Tết is lunar 1/1, Giỗ Tổ Hùng Vương 10/3)
/// and back. Pure arithmetic on Julian day numbers; no Foundation calendar involved.
public enum LunarCalendar {
    /// A lunar date; `leap` marks a day of the leap month.
    public struct LunarDate: Sendable, Equatable {
        public let day: Int
        public let month: Int
        public let year: Int
        public let leap: Bool

        public init(day: Int, month: Int, year: Int, leap: Bool = false) {
            self.day = day
            self.month = month
            self.year = year
            self.leap = leap
        }
    }

    /// A solar (Gregorian) date.
    public struct SolarDate: Sendable, Hashable, Comparable {
        public let year: Int
        public let month: Int
        public let day: Int

        public init(year: Int, month: Int, day: Int) {
            self.year = year
            self.month = month
            self.day = day
        }

        public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day) }
    }

    static let timeZone = 7.0

    /// Julian day number of a Gregorian date.
    static func julianDay(_ date: SolarDate) -> Int {
        let a = (14 - date.month) / 12
        let y = date.year + 4800 - a
        let m = date.month + 12 * a - 3
        return date.day + (153 * m + 2) / 5 + 365 * y + y / 4 - y / 100 + y / 400 - 32045
    }

    /// The Gregorian date of a Julian day number.
    static func solar(_ jd: Int) -> SolarDate {
        let a = jd + 32044
        let b = (4 * a + 3) / 146_097
        let c = a - b * 146_097 / 4
        let d = (4 * c + 3) / 1461
        let e = c - 1461 * d / 4
        let m = (5 * e + 2) / 153
        return SolarDate(year: b * 100 + d - 4800 + m / 10, month: m + 3 - 12 * (m / 10), day: e - (153 * m + 2) / 5 + 1)
    }

    /// The Julian day of the k-th new moon after 1/1/1900, at local midnight.
    static func newMoonDay(_ k: Int) -> Int {
        let k = Double(k)
        let t = k / 1236.85
        let t2 = t * t, t3 = t2 * t
        let dr = Double.pi / 180
        var jd1 = 2_415_020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
        jd1 += 0.00033 * sin((166.56 + 132.87 * t - 0.009173 * t2) * dr)
        let m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3
        let mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3
        let f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3
        var c1 = (0.1734 - 0.000393 * t) * sin(m * dr) + 0.0021 * sin(2 * dr * m)
        c1 = c1 - 0.4068 * sin(mpr * dr) + 0.0161 * sin(dr * 2 * mpr)
        c1 = c1 - 0.0004 * sin(dr * 3 * mpr)
        c1 = c1 + 0.0104 * sin(dr * 2 * f) - 0.0051 * sin(dr * (m + mpr))
        c1 = c1 - 0.0074 * sin(dr * (m - mpr)) + 0.0004 * sin(dr * (2 * f + m))
        c1 = c1 - 0.0004 * sin(dr * (2 * f - m)) - 0.0006 * sin(dr * (2 * f + mpr))
        c1 = c1 + 0.0010 * sin(dr * (2 * f - mpr)) + 0.0005 * sin(dr * (2 * mpr + m))
        let deltaT = t < -11 ? 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
            : -0.000278 + 0.000265 * t + 0.000262 * t2
        let jdNew = jd1 + c1 - deltaT
        return Int((jdNew + 0.5 + timeZone / 24).rounded(.down))
    }

    /// Which of the 12 sectors of 30° the sun is in at local midnight starting Julian day `jd`.
    static func sunSector(_ jd: Int) -> Int {
        let t = (Double(jd) - 2_451_545.5 - timeZone / 24) / 36525
        let t2 = t * t
        let dr = Double.pi / 180
        let m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2
        let l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2
        var dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * sin(dr * m)
        dl += (0.019993 - 0.000101 * t) * sin(dr * 2 * m) + 0.000290 * sin(dr * 3 * m)
        var l = (l0 + dl) * dr
        l -= Double.pi * 2 * (l / (Double.pi * 2)).rounded(.down)
        return Int((l / Double.pi * 6).rounded(.down))
    }

    /// The Julian day of the start of lunar month 11 (the month holding the winter solstice) of `year`.
    static func lunarMonth11(_ year: Int) -> Int {
        let off = julianDay(SolarDate(year: year, month: 12, day: 31)) - 2_415_021
        let k = Int((Double(off) / 29.530588853).rounded(.down))
        var nm = newMoonDay(k)
        if sunSector(nm) >= 9 { nm = newMoonDay(k - 1) }
        return nm
    }

    /// Which month after month 11 is the leap month, in a year with 13 months.
    static func leapMonthOffset(_ a11: Int) -> Int {
        let k = Int(((Double(a11) - 2_415_021.076998695) / 29.530588853 + 0.5).rounded(.down))
        var last = 0
        var i = 1
        var arc = sunSector(newMoonDay(k + i))
        repeat {
            last = arc
            i += 1
            arc = sunSector(newMoonDay(k + i))
        } while arc != last && i < 14
        return i - 1
    }

    /// The lunar date of a solar date.
    public static func lunar(_ date: SolarDate) -> LunarDate {
        let dayNumber = julianDay(date)
        let k = Int(((Double(dayNumber) - 2_415_021.076998695) / 29.530588853).rounded(.down))
        var monthStart = newMoonDay(k + 1)
        if monthStart > dayNumber { monthStart = newMoonDay(k) }
        var a11 = lunarMonth11(date.year)
        var b11 = a11
        var year: Int
        if a11 >= monthStart {
            year = date.year
            a11 = lunarMonth11(date.year - 1)
        } else {
            year = date.year + 1
            b11 = lunarMonth11(date.year + 1)
        }
        let day = dayNumber - monthStart + 1
        let diff = (monthStart - a11) / 29
        var leap = false
        var month = diff + 11
        if b11 - a11 > 365 {
            let leapDiff = leapMonthOffset(a11)
            if diff >= leapDiff {
                month = diff + 10
                if diff == leapDiff { leap = true }
            }
        }
        if month > 12 { month -= 12 }
        if month >= 11 && diff < 4 { year -= 1 }
        return LunarDate(day: day, month: month, year: year, leap: leap)
    }

    /// The solar date of a lunar date (nil for a leap month that year does not have).
    public static func solar(_ date: LunarDate) -> SolarDate? {
        var a11: Int, b11: Int
        if date.month < 11 {
            a11 = lunarMonth11(date.year - 1)
            b11 = lunarMonth11(date.year)
        } else {
            a11 = lunarMonth11(date.year)
            b11 = lunarMonth11(date.year + 1)
        }
        let k = Int((0.5 + (Double(a11) - 2_415_021.076998695) / 29.530588853).rounded(.down))
        var off = date.month - 11
        if off < 0 { off += 12 }
        if b11 - a11 > 365 {
            let leapOff = leapMonthOffset(a11)
            var leapMonth = leapOff - 2
            if leapMonth < 0 { leapMonth += 12 }
            if date.leap && date.month != leapMonth { return nil }
            if date.leap || off >= leapOff { off += 1 }
        } else if date.leap {
            return nil
        }
        let monthStart = newMoonDay(k + off)
        return solar(monthStart + date.day - 1)
    }

    /// Tết Nguyên đán (lunar 1/1) of `year`.
    public static func tet(_ year: Int) -> SolarDate {
        solar(LunarDate(day: 1, month: 1, year: year))!
    }

    /// The day `days` after `date` (negative for before).
    public static func adding(_ days: Int, to date: SolarDate) -> SolarDate {
        solar(julianDay(date) + days)
    }

    /// Public holidays of `year` under the Labour Code 2019 (Art. 112) as they are usually
    /// placed: 1/1; Tết — the last day of the lunar year and the first four of the new one;
    /// Giỗ Tổ Hùng Vương (lunar 10/3); 30/4; 1/5; 2/9 and 1/9. The Government fixes the exact Tết
    /// days and substitute days each year: those come from the working-day calendar's own table
    /// when the petitions module lands; this is the computed default.
    public static func publicHolidays(_ year: Int) -> Set<SolarDate> {
        var days: Set<SolarDate> = [
            SolarDate(year: year, month: 1, day: 1), SolarDate(year: year, month: 4, day: 30), SolarDate(year: year, month: 5, day: 1),
            SolarDate(year: year, month: 9, day: 1), SolarDate(year: year, month: 9, day: 2),
        ]
        for tetYear in [year, year + 1] {
            let tet = tet(tetYear)
            for offset in -1...3 {
                let day = adding(offset, to: tet)
                if day.year == year { days.insert(day) }
            }
        }
        if let gioTo = solar(LunarDate(day: 10, month: 3, year: year)) { days.insert(gioTo) }
        return days
    }
}
