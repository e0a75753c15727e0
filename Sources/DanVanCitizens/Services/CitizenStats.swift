import DanVanCore
import DanVanText
import Fluent
import Foundation
import SQLKit

/// Counts of submissions over a period, by every dimension the board asks about.
public struct PetitionStatistics: Sendable, Equatable {
    /// One line of a breakdown.
    public struct Line: Sendable, Equatable {
        public var key: String
        public var received = 0
        public var accepted = 0
        public var resolvedOnTime = 0
        public var resolvedLate = 0
        public var overdue = 0
        public var open = 0

        public var resolved: Int { resolvedOnTime + resolvedLate }
        /// Share resolved on time of those resolved, 0…1.
        public var onTimeRate: Double? { resolved == 0 ? nil : Double(resolvedOnTime) / Double(resolved) }

        mutating func add(_ other: Line) {
            received += other.received
            accepted += other.accepted
            resolvedOnTime += other.resolvedOnTime
            resolvedLate += other.resolvedLate
            overdue += other.overdue
            open += other.open
        }
    }

    public var total = Line(key: "")
    public var byKind: [Line] = []
    public var byField: [Line] = []
    public var byChannel: [Line] = []
    public var byStatus: [Line] = []
    /// Holding units, largest first (at most 30).
    public var byUnit: [Line] = []
    /// Mass submissions (five or more people).
    public var mass = 0
}

/// A commune × field cell of the weekly risk table, with the reasons for its score.
public struct RiskCell: Sendable, Equatable {
    public var communeID: UUID
    public var field: PetitionField
    public var score: Int
    public var previousScore: Int
    /// Each part of the score in words.
    public var reasons: [String]
    /// -1 falling, 0 steady, 1 rising.
    public var trend: Int { score == previousScore ? 0 : (score > previousScore ? 1 : -1) }
}

/// Statistics and the risk table, read with grouped SQL so the whole province stays fast.
public enum CitizenStats {
    /// Lines being summed from several sources (the monthly rollup, raw edges, open rows).
    struct Accumulator {
        var dims: [String: [String: PetitionStatistics.Line]] = ["kind": [:], "field": [:], "channel": [:], "status": [:]]
        var units: [UUID: PetitionStatistics.Line] = [:]
        var total = PetitionStatistics.Line(key: "")
        var mass = 0

        mutating func add(dim: String, value: String, _ line: PetitionStatistics.Line) {
            dims[dim, default: [:]][value, default: .init(key: value)].add(line)
        }

        /// A line of every dimension at once (a raw row grouped by all four).
        mutating func add(kind: String, field: String, channel: String, status: String, unit: UUID?, _ line: PetitionStatistics.Line, mass: Int) {
            add(dim: "kind", value: kind, line)
            add(dim: "field", value: field, line)
            add(dim: "channel", value: channel, line)
            add(dim: "status", value: status, line)
            total.add(line)
            self.mass += mass
            if let unit { units[unit, default: .init(key: unit.uuidString)].add(line) }
        }

        func result() -> PetitionStatistics {
            func ordered<E: RawRepresentable & CaseIterable>(_ dim: String, _ type: E.Type) -> [PetitionStatistics.Line] where E.RawValue == String {
                E.allCases.map { dims[dim]?[$0.rawValue] ?? .init(key: $0.rawValue) }
            }
            var stats = PetitionStatistics()
            stats.total = total
            stats.mass = mass
            stats.byKind = ordered("kind", PetitionKind.self)
            stats.byField = ordered("field", PetitionField.self)
            stats.byChannel = ordered("channel", PetitionChannel.self)
            stats.byStatus = ordered("status", PetitionStatus.self)
            stats.byUnit = Array(units.values.filter { $0.received > 0 || $0.overdue > 0 }
                .sorted { ($0.received, $0.key) > ($1.received, $1.key) }.prefix(30))
            return stats
        }
    }

