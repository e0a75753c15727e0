@testable import DanVanReports
import DanVanCore
import DanVanTestSupport
import Fluent
import Foundation
import Testing
import Vapor

/// The cycle over HTTP on the real app and database: a regime, its periods and requests,
/// submissions with return and resubmission, timeliness, the live consolidation and its files.
@Suite("Report cycle")
struct ReportFlowTests {
    /// 10/11/2026 09:00 in the province (the November window 15/10–14/11 is open).
    static let start = VNFormat.parseDateTime("2026-11-10T09:00")!

    /// The province, the template and a monthly regime of every commune, created through the form.
    static func setUp(_ app: Application, clock: FixedClock) async throws -> (units: [String: OrgUnit], regime: ReportRegime, specialist: WebClient) {
        let units = try await TestProvince.load(app)
        try await ReportTemplate.saveMock(on: app.db)
        let specialist = WebClient(app)
        try await specialist.login("chuyenvien")
        let created = try await specialist.post("/reports/regimes", pairs: [
            ("name", "Báo cáo tình hình nhân dân hằng tháng"), ("content", "Tình hình nhân dân, vấn đề bức xúc, kết quả"),
            ("frequency", "month"), ("window", "cutoff"), ("receiving", units["TU-BTGDV"]!.id!.uuidString),
            ("audience", "kindUnder"), ("unit_kind", "commune"), ("unit_level", "commune"), ("root", units["TB"]!.id!.uuidString),
            ("deadline.commune", "3"), ("deadline.province", "6"), ("template", "thang"), ("method", "Trên hệ thống"), ("open_ahead", "2"),
        ])
        #expect(created.status == .seeOther)
        let regime = try #require(try await ReportRegime.query(on: app.db).first())
        return (units, regime, specialist)
    }

