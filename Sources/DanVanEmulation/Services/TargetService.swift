import DanVanCore
import DanVanText
import Fluent
import Foundation
import SQLKit

/// A share of units against its target.
public struct TargetShare: Sendable, Equatable, Encodable {
    public let meeting: Int
    public let units: Int
    public let target: Double

    public var share: Double? { units == 0 ? nil : Double(meeting) / Double(units) }
    /// "Over 80%": the share must reach the target.
    public var met: Bool { (share ?? 0) + 1e-9 >= target && units > 0 }
}

/// The two yearly targets over a subtree (DOMAIN.md §4): the share of agencies and units that
/// meet the DVK criteria (by the year's "meets" rule), and the share of communes classed as
/// passing in grassroots democracy; by level, kind and field, the trend, who is missing.
public struct TargetFigures: Sendable {
    public struct Line: Sendable, Equatable {
        public let key: String
        public let label: String
        public let share: TargetShare
    }

    public struct FieldLine: Sendable, Equatable {
        public let field: EmulationField
        public let models: Int
        public let units: Int
    }

    public struct YearPoint: Sendable, Equatable {
        public let year: Int
        public let dvk: Double?
        public let democracy: Double?
    }

    public let year: Int
    public let settings: EmulationYear
    public let dvk: TargetShare
    public let democracy: TargetShare
    public let byLevel: [Line]
    public let byKind: [Line]
    public let byField: [FieldLine]
    public let trend: [YearPoint]
    /// Units that registered nothing this year.
    public let noRegistration: [OrgUnit]
    /// Communes that did not submit a self-assessment.
    public let noSelfAssessment: [OrgUnit]
    /// Units that meet the DVK rule this year.
    public let meetingUnits: Set<UUID>
}

public enum TargetService {
    /// Levels ranked for the "at this level or above" rule.
    public static func rank(_ level: String) -> Int {
        switch level {
        case "province": return 3
        case "district": return 2
        case "commune": return 1
        default: return 0
        }
    }

    /// Units counted for the DVK share: active agencies and units above the village.
    public static func agencies(_ units: [OrgUnit]) -> [OrgUnit] {
        units.filter { $0.isActive && $0.level != .village && $0.kind != .other && $0.kind != .village }
    }

    /// Units counted for the democracy share: active communes and wards.
    public static func communes(_ units: [OrgUnit]) -> [OrgUnit] {
        units.filter { $0.isActive && $0.kind == .commune }
    }

    /// Whether a unit with these recognitions (count by level) meets the year's rule.
    public static func meets(_ counts: [String: Int], settings: EmulationYear) -> Bool {
        let floor = rank(settings.meetsLevel)
        return counts.filter { rank($0.key) >= floor }.values.reduce(0, +) >= max(1, settings.meetsModels)
    }

