import DanVanCore
import DanVanDocuments
import DanVanText
import Fluent
import Foundation
import SQLKit
import Vapor

/// A task to create from a confirmed assignment.
public struct TaskDraft: Sendable, Equatable {
    public var content: String
    public var section: String?
    public var leadUnitID: UUID
    public var coordinatorIDs: [UUID]
    public var dueOn: Date?
    public var recurrence: WorkTask.Recurrence?

    /// Creates a draft.
    public init(content: String, section: String?, leadUnitID: UUID, coordinatorIDs: [UUID], dueOn: Date?, recurrence: WorkTask.Recurrence?) {
        self.content = content
        self.section = section
        self.leadUnitID = leadUnitID
        self.coordinatorIDs = coordinatorIDs
        self.dueOn = dueOn
        self.recurrence = recurrence
    }
}

/// Task operations: plain functions on a database handle.
public enum TaskService {
    /// Creates a task with its coordinators and the first timeline entry, audited.
    @discardableResult
    public static func create(_ draft: TaskDraft, documentID: UUID?, actor: AuditActor, at: Date, on db: any Database) async throws -> WorkTask {
        let task = WorkTask()
        task.id = UUID()
        task.$document.id = documentID
        task.section = draft.section
        task.content = VietnameseText.nfc(draft.content)
        task.$leadUnit.id = draft.leadUnitID
        task.dueOn = draft.dueOn
        task.recurrence = draft.recurrence
        task.status = .notStarted
        task.progress = 0
        task.version = 1
        task.searchText = VietnameseText.fold(draft.content)
        try await task.create(on: db)
        let id = try task.requireID()
        for unitID in Set(draft.coordinatorIDs) where unitID != draft.leadUnitID {
            try await TaskCoordinator(taskID: id, unitID: unitID).create(on: db)
        }
        try await TaskUpdate(taskID: id, kind: .created, actor: actor, unitID: nil, text: L10n.text("tasks.giao_nhiem_vu"), progress: 0, at: at).create(on: db)
        try await AuditLog.record(on: db, actor: actor, at: at, action: "create", entityType: "task", entityID: id, summary: L10n.format("tasks.giao_nhiem_vu_2", ["\(String(draft.content.prefix(80)))"]), after: task.auditSnapshot)
        return task
    }

    /// Filters of a task list.
    public struct Filter: Sendable, Equatable {
        public var status: WorkTask.Status?
        public var unitID: UUID?
        public var documentID: UUID?
        public var query = ""
        public var overdueOnly = false

        /// No filter.
        public init() {}
    }

    /// Tasks visible in `scope` (lead or coordinator inside it), filtered, by due date.
    /// `units` (every unit by id, e.g. `req.unitsByID()`) gives the lead units without loading
    /// them; without it they are loaded with the tasks.
    public static func list(
        _ filter: Filter, scope: AccessScope, now: Date, limit: Int = 200, offset: Int = 0, units: [UUID: OrgUnit]? = nil,
        on db: any Database
    ) async throws -> [WorkTask] {
        var query = try await filtered(filter, scope: scope, now: now, on: db)
        if units == nil { query = query.with(\.$leadUnit) }
        let tasks = try await page(query, limit: limit, offset: offset).all()
        if let units { try await attachLeadUnits(tasks, from: units, on: db) }
        return tasks
    }

    /// The rows of a task list page: `list`'s tasks, as much of each as a row shows
    /// (`TaskListing`), read without models.
    public static func listings(
        _ filter: Filter, scope: AccessScope, now: Date, limit: Int, offset: Int = 0, unitNames: [UUID: String], on db: any Database
    ) async throws -> [TaskListing] {
        let query = try await filtered(filter, scope: scope, now: now, on: db)
        return try await listings(page(query, limit: limit, offset: offset), unitNames: unitNames, on: db)
    }

    /// The rows `offset..<offset + limit` of `query` in a task list's order: by due date, then
    /// newest first (`list` and `listings` give the same tasks).
    private static func page(_ query: QueryBuilder<WorkTask>, limit: Int, offset: Int) -> QueryBuilder<WorkTask> {
        query.sort(\.$dueOn, .ascending).sort(\.$createdAt, .descending).range(offset..<(offset + limit))
    }

