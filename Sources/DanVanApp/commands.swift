import ConsoleKit
import DanVanCore
import DanVanTasks
import DanVanText
import Fluent
import Vapor

/// `danvan demo [--hostname H] [--port P]`: migrates, loads the demo province into an empty
/// database, prints the URL and the demo logins, then serves (same options as `serve`).
struct DemoCommand: AnyAsyncCommand {
    var help: String { "Nạp dữ liệu mẫu (nếu cơ sở dữ liệu trống) rồi chạy máy chủ." }

    func outputAutoComplete(using context: inout CommandContext) {}

    func outputHelp(using context: inout CommandContext) {
        context.console.print("Cách dùng: danvan demo [--hostname 127.0.0.1] [--port 8080]")
    }

    func run(using context: inout CommandContext) async throws {
        let app = context.application
        app.config.demoMode = true
        try await app.autoMigrate()
        let loaded = try await DemoProvince.loadIfEmpty(app: app)
        context.console.print(loaded ? "Đã nạp tỉnh mẫu." : "Cơ sở dữ liệu đã có dữ liệu; giữ nguyên.")
        guard let serve = app.asyncCommands.commands["serve"] else { throw ConfigError("Không tìm thấy lệnh serve") }
        try await serve.run(using: &context)
        let address = app.http.server.shared.localAddress
        let host = address?.ipAddress ?? app.http.server.configuration.hostname
        let port = address?.port ?? app.http.server.configuration.port
        context.console.print("")
        context.console.print("DanVan (bản trình diễn) đang chạy: http://\(host):\(port)/")
        context.console.print("Tài khoản mẫu (mật khẩu: \(DemoProvince.password)):")
        for account in DemoProvince.accounts {
            context.console.print("  \(account.username.padding(toLength: 14, withPad: " ", startingAt: 0)) \(account.role.label) — \(account.unitName)")
        }
    }
}

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

/// `danvan send-reminders`: marks overdue tasks and sends deadline reminders once (the
/// scheduler inside `serve` does the same every 10 minutes; cron can call this instead).
struct SendRemindersCommand: AsyncCommand {
    struct Signature: CommandSignature {}

    var help: String { "Đánh dấu nhiệm vụ quá hạn và gửi nhắc hạn một lần." }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await context.application.autoMigrate()
        if let outcome = try await TaskJobs.runLocked(app: context.application) {
            context.console.print("Đã tạo \(outcome.occurrences) kỳ nhiệm vụ định kỳ, đánh dấu \(outcome.markedOverdue) nhiệm vụ quá hạn, gửi \(outcome.reminders) nhắc hạn.")
        } else {
            context.console.print("Một máy chủ khác đang chạy việc này; bỏ qua lượt này.")
        }
    }
}
