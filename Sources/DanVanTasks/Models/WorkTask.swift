import DanVanCore
import DanVanDocuments
import Fluent
import SQLKit
import Foundation
import Vapor

/// A task (nhiệm vụ) assigned to a lead unit, with coordinating units, a deadline or a
/// recurrence, a status and progress. Named `WorkTask` so it never shadows Swift's `Task`.
public final class WorkTask: Model, @unchecked Sendable {
    /// The table.
    public static let schema = "work_tasks"

    /// Lifecycle of a task.
    public enum Status: String, Codable, CaseIterable, Sendable {
        case notStarted, inProgress, awaitingAcceptance, done, doneLate, overdue, cancelled

        /// The label in `locale` (key `tasks.status.<case>`).
        public func label(_ locale: L10n.Locale) -> String { L10n.text("tasks.status.\(rawValue)", locale) }

        /// The label in Vietnamese.
        public var label: String { label(.vi) }

        /// Whether the task is finished (nothing more to do).
        public var isClosed: Bool { self == .done || self == .doneLate || self == .cancelled }
    }

    /// Recurring work.
    public enum Recurrence: String, Codable, CaseIterable, Sendable {
        case month, quarter, sixMonths, year

        /// The label in `locale` (key `tasks.recurrence.<case>`).
        public func label(_ locale: L10n.Locale) -> String { L10n.text("tasks.recurrence.\(rawValue)", locale) }

        /// The label in Vietnamese.
        public var label: String { label(.vi) }

        /// The period containing `date` and the period after it: key and last day.
        public func periods(around date: Date) -> [(key: String, end: Date)] {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = VNFormat.timeZone
            let year = calendar.component(.year, from: date)
            let month = calendar.component(.month, from: date)
            let months: Int
            let index: Int
            switch self {
            case .month: months = 1; index = month - 1
            case .quarter: months = 3; index = (month - 1) / 3
            case .sixMonths: months = 6; index = (month - 1) / 6
            case .year: months = 12; index = 0
            }
            return (0...1).compactMap { ahead -> (key: String, end: Date)? in
                let period = index + ahead
                let periodYear = year + period * months / 12
                let startMonth = (period * months) % 12 + 1
                let key: String
                switch self {
                case .month: key = String(format: "%04d-%02d", periodYear, startMonth)
                case .quarter: key = "\(periodYear)-Q\((startMonth - 1) / 3 + 1)"
                case .sixMonths: key = "\(periodYear)-H\(startMonth <= 6 ? 1 : 2)"
                case .year: key = String(periodYear)
                }
                guard let start = calendar.date(from: DateComponents(year: periodYear, month: startMonth, day: 1)),
                      let next = calendar.date(byAdding: .month, value: months, to: start),
                      let end = calendar.date(byAdding: .day, value: -1, to: next) else { return nil }
                return (key, end)
            }
        }

        /// From the reader's `every` value.
        public init?(every: String?) {
            switch every {
            case "month": self = .month
            case "quarter": self = .quarter
            case "6months", "6months+year": self = .sixMonths
            case "year": self = .year
            default: return nil
            }
        }
    }

    /// Identifier.
    @ID(key: .id) public var id: UUID?
    /// The document it comes from.
    @OptionalParent(key: "document_id") public var document: Document?
    /// Section of the document (`III.2`).
    @OptionalField(key: "section") public var section: String?
    /// What must be done.
    @Field(key: "content") public var content: String
    /// The lead unit (đơn vị chủ trì).
    @Parent(key: "unit_id") public var leadUnit: OrgUnit
    /// Last day to finish (one-off tasks, and the current occurrence of recurring ones).
    @OptionalField(key: "due_on") public var dueOn: Date?
    /// Recurrence, if any (the task is then a series; each period gets an occurrence).
    @OptionalField(key: "recurrence") public var recurrence: Recurrence?
    /// The series this task is an occurrence of.
    @OptionalField(key: "series_id") public var seriesID: UUID?
    /// The period of an occurrence (`2026`, `2026-H2`, `2026-Q3`, `2026-11`).
    @OptionalField(key: "period_key") public var periodKey: String?
    /// Status.
    @Field(key: "status") public var status: Status
    /// Progress 0–100.
    @Field(key: "progress") public var progress: Int
    /// When it was accepted as done.
    @OptionalField(key: "completed_on") public var completedOn: Date?
    /// Bumped on every change; an edit based on an older version is refused.
    @Field(key: "version") public var version: Int
    /// Folded content for search.
    @Field(key: "search_text") public var searchText: String
    /// Creation time.
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    /// Last change.
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    /// Empty task for Fluent.
    public init() {}

