import DanVanApp
import DanVanCore
import DanVanTestSupport
import Fluent
import Foundation
import Testing
import Vapor

@Suite("Organisation tree")
struct UnitTests {
    @Test("a failed save keeps what was typed and puts the message beside the field")
    func validationKeepsInput() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let client = WebClient(app)
            try await client.login("admin")
            let page = try await client.post("/units", form: ["name": "Phường Mới <b>", "code": "", "kind": "commune", "level": "commune", "shortName": "PM"])
            #expect(page.status == .unprocessableEntity)
            #expect(page.body.contains("value=\"Phường Mới &lt;b&gt;\""))
            #expect(page.body.contains("id=\"code-error\">Bắt buộc nhập."))
            #expect(page.body.contains("value=\"PM\""))
            let duplicate = try await client.post("/units", form: ["name": "Trùng", "code": "TU", "kind": "other", "level": "province"])
            #expect(duplicate.body.contains("Mã đơn vị này đã được dùng."))
        }
    }

    @Test("creating a unit stores NFC, places it in the tree and writes the audit log")
    func createAudited() async throws {
        try await withTestApp { app in
            // setup
            try await TestProvince.load(app)
            let parent = try await unit("X-TL", on: app)
            let client = WebClient(app)
            try await client.login("admin")
            // act
            let response = try await client.post("/units", form: [
                "name": "Thôn Mới".decomposedStringWithCanonicalMapping, "code": "X-TL-T9", "kind": "village", "level": "village",
                "parentID": parent.id!.uuidString, "sortOrder": "90",
            ])
            // check
            #expect(response.status == .seeOther)
            let created = try await unit("X-TL-T9", on: app)
            #expect(created.name.unicodeScalars.elementsEqual("Thôn Mới".precomposedStringWithCanonicalMapping.unicodeScalars))
            #expect(created.path == parent.path + created.id!.uuidString + "/")
            #expect(created.depth == parent.depth + 1)
            let entry = try await AuditEntry.query(on: app.db).filter(\.$entityID == created.id!.uuidString).first()
            #expect(entry?.actorName == "admin")
            #expect(entry?.action == "create")
            #expect(entry?.afterJSON?.contains("\"code\":\"X-TL-T9\"") == true)
            let show = try await client.get(response.location ?? "")
            #expect(show.body.contains("Thôn Mới"))
        }
    }

    @Test("moving a unit moves its subtree; moving under its own descendant is refused")
    func moveSubtree() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let ward = try await unit("P-DS", on: app)
            let front = try await unit("MTTQ", on: app)
            let client = WebClient(app)
            try await client.login("admin")
            var form = UnitForm(ward)
            form.parentID = front.id!.uuidString
            let moved = try await client.post("/units/\(ward.id!)", form: form.fields)
            #expect(moved.status == .seeOther)
            let quarter = try await unit("P-DS-T1", on: app)
            #expect(quarter.path.hasPrefix(front.path + ward.id!.uuidString + "/"))
            #expect(quarter.depth == front.depth + 2)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "move").count() == 1)

            var cycle = UnitForm(try await unit("P-DS", on: app))
            cycle.parentID = quarter.id!.uuidString
            let refused = try await client.post("/units/\(ward.id!)", form: cycle.fields)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.contains("Không thể chuyển đơn vị vào chính nó"))
        }
    }

    @Test("merging keeps the unit and its records reachable and points at the successor")
    func mergeKeepsRecords() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let village = try await unit("X-DT-T5", on: app)
            let target = try await unit("X-DT-T4", on: app)
            let commune = try await unit("X-DT", on: app)
            let client = WebClient(app)
            try await client.login("admin")
            // A unit with active children cannot end.
            let blocked = try await client.post("/units/\(commune.id!)/dissolve", form: ["status": "dissolved", "endedOn": "2026-11-01"])
            #expect(blocked.status == .unprocessableEntity)
            #expect(blocked.body.contains("đơn vị trực thuộc đang hoạt động"))
            // Merge without a successor is refused, with one it works.
            let noSuccessor = try await client.post("/units/\(village.id!)/dissolve", form: ["status": "merged", "endedOn": "2026-11-01"])
            #expect(noSuccessor.body.contains("Đơn vị kế thừa phải là đơn vị khác"))
            let merged = try await client.post("/units/\(village.id!)/dissolve", form: ["status": "merged", "successorID": target.id!.uuidString, "endedOn": "01/11/2026"])
            #expect(merged.status == .seeOther)
            let stored = try await unit("X-DT-T5", on: app)
            #expect(stored.status == .merged)
            #expect(stored.successorID == target.id)
            #expect(VNFormat.isoDate(stored.endedOn) == "2026-11-01")
            let page = try await client.get("/units/\(village.id!)")
            #expect(page.status == .ok)
            #expect(page.body.contains("Đã sáp nhập"))
            #expect(page.body.contains(target.name))
            #expect(!(try await client.get("/units").body.contains("Ao Sen")))
            #expect(try await client.get("/units?ended=1").body.contains("Ao Sen"))
            // And back.
            let restored = try await client.post("/units/\(village.id!)/dissolve", form: ["status": "active"])
            #expect(restored.status == .seeOther)
            #expect(try await unit("X-DT-T5", on: app).status == .active)
        }
    }

    @Test("search ignores diacritics, case and đ")
    func search() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let client = WebClient(app)
            try await client.login("chuyenvien")
            let page = try await client.get("/units?q=DONG%20SON")
            #expect(page.body.contains("Phường Đông Sơn"))
            #expect(!page.body.contains("Xã Tân Lập"))
            let api = try await client.get("/api/v1/units?q=hoa%20lac")
            #expect(api.body.contains("Phường Hòa Lạc"))
        }
    }

    @Test("the tree follows the display order, then Vietnamese alphabetical order")
    func treeOrder() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let units = try await UnitService.tree(in: .everything, includeEnded: false, on: app.db)
            let codes = units.map(\.code)
            #expect(codes.first == "TB")
            #expect(try #require(codes.firstIndex(of: "TU")) < #require(codes.firstIndex(of: "HDND")))
            #expect(try #require(codes.firstIndex(of: "TU-BTGDV-P1")) == #require(codes.firstIndex(of: "TU-BTGDV")) + 1)
            #expect((60...120).contains(try await OrgUnit.query(on: app.db).count()))
        }
    }

    @Test("CSV export opens in Excel and imports back; a file with bad rows saves nothing")
    func csvRoundTrip() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let client = WebClient(app)
            try await client.login("admin")
            let export = try await client.get("/units/export.csv")
            #expect(export.status == .ok)
            #expect(export.headers.first(name: .contentType)?.contains("text/csv") == true)
            #expect(export.body.hasPrefix("\u{FEFF}code,name,short_name"))
            let unitCount = try await OrgUnit.query(on: app.db).count()

            let renamed = export.body.replacingOccurrences(of: "Thôn Bãi Giữa", with: "Thôn Bãi Giữa Mới")
                + "X-TL-T6,Thôn Đồng Mới,,village,village,X-TL,60,0,active,,\r\n"
            let ok = try await client.postMultipart("/units/import", fields: [:], file: ("file", "don-vi.csv", renamed))
            #expect(ok.status == .seeOther)
            #expect(try await OrgUnit.query(on: app.db).count() == unitCount + 1)
            #expect(try await unit("X-TL-T5", on: app).name == "Thôn Bãi Giữa Mới")
            #expect(try await unit("X-TL-T6", on: app).$parent.id == (try await unit("X-TL", on: app)).id)

            let bad = "code,name,kind,level,parent_code\r\nN1,Đơn vị một,commune,commune,TB\r\nN2,,commune,commune,TB\r\nN3,Ba,khong-co,commune,TB\r\nN4,Bốn,commune,commune,KHONG\r\n"
            let refused = try await client.post("/units/import", form: ["text": bad])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.contains("Dòng 3"))
            #expect(refused.body.contains("Dòng 4"))
            #expect(try await OrgUnit.query(on: app.db).filter(\.$code == "N1").count() == 0)
            let late = "code,name,kind,level,parent_code\r\nN1,Đơn vị một,commune,commune,TB\r\nN4,Bốn,commune,commune,KHONG\r\n"
            let lateRefused = try await client.post("/units/import", form: ["text": late])
            #expect(lateRefused.body.contains("Dòng 3"))
            #expect(try await OrgUnit.query(on: app.db).filter(\.$code == "N1").count() == 0)
        }
    }

    @Test("the unit tree cache serves the same tree until any instance changes a unit, then the new one")
    func treeCache() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            // Two caches on one database: two instances behind the load balancer.
            let first = UnitTreeCache(), second = UnitTreeCache()
            let names = { (units: [OrgUnit]) in units.map(\.name) }
            let fresh = try await UnitService.tree(in: .everything, includeEnded: false, on: app.db)
            let a = try await first.tree(in: .everything, includeEnded: false, on: app.db)
            #expect(names(a) == names(fresh))
            let again = try await first.tree(in: .everything, includeEnded: false, on: app.db)
            #expect(again.first === a.first)
            _ = try await second.tree(in: .everything, includeEnded: false, on: app.db)

            // A rename through the other instance's cache's database is seen by both.
            let renamed = try await unit("X-TL", on: app)
            renamed.name = "Xã Tân Lập Mới"
            try await renamed.save(on: app.db)
            #expect(try await first.tree(in: .everything, includeEnded: false, on: app.db).contains { $0.name == "Xã Tân Lập Mới" })
            #expect(try await second.tree(in: .everything, includeEnded: false, on: app.db).contains { $0.name == "Xã Tân Lập Mới" })

            // A new unit appears in its parent's place, in every scope that holds it.
            let client = WebClient(app)
            try await client.login("admin")
            let created = try await client.post("/units", form: [
                "name": "Thôn Cache", "code": "X-TL-C1", "kind": "village", "level": "village",
                "parentID": renamed.id!.uuidString, "sortOrder": "99",
            ])
            #expect(created.status == .seeOther)
            let scoped = AccessScope.of(User.mock(role: .focal, unit: renamed), unit: renamed)
            let inScope = try await first.tree(in: scoped, includeEnded: false, on: app.db)
            #expect(inScope.contains { $0.code == "X-TL-C1" })
            #expect(names(try await second.tree(in: .everything, includeEnded: false, on: app.db))
                == names(try await UnitService.tree(in: .everything, includeEnded: false, on: app.db)))
            #expect(try await app.unitTreeCache.tree(in: .everything, includeEnded: false, on: app.db).contains { $0.code == "X-TL-C1" })
        }
    }
}

