import DanVanCore
import DanVanDocuments
import DanVanText
import Fluent
import Foundation
import SQLKit
import Vapor

/// The follow-up picture leaders read at a glance: the government-office measures (done on
/// time, done late, open within term, open overdue), a roll-up per unit of the scope with a
/// server-rendered SVG chart, and what falls due this month.
public enum TaskDashboard {
    /// Counts of one group of tasks.
    public struct Counts: Encodable, Sendable, Equatable {
        public var total = 0
        public var doneOnTime = 0
        public var doneLate = 0
        public var openInTerm = 0
        public var openOverdue = 0
        public var awaitingAcceptance = 0

        /// Adds `count` tasks whose status (as of now) is `status`; cancelled tasks do not count.
        mutating func add(_ status: WorkTask.Status, count: Int) {
            switch status {
            case .done: doneOnTime += count
            case .doneLate: doneLate += count
            case .overdue: openOverdue += count
            case .awaitingAcceptance: awaitingAcceptance += count
            case .cancelled: return
            case .notStarted, .inProgress: openInTerm += count
            }
            total += count
        }

        /// Share done, in percent (0 when there is nothing).
        public var donePercent: Int { total == 0 ? 0 : Int((Double(doneOnTime + doneLate) * 100 / Double(total)).rounded()) }
    }

    /// One unit's line of the roll-up (its whole subtree).
    public struct UnitLine: Encodable, Sendable {
        public let unitID: String
        public let name: String
        public let counts: Counts
    }

    /// Everything the dashboard shows.
    public struct Summary: Sendable {
        public var counts = Counts()
        public var units: [UnitLine] = []
        public var dueThisMonth: [TaskListing] = []
    }

    /// Computes the dashboard for `scope` as of `now`, from one grouped count query (tasks led
    /// by units inside the scope), never by loading the tasks.
    /// `tree` is the scope's units in tree order, ended ones included, when the caller has them
    /// (from the app's cache); otherwise they are loaded.
    public static func summary(scope: AccessScope, now: Date, documentID: UUID? = nil, tree: [UnitSnapshot]? = nil, on db: any Database) async throws -> Summary {
        guard let sql = db as? any SQLDatabase else { return Summary() }
        var summary = Summary()
        // One load of the scope's units serves both the filter and the roll-up; as plain values
        // (a model's field is read through its property wrapper, a generic lookup each time,
        // and the roll-up reads each unit's fields: a fifth of the page for a province).
        let units: [UnitSnapshot]
        if let tree { units = tree } else { units = try await UnitService.tree(in: scope, includeEnded: true, on: db).map(UnitSnapshot.init) }
        // A request's scope knows its ids (from the unit tree cache); another scope asks once.
        let scopeIDs = try await scope.unitIDs(on: db)
        let cutoff = now.addingTimeInterval(-86_400 + 1)
        var query = SQLQueryString("SELECT unit_id, status, CASE WHEN due_on IS NOT NULL AND due_on < \(bind: cutoff) THEN 1 ELSE 0 END AS late, COUNT(*) AS n FROM work_tasks WHERE recurrence IS NULL")
        // A recurring series is counted through its occurrences, one per period.
        if let documentID {
            query.appendInterpolation(unsafeRaw: " AND document_id = ")
            query.appendInterpolation(bind: documentID)
        }
        if let scopeIDs {
            guard !scopeIDs.isEmpty else { return summary }
            query.appendInterpolation(unsafeRaw: " AND unit_id IN (")
            for (index, id) in scopeIDs.enumerated() {
                if index > 0 { query.appendInterpolation(unsafeRaw: ", ") }
                query.appendInterpolation(bind: id)
            }
            query.appendInterpolation(unsafeRaw: ")")
        }
        query.appendInterpolation(unsafeRaw: " GROUP BY unit_id, status, late")
        struct Row: Decodable {
            let unit_id: UUID
            let status: String
            let late: Int
            let n: Int
        }
        let rows = try await sql.raw(query).all(decoding: Row.self)
        var names: [UUID: String] = [:]
        for unit in units { names[unit.id] = unit.name }
        let topDepth = units.lazy.filter(\.isActive).map(\.depth).min() ?? 0
        let groups = units.filter { $0.isActive && $0.depth == topDepth + 1 }
        // Each unit's group found once (a row's group was looked up against every group).
        var groupOf: [UUID: UUID] = [:]
        for unit in units {
            if let group = groups.first(where: { unit.path.hasPrefix($0.path) }) { groupOf[unit.id] = group.id }
        }
        var perGroup: [UUID: Counts] = [:]
        for row in rows {
            guard let status = WorkTask.Status(rawValue: row.status) else { continue }
            let effective: WorkTask.Status = row.late == 1 && [.notStarted, .inProgress].contains(status) ? .overdue : status
            summary.counts.add(effective, count: row.n)
            if let group = groupOf[row.unit_id] {
                perGroup[group, default: Counts()].add(effective, count: row.n)
            }
        }
        summary.units = groups.compactMap { group in
            guard let counts = perGroup[group.id], counts.total > 0 else { return nil }
            return UnitLine(unitID: group.id.uuidString, name: group.name, counts: counts)
        }.sorted { $0.counts.openOverdue != $1.counts.openOverdue ? $0.counts.openOverdue > $1.counts.openOverdue : $0.counts.total > $1.counts.total }
        // What falls due this month and is still open.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = VNFormat.timeZone
        if let monthStart = calendar.date(from: calendar.dateComponents([.year, .month], from: now)),
           let monthEnd = calendar.date(byAdding: .month, value: 1, to: monthStart) {
            var due = WorkTask.query(on: db).filter(\.$dueOn >= monthStart).filter(\.$dueOn < monthEnd)
                .filter(\.$status ~~ [.notStarted, .inProgress, .overdue, .awaitingAcceptance])
            if let scopeIDs { due = due.filter(\.$leadUnit.$id ~~ scopeIDs) }
            if let documentID { due = due.filter(\.$document.$id == documentID) }
            // The lead units come from the scope's tree already read (loading them with the
            // tasks decoded every column of each unit again).
            summary.dueThisMonth = try await TaskService.listings(due.sort(\.$dueOn).limit(100), unitNames: names, on: db)
        }
        return summary
    }

