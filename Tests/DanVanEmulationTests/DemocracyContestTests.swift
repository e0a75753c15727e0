import DanVanCore
@testable import DanVanEmulation
import DanVanTestSupport
import DanVanText
import Fluent
import Foundation
import Testing
import Vapor

/// Grassroots democracy (self-assessment → appraisal by the level above → class), a juried
/// contest (entries → round → scores → prizes → published), and the two targets counted by hand.
@Suite("Emulation: grassroots democracy, contests, targets")
struct DemocracyContestTests {
    static let start = ModelFlowTests.start

    @Test("a commune self-assesses (a draft keeps its points, a bad point is refused with the form kept), submits, and the province appraises it: the class results and the target moves")
    func democracy() async throws {
        try await withTestApp(clock: FixedClock(Self.start)) { app in
            let units = try await TestProvince.load(app)
            let board = WebClient(app)
            try await board.login("lanhdao")
            try await ModelFlowTests.settings(board, units: units, app: app, members: ["lanhdao", "chuyenvien"], purpose: "democracy", name: "Đoàn thẩm định dân chủ ở cơ sở")
            let set = try #require(try await CriteriaSet.query(on: app.db).filter(\.$purpose == .democracy).first())
            let criteria = try await AssessmentService.criteria(of: set.id!, on: app.db)
            #expect(criteria.count == 8 && AssessmentEngine.maximum(criteria.map { .init(id: $0.id!, maxPoints: $0.maxPoints, weight: $0.weight) }) == 100)
            let commune = WebClient(app)
            try await commune.login("daumoi.tanlap")
            let unitID = units["X-TL"]!.id!
            let path = "/emulation/democracy/\(unitID)"
            let page = try await commune.get(path)
            #expect(page.status == .ok && page.body.contains("id=\"democracy-form\""))
            // A draft with two points, then a point over its maximum refused with the notes kept.
            var form: [String: String] = ["points.\(criteria[0].id!)": "14", "points.\(criteria[1].id!)": "9", "notes": "Niêm yết công khai tại nhà văn hóa 5 thôn.", "submit": "0"]
            #expect(try await commune.post(path + "/save", form: form).status == .seeOther)
            let draft = try #require(try await DemocracyAssessment.query(on: app.db).first())
            #expect(draft.status == .draft && draft.total == 23)
            form["points.\(criteria[2].id!)"] = "16"
            form["submit"] = "1"
            try await commune.get(path)
            let refused = try await commune.post(path + "/save", form: form)
            #expect(refused.status == .unprocessableEntity && refused.body.contains("id=\"error-points-\(criteria[2].id!)\"") && refused.body.contains("Niêm yết công khai tại nhà văn hóa 5 thôn."))
            for (index, value) in [14, 9, 14, 9, 14, 9, 14, 9].enumerated() { form["points.\(criteria[index].id!)"] = String(value) }
            let sent = try await commune.postMultipart(path + "/save", fields: form, file: (name: "files[]", filename: "bien-ban-hoi-nghi.txt", content: "Biên bản hội nghị cộng đồng dân cư"))
            #expect(sent.status == .seeOther)
            let submitted = try #require(try await DemocracyAssessment.query(on: app.db).first())
            #expect(submitted.status == .submitted && submitted.total == 92)
            #expect(try await EmulationFile.query(on: app.db).filter(\.$ownerType == "democracy").count() == 1)
            // Once sent it can no longer be changed by the commune.
            try await commune.get(path)
            #expect(try await commune.post(path + "/save", form: form).status == .unprocessableEntity)
            // The province opens the appraisal; the commune cannot.
            let council = try #require(try await Council.query(on: app.db).first())
            #expect(try await commune.post(path + "/appraise", form: ["council": council.id!.uuidString, "year": "2026"]).status == .forbidden)
            let opened = try await board.post(path + "/appraise", form: ["council": council.id!.uuidString, "year": "2026"])
            #expect(opened.status == .seeOther)
            let appraisal = try #require(try await Appraisal.query(on: app.db).filter(\.$subjectType == .democracy).first())
            let appraisalPath = "/emulation/appraisals/\(appraisal.id!)"
            // The appraisers see the commune's own points beside each criterion.
            let sheet = try await board.get(appraisalPath)
            #expect(sheet.body.contains("id=\"score-form\""))
            for (username, values) in [("lanhdao", [13, 8, 14, 9, 13, 8, 14, 8]), ("chuyenvien", [14, 9, 13, 8, 14, 9, 13, 9])] {
                let client = username == "lanhdao" ? board : WebClient(app)
                if username != "lanhdao" { try await client.login(username) }
                try await client.get(appraisalPath)
                var points: [String: String] = [:]
                for (index, value) in values.enumerated() { points["points.\(criteria[index].id!)"] = String(value) }
                #expect(try await client.post(appraisalPath + "/score", form: points).status == .seeOther)
            }
            #expect(try await board.post(appraisalPath + "/close", form: [:]).status == .seeOther)
            let appraised = try #require(try await DemocracyAssessment.query(on: app.db).first())
            // (87 + 89) / 2 = 88 → "Tốt".
            #expect(appraised.status == .appraised && appraised.result == 88 && appraised.classKey == "tot")
            let figures = try await TargetService.figures(year: 2026, units: try await OrgUnit.query(on: app.db).all(), on: app.db)
            #expect(figures.democracy.meeting == 1 && figures.democracy.units == 6)
            #expect(!figures.noSelfAssessment.contains { $0.id == unitID } && figures.noSelfAssessment.count == 5)
            let list = try await board.get("/emulation/democracy?year=2026")
            #expect(list.body.contains("id=\"democracy-\(unitID)\"") && list.body.contains("status-democracy-appraised"))
        }
    }

