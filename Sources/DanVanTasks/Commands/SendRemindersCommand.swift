import ConsoleKit
import DanVanCore
import Vapor

/// `danvan send-reminders`: marks overdue tasks and sends deadline reminders once (the
/// scheduler inside `serve` does the same every 10 minutes; cron can call this instead).
struct SendRemindersCommand: AsyncCommand {
    struct Signature: CommandSignature {}

    var help: String { L10n.text("tasks.danh_dau_nhiem_vu_qua_han") }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await context.application.autoMigrate()
        if let outcome = try await TaskJobs.runLocked(app: context.application) {
            context.console.print(L10n.format("tasks.da_tao_ky_nhiem_vu_dinh", ["\(outcome.occurrences)", "\(outcome.markedOverdue)", "\(outcome.reminders)"]))
        } else {
            context.console.print(L10n.text("tasks.mot_may_chu_khac_dang_chay"))
        }
    }
}
