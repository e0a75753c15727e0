@testable import DanVanApp
@testable import DanVanCitizens
import DanVanCore
import DanVanTestSupport
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

/// Submissions over HTTP on the real app and database: intake with the duplicate hint, the
/// legal clock, the protected denouncer, the citizen's side, the early warning.
@Suite("Citizens: submissions")
struct PetitionFlowTests {
    /// Tuesday 10/11/2026 09:00 in the province.
    static let start = VNFormat.parseDateTime("2026-11-10T09:00")!

    static func form(_ units: [String: OrgUnit], commune: String = "X-TL", kind: String = "petition", field: String = "land",
                     sender: String = "Nguyễn Văn Hùng", summary: String = "Đề nghị bồi thường đất nông nghiệp bị thu hồi làm đường liên xã",
                     content: String = "Gia đình tôi có 500 m² đất nông nghiệp bị thu hồi làm đường liên xã Tân Lập nhưng chưa được bồi thường.",
                     extra: [String: String] = [:]) -> [String: String] {
        var fields: [String: String] = [
            "kind": kind, "channel": "reception", "received_on": "2026-11-10", "field": field, "commune": units[commune]!.id!.uuidString,
            "sender_name": sender, "sender_address": "Thôn Bãi Giữa", "sender_contact": "0912 345 678", "sender_count": "1",
            "summary": summary, "content": content, "instance": "1", "complexity": "normal", "unit": units["TU-BTGDV-P2"]!.id!.uuidString,
        ]
        for (key, value) in extra { fields[key] = value }
        return fields
    }

    static func value(in body: String, after marker: String) -> String? {
        guard let range = body.range(of: marker) else { return nil }
        let rest = body[range.upperBound...]
        return rest.firstIndex(where: { $0 == "<" || $0 == "\"" }).map { String(rest[..<$0]) }
    }

    /// Saves a submission through the form (past the duplicate hint); returns its id and code.
    static func intake(_ client: WebClient, _ fields: [String: String]) async throws -> (id: UUID, code: String) {
        try await client.get("/citizens/petitions/new")
        var all = fields
        all["checked"] = all["checked"] ?? "1"
        let reply = try await client.post("/citizens/petitions", form: all)
        #expect(reply.status == .created, "intake answered \(reply.status.code): \(reply.body.prefix(300))")
        let code = try #require(value(in: reply.body, after: "id=\"receipt-code\">"))
        let id = try #require(value(in: reply.body, after: "href=\"/citizens/petitions/").flatMap(UUID.init(uuidString:)))
        return (id, code)
    }

    static func step(_ client: WebClient, _ id: UUID, _ fields: [String: String]) async throws -> WebClient.Reply {
        let page = try await client.get("/citizens/petitions/\(id)")
        let version = value(in: page.body, after: "name=\"version\" value=\"") ?? "0"
        var all = fields
        all["version"] = all["version"] ?? version
        return try await client.post("/citizens/petitions/\(id)/action", form: all)
    }