extension UnitForm {
    /// The form as posted fields.
    var fields: [String: String] {
        var result: [String: String] = [:]
        result["name"] = name
        result["shortName"] = shortName
        result["code"] = code
        result["kind"] = kind
        result["level"] = level
        result["parentID"] = parentID ?? ""
        result["sortOrder"] = sortOrder
        if let oversight { result["oversight"] = oversight }
        return result
    }
}

@Suite("Units without a focal person")
struct FocalCoverageTests {
    @Test("the home page counts, and the list shows, the active non-village units with no active focal person; a new one is seen at once")
    func withoutFocal() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            // The oracle: straight from the tables.
            let staffed = Set(try await User.query(on: app.db).filter(\.$role == .focal).filter(\.$isActive == true).all().map { $0.$unit.id })
            let expected = try await OrgUnit.query(on: app.db).filter(\.$status == .active).filter(\.$level != .village).all()
                .filter { !staffed.contains($0.id!) }
            #expect(expected.count >= 2)
            let client = WebClient(app)
            try await client.login("admin")
            #expect(try await client.get("/").body.contains("\(expected.count) đơn vị chưa có cán bộ đầu mối"))
            let list = try await client.get("/units?nofocal=1").body
            for unit in expected { #expect(list.contains(unit.id!.uuidString), "\(unit.code)") }
            for id in staffed { #expect(!list.contains(id.uuidString)) }

            let newlyStaffed = expected[0]
            try await User.mock(role: .focal, username: "daumoimoi", unit: newlyStaffed).save(on: app.db)
            #expect(try await client.get("/").body.contains("\(expected.count - 1) đơn vị chưa có cán bộ đầu mối"))
            #expect(!(try await client.get("/units?nofocal=1").body.contains(newlyStaffed.id!.uuidString)))
        }
    }
}

