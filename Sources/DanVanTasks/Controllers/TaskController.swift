import DanVanCore
import DanVanDocuments
import DanVanText
import Fluent
import Foundation
import Vapor

/// A task as lists show it.
struct TaskRow: Encodable, Sendable {
    let id: String
    /// The task's page (made here: a `#path` per row was a twentieth of the list's time).
    let href: String
    let content: String
    let leadName: String
    let leadID: String
    let dueOn: String
    let recurrence: String
    let status: String
    let statusLabel: String
    let progress: Int

    init(_ task: TaskListing, now: Date) {
        id = task.id.uuidString
        href = TasksRoute.show(task.id).path
        content = Self.shortened(task.content)
        leadName = task.leadUnitName
        leadID = task.leadUnitID.uuidString
        dueOn = VNFormat.date(task.dueOn)
        recurrence = task.recurrence.map { L10n.text("tasks.chuoi") + $0.label.lowercased() } ?? task.periodKey.map { L10n.format("tasks.ky", ["\($0)"]) } ?? ""
        let status = task.effectiveStatus(now: now)
        self.status = status.rawValue
        statusLabel = status.label
        progress = task.progress
    }

    /// `content`'s first 220 characters. A text of at most 220 bytes has at most 220 of them:
    /// most rows are answered without walking the text character by character.
    static func shortened(_ content: String) -> String {
        content.utf8.count <= 220 ? content : String(content.prefix(220))
    }

    /// The row of the task list (see `HTML`: a list's rows are written in Swift).
    var listHTML: HTML {
        let repeats: HTML = recurrence.isEmpty ? .empty : "<br><span class=\"muted small\">\(recurrence)</span>"
        return "<tr><td><a href=\"\(href)\">\(content)</a></td><td>\(leadName)</td><td class=\"hide-sm nowrap\">\(dueOn)\(repeats)</td><td><span class=\"status status-task-\(status)\">\(statusLabel)</span> <span class=\"muted small\">\(progress)%</span></td></tr>"
    }

    /// The line of the dashboard's "due this month".
    var dueHTML: HTML {
        "<li><span class=\"nowrap\">\(dueOn)</span> · <a href=\"\(href)\">\(leadName): \(content)</a> <span class=\"status status-task-\(status)\">\(statusLabel)</span></li>"
    }
}

struct TaskController {

    struct IndexContext: Encodable, Sendable {
        /// The rows' markup (`TaskRow.listHTML`).
        let rows: HTML
        let hasRows: Bool
        let query: String
        /// The status filter's options (`SelectOption.html`).
        let statuses: HTML
        /// The unit filter's options, as HTML (see `UnitTreeCache.optionsHTML`).
        let unitOptions: String
        let overdueOnly: Bool
        let exportQuery: String
        let count: String
        let page: Int
        let previous: String?
        let next: String?
    }

    struct CoordinatorRow: Encodable, Sendable {
        let id: String
        let unitName: String
        let note: String
        let notedAt: String
        let canNote: Bool
    }

    struct UpdateRow: Encodable, Sendable {
        let at: String
        let kind: String
        let author: String
        let text: String
        let progress: String
    }

    struct ShowContext: Encodable, Sendable {
        let task: TaskRow
        let fullContent: String
        let section: String
        let documentID: String?
        let documentLabel: String
        let coordinators: [CoordinatorRow]
        let timeline: [UpdateRow]
        let version: Int
        let canReport: Bool
        let canReview: Bool
        let canUrge: Bool
        let awaitingAcceptance: Bool
        let error: String?
        let typedText: String
        let typedProgress: String
        let attachments: [AttachmentRow]
    }

    static let pageSize = 50

    /// What a scope's unfiltered first page is made from: the units (the scope's units and
    /// their names), the tasks (never deleted: their latest change) and the tasks' coordinating
    /// units (a scope of part of the tree also sees the tasks its units coordinate; their
    /// write counter, `tasks.0009`). The page does not depend on the time: only the overdue
    /// filter does.
    struct ListStamp: Equatable, Sendable {
        let units: TableFingerprint
        let tasks: TableFingerprint
        let coordinators: Int
    }

