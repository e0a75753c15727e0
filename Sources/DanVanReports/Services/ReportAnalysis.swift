import DanVanCore
import Fluent
import SQLKit
import Foundation

/// Whether a unit reported in time.
public enum Timeliness: Sendable, Equatable {
    /// Not due yet and not submitted.
    case pending
    case onTime
    /// Submitted this many days after the deadline.
    case late(Int)
    /// Due and never submitted.
    case missing
    /// Returned for changes and not yet sent again.
    case returned

    /// Judged by the first submission (a return does not make an on-time report late); a day
    /// counts as past once it is over.
    public static func of(_ request: ReportRequest, now: Date) -> Timeliness {
        of(status: request.status, dueOn: request.dueOn, firstSubmittedAt: request.firstSubmittedAt, now: now)
    }

    /// The same from the columns alone.
    public static func of(status: ReportRequest.Status, dueOn: Date, firstSubmittedAt: Date?, now: Date) -> Timeliness {
        if status == .returned { return .returned }
        if let first = firstSubmittedAt {
            let days = ReportCalendar.daysLate(deadline: dueOn, submitted: first)
            return days == 0 ? .onTime : .late(days)
        }
        return ReportCalendar.daysLate(deadline: dueOn, submitted: now) > 0 ? .missing : .pending
    }

    public var code: String {
        switch self {
        case .pending: "pending"
        case .onTime: "on-time"
        case .late: "late"
        case .missing: "missing"
        case .returned: "returned"
        }
    }

    public var label: String {
        switch self {
        case .late(let days): L10n.format("reports.timeliness.late", [String(days)])
        default: L10n.text("reports.timeliness.\(code)")
        }
    }

    /// Whether the deadline has been reached for counting rates (pending ones are not counted).
    public var isCounted: Bool { self != .pending }
}

/// Timeliness tables and the live consolidation. Reads only.
public enum ReportAnalysis {
    // MARK: Compliance

    public struct ComplianceCell: Sendable {
        public let requestID: UUID
        public let timeliness: Timeliness
    }

    public struct ComplianceRow: Sendable {
        public let unit: OrgUnit
        /// By period id.
        public let cells: [UUID: ComplianceCell]
        public let counted: Int
        public let onTime: Int
        public let late: Int
        public let missing: Int

        /// On-time share of the periods that were due (nil when none was).
        public var onTimeRate: Double? { counted > 0 ? Double(onTime) / Double(counted) : nil }
    }

    public struct Compliance: Sendable {
        /// Oldest first.
        public let periods: [ReportPeriod]
        /// Best on-time rate first, then by name.
        public let rows: [ComplianceRow]
        /// On-time share of due requests per period, by period id.
        public let periodRates: [UUID: Double]
    }

    /// Units × the last `count` periods of `regime`, inside `scope`.
    public static func compliance(regimeID: UUID, count: Int, scope: AccessScope, now: Date, units known: [UUID: OrgUnit]? = nil, on db: any Database) async throws -> Compliance {
        let periods = Array(try await ReportPeriod.query(on: db).filter(\.$regime.$id == regimeID).all()
            .sorted { ($0.cutoffOn, $0.key) < ($1.cutoffOn, $1.key) }.filter { $0.startsOn <= now }.suffix(count))
        let ids = periods.compactMap(\.id)
        guard !ids.isEmpty else { return Compliance(periods: [], rows: [], periodRates: [:]) }
        guard let sql = db as? any SQLDatabase else { throw AppError.unavailable }
        struct Row: Decodable { let id: UUID; let period_id: UUID; let unit_id: UUID; let status: String; let due_on: Date; let first_submitted_at: Date? }
        var query = sql.select()
            .column(SQLColumn("id", table: "report_requests")).column(SQLColumn("period_id", table: "report_requests"))
            .column(SQLColumn("unit_id", table: "report_requests")).column(SQLColumn("status", table: "report_requests"))
            .column(SQLColumn("due_on", table: "report_requests")).column(SQLColumn("first_submitted_at", table: "report_requests"))
            .from("report_requests")
            .where(SQLColumn("period_id", table: "report_requests"), .in, SQLGroupExpression(ids.map { SQLBind($0) }))
        if let prefix = scope.pathPrefix {
            query = query.join("units", on: SQLColumn("unit_id", table: "report_requests"), .equal, SQLColumn("id", table: "units"))
                .where(SQLColumn("path", table: "units"), .like, SQLBind(prefix + "%"))
        }
        let requests = try await query.all(decoding: Row.self)
        let unitIDs = Array(Set(requests.map(\.unit_id)))
        let units: [UUID: OrgUnit]
        if let known, unitIDs.allSatisfy({ known[$0] != nil }) { units = known } else {
            units = unitIDs.isEmpty ? [:] : Dictionary(try await OrgUnit.query(on: db).filter(\.$id ~~ unitIDs).all().compactMap { unit in unit.id.map { ($0, unit) } }, uniquingKeysWith: { a, _ in a })
        }
        var byUnit: [UUID: (unit: OrgUnit, cells: [UUID: ComplianceCell])] = [:]
        var perPeriod: [UUID: (due: Int, onTime: Int)] = [:]
        for request in requests {
            guard let unit = units[request.unit_id] else { continue }
            let timeliness = Timeliness.of(status: ReportRequest.Status(rawValue: request.status) ?? .pending, dueOn: request.due_on, firstSubmittedAt: request.first_submitted_at, now: now)
            var entry = byUnit[request.unit_id] ?? (unit, [:])
            entry.cells[request.period_id] = ComplianceCell(requestID: request.id, timeliness: timeliness)
            byUnit[request.unit_id] = entry
            if timeliness.isCounted {
                var rate = perPeriod[request.period_id] ?? (0, 0)
                rate.due += 1
                if timeliness == .onTime { rate.onTime += 1 }
                perPeriod[request.period_id] = rate
            }
        }
        let rows = byUnit.values.map { unit, cells in
            let values = cells.values.map(\.timeliness)
            return ComplianceRow(
                unit: unit, cells: cells, counted: values.filter(\.isCounted).count, onTime: values.filter { $0 == .onTime }.count,
                late: values.filter { if case .late = $0 { true } else { false } }.count, missing: values.filter { $0 == .missing }.count
            )
        }.sorted { a, b in
            let ra = a.onTimeRate ?? -1, rb = b.onTimeRate ?? -1
            if ra != rb { return ra > rb }
            return a.unit.path < b.unit.path
        }
        return Compliance(periods: periods, rows: rows, periodRates: perPeriod.mapValues { $0.due > 0 ? Double($0.onTime) / Double($0.due) : 0 })
    }

