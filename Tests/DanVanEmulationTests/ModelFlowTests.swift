import DanVanCore
@testable import DanVanEmulation
import DanVanTasks
import DanVanTestSupport
import DanVanText
import Fluent
import Foundation
import Testing
import Vapor

/// The whole DVK cycle through the real pages: the year's settings, a commune registers a
/// model, builds and proposes it; the board opens the appraisal; the council scores
/// independently (a member in conflict and a stranger refused); the appraisal closes; the model
/// is recognised, commended and replicated (tasks); the showcase and the targets move.
@Suite("Emulation: models from registration to replication")
struct ModelFlowTests {
    static let start = VNFormat.parseDateTime("2026-03-10T09:00")!

    /// The year's default criteria and a provincial council (lanhdao chairs; chuyenvien, lanhdao.xa of Xã Tân Lập, daumoi.mttq sit).
    static func settings(_ board: WebClient, units: [String: OrgUnit], app: Application, members: [String] = ["lanhdao", "chuyenvien", "lanhdao.xa", "daumoi.mttq"], purpose: String = "model", unit: String = "TU-BTGDV", name: String = "Hội đồng thẩm định mô hình Dân vận khéo tỉnh") async throws {
        try await board.get("/emulation/settings")
        if try await CriteriaSet.query(on: app.db).filter(\.$year == 2026).count() == 0 {
            #expect(try await board.post("/emulation/settings/defaults", form: ["year": "2026"]).status == .seeOther)
        }
        let users = try await User.query(on: app.db).filter(\.$username ~~ members).all()
        var form = ["year": "2026", "name": name, "purpose": purpose, "council_unit": units[unit]!.id!.uuidString,
                    "chair": users.first { $0.username == members[0] }!.id!.uuidString]
        for user in users { form["member.\(user.id!.uuidString)"] = "on" }
        #expect(try await board.post("/emulation/settings/councils", form: form).status == .seeOther)
    }

    static func modelForm(_ units: [String: OrgUnit], name: String = "Dân vận khéo trong hiến đất mở đường liên thôn") -> [String: String] {
        [
            "kind": "model", "holder": "collective", "name": name, "unit": units["X-TL"]!.id!.uuidString, "field": "economy", "land_focus": "on",
            "problem": "Đường liên thôn hẹp, xuống cấp; nhiều hộ chưa đồng thuận hiến đất.",
            "solution": "Tổ dân vận thôn đến từng hộ; cán bộ, đảng viên hiến đất trước; công khai dự toán, Nhân dân giám sát.",
            "beneficiaries": "312 hộ của 3 thôn", "expected": "Mở rộng 4,2 km đường bê tông", "contact_name": "Hoàng Văn Bình", "contact_phone": "0912 345 678",
        ]
    }

