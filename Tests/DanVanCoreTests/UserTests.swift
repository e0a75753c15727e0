import DanVanApp
import DanVanCore
import DanVanTestSupport
import Fluent
import Foundation
import Testing
import Vapor

@Suite("Accounts")
struct UserTests {
    @Test("an administrator creates an account; its first login must change the password")
    func createAndFirstLogin() async throws {
        try await withTestApp { app in
            // setup
            try await TestProvince.load(app)
            let commune = try await unit("X-PH", on: app)
            let admin = WebClient(app)
            try await admin.login("admin")
            // act
            let invalid = try await admin.post("/users", form: ["username": "Nguyễn A", "fullName": "Nguyễn Văn A", "role": "focal", "unitID": commune.id!.uuidString, "password": "ngan"])
            let created = try await admin.post("/users", form: ["username": "daumoi.ph", "fullName": "Nguyễn Văn A", "role": "focal", "unitID": commune.id!.uuidString, "password": "tamthoi123"])
            // check
            #expect(invalid.status == .unprocessableEntity)
            #expect(invalid.body.contains("Chỉ dùng chữ không dấu"))
            #expect(invalid.body.contains("Mật khẩu phải có ít nhất 8 ký tự."))
            #expect(invalid.body.contains("value=\"Nguyễn Văn A\""))
            #expect(!invalid.body.contains("ngan\""), "the typed password is not echoed back")
            #expect(created.status == .seeOther)
            let stored = try await user("daumoi.ph", on: app)
            #expect(stored.passwordHash.hasPrefix("$2"))
            #expect(stored.mustChangePassword)

            let newcomer = WebClient(app)
            try await newcomer.login("daumoi.ph", "tamthoi123")
            let home = try await newcomer.get("/")
            #expect(home.location == "/account")
            let weak = try await newcomer.post("/account/password", form: ["currentPassword": "tamthoi123", "newPassword": "abc", "confirmPassword": "abc"])
            #expect(weak.body.contains("Mật khẩu phải có ít nhất 8 ký tự."))
            let changed = try await newcomer.post("/account/password", form: ["currentPassword": "tamthoi123", "newPassword": "matkhaumoi1", "confirmPassword": "matkhaumoi1"])
            #expect(changed.status == .seeOther)
            #expect(try await newcomer.get("/").status == .ok)
        }
    }

    @Test("disabling an account ends its sessions and refuses its logins")
    func disable() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let target = try await user("daumoi.snv", on: app)
            let victim = WebClient(app)
            try await victim.login("daumoi.snv")
            #expect(try await victim.get("/").status == .ok)
            let admin = WebClient(app)
            try await admin.login("admin")
            try await admin.get("/users/\(target.id!)")
            let disabled = try await admin.post("/users/\(target.id!)/disable", form: [:])
            #expect(disabled.status == .seeOther)
            #expect(try await victim.get("/").status == .seeOther)
            let again = try await WebClient(app).login("daumoi.snv")
            #expect(again.status == .forbidden)
            #expect(again.body.contains("Tài khoản đã bị khóa"))
            let me = try await user("admin", on: app)
            let selfDisable = try await admin.post("/users/\(me.id!)/disable", form: [:])
            #expect(selfDisable.status == .seeOther)
            #expect(try await user("admin", on: app).isActive)
        }
    }

    @Test("a password reset by the administrator ends the user's sessions and forces a change")
    func resetPassword() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let target = try await user("daumoi", on: app)
            let victim = WebClient(app)
            try await victim.login("daumoi")
            let admin = WebClient(app)
            try await admin.login("admin")
            try await admin.get("/users/\(target.id!)/reset-password")
            let mismatch = try await admin.post("/users/\(target.id!)/reset-password", form: ["password": "matkhau123", "confirmPassword": "matkhau124"])
            #expect(mismatch.body.contains("không khớp"))
            let done = try await admin.post("/users/\(target.id!)/reset-password", form: ["password": "matkhau123", "confirmPassword": "matkhau123"])
            #expect(done.status == .seeOther)
            #expect(try await victim.get("/").status == .seeOther)
            #expect(try await WebClient(app).login("daumoi", "matkhau123").status == .seeOther)
            #expect(try await user("daumoi", on: app).mustChangePassword)
        }
    }

    @Test("a personal API token authenticates the API until it is revoked")
    func apiToken() async throws {
        try await withTestApp { app in
            try await TestProvince.load(app)
            let client = WebClient(app)
            try await client.login("admin")
            let page = try await client.post("/account/tokens", form: ["name": "Phần mềm báo cáo"])
            let token = try #require(page.body.firstMatch(of: /dv_[A-Za-z0-9_-]{43}/).map { String($0.output) })
            let anonymous = WebClient(app)
            let me = try await anonymous.get("/api/v1/me", headers: ["Authorization": "Bearer \(token)"])
            #expect(me.status == .ok)
            #expect(me.body.contains("\"username\":\"admin\""))
            let created = try await anonymous.send(.POST, "/api/v1/units", headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"], body: ByteBuffer(string: "{\"name\":\"Xã Thử\",\"code\":\"X-THU\",\"kind\":\"commune\",\"level\":\"commune\"}"))
            #expect(created.status == .created)
            let invalid = try await anonymous.send(.POST, "/api/v1/units", headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"], body: ByteBuffer(string: "{\"name\":\"\",\"code\":\"TU\",\"kind\":\"x\",\"level\":\"commune\"}"))
            #expect(invalid.status == .unprocessableEntity)
            #expect(invalid.body.contains("\"fields\""))
            let record = try #require(try await APIToken.query(on: app.db).first())
            #expect(record.tokenHash != token)
            try await client.post("/account/tokens/\(record.id!)/revoke", form: [:])
            #expect(try await anonymous.get("/api/v1/me", headers: ["Authorization": "Bearer \(token)"]).status == .unauthorized)
            #expect(try await anonymous.get("/api/v1/me", headers: ["Authorization": "Bearer dv_khong-hop-le"]).status == .unauthorized)
        }
    }
}