    /// Submissions received from `from` up to (not including) `until`, held by the units
    /// `unitIDs` (nil: all). Whole months come from the monthly rollup (`petition_monthly`, kept
    /// in step with every write), the days before the first and after the last whole month from
    /// the submissions themselves, and "overdue now" from the open ones only — so the page costs
    /// the same for a year as for a month, whatever the table's size.
    public static func statistics(from: Date, until: Date, unitIDs: [UUID]?, today: Date, on db: any Database) async throws -> PetitionStatistics {
        guard let sql = db as? any SQLDatabase else { throw AppError.unavailable }
        var acc = Accumulator()
        let firstMonth = PetitionRollup.monthStart(onOrAfter: from), lastMonth = PetitionRollup.monthStart(onOrBefore: until)
        if firstMonth < lastMonth {
            try await PetitionRollup.add(into: &acc, months: PetitionRollup.month(firstMonth)..<PetitionRollup.month(lastMonth), unitIDs: unitIDs, on: sql)
            if from < firstMonth { try await scan(into: &acc, from: from, until: firstMonth, unitIDs: unitIDs, on: sql) }
            if lastMonth < until { try await scan(into: &acc, from: lastMonth, until: until, unitIDs: unitIDs, on: sql) }
        } else {
            try await scan(into: &acc, from: from, until: until, unitIDs: unitIDs, on: sql)
        }
        try await overdue(into: &acc, from: from, until: until, unitIDs: unitIDs, today: today, on: sql)
        return acc.result()
    }

    /// The same figures read from the submissions alone (the oracle the rollup is tested against).
    public static func statisticsByScan(from: Date, until: Date, unitIDs: [UUID]?, today: Date, on db: any Database) async throws -> PetitionStatistics {
        guard let sql = db as? any SQLDatabase else { throw AppError.unavailable }
        var acc = Accumulator()
        try await scan(into: &acc, from: from, until: until, unitIDs: unitIDs, on: sql)
        try await overdue(into: &acc, from: from, until: until, unitIDs: unitIDs, today: today, on: sql)
        return acc.result()
    }

    /// The home page's two numbers: open submissions past their due date, and received ones
    /// waiting to be accepted, as figures of the page's one statement (`PageFigures`), kept to
    /// `scope`'s units by their ids: counts along the status indexes (a join over every
    /// petition would grow with the table).
    public static func homeFigures(today: Date, scope: AccessScope) -> PageFigures {
        homeFigures(today: today, unitFilter: SQLQueryString.unitFilter("p.unit_id", scope))
    }

    static func homeFigures(today: Date, unitFilter: SQLQueryString) -> PageFigures {
        var figures = PageFigures()
        figures.add("citizens_overdue", """
            SELECT COUNT(*) FROM petitions p
            WHERE ((p.status = 'received' AND p.ack_due_on < \(bind: today)) OR (p.status = 'accepted' AND p.resolve_due_on < \(bind: today)))\(unitFilter)
            """)
        figures.add("citizens_waiting", "SELECT COUNT(*) FROM petitions p WHERE p.status = 'received'\(unitFilter)")
        return figures
    }

    /// `homeFigures`' values.
    public static func homeCounts(_ values: PageFigureValues) throws -> (overdue: Int, waiting: Int) {
        (try values.int("citizens_overdue"), try values.int("citizens_waiting"))
    }