    @Test("a juried contest: entries, a first round for all, a second for the best two, prizes in order, results public only once published")
    func contest() async throws {
        try await withTestApp(clock: FixedClock(Self.start)) { app in
            let units = try await TestProvince.load(app)
            let board = WebClient(app)
            try await board.login("lanhdao")
            try await ModelFlowTests.settings(board, units: units, app: app, members: ["lanhdao", "chuyenvien"], purpose: "contest", name: "Ban giám khảo cuộc thi viết")
            let council = try #require(try await Council.query(on: app.db).first())
            let set = try #require(try await CriteriaSet.query(on: app.db).filter(\.$purpose == .contest).first())
            try await board.get("/emulation/contests")
            let created = try await board.post("/emulation/contests/create", form: [
                "title": "Cuộc thi viết về gương điển hình Dân vận khéo 2026", "kind": "press", "set": set.id!.uuidString, "council": council.id!.uuidString,
                "prizes": "Giải Nhất: 1\nGiải Nhì: 1",
            ])
            #expect(created.status == .seeOther)
            let contest = try #require(try await JuriedContest.query(on: app.db).first())
            let path = "/emulation/contests/\(contest.id!)"
            let writer = WebClient(app)
            try await writer.login("daumoi.tanlap")
            try await writer.get(path)
            let noAuthor = try await writer.post(path + "/entries", form: ["title": "Người hiến đất mở đường", "author": "", "unit": units["X-TL"]!.id!.uuidString])
            #expect(noAuthor.status == .unprocessableEntity && noAuthor.body.contains("Người hiến đất mở đường"))
            for (title, unit) in [("Người hiến đất mở đường", "X-TL"), ("Bí thư chi bộ gần dân", "X-TL"), ("Nữ trưởng bản Mường Lạn", "X-TL")] {
                try await writer.get(path)
                #expect(try await writer.post(path + "/entries", form: ["title": title, "author": "Nguyễn Thị Thu", "unit": units[unit]!.id!.uuidString]).status == .seeOther)
            }
            // Not public before publication.
            let visitor = WebClient(app)
            #expect(try await visitor.get("/dan-van-kheo/cuoc-thi/\(contest.id!)").status == .notFound)
            // Round 1 for every entry.
            #expect(try await board.post(path + "/round", form: [:]).status == .seeOther)
            let criteria = try await AssessmentService.criteria(of: set.id!, on: app.db)
            let entries = try await ContestEntry.query(on: app.db).all()
            let specialist = WebClient(app)
            try await specialist.login("chuyenvien")
            func score(round: Int, _ totals: [String: Double]) async throws {
                for appraisal in try await ContestService.appraisals(contest, round: round, on: app.db) {
                    let entry = entries.first { $0.id == appraisal.subjectID }!
                    let total = totals[entry.title]!
                    for client in [board, specialist] {
                        try await client.get("/emulation/appraisals/\(appraisal.id!)")
                        // Spread the total over the criteria in proportion to their maxima (40/30/20/10).
                        let points = Dictionary(uniqueKeysWithValues: criteria.map { ("points.\($0.id!)", VNFormat.decimal(total * $0.maxPoints / 100, places: 1)) })
                        #expect(try await client.post("/emulation/appraisals/\(appraisal.id!)/score", form: points).status == .seeOther)
                    }
                    #expect(try await board.post("/emulation/appraisals/\(appraisal.id!)/close", form: [:]).status == .seeOther)
                }
            }
            try await score(round: 1, ["Người hiến đất mở đường": 80, "Bí thư chi bộ gần dân": 70, "Nữ trưởng bản Mường Lạn": 90])
            // Round 2 for the best two only.
            #expect(try await board.post(path + "/round", form: ["top": "2"]).status == .seeOther)
            let second = try await ContestService.appraisals(contest, round: 2, on: app.db)
            #expect(Set(second.map(\.subjectID)) == Set(entries.filter { $0.title != "Bí thư chi bộ gần dân" }.compactMap(\.id)))
            // Publishing waits for the round to close.
            #expect(try await board.post(path + "/publish", form: [:]).status == .unprocessableEntity)
            try await score(round: 2, ["Người hiến đất mở đường": 92, "Nữ trưởng bản Mường Lạn": 85])
            #expect(try await board.post(path + "/publish", form: [:]).status == .seeOther)
            let ranked = try await ContestEntry.query(on: app.db).sort(\.$rank).all()
            #expect(ranked.map(\.title) == ["Người hiến đất mở đường", "Nữ trưởng bản Mường Lạn", "Bí thư chi bộ gần dân"])
            #expect(ranked.map(\.prize) == ["Giải Nhất", "Giải Nhì", nil])
            let results = try await visitor.get("/dan-van-kheo/cuoc-thi/\(contest.id!)")
            #expect(results.status == .ok && results.body.contains("Giải Nhất") && !results.body.contains("Bí thư chi bộ gần dân"))
        }
    }

