@testable import DanVanCitizens
import DanVanCore
import DanVanTestSupport
import Fluent
import Foundation
import Testing
import Vapor

/// Site-clearance mobilisation: households by commune, visits, linked complaints, and the
/// warning when refusals rise.
@Suite("Citizens: site clearance")
struct ClearanceTests {
    @Test("households by commune with teams and visits; refusals rising by three within 30 days warn the board; counts that do not add up are refused")
    func refusals() async throws {
        let clock = FixedClock(PetitionFlowTests.start)
        try await withTestApp(clock: clock) { app in
            // setup
            let units = try await TestProvince.load(app)
            let board = WebClient(app)
            try await board.login("chuyenvien")
            try await board.get("/citizens/clearance")
            let created = try await board.post("/citizens/clearance/create", form: [
                "name": "Đường ven sông Thanh Bình", "unit": units["TU-BTGDV-P2"]!.id!.uuidString, "started_on": "2026-09-01", "description": "Thu hồi đất 3 xã",
            ])
            #expect(created.status == .seeOther)
            let path = try #require(created.location)
            let commune = units["X-TL"]!.id!.uuidString
            try await board.get(path)
            #expect(try await board.post(path + "/areas", form: ["commune": commune, "households": "120", "agreed": "90", "refusing": "2", "teams": "Tổ 1 – Hội Nông dân\nTổ 2 – Đoàn Thanh niên"]).status == .seeOther)
            // Counts that do not add up: refused, the typed numbers kept.
            let bad = try await board.post(path + "/areas", form: ["commune": commune, "households": "120", "agreed": "100", "refusing": "30"])
            #expect(bad.status == .unprocessableEntity && bad.body.contains("id=\"clearance-error\"") && bad.body.contains("value=\"30\""))
            // A visit with its notes.
            let area = try #require(try await ClearanceArea.query(on: app.db).first())
            #expect(area.teams.contains("Tổ 2"))
            try await board.get(path)
            #expect(try await board.post(path + "/visits", form: ["area": area.id!.uuidString, "team": "Tổ 1", "visited_on": "2026-11-09", "met": "8", "note": "Các hộ đòi giá đền bù sát giá thị trường"]).status == .seeOther)
            #expect(try await board.post(path + "/visits", form: ["area": area.id!.uuidString, "team": "Tổ 1", "visited_on": "2026-11-09", "met": "500", "note": "x"]).status == .unprocessableEntity)
            // A complaint linked to the commune's area.
            let complaint = try await PetitionFlowTests.intake(board, PetitionFlowTests.form(units, kind: "complaint", field: "compensation", summary: "Khiếu nại giá đền bù đường ven sông"))
            let reference = try #require(try await Petition.find(complaint.id, on: app.db)).reference
            try await board.get(path)
            #expect(try await board.post(path + "/links", form: ["area": area.id!.uuidString, "reference": reference]).status == .seeOther)
            // Refusals 2 → 4: under the threshold; → 6 ten days later: a warning with the complaint as evidence.
            clock.advance(by: 5 * 86_400)
            try await board.login("chuyenvien")
            try await board.get(path)
            #expect(try await board.post(path + "/areas", form: ["commune": commune, "households": "120", "agreed": "90", "refusing": "4"]).status == .seeOther)
            #expect(try await HotSpotWarning.query(on: app.db).filter(\.$rule == "clearanceRefusals").count() == 0)
            clock.advance(by: 5 * 86_400)
            try await board.login("chuyenvien")
            try await board.get(path)
            #expect(try await board.post(path + "/areas", form: ["commune": commune, "households": "120", "agreed": "88", "refusing": "6"]).status == .seeOther)
            let warning = try #require(try await HotSpotWarning.query(on: app.db).filter(\.$rule == "clearanceRefusals").first())
            #expect(warning.score == 4 && warning.evidenceIDs.contains(complaint.id.uuidString))
            #expect(warning.reason.contains("2") && warning.reason.contains("6"))
            let page = try await board.get(path)
            #expect(page.body.contains("▲ 4") && page.body.contains("Khiếu nại giá đền bù đường ven sông"))
            // The project list at a glance.
            let list = try await board.get("/citizens/clearance")
            #expect(list.body.contains("Đường ven sông Thanh Bình") && list.body.contains("id=\"project-table\""))
            // A commune focal point outside the following unit's subtree does not see the project.
            let focal = WebClient(app)
            try await focal.login("daumoi.tanlap")
            #expect(try await focal.get(path).status == .notFound)
        }
    }
}