    /// Runs `query` for what a row of a task list shows (`TaskListing`): reading every column
    /// of 50 tasks (the search text, the document link, the timestamps) into models was a
    /// fifth of the page. The lead units' names come from `unitNames` (e.g. `req.unitNames()`;
    /// a unit made after it was read is loaded).
    static func listings(_ query: QueryBuilder<WorkTask>, unitNames: [UUID: String], on db: any Database) async throws -> [TaskListing] {
        typealias C = ListingColumns
        var rows = try await query.fields(C.all).rows { row in
            TaskListing(
                id: try row[C.id], content: try row[C.content], leadUnitID: try row[C.lead], leadUnitName: "", dueOn: try row[C.dueOn],
                recurrence: try row[C.recurrence], periodKey: try row[C.periodKey], status: try row[C.status], progress: try row[C.progress]
            )
        }
        let missing = Set(rows.map(\.leadUnitID).filter { unitNames[$0] == nil })
        let loaded = try await names(of: missing, on: db)
        for index in rows.indices { rows[index].leadUnitName = unitNames[rows[index].leadUnitID] ?? loaded[rows[index].leadUnitID] ?? "" }
        return rows
    }

    /// The columns of a `TaskListing`, named once.
    private enum ListingColumns {
        static let id = WorkTask.column(\.$id), content = WorkTask.column(\.$content), lead = WorkTask.column(\.$leadUnit.$id)
        static let dueOn = WorkTask.column(\.$dueOn), recurrence = WorkTask.column(\.$recurrence), periodKey = WorkTask.column(\.$periodKey)
        static let status = WorkTask.column(\.$status), progress = WorkTask.column(\.$progress)
        static let all = [id.key, content.key, lead.key, dueOn.key, recurrence.key, periodKey.key, status.key, progress.key]
    }

    /// Gives each task its lead unit from `units` (every unit by id, e.g. the unit tree
    /// cache's) instead of loading them with the tasks; a unit made after `units` was read is
    /// loaded (the cache sees it on the next request).
    static func attachLeadUnits(_ tasks: [WorkTask], from units: [UUID: OrgUnit], on db: any Database) async throws {
        let missing = Set(tasks.map(\.$leadUnit.id).filter { units[$0] == nil })
        let loaded = missing.isEmpty ? [:] : Dictionary(
            try await OrgUnit.query(on: db).filter(\.$id ~~ missing).all().compactMap { unit in unit.id.map { ($0, unit) } },
            uniquingKeysWith: { first, _ in first }
        )
        for task in tasks { task.$leadUnit.value = units[task.$leadUnit.id] ?? loaded[task.$leadUnit.id] }
    }