    // MARK: Consolidation

    public struct IndicatorLine: Sendable {
        public let indicator: ReportDefinition.Indicator
        public let current: Double?
        public let yearToDate: Double?
        public let lastYear: Double?
    }

    /// One child of the consolidated unit (or the unit itself for its own report).
    public struct Part: Sendable {
        public let unit: OrgUnit
        public let requested: Int
        public let accepted: Int
        /// Combined over the part's accepted reports, by indicator key.
        public let values: [String: Double]
        /// The part's requests that are not accepted, with the unit's last accepted value of each
        /// summed indicator from the previous period (what the total lacks).
        public let missingEstimate: [String: Double]
    }

    public struct Consolidation: Sendable {
        public let period: ReportPeriod
        public let definition: ReportDefinition
        public let root: OrgUnit
        public let lines: [IndicatorLine]
        public let parts: [Part]
        public let requested: Int
        public let accepted: Int
        /// Section key → (unit name, text) of accepted reports, in tree order.
        public let texts: [String: [(unit: String, text: String)]]
        public let lastYearLabel: String?
        /// The asked indicator over the last periods, oldest first (empty when none was asked).
        public let trend: [(label: String, value: Double?)]
    }

    /// One request as the consolidation reads it (SQLKit, only the columns it needs: decoding
    /// a Fluent model by reflection cost more than the arithmetic at 14,000 rows).
    struct Row: Decodable {
        let id: UUID
        let period_id: UUID
        let unit_id: UUID
        let status: String
        let values: String
        let accepted_at: Date?
        var accepted: Bool { status == ReportRequest.Status.accepted.rawValue }
    }

    /// The requests of `periodIDs` whose unit is in `root`'s subtree.
    static func rows(periodIDs: [UUID], root: OrgUnit, on db: any Database) async throws -> [Row] {
        guard !periodIDs.isEmpty else { return [] }
        guard let sql = db as? any SQLDatabase else { throw AppError.unavailable }
        return try await sql.select()
            .column(SQLColumn("id", table: "report_requests")).column(SQLColumn("period_id", table: "report_requests"))
            .column(SQLColumn("unit_id", table: "report_requests")).column(SQLColumn("status", table: "report_requests"))
            .column(SQLColumn("values", table: "report_requests")).column(SQLColumn("accepted_at", table: "report_requests"))
            .from("report_requests")
            .join("units", on: SQLColumn("unit_id", table: "report_requests"), .equal, SQLColumn("id", table: "units"))
            .where(SQLColumn("period_id", table: "report_requests"), .in, SQLGroupExpression(periodIDs.map { SQLBind($0) }))
            .where(SQLColumn("path", table: "units"), .like, SQLBind(root.path + "%"))
            .all(decoding: Row.self)
    }