    @Test("the DVK cycle: register (window and duplicates refused, typed kept) → build → propose → appraise (conflict and stranger refused, independent scores) → recognise → commend → replicate as tasks; showcase and target move")
    func cycle() async throws {
        let clock = FixedClock(Self.start)
        try await withTestApp(clock: clock) { app in
            let units = try await TestProvince.load(app)
            let board = WebClient(app)
            try await board.login("lanhdao")
            try await Self.settings(board, units: units, app: app)
            #expect(try await CriteriaSet.query(on: app.db).filter(\.$year == 2026).count() == 3)
            // A commune focal registers a model.
            let commune = WebClient(app)
            try await commune.login("daumoi.tanlap")
            try await commune.get("/emulation/models/new")
            var form = Self.modelForm(units)
            form["solution"] = ""
            let missing = try await commune.post("/emulation/models", form: form)
            #expect(missing.status == .unprocessableEntity && missing.body.contains("id=\"error-solution\"") && missing.body.contains("312 hộ của 3 thôn"))
            let saved = try await commune.post("/emulation/models", form: Self.modelForm(units))
            #expect(saved.status == .seeOther)
            let model = try #require(try await DVKModel.query(on: app.db).first())
            #expect(model.status == .registered && model.landFocus && model.year == 2026)
            // The same name again this year is refused; so is anything outside the window.
            try await commune.get("/emulation/models/new")
            let duplicate = try await commune.post("/emulation/models", form: Self.modelForm(units, name: "  DÂN VẬN KHÉO trong hiến đất mở đường liên thôn "))
            #expect(duplicate.status == .unprocessableEntity && duplicate.body.contains("id=\"error-name\""))
            clock.advance(by: 120 * 86_400)
            try await commune.login("daumoi.tanlap")
            try await commune.get("/emulation/models/new")
            let late = try await commune.post("/emulation/models", form: Self.modelForm(units, name: "Mô hình đăng ký muộn"))
            #expect(late.status == .unprocessableEntity && late.body.contains("id=\"error-year\"") && late.body.contains("Mô hình đăng ký muộn"))
            #expect(try await DVKModel.query(on: app.db).count() == 1)
            try await board.login("lanhdao")
            // Another commune's official does not see it.
            let stranger = WebClient(app)
            try await stranger.login("daumoi")
            #expect(try await stranger.get("/emulation/models/\(model.id!)").status == .notFound)
            // Built with a note and evidence, proposed by the commune's leader to the province.
            let path = "/emulation/models/\(model.id!)"
            try await commune.get(path)
            let note = try await commune.postMultipart(path + "/notes", fields: ["text": "Đã vận động 120 hộ hiến 6.500 m² đất."], file: (name: "files[]", filename: "bien-ban.txt", content: "Biên bản họp thôn"))
            #expect(note.status == .seeOther)
            #expect(try await DVKModel.find(model.id, on: app.db)?.status == .building)
            #expect(try await commune.post(path + "/propose", form: ["level": "province", "results": "x"]).status == .forbidden)
            let leader = WebClient(app)
            try await leader.login("lanhdao.xa")
            try await leader.get(path)
            let version = try #require(try await DVKModel.find(model.id, on: app.db)).version
            #expect(try await leader.post(path + "/propose", form: ["level": "province", "results": "", "version": String(version)]).status == .unprocessableEntity)
            #expect(try await leader.post(path + "/propose", form: ["level": "province", "results": "Mở rộng 4,5 km đường; 100% hộ đồng thuận.", "version": String(version)]).status == .seeOther)
            // The board opens the appraisal before the provincial council.
            let council = try #require(try await Council.query(on: app.db).first())
            let set = try #require(try await CriteriaSet.query(on: app.db).filter(\.$purpose == .model).first())
            let page = try await board.get(path)
            #expect(page.body.contains("id=\"step-appraise\""))
            let stale = try await board.post(path + "/appraise", form: ["council": council.id!.uuidString, "set": set.id!.uuidString, "version": String(version)])
            #expect(stale.status == .conflict)
            let opened = try await board.post(path + "/appraise", form: ["council": council.id!.uuidString, "set": set.id!.uuidString, "version": String(version + 1)])
            #expect(opened.status == .seeOther)
            let appraisal = try #require(try await Appraisal.query(on: app.db).first())
            let appraisalPath = "/emulation/appraisals/\(appraisal.id!)"
            let criteria = try await AssessmentService.criteria(of: set.id!, on: app.db)
            func points(_ values: [Double]) -> [String: String] {
                Dictionary(uniqueKeysWithValues: zip(criteria, values).map { ("points.\($0.id!.uuidString)", VNFormat.decimal($1, places: 1)) })
            }
            // A recognition before the appraisal is complete is refused.
            try await board.get(path)
            #expect(try await board.post(path + "/decide", form: ["decision": "recognise", "decision_number": "15-QĐ/BTGDVTU", "decision_date": "2026-07-20"]).status == .unprocessableEntity)
            // The member from the proposing commune is in conflict; a stranger is not a member.
            try await leader.get(appraisalPath)
            let conflict = try await leader.post(appraisalPath + "/score", form: points([10, 20, 15, 15, 25, 15]))
            #expect(conflict.status == .forbidden && conflict.body.contains("id=\"error-score\""))
            try await stranger.login("daumoi.snv")
            #expect(try await stranger.get(appraisalPath).status == .notFound)
            // The first member: a score out of range is refused with the typed points kept.
            let specialist = WebClient(app)
            try await specialist.login("chuyenvien")
            // The home page tells each member what waits for their score.
            #expect(try await specialist.get("/").body.contains("1 hồ sơ thẩm định chờ đồng chí chấm"))
            try await specialist.get(appraisalPath)
            var bad = points([9, 18, 14, 13, 22, 13])
            bad["points.\(criteria[0].id!.uuidString)"] = "11"
            let refused = try await specialist.post(appraisalPath + "/score", form: bad)
            #expect(refused.status == .unprocessableEntity && refused.body.contains("id=\"error-points-\(criteria[0].id!.uuidString)\"") && refused.body.contains("value=\"22,0\""))
            #expect(try await specialist.post(appraisalPath + "/score", form: points([9, 18, 14, 13, 22, 13])).status == .seeOther)
            #expect(try await specialist.post(appraisalPath + "/score", form: points([9, 18, 14, 13, 22, 13])).status == .forbidden)
            #expect(try await !specialist.get("/").body.contains("hồ sơ thẩm định chờ đồng chí chấm"))
            // Independent: the next member does not see the first one's total before scoring.
            let front = WebClient(app)
            try await front.login("daumoi.mttq")
            let before = try await front.get(appraisalPath)
            #expect(before.body.contains("id=\"score-form\"") && !before.body.contains("<strong>89,0</strong>") && before.body.contains("1/3"))
            #expect(try await front.post(appraisalPath + "/score", form: points([8, 16, 12, 12, 20, 12])).status == .seeOther)
            let after = try await front.get(appraisalPath)
            #expect(after.body.contains("<strong>89,0</strong>"))
            // Not yet complete: the chair has not scored; closing is refused.
            #expect(try await board.post(appraisalPath + "/close", form: ["discussion": ""]).status == .unprocessableEntity)
            try await board.get(appraisalPath)
            #expect(try await board.post(appraisalPath + "/score", form: points([9, 17, 13, 13, 21, 13])).status == .seeOther)
            // Totals 89, 80, 86: spread 9 ≤ 15 closes without discussion; average 85 → "Đạt".
            let closed = try await board.post(appraisalPath + "/close", form: ["discussion": ""])
            #expect(closed.status == .seeOther)
            let result = try #require(try await Appraisal.find(appraisal.id, on: app.db))
            #expect(result.status == .closed && result.classKey == "dat" && abs((result.result ?? 0) - 85) < 0.01 && !result.flagged)
            // Recognised with its decision; the timeline, the audit log record each step.
            let decide = try await board.get(path)
            #expect(decide.body.contains("id=\"decide\""))
            let fresh = try #require(try await DVKModel.find(model.id, on: app.db))
            let recognised = try await board.post(path + "/decide", form: ["decision": "recognise", "decision_number": "15-QĐ/BTGDVTU", "decision_date": "2026-07-20", "version": String(fresh.version)])
            #expect(recognised.status == .seeOther)
            let after2 = try #require(try await DVKModel.find(model.id, on: app.db))
            #expect(after2.status == .recognised && after2.level == "province" && after2.recognisedYear == 2026)
            #expect(try await Recognition.query(on: app.db).count() == 1)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$entityType == "dvk-model").count() == 4)
            // Commended, then replicated to two communes: each a task of its own, linked back.
            try await board.get(path)
            #expect(try await board.post(path + "/commend", form: ["commendation": "Bằng khen của Ban Thường vụ Tỉnh ủy", "version": String(after2.version)]).status == .seeOther)
            let filtered = try await board.post(path + "/replicate", form: ["filter": "1", "r_kind": "commune"])
            #expect(filtered.body.contains("name=\"unit.\(units["X-DT"]!.id!.uuidString)\""))
            // By area: the Front committees under Xã Đồng Tâm only.
            let area = try await board.post(path + "/replicate", form: ["filter": "1", "r_kind": "fatherlandFront", "r_under": units["X-DT"]!.id!.uuidString])
            #expect(area.body.contains("name=\"unit.\(units["X-DT-MT"]!.id!.uuidString)\"") && !area.body.contains("name=\"unit.\(units["X-PH-MT"]!.id!.uuidString)\""))
            let v = try #require(try await DVKModel.find(model.id, on: app.db)).version
            let pastDue = try await board.post(path + "/replicate", form: ["unit.\(units["X-DT"]!.id!.uuidString)": "on", "due": "2026-01-05", "version": String(v)])
            #expect(pastDue.status == .unprocessableEntity && pastDue.body.contains("id=\"error-due\""))
            let replicated = try await board.post(path + "/replicate", form: [
                "unit.\(units["X-DT"]!.id!.uuidString)": "on", "unit.\(units["X-PH"]!.id!.uuidString)": "on", "due": "2026-12-15",
                "content": "Học tập cách vận động hiến đất", "version": String(v),
            ])
            #expect(replicated.status == .seeOther)
            let replications = try await Replication.query(on: app.db).all()
            #expect(replications.count == 2 && replications.allSatisfy { $0.followUpType == "task" })
            let tasks = try await WorkTask.query(on: app.db).filter(\.$id ~~ replications.compactMap(\.followUpID)).all()
            #expect(Set(tasks.map(\.$leadUnit.id)) == Set([units["X-DT"]!.id!, units["X-PH"]!.id!]))
            #expect(try await DVKModel.find(model.id, on: app.db)?.status == .replicated)
            // One task done: the model page shows the replication done.
            tasks[0].status = .done
            tasks[0].progress = 100
            tasks[0].completedOn = clock.now()
            try await tasks[0].update(on: app.db)
            let shown = try await board.get(path)
            #expect(shown.body.contains("status-replication-done") && shown.body.contains("status-replication-open"))
            // The showcase lists it without login; the target page counts Xã Tân Lập.
            let visitor = WebClient(app)
            let showcase = try await visitor.get("/dan-van-kheo?q=hien%20dat")
            #expect(showcase.status == .ok && showcase.body.contains("id=\"card-\(model.id!)\""))
            let story = try await visitor.get("/dan-van-kheo/\(model.id!)")
            #expect(story.body.contains("15-QĐ/BTGDVTU") && !story.body.contains("0912 345 678") && !story.body.contains("Đã vận động 120 hộ"))
            let figures = try await TargetService.figures(year: 2026, units: try await OrgUnit.query(on: app.db).all(), on: app.db)
            #expect(figures.meetingUnits == [units["X-TL"]!.id!] && figures.dvk.meeting == 1)
            let targets = try await board.get("/emulation/targets?year=2026")
            #expect(targets.status == .ok && targets.body.contains("id=\"trend-chart\""))
            // The decision .docx and the register .xlsx open as their formats.
            let docx = try await board.get("/emulation/decision.docx?year=2026&level=province")
            #expect(docx.status == .ok && docx.bytes.starts(with: [0x50, 0x4B]))
            let text = try officeText(docx.bytes, extension: "docx")
            let compact = text.filter { !$0.isWhitespace }
            #expect(text.contains("QUYẾT ĐỊNH") && compact.contains("Điều1.Côngnhận1môhình") && compact.contains("15-QĐ/BTGDVTU") == false)
            let xlsx = try await board.get("/emulation/register.xlsx?year=2026")
            #expect(xlsx.status == .ok && xlsx.bytes.starts(with: [0x50, 0x4B]))
            let results = try await board.get("/emulation/appraisals.xlsx?year=2026")
            #expect(results.status == .ok && results.bytes.starts(with: [0x50, 0x4B]))
            // Reports can prefill the recognitions of a unit over a period.
            let source = try #require(app.reportSources["emulation.recognised"])
            #expect(try await source.compute(units["X-TL"]!.id!, VNFormat.parseDate("2026-01-01")!, VNFormat.parseDate("2026-12-31")!, app.db) == 1)
            let certificate = try await board.get(path + "/certificate")
            #expect(certificate.status == .ok && certificate.body.contains("id=\"certificate-name\""))
            // The API pages and scopes.
            let api = try await board.get("/api/v1/emulation/models?year=2026&limit=1")
            #expect(api.status == .ok && api.body.contains("\"total_count\":1"))
        }
    }

