import DanVanCore
import DanVanText
import Fluent
import Foundation

/// The rows the module starts with (LEGAL.md §1).
enum TimeLimitDefaults {
    static func rules(at now: Date) -> [TimeLimitRule] {
        let complaintsFrom = VNFormat.parseDate("2012-07-01")!
        let denunciationsFrom = VNFormat.parseDate("2019-01-01")!
        var rules: [TimeLimitRule] = []
        func add(_ kind: PetitionKind, instance: Int, complexity: PetitionComplexity?, remote: Bool?, accept: Int?, resolve: Int,
                 extensions: Int = 0, extensionDays: Int = 0, basis: String, from: Date) {
            let rule = TimeLimitRule()
            rule.id = UUID()
            rule.kind = kind
            rule.instance = instance
            rule.complexity = complexity
            rule.remote = remote
            rule.acceptDays = accept
            rule.resolveDays = resolve
            rule.dayType = .calendar
            rule.maxExtensions = extensions
            rule.extensionDays = extensionDays
            rule.basis = L10n.text(basis)
            rule.effectiveFrom = from
            rule.createdAt = now
            rules.append(rule)
        }
        // Complaints, first instance: Art. 27 (10 days to accept) and Art. 28.
        add(.complaint, instance: 1, complexity: .normal, remote: false, accept: 10, resolve: 30, basis: "citizens.basis.complaint1", from: complaintsFrom)
        add(.complaint, instance: 1, complexity: .normal, remote: true, accept: 10, resolve: 45, basis: "citizens.basis.complaint1", from: complaintsFrom)
        add(.complaint, instance: 1, complexity: .complex, remote: false, accept: 10, resolve: 45, basis: "citizens.basis.complaint1", from: complaintsFrom)
        add(.complaint, instance: 1, complexity: .complex, remote: true, accept: 10, resolve: 60, basis: "citizens.basis.complaint1", from: complaintsFrom)
        // Second instance: Art. 37 (the acceptance time of Art. 36 is not confirmed).
        add(.complaint, instance: 2, complexity: .normal, remote: false, accept: nil, resolve: 45, basis: "citizens.basis.complaint2", from: complaintsFrom)
        add(.complaint, instance: 2, complexity: .normal, remote: true, accept: nil, resolve: 60, basis: "citizens.basis.complaint2", from: complaintsFrom)
        add(.complaint, instance: 2, complexity: .complex, remote: false, accept: nil, resolve: 60, basis: "citizens.basis.complaint2", from: complaintsFrom)
        add(.complaint, instance: 2, complexity: .complex, remote: true, accept: nil, resolve: 70, basis: "citizens.basis.complaint2", from: complaintsFrom)
        // Denunciations: Art. 30 — 30 days; complex one extension of 30; especially complex two.
        add(.denunciation, instance: 0, complexity: .normal, remote: nil, accept: nil, resolve: 30, basis: "citizens.basis.denunciation", from: denunciationsFrom)
        add(.denunciation, instance: 0, complexity: .complex, remote: nil, accept: nil, resolve: 30, extensions: 1, extensionDays: 30, basis: "citizens.basis.denunciation", from: denunciationsFrom)
        add(.denunciation, instance: 0, complexity: .especiallyComplex, remote: nil, accept: nil, resolve: 30, extensions: 2, extensionDays: 30, basis: "citizens.basis.denunciation", from: denunciationsFrom)
        // Petitions and feedback: no confirmed legal limit; the province's default, marked so.
        add(.petition, instance: 0, complexity: nil, remote: nil, accept: nil, resolve: 30, basis: "citizens.basis.default", from: complaintsFrom)
        add(.feedback, instance: 0, complexity: nil, remote: nil, accept: nil, resolve: 30, basis: "citizens.basis.default", from: complaintsFrom)
        return rules
    }
}

/// Choosing the rule for a case and counting its dates.
public enum TimeLimits {
    /// Working days to tell the sender the submission was accepted or transferred (Quy định 11-QĐi/TW).
    public static let acknowledgementWorkingDays = 10

    /// The rule in force on `date` for the case: the most specific one (exact instance,
    /// complexity and area beat "any"); an especially complex complaint falls back to the
    /// complex rule.
    public static func rule(
        kind: PetitionKind, instance: Int, complexity: PetitionComplexity, remote: Bool, on date: Date, among rules: [TimeLimitRule]
    ) -> TimeLimitRule? {
        let day = CivilDay.startOfDay(date)
        func score(_ rule: TimeLimitRule, complexity wanted: PetitionComplexity) -> Int? {
            guard rule.kind == kind, rule.effectiveFrom <= day, rule.effectiveUntil.map({ day < $0 }) ?? true else { return nil }
            var points = 0
            if rule.instance == instance { points += 4 } else if rule.instance != 0 { return nil }
            if let c = rule.complexity { if c == wanted { points += 2 } else { return nil } }
            if let r = rule.remote { if r == remote { points += 1 } else { return nil } }
            return points
        }
        for wanted in complexity == .especiallyComplex ? [PetitionComplexity.especiallyComplex, .complex] : [complexity] {
            let best = rules.compactMap { rule in score(rule, complexity: wanted).map { (rule, $0) } }
                .max { ($0.1, $0.0.effectiveFrom) < ($1.1, $1.0.effectiveFrom) }
            if let best { return best.0 }
        }
        return nil
    }

    /// `days` of the rule's kind after `start`.
    public static func add(_ days: Int, _ type: TimeLimitRule.DayType, to start: Date, calendar: WorkingCalendar) -> Date {
        let from = LunarCalendar.SolarDate(start)
        switch type {
        case .working: return calendar.addingWorkingDays(days, to: from).start
        case .calendar: return calendar.addingCalendarDays(days, to: from).start
        }
    }

    /// When the sender must hear that the submission was accepted or transferred: 10 working
    /// days after receipt, or the rule's acceptance time if that ends sooner.
    public static func acknowledgementDue(received: Date, rule: TimeLimitRule?, calendar: WorkingCalendar) -> Date {
        let byRegulation = add(acknowledgementWorkingDays, .working, to: received, calendar: calendar)
        guard let rule, let days = rule.acceptDays else { return byRegulation }
        return min(byRegulation, add(days, rule.dayType, to: received, calendar: calendar))
    }

    /// The resolution deadline, counted from acceptance.
    public static func resolutionDue(accepted: Date, rule: TimeLimitRule?, calendar: WorkingCalendar) -> Date? {
        guard let rule else { return nil }
        return add(rule.resolveDays, rule.dayType, to: accepted, calendar: calendar)
    }
}

/// The working calendar with the province's decisions.
public enum WorkingCalendarStore {
    /// Loads the decisions (a few dozen rows).
    public static func load(on db: any Database) async throws -> WorkingCalendar {
        var overrides: [LunarCalendar.SolarDate: WorkingCalendar.Override] = [:]
        for row in try await CalendarDecision.query(on: db).all() {
            if let day = LunarCalendar.SolarDate(iso: row.day), let decision = WorkingCalendar.Override(rawValue: row.decision) {
                overrides[day] = decision
            }
        }
        return WorkingCalendar(overrides: overrides)
    }
}