@Suite("Unit picker options")
struct UnitOptionsTests {
    @Test("the cached picker escapes names, marks the chosen units only, and follows a renamed or added unit at once")
    func optionsFollowTheTree() async throws {
        try await withTestApp { app in
            let units = try await TestProvince.load(app)
            let ward = try #require(units["P-HL"])
            let other = try #require(units["X-TL"])
            let cache = app.unitTreeCache
            let plain = try await cache.optionsHTML(in: .everything, includeEnded: false, selected: [], on: app.db)
            #expect(!plain.contains(" selected>"))
            let tree = try await cache.tree(in: .everything, includeEnded: false, on: app.db)
            #expect(plain.components(separatedBy: "<option ").count - 1 == tree.count)
            let chosen = try await cache.optionsHTML(in: .everything, includeEnded: false, selected: [ward.id!], on: app.db)
            #expect(chosen.contains("value=\"\(ward.id!.uuidString)\" selected>"))
            #expect(chosen.components(separatedBy: " selected>").count == 2)
            #expect(!chosen.contains("value=\"\(other.id!.uuidString)\" selected>"))

            ward.name = "Phường \"Hạ\" & <Long>"
            try await ward.update(on: app.db)
            let renamed = try await cache.optionsHTML(in: .everything, includeEnded: false, selected: [], on: app.db)
            #expect(renamed.contains("Phường &quot;Hạ&quot; &amp; &lt;Long&gt;</option>"))
            try await OrgUnit.mock("Thôn Mới Lập", code: "NEW-1", kind: .village, level: .village, under: ward).save(on: app.db)
            #expect(try await cache.optionsHTML(in: .everything, includeEnded: false, selected: [], on: app.db).contains("Thôn Mới Lập"))
        }
    }

