import DanVanCore
import DanVanText
import Fluent
import Foundation
import Vapor

/// What runs by itself: the acknowledgement alert before working day 10 (Quy định 11), the
/// overdue notices, the overdue-land warning.
public enum CitizenJobs {
    /// The name of this job's advisory lock (`JobLock.key` makes the number).
    public static let lockName = "citizens.hourly"

    public struct Outcome: Sendable, Equatable {
        public var acknowledgementAlerts = 0
        public var overdueNotices = 0
        public var warnings = 0
    }

    /// One run at `now`; idempotent (inbox entries carry a dedupe key, warnings renew).
    public static func run(on db: any Database, now: Date) async throws -> Outcome {
        var outcome = Outcome()
        let today = CivilDay.startOfDay(now)
        let calendar = try await WorkingCalendarStore.load(on: db)
        // Two working days before the acknowledgement is due, and on the day.
        let horizon = calendar.addingWorkingDays(2, to: LunarCalendar.SolarDate(today)).start
        let unacknowledged = try await Petition.query(on: db).filter(\.$status == .received).filter(\.$acknowledgedOn == nil)
            .filter(\.$ackDueOn >= today).filter(\.$ackDueOn <= horizon).all()
        for petition in unacknowledged {
            let id = try petition.requireID()
            outcome.acknowledgementAlerts += try await Inbox.post(
                toUnit: petition.$unit.id, kind: "citizens.ackDue",
                message: L10n.format("citizens.inbox.ack_due", [petition.reference, VNFormat.date(petition.ackDueOn), String(petition.summary.prefix(100))]),
                target: InboxTarget(type: "petition", id: id), dedupeKey: "citizens.ack:\(id)", at: now, on: db
            )
        }
        let late = try await Petition.query(on: db).group(.or) { group in
            group.group(.and) { $0.filter(\.$status == .received).filter(\.$ackDueOn < today) }
            group.group(.and) { $0.filter(\.$status == .accepted).filter(\.$resolveDueOn < today) }
        }.limit(5_000).all()
        for petition in late {
            let id = try petition.requireID()
            outcome.overdueNotices += try await Inbox.post(
                toUnit: petition.$unit.id, kind: "citizens.overdue",
                message: L10n.format("citizens.inbox.overdue", [petition.reference, VNFormat.date(petition.currentDue), String(petition.summary.prefix(100))]),
                target: InboxTarget(type: "petition", id: id), dedupeKey: "citizens.overdue:\(id):\(petition.status.rawValue):\(petition.extensions)", at: now, on: db
            )
        }
        outcome.warnings = try await EarlyWarning.checkOverdue(now: now, on: db).count
        return outcome
    }

    final class OutcomeBox: @unchecked Sendable {
        var value = Outcome()
    }

    /// `run` on one instance at a time.
    public static func runLocked(app: Application) async throws -> Outcome? {
        let now = app.clock.now()
        let box = OutcomeBox()
        let ran = try await JobLock.run(lockName, on: app.db) { db in box.value = try await run(on: db, now: now) }
        return ran ? box.value : nil
    }
}

func makeCitizenScheduler() -> PeriodicJob {
    PeriodicJob(L10n.text("citizens.job.name"), firstDelay: .seconds(35), every: .seconds(3600)) { app in
        if let outcome = try await CitizenJobs.runLocked(app: app), outcome.acknowledgementAlerts + outcome.overdueNotices + outcome.warnings > 0 {
            app.logger.info("Citizens: \(outcome.acknowledgementAlerts) acknowledgement alerts, \(outcome.overdueNotices) overdue notices, \(outcome.warnings) warnings")
        }
    }
}