    @Test("scores that disagree beyond the set's spread are flagged: closing waits for the council's written discussion")
    func disagreement() async throws {
        try await withTestApp(clock: FixedClock(Self.start)) { app in
            let units = try await TestProvince.load(app)
            let board = WebClient(app)
            try await board.login("lanhdao")
            try await Self.settings(board, units: units, app: app, members: ["lanhdao", "chuyenvien"])
            var input = ModelInput()
            input.unitID = units["X-DT"]!.id
            input.year = 2026
            input.name = "Tổ hòa giải ở cơ sở"
            input.field = .defence
            input.problem = "Mâu thuẫn đất đai"
            input.solution = "Hòa giải tại thôn"
            input.contactName = "Trưởng thôn"
            let model = try await ModelService.register(input, actor: .system, at: Self.start, on: app.db).get()
            try await ModelService.propose(model, level: "province", results: "12 vụ hòa giải thành", actor: .system, at: Self.start, on: app.db)
            let set = try #require(try await CriteriaSet.query(on: app.db).filter(\.$purpose == .model).first())
            let council = try #require(try await Council.query(on: app.db).first())
            let appraisal = try await ModelService.openAppraisal(model, set: set, council: council, level: "province", actor: .system, at: Self.start, on: app.db)
            let criteria = try await AssessmentService.criteria(of: set.id!, on: app.db)
            for (username, values) in [("lanhdao", [10.0, 20, 15, 15, 25, 15]), ("chuyenvien", [5.0, 10, 8, 8, 12, 7])] {
                let user = try #require(try await User.query(on: app.db).filter(\.$username == username).first())
                let state = try await AssessmentService.state(appraisal, on: app.db)
                let typed = Dictionary(uniqueKeysWithValues: zip(criteria.map { $0.id! }, values.map { String($0) }))
                #expect(try await AssessmentService.score(state, user: user, typed: typed, comment: "", actor: .system, at: Self.start, on: app.db).isEmpty)
            }
            let path = "/emulation/appraisals/\(appraisal.id!)"
            let page = try await board.get(path)
            #expect(page.body.contains("id=\"flagged\""))
            let refused = try await board.post(path + "/close", form: ["discussion": "  "])
            #expect(refused.status == .unprocessableEntity && refused.body.contains("id=\"error-discussion\""))
            #expect(try await Appraisal.find(appraisal.id, on: app.db)?.flagged == true)
            #expect(try await board.post(path + "/close", form: ["discussion": "Hội đồng thống nhất: kết quả hòa giải có thật nhưng chưa bền vững."]).status == .seeOther)
            let closed = try #require(try await Appraisal.find(appraisal.id, on: app.db))
            // (100 + 50) / 2 = 75 → "Đạt"; median set would give the same with two scores.
            #expect(closed.status == .closed && closed.result == 75 && closed.classKey == "dat" && closed.discussion.contains("thống nhất"))
            // A result below the passing class cannot be recognised.
            closed.classKey = "khong_dat"
            try await closed.update(on: app.db)
            let modelPath = "/emulation/models/\(model.id!)"
            try await board.get(modelPath)
            let fresh = try #require(try await DVKModel.find(model.id, on: app.db))
            let below = try await board.post(modelPath + "/decide", form: ["decision": "recognise", "decision_number": "1", "decision_date": "2026-04-01", "version": String(fresh.version)])
            #expect(below.status == .unprocessableEntity && below.body.contains("id=\"error-decision\""))
            let rejected = try await board.post(modelPath + "/decide", form: ["decision": "reject", "reasons": "Chưa bền vững", "version": String(fresh.version)])
            #expect(rejected.status == .seeOther)
            #expect(try await DVKModel.find(model.id, on: app.db)?.status == .notRecognised)
        }
    }

