import DanVanCore
import DanVanDocuments
import Fluent
import Foundation
import Vapor

/// The tasks module: registration of documents into tasks, task lists and follow-up.
public struct TasksModule: DanVanModule {
    /// Creates the module.
    public init() {}

    /// Migrations.
    public var migrations: [any Migration] { TaskMigrations.all }

    /// Route names for views (`#path("tasks.…")`).
    public var routeLinks: [String: [RouteSegment]] { TasksRoute.linkTable }

    /// The tasks texts.
    public var localization: L10n.Tables { TasksL10n.tables }

    /// Navigation "Nhiệm vụ" and the tasks panel of the document page.
    public func register(on app: Application) throws {
        app.navigation.enable("nav.tasks", href: TasksRoute.index.path)
        app.inboxTargets.register("task") { TasksRoute.show($0).path }
        app.lifecycle.use(makeTaskScheduler())
        app.asyncCommands.use(SendRemindersCommand(), as: "send-reminders")
        app.documentStatusFilter = DocumentStatusFilter(
            choices: [("overdue", L10n.text("tasks.con_nhiem_vu_qua_han")), ("open", L10n.text("tasks.dang_thuc_hien")), ("done", L10n.text("tasks.da_hoan_thanh_tat_ca"))],
            documents: { [clock = app.clock] status, db in try await TaskService.documentIDs(status: status, now: clock.now(), on: db) }
        )
        // Values report forms can prefill (Reports reads them by key).
        app.reportSources.register(ReportSource(key: "tasks.done", labelKey: "tasks.source.done") { unitID, start, end, db in
            let last = end.addingTimeInterval(86_400)
            return Double(try await WorkTask.query(on: db).filter(\.$leadUnit.$id == unitID).filter(\.$status ~~ [.done, .doneLate])
                .filter(\.$completedOn >= start).filter(\.$completedOn < last).count(\.$status))
        })
        app.reportSources.register(ReportSource(key: "tasks.overdue", labelKey: "tasks.source.overdue") { unitID, _, end, db in
            let last = end.addingTimeInterval(86_400)
            return Double(try await WorkTask.query(on: db).filter(\.$leadUnit.$id == unitID).filter(\.$status !~ [.done, .doneLate, .cancelled])
                .filter(\.$dueOn < last).count(\.$status))
        })
        // Other modules' followed-up items (a dialogue's commitments) become tasks.
        var followUps = FollowUps()
        followUps.create = { draft, actor, at, db in
            let content = draft.origin.isEmpty ? draft.content : "\(draft.content) (\(draft.origin))"
            let task = try await TaskService.create(
                TaskDraft(content: content, section: nil, leadUnitID: draft.unitID, coordinatorIDs: [], dueOn: draft.dueOn, recurrence: nil),
                documentID: nil, actor: actor, at: at, on: db
            )
            return InboxTarget(type: "task", id: try task.requireID())
        }
        followUps.states = { ids, db in
            guard !ids.isEmpty else { return [:] }
            var states: [UUID: FollowUpState] = [:]
            for task in try await WorkTask.query(on: db).filter(\.$id ~~ ids).all() {
                guard let id = task.id else { continue }
                let done = [.done, .doneLate].contains(task.status)
                states[id] = FollowUpState(done: done, doneOn: done ? task.completedOn : nil, progress: task.progress)
            }
            return states
        }
        app.followUps = followUps
        app.documentPanels.append { req, document in
            let tasks = try await WorkTask.query(on: req.db).filter(\.$document.$id == document.requireID()).with(\.$leadUnit).sort(\.$section).all()
            let now = req.now
            let done = tasks.filter { [.done, .doneLate].contains($0.status) }.count
            let overdue = tasks.filter { $0.effectiveStatus(now: now) == .overdue }.count
            return DocumentPanel(
                title: L10n.text("tasks.nhiem_vu_tu_van_ban_nay"),
                summary: tasks.isEmpty ? nil : L10n.format("tasks.nhiem_vu_hoan_thanh_qua_han", ["\(tasks.count)", "\(done)", "\(overdue)"]),
                rows: tasks.map { task in
                    let status = task.effectiveStatus(now: now)
                    return DocumentPanel.Row(
                        text: "\(task.section.map { "[\($0)] " } ?? "")\(task.$leadUnit.value?.name ?? ""): \(String(task.content.prefix(120)))",
                        href: TasksRoute.show(task.id).path, badge: status.label, badgeClass: "status-task-\(status.rawValue)",
                        detail: task.dueOn.map { L10n.format("tasks.han_2", ["\(VNFormat.date($0))"]) } ?? task.recurrence?.label
                    )
                },
                emptyText: L10n.text("tasks.chua_co_nhiem_vu_nao")
            )
        }
    }