    /// Received, accepted, resolved on time or late, open and mass, by every dimension and unit.
    static func scan(into acc: inout Accumulator, from: Date, until: Date, unitIDs: [UUID]?, on sql: any SQLDatabase) async throws {
        struct Row: Decodable {
            let kind: String, field: String, channel: String, status: String, unit_id: UUID
            let n: Int, accepted: Int?, on_time: Int?, late: Int?, still_open: Int?, mass: Int?
        }
        let rows = try await sql.raw("""
            SELECT p.kind, p.field, p.channel, p.status, p.unit_id, COUNT(*) AS n,
              SUM(CASE WHEN p.accepted_on IS NOT NULL THEN 1 ELSE 0 END) AS accepted,
              SUM(CASE WHEN p.resolved_on IS NOT NULL AND p.resolve_due_on IS NOT NULL AND p.resolved_on <= p.resolve_due_on THEN 1 ELSE 0 END) AS on_time,
              SUM(CASE WHEN p.resolved_on IS NOT NULL AND (p.resolve_due_on IS NULL OR p.resolved_on > p.resolve_due_on) THEN 1 ELSE 0 END) AS late,
              SUM(CASE WHEN p.status IN ('received', 'accepted') THEN 1 ELSE 0 END) AS still_open,
              SUM(CASE WHEN p.sender_count >= 5 THEN 1 ELSE 0 END) AS mass
            FROM petitions p
            WHERE p.received_on >= \(bind: from) AND p.received_on < \(bind: until)\(SQLQueryString.unitFilter("p.unit_id", unitIDs))
            GROUP BY p.kind, p.field, p.channel, p.status, p.unit_id
            """).all(decoding: Row.self)
        for row in rows {
            let line = PetitionStatistics.Line(key: "", received: row.n, accepted: row.accepted ?? 0, resolvedOnTime: row.on_time ?? 0, resolvedLate: row.late ?? 0, overdue: 0, open: row.still_open ?? 0)
            acc.add(kind: row.kind, field: row.field, channel: row.channel, status: row.status, unit: row.unit_id, line, mass: row.mass ?? 0)
        }
    }

    /// Open submissions past their current due date on `today`: two reads, each along its own
    /// index (status and due date), so only the overdue rows are touched.
    static func overdue(into acc: inout Accumulator, from: Date, until: Date, unitIDs: [UUID]?, today: Date, on sql: any SQLDatabase) async throws {
        struct Row: Decodable { let kind: String, field: String, channel: String, status: String, unit_id: UUID, n: Int }
        for (status, due) in [("received", "ack_due_on"), ("accepted", "resolve_due_on")] {
            let rows = try await sql.raw("""
                SELECT p.kind, p.field, p.channel, p.status, p.unit_id, COUNT(*) AS n
                FROM petitions p
                WHERE p.status = \(bind: status) AND p.\(unsafeRaw: due) < \(bind: today)
                  AND p.received_on >= \(bind: from) AND p.received_on < \(bind: until)\(SQLQueryString.unitFilter("p.unit_id", unitIDs))
                GROUP BY p.kind, p.field, p.channel, p.status, p.unit_id
                """).all(decoding: Row.self)
            for row in rows {
                let line = PetitionStatistics.Line(key: "", received: 0, accepted: 0, resolvedOnTime: 0, resolvedLate: 0, overdue: row.n, open: 0)
                acc.add(kind: row.kind, field: row.field, channel: row.channel, status: row.status, unit: row.unit_id, line, mass: 0)
            }
        }
    }

