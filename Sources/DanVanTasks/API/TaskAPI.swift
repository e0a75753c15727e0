import DanVanCore
import DanVanDocuments
import DanVanText
import Fluent
import Foundation
import Vapor

/// `/api/v1/tasks` and registration of documents from text over JSON.
struct TaskAPI {
    struct TaskDTO: Content {
        let id: UUID
        let documentId: UUID?
        let section: String?
        let content: String
        let leadUnitId: UUID
        let leadUnitName: String?
        let dueOn: String?
        let recurrence: String?
        let status: String
        let progress: Int
        let version: Int

        init(_ task: WorkTask, now: Date) {
            id = task.id ?? UUID()
            documentId = task.$document.id
            section = task.section
            content = task.content
            leadUnitId = task.$leadUnit.id
            leadUnitName = task.$leadUnit.value?.name
            dueOn = task.dueOn.map(VNFormat.isoDate)
            recurrence = task.recurrence?.rawValue
            status = task.effectiveStatus(now: now).rawValue
            progress = task.progress
            version = task.version
        }
    }

    struct ProgressBody: Content {
        var text: String?
        var progress: Int?
        var version: Int?
    }

    struct RegisterBody: Content {
        var text: String?
    }

    struct Registered: Content {
        let documentId: UUID
        let tasks: [TaskDTO]
        let warnings: [String]
    }

    func list(_ req: Request) async throws -> APIList<TaskDTO> {
        let filter = TaskController.filter(req)
        let page = try APIPage.parse(req)
        let scope = try await req.scope()
        let tasks = try await TaskService.list(filter, scope: scope, now: req.now, limit: page.limit, offset: page.offset, units: try await req.unitsByID(), on: req.db)
        let total = try await TaskService.count(filter, scope: scope, now: req.now, on: req.db)
        return APIList(items: tasks.map { TaskDTO($0, now: req.now) }, total: total, page: page)
    }

    func show(_ req: Request) async throws -> TaskDTO {
        TaskDTO(try await TaskService.find(req.parameters.get("taskID", as: UUID.self), scope: try await req.scope(), on: req.db), now: req.now)
    }

    func progress(_ req: Request) async throws -> Response {
        let scope = try await req.scope()
        let task = try await TaskService.find(req.parameters.get("taskID", as: UUID.self), scope: scope, on: req.db)
        guard scope.contains(task.leadUnit) else { throw AppError.forbidden }
        let body = try req.content.decode(ProgressBody.self)
        let text = VietnameseText.clean(body.text ?? "")
        guard !text.isEmpty, let progress = body.progress, (0...100).contains(progress), let version = body.version else {
            throw AppError.badRequest("api.progressInvalid")
        }
        do {
            try await TaskService.reportProgress(task, text: text, progress: progress, expectedVersion: version, actor: req.actor, unitID: task.$leadUnit.id, at: req.now, on: req.db)
        } catch TaskService.Refusal.staleVersion {
            throw AppError.conflict("error.409")
        }
        return try await TaskDTO(task, now: req.now).encodeResponse(for: req)
    }