    /// The names of the units `ids`.
    private static func names(of ids: Set<UUID>, on db: any Database) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        var names: [UUID: String] = [:]
        for unit in try await OrgUnit.query(on: db).filter(\.$id ~~ ids).all() { if let id = unit.id { names[id] = unit.name } }
        return names
    }

    /// How many tasks `list` would give without a page limit.
    public static func count(_ filter: Filter, scope: AccessScope, now: Date, on db: any Database) async throws -> Int {
        // COUNT(status), not Fluent's COUNT(id): status is a required column and the first of
        // the (status, due_on) and (unit_id, status, due_on) indexes, so the count is answered
        // from an index alone; counting ids read every matching row (60 ms for 50,000 tasks of
        // one status, against 3 ms).
        try await filtered(filter, scope: scope, now: now, on: db).count(\.$status)
    }

    /// The tasks in `scope` that pass `filter`, unsorted.
    static func filtered(_ filter: Filter, scope: AccessScope, now: Date, on db: any Database) async throws -> QueryBuilder<WorkTask> {
        var query = try await scoped(scope, on: db)
        if let documentID = filter.documentID { query = query.filter(\.$document.$id == documentID) }
        if let unitID = filter.unitID { query = query.filter(\.$leadUnit.$id == unitID) }
        let terms = VietnameseText.fold(VietnameseText.clean(filter.query))
        if !terms.isEmpty { query = query.filter(\.$searchText ~~ terms) }
        if filter.overdueOnly || filter.status == .overdue {
            query = query.filter(\.$status !~ [.done, .doneLate, .cancelled, .awaitingAcceptance]).filter(\.$dueOn < now.addingTimeInterval(-86_400 + 1))
        } else if let status = filter.status {
            query = query.filter(\.$status == status)
        }
        return query
    }

    /// Tasks whose lead unit, or one of whose coordinating units, is inside `scope`.
    public static func scoped(_ scope: AccessScope, on db: any Database) async throws -> QueryBuilder<WorkTask> {
        guard let unitIDs = try await scope.unitIDs(on: db) else { return WorkTask.query(on: db) }
        let coordinated = try await TaskCoordinator.query(on: db).filter(\.$unit.$id ~~ unitIDs).all().map { $0.$task.id }
        return WorkTask.query(on: db).group(.or) { group in
            group.filter(\.$leadUnit.$id ~~ unitIDs)
            if !coordinated.isEmpty { group.filter(\.$id ~~ coordinated) }
        }
    }

    /// The task with `id` if visible in `scope` (404 otherwise).
    public static func find(_ id: UUID?, scope: AccessScope, on db: any Database) async throws -> WorkTask {
        guard let id, let task = try await scoped(scope, on: db).filter(\.$id == id).with(\.$leadUnit).with(\.$document).first() else {
            throw AppError.notFound
        }
        return task
    }

    /// Why a change cannot be made, as a localised message.
    public enum Refusal: Error, Equatable, Sendable {
        case staleVersion
        case notAllowed
        case invalid(String)
    }

    /// Records progress by the lead unit: text, percentage; 100% asks for acceptance.
    public static func reportProgress(
        _ task: WorkTask, text: String, progress: Int, expectedVersion: Int, actor: AuditActor, unitID: UUID?, at: Date,
        evidence: [(filename: String, stored: FileStore.Stored)] = [], on db: any Database
    ) async throws {
        let before = task.auditSnapshot
        try await db.transaction { db in
            try await bumpVersion(task, expected: expectedVersion, on: db)
            task.progress = max(0, min(100, progress))
            task.status = progress >= 100 ? .awaitingAcceptance : .inProgress
            try await task.update(on: db)
            let kind: TaskUpdate.Kind = progress >= 100 ? .submitted : .progress
            let update = TaskUpdate(taskID: try task.requireID(), kind: kind, actor: actor, unitID: unitID, text: text, progress: task.progress, at: at)
            try await update.create(on: db)
            for file in evidence {
                try await TaskAttachment(taskID: task.requireID(), updateID: update.id, filename: file.filename, stored: file.stored, uploadedBy: actor.name, at: at).create(on: db)
            }
            if kind == .submitted, let documentID = task.$document.id, let document = try await Document.find(documentID, on: db) {
                // The board that registered the directive accepts the work: tell it.
                try await Inbox.post(
                    toUnit: document.$unit.id, kind: "task.awaitingAcceptance", message: L10n.format("tasks.cho_nghiem_thu_2", ["\(String(task.content.prefix(100)))"]),
                    target: InboxTarget(type: "task", id: try task.requireID()), dedupeKey: "task.awaitingAcceptance:\(try task.requireID()):\(task.version)", at: at, on: db
                )
            }
            try await AuditLog.record(on: db, actor: actor, at: at, action: "update", entityType: "task", entityID: task.id, summary: "\(kind.label): \(task.progress)%" + (evidence.isEmpty ? "" : L10n.format("tasks.tep_minh_chung_2", ["\(evidence.count)"])), before: before, after: task.auditSnapshot)
        }
    }

    /// The specialist accepts the reported completion (done, or done late after the due date)
    /// or sends it back with a comment.
    public static func review(_ task: WorkTask, accept: Bool, comment: String, expectedVersion: Int, actor: AuditActor, at: Date, on db: any Database) async throws {
        guard task.status == .awaitingAcceptance else { throw Refusal.invalid(L10n.text("tasks.nhiem_vu_chua_duoc_bao_cao")) }
        let before = task.auditSnapshot
        try await db.transaction { db in
            try await bumpVersion(task, expected: expectedVersion, on: db)
            if accept {
                let late = task.dueOn.map { at > $0.addingTimeInterval(86_400) } ?? false
                task.status = late ? .doneLate : .done
                task.completedOn = at
            } else {
                task.status = .inProgress
                task.progress = min(task.progress, 90)
            }
            try await task.update(on: db)
            try await TaskUpdate(taskID: task.requireID(), kind: accept ? .accepted : .returned, actor: actor, unitID: nil, text: comment, progress: task.progress, at: at).create(on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "update", entityType: "task", entityID: task.id, summary: accept ? L10n.text("tasks.nghiem_thu_nhiem_vu") : L10n.format("tasks.tra_lai_nhiem_vu", ["\(comment)"]), before: before, after: task.auditSnapshot)
        }
    }

    /// Documents in a follow-up status: with overdue tasks, with open tasks, or all done.
    public static func documentIDs(status: String, now: Date, on db: any Database) async throws -> [UUID] {
        guard let sql = db as? any SQLDatabase else { return [] }
        struct Row: Decodable { let document_id: UUID }
        let open = "'notStarted', 'inProgress', 'overdue', 'awaitingAcceptance'"
        let query: SQLQueryString
        switch status {
        case "overdue":
            query = "SELECT DISTINCT document_id FROM work_tasks WHERE document_id IS NOT NULL AND recurrence IS NULL AND status IN ('notStarted', 'inProgress', 'overdue') AND due_on < \(bind: now.addingTimeInterval(-86_400 + 1))"
        case "open":
            query = "SELECT DISTINCT document_id FROM work_tasks WHERE document_id IS NOT NULL AND recurrence IS NULL AND status IN (\(unsafeRaw: open))"
        case "done":
            query = "SELECT document_id FROM work_tasks WHERE document_id IS NOT NULL AND recurrence IS NULL GROUP BY document_id HAVING SUM(CASE WHEN status IN (\(unsafeRaw: open)) THEN 1 ELSE 0 END) = 0"
        default:
            return []
        }
        return try await sql.raw(query).all(decoding: Row.self).map(\.document_id)
    }

    /// Cancels a task that is no longer needed (staff), with the reason in the timeline.
    public static func cancel(_ task: WorkTask, reason: String, expectedVersion: Int, actor: AuditActor, at: Date, on db: any Database) async throws {
        guard !task.status.isClosed else { throw Refusal.invalid(L10n.text("tasks.nhiem_vu_da_ket_thuc")) }
        let before = task.auditSnapshot
        try await db.transaction { db in
            try await bumpVersion(task, expected: expectedVersion, on: db)
            task.status = .cancelled
            try await task.update(on: db)
            try await TaskUpdate(taskID: task.requireID(), kind: .cancelled, actor: actor, unitID: nil, text: reason, progress: task.progress, at: at).create(on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "update", entityType: "task", entityID: task.id, summary: L10n.format("tasks.huy_nhiem_vu_2", ["\(reason)"]), before: before, after: task.auditSnapshot)
        }
    }

    /// A coordinating unit adds its part.
    public static func coordinate(_ coordinator: TaskCoordinator, task: WorkTask, note: String, actor: AuditActor, at: Date, on db: any Database) async throws {
        try await db.transaction { db in
            coordinator.note = note
            coordinator.notedAt = at
            try await coordinator.update(on: db)
            try await TaskUpdate(taskID: task.requireID(), kind: .coordination, actor: actor, unitID: coordinator.$unit.id, text: note, progress: nil, at: at).create(on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "update", entityType: "task", entityID: task.id, summary: L10n.format("tasks.don_vi_phoi_hop_cap_nhat", ["\(String(note.prefix(80)))"]))
        }
    }

    /// Active units, and merged units standing for their successor (a directive from before a
    /// merger names the old board).
    public static func unitMatcher(on db: any Database) async throws -> UnitMatcher {
        let all = try await OrgUnit.query(on: db).all()
        var byID: [UUID: OrgUnit] = [:]
        for unit in all { if let id = unit.id { byID[id] = unit } }
        var candidates: [UnitMatcher.Candidate] = []
        for unit in all {
            guard let id = unit.id else { continue }
            if unit.isActive {
                candidates.append(.init(id: id, name: unit.name, shortName: unit.shortName, kind: unit.kind.rawValue))
            } else if unit.status == .merged, let successor = unit.successorID, byID[successor]?.isActive == true {
                candidates.append(.init(id: successor, name: unit.name, shortName: unit.shortName, kind: unit.kind.rawValue))
            }
        }
        return UnitMatcher(candidates: candidates)
    }

    /// The units proposed for one assignment: a group phrase proposes all its units; otherwise
    /// the best match if its confidence reaches the threshold.
    public struct Proposal: Sendable {
        public let leadIDs: [UUID]
        public let coordinatorIDs: [UUID]
        /// Confidence of the lead (0 when nothing was proposed).
        public let confidence: Double
    }

    /// Proposes units for `assignment`. The preview, where a person checks every row,
    /// preselects from 0.5 (lead) and 0.6 (coordinators) and highlights rows under 0.75;
    /// registration without a person requires 0.75.
    public static func propose(_ assignment: DirectiveParse.Assignment, matcher: UnitMatcher, leadThreshold: Double, coordinatorThreshold: Double) -> Proposal {
        func pick(_ result: UnitMatcher.Result, _ threshold: Double) -> [UUID] {
            result.isGroup ? result.matches.map(\.id) : result.matches.prefix(1).filter { $0.confidence >= threshold }.map(\.id)
        }
        let lead = matcher.match(assignment.lead)
        let leadIDs = pick(lead, leadThreshold)
        let coordinatorIDs = assignment.coordinators.flatMap { pick(matcher.match($0), coordinatorThreshold) }
        let confidence = leadIDs.isEmpty ? 0 : (lead.isGroup ? 0.9 : lead.matches.first?.confidence ?? 0)
        return Proposal(leadIDs: leadIDs, coordinatorIDs: coordinatorIDs, confidence: confidence)
    }

    /// Registers a document from its text without a person checking the preview: the
    /// reader's metadata, and a task for every assignment whose lead matched a unit with
    /// confidence ≥ 0.75. Used by the API, the demo loader and imports.
    @discardableResult
    public static func registerFromText(_ text: String, unitID: UUID, actor: AuditActor, at: Date, on db: any Database) async throws -> (Document, [WorkTask]) {
        let parse = DirectiveParser().parse(text)
        let matcher = try await unitMatcher(on: db)
        var draft = DocumentService.draft(from: parse, text: text)
        if draft.title.isEmpty { draft.title = L10n.text("tasks.khong_co_trich_yeu") }
        var drafts: [TaskDraft] = []
        for assignment in parse.assignments {
            let proposal = propose(assignment, matcher: matcher, leadThreshold: 0.75, coordinatorThreshold: 0.75)
            for leadID in proposal.leadIDs {
                drafts.append(TaskDraft(
                    content: assignment.text, section: assignment.section, leadUnitID: leadID, coordinatorIDs: proposal.coordinatorIDs,
                    dueOn: assignment.dueDate.flatMap(VNFormat.parseDate), recurrence: WorkTask.Recurrence(every: assignment.due?.every)
                ))
            }
        }
        return try await register(draft, parse: parse, tasks: drafts, original: nil, unitID: unitID, actor: actor, at: at, on: db)
    }

    /// Saves a document, its references, its uploaded original and its tasks in one
    /// transaction (a recurring series gets its occurrences from the next `TaskJobs` run).
    /// Every way of registering a document (the checked preview, the API, the demo) ends here.
    @discardableResult
    public static func register(
        _ input: DocumentDraft, parse: DirectiveParse, tasks drafts: [TaskDraft], original: DocumentAttachment?, unitID: UUID,
        actor: AuditActor, at: Date, on db: any Database
    ) async throws -> (Document, [WorkTask]) {
        try await db.transaction { db in
            let document = try await DocumentService.create(input, parse: parse, unitID: unitID, actor: actor, at: at, on: db)
            if let original {
                original.$document.id = try document.requireID()
                try await original.create(on: db)
            }
            var tasks: [WorkTask] = []
            for draft in drafts { tasks.append(try await create(draft, documentID: document.id, actor: actor, at: at, on: db)) }
            return (document, tasks)
        }
    }

    /// Refuses a change made on an old copy of the task: two people editing at once must not
    /// silently overwrite each other. The check and the bump are one conditional UPDATE, so
    /// it holds across transactions and app instances.
    static func bumpVersion(_ task: WorkTask, expected: Int, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { throw Refusal.staleVersion }
        struct Row: Decodable { let version: Int }
        let rows = try await sql.update(WorkTask.schema)
            .set("version", to: expected + 1)
            .where("id", .equal, try task.requireID())
            .where("version", .equal, expected)
            .returning("version")
            .all(decoding: Row.self)
        guard rows.count == 1 else { throw Refusal.staleVersion }
        task.version = expected + 1
    }
}