    /// The figures of `year` over `units` (a subtree, already scoped), with `years` of trend.
    public static func figures(year: Int, units: [OrgUnit], trendYears: Int = 6, on db: any Database) async throws -> TargetFigures {
        guard let sql = db as? any SQLDatabase else { throw AppError.badRequest("SQL") }
        let agencies = agencies(units)
        let communes = communes(units)
        let agencyIDs = Set(agencies.compactMap(\.id))
        let communeIDs = communes.compactMap(\.id)
        let first = year - max(0, trendYears - 1)
        var settingsByYear: [Int: EmulationYear] = [:]
        for row in try await EmulationYear.query(on: db).filter(\.$year >= first).filter(\.$year <= year).all() { settingsByYear[row.year] = row }
        for y in first...year where settingsByYear[y] == nil { settingsByYear[y] = try await ModelService.year(y, on: db) }
        let settings = settingsByYear[year]!
        // Recognitions by year, unit and level (grouped in the database; filtered to the subtree here).
        struct RecognitionRow: Decodable { let year: Int, unit_id: UUID, level: String, n: Int }
        let recognitions = try await sql.raw("""
            SELECT year, unit_id, level, COUNT(*) AS n FROM emulation_recognitions
            WHERE year >= \(bind: first) AND year <= \(bind: year)
            GROUP BY year, unit_id, level
            """).all(decoding: RecognitionRow.self)
        var counts: [Int: [UUID: [String: Int]]] = [:]
        for row in recognitions where agencyIDs.contains(row.unit_id) { counts[row.year, default: [:]][row.unit_id, default: [:]][row.level, default: 0] += row.n }
        func meetingSet(_ y: Int) -> Set<UUID> {
            guard let rule = settingsByYear[y] else { return [] }
            return Set((counts[y] ?? [:]).filter { meets($0.value, settings: rule) }.keys)
        }
        let meeting = meetingSet(year)
        // Democracy: the passing class of each year's set; this year's rows by unit, the trend grouped.
        var passClass: [Int: Set<String>] = [:]
        for set in try await CriteriaSet.query(on: db).filter(\.$purpose == .democracy).filter(\.$year >= first).filter(\.$year <= year).sort(\.$createdAt, .descending).all() {
            passClass[set.year] = set.passingKeys
        }
        struct DemocracyRow: Decodable { let unit_id: UUID, status: String, class_key: String? }
        let democracyRows = try await sql.raw("SELECT unit_id, status, class_key FROM emulation_democracy WHERE year = \(bind: year)\(SQLQueryString.unitFilter("unit_id", communeIDs))")
            .all(decoding: DemocracyRow.self)
        let passing = Set(democracyRows.filter { $0.status == DemocracyAssessment.Status.appraised.rawValue && $0.class_key.map { passClass[year]?.contains($0) ?? false } ?? false }.map(\.unit_id))
        let selfAssessed = Set(democracyRows.filter { $0.status != DemocracyAssessment.Status.draft.rawValue }.map(\.unit_id))
        struct TrendRow: Decodable { let year: Int, class_key: String?, n: Int }
        let trendRows = first < year ? try await sql.raw("""
            SELECT year, class_key, COUNT(*) AS n FROM emulation_democracy
            WHERE year >= \(bind: first) AND year < \(bind: year) AND status = 'appraised'\(SQLQueryString.unitFilter("unit_id", communeIDs))
            GROUP BY year, class_key
            """).all(decoding: TrendRow.self) : []
        var passingByYear: [Int: Int] = [year: passing.count]
        for row in trendRows where row.class_key.map({ passClass[row.year]?.contains($0) ?? false }) ?? false { passingByYear[row.year, default: 0] += row.n }
        // Registrations this year (who registered nothing).
        struct UnitRow: Decodable { let unit_id: UUID }
        let registered = Set(try await sql.raw("SELECT DISTINCT unit_id FROM emulation_models WHERE year = \(bind: year)").all(decoding: UnitRow.self).map(\.unit_id))
        // Breakdowns.
        func share(_ group: [OrgUnit], target: Double) -> TargetShare {
            TargetShare(meeting: group.filter { $0.id.map(meeting.contains) ?? false }.count, units: group.count, target: target)
        }
        let byLevel = OrgUnit.Level.allCases.compactMap { level -> TargetFigures.Line? in
            let group = agencies.filter { $0.level == level }
            return group.isEmpty ? nil : .init(key: level.rawValue, label: level.label, share: share(group, target: settings.dvkTarget))
        }
        let byKind = OrgUnit.Kind.allCases.compactMap { kind -> TargetFigures.Line? in
            let group = agencies.filter { $0.kind == kind }
            return group.isEmpty ? nil : .init(key: kind.rawValue, label: L10n.text("unit.kind.\(kind.rawValue)"), share: share(group, target: settings.dvkTarget))
        }
        struct FieldRow: Decodable { let field: String, unit_id: UUID, n: Int }
        let fieldRows = try await sql.raw("SELECT field, unit_id, COUNT(*) AS n FROM emulation_recognitions WHERE year = \(bind: year) GROUP BY field, unit_id").all(decoding: FieldRow.self)
        var fieldModels: [String: Int] = [:], fieldUnits: [String: Int] = [:]
        for row in fieldRows where agencyIDs.contains(row.unit_id) {
            fieldModels[row.field, default: 0] += row.n
            fieldUnits[row.field, default: 0] += 1
        }
        let byField = EmulationField.allCases.map { TargetFigures.FieldLine(field: $0, models: fieldModels[$0.rawValue] ?? 0, units: fieldUnits[$0.rawValue] ?? 0) }
        let trend = (first...year).map { y in
            TargetFigures.YearPoint(
                year: y, dvk: agencies.isEmpty ? nil : Double(meetingSet(y).count) / Double(agencies.count),
                democracy: communes.isEmpty || passClass[y] == nil ? nil : Double(passingByYear[y] ?? 0) / Double(communes.count)
            )
        }
        return TargetFigures(
            year: year, settings: settings,
            dvk: TargetShare(meeting: meeting.count, units: agencies.count, target: settings.dvkTarget),
            democracy: TargetShare(meeting: passing.count, units: communes.count, target: settings.democracyTarget),
            byLevel: byLevel, byKind: byKind, byField: byField, trend: trend,
            noRegistration: agencies.filter { !registered.contains($0.id ?? UUID()) },
            noSelfAssessment: communes.filter { !selfAssessed.contains($0.id ?? UUID()) },
            meetingUnits: meeting
        )
    }
}
