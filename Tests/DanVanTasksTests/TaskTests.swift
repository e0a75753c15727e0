import DanVanApp
import DanVanCore
import DanVanDocuments
@testable import DanVanTasks
import DanVanTestSupport
import Fluent
import Foundation
import Testing
import SQLKit
import Vapor

@Suite("Documents and tasks")
struct DocumentTaskTests {
    /// Registers the demo directive through the real pages as `username`; returns the preview
    /// page and the confirmation response.
    func register(_ client: WebClient, text: String = demoDirective, edit: (inout [String: String]) -> Void = { _ in }) async throws -> (WebClient.Reply, WebClient.Reply) {
        try await client.registerDirective(text, edit: edit)
    }

    @Test("a specialist pastes a directive, sees matched units, confirms; document, references and tasks are saved")
    func registerFromText() async throws {
        try await withTestApp(clock: FixedClock(Date(timeIntervalSince1970: 1_773_100_000))) { app in
            // setup
            try await TestProvince.load(app)
            let client = WebClient(app)
            try await client.login("chuyenvien")
            // act
            let (preview, confirm) = try await register(client)
            // check
            #expect(preview.status == .ok)
            #expect(preview.body.contains("value=\"15-KH/TU\""))
            #expect(preview.body.contains("Nhiệm vụ đề xuất (3)"))
            #expect(preview.body.contains("độ khớp 100%"))
            #expect(confirm.status == .seeOther)
            let document = try #require(try await Document.query(on: app.db).first())
            #expect(document.symbol == "15-KH/TU")
            #expect(document.kind == "Kế hoạch")
            #expect(VNFormat.isoDate(document.issuedOn) == "2026-03-10")
            #expect(try await DocumentReference.query(on: app.db).all().map(\.symbol) == ["43-KL/TW"])
            let tasks = try await WorkTask.query(on: app.db).with(\.$leadUnit).sort(\.$section).all()
            #expect(tasks.map { $0.leadUnit.code } == ["TU-BTGDV", "MTTQ-HND", "P-HL"])
            #expect(VNFormat.isoDate(tasks[0].dueOn) == "2026-06-30")
            #expect(tasks[1].recurrence == .year)
            #expect(VNFormat.isoDate(tasks[2].dueOn) == "2026-06-30")
            let coordinators = try await TaskCoordinator.query(on: app.db).filter(\.$task.$id == tasks[0].requireID()).with(\.$unit).all()
            #expect(coordinators.map(\.unit.code) == ["UB-SNV"])
            #expect(try await AuditEntry.query(on: app.db).filter(\.$entityType == "task").count() == 3)
            let page = try await client.get(confirm.location ?? "")
            #expect(page.body.contains("Nhiệm vụ từ văn bản này"))
            #expect(page.body.contains("3 nhiệm vụ"))
            let library = try await client.get("/documents")
            #expect(library.body.contains("Văn bản được dẫn nhưng chưa đăng ký"))
            #expect(library.body.contains("<strong>43-KL/TW</strong>"))
        }
    }