    @Test("both targets by hand count on a random province: each unit meets the rule exactly when a direct count says so; the shares and the missing lists agree; the rule and target are data")
    func targetsByHand() async throws {
        try await withTestApp(clock: FixedClock(Self.start)) { app in
            _ = try await TestProvince.load(app)
            _ = try await EmulationDefaults.ensure(year: 2026, actor: .system, at: Self.start, on: app.db)
            _ = try await EmulationDefaults.ensure(year: 2025, actor: .system, at: Self.start, on: app.db)
            var generator = SeededGenerator(seed: SeededGenerator.testSeed(1414, environment: ProcessInfo.processInfo.environment))
            let all = try await OrgUnit.query(on: app.db).all()
            let agencies = TargetService.agencies(all)
            let communes = TargetService.communes(all)
            var expected: [Int: [UUID: [String: Int]]] = [:]
            for year in [2025, 2026] {
                for unit in agencies where Bool.random(using: &generator) {
                    var input = ModelInput()
                    input.unitID = unit.id
                    input.year = year
                    input.name = "Mô hình \(unit.code) \(year)"
                    input.field = EmulationField.allCases.randomElement(using: &generator)
                    input.problem = "p"; input.solution = "s"; input.contactName = "c"
                    let settings = try await ModelService.year(year, on: app.db)
                    settings.opensOn = VNFormat.parseDate("2000-01-01")!
                    settings.closesOn = VNFormat.parseDate("2100-01-01")!
                    settings.updatedAt = Self.start
                    try await settings.save(on: app.db)
                    let model = try await ModelService.register(input, actor: .system, at: Self.start, on: app.db).get()
                    for level in ["commune", "province"] where Int.random(in: 0..<3, using: &generator) == 0 {
                        let recognition = Recognition()
                        recognition.$model.id = model.id!
                        recognition.unitID = unit.id!
                        recognition.level = level
                        recognition.year = year
                        recognition.field = model.field
                        recognition.decisionNumber = "1"
                        recognition.decisionDate = Self.start
                        try await recognition.create(on: app.db)
                        expected[year, default: [:]][unit.id!, default: [:]][level, default: 0] += 1
                    }
                }
            }
            let democracySet = try #require(try await DemocracyService.set(.democracy, year: 2026, on: app.db))
            var passing = 0
            for commune in communes {
                let row = DemocracyAssessment()
                row.$unit.id = commune.id!
                row.year = 2026
                row.$set.id = democracySet.id!
                row.pointsJSON = "{}"
                row.total = 0
                row.notes = ""
                row.status = Bool.random(using: &generator) ? .appraised : .submitted
                row.classKey = row.status == .appraised ? ["tot", "kha", "yeu"].randomElement(using: &generator) : nil
                row.version = 1
                row.updatedAt = Self.start
                try await row.create(on: app.db)
                if row.status == .appraised, row.classKey == "tot" { passing += 1 }
            }
            // The default rule: one recognition at commune level or above.
            let settings = try await ModelService.year(2026, on: app.db)
            let figures = try await TargetService.figures(year: 2026, units: all, on: app.db)
            let byHand = Set((expected[2026] ?? [:]).filter { $0.value.values.reduce(0, +) >= 1 }.keys)
            #expect(figures.meetingUnits == byHand)
            #expect(figures.dvk.units == agencies.count && figures.dvk.meeting == byHand.count)
            #expect(figures.democracy.units == communes.count && figures.democracy.meeting == passing)
            #expect(figures.dvk.met == (Double(byHand.count) / Double(agencies.count) >= 0.8))
            #expect(figures.trend.last?.year == 2026 && figures.trend.first { $0.year == 2025 }?.dvk == Double(Set((expected[2025] ?? [:]).keys).count) / Double(agencies.count))
            // A stricter rule: only provincial recognitions count.
            settings.meetsLevel = "province"
            try await settings.save(on: app.db)
            let strict = try await TargetService.figures(year: 2026, units: all, on: app.db)
            #expect(strict.meetingUnits == Set((expected[2026] ?? [:]).filter { ($0.value["province"] ?? 0) >= 1 }.keys))
            // A subtree: only its units count.
            let commune = communes[0]
            let subtree = all.filter { $0.path.hasPrefix(commune.path) }
            let local = try await TargetService.figures(year: 2026, units: subtree, pathPrefix: commune.path, on: app.db)
            #expect(local.meetingUnits == strict.meetingUnits.filter { id in subtree.contains { $0.id == id } })
            #expect(local.dvk.units == TargetService.agencies(subtree).count && local.democracy.units == 1)
        }
    }
}