    /// Model number `index` of 2026 registered for `unit` in a random field, given a random
    /// status (not yet saved).
    static func randomModel(_ index: Int, unit: OrgUnit, generator: inout SeededGenerator, on db: any Database) async throws -> DVKModel {
        var input = ModelInput()
        input.unitID = unit.id
        input.year = 2026
        input.name = "Mô hình thử số \(index)"
        input.field = EmulationField.allCases.randomElement(using: &generator)
        input.problem = "Vấn đề \(index)"
        input.solution = "Cách làm số \(index) rất hay"
        input.contactName = "Liên hệ"
        let model = try await ModelService.register(input, actor: .system, at: Self.start, on: db).get()
        model.status = DVKModel.Status.allCases.randomElement(using: &generator)!
        return model
    }

    @Test("the register's counts by status are a hand count of the year's models, kept to the reader's scope")
    func statusCounts() async throws {
        try await withTestApp(clock: FixedClock(Self.start)) { app in
            let units = try await TestProvince.load(app)
            var generator = SeededGenerator(seed: SeededGenerator.testSeed(142, environment: ProcessInfo.processInfo.environment))
            var models: [(unit: String, status: DVKModel.Status)] = []
            for index in 0..<30 {
                let code = ["X-TL", "P-HL", "P-DS"].randomElement(using: &generator)!
                let model = try await Self.randomModel(index, unit: units[code]!, generator: &generator, on: app.db)
                try await model.update(on: app.db)
                models.append((code, model.status))
            }
            for (username, codes) in [("admin", ["X-TL", "P-HL", "P-DS"]), ("daumoi.tanlap", ["X-TL"])] {
                let client = WebClient(app)
                try await client.login(username)
                let page = try await client.get("/emulation?year=2026")
                #expect(page.status == .ok)
                let counts = try #require(page.body.firstRange(of: "id=\"status-counts\"")).upperBound
                let line = String(page.body[counts...].prefix { $0 != "\n" })
                for status in DVKModel.Status.allCases {
                    let expected = models.filter { codes.contains($0.unit) && $0.status == status }.count
                    let shown = line.contains(">\(status.label): \(VNFormat.integer(expected))<")
                    #expect(expected == 0 ? !line.contains(">\(status.label): ") : shown, "\(username): \(status) \(expected)")
                }
            }
        }
    }

