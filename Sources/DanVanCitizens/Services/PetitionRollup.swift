import DanVanCore
import Fluent
import Foundation
import SQLKit

/// The monthly rollup of submissions (`petition_monthly`): for each month of receipt, holding
/// unit and value of each dimension (kind, field, channel, status), how many were received,
/// accepted, resolved on time or late, are open, are mass submissions. Every write of a
/// submission moves its contribution on the same transaction, so the figures are live; the
/// statistics read whole months here instead of scanning a million rows.
public enum PetitionRollup {
    /// What one submission adds to the rollup.
    public struct Contribution: Sendable, Equatable {
        var month: Int
        var unitID: UUID
        var values: [(dim: String, value: String)]
        var received = 1, accepted: Int, onTime: Int, late: Int, open: Int, mass: Int

        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.month == rhs.month && lhs.unitID == rhs.unitID && lhs.values.map(\.value) == rhs.values.map(\.value)
                && (lhs.accepted, lhs.onTime, lhs.late, lhs.open, lhs.mass) == (rhs.accepted, rhs.onTime, rhs.late, rhs.open, rhs.mass)
        }
    }

    /// `202611` for a day in November 2026 (province time).
    public static func month(_ date: Date) -> Int {
        let c = VNFormat.calendar.dateComponents([.year, .month], from: date)
        return (c.year ?? 0) * 100 + (c.month ?? 0)
    }

    /// The first day of `date`'s month.
    static func monthStart(onOrBefore date: Date) -> Date {
        VNFormat.calendar.date(from: VNFormat.calendar.dateComponents([.year, .month], from: date)) ?? date
    }

    /// `date` if it is the start of a month, else the start of the next month.
    static func monthStart(onOrAfter date: Date) -> Date {
        let start = monthStart(onOrBefore: date)
        return start == date ? start : VNFormat.calendar.date(byAdding: .month, value: 1, to: start) ?? date
    }

    /// The submission's contribution as it stands.
    public static func contribution(_ petition: Petition) -> Contribution {
        let resolved = petition.resolvedOn != nil
        let onTime = resolved && petition.resolveDueOn.map { petition.resolvedOn! <= $0 } == true
        return Contribution(
            month: petition.receivedMonth ?? month(petition.receivedOn), unitID: petition.$unit.id,
            values: [("kind", petition.kind.rawValue), ("field", petition.field.rawValue), ("channel", petition.channel.rawValue), ("status", petition.status.rawValue)],
            accepted: petition.acceptedOn == nil ? 0 : 1, onTime: onTime ? 1 : 0, late: resolved && !onTime ? 1 : 0,
            open: petition.status.isOpen ? 1 : 0, mass: petition.isMass ? 1 : 0
        )
    }

    /// Takes `old` out and puts `new` in (either may be nil), on the caller's transaction.
    public static func move(from old: Contribution?, to new: Contribution?, on db: any Database) async throws {
        guard old != new, let sql = db as? any SQLDatabase else { return }
        for (contribution, sign) in [(old, -1), (new, 1)] {
            guard let c = contribution else { continue }
            for (dim, value) in c.values {
                try await sql.raw("""
                    INSERT INTO petition_monthly (month, unit_id, dim, value, received, accepted, on_time, late, still_open, mass)
                    VALUES (\(bind: c.month), \(bind: c.unitID), \(bind: dim), \(bind: value), \(bind: sign * c.received), \(bind: sign * c.accepted),
                            \(bind: sign * c.onTime), \(bind: sign * c.late), \(bind: sign * c.open), \(bind: sign * c.mass))
                    ON CONFLICT (month, unit_id, dim, value) DO UPDATE SET
                      received = petition_monthly.received + excluded.received, accepted = petition_monthly.accepted + excluded.accepted,
                      on_time = petition_monthly.on_time + excluded.on_time, late = petition_monthly.late + excluded.late,
                      still_open = petition_monthly.still_open + excluded.still_open, mass = petition_monthly.mass + excluded.mass
                    """).run()
            }
        }
    }

    /// Adds the whole months `months` (yyyymm, upper bound excluded) to the statistics. (PostgreSQL
    /// sums BIGINT columns as NUMERIC: cast back.)
    static func add(into acc: inout CitizenStats.Accumulator, months: Range<Int>, unitIDs: [UUID]?, on sql: any SQLDatabase) async throws {
        struct Row: Decodable { let dim: String, value: String, received: Int?, accepted: Int?, on_time: Int?, late: Int?, still_open: Int?, mass: Int? }
        let rows = try await sql.raw("""
            SELECT dim, value, CAST(SUM(received) AS BIGINT) AS received, CAST(SUM(accepted) AS BIGINT) AS accepted, CAST(SUM(on_time) AS BIGINT) AS on_time, CAST(SUM(late) AS BIGINT) AS late,
              CAST(SUM(still_open) AS BIGINT) AS still_open, CAST(SUM(mass) AS BIGINT) AS mass
            FROM petition_monthly WHERE month >= \(bind: months.lowerBound) AND month < \(bind: months.upperBound)\(SQLQueryString.unitFilter("unit_id", unitIDs))
            GROUP BY dim, value
            """).all(decoding: Row.self)
        for row in rows {
            let line = PetitionStatistics.Line(key: "", received: row.received ?? 0, accepted: row.accepted ?? 0, resolvedOnTime: row.on_time ?? 0,
                                               resolvedLate: row.late ?? 0, overdue: 0, open: row.still_open ?? 0)
            acc.add(dim: row.dim, value: row.value, line)
            // Every submission has one status: that dimension gives the totals.
            if row.dim == "status" {
                acc.total.add(line)
                acc.mass += row.mass ?? 0
            }
        }
        struct UnitRow: Decodable { let unit_id: UUID, received: Int?, accepted: Int?, on_time: Int?, late: Int?, still_open: Int? }
        let units = try await sql.raw("""
            SELECT unit_id, CAST(SUM(received) AS BIGINT) AS received, CAST(SUM(accepted) AS BIGINT) AS accepted, CAST(SUM(on_time) AS BIGINT) AS on_time, CAST(SUM(late) AS BIGINT) AS late, CAST(SUM(still_open) AS BIGINT) AS still_open
            FROM petition_monthly WHERE dim = 'status' AND month >= \(bind: months.lowerBound) AND month < \(bind: months.upperBound)\(SQLQueryString.unitFilter("unit_id", unitIDs))
            GROUP BY unit_id
            """).all(decoding: UnitRow.self)
        for row in units {
            acc.units[row.unit_id, default: .init(key: row.unit_id.uuidString)].add(.init(
                key: "", received: row.received ?? 0, accepted: row.accepted ?? 0, resolvedOnTime: row.on_time ?? 0, resolvedLate: row.late ?? 0, overdue: 0, open: row.still_open ?? 0
            ))
        }
    }

    /// Rebuilds the rollup from the submissions (after a bulk load, or to repair it).
    public static func rebuild(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { throw AppError.unavailable }
        try await sql.raw("DELETE FROM petition_monthly").run()
        for dim in ["kind", "field", "channel", "status"] {
            try await sql.raw("""
                INSERT INTO petition_monthly (month, unit_id, dim, value, received, accepted, on_time, late, still_open, mass)
                SELECT received_month, unit_id, \(bind: dim), \(unsafeRaw: dim), COUNT(*),
                  SUM(CASE WHEN accepted_on IS NOT NULL THEN 1 ELSE 0 END),
                  SUM(CASE WHEN resolved_on IS NOT NULL AND resolve_due_on IS NOT NULL AND resolved_on <= resolve_due_on THEN 1 ELSE 0 END),
                  SUM(CASE WHEN resolved_on IS NOT NULL AND (resolve_due_on IS NULL OR resolved_on > resolve_due_on) THEN 1 ELSE 0 END),
                  SUM(CASE WHEN status IN ('received', 'accepted') THEN 1 ELSE 0 END),
                  SUM(CASE WHEN sender_count >= 5 THEN 1 ELSE 0 END)
                FROM petitions GROUP BY received_month, unit_id, \(unsafeRaw: dim)
                """).run()
        }
    }
}