    /// Registers a document from its text with the preview's defaults (staff only).
    func register(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard user.role != .focal else { throw AppError.forbidden }
        let text = DanVanText.DocumentInput.normalise(try req.content.decode(RegisterBody.self).text ?? "")
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw AppError.badRequest("api.textRequired") }
        let parse = DirectiveParser().parse(text)
        if !(try await DocumentService.duplicates(of: parse.symbol, on: req.db)).isEmpty { throw AppError.conflict("document.duplicate") }
        let (document, tasks) = try await TaskService.registerFromText(text, unitID: user.$unit.id, actor: req.actor, at: req.now, on: req.db)
        let response = Response(status: .created)
        try response.content.encode(Registered(documentId: try document.requireID(), tasks: tasks.map { TaskDTO($0, now: req.now) }, warnings: parse.warnings))
        response.headers.replaceOrAdd(name: .location, value: DocumentsRoute.apiShow(try document.requireID()).path)
        return response
    }

    static var paths: [String: JSON] {
        let error: JSON = ["description": .string(L10n.text("tasks.loi")), "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]]
        func ok(_ schema: String, _ code: String = L10n.text("tasks.thanh_cong")) -> JSON { ["description": .string(code), "content": ["application/json": ["schema": ["$ref": .string("#/components/schemas/\(schema)")]]]] }
        let taskID: JSON = ["name": "taskID", "in": "path", "required": true, "schema": ["type": "string", "format": "uuid"]]
        return [
            "/api/v1/tasks": ["get": [
                "summary": .string(L10n.text("tasks.nhiem_vu_trong_pham_vi_chu")), "tags": ["tasks"],
                "parameters": .array([
                    ["name": "q", "in": "query", "schema": ["type": "string"]],
                    ["name": "status", "in": "query", "schema": ["type": "string", "enum": .array(WorkTask.Status.allCases.map { .string($0.rawValue) })]],
                    ["name": "unit", "in": "query", "schema": ["type": "string", "format": "uuid"]],
                    ["name": "document", "in": "query", "schema": ["type": "string", "format": "uuid"]],
                    ["name": "overdue", "in": "query", "schema": ["type": "string", "enum": ["1"]]],
                ] + APIPage.openAPIParameters),
                "responses": ["200": ok("TaskPage"), "401": error],
            ]],
            "/api/v1/tasks/{taskID}": ["get": ["summary": .string(L10n.text("tasks.mot_nhiem_vu")), "tags": ["tasks"], "parameters": [taskID], "responses": ["200": ok("Task"), "404": error]]],
            "/api/v1/tasks/{taskID}/progress": ["post": [
                "summary": .string(L10n.text("tasks.bao_cao_tien_do_don_vi")), "tags": ["tasks"], "parameters": [taskID],
                "requestBody": ["required": true, "content": ["application/json": ["schema": ["type": "object", "required": ["text", "progress", "version"], "properties": [
                    "text": ["type": "string"], "progress": ["type": "integer", "minimum": 0, "maximum": 100], "version": ["type": "integer"],
                ]]]]],
                "responses": ["200": ok("Task"), "400": error, "403": error, "404": error, "409": error],
            ]],
            "/api/v1/documents/register": ["post": [
                "summary": .string(L10n.text("tasks.dang_ky_van_ban_tu_noi")), "tags": ["documents"],
                "requestBody": ["required": true, "content": ["application/json": ["schema": ["type": "object", "required": ["text"], "properties": ["text": ["type": "string"]]]]]],
                "responses": ["201": ok("Registration", L10n.text("tasks.da_dang_ky")), "400": error, "403": error, "409": error],
            ]],
        ]
    }

    static var schemas: [String: JSON] {
        let nullableString: JSON = ["type": "string", "nullable": true]
        return [
            "Task": ["type": "object", "required": ["id", "content", "leadUnitId", "status", "progress", "version"], "properties": [
                "id": ["type": "string", "format": "uuid"], "documentId": ["type": "string", "format": "uuid", "nullable": true], "section": nullableString,
                "content": ["type": "string"], "leadUnitId": ["type": "string", "format": "uuid"], "leadUnitName": nullableString,
                "dueOn": ["type": "string", "format": "date", "nullable": true],
                "recurrence": ["type": "string", "nullable": true, "enum": .array(WorkTask.Recurrence.allCases.map { .string($0.rawValue) } + [.null])],
                "status": ["type": "string", "enum": .array(WorkTask.Status.allCases.map { .string($0.rawValue) })],
                "progress": ["type": "integer"], "version": ["type": "integer"],
            ]],
            "TaskPage": APIPage.openAPISchema(of: "Task"),
            "Registration": ["type": "object", "required": ["documentId", "tasks", "warnings"], "properties": [
                "documentId": ["type": "string", "format": "uuid"], "tasks": ["type": "array", "items": ["$ref": "#/components/schemas/Task"]],
                "warnings": ["type": "array", "items": ["type": "string"]],
            ]],
        ]
    }
}
