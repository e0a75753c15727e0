import DanVanCore
import DanVanDocuments
import DanVanText
import Fluent
import Foundation
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

        /// Adds one task as of `now`.
        mutating func add(_ task: WorkTask, now: Date) {
            total += 1
            switch task.effectiveStatus(now: now) {
            case .done: doneOnTime += 1
            case .doneLate: doneLate += 1
            case .overdue: openOverdue += 1
            case .awaitingAcceptance: awaitingAcceptance += 1
            case .cancelled: total -= 1
            case .notStarted, .inProgress: openInTerm += 1
            }
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
        public var dueThisMonth: [WorkTask] = []
    }

    /// Computes the dashboard for `scope` as of `now`.
    public static func summary(scope: AccessScope, now: Date, on db: any Database) async throws -> Summary {
        let tasks = try await TaskService.scoped(scope, on: db).with(\.$leadUnit).all()
        var summary = Summary()
        let units = try await UnitService.tree(in: scope, includeEnded: false, on: db)
        let topDepth = units.map(\.depth).min() ?? 0
        // Roll up to the level under the scope's root (or the root's children for everything).
        let groupDepth = scope.pathPrefix == nil ? topDepth + 1 : topDepth + 1
        let groups = units.filter { $0.depth == groupDepth }
        var perGroup: [UUID: Counts] = [:]
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = VNFormat.timeZone
        let month = calendar.dateComponents([.year, .month], from: now)
        for task in tasks {
            summary.counts.add(task, now: now)
            let path = task.leadUnit.path
            if let group = groups.first(where: { path.hasPrefix($0.path) }), let id = group.id { perGroup[id, default: Counts()].add(task, now: now) }
            if let due = task.dueOn, calendar.dateComponents([.year, .month], from: due) == month, !task.status.isClosed { summary.dueThisMonth.append(task) }
        }
        summary.units = groups.compactMap { group in
            guard let id = group.id, let counts = perGroup[id], counts.total > 0 else { return nil }
            return UnitLine(unitID: id.uuidString, name: group.name, counts: counts)
        }.sorted { $0.counts.openOverdue != $1.counts.openOverdue ? $0.counts.openOverdue > $1.counts.openOverdue : $0.counts.total > $1.counts.total }
        summary.dueThisMonth.sort { ($0.dueOn ?? now) < ($1.dueOn ?? now) }
        return summary
    }

    /// A horizontal stacked bar per unit: done (green), awaiting acceptance (amber), open in
    /// term (blue), overdue (red). Plain SVG, no script, readable without colour (counts are
    /// printed at the end of each bar).
    public static func chart(_ lines: [UnitLine]) -> String {
        guard !lines.isEmpty else { return "" }
        let width = 720.0, labelWidth = 250.0, barHeight = 18.0, gap = 8.0
        let maxTotal = Double(lines.map(\.counts.total).max() ?? 1)
        let height = Double(lines.count) * (barHeight + gap) + 30
        var svg = ##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \##(Int(width)) \##(Int(height))" role="img" aria-label="Nhiệm vụ theo đơn vị" class="chart">"##
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
            svg += ##"<text x="\##(x + 6)" y="\##(y + 13)" font-size="12" fill="#5f5a57">\##(line.counts.total) (\##(line.counts.openOverdue) quá hạn)</text>"##
        }
        let legendY = Double(lines.count) * (barHeight + gap) + 16
        var legendX = labelWidth
        for (label, colour) in [("Hoàn thành", "#2e7d46"), ("Chờ nghiệm thu", "#d99a00"), ("Trong hạn", "#3f6fb5"), ("Quá hạn", "#b3261e")] {
            svg += ##"<rect x="\##(legendX)" y="\##(legendY - 10)" width="12" height="12" fill="\##(colour)"/><text x="\##(legendX + 16)" y="\##(legendY)" font-size="12" fill="#1d1b1a">\##(label)</text>"##
            legendX += 110
        }
        return svg + "</svg>"
    }
}

struct DashboardController {
    struct Measure: Encodable, Sendable {
        let label: String
        let value: String
        let href: String
        let tone: String
    }

    struct Context: Encodable, Sendable {
        let measures: [Measure]
        let donePercent: Int
        let chart: String
        let units: [TaskDashboard.UnitLine]
        let dueThisMonth: [TaskRow]
    }

    func index(_ req: Request) async throws -> Response {
        let summary = try await TaskDashboard.summary(scope: try await req.scope(), now: req.now, on: req.db)
        let counts = summary.counts
        let context = Context(
            measures: [
                Measure(label: "Tổng số nhiệm vụ", value: VNFormat.integer(counts.total), href: "/tasks", tone: ""),
                Measure(label: "Hoàn thành đúng hạn", value: VNFormat.integer(counts.doneOnTime), href: "/tasks?status=done", tone: "ok"),
                Measure(label: "Hoàn thành muộn", value: VNFormat.integer(counts.doneLate), href: "/tasks?status=doneLate", tone: "warn"),
                Measure(label: "Đang thực hiện trong hạn", value: VNFormat.integer(counts.openInTerm), href: "/tasks?status=inProgress", tone: ""),
                Measure(label: "Quá hạn chưa hoàn thành", value: VNFormat.integer(counts.openOverdue), href: "/tasks?overdue=1", tone: "bad"),
                Measure(label: "Chờ nghiệm thu", value: VNFormat.integer(counts.awaitingAcceptance), href: "/tasks?status=awaitingAcceptance", tone: "warn"),
            ],
            donePercent: counts.donePercent, chart: TaskDashboard.chart(summary.units), units: summary.units,
            dueThisMonth: summary.dueThisMonth.map { TaskRow($0, now: req.now) }
        )
        return try await req.render("tasks/dashboard", title: "Tình hình thực hiện nhiệm vụ", context)
    }
}