    /// The risk table for the week ending `today`: every commune × field with a score, its
    /// reasons, and last week's score for the trend.
    public static func riskTable(today: Date, unitIDs: [UUID]?, on db: any Database) async throws -> [RiskCell] {
        guard let sql = db as? any SQLDatabase else { throw AppError.unavailable }
        let day = CivilDay.startOfDay(today)
        let weekStart = day.addingTimeInterval(-6 * 86_400)
        let previousStart = day.addingTimeInterval(-13 * 86_400)
        let scopeFilter = SQLQueryString.unitFilter("p.commune_id", unitIDs)
        struct FlowRow: Decodable {
            let commune_id: UUID, field: String, this_week: Int?, last_week: Int?, mass_now: Int?, mass_before: Int?, repeat_now: Int?, repeat_before: Int?
        }
        let flows = try await sql.raw("""
            SELECT p.commune_id, p.field,
              SUM(CASE WHEN p.received_on >= \(bind: weekStart) THEN 1 ELSE 0 END) AS this_week,
              SUM(CASE WHEN p.received_on < \(bind: weekStart) THEN 1 ELSE 0 END) AS last_week,
              SUM(CASE WHEN p.received_on >= \(bind: weekStart) AND p.sender_count >= 5 THEN 1 ELSE 0 END) AS mass_now,
              SUM(CASE WHEN p.received_on < \(bind: weekStart) AND p.sender_count >= 5 THEN 1 ELSE 0 END) AS mass_before,
              SUM(CASE WHEN p.received_on >= \(bind: weekStart) AND p.repeat_of_id IS NOT NULL THEN 1 ELSE 0 END) AS repeat_now,
              SUM(CASE WHEN p.received_on < \(bind: weekStart) AND p.repeat_of_id IS NOT NULL THEN 1 ELSE 0 END) AS repeat_before
            FROM petitions p
            WHERE p.received_on >= \(bind: previousStart) AND p.received_on <= \(bind: day)\(scopeFilter)
            GROUP BY p.commune_id, p.field
            """).all(decoding: FlowRow.self)
        struct CountRow: Decodable { let commune_id: UUID, field: String, n: Int }
        let overdue = try await sql.raw("""
            SELECT p.commune_id, p.field, COUNT(*) AS n FROM petitions p
            WHERE p.field IN ('land', 'compensation') AND ((p.status = 'received' AND p.ack_due_on < \(bind: day)) OR (p.status = 'accepted' AND p.resolve_due_on < \(bind: day)))\(scopeFilter)
            GROUP BY p.commune_id, p.field
            """).all(decoding: CountRow.self)
        struct SpotRow: Decodable { let commune_id: UUID, field: String, n: Int }
        let spots = try await sql.raw("""
            SELECT p.commune_id, p.field, MAX(p.severity) AS n FROM citizen_hot_spots p
            WHERE p.status IN ('watch', 'active', 'calming')\(scopeFilter)
            GROUP BY p.commune_id, p.field
            """).all(decoding: SpotRow.self)
        struct Key: Hashable { let commune: UUID, field: String }
        var cells: [Key: RiskCell] = [:]
        func cell(_ key: Key) -> RiskCell? {
            guard let field = PetitionField(rawValue: key.field) else { return nil }
            return cells[key] ?? RiskCell(communeID: key.commune, field: field, score: 0, previousScore: 0, reasons: [])
        }
        for row in flows {
            let key = Key(commune: row.commune_id, field: row.field)
            guard var c = cell(key) else { continue }
            let now = row.this_week ?? 0, before = row.last_week ?? 0
            let massNow = row.mass_now ?? 0, massBefore = row.mass_before ?? 0
            let repeatNow = row.repeat_now ?? 0, repeatBefore = row.repeat_before ?? 0
            c.score += now + 3 * massNow + repeatNow
            c.previousScore += before + 3 * massBefore + repeatBefore
            c.reasons.append(L10n.format("citizens.risk.reason.new", [String(now), String(before)]))
            if massNow > 0 { c.reasons.append(L10n.format("citizens.risk.reason.mass", [String(massNow), String(3 * massNow)])) }
            if repeatNow > 0 { c.reasons.append(L10n.format("citizens.risk.reason.repeat", [String(repeatNow)])) }
            cells[key] = c
        }
        // Overdue land matters and open hot spots weigh on both weeks alike: they set the level, not the trend.
        for row in overdue {
            let key = Key(commune: row.commune_id, field: row.field)
            guard var c = cell(key) else { continue }
            c.score += 2 * row.n
            c.previousScore += 2 * row.n
            c.reasons.append(L10n.format("citizens.risk.reason.overdue", [String(row.n), String(2 * row.n)]))
            cells[key] = c
        }
        for row in spots {
            let key = Key(commune: row.commune_id, field: row.field)
            guard var c = cell(key) else { continue }
            c.score += 2 * row.n
            c.previousScore += 2 * row.n
            c.reasons.append(L10n.format("citizens.risk.reason.hotspot", [String(row.n), String(2 * row.n)]))
            cells[key] = c
        }
        return cells.values.filter { $0.score > 0 || $0.previousScore > 0 }
            .sorted { ($0.score, $0.score - $0.previousScore, $0.communeID.uuidString, $0.field.rawValue) > ($1.score, $1.score - $1.previousScore, $1.communeID.uuidString, $1.field.rawValue) }
    }
}
