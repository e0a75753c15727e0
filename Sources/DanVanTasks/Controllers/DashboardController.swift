import DanVanCore
import DanVanDocuments
import DanVanText
import Fluent
import Foundation
import SQLKit
import Vapor

extension Request {
    /// The tasks' latest change (tasks are never deleted) and the writes to their coordinating
    /// units (`tasks_coordinator_writes`), read with the unit tree's fingerprint in the request's
    /// first statement: what the task pages keep is kept under them.
    func readTasksLatestChange() async throws -> PageFigureValues {
        var figures = PageFigures()
        figures.addLatestChange(of: WorkTask.schema)
        figures.add("tasks_coordinator_writes", TableWrites.sum(of: [TaskCoordinator.schema]))
        return try await readFigures(scoped: { _ in figures })
    }
}

struct DashboardController {
    struct Measure: Sendable {
        let label: String
        let value: String
        let href: String
        let tone: String

        /// The measure's tile (see `HTML`).
        var html: HTML {
            "<a class=\"stat tone-\(tone)\" href=\"\(href)\"><span class=\"stat-value\">\(value)</span><span class=\"stat-label\">\(label)</span></a>"
        }
    }

    struct Context: Encodable, Sendable {
        let documentLabel: String
        let documentID: String
        /// The measures' tiles (`Measure.html`).
        let measures: HTML
        let donePercent: Int
        let chart: String
        /// The units table's rows (`unitHTML`).
        let units: HTML
        /// The "due this month" lines (`TaskRow.dueHTML`).
        let dueThisMonth: HTML
        let hasDue: Bool
    }

    /// A dashboard's summary, the time it was made for and until when it holds
    /// (`TaskDashboard.stableUntil`).
    struct Kept: Sendable {
        let summary: TaskDashboard.Summary
        let from: Date
        let until: Date
    }

    /// The summaries by scope and document, kept while the tasks and the units are unchanged
    /// and the time has not made any task late.
    let summaries = FingerprintedCache<Kept>()

    func index(_ req: Request) async throws -> Response {
        // The summary is made again only when a task or a unit changed.
        let values = try await req.readTasksLatestChange()
        let documentID = try? req.query.get(UUID.self, at: "document")
        let document = try await documentID.asyncMap { try await Document.find($0, on: req.db) } ?? nil
        let scope = try await req.scope()
        let now = req.now
        let make = {
            Kept(
                summary: try await TaskDashboard.summary(
                    scope: scope, now: now, documentID: document?.id, tree: try await req.unitSnapshots(in: scope, includeEnded: true), on: req.db
                ),
                from: now, until: try await TaskDashboard.stableUntil(now: now, on: req.db)
            )
        }
        let summary: TaskDashboard.Summary
        if let units = values.unitTree {
            let key = (scope.pathPrefix ?? "*") + "|" + (document?.id?.uuidString ?? "")
            summary = try await summaries.value(key, at: units, try values.latestChange(of: WorkTask.schema), isCurrent: { $0.from <= now && now <= $0.until }, make: make).summary
        } else {
            summary = try await make().summary
        }
        /// The task list behind a measure, kept to this document when the dashboard is.
        func list(_ name: String = "", _ value: String? = nil) -> String {
            TasksRoute.index.path(query: [(name, value), ("document", document?.id?.uuidString)])
        }
        let counts = summary.counts
        let context = Context(
            documentLabel: document.map { $0.label(req.locale) } ?? "",
            documentID: document?.id?.uuidString ?? "",
            measures: HTML.joined([
                Measure(label: L10n.text("tasks.tong_so_nhiem_vu"), value: VNFormat.integer(counts.total), href: list(), tone: ""),
                Measure(label: L10n.text("tasks.hoan_thanh_dung_han"), value: VNFormat.integer(counts.doneOnTime), href: list("status", "done"), tone: "ok"),
                Measure(label: L10n.text("tasks.hoan_thanh_muon"), value: VNFormat.integer(counts.doneLate), href: list("status", "doneLate"), tone: "warn"),
                Measure(label: L10n.text("tasks.dang_thuc_hien_trong_han"), value: VNFormat.integer(counts.openInTerm), href: list("status", "inProgress"), tone: ""),
                Measure(label: L10n.text("tasks.qua_han_chua_hoan_thanh"), value: VNFormat.integer(counts.openOverdue), href: list("overdue", "1"), tone: "bad"),
                Measure(label: L10n.text("tasks.cho_nghiem_thu"), value: VNFormat.integer(counts.awaitingAcceptance), href: list("status", "awaitingAcceptance"), tone: "warn"),
            ].map(\.html)),
            donePercent: counts.donePercent, chart: TaskDashboard.chart(summary.units), units: HTML.joined(summary.units.map { Self.unitHTML($0, req) }),
            dueThisMonth: HTML.joined(summary.dueThisMonth.map { TaskRow($0, now: req.now).dueHTML }), hasDue: !summary.dueThisMonth.isEmpty
        )
        return try await req.render("tasks/dashboard", title: L10n.text("tasks.tinh_hinh_thuc_hien_nhiem_vu"), context)
    }

    /// A row of the units table: the unit's tasks, done (on time + late), in term, overdue.
    static func unitHTML(_ line: TaskDashboard.UnitLine, _ req: Request) -> HTML {
        let c = line.counts
        return "<tr><td><a href=\"\(TasksRoute.index.path)?unit=\(line.unitID)\">\(line.name)</a></td><td>\(c.total)</td><td>\(req.t("tasks.muon", String(c.doneOnTime), String(c.doneLate)))</td><td>\(c.openInTerm)</td><td>\(c.openOverdue)</td></tr>"
    }
}