    /// Routes.
    public func routes(_ routes: ModuleRoutes) throws {
        let tasks = TaskController()
        routes.web.get(TasksRoute.index, use: tasks.index)
        routes.web.get(TasksRoute.dashboard, use: DashboardController().index)
        routes.web.get(TasksRoute.exportXLSX, use: tasks.exportXLSX)
        routes.web.get(TasksRoute.exportCSV, use: tasks.exportCSV)
        routes.web.get(TasksRoute.show(nil), use: tasks.show)
        routes.web.post(TasksRoute.progress(nil), use: tasks.progress)
        routes.web.post(TasksRoute.review(nil), use: tasks.review)
        routes.web.post(TasksRoute.urge(nil), use: tasks.urge)
        routes.web.post(TasksRoute.cancel(nil), use: tasks.cancel)
        routes.web.get(TasksRoute.file(nil, nil), use: tasks.download)
        routes.web.post(TasksRoute.coordinator(nil, nil), use: tasks.coordinate)
        let registration = RegistrationController()
        let staff = routes.web.grouped(RequireRoleMiddleware(.admin, .specialist, .leader))
        staff.get(TasksRoute.registrationNew, use: registration.new)
        staff.get(TasksRoute.registrationManual, use: registration.manual)
        staff.post(TasksRoute.registrationPreview, use: registration.preview)
        staff.post(TasksRoute.registrationCreate, use: registration.create)
        let api = TaskAPI()
        routes.api.get(TasksRoute.apiList, use: api.list)
        routes.api.get(TasksRoute.apiShow(nil), use: api.show)
        routes.api.post(TasksRoute.apiProgress(nil), use: api.progress)
        routes.api.post(TasksRoute.apiRegister, use: api.register)
    }

    /// `/api/v1/tasks` and `/api/v1/documents/register`.
    /// From the task list to a task and its progress report (with the task's version), from a
    /// registered document to it and its first task.
    public var openAPILinks: [OpenAPILink] {
        [
            OpenAPILink("firstTask", from: "get /api/v1/tasks", to: "get /api/v1/tasks/{taskID}", parameters: ["taskID": "$response.body#/items/0/id"]),
            OpenAPILink("reportOnFirst", from: "get /api/v1/tasks", to: "post /api/v1/tasks/{taskID}/progress", parameters: ["taskID": "$response.body#/items/0/id"], body: ["version": "$response.body#/items/0/version"]),
            OpenAPILink("leadUnit", from: "get /api/v1/tasks", to: "get /api/v1/units/{unitID}", parameters: ["unitID": "$response.body#/items/0/leadUnitId"]),
            OpenAPILink("reportProgress", from: "get /api/v1/tasks/{taskID}", to: "post /api/v1/tasks/{taskID}/progress", parameters: ["taskID": "$request.path.taskID"], body: ["version": "$response.body#/version"]),
            OpenAPILink("reportAgain", from: "post /api/v1/tasks/{taskID}/progress", to: "post /api/v1/tasks/{taskID}/progress", parameters: ["taskID": "$response.body#/id"], body: ["version": "$response.body#/version"]),
            OpenAPILink("taskAfterReport", from: "post /api/v1/tasks/{taskID}/progress", to: "get /api/v1/tasks/{taskID}", parameters: ["taskID": "$response.body#/id"]),
            OpenAPILink("registeredDocument", from: "post /api/v1/documents/register", status: "201", to: "get /api/v1/documents/{documentID}", parameters: ["documentID": "$response.body#/documentId"]),
            OpenAPILink("registeredTask", from: "post /api/v1/documents/register", status: "201", to: "get /api/v1/tasks/{taskID}", parameters: ["taskID": "$response.body#/tasks/0/id"]),
        ]
    }

    public var openAPIPaths: [String: JSON] { TaskAPI.paths }
    /// Task schemas.
    public var openAPISchemas: [String: JSON] { TaskAPI.schemas }
}