    @Test("the clerk sees the duplicate hint for the same sender and for a like matter in the commune, and links the new one as a repeat")
    func duplicateHint() async throws {
        try await withTestApp(clock: FixedClock(Self.start)) { app in
            // setup
            let units = try await TestProvince.load(app)
            let clerk = WebClient(app)
            try await clerk.login("chuyenvien")
            let first = try await Self.intake(clerk, Self.form(units))
            // act: a like matter from someone else in the same commune, not yet checked
            try await clerk.get("/citizens/petitions/new")
            var second = Self.form(units, sender: "Lê Thị Mai", summary: "Kiến nghị bồi thường đất nông nghiệp thu hồi làm đường liên xã")
            second["checked"] = nil
            let hint = try await clerk.post("/citizens/petitions", form: second)
            // check: the hint, the typed data kept, nothing saved yet
            #expect(hint.status == .ok)
            #expect(hint.body.contains("id=\"duplicate-hint\""))
            #expect(hint.body.contains(first.id.uuidString))
            #expect(hint.body.contains("Lê Thị Mai"))
            #expect(try await Petition.query(on: app.db).count() == 1)
            // act: linked as a repeat
            second["checked"] = "1"
            second["repeat_of"] = first.id.uuidString
            let saved = try await clerk.post("/citizens/petitions", form: second)
            #expect(saved.status == .created)
            let repeated = try #require(try await Petition.query(on: app.db).filter(\.$repeatOfID == first.id).first())
            #expect(repeated.senderName == "Lê Thị Mai")
            // The same sender again (another topic) is found by the sender, marks and case aside.
            var third = Self.form(units, field: "environment", sender: "nguyen van hung", summary: "Phản ánh khói bụi lò gạch", content: "Lò gạch đốt ban đêm gây khói bụi cho cả xóm.")
            third["checked"] = nil
            try await clerk.get("/citizens/petitions/new")
            let sameSender = try await clerk.post("/citizens/petitions", form: third)
            #expect(sameSender.body.contains("id=\"duplicate-hint\""))
            #expect(sameSender.body.contains(first.id.uuidString))
        }
    }

    @Test("papers attached at intake are stored with the submission (a multipart form); a refused file keeps every typed field")
    func intakeWithFiles() async throws {
        try await withTestApp(clock: FixedClock(Self.start)) { app in
            let units = try await TestProvince.load(app)
            let clerk = WebClient(app)
            try await clerk.login("chuyenvien")
            try await clerk.get("/citizens/petitions/new")
            var fields = Self.form(units, summary: "Đề nghị cấp lại giấy chứng nhận bị mất")
            fields["checked"] = "1"
            fields["_csrf"] = clerk.csrf
            let refused = try await clerk.postMultipart("/citizens/petitions", fields: fields, file: "files[]", filename: "virus.exe", contentType: "application/octet-stream", data: Data("MZ".utf8))
            #expect(refused.status == .unprocessableEntity && refused.body.contains("id=\"error-files\"") && refused.body.contains("Đề nghị cấp lại giấy chứng nhận bị mất"))
            #expect(try await Petition.query(on: app.db).count() == 0)
            fields["_csrf"] = clerk.csrf
            let saved = try await clerk.postMultipart("/citizens/petitions", fields: fields, file: "files[]", filename: "don-de-nghi.txt", contentType: "text/plain", data: Data("Đơn đề nghị cấp lại giấy chứng nhận".utf8))
            #expect(saved.status == .created)
            let petition = try #require(try await Petition.query(on: app.db).first())
            #expect(petition.summary == "Đề nghị cấp lại giấy chứng nhận bị mất" && petition.senderName == "Nguyễn Văn Hùng")
            let file = try #require(try await PetitionAttachment.query(on: app.db).first())
            #expect(file.filename == "don-de-nghi.txt" && file.$petition.id == petition.id)
            let download = try await clerk.get("/citizens/petitions/\(petition.id!)/files/\(file.id!)")
            #expect(download.body.contains("Đơn đề nghị cấp lại giấy chứng nhận"))
            // More papers later, from the submission's page.
            try await clerk.get("/citizens/petitions/\(petition.id!)")
            let more = try await clerk.postMultipart("/citizens/petitions/\(petition.id!)/files", fields: ["_csrf": clerk.csrf], file: "files[]", filename: "bien-ban.txt", contentType: "text/plain", data: Data("Biên bản xác minh".utf8))
            #expect(more.status == .seeOther)
            #expect(try await PetitionAttachment.query(on: app.db).filter(\.$petition.$id == petition.id!).count() == 2)
        }
    }