    /// The consolidated report of `root`'s subtree for `period`: indicators combined by their
    /// rules over accepted reports (live: a report counts the moment it is accepted), with year
    /// to date and the same period last year, the parts by child unit, and the texts by unit.
    ///
    /// `units` (every unit by id, e.g. the request's cached tree) saves loading the reporting
    /// units; `trend` also gives that indicator over the last `trendCount` periods, from the
    /// same read.
    public static func consolidate(
        period: ReportPeriod, root: OrgUnit, units known: [UUID: OrgUnit]? = nil, trend trendKey: String? = nil, trendCount: Int = 12, on db: any Database
    ) async throws -> Consolidation {
        let definition = try period.template.definition
        let regimeID = period.$regime.id
        let rootID = try root.requireID()
        let periodID = try period.requireID()
        // An ad hoc request stands alone; a periodic one is read with its series.
        let periods = period.isAdHoc ? [period] : try await ReportPeriod.query(on: db).filter(\.$regime.$id == regimeID).filter(\.$year >= period.year - 3).filter(\.$year <= period.year).all()
            .filter { !$0.isAdHoc }
        let yearPeriods = periods.filter { $0.year == period.year && $0.index <= period.index }.sorted { $0.ordinal < $1.ordinal }
        let lastYear = periods.first { $0.year == period.year - 1 && $0.index == period.index }
        let previous = periods.filter { $0.ordinal < period.ordinal }.max { $0.ordinal < $1.ordinal }
        let trendIndicator = trendKey.flatMap(definition.indicator)
        let trendPeriods = trendIndicator == nil ? [] : period.isAdHoc ? [period]
            : Array(periods.filter { $0.ordinal <= period.ordinal }.sorted { $0.ordinal < $1.ordinal }.suffix(trendCount))
        var wanted = Set(yearPeriods.compactMap(\.id))
        wanted.formUnion(trendPeriods.compactMap(\.id))
        wanted.insert(periodID)
        if let id = previous?.id { wanted.insert(id) }
        if let id = lastYear?.id { wanted.insert(id) }
        let rows = try await rows(periodIDs: Array(wanted), root: root, on: db)
        // Each accepted report's values are read once into a vector (a JSON column, read from its
        // bytes), then reused by every indicator, period and part.
        struct Entry { let values: [Double]; let at: Date }
        let layout = ReportJSON.Layout(definition.indicators.map(\.key))
        let positions = Dictionary(definition.indicators.enumerated().map { ($0.element.key, $0.offset) }, uniquingKeysWith: { a, _ in a })
        let weightPositions = definition.indicators.map { $0.weightKey.flatMap { positions[$0] } }
        var decoded: [UUID: Entry] = [:]
        var acceptedByPeriod: [UUID: [Entry]] = [:]
        for row in rows where row.accepted {
            let entry = Entry(values: ReportJSON.vector(row.values, layout), at: row.accepted_at ?? .distantPast)
            decoded[row.id] = entry
            acceptedByPeriod[row.period_id, default: []].append(entry)
        }
        func entries(_ id: UUID?) -> [Entry] { id.flatMap { acceptedByPeriod[$0] } ?? [] }
        func combine(_ position: Int, _ entries: [Entry]) -> Double? {
            let indicator = definition.indicators[position]
            let weight = weightPositions[position]
            return ReportCombination.combine(
                indicator.combine, weighted: indicator.weightKey != nil, count: entries.count,
                value: { let v = entries[$0].values[position]; return v.isNaN ? nil : v },
                weight: { index in weight.flatMap { let v = entries[index].values[$0]; return v.isNaN ? nil : v } },
                at: { entries[$0].at }
            )
        }
        let currentEntries = entries(periodID)
        let lines = definition.indicators.enumerated().map { position, indicator in
            IndicatorLine(
                indicator: indicator,
                current: combine(position, currentEntries),
                yearToDate: indicator.combine == .weightedAverage || indicator.combine == .shareYes
                    ? combine(position, yearPeriods.flatMap { entries($0.id) })
                    : ReportCombination.overTime(indicator, yearPeriods.map { combine(position, entries($0.id)) }),
                lastYear: lastYear == nil ? nil : combine(position, entries(lastYear?.id))
            )
        }

        // Parts: the root's children (each with its subtree), and the root itself if it reports.
        let current = rows.filter { $0.period_id == periodID }
        let unitIDs = Array(Set(current.map(\.unit_id)))
        var unitByID: [UUID: OrgUnit] = [:]
        let children: [OrgUnit]
        if let known, unitIDs.allSatisfy({ known[$0] != nil }) {
            unitByID = known
            children = known.values.filter { $0.$parent.id == rootID }.sorted { ($0.sortOrder, $0.name) < ($1.sortOrder, $1.name) }
        } else {
            let units = unitIDs.isEmpty ? [] : try await OrgUnit.query(on: db).filter(\.$id ~~ unitIDs).all()
            unitByID = Dictionary(units.compactMap { unit in unit.id.map { ($0, unit) } }, uniquingKeysWith: { a, _ in a })
            children = try await OrgUnit.query(on: db).filter(\.$parent.$id == rootID).sort(\.$sortOrder).sort(\.$name).all()
        }
        var previousByUnit: [UUID: [Double]] = [:]
        if let previousID = previous?.id {
            for row in rows where row.period_id == previousID && row.accepted { previousByUnit[row.unit_id] = decoded[row.id]?.values }
        }
        // Each request belongs to the root itself or to one child's subtree: the path component after the root's.
        var own: [Row] = []
        var byChild: [UUID: [Row]] = [:]
        for row in current {
            guard let unit = unitByID[row.unit_id] else { continue }
            let path = unit.ancestorIDs
            if row.unit_id == rootID { own.append(row) } else if path.count > root.depth + 1 { byChild[path[root.depth + 1], default: []].append(row) }
        }
        func part(_ unit: OrgUnit, _ mine: [Row]) -> Part? {
            guard !mine.isEmpty else { return nil }
            let acceptedEntries = mine.compactMap { decoded[$0.id] }
            let lacking = mine.filter { !$0.accepted }.compactMap { previousByUnit[$0.unit_id] }
            var values: [String: Double] = [:]
            var estimate: [String: Double] = [:]
            for (position, indicator) in definition.indicators.enumerated() {
                values[indicator.key] = combine(position, acceptedEntries)
                if indicator.combine == .sum {
                    let known = lacking.map { $0[position] }.filter { !$0.isNaN }
                    if !known.isEmpty { estimate[indicator.key] = known.reduce(0, +) }
                }
            }
            return Part(unit: unit, requested: mine.count, accepted: acceptedEntries.count, values: values, missingEstimate: estimate)
        }
        var parts: [Part] = []
        if let mine = part(root, own) { parts.append(mine) }
        for child in children { if let id = child.id, let p = part(child, byChild[id] ?? []) { parts.append(p) } }

        // Texts of the accepted reports, in tree order.
        var texts: [String: [(unit: String, text: String)]] = [:]
        let acceptedIDs = current.filter(\.accepted).map(\.id)
        if !acceptedIDs.isEmpty, let sql = db as? any SQLDatabase {
            struct TextRow: Decodable { let unit_id: UUID; let texts: String }
            let textRows = try await sql.select().column("unit_id").column("texts").from("report_requests").where(SQLColumn("id"), .in, SQLGroupExpression(acceptedIDs.map { SQLBind($0) })).all(decoding: TextRow.self)
            for row in textRows.sorted(by: { (unitByID[$0.unit_id]?.path ?? "") < (unitByID[$1.unit_id]?.path ?? "") }) {
                let name = unitByID[row.unit_id]?.name ?? ""
                for (key, text) in ((try? ReportJSON.decode([String: String].self, row.texts)) ?? [:]).sorted(by: { $0.key < $1.key }) {
                    texts[key, default: []].append((name, text))
                }
            }
        }
        var trendPoints: [(label: String, value: Double?)] = []
        if let trendIndicator, let position = positions[trendIndicator.key] {
            let frequency = try await ReportRegime.find(regimeID, on: db)?.frequency ?? .month
            trendPoints = trendPeriods.map { ($0.shortLabel(frequency), combine(position, entries($0.id))) }
        }
        return Consolidation(
            period: period, definition: definition, root: root, lines: lines, parts: parts, requested: current.count,
            accepted: acceptedIDs.count, texts: texts, lastYearLabel: lastYear?.label, trend: trendPoints
        )
    }

    /// Where the receiving unit's consolidation starts: the unit the audience is drawn from
    /// ("communes under the province"), or the nearest unit holding every listed unit; the
    /// receiving unit itself when its own subtree holds them.
    public static func defaultRoot(of regime: ReportRegime, units: [UUID: OrgUnit], on db: any Database) async throws -> OrgUnit {
        guard let receiving = try await OrgUnit.find(regime.$receivingUnit.id, on: db) else { throw AppError.notFound }
        var paths: [[UUID]] = []
        switch regime.audience {
        case .kindUnder:
            if let rootID = regime.$rootUnit.id, let root = units[rootID] { paths = [root.ancestorIDs] }
        case .list:
            paths = regime.unitIDs.compactMap { units[$0]?.ancestorIDs }
        }
        guard var common = paths.first else { return receiving }
        for path in paths.dropFirst() {
            common = Array(zip(common, path).prefix { $0.0 == $0.1 }.map(\.0))
        }
        guard let id = common.last, let root = units[id] else { return receiving }
        return root.path.hasPrefix(receiving.path) ? receiving : root
    }

}