    @Test("registering the same symbol again is caught and offers the existing document")
    func duplicate() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let client = WebClient(app)
            try await client.login("chuyenvien")
            try await register(client)
            let (preview, second) = try await register(client)
            #expect(preview.body.contains("id=\"duplicate-warning\""))
            #expect(second.status == .unprocessableEntity)
            #expect(second.body.contains("Văn bản có số hiệu này đã được đăng ký"))
            #expect(try await Document.query(on: app.db).count() == 1)
            let (_, forced) = try await register(client) { $0["confirmDuplicate"] = "on" }
            #expect(forced.status == .seeOther)
            #expect(try await Document.query(on: app.db).count() == 2)
        }
    }

    @Test("a text the reader finds nothing in still registers, with a warning; a missing lead is reported on its row")
    func weakInput() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let client = WebClient(app)
            try await client.login("lanhdao")
            let (preview, confirm) = try await register(client, text: "Ghi chú cuộc họp không có cấu trúc.")
            #expect(preview.body.contains("chưa có nhiệm vụ nào"))
            #expect(confirm.status == .unprocessableEntity, "a title is needed")
            let (_, fixed) = try await register(client, text: "Ghi chú cuộc họp không có cấu trúc.") { $0["title"] = "Ghi chú họp giao ban" }
            #expect(fixed.status == .seeOther)
            let (_, noLead) = try await register(client) { fields in
                for key in fields.keys where key.hasPrefix("assignments[0][leads][#") { fields[key] = nil }
                fields["symbol"] = "16-KH/TU"
            }
            #expect(noLead.status == .unprocessableEntity)
            #expect(noLead.body.contains("Chọn đơn vị chủ trì."))
            #expect(noLead.body.contains("value=\"16-KH/TU\""), "what the user typed is kept")
        }
    }

    @Test("search finds documents without diacritics; cites and cited-by link registered documents")
    func searchAndCitations() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let client = WebClient(app)
            try await client.login("chuyenvien")
            let cited = demoDirective.replacingOccurrences(of: "Số: 15-KH/TU", with: "Số: 43-KL/TW").replacingOccurrences(of: "Căn cứ Kết luận số 43-KL/TW, ngày 07/01/2019 của Ban Bí thư, ", with: "")
            try await register(client, text: cited)
            try await register(client)
            let found = try await client.get("/documents?q=doi%20thoai%20giai%20phong%20mat%20bang")
            #expect(found.body.contains("15-KH/TU"))
            let none = try await client.get("/documents?q=khong%20co%20tu%20nay")
            #expect(none.body.contains("Không có văn bản nào phù hợp."))
            let plan = try #require(try await Document.query(on: app.db).filter(\.$symbolKey == "15-KH/TU").first())
            let page = try await client.get("/documents/\(plan.id!)")
            let conclusion = try #require(try await Document.query(on: app.db).filter(\.$symbolKey == "43-KL/TW").first())
            #expect(page.body.contains("/documents/\(conclusion.id!)"))
            let citedPage = try await client.get("/documents/\(conclusion.id!)")
            #expect(citedPage.body.contains("id=\"cited-by\""))
            #expect(citedPage.body.contains("15-KH/TU"))
        }
    }

    @Test("the lead's focal point reports progress; a sibling commune cannot see the task; the specialist accepts")
    func followUp() async throws {
        // 10/03/2026: before the task's deadline of 30/06/2026.
        try await withTestApp(clock: FixedClock(Date(timeIntervalSince1970: 1_773_100_000))) { app in
            // setup
            try await TestProvince.load(app)
            let specialist = WebClient(app)
            try await specialist.login("chuyenvien")
            try await register(specialist)
            let task = try #require(try await WorkTask.query(on: app.db).join(OrgUnit.self, on: \WorkTask.$leadUnit.$id == \OrgUnit.$id).filter(OrgUnit.self, \.$code == "P-HL").first())
            let focal = WebClient(app)
            try await focal.login("daumoi")
            let sibling = WebClient(app)
            try await sibling.login("daumoi.tanlap")
            // check scope
            #expect(try await sibling.get("/tasks/\(task.id!)").status == .notFound)
            #expect(!(try await sibling.get("/tasks").body.contains("đối thoại")))
            #expect(try await focal.get("/tasks").body.contains("đối thoại"))
            // act: progress, then completion
            try await focal.get("/tasks/\(task.id!)")
            let progress = try await focal.post("/tasks/\(task.id!)/progress", form: ["text": "Đã tổ chức 1 buổi đối thoại", "progress": "50", "version": "1"])
            #expect(progress.status == .seeOther)
            let stale = try await focal.post("/tasks/\(task.id!)/progress", form: ["text": "Bản cũ", "progress": "60", "version": "1"])
            #expect(stale.status == .conflict)
            #expect(stale.body.contains("vừa được người khác cập nhật"))
            let done = try await focal.post("/tasks/\(task.id!)/progress", form: ["text": "Hoàn thành", "progress": "100", "version": "2"])
            #expect(done.status == .seeOther)
            #expect(try await WorkTask.find(task.id, on: app.db)?.status == .awaitingAcceptance)
            // a focal point cannot accept its own work
            #expect(try await focal.post("/tasks/\(task.id!)/review", form: ["decision": "accept", "version": "3"]).status == .forbidden)
            try await specialist.get("/tasks/\(task.id!)")
            let returned = try await specialist.post("/tasks/\(task.id!)/review", form: ["decision": "return", "comment": "", "version": "3"])
            #expect(returned.status == .unprocessableEntity)
            let accepted = try await specialist.post("/tasks/\(task.id!)/review", form: ["decision": "accept", "comment": "Tốt", "version": "3"])
            #expect(accepted.status == .seeOther)
            let stored = try #require(try await WorkTask.find(task.id, on: app.db))
            #expect(stored.status == .done)
            let timeline = try await TaskUpdate.query(on: app.db).filter(\.$task.$id == task.id!).all().map(\.kind)
            #expect(timeline.contains(.accepted))
            #expect(try await AuditEntry.query(on: app.db).filter(\.$entityType == "task").filter(\.$action == "update").count() == 3)
        }
    }

    @Test("a coordinating unit adds its part; overdue is shown once the due date has passed")
    func coordinationAndOverdue() async throws {
        let clock = FixedClock(Date(timeIntervalSince1970: 1_773_100_000))
        try await withTestApp(clock: clock) { app in
            try await TestProvince.load(app)
            let specialist = WebClient(app)
            try await specialist.login("chuyenvien")
            try await register(specialist)
            let task = try #require(try await WorkTask.query(on: app.db).join(OrgUnit.self, on: \WorkTask.$leadUnit.$id == \OrgUnit.$id).filter(OrgUnit.self, \.$code == "TU-BTGDV").first())
            let coordinator = try #require(try await TaskCoordinator.query(on: app.db).filter(\.$task.$id == task.id!).first())
            let interior = WebClient(app)
            try await interior.login("daumoi.snv")
            let page = try await interior.get("/tasks/\(task.id!)")
            #expect(page.status == .ok, "a coordinator sees the task")
            #expect(!page.body.contains("Báo cáo tiến độ"), "only the lead reports progress")
            let noted = try await interior.post("/tasks/\(task.id!)/coordinators/\(coordinator.id!)", form: ["note": "Đã cung cấp số liệu"])
            #expect(noted.status == .seeOther)
            #expect(try await TaskCoordinator.find(coordinator.id, on: app.db)?.note == "Đã cung cấp số liệu")
            clock.advance(by: 200 * 86_400)
            try await specialist.login("chuyenvien") // the session expired meanwhile
            let overdue = try await specialist.get("/tasks?overdue=1")
            #expect(overdue.body.contains("Quá hạn"))
            #expect(overdue.body.contains("theo dõi việc thực hiện"))
        }
    }

    @Test("registration is for staff: a focal point gets 403")
    func focalCannotRegister() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let client = WebClient(app)
            try await client.login("daumoi")
            #expect(try await client.get("/documents/new").status == .forbidden)
            #expect(try await client.get("/documents").status == .ok)
        }
    }
}


@Suite("Urging, inbox and the overdue job")
struct FollowUpJobTests {
    @Test("the urge button puts an entry in the lead unit's inbox; opening it marks it read")
    func urge() async throws {
        try await withTestApp(clock: FixedClock(Date(timeIntervalSince1970: 1_773_100_000))) { app in
            // setup
            try await TestProvince.load(app)
            let board = try await unit("TU-BTGDV", on: app)
            let (_, tasks) = try await TaskService.registerFromText(demoDirective, unitID: board.requireID(), actor: .system, at: app.clock.now(), on: app.db)
            let wardID = try await unit("P-HL", on: app).requireID()
            let ward = try #require(tasks.first { $0.$leadUnit.id == wardID })
            let specialist = WebClient(app)
            try await specialist.login("chuyenvien")
            try await specialist.get("/tasks/\(ward.id!)")
            // act
            let urged = try await specialist.post("/tasks/\(ward.id!)/urge", form: ["message": "Báo cáo trước thứ Sáu"])
            // check
            #expect(urged.status == .seeOther)
            let focal = WebClient(app)
            try await focal.login("daumoi")
            let home = try await focal.get("/")
            #expect(home.body.contains("id=\"inbox-unread\">1<"))
            let inbox = try await focal.get("/inbox")
            #expect(inbox.body.contains("chuyenvien đôn đốc: Báo cáo trước thứ Sáu"))
            let item = try #require(try await InboxItem.query(on: app.db).first())
            let open = try await focal.get("/inbox/\(item.id!)")
            #expect(open.location == "/tasks/\(ward.id!)")
            #expect(!(try await focal.get("/").body.contains("id=\"inbox-unread\"")))
            #expect(try await TaskUpdate.query(on: app.db).filter(\.$kind == .urged).count() == 1)
            // a focal point cannot urge, nor open someone else's inbox entry
            #expect(try await focal.post("/tasks/\(ward.id!)/urge", form: [:]).status == .forbidden)
            #expect(try await WebClient(app).login("daumoi.tanlap").status == .seeOther)
        }
    }