    @Test("the clock runs from acceptance; resolving before acceptance, an extension the law does not allow and a future date are refused, nothing changes")
    func legalClock() async throws {
        let clock = FixedClock(Self.start)
        try await withTestApp(clock: clock) { app in
            let units = try await TestProvince.load(app)
            let clerk = WebClient(app)
            try await clerk.login("chuyenvien")
            let complaint = try await Self.intake(clerk, Self.form(units, kind: "complaint"))
            var petition = try #require(try await Petition.find(complaint.id, on: app.db))
            // Received Tue 10/11: 10 days to accept (Fri 20/11) comes before working day 10 (Tue 24/11).
            #expect(VNFormat.isoDate(petition.ackDueOn) == "2026-11-20")
            // act: resolve before acceptance
            let early = try await Self.step(clerk, complaint.id, ["step": "resolve", "result": "Đã bồi thường", "on": "2026-11-10"])
            #expect(early.status == .unprocessableEntity)
            #expect(early.body.contains("id=\"petition-error\""))
            #expect(try await Petition.find(complaint.id, on: app.db)?.status == .received)
            // act: accept on 12/11 → 30 days → Sat 12/12 → Mon 14/12
            clock.advance(by: 2 * 86_400)
            try await clerk.login("chuyenvien")
            let accepted = try await Self.step(clerk, complaint.id, ["step": "accept", "on": "2026-11-12"])
            #expect(accepted.status == .seeOther)
            petition = try #require(try await Petition.find(complaint.id, on: app.db))
            #expect(petition.status == .accepted)
            #expect(VNFormat.isoDate(petition.resolveDueOn) == "2026-12-14")
            // A first complaint of normal complexity cannot be extended.
            let extend = try await Self.step(clerk, complaint.id, ["step": "extend", "days": "10", "decision": "QĐ 1/QĐ-UBND", "on": "2026-11-12"])
            #expect(extend.status == .unprocessableEntity)
            #expect(try await Petition.find(complaint.id, on: app.db)?.extensions == 0)
            // A date in the future is refused.
            let future = try await Self.step(clerk, complaint.id, ["step": "resolve", "result": "Xong", "on": "2026-12-01"])
            #expect(future.status == .unprocessableEntity)
            // A stale form (an old version) is refused without a change.
            let stale = try await Self.step(clerk, complaint.id, ["step": "note", "text": "Ghi chú về tiến độ xác minh", "version": "1"])
            #expect(stale.status == .conflict)
            #expect(stale.body.contains("Ghi chú về tiến độ xác minh"), "the typed note is kept")
            // Overdue after the due date; resolved late counts as late.
            clock.advance(by: 40 * 86_400)
            try await clerk.login("chuyenvien")
            let list = try await clerk.get("/citizens?overdue=1")
            #expect(list.body.contains(complaint.id.uuidString))
            // The home page's to-do line, inside the scope only.
            #expect(try await clerk.get("/").body.contains("href=\"/citizens?overdue=1\""))
            let other = WebClient(app)
            try await other.login("daumoi.tanlap")
            #expect(try await other.get("/").body.contains("href=\"/citizens?overdue=1\"") == false)
            let resolved = try await Self.step(clerk, complaint.id, ["step": "resolve", "result": "Đã chi trả bồi thường", "public_answer": "Gia đình đã được chi trả.", "decision": "Quyết định số 15/QĐ-UBND", "on": "2026-12-18"])
            #expect(resolved.status == .seeOther)
            let stats = try await CitizenStats.statistics(from: VNFormat.parseDate("2026-11-01")!, until: VNFormat.parseDate("2026-12-31")!, unitIDs: nil, today: clock.now(), on: app.db)
            #expect(stats.total.resolvedLate == 1)
            #expect(stats.total.resolvedOnTime == 0)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$entityType == "petition").count() == 3)
        }
    }