    /// The unfiltered first pages of the 300 scopes looked at last, under their `ListStamp`.
    let firstPages = RecentlyUsedCache<String, ListStamp, [TaskListing]>(capacity: 300)

    func index(_ req: Request) async throws -> Response {
        let values = try await req.readTasksLatestChange()
        let scope = try await req.scope()
        let filter = Self.filter(req)
        let page = max(1, (try? req.query.get(Int.self, at: "page")) ?? 1)
        let read = {
            try await TaskService.listings(
                filter, scope: scope, now: req.now, limit: Self.pageSize + 1, offset: (page - 1) * Self.pageSize, unitNames: try await req.unitNames(),
                on: req.db
            )
        }
        let tasks: [TaskListing]
        if filter == TaskService.Filter(), page == 1, let units = values.unitTree {
            let stamp = ListStamp(units: units, tasks: try values.latestChange(of: WorkTask.schema), coordinators: try values.int("tasks_coordinator_writes"))
            tasks = try await firstPages.value(scope.pathPrefix ?? "*", at: stamp, make: read)
        } else {
            tasks = try await read()
        }
        let unitOptions = try await req.unitOptionsHTML(in: scope, selected: Set([filter.unitID].compactMap { $0 }))
        func link(_ page: Int) -> String {
            TasksRoute.index.path(query: [
                ("page", String(page)), ("q", filter.query), ("status", filter.status?.rawValue),
                ("unit", filter.unitID?.uuidString), ("overdue", filter.overdueOnly ? "1" : nil),
            ])
        }
        let context = IndexContext(
            rows: HTML.joined(tasks.prefix(Self.pageSize).map { TaskRow($0, now: req.now).listHTML }), hasRows: !tasks.isEmpty, query: filter.query,
            statuses: SelectOption.html(WorkTask.Status.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0 == filter.status) }),
            unitOptions: unitOptions,
            overdueOnly: filter.overdueOnly, exportQuery: req.url.query ?? "", count: L10n.format("tasks.nhiem_vu_2", ["\(VNFormat.integer(min(tasks.count, Self.pageSize)))"]) + (tasks.count > Self.pageSize ? L10n.text("tasks.con_nua") : ""),
            page: page, previous: page > 1 ? link(page - 1) : nil, next: tasks.count > Self.pageSize ? link(page + 1) : nil
        )
        return try await req.render("tasks/index", title: L10n.text("tasks.nhiem_vu"), context)
    }

    func show(_ req: Request) async throws -> Response {
        try await page(req, error: nil)
    }

    /// The filters of a list request (shared by the page and the exports).
    static func filter(_ req: Request) -> TaskService.Filter {
        var filter = TaskService.Filter()
        filter.query = (try? req.query.get(String.self, at: "q")) ?? ""
        filter.status = (try? req.query.get(String.self, at: "status")).flatMap(WorkTask.Status.init(rawValue:))
        filter.unitID = try? req.query.get(UUID.self, at: "unit")
        filter.documentID = try? req.query.get(UUID.self, at: "document")
        filter.overdueOnly = ((try? req.query.get(String.self, at: "overdue")) ?? "") == "1"
        return filter
    }

    /// The task list with the page's filters, as rows for a spreadsheet (header first).
    static func exportRows(_ req: Request) async throws -> [[String]] {
        let tasks = try await TaskService.list(filter(req), scope: try await req.scope(), now: req.now, limit: 50_000, units: try await req.unitsByID(), on: req.db)
        let ids = tasks.compactMap(\.id)
        var coordinators: [UUID: [String]] = [:]
        if !ids.isEmpty {
            for row in try await TaskCoordinator.query(on: req.db).filter(\.$task.$id ~~ ids).with(\.$unit).all() {
                coordinators[row.$task.id, default: []].append(row.unit.name)
            }
        }
        let documentIDs = Array(Set(tasks.compactMap { $0.$document.id }))
        var documents: [UUID: String] = [:]
        if !documentIDs.isEmpty {
            for document in try await Document.query(on: req.db).filter(\.$id ~~ documentIDs).all() {
                documents[document.id!] = document.label(req.locale)
            }
        }
        var rows = [["STT", req.t("tasks.van_ban"), req.t("tasks.muc_2"), req.t("tasks.noi_dung_nhiem_vu"), req.t("tasks.don_vi_chu_tri"), req.t("tasks.don_vi_phoi_hop"), req.t("tasks.han"), req.t("tasks.lap_lai"), req.t("tasks.trang_thai"), req.t("tasks.tien_do")]]
        for (number, task) in tasks.enumerated() {
            rows.append([
                String(number + 1), task.$document.id.flatMap { documents[$0] } ?? "", task.section ?? "", task.content,
                task.$leadUnit.value?.name ?? "", (coordinators[task.id!] ?? []).joined(separator: "; "), VNFormat.date(task.dueOn),
                task.recurrence?.label ?? "", task.effectiveStatus(now: req.now).label, String(task.progress),
            ])
        }
        return rows
    }

    func exportXLSX(_ req: Request) async throws -> Response {
        try req.spreadsheet(
            try await Self.exportRows(req), format: .xlsx, baseName: "nhiem-vu-\(VNFormat.isoDate(req.now))", sheetName: req.t("tasks.nhiem_vu"),
            widths: [6, 22, 8, 70, 30, 30, 12, 14, 20, 10]
        )
    }

    func exportCSV(_ req: Request) async throws -> Response {
        try req.spreadsheet(try await Self.exportRows(req), format: .csv, baseName: "nhiem-vu-\(VNFormat.isoDate(req.now))", sheetName: req.t("tasks.nhiem_vu"))
    }

    func page(_ req: Request, error: String?, typedText: String = "", typedProgress: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let scope = try await req.scope()
        let task = try await TaskService.find(req.parameters.get("taskID", as: UUID.self), scope: scope, on: req.db)
        let id = try task.requireID()
        let coordinators = try await TaskCoordinator.query(on: req.db).filter(\.$task.$id == id).with(\.$unit).all()
        let updates = try await TaskUpdate.query(on: req.db).filter(\.$task.$id == id).sort(\.$at, .descending).all()
        let attachments = try await TaskAttachment.query(on: req.db).filter(\.$task.$id == id).sort(\.$createdAt, .descending).all()
        let user = try req.requireUser()
        let leadInScope = scope.contains(task.leadUnit)
        let context = ShowContext(
            task: TaskRow(TaskListing(task), now: req.now), fullContent: task.content, section: task.section ?? "",
            documentID: task.document?.id?.uuidString,
            documentLabel: task.document.map { $0.label(req.locale) } ?? "",
            coordinators: coordinators.map {
                CoordinatorRow(id: $0.id?.uuidString ?? "", unitName: $0.unit.name, note: $0.note ?? "", notedAt: VNFormat.dateTime($0.notedAt), canNote: scope.contains($0.unit) && !task.status.isClosed)
            },
            timeline: updates.map { UpdateRow(at: VNFormat.dateTime($0.at), kind: $0.kind.label, author: $0.authorName, text: $0.text, progress: $0.progress.map { VNFormat.percent(Double($0) / 100) } ?? "") },
            version: task.version,
            canReport: leadInScope && !task.status.isClosed && task.status != .awaitingAcceptance,
            canReview: user.role != .focal && task.status == .awaitingAcceptance,
            canUrge: user.role != .focal && !task.status.isClosed && task.status != .awaitingAcceptance,
            awaitingAcceptance: task.status == .awaitingAcceptance, error: error,
            typedText: typedText, typedProgress: typedProgress ?? String(task.progress),
            attachments: attachments.map {
                AttachmentRow(id: $0.id, filename: $0.filename, bytes: $0.size, uploadedBy: $0.uploadedBy, at: $0.createdAt, href: TasksRoute.file(task.id, $0.id).path)
            }
        )
        return try await req.render("tasks/show", title: req.t("tasks.nhiem_vu"), context, status: status)
    }

    struct ProgressForm: Content {
        var text: String?
        var progress: String?
        var version: String?
        var files: [File]?
    }

    func progress(_ req: Request) async throws -> Response {
        let scope = try await req.scope()
        let task = try await TaskService.find(req.parameters.get("taskID", as: UUID.self), scope: scope, on: req.db)
        guard scope.contains(task.leadUnit) else { throw AppError.forbidden }
        let form = try req.content.decode(ProgressForm.self)
        let text = VietnameseText.nfc((form.text ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
        guard !text.isEmpty else { return try await page(req, error: req.t("tasks.nhap_noi_dung_bao_cao_tien"), typedText: text, typedProgress: form.progress, status: .unprocessableEntity) }
        guard let progress = Int(form.progress ?? ""), (0...100).contains(progress) else {
            return try await page(req, error: req.t("tasks.tien_do_la_so_tu_0"), typedText: text, typedProgress: form.progress, status: .unprocessableEntity)
        }
        let evidence: [(filename: String, stored: FileStore.Stored)]
        do {
            evidence = try req.storeUploads(form.files ?? [])
        } catch let refusal as FileStore.Refusal {
            return try await page(req, error: refusal.message, typedText: text, typedProgress: form.progress, status: .unprocessableEntity)
        }
        do {
            try await TaskService.reportProgress(task, text: text, progress: progress, expectedVersion: Int(form.version ?? "") ?? -1, actor: req.actor, unitID: task.$leadUnit.id, at: req.now, evidence: evidence, on: req.db)
        } catch TaskService.Refusal.staleVersion {
            return try await page(req, error: req.t("tasks.nhiem_vu_vua_duoc_nguoi_khac"), status: .conflict)
        }
        req.flash(.success, progress >= 100 ? req.t("tasks.da_bao_cao_hoan_thanh_cho") : req.t("tasks.da_cap_nhat_tien_do"))
        return req.redirect(to: TasksRoute.show(try task.requireID()))
    }

    struct ReviewForm: Content {
        var decision: String?
        var comment: String?
        var version: String?
    }

    func review(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard user.role != .focal else { throw AppError.forbidden }
        let task = try await TaskService.find(req.parameters.get("taskID", as: UUID.self), scope: try await req.scope(), on: req.db)
        let form = try req.content.decode(ReviewForm.self)
        let accept = form.decision == "accept"
        let comment = VietnameseText.nfc((form.comment ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
        if !accept, comment.isEmpty { return try await page(req, error: req.t("tasks.khi_tra_lai_hay_ghi_ro"), status: .unprocessableEntity) }
        do {
            try await TaskService.review(task, accept: accept, comment: comment.isEmpty ? req.t("tasks.dong_y_nghiem_thu") : comment, expectedVersion: Int(form.version ?? "") ?? -1, actor: req.actor, at: req.now, on: req.db)
        } catch TaskService.Refusal.staleVersion {
            return try await page(req, error: req.t("tasks.nhiem_vu_vua_duoc_nguoi_khac_2"), status: .conflict)
        } catch TaskService.Refusal.invalid(let message) {
            return try await page(req, error: message, status: .unprocessableEntity)
        }
        req.flash(.success, accept ? req.t("tasks.da_nghiem_thu_nhiem_vu") : req.t("tasks.da_tra_lai_nhiem_vu_kem"))
        return req.redirect(to: TasksRoute.show(try task.requireID()))
    }

    /// Downloads an evidence file (same visibility as the task).
    func download(_ req: Request) async throws -> Response {
        let task = try await TaskService.find(req.parameters.get("taskID", as: UUID.self), scope: try await req.scope(), on: req.db)
        guard let fileID = req.parameters.get("fileID", as: UUID.self),
              let attachment = try await TaskAttachment.query(on: req.db).filter(\.$id == fileID).filter(\.$task.$id == task.requireID()).first()
        else { throw AppError.notFound }
        return try req.download(key: attachment.storageKey, sha256: attachment.sha256, filename: attachment.filename, contentType: attachment.contentType)
    }

    struct CancelForm: Content {
        var reason: String?
        var version: String?
    }

    func cancel(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard user.role != .focal else { throw AppError.forbidden }
        let task = try await TaskService.find(req.parameters.get("taskID", as: UUID.self), scope: try await req.scope(), on: req.db)
        let form = try req.content.decode(CancelForm.self)
        let reason = VietnameseText.clean(form.reason ?? "")
        guard !reason.isEmpty else { return try await page(req, error: req.t("tasks.ghi_ro_ly_do_huy_nhiem"), status: .unprocessableEntity) }
        do {
            try await TaskService.cancel(task, reason: String(reason.prefix(300)), expectedVersion: Int(form.version ?? "") ?? -1, actor: req.actor, at: req.now, on: req.db)
        } catch TaskService.Refusal.staleVersion {
            return try await page(req, error: req.t("tasks.nhiem_vu_vua_duoc_nguoi_khac_2"), status: .conflict)
        } catch TaskService.Refusal.invalid(let message) {
            return try await page(req, error: message, status: .unprocessableEntity)
        }
        req.flash(.success, req.t("tasks.da_huy_nhiem_vu"))
        return req.redirect(to: TasksRoute.show(try task.requireID()))
    }

    struct UrgeForm: Content {
        var message: String?
    }

    func urge(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard user.role != .focal else { throw AppError.forbidden }
        let task = try await TaskService.find(req.parameters.get("taskID", as: UUID.self), scope: try await req.scope(), on: req.db)
        guard !task.status.isClosed else { return try await page(req, error: req.t("tasks.nhiem_vu_da_ket_thuc_khong"), status: .unprocessableEntity) }
        let typed = VietnameseText.clean(try req.content.decode(UrgeForm.self).message ?? "")
        let message = typed.isEmpty ? req.t("tasks.de_nghi_khan_truong_thuc_hien") : String(typed.prefix(300))
        try await TaskService.urge(task, message: message, actor: req.actor, at: req.now, on: req.db)
        req.flash(.success, req.t("tasks.da_don_doc", "\(task.leadUnit.name)"))
        return req.redirect(to: TasksRoute.show(try task.requireID()))
    }

    struct NoteForm: Content {
        var note: String?
    }

    func coordinate(_ req: Request) async throws -> Response {
        let scope = try await req.scope()
        let task = try await TaskService.find(req.parameters.get("taskID", as: UUID.self), scope: scope, on: req.db)
        guard let coordinatorID = req.parameters.get("coordinatorID", as: UUID.self),
              let coordinator = try await TaskCoordinator.query(on: req.db).filter(\.$id == coordinatorID).filter(\.$task.$id == task.requireID()).with(\.$unit).first()
        else { throw AppError.notFound }
        guard scope.contains(coordinator.unit) else { throw AppError.forbidden }
        let note = VietnameseText.nfc((try req.content.decode(NoteForm.self).note ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
        guard !note.isEmpty else { return try await page(req, error: req.t("tasks.nhap_noi_dung_phan_viec_cua"), status: .unprocessableEntity) }
        try await TaskService.coordinate(coordinator, task: task, note: String(note.prefix(1000)), actor: req.actor, at: req.now, on: req.db)
        req.flash(.success, req.t("tasks.da_ghi_nhan_phan_viec_cua"))
        return req.redirect(to: TasksRoute.show(try task.requireID()))
    }
}