    @Test("the job marks overdue once, reminds before deadlines once, and audits")
    func job() async throws {
        let clock = FixedClock(Date(timeIntervalSince1970: 1_773_100_000)) // 10/03/2026
        try await withTestApp(clock: clock) { app in
            try await TestProvince.load(app)
            let board = try await unit("TU-BTGDV", on: app)
            try await TaskService.registerFromText(demoDirective, unitID: board.requireID(), actor: .system, at: clock.now(), on: app.db)
            // 25/06/2026: the two 30/06 deadlines are within a week.
            clock.advance(by: 107 * 86_400)
            let first = try #require(try await TaskJobs.runLocked(app: app))
            #expect(first.markedOverdue == 0)
            #expect(first.reminders > 0)
            let again = try #require(try await TaskJobs.runLocked(app: app))
            #expect(again.reminders == 0, "reminders are sent once per deadline")
            // 05/07/2026: past the deadlines.
            clock.advance(by: 10 * 86_400)
            let late = try #require(try await TaskJobs.runLocked(app: app))
            #expect(late.markedOverdue == 2)
            #expect(try await WorkTask.query(on: app.db).filter(\.$status == .overdue).count() == 2)
            #expect(try await TaskJobs.runLocked(app: app)?.markedOverdue == 0)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$summary == "Đánh dấu quá hạn").count() == 2)
            let wardUsers = try await User.query(on: app.db).filter(\.$unit.$id == unit("P-HL", on: app).requireID()).all()
            let entries = try await InboxItem.query(on: app.db).filter(\.$user.$id == wardUsers[0].requireID()).all().map(\.kind)
            #expect(Set(entries) == ["task.dueSoon", "task.overdue"])
        }
    }
}

@Suite("Background jobs")
struct JobLockTests {
    /// Runs `during` while a job holds the lock `key` on `db`; whether the holding job ran, and
    /// what `during` gave.
    private func whileHeld<T: Sendable>(_ key: Int64, on db: any Database, _ during: () async throws -> T) async throws -> (held: Bool, result: T) {
        let started = AsyncStream<Void>.makeStream()
        let release = AsyncStream<Void>.makeStream()
        let holder = Task {
            try await JobLock.run(key, on: db) { _ in
                started.continuation.yield()
                for await _ in release.stream { break }
            }
        }
        for await _ in started.stream { break }
        let result = try await during()
        release.continuation.yield()
        return (try await holder.value, result)
    }

    @Test("on PostgreSQL a second instance skips a job that is running; SQLite has one writer")
    func advisoryLock() async throws {
        try await withTestApp { app in
            let (first, second) = try await whileHeld(77, on: app.db) { try await JobLock.run(77, on: app.db) { _ in } }
            #expect(first)
            let postgres = (app.db as? any SQLDatabase)?.dialect.name == "postgresql"
            #expect(second == !postgres)
        }
    }

    @Test("named locks: a stable key per name, distinct for every job of the app (the quiz closing and the reports job once shared one)")
    func namedLocks() async throws {
        // The FNV-1a value is part of the contract: instances of two versions must agree.
        #expect(JobLock.key("") == Int64(bitPattern: 0xcbf2_9ce4_8422_2325))
        #expect(JobLock.key("tasks.reminders") == JobLock.key("tasks.reminders"))
        let names = [TaskJobs.lockName, "reports.periods", "quiz.close-rounds", "citizens.hourly", "core.session-purge"]
        #expect(Set(names.map(JobLock.key)).count == names.count)
        try await withTestApp { app in
            // Another job's lock is free while this one is held.
            let (held, (other, same)) = try await whileHeld(JobLock.key(TaskJobs.lockName), on: app.db) {
                (try await JobLock.run("reports.periods", on: app.db) { _ in }, try await JobLock.run(TaskJobs.lockName, on: app.db) { _ in })
            }
            #expect(held)
            let postgres = (app.db as? any SQLDatabase)?.dialect.name == "postgresql"
            #expect(other)
            #expect(same == !postgres)
        }
    }

    @Test("a lock held on one schema leaves the same lock free on another schema of the database (another deployment, another test)")
    func perSchema() async throws {
        try await withTestApp { first in
            try await withTestApp { second in
                let (held, (elsewhere, here)) = try await whileHeld(JobLock.key(TaskJobs.lockName), on: first.db) {
                    (try await JobLock.run(TaskJobs.lockName, on: second.db) { _ in }, try await JobLock.run(TaskJobs.lockName, on: first.db) { _ in })
                }
                #expect(held)
                let postgres = (first.db as? any SQLDatabase)?.dialect.name == "postgresql"
                #expect(elsewhere, "the other schema's job runs")
                #expect(here == !postgres, "the same schema's second run is skipped on PostgreSQL")
            }
        }
    }
}