    @Test("an especially complex denunciation may be extended twice by at most 30 days each, and not a third time")
    func extensions() async throws {
        try await withTestApp(clock: FixedClock(Self.start)) { app in
            let units = try await TestProvince.load(app)
            let clerk = WebClient(app)
            try await clerk.login("chuyenvien")
            let handler = try await user("chuyenvien", on: app)
            let case1 = try await Self.intake(clerk, Self.form(units, kind: "denunciation", field: "officials", extra: ["complexity": "especiallyComplex", "handler": handler.id!.uuidString]))
            #expect(try await Self.step(clerk, case1.id, ["step": "accept", "on": "2026-11-10"]).status == .seeOther)
            #expect(try await Self.step(clerk, case1.id, ["step": "extend", "days": "31", "decision": "QĐ 2/QĐ-TTr", "on": "2026-11-10"]).status == .unprocessableEntity)
            #expect(try await Self.step(clerk, case1.id, ["step": "extend", "days": "30", "decision": "QĐ 2/QĐ-TTr", "on": "2026-11-10"]).status == .seeOther)
            #expect(try await Self.step(clerk, case1.id, ["step": "extend", "days": "30", "decision": "QĐ 3/QĐ-TTr", "on": "2026-11-10"]).status == .seeOther)
            let third = try await Self.step(clerk, case1.id, ["step": "extend", "days": "10", "decision": "QĐ 4/QĐ-TTr", "on": "2026-11-10"])
            #expect(third.status == .unprocessableEntity)
            let petition = try #require(try await Petition.find(case1.id, on: app.db))
            #expect(petition.extensions == 2)
            // 10/11 + 30 = 10/12; + 30 = 9/1/2027 (Sat) → 11/1; + 30 = 10/2/2027 (Wed)
            #expect(VNFormat.isoDate(petition.resolveDueOn) == "2027-02-10")
            // Each extension is told to the denouncer (a public step).
            #expect(try await PetitionEvent.query(on: app.db).filter(\.$petition.$id == case1.id).filter(\.$kind == .extended).filter(\.$isPublic == true).count() == 2)
        }
    }

