import ConsoleKit
import Fluent
import Foundation
import Vapor

/// `danvan create-admin USERNAME [--unit CODE] [--full-name NAME]`: creates an administrator,
/// or resets an existing one's password. The password is read from standard input, so it
/// never appears in the shell history or the process list.
struct CreateAdminCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "username", help: "Tên đăng nhập")
        var username: String
        @Option(name: "unit", help: "Mã đơn vị của quản trị viên (mặc định: đơn vị gốc đầu tiên)")
        var unit: String?
        @Option(name: "full-name", help: "Họ và tên")
        var fullName: String?
    }

    var help: String { "Tạo tài khoản quản trị; mật khẩu đọc từ đầu vào chuẩn." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        let username = signature.username.lowercased()
        guard User.isValidUsername(username) else { throw ConfigError(L10n.text("error.usernameFormat")) }
        context.console.print("Nhập mật khẩu (ít nhất \(Passwords.minimumLength) ký tự) rồi Enter:")
        guard let password = readLine(strippingNewline: true), password.count >= Passwords.minimumLength else {
            throw ConfigError(L10n.text("account.tooShort"))
        }
        let db = app.db
        let unit: OrgUnit
        if let code = signature.unit {
            guard let found = try await OrgUnit.query(on: db).filter(\.$code == code).first() else { throw ConfigError("Không có đơn vị mã \(code)") }
            unit = found
        } else if let root = try await OrgUnit.query(on: db).filter(\.$parent.$id == nil).sort(\.$sortOrder).first() {
            unit = root
        } else {
            unit = OrgUnit(name: "Đơn vị gốc", code: "ROOT", kind: .other, level: .province)
            unit.place(under: nil)
            try await unit.create(on: db)
        }
        if let existing = try await User.query(on: db).filter(\.$username == username).first() {
            existing.role = .admin
            existing.isActive = true
            try await UserService.setPassword(existing, to: password, byAdministrator: false, actor: .system, app: app, on: db)
            context.console.print("Đã đặt lại mật khẩu và quyền quản trị cho \(username).")
            return
        }
        let hash = try await Passwords.hash(password, on: app)
        let user = User(username: username, fullName: signature.fullName ?? "Quản trị hệ thống", passwordHash: hash, role: .admin, unitID: try unit.requireID())
        try await db.transaction { db in
            try await user.create(on: db)
            try await AuditLog.record(on: db, actor: .system, at: app.clock.now(), action: "create", entityType: "user", entityID: user.id, summary: "Tạo quản trị viên \(username) bằng dòng lệnh", after: user.auditSnapshot)
        }
        context.console.print("Đã tạo quản trị viên \(username) thuộc \(unit.name).")
    }
}