@Suite("Task exports")
struct TaskExportTests {
    @Test("the task list exports to .xlsx and .csv with the page's filters and the user's scope")
    func exports() async throws {
        try await withTestApp(clock: FixedClock(Date(timeIntervalSince1970: 1_773_100_000))) { app in
            try await TestProvince.load(app)
            let board = try await unit("TU-BTGDV", on: app)
            try await TaskService.registerFromText(demoDirective, unitID: board.requireID(), actor: .system, at: app.clock.now(), on: app.db)
            let specialist = WebClient(app)
            try await specialist.login("chuyenvien")
            let xlsx = try await specialist.get("/tasks/export.xlsx")
            #expect(xlsx.status == .ok)
            #expect(xlsx.headers.first(name: .contentType)?.contains("spreadsheetml") == true)
            #expect(xlsx.headers.first(name: .contentDisposition)?.contains("nhiem-vu-2026-03-10.xlsx") == true)
            let csv = try await specialist.get("/tasks/export.csv?q=doi%20thoai")
            #expect(csv.body.hasPrefix("\u{FEFF}STT,Văn bản,Mục,Nội dung nhiệm vụ"))
            #expect(csv.body.contains("Kế hoạch số 15-KH/TU"))
            #expect(csv.body.contains("Phường Hòa Lạc"))
            #expect(!csv.body.contains("Hội Nông dân tỉnh"), "the filter applies")
            let sibling = WebClient(app)
            try await sibling.login("daumoi.tanlap")
            let scoped = try await sibling.get("/tasks/export.csv")
            #expect(!scoped.body.contains("Phường Hòa Lạc"), "the scope applies")
        }
    }
}

@Suite("Dashboard")
struct DashboardTests {
    @Test("the measures and the unit roll-up change as work is reported; the chart is plain SVG")
    func dashboard() async throws {
        let clock = FixedClock(Date(timeIntervalSince1970: 1_773_100_000)) // 10/03/2026
        try await withTestApp(clock: clock) { app in
            try await TestProvince.load(app)
            let board = try await unit("TU-BTGDV", on: app)
            let (_, tasks) = try await TaskService.registerFromText(demoDirective, unitID: board.requireID(), actor: .system, at: clock.now(), on: app.db)
            var summary = try await TaskDashboard.summary(scope: .everything, now: clock.now(), on: app.db)
            #expect(summary.counts.total == 2, "the yearly series counts through its occurrences, none generated yet")
            #expect(summary.counts.openInTerm == 2)
            let ward = try #require(tasks.first { $0.dueOn != nil && $0.recurrence == nil && $0.$leadUnit.id != board.id })
            try await TaskService.reportProgress(ward, text: "Xong", progress: 100, expectedVersion: ward.version, actor: .system, unitID: nil, at: clock.now(), on: app.db)
            try await TaskService.review(ward, accept: true, comment: "Đạt", expectedVersion: ward.version, actor: .system, at: clock.now(), on: app.db)
            clock.advance(by: 120 * 86_400) // July: the other deadline has passed
            summary = try await TaskDashboard.summary(scope: .everything, now: clock.now(), on: app.db)
            #expect(summary.counts.doneOnTime == 1)
            #expect(summary.counts.openOverdue == 1)
            #expect(summary.counts.donePercent == 50)
            let chart = TaskDashboard.chart(summary.units)
            #expect(chart.hasPrefix("<svg"))
            #expect(!chart.contains("<script"))
            let leader = WebClient(app)
            try await leader.login("lanhdao")
            let page = try await leader.get("/tasks/dashboard")
            #expect(page.status == .ok)
            #expect(page.body.contains("Quá hạn chưa hoàn thành"))
            #expect(page.body.contains("id=\"done-percent\">50%"))
            #expect(page.body.contains("<svg"))
            // The units table: one row per group with work, its link to the unit's tasks and
            // "done on time + late" (rows written in Swift); the measures as tiles.
            let table = try #require(page.body.firstRange(of: "id=\"unit-rollup\"").map { String(page.body[$0.lowerBound...]) })
            #expect(table.contains("<tr><td><a href=\"/tasks?unit=") && table.contains("1 + 0 muộn"))
            #expect(page.body.contains("<a class=\"stat tone-bad\" href=\"/tasks?overdue=1\"><span class=\"stat-value\">1</span>"))
            // A focal point's dashboard counts only its own unit's work.
            let focal = WebClient(app)
            try await focal.login("daumoi.snv")
            let own = try await focal.get("/tasks/dashboard")
            #expect(own.body.contains("id=\"done-percent\">0%"))
            // What falls due this month shows its lead unit, taken from the scope's tree.
            let open = try #require(try await WorkTask.query(on: app.db).filter(\.$recurrence == nil).filter(\.$status ~~ [.notStarted, .inProgress]).first())
            open.dueOn = clock.now().addingTimeInterval(2 * 86_400)
            try await open.save(on: app.db)
            let lead = try #require(try await OrgUnit.find(open.$leadUnit.id, on: app.db))
            summary = try await TaskDashboard.summary(scope: .everything, now: clock.now(), on: app.db)
            let due = try #require(summary.dueThisMonth.first { $0.id == open.id })
            #expect(due.leadUnitName == lead.name)
            #expect(try await leader.get("/tasks/dashboard").body.contains(lead.name + ": "))
        }
    }

