import ConsoleKit
import DanVanCore
import Fluent
import Vapor

/// What the demo target adds to the `danvan` executable: `demo`, and the load generators the
/// benchmarks use. The assembly calls this; no domain module knows the demo.
public enum DemoCommands {
    /// Registers `demo`, `generate-load` and `bench-quiz`.
    public static func register(on app: Application) {
        app.asyncCommands.use(DemoCommand(), as: "demo")
        app.asyncCommands.use(GenerateLoadCommand(), as: "generate-load")
        app.asyncCommands.use(GenerateReportsCommand(), as: "generate-reports")
        app.asyncCommands.use(GenerateCitizensCommand(), as: "generate-citizens")
        app.asyncCommands.use(GenerateEmulationCommand(), as: "generate-emulation")
        app.asyncCommands.use(QuizBenchCommand(), as: "bench-quiz")
    }
}

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