    @Test("a denouncer: sealed; only the handler and an administrator open it, each opening audited; lists, search, export, API, inbox, audit and a database dump never show it")
    func denouncer() async throws {
        try await withTestApp(clock: FixedClock(Self.start)) { app in
            // setup
            let units = try await TestProvince.load(app)
            let admin = WebClient(app)
            try await admin.login("admin")
            let handler = try await user("daumoi.tanlap", on: app)
            let name = "Trương Bí Mật", address = "Số 9 ngõ Kín, thôn Tân Hòa", contact = "0987 654 321"
            // A denunciation without a handler is refused, the typed text kept.
            try await admin.get("/citizens/petitions/new")
            var fields = Self.form(units, kind: "denunciation", field: "officials", sender: name, summary: "Tố cáo cán bộ địa chính nhận tiền",
                                   content: "Cán bộ địa chính xã nhận tiền để làm sổ đỏ nhanh.", extra: ["sender_address": address, "sender_contact": contact, "unit": units["X-TL"]!.id!.uuidString, "checked": "1"])
            let refused = try await admin.post("/citizens/petitions", form: fields)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.contains("id=\"error-handler\""))
            #expect(refused.body.contains("Cán bộ địa chính xã nhận tiền"))
            #expect(try await Petition.query(on: app.db).count() == 0)
            fields["handler"] = handler.id!.uuidString
            let saved = try await Self.intake(admin, fields)
            let petition = try #require(try await Petition.find(saved.id, on: app.db))
            #expect(petition.senderName.isEmpty && petition.senderAddress.isEmpty && petition.senderContact.isEmpty)
            #expect(try await PetitionIdentity.query(on: app.db).count() == 1)
            // The handler opens it; the opening is audited (without the name).
            let focal = WebClient(app)
            try await focal.login("daumoi.tanlap")
            let page = try await focal.get("/citizens/petitions/\(saved.id)")
            #expect(page.body.contains("id=\"open-identity\""))
            #expect(!page.body.contains(name))
            let opened = try await focal.post("/citizens/petitions/\(saved.id)/identity", form: [:])
            #expect(opened.status == .ok)
            #expect(opened.body.contains(name) && opened.body.contains(address))
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "read-identity").count() == 1)
            // A scanned letter is sealed into the identity; the handler downloads it back.
            let letter = Data("BAN QUET THU TAY: \(name)".utf8)
            try await focal.get("/citizens/petitions/\(saved.id)")
            let upload = try await focal.postMultipart("/citizens/petitions/\(saved.id)/identity-letter", fields: ["_csrf": focal.csrf], file: "letter", filename: "thu.txt", contentType: "text/plain", data: letter)
            #expect(upload.status == .seeOther)
            try await focal.get("/citizens/petitions/\(saved.id)")
            let download = try await focal.post("/citizens/petitions/\(saved.id)/identity", form: ["letter": "1"])
            #expect(download.bytes == letter)
            // Another official of the same unit, the board's specialist: a redacted copy, and a refusal.
            let leader = WebClient(app)
            try await leader.login("lanhdao.xa")
            let other = try await leader.get("/citizens/petitions/\(saved.id)")
            #expect(other.status == .ok)
            #expect(other.body.contains("id=\"identity-hidden\""))
            #expect(!other.body.contains(name))
            try await leader.get("/citizens")
            #expect(try await leader.post("/citizens/petitions/\(saved.id)/identity", form: [:]).status == .forbidden)
            let specialist = WebClient(app)
            try await specialist.login("chuyenvien")
            for path in ["/citizens", "/citizens?q=truong+bi+mat", "/citizens?q=dia+chinh", "/citizens/petitions.xlsx", "/api/v1/citizens/petitions", "/api/v1/citizens/petitions/\(saved.id)", "/inbox"] {
                let reply = try await specialist.get(path)
                let text = path.hasSuffix(".xlsx") ? String(decoding: reply.bytes, as: UTF8.self) : reply.body
                #expect(!text.contains(name) && !text.contains("0987 654 321"), "\(path) shows the denouncer")
            }
            #expect(try await specialist.get("/citizens?q=truong+bi+mat").body.contains("id=\"no-petitions\""))
            for entry in try await AuditEntry.query(on: app.db).all() {
                #expect(!(entry.summary + (entry.afterJSON ?? "") + (entry.beforeJSON ?? "")).contains(name))
            }
            // A dump of the database (the backup command) and the file store hold no plaintext identity.
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("danvan-dump-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let manifest = try await Backup.backup(app, into: folder)
            var dump = try Data(contentsOf: folder.appendingPathComponent(manifest.databaseFile.path))
            if manifest.database == "postgresql" {
                let sqlFile = folder.appendingPathComponent("dump.sql")
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = ["pg_restore", "--file=\(sqlFile.path)", folder.appendingPathComponent(manifest.databaseFile.path).path]
                try process.run()
                process.waitUntilExit()
                #expect(process.terminationStatus == 0)
                dump = try Data(contentsOf: sqlFile)
                #expect(String(decoding: dump, as: UTF8.self).contains("Tố cáo cán bộ địa chính"), "the dump is readable")
            } else {
                #expect(dump.range(of: Data("Tố cáo cán bộ địa chính".utf8)) != nil, "the dump is readable")
            }
            for secret in [name, address, contact, "Truong Bi Mat", "truong bi mat"] {
                #expect(dump.range(of: Data(secret.utf8)) == nil, "the dump holds \(secret)")
            }
            for file in manifest.files {
                let bytes = try Data(contentsOf: folder.appendingPathComponent("files").appendingPathComponent(file.path))
                #expect(bytes.range(of: Data(name.utf8)) == nil, "the file store holds the letter in the clear")
            }
        }
    }

    @Test("a citizen sends online, keeps a code, follows the status, says it is not solved and it reopens; wrong codes are limited; a robot saves nothing")
    func publicSide() async throws {
        try await withTestApp(clock: FixedClock(Self.start)) { app in
            let units = try await TestProvince.load(app)
            let citizen = WebClient(app)
            let form = try await citizen.get("/gop-y")
            #expect(form.status == .ok)
            // Bad input: the message, the typed text kept.
            let bad = try await citizen.post("/gop-y/gui", form: ["kind": "feedback", "sender_name": "Phạm Văn Dân", "summary": "", "content": "Đèn đường hỏng cả tháng nay", "commune": units["X-TL"]!.id!.uuidString, "field": "infrastructure"])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.contains("id=\"error-summary\"") && bad.body.contains("Đèn đường hỏng cả tháng nay"))
            // A robot fills the hidden field: nothing saved.
            _ = try await citizen.post("/gop-y/gui", form: ["kind": "feedback", "sender_name": "Bot", "summary": "x", "content": "xxxxxxxxxxxxxxxx", "commune": units["X-TL"]!.id!.uuidString, "field": "other", "website": "http://spam"])
            #expect(try await Petition.query(on: app.db).count() == 0)
            let sent = try await citizen.post("/gop-y/gui", form: ["kind": "feedback", "sender_name": "Phạm Văn Dân", "summary": "Đèn đường hỏng", "content": "Đèn đường thôn Tân Thành hỏng cả tháng nay", "commune": units["X-TL"]!.id!.uuidString, "field": "infrastructure"])
            #expect(sent.status == .created)
            let code = try #require(Self.value(in: sent.body, after: "id=\"receipt-code\">"))
            let petition = try #require(try await Petition.query(on: app.db).first())
            #expect(petition.channel == .online && petition.$unit.id == units["X-TL"]!.id)
            #expect(try await InboxItem.query(on: app.db).filter(\.$kind == "citizens.online").count() >= 1)
            // The status page by code, typed loosely.
            try await citizen.get("/tra-cuu")
            let status = try await citizen.post("/tra-cuu/ket-qua", form: ["code": code.lowercased().replacingOccurrences(of: "-", with: " ")])
            #expect(status.status == .ok && status.body.contains("id=\"public-status\""))
            // The commune accepts and resolves; the citizen says no: reopened, the commune told.
            let commune = WebClient(app)
            try await commune.login("daumoi.tanlap")
            #expect(try await Self.step(commune, petition.id!, ["step": "accept", "on": "2026-11-10"]).status == .seeOther)
            #expect(try await Self.step(commune, petition.id!, ["step": "resolve", "result": "Đã thay bóng đèn", "public_answer": "Đã thay 3 bóng đèn.", "on": "2026-11-10"]).status == .seeOther)
            let resolved = try await citizen.post("/tra-cuu/ket-qua", form: ["code": code])
            #expect(resolved.body.contains("Đã thay 3 bóng đèn.") && resolved.body.contains("id=\"satisfied-form\""))
            #expect(!resolved.body.contains("Đã thay bóng đèn<"), "the internal result stays internal")
            let answered = try await citizen.post("/tra-cuu/tra-loi", form: ["code": code, "satisfied": "no", "comment": "Mới sáng được hai hôm"])
            #expect(answered.status == .ok)
            let reopened = try #require(try await Petition.find(petition.id, on: app.db))
            #expect(reopened.status == .accepted && reopened.reopenCount == 1 && reopened.satisfied == false)
            #expect(try await InboxItem.query(on: app.db).filter(\.$kind == "citizens.reopened").count() >= 1)
            // Wrong codes: ten tries, then refused even with the right one.
            for _ in 0..<10 {
                #expect(try await citizen.post("/tra-cuu/ket-qua", form: ["code": PetitionText.newCode()]).status == .notFound)
            }
            #expect(try await citizen.post("/tra-cuu/ket-qua", form: ["code": code]).status == .tooManyRequests)
        }
    }

    @Test("three land submissions in one commune within 30 days put a warning with its evidence in the board's inbox; confirming opens a hot spot linked to them")
    func earlyWarning() async throws {
        try await withTestApp(clock: FixedClock(Self.start)) { app in
            let units = try await TestProvince.load(app)
            let clerk = WebClient(app)
            try await clerk.login("chuyenvien")
            var ids: [UUID] = []
            for (index, sender) in ["Hộ ông Tâm", "Hộ bà Lan", "Hộ ông Quý"].enumerated() {
                ids.append(try await Self.intake(clerk, Self.form(units, sender: sender, summary: "Tranh chấp ranh giới đất số \(index + 1)", extra: ["received_on": "2026-11-0\(index + 3)"])).id)
                #expect(try await HotSpotWarning.query(on: app.db).count() == (index < 2 ? 0 : 1))
            }
            let warning = try #require(try await HotSpotWarning.query(on: app.db).first())
            #expect(warning.rule == "fieldCluster" && warning.score == 3 && warning.$commune.id == units["X-TL"]!.id)
            #expect(Set(warning.evidenceIDs.split(separator: ",").map(String.init)) == Set(ids.map(\.uuidString)))
            #expect(try await InboxItem.query(on: app.db).filter(\.$kind == "citizens.warning").count() >= 1)
            let page = try await clerk.get("/hotspots")
            #expect(page.body.contains("id=\"warning-\(warning.id!.uuidString)\""))
            #expect(page.body.contains("id=\"risk-table\""))
            // Dismissing needs a reason.
            #expect(try await clerk.post("/hotspots/warnings/\(warning.id!)/decide", form: ["decision": "dismiss", "note": ""]).status == .unprocessableEntity)
            let confirmed = try await clerk.post("/hotspots/warnings/\(warning.id!)/decide", form: ["decision": "confirm", "note": "Cần tổ công tác xuống nắm tình hình"])
            #expect(confirmed.status == .seeOther)
            let spot = try #require(try await HotSpot.query(on: app.db).first())
            #expect(try await HotSpotLink.query(on: app.db).filter(\.$hotSpot.$id == spot.id!).count() == 3)
            // A fourth one is linked to the hot spot, not warned again.
            ids.append(try await Self.intake(clerk, Self.form(units, sender: "Hộ ông Bảy", summary: "Lấn chiếm đất")).id)
            #expect(try await HotSpotWarning.query(on: app.db).count() == 1)
            #expect(try await HotSpotLink.query(on: app.db).filter(\.$hotSpot.$id == spot.id!).count() == 4)
            // A situation update moves the status, audited.
            let show = try await clerk.get("/hotspots/\(spot.id!)")
            #expect(show.status == .ok)
            #expect(try await clerk.post("/hotspots/\(spot.id!)/updates", form: ["text": "Tổ công tác đã gặp 4 hộ", "status": "calming", "severity": "2", "version": "1"]).status == .seeOther)
            #expect(try await HotSpot.find(spot.id, on: app.db)?.status == .calming)
            // A mass submission over the threshold warns by itself.
            _ = try await Self.intake(clerk, Self.form(units, commune: "X-DT", kind: "complaint", field: "compensation", sender: "Bà con thôn Gò Cao", summary: "Khiếu nại giá bồi thường",
                                                       extra: ["sender_count": "40", "representatives": "Ông A\nÔng B"]))
            let mass = try #require(try await HotSpotWarning.query(on: app.db).filter(\.$rule == "massPetition").first())
            // The board dismisses it with its reason: recorded, no hot spot.
            #expect(try await clerk.post("/hotspots/warnings/\(mass.id!)/decide", form: ["decision": "dismiss", "note": "Đã đối thoại, các hộ đồng ý chờ định giá lại"]).status == .seeOther)
            let dismissed = try #require(try await HotSpotWarning.find(mass.id, on: app.db))
            #expect(dismissed.status == .dismissed && dismissed.hotSpotID == nil && dismissed.decisionNote.contains("định giá lại"))
            #expect(try await clerk.get("/hotspots").body.contains("id=\"decided-warnings\""))
        }
    }
}