    @Test("the dashboard's summary and the unfiltered task list are kept while no task or unit changes, and made again when one does or when time makes a task late")
    func dashboardKept() async throws {
        let clock = FixedClock(Date(timeIntervalSince1970: 1_773_100_000)) // 10/03/2026
        try await withTestApp(clock: clock) { app in
            // setup
            try await TestProvince.load(app)
            let board = try await unit("TU-BTGDV", on: app)
            let (_, tasks) = try await TaskService.registerFromText(demoDirective, unitID: board.requireID(), actor: .system, at: clock.now(), on: app.db)
            let leader = WebClient(app)
            func overdue() async throws -> Int? {
                let body = try await leader.get("/tasks/dashboard").body
                return body.firstMatch(of: /href="\/tasks\?overdue=1"><span class="stat-value">(\d+)</).flatMap { Int($0.1) }
            }
            try await leader.login("lanhdao")
            // act and check
            #expect(try await overdue() == 0)
            #expect(try await overdue() == 0)
            clock.advance(by: 120 * 86_400) // July: both deadlines of 30/06 have passed, nothing was written
            try await leader.login("lanhdao") // the session expired meanwhile
            #expect(try await overdue() == 2)
            let ward = try #require(tasks.first { $0.dueOn != nil && $0.recurrence == nil && $0.$leadUnit.id != board.id })
            try await TaskService.reportProgress(ward, text: "Xong", progress: 100, expectedVersion: ward.version, actor: .system, unitID: nil, at: clock.now(), on: app.db)
            #expect(try await overdue() == 1, "a task written beside the page")
            // The task list's unfiltered first page (kept the same way) shows a task registered
            // beside it, and a changed one as it is now.
            let listed = try await leader.get("/tasks").body
            _ = try await TaskService.registerFromText(
                demoDirective.replacingOccurrences(of: "Số: 15-KH/TU", with: "Số: 17-KH/TU").replacingOccurrences(of: "đối thoại với Nhân dân về giải phóng mặt bằng", with: "tọa đàm về chuyển đổi số"),
                unitID: board.requireID(), actor: .system, at: clock.now(), on: app.db
            )
            let relisted = try await leader.get("/tasks").body
            #expect(!listed.contains("tọa đàm về chuyển đổi số") && relisted.contains("tọa đàm về chuyển đổi số"))
            #expect(try await leader.get("/tasks").body == relisted)
            // A unit of the roll-up renamed beside the page.
            let table = try await leader.get("/tasks/dashboard").body
            let firstGroup = try #require(table.firstMatch(of: /<tr><td><a href="\/tasks\?unit=([0-9A-F-]{36})">/).flatMap { UUID(uuidString: String($0.1)) })
            let group = try #require(try await OrgUnit.find(firstGroup, on: app.db))
            group.name = "Đơn vị đổi tên"
            try await group.save(on: app.db)
            #expect(try await leader.get("/tasks/dashboard").body.contains("?unit=\(firstGroup.uuidString)\">Đơn vị đổi tên</a>"))
        }
    }

    @Test("a ward's unfiltered task list is kept too, and shows a task its unit was made to coordinate, or no longer, when that is written beside the page")
    func partialListKept() async throws {
        let clock = FixedClock(Date(timeIntervalSince1970: 1_773_100_000))
        try await withTestApp(clock: clock) { app in
            // setup: a board-led task, outside the ward's scope.
            try await TestProvince.load(app)
            let board = try await unit("TU-BTGDV", on: app)
            let ward = try await unit("P-HL", on: app)
            let (_, tasks) = try await TaskService.registerFromText(demoDirective, unitID: board.requireID(), actor: .system, at: clock.now(), on: app.db)
            let wardTasks = try await TaskCoordinator.query(on: app.db).filter(\.$unit.$id == ward.requireID()).all().map(\.$task.id)
            let other = try #require(tasks.first { $0.$leadUnit.id == board.id && !wardTasks.contains($0.id!) })
            let link = "href=\"/tasks/\(other.id!.uuidString)\""
            let focal = WebClient(app)
            try await focal.login("daumoi")
            let before = try await focal.get("/tasks").body
            #expect(!before.contains(link))
            #expect(try await focal.get("/tasks").body == before)
            // act and check: the ward made a coordinator of it beside the page (another
            // instance; the task row itself untouched).
            let coordinator = TaskCoordinator(taskID: other.id!, unitID: try ward.requireID())
            try await coordinator.create(on: app.db)
            let coordinating = try await focal.get("/tasks").body
            #expect(coordinating.contains(link))
            #expect(try await focal.get("/tasks").body == coordinating)
            try await coordinator.delete(on: app.db)
            #expect(try await !focal.get("/tasks").body.contains(link))
        }
    }
}

@Suite("Documents and tasks API")
struct DocumentTaskAPITests {
    func token(_ client: WebClient) async throws -> String {
        let page = try await client.post("/account/tokens", form: ["name": "Tích hợp"])
        return try #require(page.body.firstMatch(of: /dv_[A-Za-z0-9_-]{43}/).map { String($0.output) })
    }

    func json(_ object: [String: Any]) -> ByteBuffer {
        ByteBuffer(data: try! JSONSerialization.data(withJSONObject: object))
    }

    @Test("register from text, list, read and report progress over the API with a personal token")
    func api() async throws {
        try await withTestApp(clock: FixedClock(Date(timeIntervalSince1970: 1_773_100_000))) { app in
            try await TestProvince.load(app)
            let specialist = WebClient(app)
            try await specialist.login("chuyenvien")
            let bearer = try await token(specialist)
            let api = WebClient(app)
            let headers: HTTPHeaders = ["Authorization": "Bearer \(bearer)", "Content-Type": "application/json"]
            let created = try await api.send(.POST, "/api/v1/documents/register", headers: headers, body: json(["text": demoDirective]))
            #expect(created.status == .created)
            let registration = try JSONDecoder().decode(Registration.self, from: Data(created.body.utf8))
            #expect(registration.tasks.count == 3)
            let duplicate = try await api.send(.POST, "/api/v1/documents/register", headers: headers, body: json(["text": demoDirective]))
            #expect(duplicate.status == .conflict)
            let document = try await api.get("/api/v1/documents/\(registration.documentId)", headers: headers)
            #expect(document.body.contains("\"symbol\":\"15-KH\\/TU\"") || document.body.contains("\"symbol\":\"15-KH/TU\""))
            #expect(document.body.contains("43-KL"))
            let search = try await api.get("/api/v1/documents?q=doi%20thoai", headers: headers)
            #expect(search.body.contains("\"total\":1"))
            // The ward's focal point reports progress with its own token.
            let focal = WebClient(app)
            try await focal.login("daumoi")
            let focalHeaders: HTTPHeaders = ["Authorization": "Bearer \(try await token(focal))", "Content-Type": "application/json"]
            let list = try JSONDecoder().decode(TaskPage.self, from: Data(try await api.get("/api/v1/tasks", headers: focalHeaders).body.utf8))
            #expect(list.total == 1)
            let task = try #require(list.items.first)
            let reported = try await api.send(.POST, "/api/v1/tasks/\(task.id)/progress", headers: focalHeaders, body: json(["text": "Đã đối thoại", "progress": 60, "version": task.version]))
            #expect(reported.status == .ok)
            #expect(reported.body.contains("\"progress\":60"))
            let stale = try await api.send(.POST, "/api/v1/tasks/\(task.id)/progress", headers: focalHeaders, body: json(["text": "Cũ", "progress": 70, "version": task.version]))
            #expect(stale.status == .conflict)
            let invalid = try await api.send(.POST, "/api/v1/tasks/\(task.id)/progress", headers: focalHeaders, body: json(["progress": 170]))
            #expect(invalid.status == .badRequest)
            #expect(invalid.body.contains("tiến độ 0–100"))
            let forbidden = try await api.send(.POST, "/api/v1/documents/register", headers: focalHeaders, body: json(["text": "KẾ HOẠCH\nKhác"]))
            #expect(forbidden.status == .forbidden)
        }
    }

