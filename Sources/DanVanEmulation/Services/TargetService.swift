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

    /// `AND u.path LIKE 'prefix%'` for a subtree (nothing for the whole tree).
    static func pathFilter(_ prefix: String?) -> SQLQueryString {
        guard let prefix else { return "" }
        return " AND \(SQLQueryString.pathLike("u.path", prefix))"
    }

    /// The join that keeps the agencies of the subtree (the same rule as `agencies(_:)`).
    static func agencyJoin(_ column: String, _ prefix: String?) -> SQLQueryString {
        "JOIN units u ON u.id = \(unsafeRaw: column) AND u.status = 'active' AND u.level <> 'village' AND u.kind NOT IN ('other', 'village')" + pathFilter(prefix)
    }

    /// The join that keeps the communes of the subtree (the same rule as `communes(_:)`).
    static func communeJoin(_ column: String, _ prefix: String?) -> SQLQueryString {
        "JOIN units u ON u.id = \(unsafeRaw: column) AND u.status = 'active' AND u.kind = 'commune'" + pathFilter(prefix)
    }

    /// `IN ('commune', 'province')`: the levels at or above the rule's floor.
    static func levels(atOrAbove floor: String) -> SQLQueryString {
        let chosen = ["commune", "district", "province"].filter { rank($0) >= rank(floor) }
        var text: SQLQueryString = "("
        for (index, level) in chosen.enumerated() { text = text + (index > 0 ? ", " : "") + "\(bind: level)" }
        return text + ")"
    }

    /// The figures of `year` over `units` (a subtree, already scoped; `pathPrefix` is its path,
    /// nil for the whole tree), with `trendYears` of trend. Everything that grows with the
    /// province is counted in the database along the units' path: the rows read back are the
    /// meeting units of the year, the units missing, and a few grouped counts.
    public static func figures(year: Int, units: [OrgUnit], pathPrefix: String? = nil, trendYears: Int = 6, on db: any Database) async throws -> TargetFigures {
        guard let sql = db as? any SQLDatabase else { throw AppError.badRequest("SQL") }
        let agencies = agencies(units)
        let communes = communes(units)
        let byID = Dictionary(units.compactMap { unit in unit.id.map { ($0, unit) } }, uniquingKeysWith: { a, _ in a })
        let first = year - max(0, trendYears - 1)
        var settingsByYear: [Int: EmulationYear] = [:]
        for row in try await EmulationYear.query(on: db).filter(\.$year >= first).filter(\.$year <= year).all() { settingsByYear[row.year] = row }
        for y in first...year where settingsByYear[y] == nil { settingsByYear[y] = try await ModelService.year(y, on: db) }
        let settings = settingsByYear[year]!
        struct UnitRow: Decodable { let unit_id: UUID }
        struct YearCount: Decodable { let year: Int, n: Int }
        // Agencies meeting the year's rule: at least N recognitions that year at the floor level or above.
        let meeting = Set(try await sql.raw("""
            SELECT r.unit_id FROM emulation_recognitions r \(agencyJoin("r.unit_id", pathPrefix))
            WHERE r.year = \(bind: year) AND r.level IN \(levels(atOrAbove: settings.meetsLevel))
            GROUP BY r.unit_id HAVING COUNT(*) >= \(bind: max(1, settings.meetsModels))
            """).all(decoding: UnitRow.self).map(\.unit_id))
        // The trend: counts per earlier year, one query per distinct rule (usually one).
        var meetingByYear: [Int: Int] = [year: meeting.count]
        let earlier = Array(first..<year)
        for (rule, years) in Dictionary(grouping: earlier, by: { "\(settingsByYear[$0]!.meetsModels)|\(settingsByYear[$0]!.meetsLevel)" }) {
            guard let sample = years.first.flatMap({ settingsByYear[$0] }) else { continue }
            _ = rule
            var list: SQLQueryString = "("
            for (index, y) in years.enumerated() { list = list + (index > 0 ? ", " : "") + "\(bind: y)" }
            list = list + ")"
            for row in try await sql.raw("""
                SELECT year, COUNT(*) AS n FROM (
                  SELECT r.year, r.unit_id FROM emulation_recognitions r \(agencyJoin("r.unit_id", pathPrefix))
                  WHERE r.year IN \(list) AND r.level IN \(levels(atOrAbove: sample.meetsLevel))
                  GROUP BY r.year, r.unit_id HAVING COUNT(*) >= \(bind: max(1, sample.meetsModels))
                ) met GROUP BY year
                """).all(decoding: YearCount.self) { meetingByYear[row.year] = row.n }
        }
        // Democracy: passing classes of each year's set, counted per year and class.
        var passClass: [Int: Set<String>] = [:]
        for set in try await CriteriaSet.query(on: db).filter(\.$purpose == .democracy).filter(\.$year >= first).filter(\.$year <= year).sort(\.$createdAt, .descending).all() {
            passClass[set.year] = set.passingKeys
        }
        struct ClassCount: Decodable { let year: Int, class_key: String?, n: Int }
        var passingByYear: [Int: Int] = [:]
        for row in try await sql.raw("""
            SELECT d.year, d.class_key, COUNT(*) AS n FROM emulation_democracy d \(communeJoin("d.unit_id", pathPrefix))
            WHERE d.year >= \(bind: first) AND d.year <= \(bind: year) AND d.status = 'appraised'
            GROUP BY d.year, d.class_key
            """).all(decoding: ClassCount.self) where row.class_key.map({ passClass[row.year]?.contains($0) ?? false }) ?? false {
            passingByYear[row.year, default: 0] += row.n
        }
        // Who is missing this year: agencies with no model, communes with no sent self-assessment.
        let noRegistration = try await sql.raw("""
            SELECT u.id AS unit_id FROM units u
            WHERE u.status = 'active' AND u.level <> 'village' AND u.kind NOT IN ('other', 'village')\(pathFilter(pathPrefix))
              AND NOT EXISTS (SELECT 1 FROM emulation_models m WHERE m.unit_id = u.id AND m.year = \(bind: year))
            """).all(decoding: UnitRow.self).compactMap { byID[$0.unit_id] }
        let noSelfAssessment = try await sql.raw("""
            SELECT u.id AS unit_id FROM units u
            WHERE u.status = 'active' AND u.kind = 'commune'\(pathFilter(pathPrefix))
              AND NOT EXISTS (SELECT 1 FROM emulation_democracy d WHERE d.unit_id = u.id AND d.year = \(bind: year) AND d.status <> 'draft')
            """).all(decoding: UnitRow.self).compactMap { byID[$0.unit_id] }
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
        struct FieldRow: Decodable { let field: String, n: Int, units: Int }
        var fields: [String: FieldRow] = [:]
        for row in try await sql.raw("""
            SELECT r.field, COUNT(*) AS n, COUNT(DISTINCT r.unit_id) AS units FROM emulation_recognitions r \(agencyJoin("r.unit_id", pathPrefix))
            WHERE r.year = \(bind: year) GROUP BY r.field
            """).all(decoding: FieldRow.self) { fields[row.field] = row }
        let byField = EmulationField.allCases.map { TargetFigures.FieldLine(field: $0, models: fields[$0.rawValue]?.n ?? 0, units: fields[$0.rawValue]?.units ?? 0) }
        let trend = (first...year).map { y in
            TargetFigures.YearPoint(
                year: y, dvk: agencies.isEmpty ? nil : Double(meetingByYear[y] ?? 0) / Double(agencies.count),
                democracy: communes.isEmpty || passClass[y] == nil ? nil : Double(passingByYear[y] ?? 0) / Double(communes.count)
            )
        }
        let order = Dictionary(units.enumerated().compactMap { index, unit in unit.id.map { ($0, index) } }, uniquingKeysWith: { a, _ in a })
        func sorted(_ list: [OrgUnit]) -> [OrgUnit] { list.sorted { (order[$0.id ?? UUID()] ?? 0) < (order[$1.id ?? UUID()] ?? 0) } }
        return TargetFigures(
            year: year, settings: settings,
            dvk: TargetShare(meeting: meeting.count, units: agencies.count, target: settings.dvkTarget),
            democracy: TargetShare(meeting: passingByYear[year] ?? 0, units: communes.count, target: settings.democracyTarget),
            byLevel: byLevel, byKind: byKind, byField: byField, trend: trend,
            noRegistration: sorted(noRegistration), noSelfAssessment: sorted(noSelfAssessment), meetingUnits: meeting
        )
    }
}