    /// Until when `summary(scope:now:…)` made at `now` stays what it would be, the tasks
    /// unchanged: a task counts as late once a day has passed after its due date, so the
    /// summary holds until the nearest due date not yet a day past is (the "due this month"
    /// list until the month ends).
    public static func stableUntil(now: Date, on db: any Database) async throws -> Date {
        guard let sql = db as? any SQLDatabase else { return now }
        let cutoff = now.addingTimeInterval(-86_400 + 1)
        struct Row: Decodable { let nearest: Date? }
        let nearest = try await sql.raw("SELECT MIN(due_on) AS nearest FROM work_tasks WHERE due_on >= \(bind: cutoff)").first(decoding: Row.self)?.nearest
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = VNFormat.timeZone
        let monthEnd = calendar.date(from: calendar.dateComponents([.year, .month], from: now)).flatMap { calendar.date(byAdding: .month, value: 1, to: $0) } ?? now
        // Late when `due_on < now - 86_399`: still not late at `nearest + 86_399`.
        return min(monthEnd.addingTimeInterval(-1), nearest.map { $0.addingTimeInterval(86_400 - 1) } ?? .distantFuture)
    }

    /// A horizontal stacked bar per unit: done (green), awaiting acceptance (amber), open in
    /// term (blue), overdue (red). Plain SVG, no script, readable without colour (counts are
    /// printed at the end of each bar).
    public static func chart(_ lines: [UnitLine]) -> String {
        guard !lines.isEmpty else { return "" }
        let width = 720.0, labelWidth = 250.0, barHeight = 18.0, gap = 8.0
        let maxTotal = Double(lines.map(\.counts.total).max() ?? 1)
        let height = Double(lines.count) * (barHeight + gap) + 30
        var svg = ##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \##(Int(width)) \##(Int(height))" role="img" aria-label="\##(L10n.text("tasks.chart.label"))" class="chart">"##
        for (index, line) in lines.enumerated() {
            let y = Double(index) * (barHeight + gap)
            svg += ##"<text x="0" y="\##(y + 13)" font-size="12" fill="#1d1b1a">\##(XLSX.escape(String(line.name.prefix(36))))</text>"##
            var x = labelWidth
            let segments: [(Int, String)] = [
                (line.counts.doneOnTime + line.counts.doneLate, "#2e7d46"), (line.counts.awaitingAcceptance, "#d99a00"),
                (line.counts.openInTerm, "#3f6fb5"), (line.counts.openOverdue, "#b3261e"),
            ]
            for (count, colour) in segments where count > 0 {
                let segment = Double(count) / maxTotal * (width - labelWidth - 130)
                svg += ##"<rect x="\##(x)" y="\##(y)" width="\##(segment)" height="\##(barHeight)" fill="\##(colour)"/>"##
                x += segment
            }
            svg += ##"<text x="\##(x + 6)" y="\##(y + 13)" font-size="12" fill="#5f5a57">\##(L10n.format("tasks.chart.count", ["\(line.counts.total)", "\(line.counts.openOverdue)"]))</text>"##
        }
        let legendY = Double(lines.count) * (barHeight + gap) + 16
        var legendX = labelWidth
        for (label, colour) in [(L10n.text("tasks.hoan_thanh"), "#2e7d46"), (L10n.text("tasks.cho_nghiem_thu"), "#d99a00"), (L10n.text("tasks.trong_han"), "#3f6fb5"), (L10n.text("tasks.qua_han"), "#b3261e")] {
            svg += ##"<rect x="\##(legendX)" y="\##(legendY - 10)" width="12" height="12" fill="\##(colour)"/><text x="\##(legendX + 16)" y="\##(legendY)" font-size="12" fill="#1d1b1a">\##(label)</text>"##
            legendX += 110
        }
        return svg + "</svg>"
    }
}