    @Test("picker labels tell units apart: a repeated name carries its parent's; the page's unit list is escaped and follows a change at once")
    func pickerLabels() async throws {
        try await withTestApp { app in
            let units = try await TestProvince.load(app)
            let ward = try #require(units["P-HL"])
            let commune = try #require(units["X-TL"])
            try await OrgUnit.mock("Chi bộ số 1", code: "CB-HL", kind: .partyCommittee, level: .village, under: ward).save(on: app.db)
            try await OrgUnit.mock("Chi bộ số 1", code: "CB-TL", kind: .partyCommittee, level: .village, under: commune).save(on: app.db)
            let tree = try await app.unitTreeCache.tree(in: .everything, includeEnded: false, on: app.db)
            let labels = UnitTreeCache.pickerLabels(tree).map(\.label)
            #expect(labels.contains("Chi bộ số 1 (Phường Hòa Lạc)"))
            #expect(labels.contains("Chi bộ số 1 (Xã Tân Lập)"))
            #expect(labels.contains("Sở Nội vụ"))
            #expect(Set(labels).count == labels.count)
            let client = WebClient(app)
            try await client.login("chuyenvien")
            ward.name = "Phường \"Hạ\" & <Long>"
            try await ward.update(on: app.db)
            let page = try await client.get("/documents/manual")
            #expect(page.body.contains("<option value=\"Phường &quot;Hạ&quot; &amp; &lt;Long&gt;\" data-id=\"\(ward.id!.uuidString)\">"))
            #expect(page.body.components(separatedBy: "data-id=\"").count - 1 == tree.count)
        }
    }
}
