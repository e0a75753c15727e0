import ConsoleKit
import Fluent
import Foundation
import Vapor

/// `danvan create-admin USERNAME [--unit CODE] [--full-name NAME]`: creates an administrator,
/// or resets an existing one's password. The password is read from standard input, so it
/// never appears in the shell history or the process list.
struct CreateAdminCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "username", help: L10n.text("users.ten_dang_nhap"))
        var username: String
        @Option(name: "unit", help: L10n.text("users.ma_don_vi_cua_quan_tri"))
        var unit: String?
        @Option(name: "full-name", help: L10n.text("users.ho_va_ten"))
        var fullName: String?
    }

    var help: String { L10n.text("users.tao_tai_khoan_quan_tri_mat") }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        let username = signature.username.lowercased()
        guard User.isValidUsername(username) else { throw ConfigError(L10n.text("error.usernameFormat")) }
        context.console.print(L10n.format("users.nhap_mat_khau_it_nhat_ky", ["\(Passwords.minimumLength)"]))
        guard let password = readLine(strippingNewline: true), password.count >= Passwords.minimumLength else {
            throw ConfigError(L10n.text("account.tooShort"))
        }
        let db = app.db
        let unit: OrgUnit
        if let code = signature.unit {
            guard let found = try await OrgUnit.query(on: db).filter(\.$code == code).first() else { throw ConfigError(L10n.format("users.khong_co_don_vi_ma", ["\(code)"])) }
            unit = found
        } else if let root = try await OrgUnit.query(on: db).filter(\.$parent.$id == nil).sort(\.$sortOrder).first() {
            unit = root
        } else {
            unit = OrgUnit(name: L10n.text("users.don_vi_goc"), code: "ROOT", kind: .other, level: .province)
            unit.place(under: nil)
            try await unit.create(on: db)
        }
        if let existing = try await User.query(on: db).filter(\.$username == username).first() {
            existing.role = .admin
            existing.isActive = true
            try await UserService.setPassword(existing, to: password, byAdministrator: false, actor: .system, app: app, on: db)
            context.console.print(L10n.format("users.da_dat_lai_mat_khau_va", ["\(username)"]))
            return
        }
        let hash = try await Passwords.hash(password, on: app)
        let user = User(username: username, fullName: signature.fullName ?? L10n.text("users.quan_tri_he_thong"), passwordHash: hash, role: .admin, unitID: try unit.requireID())
        try await db.transaction { db in
            try await user.create(on: db)
            try await AuditLog.record(on: db, actor: .system, at: app.clock.now(), action: "create", entityType: "user", entityID: user.id, summary: L10n.format("users.tao_quan_tri_vien_bang_dong", ["\(username)"]), after: user.auditSnapshot)
        }
        context.console.print(L10n.format("users.da_tao_quan_tri_vien_thuoc", ["\(username)", "\(unit.name)"]))
    }
}
