import Foundation

/// What a row of a task list shows of a task (the list page, the dashboard's "due this
/// month"), read without a model (`TaskService.listings`).
public struct TaskListing: Sendable, Equatable {
    public let id: UUID
    public let content: String
    public let leadUnitID: UUID
    /// The lead unit's name.
    public var leadUnitName: String
    public let dueOn: Date?
    public let recurrence: WorkTask.Recurrence?
    public let periodKey: String?
    public let status: WorkTask.Status
    public let progress: Int

    /// The status as of `now` (`WorkTask.effectiveStatus`).
    public func effectiveStatus(now: Date) -> WorkTask.Status {
        WorkTask.effectiveStatus(status, dueOn: dueOn, now: now)
    }
}

extension TaskListing {
    /// The listing of a task already read whole (its lead unit loaded, or named by `leadUnitName`).
    init(_ task: WorkTask, leadUnitName: String? = nil) {
        self.init(
            id: task.id ?? UUID(), content: task.content, leadUnitID: task.$leadUnit.id,
            leadUnitName: leadUnitName ?? task.$leadUnit.value?.name ?? "", dueOn: task.dueOn, recurrence: task.recurrence,
            periodKey: task.periodKey, status: task.status, progress: task.progress
        )
    }
}