@Suite("Emulation: a new year from the last")
struct EmulationYearTests {
    @Test("copying last year's settings makes the sets (criteria and weights), councils (members, chair) and rule the new year lacks, once; the window moves a year on")
    func copy() async throws {
        try await withTestApp(clock: FixedClock(ModelFlowTests.start)) { app in
            let units = try await TestProvince.load(app)
            let board = WebClient(app)
            try await board.login("lanhdao")
            try await ModelFlowTests.settings(board, units: units, app: app, members: ["lanhdao", "chuyenvien"])
            let rule = try await ModelService.year(2026, on: app.db)
            rule.meetsModels = 2
            rule.updatedAt = ModelFlowTests.start
            try await rule.save(on: app.db)
            let weighted = try #require(try await Criterion.query(on: app.db).first())
            weighted.weight = 2
            try await weighted.update(on: app.db)
            try await board.get("/emulation/settings?year=2027")
            #expect(try await board.post("/emulation/settings/copy", form: ["year": "2027"]).status == .seeOther)
            #expect(try await CriteriaSet.query(on: app.db).filter(\.$year == 2027).count() == 3)
            #expect(try await Criterion.query(on: app.db).join(CriteriaSet.self, on: \Criterion.$set.$id == \CriteriaSet.$id).filter(CriteriaSet.self, \.$year == 2027).filter(\.$weight == 2).count() == 1)
            let council = try #require(try await Council.query(on: app.db).filter(\.$year == 2027).first())
            #expect(try await CouncilMember.query(on: app.db).filter(\.$council.$id == council.id!).count() == 2 && council.chairID != nil)
            let next = try #require(try await EmulationYear.query(on: app.db).filter(\.$year == 2027).first())
            #expect(next.meetsModels == 2 && VNFormat.isoDate(next.closesOn) == "2027-06-30")
            // Again: nothing more.
            try await board.get("/emulation/settings?year=2027")
            #expect(try await board.post("/emulation/settings/copy", form: ["year": "2027"]).status == .seeOther)
            #expect(try await CriteriaSet.query(on: app.db).filter(\.$year == 2027).count() == 3)
            #expect(try await Council.query(on: app.db).filter(\.$year == 2027).count() == 1)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "copy").count() == 2)
        }
    }
}