    @Test("the showcase never shows a model that is not recognised or was retired, nor its documents: random statuses, both lists and pages")
    func showcaseProperty() async throws {
        try await withTestApp(clock: FixedClock(Self.start)) { app in
            let units = try await TestProvince.load(app)
            var generator = SeededGenerator(seed: SeededGenerator.testSeed(141, environment: ProcessInfo.processInfo.environment))
            let communes = ["X-TL", "X-DT", "X-PH", "X-ML", "P-HL", "P-DS"]
            var models: [DVKModel] = []
            for index in 0..<40 {
                let model = try await Self.randomModel(index, unit: units[communes.randomElement(using: &generator)!]!, generator: &generator, on: app.db)
                if model.status.isPublic { model.recognisedYear = 2026; model.level = "commune" }
                try await model.update(on: app.db)
                try await ModelService.attach(("ho-so.pdf", try app.files.store(Data("%PDF-1.4 hồ sơ".utf8), filename: "ho-so.pdf")), owner: "model", id: model.id!, actor: .system, at: Self.start, on: app.db)
                models.append(model)
            }
            let visitor = WebClient(app)
            var shown = Set<UUID>()
            var offset = 0
            while true {
                let page = try await visitor.get("/dan-van-kheo?offset=\(offset)")
                #expect(page.status == .ok)
                let found = models.filter { page.body.contains("id=\"card-\($0.id!)\"") }
                shown.formUnion(found.compactMap(\.id))
                if found.isEmpty || !page.body.contains("offset=\(offset + 30)") { break }
                offset += 30
            }
            for model in models {
                #expect(shown.contains(model.id!) == model.status.isPublic, "\(model.name) \(model.status)")
                let story = try await visitor.get("/dan-van-kheo/\(model.id!)")
                #expect((story.status == .ok) == model.status.isPublic)
                let file = try #require(try await EmulationFile.query(on: app.db).filter(\.$ownerID == model.id!).first())
                #expect(try await visitor.get("/dan-van-kheo/\(model.id!)/anh/\(file.id!)").status == .notFound)
            }
        }
    }
}
