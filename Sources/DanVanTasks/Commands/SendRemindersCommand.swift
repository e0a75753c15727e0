import ConsoleKit
import DanVanCore
import Vapor

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
