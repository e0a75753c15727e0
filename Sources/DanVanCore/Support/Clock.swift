import Synchronization
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Where "now" comes from, so tests can pin it.
public protocol AppClock: Sendable {
    /// The current instant.
    func now() -> Date
}

/// The wall clock.
public struct SystemClock: AppClock {
    /// Creates the wall clock.
    public init() {}
    /// The current instant.
    public func now() -> Date { Date() }
}

/// A clock that stays where a test puts it.
public final class FixedClock: AppClock {
    private let current: NIOLockedValueBox<Date>
    /// Creates a clock showing `date`.
    public init(_ date: Date) { current = .init(date) }
    /// The pinned instant.
    public func now() -> Date { current.withLockedValue { $0 } }
    /// Moves the clock by `seconds`.
    public func advance(by seconds: TimeInterval) { current.withLockedValue { $0 = $0.addingTimeInterval(seconds) } }
}

extension Application {
    private struct ClockKey: StorageKey { typealias Value = any AppClock }

    /// The app's clock (the wall clock unless a test set another).
    public var clock: any AppClock {
        get { storage[ClockKey.self] ?? SystemClock() }
        set { storage[ClockKey.self] = newValue }
    }
}

extension Request {
    /// "Now" for this request, from the app's clock.
    public var now: Date { application.clock.now() }
}

/// Vietnamese formatting of dates and numbers, done in Swift so it is tested.
public enum VNFormat {
    /// The province's time zone.
    public static let timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh") ?? TimeZone(secondsFromGMT: 7 * 3600)!

    /// A Gregorian calendar in the province's time zone.
    public static var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar
    }

    /// The day and time of `date` in the province. Vietnam has kept UTC+7 without summer time
    /// since 1976, so from then on this is arithmetic (a list formats a date or two per row and
    /// Foundation's calendar was a thirtieth of the task list); earlier instants ask the calendar.
    static func civil(_ date: Date) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int) {
        let seconds = date.timeIntervalSince1970
        guard seconds >= 189_302_400, seconds < 253_402_300_800 else {
            let c = calendar.dateComponents([.day, .month, .year, .hour, .minute], from: date)
            return (c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
        }
        let local = Int(seconds.rounded(.down)) + 7 * 3600
        let days = local / 86_400, second = local % 86_400
        // Days since 1970-01-01 to a civil date (H. Hinnant's algorithm, days ≥ 0 here).
        let z = days + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day, second / 3600, second % 3600 / 60)
    }

    /// `value` in decimal with leading zeros to `width` digits.
    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// `23/11/2026`.
    public static func date(_ date: Date?) -> String {
        guard let date else { return "" }
        let c = civil(date)
        return pad(c.day, 2) + "/" + pad(c.month, 2) + "/" + pad(c.year, 4)
    }

    /// `23/11/2026 14:05`.
    public static func dateTime(_ date: Date?) -> String {
        guard let date else { return "" }
        let c = civil(date)
        return pad(c.day, 2) + "/" + pad(c.month, 2) + "/" + pad(c.year, 4) + " " + pad(c.hour, 2) + ":" + pad(c.minute, 2)
    }

    /// ISO `2026-11-23` (form inputs of type date).
    public static func isoDate(_ date: Date?) -> String {
        guard let date else { return "" }
        let c = civil(date)
        return pad(c.year, 4) + "-" + pad(c.month, 2) + "-" + pad(c.day, 2)
    }

    /// Parses `2026-11-23` or `23/11/2026` as the start of that day in the province.
    public static func parseDate(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var parts: [Int] = []
        var day = 0, month = 0, year = 0
        if trimmed.contains("-") {
            parts = trimmed.split(separator: "-").compactMap { Int($0) }
            guard parts.count == 3 else { return nil }
            (year, month, day) = (parts[0], parts[1], parts[2])
        } else {
            parts = trimmed.split(separator: "/").compactMap { Int($0) }
            guard parts.count == 3 else { return nil }
            (day, month, year) = (parts[0], parts[1], parts[2])
        }
        guard (1...12).contains(month), (1...31).contains(day), (1900...2200).contains(year) else { return nil }
        let components = DateComponents(year: year, month: month, day: day)
        guard let date = calendar.date(from: components),
              calendar.component(.day, from: date) == day else { return nil }
        return date
    }

    /// `2026-11-23T10:00`, the value of an `<input type="datetime-local">`, in the province's time.
    public static func isoDateTime(_ date: Date?) -> String {
        guard let date else { return "" }
        let c = civil(date)
        return pad(c.year, 4) + "-" + pad(c.month, 2) + "-" + pad(c.day, 2) + "T" + pad(c.hour, 2) + ":" + pad(c.minute, 2)
    }

    /// Parses `2026-11-23T10:00` (or with a space, or `23/11/2026 10:00`) in the province's time.
    public static func parseDateTime(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let pieces = trimmed.split(whereSeparator: { $0 == "T" || $0 == " " })
        guard pieces.count == 2, let day = parseDate(String(pieces[0])) else { return nil }
        let time = pieces[1].split(separator: ":").compactMap { Int($0) }
        guard (2...3).contains(time.count), (0...23).contains(time[0]), (0...59).contains(time[1]) else { return nil }
        return day.addingTimeInterval(TimeInterval(time[0] * 3600 + time[1] * 60 + (time.count == 3 ? time[2] : 0)))
    }

    /// The province's calendar day as a number, `20261123`: a key for grouping by day that
    /// every database treats alike.
    public static func dayKey(_ date: Date) -> Int {
        let c = calendar.dateComponents([.day, .month, .year], from: date)
        return (c.year ?? 0) * 10_000 + (c.month ?? 0) * 100 + (c.day ?? 0)
    }

    /// `20261123` → `23/11/2026`.
    public static func dayKeyText(_ key: Int) -> String {
        String(format: "%02d/%02d/%04d", key % 100, (key / 100) % 100, key / 10_000)
    }

    /// `12 KB`, `3,4 MB`: a file's size as file lists show it (never below 1 KB).
    public static func fileSize(_ bytes: Int) -> String {
        let kilobytes = max(1, bytes / 1024)
        if kilobytes < 10 * 1024 { return integer(kilobytes) + " KB" }
        return decimal(Double(bytes) / 1_048_576, places: 1) + " MB"
    }

    /// `33%`, `12,5%`: a share (0…1) as a percentage with `places` decimals, Vietnamese comma.
    public static func percent(_ share: Double, places: Int = 0) -> String {
        decimal(share * 100, places: places) + "%"
    }

    /// `12,5`: a number with `places` decimals and a decimal comma.
    public static func decimal(_ value: Double, places: Int) -> String {
        String(format: "%.\(max(0, places))f", value).replacingOccurrences(of: ".", with: ",")
    }

    /// `1.234.567` — Vietnamese thousands separator.
    public static func integer(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(".") }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }
}

/// The start of a day in the province (every module's "today").
public enum CivilDay {
    public static func startOfDay(_ date: Date) -> Date {
        // The day last asked about, kept: every home page asks for today's start (the
        // calendar's answer was a hundred-and-twentieth of the page).
        if let (start, end) = lastDay.withLock({ $0 }), start <= date, date < end { return start }
        let start = VNFormat.calendar.startOfDay(for: date)
        let end = VNFormat.calendar.date(byAdding: .day, value: 1, to: start) ?? start
        lastDay.withLock { $0 = (start, end) }
        return start
    }

    /// The last day asked about: its start and the next day's.
    private static let lastDay = Mutex<(Date, Date)?>(nil)
}