    @Test("every API list pages like Redmine's: limit (default 25, at most 1000), offset, total_count; bad values get a 400 in Vietnamese")
    func apiPaging() async throws {
        try await withTestApp(clock: FixedClock(Date(timeIntervalSince1970: 1_773_100_000))) { app in
            try await TestProvince.load(app)
            let specialist = WebClient(app)
            try await specialist.login("chuyenvien")
            let headers: HTTPHeaders = ["Authorization": "Bearer \(try await token(specialist))"]
            var jsonHeaders = headers
            jsonHeaders.contentType = .json
            // 3 tasks per registration: 30 tasks from 10 documents.
            for number in 1...10 {
                let text = demoDirective.replacingOccurrences(of: "15-KH/TU", with: "\(600 + number)-KH/TU")
                let created = try await specialist.send(.POST, "/api/v1/documents/register", headers: jsonHeaders, body: json(["text": text]))
                #expect(created.status == .created)
            }
            func page(_ path: String) async throws -> Page {
                let reply = try await specialist.get(path, headers: headers)
                #expect(reply.status == .ok, "\(path)")
                return try JSONDecoder().decode(Page.self, from: Data(reply.body.utf8))
            }
            let first = try await page("/api/v1/tasks")
            #expect(first.items.count == 25 && first.total_count == 30 && first.total == 30 && first.limit == 25 && first.offset == 0)
            let rest = try await page("/api/v1/tasks?limit=25&offset=25")
            #expect(rest.items.count == 5 && rest.offset == 25 && rest.total_count == 30)
            #expect(Set(first.items.map(\.id)).isDisjoint(with: rest.items.map(\.id)), "pages do not overlap")
            #expect(try await page("/api/v1/tasks?limit=1000").items.count == 30)
            #expect(try await page("/api/v1/documents?limit=4&offset=8").items.count == 2)
            #expect(try await page("/api/v1/documents").total_count == 10)
            let units = try await page("/api/v1/units?limit=10&offset=5")
            #expect(units.items.count == 10 && units.total_count >= 15 && units.offset == 5)
            #expect(try await page("/api/v1/users?limit=3").items.count == 3)
            for bad in ["limit=0", "limit=1001", "limit=abc", "offset=-1"] {
                let reply = try await specialist.get("/api/v1/tasks?\(bad)", headers: headers)
                #expect(reply.status == .badRequest, "\(bad)")
                #expect(reply.body.contains("limit") || reply.body.contains("offset"))
            }
            let openAPI = try await specialist.get("/api/openapi.json")
            #expect(openAPI.body.contains("\"total_count\"") && openAPI.body.contains("\"offset\""))
        }
    }

    struct Page: Decodable {
        struct Item: Decodable { let id: UUID }
        let items: [Item]
        let total: Int
        let total_count: Int
        let limit: Int
        let offset: Int
    }

    struct TaskItem: Decodable { let id: UUID; let version: Int }
    struct TaskPage: Decodable { let items: [TaskItem]; let total: Int }
    struct Registration: Decodable { let documentId: UUID; let tasks: [TaskItem] }
}

@Suite("Evidence files")
struct EvidenceTests {
    @Test("a progress report carries a file; it is stored outside the database with its checksum and only the task's users can download it")
    func evidence() async throws {
        try await withTestApp(clock: FixedClock(Date(timeIntervalSince1970: 1_773_100_000))) { app in
            // setup
            try await TestProvince.load(app)
            let board = try await unit("TU-BTGDV", on: app)
            let (_, tasks) = try await TaskService.registerFromText(demoDirective, unitID: board.requireID(), actor: .system, at: app.clock.now(), on: app.db)
            let wardID = try await unit("P-HL", on: app).requireID()
            let task = try #require(tasks.first { $0.$leadUnit.id == wardID })
            let focal = WebClient(app)
            try await focal.login("daumoi")
            try await focal.get("/tasks/\(task.id!)")
            // act: a forbidden type is refused and what was typed stays in the form
            let refused = try await focal.postMultipart("/tasks/\(task.id!)/progress", fields: ["text": "Đã đối thoại", "progress": "70", "version": "1"], file: ("files[]", "chay-thu.exe", "MZ"))
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.contains("Loại tệp .exe không được nhận"))
            #expect(refused.body.contains(">Đã đối thoại</textarea>"))
            let fake = try await focal.postMultipart("/tasks/\(task.id!)/progress", fields: ["text": "Đã đối thoại", "progress": "70", "version": "1"], file: ("files[]", "bien-ban.pdf", "không phải PDF"))
            #expect(fake.body.contains("không đúng định dạng .pdf"))
            let accepted = try await focal.postMultipart("/tasks/\(task.id!)/progress", fields: ["text": "Đã đối thoại, gửi biên bản", "progress": "70", "version": "1"], file: ("files[]", "bien-ban.pdf", "%PDF-1.4 biên bản đối thoại"))
            // check
            #expect(accepted.status == .seeOther)
            let attachment = try #require(try await TaskAttachment.query(on: app.db).first())
            #expect(attachment.filename == "bien-ban.pdf")
            #expect(attachment.sha256.count == 64)
            #expect(FileManager.default.fileExists(atPath: app.files.root + attachment.storageKey))
            let download = try await focal.get("/tasks/\(task.id!)/files/\(attachment.id!)")
            #expect(download.status == .ok)
            #expect(download.body == "%PDF-1.4 biên bản đối thoại")
            #expect(download.headers.first(name: .contentDisposition)?.contains("attachment") == true)
            let sibling = WebClient(app)
            try await sibling.login("daumoi.tanlap")
            #expect(try await sibling.get("/tasks/\(task.id!)/files/\(attachment.id!)").status == .notFound)
            let page = try await focal.get("/tasks/\(task.id!)")
            #expect(page.body.contains("id=\"attachments\""))
        }
    }

    @Test("the file store refuses oversize files and detects a corrupted copy")
    func store() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("danvan-store-\(UUID().uuidString)").path
        let store = FileStore(root: folder, maximumBytes: 16)
        #expect(throws: FileStore.Refusal.self) { try store.store(Data(repeating: 65, count: 17), filename: "lon.txt") }
        #expect(throws: FileStore.Refusal.self) { try store.store(Data(), filename: "rong.txt") }
        let stored = try store.store(Data("số liệu".utf8), filename: "so-lieu.csv")
        #expect(try store.read(stored.key, sha256: stored.sha256) == Data("số liệu".utf8))
        let again = try store.store(Data("số liệu".utf8), filename: "ban-sao.csv")
        #expect(again.key == stored.key, "the same content is stored once")
        try Data("đã sửa".utf8).write(to: URL(fileURLWithPath: store.root + stored.key))
        #expect(throws: FileStore.Refusal.self) { try store.read(stored.key, sha256: stored.sha256) }
        try? FileManager.default.removeItem(atPath: folder)
    }
}


