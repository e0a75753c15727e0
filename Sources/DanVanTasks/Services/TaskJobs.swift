import DanVanCore
import Fluent
import Foundation
import Vapor

/// Follow-up work that runs by itself: marking overdue tasks and reminding lead units before
/// a deadline. Plain functions of (database, now), wrapped by the `send-reminders` command and
/// by the in-process scheduler.
public enum TaskJobs {
    /// The name of this job's advisory lock (`JobLock.key` makes the number).
    public static let lockName = "tasks.reminders"

    /// What one run did.
    public struct Outcome: Sendable, Equatable {
        public var markedOverdue = 0
        public var reminders = 0
        public var occurrences = 0
    }

    /// Marks open tasks past their due date as overdue (once, audited, with an inbox entry for
    /// the lead unit) and reminds lead units `reminderDays` before a deadline (once per due date).
    public static func run(on db: any Database, now: Date, reminderDays: Int) async throws -> Outcome {
        var outcome = Outcome()
        let system = AuditActor.system
        outcome.occurrences = try await generateOccurrences(on: db, now: now)
        let open: [WorkTask.Status] = [.notStarted, .inProgress, .overdue]
        let late = try await WorkTask.query(on: db).filter(\.$status ~~ [.notStarted, .inProgress]).filter(\.$dueOn < now.addingTimeInterval(-86_400 + 1)).all()
        for task in late {
            let before = task.auditSnapshot
            task.status = .overdue
            task.version += 1
            try await task.update(on: db)
            let id = try task.requireID()
            try await TaskUpdate(taskID: id, kind: .overdue, actor: system, unitID: nil, text: L10n.format("tasks.qua_han_2", ["\(VNFormat.date(task.dueOn))"]), progress: task.progress, at: now).create(on: db)
            try await AuditLog.record(on: db, actor: system, at: now, action: "update", entityType: "task", entityID: id, summary: L10n.text("tasks.danh_dau_qua_han"), before: before, after: task.auditSnapshot)
            try await Inbox.post(
                toUnit: task.$leadUnit.id, kind: "task.overdue", message: L10n.format("tasks.qua_han_3", ["\(VNFormat.date(task.dueOn))", "\(String(task.content.prefix(100)))"]),
                target: InboxTarget(type: "task", id: id), dedupeKey: "task.overdue:\(id)", at: now, on: db
            )
            outcome.markedOverdue += 1
        }
        let horizon = now.addingTimeInterval(Double(reminderDays) * 86_400)
        let soon = try await WorkTask.query(on: db).filter(\.$status ~~ open).filter(\.$dueOn >= now).filter(\.$dueOn <= horizon).all()
        for task in soon {
            let id = try task.requireID()
            outcome.reminders += try await Inbox.post(
                toUnit: task.$leadUnit.id, kind: "task.dueSoon", message: L10n.format("tasks.sap_den_han", ["\(VNFormat.date(task.dueOn))", "\(String(task.content.prefix(100)))"]),
                target: InboxTarget(type: "task", id: id), dedupeKey: "task.dueSoon:\(id):\(VNFormat.isoDate(task.dueOn))", at: now, on: db
            )
        }
        return outcome
    }

    /// Recurring tasks get one occurrence per period — the current one and the next — each due
    /// on the period's last day, with the series' lead and coordinators. Idempotent.
    public static func generateOccurrences(on db: any Database, now: Date) async throws -> Int {
        var created = 0
        let series = try await WorkTask.query(on: db).filter(\.$recurrence != nil).filter(\.$seriesID == nil)
            .filter(\.$status !~ [.cancelled]).all()
        for task in series {
            guard let recurrence = task.recurrence, let seriesID = task.id else { continue }
            let existing = Set(try await WorkTask.query(on: db).filter(\.$seriesID == seriesID).all().compactMap(\.periodKey))
            let coordinators = try await TaskCoordinator.query(on: db).filter(\.$task.$id == seriesID).all().map { $0.$unit.id }
            for period in recurrence.periods(around: now) where !existing.contains(period.key) {
                let occurrence = try await TaskService.create(
                    TaskDraft(content: task.content, section: task.section, leadUnitID: task.$leadUnit.id, coordinatorIDs: coordinators, dueOn: period.end, recurrence: nil),
                    documentID: task.$document.id, actor: .system, at: now, on: db
                )
                occurrence.seriesID = seriesID
                occurrence.periodKey = period.key
                try await occurrence.update(on: db)
                created += 1
            }
        }
        return created
    }

    /// Runs the job under the advisory lock (one instance at a time).
    @discardableResult
    public static func runLocked(app: Application) async throws -> Outcome? {
        let now = app.clock.now()
        let days = app.config.reminderDays
        let box = OutcomeBox()
        let ran = try await JobLock.run(lockName, on: app.db) { db in
            box.value = try await run(on: db, now: now, reminderDays: days)
        }
        return ran ? box.value : nil
    }

    final class OutcomeBox: @unchecked Sendable {
        var value = Outcome()
    }
}

/// Runs `TaskJobs` every 10 minutes in a server process (20 s after boot, so `demo` has
/// finished migrating and loading).
func makeTaskScheduler() -> PeriodicJob {
    PeriodicJob(L10n.text("tasks.don_doc_tu_dong"), firstDelay: .seconds(20), every: .seconds(600)) { app in
        if let outcome = try await TaskJobs.runLocked(app: app), outcome.markedOverdue + outcome.reminders > 0 {
            app.logger.info("Automatic follow-up: \(outcome.markedOverdue) tasks marked overdue, \(outcome.reminders) reminders")
        }
    }
}

extension TaskService {
    /// A specialist or leader urges the lead unit: recorded in the timeline, the audit log and
    /// the lead unit's inboxes.
    public static func urge(_ task: WorkTask, message: String, actor: AuditActor, at: Date, on db: any Database) async throws {
        let id = try task.requireID()
        try await db.transaction { db in
            try await TaskUpdate(taskID: id, kind: .urged, actor: actor, unitID: nil, text: message, progress: nil, at: at).create(on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "update", entityType: "task", entityID: id, summary: L10n.format("tasks.don_doc_2", ["\(message)"]))
            try await Inbox.post(
                toUnit: task.$leadUnit.id, kind: "task.urged", message: L10n.format("tasks.don_doc_3", ["\(actor.name)", "\(message)", "\(String(task.content.prefix(80)))"]),
                target: InboxTarget(type: "task", id: id), dedupeKey: "task.urged:\(id):\(Int(at.timeIntervalSince1970))", at: at, on: db
            )
        }
    }
}
