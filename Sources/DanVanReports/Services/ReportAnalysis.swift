import DanVanCore
import Fluent
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
        if request.status == .returned { return .returned }
        if let first = request.firstSubmittedAt {
            let days = ReportCalendar.daysLate(deadline: request.dueOn, submitted: first)
            return days == 0 ? .onTime : .late(days)
        }
        return ReportCalendar.daysLate(deadline: request.dueOn, submitted: now) > 0 ? .missing : .pending
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
    public static func compliance(regimeID: UUID, count: Int, scope: AccessScope, now: Date, on db: any Database) async throws -> Compliance {
        let periods = Array(try await ReportPeriod.query(on: db).filter(\.$regime.$id == regimeID).all()
            .sorted { ($0.cutoffOn, $0.key) < ($1.cutoffOn, $1.key) }.filter { $0.startsOn <= now }.suffix(count))
        let ids = periods.compactMap(\.id)
        guard !ids.isEmpty else { return Compliance(periods: [], rows: [], periodRates: [:]) }
        let requests = try await scope.filter(ReportRequest.query(on: db)).filter(\.$period.$id ~~ ids).with(\.$unit).all()
        var byUnit: [UUID: (unit: OrgUnit, cells: [UUID: ComplianceCell])] = [:]
        var perPeriod: [UUID: (due: Int, onTime: Int)] = [:]
        for request in requests {
            let timeliness = Timeliness.of(request, now: now)
            let unitID = request.$unit.id
            var entry = byUnit[unitID] ?? (request.unit, [:])
            entry.cells[request.$period.id] = ComplianceCell(requestID: try request.requireID(), timeliness: timeliness)
            byUnit[unitID] = entry
            if timeliness.isCounted {
                var rate = perPeriod[request.$period.id] ?? (0, 0)
                rate.due += 1
                if timeliness == .onTime { rate.onTime += 1 }
                perPeriod[request.$period.id] = rate
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
    }

    /// The consolidated report of `root`'s subtree for `period`: indicators combined by their
    /// rules over accepted reports (live: a report counts the moment it is accepted), with year
    /// to date and the same period last year, the parts by child unit, and the texts by unit.
    public static func consolidate(period: ReportPeriod, root: OrgUnit, on db: any Database) async throws -> Consolidation {
        let definition = try period.template.definition
        let regimeID = period.$regime.id
        let rootID = try root.requireID()
        // An ad hoc request stands alone; a periodic one is read with its series.
        let periods = period.isAdHoc ? [period] : try await ReportPeriod.query(on: db).filter(\.$regime.$id == regimeID).filter(\.$year ~~ [period.year, period.year - 1]).all()
            .filter { !$0.isAdHoc }
        let yearPeriods = periods.filter { $0.year == period.year && $0.index <= period.index }.sorted { $0.ordinal < $1.ordinal }
        let lastYear = periods.first { $0.year == period.year - 1 && $0.index == period.index }
        let previous = periods.filter { $0.ordinal < period.ordinal }.max { $0.ordinal < $1.ordinal }
        var wanted = Set(yearPeriods.compactMap(\.id))
        if let id = previous?.id { wanted.insert(id) }
        if let id = lastYear?.id { wanted.insert(id) }
        let requests = try await ReportRequest.query(on: db).filter(\.$period.$id ~~ wanted)
            .join(OrgUnit.self, on: \ReportRequest.$unit.$id == \OrgUnit.$id).filter(OrgUnit.self, \.$path =~ root.path).all()
        var byPeriod: [UUID: [ReportRequest]] = [:]
        for request in requests { byPeriod[request.$period.id, default: []].append(request) }
        func entries(_ periodID: UUID?) -> [ReportCombination.Entry] {
            guard let periodID else { return [] }
            return (byPeriod[periodID] ?? []).filter { $0.status == .accepted }.map { .init(values: $0.values, at: $0.acceptedAt ?? .distantPast) }
        }
        let currentEntries = entries(period.id)
        let lines = definition.indicators.map { indicator in
            IndicatorLine(
                indicator: indicator,
                current: ReportCombination.combine(indicator, currentEntries),
                yearToDate: ReportCombination.overTime(indicator, yearPeriods.map { ReportCombination.combine(indicator, entries($0.id)) }),
                lastYear: lastYear == nil ? nil : ReportCombination.combine(indicator, entries(lastYear?.id))
            )
        }

        // Parts: the root's children (each with its subtree), and the root itself if it reports.
        let current = byPeriod[period.id ?? UUID()] ?? []
        let unitIDs = Array(Set(current.map { $0.$unit.id }))
        let units = unitIDs.isEmpty ? [] : try await OrgUnit.query(on: db).filter(\.$id ~~ unitIDs).all()
        let unitByID = Dictionary(units.compactMap { unit in unit.id.map { ($0, unit) } }, uniquingKeysWith: { a, _ in a })
        let children = try await OrgUnit.query(on: db).filter(\.$parent.$id == rootID).sort(\.$sortOrder).sort(\.$name).all()
        let previousByUnit = Dictionary((previous?.id.flatMap { byPeriod[$0] } ?? []).filter { $0.status == .accepted }.map { ($0.$unit.id, $0.values) }, uniquingKeysWith: { a, _ in a })
        var parts: [Part] = []
        func part(_ unit: OrgUnit, own: Bool) -> Part? {
            let mine = current.filter { request in
                guard let u = unitByID[request.$unit.id] else { return false }
                return own ? u.id == unit.id : u.path.hasPrefix(unit.path)
            }
            guard !mine.isEmpty else { return nil }
            let accepted = mine.filter { $0.status == .accepted }
            let acceptedEntries = accepted.map { ReportCombination.Entry(values: $0.values, at: $0.acceptedAt ?? .distantPast) }
            var values: [String: Double] = [:]
            var estimate: [String: Double] = [:]
            for indicator in definition.indicators {
                values[indicator.key] = ReportCombination.combine(indicator, acceptedEntries)
                if indicator.combine == .sum {
                    let lacking = mine.filter { $0.status != .accepted }.compactMap { previousByUnit[$0.$unit.id]?[indicator.key] }
                    if !lacking.isEmpty { estimate[indicator.key] = lacking.reduce(0, +) }
                }
            }
            return Part(unit: unit, requested: mine.count, accepted: accepted.count, values: values, missingEstimate: estimate)
        }
        if let own = part(root, own: true) { parts.append(own) }
        for child in children { if let p = part(child, own: false) { parts.append(p) } }

        var texts: [String: [(unit: String, text: String)]] = [:]
        for request in current.filter({ $0.status == .accepted }).sorted(by: { (unitByID[$0.$unit.id]?.path ?? "") < (unitByID[$1.$unit.id]?.path ?? "") }) {
            for (key, text) in request.texts { texts[key, default: []].append((unitByID[request.$unit.id]?.name ?? "", text)) }
        }
        return Consolidation(
            period: period, definition: definition, root: root, lines: lines, parts: parts, requested: current.count,
            accepted: current.filter { $0.status == .accepted }.count, texts: texts, lastYearLabel: lastYear?.label
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

    /// `indicator` combined over `root`'s subtree for the last `count` periods of the regime up
    /// to `period`, oldest first.
    public static func trend(period: ReportPeriod, indicator: ReportDefinition.Indicator, root: OrgUnit, count: Int, on db: any Database) async throws -> [(label: String, value: Double?)] {
        let periods = period.isAdHoc ? [period] : Array(try await ReportPeriod.query(on: db).filter(\.$regime.$id == period.$regime.id).all()
            .filter { !$0.isAdHoc && $0.ordinal <= period.ordinal }.sorted { $0.ordinal < $1.ordinal }.suffix(count))
        let ids = periods.compactMap(\.id)
        guard !ids.isEmpty else { return [] }
        let requests = try await ReportRequest.query(on: db).filter(\.$period.$id ~~ ids).filter(\.$status == .accepted)
            .join(OrgUnit.self, on: \ReportRequest.$unit.$id == \OrgUnit.$id).filter(OrgUnit.self, \.$path =~ root.path).all()
        var byPeriod: [UUID: [ReportCombination.Entry]] = [:]
        for request in requests { byPeriod[request.$period.id, default: []].append(.init(values: request.values, at: request.acceptedAt ?? .distantPast)) }
        let frequency = try await ReportRegime.find(period.$regime.id, on: db)?.frequency ?? .month
        return periods.map { ($0.shortLabel(frequency), ReportCombination.combine(indicator, byPeriod[$0.id ?? UUID()] ?? [])) }
    }
}
