import DanVanCore
import Fluent
import Foundation
import Vapor

/// Reporting work that runs by itself: periods opened ahead (each reporting unit told in its
/// inbox), reminders before the deadline and on the day.
public enum ReportJobs {
    /// The name of this job's advisory lock (`JobLock.key` makes the number).
    public static let lockName = "reports.periods"

    public struct Outcome: Sendable, Equatable {
        public var periodsOpened = 0
        public var reminders = 0
    }

    /// One run at `now`; idempotent (inbox entries carry a dedupe key).
    public static func run(on db: any Database, now: Date, reminderDays: Int) async throws -> Outcome {
        var outcome = Outcome()
        for regime in try await ReportRegime.query(on: db).filter(\.$active == true).all() where regime.frequency.isPeriodic {
            outcome.periodsOpened += try await ReportService.openPeriods(regime, now: now, actor: .system, on: db).count
        }
        let today = VNFormat.calendar.startOfDay(for: now)
        let horizon = VNFormat.calendar.date(byAdding: .day, value: max(1, min(3, reminderDays)), to: today)!
        let open = try await ReportRequest.query(on: db).filter(\.$status ~~ [.pending, .draft, .returned])
            .filter(\.$dueOn >= today).filter(\.$dueOn <= horizon).with(\.$period) { $0.with(\.$regime) }.all()
        for request in open {
            let id = try request.requireID()
            let onTheDay = VNFormat.calendar.isDate(request.dueOn, inSameDayAs: today)
            outcome.reminders += try await Inbox.post(
                toUnit: request.$unit.id, kind: onTheDay ? "report.dueToday" : "report.dueSoon",
                message: L10n.format(onTheDay ? "reports.inbox.due_today" : "reports.inbox.due_soon", [request.period.regime.name, request.period.label, VNFormat.date(request.dueOn)]),
                target: InboxTarget(type: "report", id: id), dedupeKey: "report.\(onTheDay ? "today" : "soon"):\(id)", at: now, on: db
            )
        }
        return outcome
    }

    final class OutcomeBox: @unchecked Sendable {
        var value = Outcome()
    }

    /// `run` on one instance at a time.
    public static func runLocked(app: Application) async throws -> Outcome? {
        let now = app.clock.now()
        let days = app.config.reminderDays
        let box = OutcomeBox()
        let ran = try await JobLock.run(lockName, on: app.db) { db in box.value = try await run(on: db, now: now, reminderDays: days) }
        return ran ? box.value : nil
    }
}

func makeReportScheduler() -> PeriodicJob {
    PeriodicJob(L10n.text("reports.job.name"), firstDelay: .seconds(25), every: .seconds(900)) { app in
        if let outcome = try await ReportJobs.runLocked(app: app), outcome.periodsOpened + outcome.reminders > 0 {
            app.logger.info("Reports: \(outcome.periodsOpened) periods opened, \(outcome.reminders) reminders")
        }
    }
}