@Suite("Emulation: the settings forms and the board's other steps through the pages")
struct EmulationPagesTests {
    @Test("the year's form refuses a bad target with the typed values kept and saves a good one; a criteria set typed line by line is refused on a bad line and made with its weights; the chair recuses a member; the adopting unit reports its replication; the board retires the model")
    func settingsAndSteps() async throws {
        try await withTestApp(clock: FixedClock(ModelFlowTests.start)) { app in
            let units = try await TestProvince.load(app)
            let board = WebClient(app)
            try await board.login("lanhdao")
            try await ModelFlowTests.settings(board, units: units, app: app, members: ["lanhdao", "chuyenvien", "daumoi.mttq"])
            // The year's window, targets and rule.
            try await board.get("/emulation/settings?year=2026")
            var year = ["year": "2026", "opens_on": "2026-01-01", "closes_on": "2026-09-30", "dvk_target": "150", "democracy_target": "80", "meets_models": "2", "meets_level": "province"]
            let badYear = try await board.post("/emulation/settings/year", form: year)
            #expect(badYear.status == .unprocessableEntity && badYear.body.contains("id=\"error-dvk-target\"") && badYear.body.contains("value=\"2026-09-30\""))
            year["dvk_target"] = "85"
            #expect(try await board.post("/emulation/settings/year", form: year).status == .seeOther)
            let saved = try await ModelService.year(2026, on: app.db)
            #expect(saved.dvkTarget == 0.85 && saved.meetsModels == 2 && saved.meetsLevel == "province" && VNFormat.isoDate(saved.closesOn) == "2026-09-30")
            // A criteria set typed in the form.
            try await board.get("/emulation/settings?year=2026")
            var set = ["year": "2026", "title": "Tiêu chí dân vận chính quyền", "purpose": "model", "method": "median", "spread": "10",
                       "criteria": "Công khai | Niêm yết thủ tục | 20\nTiếp dân | Tiếp dân định kỳ | mười", "classes": "dat | Đạt | 60\nkhong | Không đạt | 0", "pass_class": "dat"]
            let badSet = try await board.post("/emulation/settings/sets", form: set)
            #expect(badSet.status == .unprocessableEntity && badSet.body.contains("id=\"error-criteria\"") && badSet.body.contains("Niêm yết thủ tục"))
            set["criteria"] = "Công khai | Niêm yết thủ tục | 20\nTiếp dân | Tiếp dân định kỳ | 10 | 3 | Sổ tiếp dân"
            #expect(try await board.post("/emulation/settings/sets", form: set).status == .seeOther)
            let made = try #require(try await CriteriaSet.query(on: app.db).filter(\.$title == "Tiêu chí dân vận chính quyền").first())
            let criteria = try await AssessmentService.criteria(of: made.id!, on: app.db)
            #expect(made.method == .median && made.passingKeys == ["dat"] && criteria.map(\.weight) == [1, 3] && criteria[1].guidance == "Sổ tiếp dân")
            // A recognised model; an appraisal where the chair recuses a member who has not scored.
            var input = ModelInput()
            input.unitID = units["X-TL"]!.id
            input.year = 2026
            input.name = "Tổ hòa giải thôn Bãi Giữa"
            input.field = .defence
            input.problem = "Mâu thuẫn"
            input.solution = "Hòa giải"
            input.contactName = "Trưởng thôn"
            let model = try await ModelService.register(input, actor: .system, at: ModelFlowTests.start, on: app.db).get()
            try await ModelService.propose(model, level: "province", results: "r", actor: .system, at: ModelFlowTests.start, on: app.db)
            let council = try #require(try await Council.query(on: app.db).first())
            let modelSet = try #require(try await CriteriaSet.query(on: app.db).filter(\.$purpose == .model).sort(\.$createdAt).first())
            let appraisal = try await ModelService.openAppraisal(model, set: modelSet, council: council, level: "province", actor: .system, at: ModelFlowTests.start, on: app.db)
            let path = "/emulation/appraisals/\(appraisal.id!)"
            let front = try #require(try await User.query(on: app.db).filter(\.$username == "daumoi.mttq").first())
            let sheet = try await board.get(path)
            #expect(sheet.body.contains("0/3"))
            #expect(try await board.post(path + "/recuse", form: ["user": front.id!.uuidString]).status == .seeOther)
            #expect(try await board.get(path).body.contains("0/2"))
            let recused = WebClient(app)
            try await recused.login("daumoi.mttq")
            let refused = try await recused.get(path)
            #expect(refused.body.contains("id=\"score-refusal\"") && !refused.body.contains("id=\"score-form\""))
            // Recognised and replicated (services); the adopting commune reports, the board retires it.
            let closedState = try await AssessmentService.state(appraisal, on: app.db)
            for username in ["lanhdao", "chuyenvien"] {
                let user = try #require(try await User.query(on: app.db).filter(\.$username == username).first())
                let typed = Dictionary(uniqueKeysWithValues: closedState.criteria.map { ($0.id!, VNFormat.decimal($0.maxPoints, places: 0)) })
                _ = try await AssessmentService.score(try await AssessmentService.state(appraisal, on: app.db), user: user, typed: typed, comment: "", actor: .system, at: ModelFlowTests.start, on: app.db)
            }
            #expect(try await board.post(path + "/close", form: [:]).status == .seeOther)
            let modelPath = "/emulation/models/\(model.id!)"
            try await board.get(modelPath)
            var fresh = try #require(try await DVKModel.find(model.id, on: app.db))
            #expect(try await board.post(modelPath + "/decide", form: ["decision": "recognise", "decision_number": "9-QĐ", "decision_date": "2026-03-10", "version": String(fresh.version)]).status == .seeOther)
            fresh = try #require(try await DVKModel.find(model.id, on: app.db))
            #expect(try await board.post(modelPath + "/replicate", form: ["unit.\(units["X-DT"]!.id!.uuidString)": "on", "due": "2026-09-30", "version": String(fresh.version)]).status == .seeOther)
            let replication = try #require(try await Replication.query(on: app.db).first())
            let adopter = WebClient(app)
            try await adopter.login("daumoi")
            #expect(try await adopter.post("/emulation/replications/\(replication.id!)", form: ["results": "x"]).status == .notFound)
            _ = try await User.mock(role: .focal, username: "daumoi.dongtam", unit: units["X-DT"]!).saved(on: app)
            try await adopter.login("daumoi.dongtam")
            try await adopter.get(modelPath)
            #expect(try await adopter.post("/emulation/replications/\(replication.id!)", form: ["results": "Đã hòa giải thành 4 vụ", "done": "on"]).status == .seeOther)
            let reported = try #require(try await Replication.find(replication.id, on: app.db))
            #expect(reported.results == "Đã hòa giải thành 4 vụ" && reported.doneOn != nil)
            fresh = try #require(try await DVKModel.find(model.id, on: app.db))
            let noReason = try await board.post(modelPath + "/retire", form: ["reasons": " ", "version": String(fresh.version)])
            #expect(noReason.status == .unprocessableEntity && noReason.body.contains("id=\"error-retire\""))
            #expect(try await board.post(modelPath + "/retire", form: ["reasons": "Thôn đã sáp nhập", "version": String(fresh.version)]).status == .seeOther)
            #expect(try await DVKModel.find(model.id, on: app.db)?.status == .retired)
            // Retired: off the public showcase.
            #expect(try await WebClient(app).get("/dan-van-kheo/\(model.id!)").status == .notFound)
        }
    }
}
