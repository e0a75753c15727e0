import DanVanCore
import DanVanDocuments
import DanVanTasks
import DanVanTestSupport
import Fluent
import Foundation
import Testing
import Vapor

/// The registration preview and its unit picker (issue 17), over HTTP on both databases.
@Suite("Registration: tables, persons, PDF, the unit picker")
struct RegistrationTests {
    /// The `<select id="…">…</select>` of a page.
    static func select(_ id: String, in body: String) -> String? {
        guard let start = body.range(of: "<select id=\"\(id)\"") else { return nil }
        guard let end = body[start.upperBound...].range(of: "</select>") else { return nil }
        return String(body[start.lowerBound..<end.upperBound])
    }

    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test("a table directive's preview: a row per table row, the person's unit, the output, a date to choose; each picker holds only its chosen units and the page one unit list")
    func tablePreview() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let client = WebClient(app)
            try await client.login("chuyenvien")
            try await client.get("/documents/new")
            let preview = try await client.post("/documents/preview", form: ["text": tableDirective])
            #expect(preview.status == .ok)
            #expect(preview.body.contains("(4)"))
            // The person: "Chủ tịch UBND tỉnh" is Ủy ban nhân dân tỉnh, the title shown.
            let ubnd = try await unit("UB", on: app)
            let first = try #require(Self.select("leads-0", in: preview.body))
            #expect(first.contains("value=\"\(ubnd.id!.uuidString)\" selected"))
            #expect(preview.body.contains("Chủ tịch"))
            // The table rows, with the coordinators and the output.
            let home = try await unit("UB-SNV", on: app)
            #expect(try #require(Self.select("leads-1", in: preview.body)).contains(home.id!.uuidString))
            let youth = try await unit("MTTQ-TD", on: app)
            #expect(try #require(Self.select("coordinators-1", in: preview.body)).contains(youth.id!.uuidString))
            #expect(preview.body.contains("Sản phẩm: Báo cáo kết quả"))
            #expect(preview.body.contains("value=\"2027-06-30\""))
            let health = try await unit("UB-SYT", on: app)
            #expect(try #require(Self.select("leads-2", in: preview.body)).contains(health.id!.uuidString))
            #expect(preview.body.contains("value=\"2027-02-05\""))
            #expect(preview.body.contains("id=\"needs-date-3\""))
            // Light: a row's picker carries its chosen units only; the page lists every active
            // unit once, by name, for all pickers.
            for index in 0..<4 {
                #expect(Self.count("<option", in: Self.select("leads-\(index)", in: preview.body) ?? "") <= 1)
            }
            let active = try await OrgUnit.query(on: app.db).filter(\.$status == .active).count()
            #expect(Self.count("data-id=\"", in: preview.body) == active)
            #expect(preview.body.contains("<datalist id=\"unit-list\">"))
            // The annex title cites the plan itself: not a reference.
            #expect(!preview.body.contains("Kế hoạch số 41-KH/TU</li>"))
        }
    }

    @Test("units typed by name without JavaScript: found without marks; a name not found is refused with the typed text kept and nothing saved")
    func typedNames() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let client = WebClient(app)
            try await client.login("chuyenvien")
            try await client.get("/documents/manual")
            var pairs: [(String, String)] = [("title", "Kế hoạch thử đơn vị gõ tay"), ("kind", "Kế hoạch"), ("symbol", "93-KH/TU"), ("issuedOn", "2026-11-20")]
            pairs += [("assignments[0][keep]", "on"), ("assignments[0][content]", "Rà soát quy chế"), ("assignments[0][leadNames]", "so noi vu"),
                      ("assignments[0][coordinatorNames]", "Tinh doan; hoi nong dan tinh")]
            pairs += [("assignments[1][keep]", "on"), ("assignments[1][content]", "Đối thoại với nhân dân"), ("assignments[1][leadNames]", "Xã Không Tồn Tại")]
            let refused = try await client.post("/documents", pairs: pairs)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.contains("Không tìm thấy đơn vị “Xã Không Tồn Tại”"))
            #expect(refused.body.contains("value=\"Xã Không Tồn Tại\""))
            #expect(refused.body.contains("Đối thoại với nhân dân"))
            #expect(try await Document.query(on: app.db).count() == 0)
            // The first row's typed names became chosen units of its pickers.
            let home = try await unit("UB-SNV", on: app)
            #expect(try #require(Self.select("leads-0", in: refused.body)).contains("value=\"\(home.id!.uuidString)\" selected"))
            pairs.removeLast()
            pairs.append(("assignments[1][leadNames]", "Phuong Hoa Lac"))
            let saved = try await client.post("/documents", pairs: pairs)
            #expect(saved.status == .seeOther)
            let tasks = try await WorkTask.query(on: app.db).all()
            let ward = try await unit("P-HL", on: app)
            #expect(Set(tasks.map(\.$leadUnit.id)) == [home.id!, ward.id!])
            let youth = try await unit("MTTQ-TD", on: app)
            let farmers = try await unit("MTTQ-HND", on: app)
            let coordinated = try #require(tasks.first { $0.$leadUnit.id == home.id })
            let coordinators = try await TaskCoordinator.query(on: app.db).filter(\.$task.$id == coordinated.id!).all()
            #expect(Set(coordinators.map(\.$unit.id)) == [youth.id!, farmers.id!])
        }
    }

    @Test("a scanned PDF is refused on the upload form with the reason, the pasted text kept")
    func scannedUpload() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let client = WebClient(app)
            try await client.login("chuyenvien")
            try await client.get("/documents/new")
            let reply = try await client.postMultipart("/documents/preview", fields: ["text": "ghi chú tạm"], file: "file", filename: "ban-quet.pdf", contentType: "application/pdf", data: scannedPDF())
            #expect(reply.status == .unprocessableEntity)
            #expect(reply.body.contains("bản quét"))
            #expect(reply.body.contains("ghi chú tạm"))
        }
    }
}