@Suite("Recurring tasks")
struct RecurringTests {
    @Test("a yearly task gets this year's and next year's occurrence, once, with the series' units")
    func occurrences() async throws {
        let clock = FixedClock(Date(timeIntervalSince1970: 1_773_100_000)) // 10/03/2026
        try await withTestApp(clock: clock) { app in
            try await TestProvince.load(app)
            let board = try await unit("TU-BTGDV", on: app)
            try await TaskService.registerFromText(demoDirective, unitID: board.requireID(), actor: .system, at: clock.now(), on: app.db)
            #expect(try await TaskJobs.generateOccurrences(on: app.db, now: clock.now()) == 2)
            #expect(try await TaskJobs.generateOccurrences(on: app.db, now: clock.now()) == 0)
            let occurrences = try await WorkTask.query(on: app.db).filter(\.$seriesID != nil).sort(\.$dueOn).all()
            #expect(occurrences.map(\.periodKey) == ["2026", "2027"])
            #expect(occurrences.map { VNFormat.isoDate($0.dueOn) } == ["2026-12-31", "2027-12-31"])
            #expect(occurrences.allSatisfy { $0.recurrence == nil })
        }
    }

    @Test("periods: month, quarter, half-year and year keys and last days")
    func periods() {
        let date = VNFormat.parseDate("15/11/2026")!
        #expect(WorkTask.Recurrence.month.periods(around: date).map(\.key) == ["2026-11", "2026-12"])
        #expect(WorkTask.Recurrence.quarter.periods(around: date).map(\.key) == ["2026-Q4", "2027-Q1"])
        #expect(WorkTask.Recurrence.sixMonths.periods(around: date).map(\.key) == ["2026-H2", "2027-H1"])
        #expect(WorkTask.Recurrence.quarter.periods(around: date).map { VNFormat.isoDate($0.end) } == ["2026-12-31", "2027-03-31"])
        #expect(WorkTask.Recurrence.month.periods(around: VNFormat.parseDate("10/01/2028")!).map { VNFormat.isoDate($0.end) } == ["2028-01-31", "2028-02-29"])
    }
}

@Suite("Manual entry, editing, cancelling")
struct ManualEntryTests {
    @Test("a document and its tasks can be entered by hand")
    func manualEntry() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let client = WebClient(app)
            try await client.login("chuyenvien")
            let form = try await client.get("/documents/manual")
            #expect(form.body.contains("Nhập văn bản thủ công"))
            let commune = try await unit("X-PH", on: app)
            var pairs: [(String, String)] = [("title", "Công văn đôn đốc báo cáo"), ("kind", "Công văn"), ("symbol", "77-CV/BTGDV"), ("issuedOn", "2026-11-20")]
            pairs += [("assignments[0][keep]", "on"), ("assignments[0][content]", "Báo cáo tình hình nhân dân tháng 11"), ("assignments[0][leads][]", commune.id!.uuidString), ("assignments[0][dueOn]", "2026-11-30")]
            let saved = try await client.post("/documents", pairs: pairs)
            #expect(saved.status == .seeOther)
            let document = try #require(try await Document.query(on: app.db).filter(\.$symbolKey == "77-CV/BTGDV").first())
            #expect(document.body == "Công văn đôn đốc báo cáo")
            #expect(try await WorkTask.query(on: app.db).filter(\.$document.$id == document.id!).count() == 1)
        }
    }

    @Test("staff edit metadata and review dates (audited, duplicate symbols refused); focal points cannot")
    func editDocument() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let board = try await unit("TU-BTGDV", on: app)
            let (document, _) = try await TaskService.registerFromText(demoDirective, unitID: board.requireID(), actor: .system, at: app.clock.now(), on: app.db)
            let client = WebClient(app)
            try await client.login("lanhdao")
            try await client.get("/documents/\(document.id!)/edit")
            let bad = try await client.post("/documents/\(document.id!)", form: ["title": "", "symbol": "15-KH/TU", "interimReviewOn": "31/02/2027"])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.contains("Bắt buộc nhập."))
            let saved = try await client.post("/documents/\(document.id!)", form: ["title": "Kế hoạch đã sửa", "kind": "Kế hoạch", "symbol": "15-KH/TU", "interimReviewOn": "2028-06-30", "finalReviewOn": "2031-06-30"])
            #expect(saved.status == .seeOther)
            let stored = try #require(try await Document.find(document.id, on: app.db))
            #expect(stored.title == "Kế hoạch đã sửa")
            #expect(VNFormat.isoDate(stored.interimReviewOn) == "2028-06-30")
            #expect(try await AuditEntry.query(on: app.db).filter(\.$entityType == "document").filter(\.$action == "update").count() == 1)
            let focal = WebClient(app)
            try await focal.login("daumoi")
            #expect(try await focal.get("/documents/\(document.id!)/edit").status == .forbidden)
        }
    }

    @Test("staff cancel a task with a reason; the per-document dashboard counts only that document")
    func cancelAndDocumentDashboard() async throws {
        try await withTestApp(clock: FixedClock(Date(timeIntervalSince1970: 1_773_100_000))) { app in
            try await TestProvince.load(app)
            let board = try await unit("TU-BTGDV", on: app)
            let (document, tasks) = try await TaskService.registerFromText(demoDirective, unitID: board.requireID(), actor: .system, at: app.clock.now(), on: app.db)
            try await TaskService.registerFromText(secondDirective, unitID: board.requireID(), actor: .system, at: app.clock.now(), on: app.db)
            let client = WebClient(app)
            try await client.login("chuyenvien")
            let task = try #require(tasks.first { $0.recurrence == nil })
            try await client.get("/tasks/\(task.id!)")
            #expect(try await client.post("/tasks/\(task.id!)/cancel", form: ["reason": "", "version": "1"]).status == .unprocessableEntity)
            #expect(try await client.post("/tasks/\(task.id!)/cancel", form: ["reason": "Trùng nhiệm vụ khác", "version": "1"]).status == .seeOther)
            #expect(try await WorkTask.find(task.id, on: app.db)?.status == .cancelled)
            let summary = try await TaskDashboard.summary(scope: .everything, now: app.clock.now(), documentID: document.id, on: app.db)
            #expect(summary.counts.total == 1, "three tasks, one cancelled, one a recurring series")
            let page = try await client.get("/tasks/dashboard?document=\(document.id!)")
            #expect(page.body.contains("Kế hoạch số 15-KH/TU"))
        }
    }
}