    static func request(_ app: Application, unit: String, key: String) async throws -> ReportRequest {
        try #require(try await ReportRequest.query(on: app.db).join(OrgUnit.self, on: \ReportRequest.$unit.$id == \OrgUnit.$id).filter(OrgUnit.self, \.$code == unit)
            .join(ReportPeriod.self, on: \ReportRequest.$period.$id == \ReportPeriod.$id).filter(ReportPeriod.self, \.$key == key).first())
    }

    static let filled: [(String, String)] = [
        ("text.situation", "Nhân dân phấn khởi; một số hộ phản ánh việc đền bù đường liên xã."),
        ("value.dialogues", "2"), ("value.received", "12"), ("value.resolved", "10"), ("value.resolved_rate", "83,3"), ("value.hotspot", "0"), ("value.tasks_done", "0"),
    ]

    @Test("periods open ahead with a request and an inbox entry per commune, each due by the commune's deadline")
    func opening() async throws {
        let clock = FixedClock(Self.start)
        try await withTestApp(clock: clock) { app in
            let (_, regime, specialist) = try await Self.setUp(app, clock: clock)
            let periods = try await ReportPeriod.query(on: app.db).sort(\.$key).all()
            #expect(periods.map(\.key) == ["2026-11", "2026-12"])
            let november = try await Self.request(app, unit: "P-HL", key: "2026-11")
            #expect(november.dueOn == VNFormat.parseDate("2026-11-17"))
            #expect(try await ReportRequest.query(on: app.db).count() == 12)
            #expect(try await InboxItem.query(on: app.db).filter(\.$kind == "report.request").count() >= 2)
            // Idempotent: opening again adds nothing; a month later one more period opens.
            #expect(try await ReportService.openPeriods(regime, now: clock.now(), actor: .system, on: app.db).isEmpty)
            clock.advance(by: 40 * 86_400)
            #expect(try await ReportJobs.run(on: app.db, now: clock.now(), reminderDays: 3).periodsOpened == 2)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$entityType == "report_period").count() == 4)
            // An ad hoc request on the same regime stands outside its series.
            try await specialist.login("chuyenvien")
            let bad = try await specialist.post("/reports/regimes/\(regime.id!)/ad-hoc", form: ["start": "2026-12-10", "cutoff": "2026-12-01"])
            #expect(bad.status == .unprocessableEntity)
            let adHoc = try await specialist.post("/reports/regimes/\(regime.id!)/ad-hoc", form: ["start": "2026-12-01", "cutoff": "2026-12-10", "questions": "Tình hình mưa lũ\nSố hộ phải di dời"])
            #expect(adHoc.status == .seeOther)
            let extra = try #require(try await ReportPeriod.query(on: app.db).filter(\.$key =~ "adhoc-").first())
            #expect(extra.isAdHoc && extra.key == "adhoc-2026-1" && extra.label == "Từ 01/12/2026 đến 10/12/2026" && extra.questions.contains("di dời"))
            #expect(try await ReportRequest.query(on: app.db).filter(\.$period.$id == extra.id!).count() == 6)
        }
    }

    @Test("submit, return with a comment, resubmit, accept; bad input keeps what was typed; stale versions refused; scope holds")
    func cycle() async throws {
        let clock = FixedClock(Self.start)
        try await withTestApp(clock: clock) { app in
            let (_, _, specialist) = try await Self.setUp(app, clock: clock)
            let request = try await Self.request(app, unit: "P-HL", key: "2026-11")
            let id = request.id!.uuidString
            let focal = WebClient(app)
            try await focal.login("daumoi")
            let sibling = WebClient(app)
            try await sibling.login("daumoi.tanlap")
            #expect(try await sibling.get("/reports/requests/\(id)").status == .notFound)
            #expect(try await sibling.post("/reports/requests/\(id)/save", pairs: Self.filled + [("version", "1"), ("action", "submit")]).status == .notFound)
            // The home page says what is owed.
            #expect(try await focal.get("/").body.contains("1 báo cáo cần gửi, hạn gần nhất 17/11/2026"))
            let form = try await focal.get("/reports/requests/\(id)")
            #expect(form.status == .ok && form.body.contains("id=\"report-form\""))
            // The value Tasks knows is prefilled and marked; changing it needs a reason.
            #expect(form.body.contains("id=\"prefilled-tasks_done\""))
            let unexplained = try await focal.post("/reports/requests/\(id)/save", pairs: Self.filled.filter { $0.0 != "value.tasks_done" } + [("value.tasks_done", "5"), ("prefilled.tasks_done", "0"), ("version", "1"), ("action", "draft")])
            #expect(unexplained.status == .unprocessableEntity && unexplained.body.contains("id=\"error-tasks_done\""))
            // Bad input: text in a number field, a percentage over 100, a rule broken — nothing saved, all kept.
            let bad = try await focal.post("/reports/requests/\(id)/save", pairs: [
                ("version", "1"), ("action", "submit"), ("text.situation", "Tình hình ổn định"),
                ("value.dialogues", "hai"), ("value.received", "3"), ("value.resolved", "5"), ("value.resolved_rate", "120"),
            ])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.contains("id=\"error-dialogues\"") && bad.body.contains("id=\"error-resolved\"") && bad.body.contains("id=\"error-resolved_rate\""))
            #expect(bad.body.contains("value=\"hai\"") && bad.body.contains("Tình hình ổn định"))
            #expect(try await ReportRequest.find(request.id, on: app.db)?.version == 1)
            // A required section left empty blocks the submission, not the draft.
            let draft = try await focal.post("/reports/requests/\(id)/save", pairs: [("version", "1"), ("action", "draft"), ("value.dialogues", "2")])
            #expect(draft.status == .seeOther)
            #expect(try await ReportRequest.find(request.id, on: app.db)?.status == .draft)
            let stale = try await focal.post("/reports/requests/\(id)/save", pairs: Self.filled + [("version", "1"), ("action", "submit")])
            #expect(stale.status == .conflict && stale.body.contains("Nhân dân phấn khởi"))
            let uploaded = try await focal.postMultipart("/reports/requests/\(id)/files", fields: [:], file: (name: "files[]", filename: "bien-ban-doi-thoai.txt", content: "Biên bản đối thoại ngày 05/11/2026"))
            #expect(uploaded.status == .seeOther)
            let withFile = try await focal.get("/reports/requests/\(id)")
            #expect(withFile.body.contains("bien-ban-doi-thoai.txt"))
            let file = try #require(try await ReportAttachment.query(on: app.db).first())
            let download = try await specialist.get("/reports/requests/\(id)/files/\(file.id!)")
            #expect(download.status == .ok && download.body.contains("Biên bản đối thoại"))
            #expect(try await sibling.get("/reports/requests/\(id)/files/\(file.id!)").status == .notFound)
            let pressing = [("text.pressing", "Khoảng 40 hộ dân tập trung phản đối giá đền bù dự án đường ven biển.")]
            let sent = try await focal.post("/reports/requests/\(id)/save", pairs: Self.filled + pressing + [("version", "2"), ("action", "submit")])
            #expect(sent.status == .seeOther)
            // The receiving side's home page says a report waits; the sender's no longer says it is owed.
            #expect(try await specialist.get("/").body.contains("1 báo cáo đơn vị đã gửi, chờ tiếp nhận"))
            let focalHome = try await focal.get("/").body
            #expect(!focalHome.contains("báo cáo đơn vị đã gửi") && !focalHome.contains("1 báo cáo cần gửi"))
            #expect(try await InboxItem.query(on: app.db).filter(\.$kind == "report.pressing").count() >= 1)
            // The board opens a hot spot from the pressing issue (the citizens module's action), prefilled and linked back.
            let submitted = try await specialist.get("/reports/requests/\(id)")
            let marker = "id=\"pressing-action-pressing\""
            let anchor = try #require(submitted.body.range(of: marker).map { submitted.body[..<$0.lowerBound] })
            let href = try #require(anchor.range(of: "href=\"", options: .backwards).map { String(anchor[$0.upperBound...].prefix { $0 != "\"" }) })
                .replacingOccurrences(of: "&amp;", with: "&")
            #expect(href.hasPrefix("/hotspots/new?"))
            let prefilled = try await specialist.get(href)
            #expect(prefilled.status == .ok && prefilled.body.contains("id=\"from-report\"") && prefilled.body.contains("phản đối giá đền bù"))
            let communeID = request.$unit.id
            let created = try await specialist.post("/hotspots/create", form: [
                "title": "Phản đối giá đền bù đường ven biển", "commune": communeID.uuidString, "field": "compensation", "severity": "3", "people": "40",
                "description": "Khoảng 40 hộ dân tập trung phản đối giá đền bù dự án đường ven biển.", "source_type": "report", "source_id": id,
            ])
            #expect(created.status == .seeOther)
            let spot = try await specialist.get(try #require(created.location))
            #expect(spot.body.contains("id=\"hotspot-source\"") && spot.body.contains("/reports/requests/\(id)"))
            #expect(try await focal.get("/reports/requests/\(id)").body.contains(marker) == false, "a focal point is not offered the board's action")
            #expect(try await focal.post("/reports/requests/\(id)/review", form: ["decision": "accept", "version": "3"]).status == .forbidden)
            #expect(try await specialist.get("/").body.contains("1 báo cáo đơn vị đã gửi, chờ tiếp nhận"))
            // The specialist returns it: a comment is required.
            #expect(try await specialist.post("/reports/requests/\(id)/review", form: ["decision": "return", "comment": "", "version": "3"]).status == .unprocessableEntity)
            #expect(try await specialist.post("/reports/requests/\(id)/review", form: ["decision": "return", "comment": "Bổ sung số đơn đã giải quyết", "version": "3"]).status == .seeOther)
            let returned = try await focal.get("/reports/requests/\(id)")
            #expect(returned.body.contains("id=\"review-comment-shown\"") && returned.body.contains("Bổ sung số đơn đã giải quyết"))
            // Resubmitted with a change, accepted; the reviewer sees what changed.
            var changed = Self.filled.filter { $0.0 != "value.resolved" }
            changed.append(("value.resolved", "11"))
            #expect(try await focal.post("/reports/requests/\(id)/save", pairs: changed + [("version", "4"), ("action", "submit")]).status == .seeOther)
            let review = try await specialist.get("/reports/requests/\(id)")
            #expect(review.body.contains("id=\"review-form\"") && review.body.contains("<strong>10</strong>"))
            #expect(try await specialist.post("/reports/requests/\(id)/review", form: ["decision": "accept", "version": "5"]).status == .seeOther)
            #expect(try await focal.post("/reports/requests/\(id)/save", pairs: Self.filled + [("version", "6"), ("action", "submit")]).status == .conflict)
            #expect(try await focal.postMultipart("/reports/requests/\(id)/files", fields: [:], file: (name: "files[]", filename: "muon.txt", content: "x")).status == .conflict)
            let stored = try #require(try await ReportRequest.find(request.id, on: app.db))
            #expect(stored.status == .accepted && stored.values["resolved"] == 11)
            #expect(Timeliness.of(stored, now: clock.now()) == .onTime)
            let history = try await ReportRevision.query(on: app.db).filter(\.$request.$id == request.id!).sort(\.$number).all().map(\.action)
            #expect(history == [.submitted, .returned, .submitted, .accepted])
            #expect(try await AuditEntry.query(on: app.db).filter(\.$entityType == "report_request").count() == 5)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$entityType == "report_attachment").count() == 1)
        }
    }

    @Test("timeliness by hand: one on time, one late by two days, one missing; consolidation is live with last-year columns; Word and Excel open")
    func consolidation() async throws {
        let clock = FixedClock(Self.start)
        try await withTestApp(clock: clock) { app in
            let (units, regime, specialist) = try await Self.setUp(app, clock: clock)
            // Last year's November, accepted for Hòa Lạc.
            let lastYear = try await ReportService.openPeriod(regime, slot: ReportCalendar.slot(.month, window: .cutoff, year: 2025, index: 11)!, adHoc: false, questions: "", now: clock.now(), actor: .system, on: app.db)
            let old = try #require(try await ReportRequest.query(on: app.db).filter(\.$period.$id == lastYear.id!).filter(\.$unit.$id == units["P-HL"]!.id!).first())
            let focal = WebClient(app)
            try await focal.login("daumoi")
            #expect(try await focal.post("/reports/requests/\(old.id!)/save", pairs: Self.filled + [("version", "1"), ("action", "submit")]).status == .seeOther)
            #expect(try await specialist.post("/reports/requests/\(old.id!)/review", form: ["decision": "accept", "version": "2"]).status == .seeOther)
            // This year: Hòa Lạc on time (12/11), Tân Lập late (19/11, due 17/11), Đông Sơn never.
            let hoaLac = try await Self.request(app, unit: "P-HL", key: "2026-11")
            #expect(try await focal.post("/reports/requests/\(hoaLac.id!)/save", pairs: Self.filled + [("version", "1"), ("action", "submit")]).status == .seeOther)
            clock.advance(by: 9 * 86_400)
            try await specialist.login("chuyenvien")
            try await focal.login("daumoi")
            let tanLap = try await Self.request(app, unit: "X-TL", key: "2026-11")
            let other = WebClient(app)
            try await other.login("daumoi.tanlap")
            var tanLapValues = Self.filled.filter { !$0.0.hasPrefix("value.received") && !$0.0.hasPrefix("value.resolved") }
            tanLapValues += [("value.received", "30"), ("value.resolved", "27"), ("value.resolved_rate", "90")]
            #expect(try await other.post("/reports/requests/\(tanLap.id!)/save", pairs: tanLapValues + [("version", "1"), ("action", "submit")]).status == .seeOther)
            let november = try #require(try await ReportPeriod.query(on: app.db).filter(\.$key == "2026-11").first())
            // Nothing accepted yet: the consolidation counts nothing.
            let before = try await specialist.get("/reports/periods/\(november.id!)")
            #expect(before.status == .ok && before.body.contains("0/6"))
            for request in [hoaLac, tanLap] {
                #expect(try await specialist.post("/reports/requests/\(request.id!)/review", form: ["decision": "accept", "version": "2"]).status == .seeOther)
            }
            // Timeliness, as counted by hand.
            let table = try await ReportAnalysis.compliance(regimeID: regime.id!, count: 12, scope: .everything, now: clock.now(), on: app.db)
            let november2026 = try #require(table.periods.first { $0.key == "2026-11" }?.id)
            func cell(_ code: String) -> Timeliness? { table.rows.first { $0.unit.code == code }?.cells[november2026]?.timeliness }
            #expect(cell("P-HL") == .onTime && cell("X-TL") == .late(2) && cell("P-DS") == .missing && cell("X-ML") == .missing)
            #expect(table.periodRates[november2026] == 1.0 / 6.0)
            // The reports page gives the glance: the closed month, on time, late, missing.
            let glance = try await specialist.get("/reports")
            #expect(glance.body.contains("data-regime=\"\(regime.id!.uuidString)\""))
            #expect(glance.body.contains(#"<span class="status status-time-on-time">1</span>"#) && glance.body.contains(#"<span class="status status-time-late">1</span>"#))
            #expect(glance.body.contains("status status-time-missing\" href=") && glance.body.contains(">4</a>"))
            let page = try await specialist.get("/reports/regimes/\(regime.id!)/compliance")
            #expect(page.status == .ok && page.body.contains("<svg") && page.body.contains("status-time-late"))
            // Live consolidation: sums, weighted rate, last year's column.
            let result = try await ReportAnalysis.consolidate(period: try #require(try await ReportPeriod.query(on: app.db).filter(\.$id == november.id!).with(\.$template).first()), root: units["TB"]!, on: app.db)
            func line(_ key: String) -> ReportAnalysis.IndicatorLine? { result.lines.first { $0.indicator.key == key } }
            #expect(result.accepted == 2 && result.requested == 6)
            let withTrend = try await ReportAnalysis.consolidate(period: result.period, root: units["TB"]!, trend: "received", on: app.db)
            #expect(withTrend.trend.last?.value == 42 && withTrend.trend.last?.label == "T11/26")
            #expect(withTrend.trend.contains { $0.label == "T11/25" && $0.value == 12 })
            #expect(line("received")?.current == 42 && line("received")?.lastYear == 12 && line("received")?.yearToDate == 42)
            #expect(abs((line("resolved_rate")?.current ?? 0) - (83.3 * 12 + 90 * 30) / 42) < 1e-9)
            let shown = try await specialist.get("/reports/periods/\(november.id!)")
            #expect(shown.body.contains("2/6") && shown.body.contains("id=\"parts\"") && shown.body.contains("id=\"trend\""))
            let byUnit = try await specialist.get("/reports/periods/\(november.id!)?indicator=received")
            #expect(byUnit.body.contains("id=\"by-unit\"") && byUnit.body.contains(">30</text>"))
            // Word: the PDF text of the consolidated report.
            let word = try await specialist.get("/reports/periods/\(november.id!)/report.docx")
            #expect(word.status == .ok && word.headers.contentType?.subType.contains("wordprocessingml") == true)
            let text = try officeText(word.bytes, extension: "docx")
            #expect(text.contains("ĐẢNG CỘNG SẢN VIỆT NAM") && text.contains("BÁO CÁO") && text.contains("Số đơn thư tiếp nhận") && text.contains("42"))
            #expect(text.contains("Tình hình nhân dân tháng 11/2026"))
            #expect(text.contains("TRƯỞNG BAN") && !text.contains("T/M BAN TUYÊN GIÁO"))
            #expect(text.contains("Phường Hòa Lạc: Nhân dân phấn khởi"))
            let excel = try await specialist.get("/reports/periods/\(november.id!)/indicators.xlsx")
            #expect(excel.status == .ok)
            #expect(try officeText(excel.bytes, extension: "xlsx").contains("Số đơn thư tiếp nhận"))
            // A commune's focal point cannot open the consolidation.
            #expect(try await focal.get("/reports/periods/\(november.id!)").status == .notFound)
        }
    }

    @Test("the API lists requests in scope and submits with a version check")
    func api() async throws {
        let clock = FixedClock(Self.start)
        try await withTestApp(clock: clock) { app in
            _ = try await Self.setUp(app, clock: clock)
            let focal = WebClient(app)
            try await focal.login("daumoi")
            let list = try await focal.get("/api/v1/reports/requests")
            #expect(list.status == .ok && list.body.contains("\"total\":2"))
            let request = try await Self.request(app, unit: "P-HL", key: "2026-11")
            func body(_ version: Int) -> ByteBuffer {
                ByteBuffer(string: #"{"version":\#(version),"values":{"dialogues":"2","received":"5","resolved":"4","resolved_rate":"80","hotspot":"1","tasks_done":"0"},"texts":{"situation":"Ổn định"}}"#)
            }
            let json: HTTPHeaders = ["Content-Type": "application/json", "X-CSRF-Token": focal.csrf]
            #expect(try await focal.send(.POST, "/api/v1/reports/requests/\(request.id!)/submit", headers: json, body: body(7)).status == .conflict)
            let sent = try await focal.send(.POST, "/api/v1/reports/requests/\(request.id!)/submit", headers: json, body: body(1))
            #expect(sent.status == .ok && sent.body.contains("\"status\":\"submitted\""))
            let openapi = try await focal.get("/api/openapi.json")
            #expect(openapi.body.contains(#"\/api\/v1\/reports\/requests\/{requestID}\/submit"#))
        }
    }

    @Test("a template change makes a new version; open periods keep theirs; bad rows and stale forms are refused with the typed rows kept")
    func templateVersions() async throws {
        let clock = FixedClock(Self.start)
        try await withTestApp(clock: clock) { app in
            let (_, _, specialist) = try await Self.setUp(app, clock: clock)
            let v1 = try #require(try await ReportTemplate.query(on: app.db).filter(\.$code == "thang").first())
            let focal = WebClient(app)
            try await focal.login("daumoi")
            #expect(try await focal.get("/reports/templates").status == .forbidden)
            #expect(try await specialist.get("/reports/templates").body.contains("id=\"templates\""))
            let form = try await specialist.get("/reports/templates/\(v1.id!)")
            #expect(form.status == .ok && form.body.contains("id=\"open-periods-note\""))
            // The form's own rows, plus a new indicator in the first blank row.
            var pairs = [("name", "Báo cáo tình hình tháng"), ("document_kind", "Báo cáo")]
            for (index, section) in ReportDefinition.mock.sections.enumerated() {
                pairs += [("s.\(index).key", section.key), ("s.\(index).title", section.title), ("s.\(index).guidance", section.guidance)]
                if section.required { pairs.append(("s.\(index).required", "1")) }
            }
            let indicators = ReportDefinition.mock.indicators
            for (index, indicator) in indicators.enumerated() {
                pairs += [("k.\(index).key", indicator.key), ("k.\(index).name", indicator.name), ("k.\(index).kind", indicator.kind.rawValue), ("k.\(index).combine", indicator.combine.rawValue), ("k.\(index).weight", indicator.weightKey ?? "")]
            }
            let bad = pairs + [("k.\(indicators.count).name", "Số hộ được hỗ trợ"), ("k.\(indicators.count).kind", "integer"), ("k.\(indicators.count).min", "mười")]
            let refused = try await specialist.post("/reports/templates/\(v1.id!)/versions", pairs: bad)
            #expect(refused.status == .unprocessableEntity && refused.body.contains("id=\"template-errors\"") && refused.body.contains("value=\"mười\""))
            let good = pairs + [("k.\(indicators.count).name", "Số hộ được hỗ trợ"), ("k.\(indicators.count).kind", "integer"), ("k.\(indicators.count).min", "0")]
            #expect(try await specialist.post("/reports/templates/\(v1.id!)/versions", pairs: good).status == .seeOther)
            let v2 = try #require(try await ReportTemplate.query(on: app.db).filter(\.$code == "thang").filter(\.$version == 2).first())
            #expect(try v2.definition.indicator("so_ho_duoc_ho_tro")?.minimum == 0)
            // Open periods keep version 1; a period opened later takes version 2.
            #expect(try await ReportPeriod.query(on: app.db).all().allSatisfy { $0.$template.id == v1.id })
            let regime = try #require(try await ReportRegime.query(on: app.db).first())
            clock.advance(by: 40 * 86_400)
            let opened = try await ReportService.openPeriods(regime, now: clock.now(), actor: .system, on: app.db)
            #expect(!opened.isEmpty && opened.allSatisfy { $0.$template.id == v2.id })
            // Saving again from the version 1 form would drop version 2's change.
            try await specialist.login("chuyenvien")
            let stale = try await specialist.post("/reports/templates/\(v1.id!)/versions", pairs: pairs)
            #expect(stale.status == .conflict)
            #expect(try await ReportTemplate.query(on: app.db).filter(\.$code == "thang").count() == 2)
        }
    }

    @Test("the quarterly briefing: the conclusions notice drafted from the consolidation registers as a document whose tasks are proposed; the board's own report is drafted from the consolidation")
    func briefingLoop() async throws {
        let clock = FixedClock(Self.start)
        try await withTestApp(clock: clock) { app in
            let (units, _, specialist) = try await Self.setUp(app, clock: clock)
            // A quarterly regime of the Front, received by the board…
            let quarterly = try await ReportService.createRegime(RegimeDraft(
                name: "Báo cáo trực báo quý", content: "", frequency: .quarter, receivingUnitID: units["TU-BTGDV"]!.id!, audience: .list,
                unitIDs: [units["MTTQ"]!.id!], deadlines: [.province: 3], templateCode: "thang", openAhead: 1
            ), actor: .system, at: clock.now(), on: app.db)
            // … and the board's own monthly report to the level above (received by the party committee).
            let upward = try await ReportService.createRegime(RegimeDraft(
                name: "Báo cáo tháng của Ban gửi Thường trực Tỉnh ủy", content: "", frequency: .month, receivingUnitID: units["TU"]!.id!, audience: .list,
                unitIDs: [units["TU-BTGDV"]!.id!], deadlines: [.province: 6], templateCode: "thang", openAhead: 1
            ), actor: .system, at: clock.now(), on: app.db)
            let quarter = try #require(try await ReportService.openPeriods(quarterly, now: clock.now(), actor: .system, on: app.db).first)
            try await ReportService.openPeriods(upward, now: clock.now(), actor: .system, on: app.db)
            let front = try #require(try await ReportRequest.query(on: app.db).filter(\.$period.$id == quarter.id!).first())
            let mttq = WebClient(app)
            try await mttq.login("daumoi.mttq")
            #expect(try await mttq.post("/reports/requests/\(front.id!)/save", pairs: Self.filled + [("version", "1"), ("action", "submit")]).status == .seeOther)
            #expect(try await specialist.post("/reports/requests/\(front.id!)/review", form: ["decision": "accept", "version": "2"]).status == .seeOther)
            let page = try await specialist.get("/reports/periods/\(quarter.id!)")
            #expect(page.status == .ok && page.body.contains("id=\"notice-form\"") && page.body.contains("id=\"own-reports\""))
            // The notice, as the specialist would send it from the page.
            let area = try #require(page.body.range(of: "id=\"notice-text\">")?.upperBound)
            let end = try #require(page.body[area...].range(of: "</textarea>")?.lowerBound)
            let notice = String(page.body[area..<end]).replacingOccurrences(of: "&#10;", with: "\n").replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&amp;", with: "&")
            #expect(notice.contains("THÔNG BÁO") && notice.contains("II. NHIỆM VỤ QUÝ TỚI"))
            let preview = try await specialist.post("/documents/preview", form: ["text": notice])
            #expect(preview.status == .ok && preview.body.contains("id=\"confirm-registration\""))
            #expect(preview.body.contains("Ban Tuyên giáo và Dân vận Tỉnh ủy"))
            // The board's own report, drafted from the consolidation.
            let own = try #require(try await ReportRequest.query(on: app.db).filter(\.$unit.$id == units["TU-BTGDV"]!.id!).first())
            let drafted = try await specialist.post("/reports/periods/\(quarter.id!)/own-draft", form: ["request": own.id!.uuidString, "version": "1"])
            #expect(drafted.status == .seeOther)
            let stored = try #require(try await ReportRequest.find(own.id, on: app.db))
            #expect(stored.status == .draft && stored.values["received"] == 12 && (stored.texts["situation"] ?? "").contains("Ủy ban MTTQ Việt Nam tỉnh: Nhân dân phấn khởi"))
            #expect(try await specialist.post("/reports/periods/\(quarter.id!)/own-draft", form: ["request": own.id!.uuidString, "version": "1"]).status == .conflict)
            // A focal point cannot fill another unit's report.
            #expect(try await mttq.post("/reports/periods/\(quarter.id!)/own-draft", form: ["request": own.id!.uuidString, "version": "2"]).status == .notFound)
        }
    }

    @Test("the sources other modules register answer for a unit and a window on this database")
    func sources() async throws {
        try await withTestApp { app in
            let units = try await TestProvince.load(app)
            let sources = app.reportSources
            #expect(Set(sources.all.map(\.key)).isSuperset(of: ["tasks.done", "tasks.overdue", "quiz.participants"]))
            let start = VNFormat.parseDate("2026-10-15")!, end = VNFormat.parseDate("2026-11-14")!
            for source in sources.all {
                #expect(try await source.compute(units["P-HL"]!.id!, start, end, app.db) == 0, "\(source.key)")
            }
        }
    }

    @Test("reminders before the deadline and on the day, once each; a regime edited or stopped opens its next periods accordingly")
    func remindersAndEditing() async throws {
        let clock = FixedClock(Self.start)
        try await withTestApp(clock: clock) { app in
            let (units, regime, specialist) = try await Self.setUp(app, clock: clock)
            let focal = try await DanVanTestSupport.user("daumoi", on: app)
            func inbox(_ kind: String) async throws -> Int { try await InboxItem.query(on: app.db).filter(\.$user.$id == focal.id!).filter(\.$kind == kind).count() }
            // 15/11: the November report (due 17/11) is two days away; 17/11 is the day.
            clock.advance(by: 5 * 86_400)
            #expect(try await ReportJobs.run(on: app.db, now: clock.now(), reminderDays: 7).reminders > 0)
            #expect(try await ReportJobs.run(on: app.db, now: clock.now(), reminderDays: 7).reminders == 0)
            #expect(try await inbox("report.dueSoon") == 1)
            clock.advance(by: 2 * 86_400)
            try await ReportJobs.run(on: app.db, now: clock.now(), reminderDays: 7)
            #expect(try await inbox("report.dueToday") == 1)
            // Edit: communes now have 5 days; stop the regime afterwards.
            try await specialist.login("chuyenvien")
            let edit = try await specialist.get("/reports/regimes/\(regime.id!)/edit")
            #expect(edit.status == .ok && edit.body.contains("value=\"3\""))
            var form: [(String, String)] = [
                ("name", "Báo cáo tình hình nhân dân hằng tháng"), ("frequency", "month"), ("window", "cutoff"), ("receiving", units["TU-BTGDV"]!.id!.uuidString),
                ("audience", "kindUnder"), ("unit_kind", "commune"), ("unit_level", "commune"), ("root", units["TB"]!.id!.uuidString),
                ("deadline.commune", "5"), ("template", "thang"), ("open_ahead", "2"), ("active", "1"), ("version", "1"),
            ]
            #expect(try await specialist.post("/reports/regimes/\(regime.id!)/update", pairs: form).status == .seeOther)
            #expect(try await specialist.post("/reports/regimes/\(regime.id!)/update", pairs: form).status == .conflict)
            let saved = try #require(try await ReportRegime.find(regime.id, on: app.db))
            #expect(saved.deadlines[.commune] == 5 && saved.version == 2)
            clock.advance(by: 40 * 86_400)
            let opened = try #require(try await ReportService.openPeriods(saved, now: clock.now(), actor: .system, on: app.db).first)
            let request = try #require(try await ReportRequest.query(on: app.db).filter(\.$period.$id == opened.id!).first())
            #expect(request.dueOn == ReportCalendar.deadline(cutoff: opened.cutoffOn, days: 5))
            form = form.filter { $0.0 != "active" && $0.0 != "version" } + [("version", "2")]
            try await specialist.login("chuyenvien")
            #expect(try await specialist.post("/reports/regimes/\(regime.id!)/update", pairs: form).status == .seeOther)
            let stopped = try #require(try await ReportRegime.find(regime.id, on: app.db))
            clock.advance(by: 60 * 86_400)
            let none = try await ReportService.openPeriods(stopped, now: clock.now(), actor: .system, on: app.db)
            #expect(!stopped.active && none.isEmpty)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$entityType == "report_regime").filter(\.$action == "update").count() == 2)
        }
    }
}
