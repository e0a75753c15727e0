import DanVanText
import Fluent
import Foundation
import Vapor

/// Where the working calendar comes from: the computed public holidays by default; a module
/// that keeps the province's decisions (substitute days off, Saturdays worked) registers its
/// loader (Citizens does), so every module counts working days alike.
public struct WorkingCalendarSource: Sendable {
    /// Loads the calendar.
    public var load: @Sendable (any Database) async throws -> WorkingCalendar

    /// A source.
    public init(load: @escaping @Sendable (any Database) async throws -> WorkingCalendar) {
        self.load = load
    }

    /// The computed calendar, without decisions.
    public static let computed = WorkingCalendarSource { _ in WorkingCalendar() }
}

extension Application {
    private struct WorkingCalendarKey: StorageKey { typealias Value = WorkingCalendarSource }

    /// The working calendar's source.
    public var workingCalendar: WorkingCalendarSource {
        get { storage[WorkingCalendarKey.self] ?? .computed }
        set { storage[WorkingCalendarKey.self] = newValue }
    }
}

extension Request {
    /// The working calendar with the province's decisions.
    public func workingCalendar() async throws -> WorkingCalendar {
        try await application.workingCalendar.load(db)
    }
}

extension LunarCalendar.SolarDate {
    /// The province's calendar day of `date`.
    public init(_ date: Date) {
        let c = VNFormat.calendar.dateComponents([.year, .month, .day], from: date)
        self.init(year: c.year ?? 1970, month: c.month ?? 1, day: c.day ?? 1)
    }

    /// The start of this day in the province.
    public var start: Date {
        VNFormat.calendar.date(from: DateComponents(year: year, month: month, day: day)) ?? Date(timeIntervalSince1970: 0)
    }
}