@Suite("Task labels")
struct TaskLabelTests {
    init() { L10n.register(TasksModule().localization) }

    @Test("every status, recurrence and timeline kind has its text in the tasks table")
    func labels() {
        // act
        let labels = WorkTask.Status.allCases.map(\.label) + WorkTask.Recurrence.allCases.map(\.label) + TaskUpdate.Kind.allCases.map(\.label)
        // check
        #expect(labels.allSatisfy { !$0.hasPrefix("tasks.") }, "\(labels)")
        #expect(WorkTask.Status.awaitingAcceptance.label == "Chờ nghiệm thu")
        #expect(WorkTask.Recurrence.sixMonths.label(.en) == "6 tháng một lần")
    }
}

@Suite("Task list reads")
struct TaskListReadTests {
    @Test("lead units from the cached map, or loaded when the map lacks them, are the ones stored; the count matches the rows")
    func leadUnitsFromTheCache() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let client = WebClient(app)
            try await client.login("chuyenvien")
            try await client.registerDirective()
            let now = Date()
            let loaded = try await TaskService.list(.init(), scope: .everything, now: now, on: app.db)
            #expect(loaded.count >= 3)
            let cached = try await TaskService.list(.init(), scope: .everything, now: now, units: try await app.unitTreeCache.unitsByID(on: app.db), on: app.db)
            let partial = try await TaskService.list(.init(), scope: .everything, now: now, units: [:], on: app.db)
            for list in [cached, partial] {
                #expect(list.map(\.id) == loaded.map(\.id))
                #expect(list.map { $0.leadUnit.name } == loaded.map { $0.leadUnit.name })
            }
            for status in WorkTask.Status.allCases {
                var filter = TaskService.Filter()
                filter.status = status
                let rows = try await TaskService.list(filter, scope: .everything, now: now, limit: 10_000, on: app.db)
                #expect(try await TaskService.count(filter, scope: .everything, now: now, on: app.db) == rows.count, "\(status)")
            }
        }
    }

    @Test("the list page's rows are list()'s tasks read without models (texts, lead units, statuses, order); a task's text shows as text")
    func listingsAsList() async throws {
        try await withTestApp { app in
            // setup
            try await TestProvince.load(app)
            let client = WebClient(app)
            try await client.login("chuyenvien")
            try await client.registerDirective()
            let now = Date()
            let task = try #require(try await WorkTask.query(on: app.db).filter(\.$recurrence == nil).first())
            task.content = #"<i>Họp "dân" & 'phố'</i>"#
            task.dueOn = now.addingTimeInterval(-3 * 86_400)
            try await task.save(on: app.db)
            let units = try await app.unitTreeCache.unitsByID(on: app.db)
            // act
            let tasks = try await TaskService.list(.init(), scope: .everything, now: now, units: units, on: app.db)
            let listings = try await TaskService.listings(.init(), scope: .everything, now: now, limit: 200, unitNames: try await app.unitTreeCache.unitNames(on: app.db), on: app.db)
            let page = try await client.get("/tasks").body
            // check
            #expect(listings == tasks.map { TaskListing($0) })
            #expect(listings.contains { $0.id == task.id && $0.effectiveStatus(now: now) == .overdue })
            #expect(page.contains("&lt;i&gt;Họp &quot;dân&quot; &amp; &#39;phố&#39;&lt;/i&gt;") && !page.contains("<i>Họp"))
            #expect(page.contains("<a href=\"/tasks/\(task.id!.uuidString)\">"))
            #expect(page.contains("status-task-overdue"))
            #expect(page.components(separatedBy: "<tr><td><a href=\"/tasks/").count - 1 == tasks.count)
            // The lead unit's name comes from the cached names, which see a rename on the next page.
            let lead = try #require(try await OrgUnit.find(task.$leadUnit.id, on: app.db))
            lead.name = "Ban Dân vận (đổi tên)"
            try await lead.save(on: app.db)
            #expect(try await client.get("/tasks").body.contains("<td>Ban Dân vận (đổi tên)</td>"))
        }
    }
}