    /// The status as of `now`: open tasks past their due date are overdue.
    public func effectiveStatus(now: Date) -> Status {
        Self.effectiveStatus(status, dueOn: dueOn, now: now)
    }

    /// The status `stored` of a task due on `dueOn`, as of `now`.
    static func effectiveStatus(_ stored: Status, dueOn: Date?, now: Date) -> Status {
        if !stored.isClosed, stored != .awaitingAcceptance, let dueOn, dueOn.addingTimeInterval(86_400) <= now { return .overdue }
        return stored
    }

    /// What the audit log keeps.
    public var auditSnapshot: [String: String] {
        [
            "content": String(content.prefix(200)), "unitID": $leadUnit.id.uuidString, "documentID": $document.id?.uuidString ?? "",
            "section": section ?? "", "dueOn": dueOn.map(VNFormat.isoDate) ?? "", "recurrence": recurrence?.rawValue ?? "",
            "status": status.rawValue, "progress": String(progress), "version": String(version),
        ]
    }
}

extension WorkTask: UnitOwned {
    /// Tasks belong to their lead unit.
    public static var ownerUnitKey: KeyPath<WorkTask, FieldProperty<WorkTask, UUID>> { \WorkTask.$leadUnit.$id }
}

/// A coordinating unit of a task, with its own short progress line.
public final class TaskCoordinator: Model, @unchecked Sendable {
    /// The table.
    public static let schema = "task_coordinators"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "task_id") public var task: WorkTask
    @Parent(key: "unit_id") public var unit: OrgUnit
    /// The coordinator's own progress line.
    @OptionalField(key: "note") public var note: String?
    @OptionalField(key: "noted_at") public var notedAt: Date?

    /// Empty row for Fluent.
    public init() {}

    /// `unitID` coordinates `taskID`.
    public init(taskID: UUID, unitID: UUID) {
        self.$task.id = taskID
        self.$unit.id = unitID
    }
}

/// One entry of a task's timeline: a progress report, a coordinator's part, an acceptance,
/// a return with comment, a status change.
public final class TaskUpdate: Model, @unchecked Sendable {
    /// The table.
    public static let schema = "task_updates"

    /// Kinds of entry.
    public enum Kind: String, Codable, CaseIterable, Sendable {
        case created, progress, coordination, submitted, accepted, returned, cancelled, urged, overdue

        /// The label in `locale` (key `tasks.update.<case>`).
        public func label(_ locale: L10n.Locale) -> String { L10n.text("tasks.update.\(rawValue)", locale) }

        /// The label in Vietnamese.
        public var label: String { label(.vi) }
    }

    @ID(key: .id) public var id: UUID?
    @Parent(key: "task_id") public var task: WorkTask
    @Field(key: "kind") public var kind: Kind
    @OptionalField(key: "author_id") public var authorID: UUID?
    @Field(key: "author_name") public var authorName: String
    @OptionalField(key: "unit_id") public var unitID: UUID?
    @Field(key: "text") public var text: String
    @OptionalField(key: "progress") public var progress: Int?
    @Field(key: "at") public var at: Date

    /// Empty entry for Fluent.
    public init() {}

    /// A new entry.
    public init(taskID: UUID, kind: Kind, actor: AuditActor, unitID: UUID?, text: String, progress: Int?, at: Date) {
        self.$task.id = taskID
        self.kind = kind
        self.authorID = actor.id
        self.authorName = actor.name
        self.unitID = unitID
        self.text = text
        self.progress = progress
        self.at = at
    }
}

enum TaskMigrations {
    static let all: [any Migration] = [CreateWorkTasks(), CreateTaskCoordinators(), CreateTaskUpdates(), IndexDueDates(), CreateTaskAttachments(), AddOccurrences(), IndexRollupOnce(),
        UpdatedAtIndex(table: WorkTask.schema, name: "tasks.0008.work-tasks-updated-index"),
        // The task list keeps a scope's first page until a task's coordinating units change.
        TrackTableWrites([TaskCoordinator.schema], name: "tasks.0009.track-coordinator-writes")]

    /// The dashboard's roll-up counts tasks that are not a recurring series
    /// (`recurrence IS NULL`) by unit, status and lateness; the (unit, status, due) index lacks
    /// `recurrence`, so the count looked up every row (470 ms at 200,000 tasks). A partial
    /// covering index answers it alone (SQLite and PostgreSQL).
    struct IndexRollupOnce: AsyncMigration {
        var name: String { "tasks.0007.index-rollup-once" }

        func prepare(on database: any Database) async throws {
            guard let sql = database as? any SQLDatabase else { return }
            try await sql.raw("CREATE INDEX work_tasks_rollup_once_idx ON work_tasks (unit_id, status, due_on, recurrence) WHERE recurrence IS NULL").run()
        }

        func revert(on database: any Database) async throws {
            if let sql = database as? any SQLDatabase { try await sql.drop(index: "work_tasks_rollup_once_idx").run() }
        }
    }

    struct AddOccurrences: AsyncMigration {
        var name: String { "tasks.0006.add-occurrences" }

        func prepare(on database: any Database) async throws {
            try await database.schema("work_tasks").field("series_id", .uuid).update()
            try await database.schema("work_tasks").field("period_key", .string).update()
            if let sql = database as? any SQLDatabase {
                try await sql.create(index: "work_tasks_series_idx").on("work_tasks").column("series_id").column("period_key").run()
            }
        }

        func revert(on database: any Database) async throws {
            if let sql = database as? any SQLDatabase { try await sql.drop(index: "work_tasks_series_idx").run() }
            try await database.schema("work_tasks").deleteField("period_key").update()
            try await database.schema("work_tasks").deleteField("series_id").update()
        }
    }

    struct CreateTaskAttachments: AsyncMigration {
        var name: String { "tasks.0005.create-task-attachments" }

        func prepare(on database: any Database) async throws {
            try await database.schema("task_attachments")
                .id()
                .field("task_id", .uuid, .required, .references("work_tasks", "id", onDelete: .cascade))
                .field("update_id", .uuid, .references("task_updates", "id", onDelete: .setNull))
                .field("filename", .string, .required)
                .field("content_type", .string, .required)
                .field("size", .int, .required)
                .field("sha256", .string, .required)
                .field("storage_key", .string, .required)
                .field("uploaded_by", .string, .required)
                .field("created_at", .datetime, .required)
                .create()
            if let sql = database as? any SQLDatabase {
                try await sql.create(index: "task_attachments_task_idx").on("task_attachments").column("task_id").run()
            }
        }

        func revert(on database: any Database) async throws {
            try await database.schema("task_attachments").delete()
        }
    }

    /// Lists sort by due date: an index on it serves the first page without sorting every task.
    struct IndexDueDates: AsyncMigration {
        var name: String { "tasks.0004.index-due-dates" }

        func prepare(on database: any Database) async throws {
            guard let sql = database as? any SQLDatabase else { return }
            try await sql.create(index: "work_tasks_due_on_idx").on("work_tasks").column("due_on").run()
            try await sql.create(index: "work_tasks_unit_due_idx").on("work_tasks").column("unit_id").column("due_on").run()
            // Covers the dashboard's grouped count (unit, status, lateness) without the table.
            try await sql.create(index: "work_tasks_rollup_idx").on("work_tasks").column("unit_id").column("status").column("due_on").run()
        }

        func revert(on database: any Database) async throws {
            guard let sql = database as? any SQLDatabase else { return }
            try await sql.drop(index: "work_tasks_rollup_idx").run()
            try await sql.drop(index: "work_tasks_unit_due_idx").run()
            try await sql.drop(index: "work_tasks_due_on_idx").run()
        }
    }

    struct CreateWorkTasks: AsyncMigration {
        var name: String { "tasks.0001.create-work-tasks" }

        func prepare(on database: any Database) async throws {
            try await database.schema("work_tasks")
                .id()
                .field("document_id", .uuid, .references("documents", "id", onDelete: .restrict))
                .field("section", .string)
                .field("content", .string, .required)
                .field("unit_id", .uuid, .required, .references("units", "id", onDelete: .restrict))
                .field("due_on", .datetime)
                .field("recurrence", .string)
                .field("status", .string, .required)
                .field("progress", .int, .required)
                .field("completed_on", .datetime)
                .field("version", .int, .required)
                .field("search_text", .string, .required)
                .field("created_at", .datetime)
                .field("updated_at", .datetime)
                .create()
            if let sql = database as? any SQLDatabase {
                try await sql.create(index: "work_tasks_unit_idx").on("work_tasks").column("unit_id").run()
                try await sql.create(index: "work_tasks_document_idx").on("work_tasks").column("document_id").run()
                try await sql.create(index: "work_tasks_due_idx").on("work_tasks").column("status").column("due_on").run()
            }
        }

        func revert(on database: any Database) async throws {
            try await database.schema("work_tasks").delete()
        }
    }

    struct CreateTaskCoordinators: AsyncMigration {
        var name: String { "tasks.0002.create-task-coordinators" }

        func prepare(on database: any Database) async throws {
            try await database.schema("task_coordinators")
                .id()
                .field("task_id", .uuid, .required, .references("work_tasks", "id", onDelete: .cascade))
                .field("unit_id", .uuid, .required, .references("units", "id", onDelete: .restrict))
                .field("note", .string)
                .field("noted_at", .datetime)
                .unique(on: "task_id", "unit_id")
                .create()
            if let sql = database as? any SQLDatabase {
                try await sql.create(index: "task_coordinators_unit_idx").on("task_coordinators").column("unit_id").run()
            }
        }

        func revert(on database: any Database) async throws {
            try await database.schema("task_coordinators").delete()
        }
    }

    struct CreateTaskUpdates: AsyncMigration {
        var name: String { "tasks.0003.create-task-updates" }

        func prepare(on database: any Database) async throws {
            try await database.schema("task_updates")
                .id()
                .field("task_id", .uuid, .required, .references("work_tasks", "id", onDelete: .cascade))
                .field("kind", .string, .required)
                .field("author_id", .uuid)
                .field("author_name", .string, .required)
                .field("unit_id", .uuid)
                .field("text", .string, .required)
                .field("progress", .int)
                .field("at", .datetime, .required)
                .create()
            if let sql = database as? any SQLDatabase {
                try await sql.create(index: "task_updates_task_idx").on("task_updates").column("task_id").column("at").run()
            }
        }

        func revert(on database: any Database) async throws {
            try await database.schema("task_updates").delete()
        }
    }
}

/// A file attached to a task as evidence (stored outside the database, see `FileStore`).
public final class TaskAttachment: Model, @unchecked Sendable {
    /// The table.
    public static let schema = "task_attachments"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "task_id") public var task: WorkTask
    @OptionalField(key: "update_id") public var updateID: UUID?
    @Field(key: "filename") public var filename: String
    @Field(key: "content_type") public var contentType: String
    @Field(key: "size") public var size: Int
    @Field(key: "sha256") public var sha256: String
    @Field(key: "storage_key") public var storageKey: String
    @Field(key: "uploaded_by") public var uploadedBy: String
    @Field(key: "created_at") public var createdAt: Date

    /// Empty row for Fluent.
    public init() {}

    /// A row for a stored evidence file of `taskID`, reported with update `updateID`.
    public init(taskID: UUID, updateID: UUID?, filename: String, stored: FileStore.Stored, uploadedBy: String, at: Date) {
        self.$task.id = taskID
        self.updateID = updateID
        self.filename = filename
        self.contentType = stored.contentType
        self.size = stored.size
        self.sha256 = stored.sha256
        self.storageKey = stored.key
        self.uploadedBy = uploadedBy
        self.createdAt = at
    }
}
