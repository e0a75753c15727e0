import ConsoleKit
import DanVanCore
import DanVanDocuments
import DanVanTasks
import DanVanText
import Fluent
import Foundation
import SQLKit
import Vapor

/// `danvan generate-load [--documents 5000] [--tasks 200000]`: fills a database (with the demo
/// province) with synthetic documents and tasks for the scale benchmark. Rows go in with
/// multi-row INSERTs in transactions of a few thousand.
struct GenerateLoadCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "documents", help: "Số văn bản (mặc định 5000)")
        var documents: Int?
        @Option(name: "tasks", help: "Số nhiệm vụ (mặc định 200000)")
        var tasks: Int?
    }

    var help: String { "Tạo dữ liệu lớn giả lập để đo hiệu năng (5.000 văn bản, 200.000 nhiệm vụ)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        try await DemoProvince.loadIfEmpty(app: app)
        let documentCount = signature.documents ?? 5_000
        let taskCount = signature.tasks ?? 200_000
        let started = Date()
        let units = try await OrgUnit.query(on: app.db).filter(\.$status == .active).all()
        guard let board = units.first(where: { $0.code == "TU-BTGDV" }) ?? units.first, let sql = app.db as? any SQLDatabase else { return }
        let now = app.clock.now()
        let kinds = ["Kế hoạch", "Chỉ thị", "Nghị quyết", "Kết luận", "Thông báo", "Công văn", "Hướng dẫn"]
        let topics = ["công tác dân vận chính quyền", "phong trào thi đua Dân vận khéo", "đối thoại với Nhân dân", "giải phóng mặt bằng", "xây dựng nông thôn mới", "công tác tôn giáo", "công tác dân tộc", "thực hiện dân chủ ở cơ sở", "giám sát và phản biện xã hội", "tiếp công dân"]
        // Deterministic spread (no shared random state inside the transactions).
        let documentIDs = (0..<documentCount).map { _ in UUID() }
        let boardID = try board.requireID()
        // Documents.
        for batchStart in stride(from: 0, to: documentCount, by: 500) {
            let batch = min(500, documentCount - batchStart)
            try await app.db.transaction { db in
                guard let sql = db as? any SQLDatabase else { return }
                var insert = sql.insert(into: "documents").columns("id", "kind", "symbol", "symbol_key", "issued_on", "title", "issuer", "body", "search_text", "unit_id", "created_at", "updated_at")
                var ftsRows: [(String, String)] = []
                for offset in 0..<batch {
                    let number = batchStart + offset + 1
                    let id = documentIDs[number - 1]
                    let kind = kinds[number % kinds.count]
                    let topic = topics[number % topics.count]
                    let symbol = "\(number)-G\(number % 7)/TU"
                    let title = "\(kind) về \(topic) (số \(number))"
                    let body = "\(kind.uppercased())\n\(title)\n\nI. NHIỆM VỤ\n\n1. Giao Ban Tuyên giáo và Dân vận Tỉnh ủy chủ trì theo dõi việc \(topic). Thực hiện hàng năm.\n"
                    let search = VietnameseText.fold("\(symbol) \(title) \(body)")
                    let issued = now.addingTimeInterval(-Double((number * 7_919) % (8 * 365)) * 86_400)
                    insert = insert.values(SQLBind(id), SQLBind(kind), SQLBind(symbol), SQLBind(symbol.uppercased()), SQLBind(issued), SQLBind(title), SQLBind("Ban Thường vụ Tỉnh ủy"), SQLBind(body), SQLBind(search), SQLBind(boardID), SQLBind(now), SQLBind(now))
                    ftsRows.append((id.uuidString, search))
                }
                try await insert.run()
                if sql.dialect.name == "sqlite" {
                    var fts = sql.insert(into: "documents_fts").columns("document_id", "content")
                    for (id, content) in ftsRows { fts = fts.values(SQLBind(id), SQLBind(content)) }
                    try await fts.run()
                }
            }
        }
        // Tasks: realistic spread of states and deadlines around now.
        let statuses: [WorkTask.Status] = [.notStarted, .inProgress, .inProgress, .done, .done, .doneLate, .awaitingAcceptance, .notStarted]
        let unitIDs = units.compactMap(\.id)
        for batchStart in stride(from: 0, to: taskCount, by: 1_000) {
            let batch = min(1_000, taskCount - batchStart)
            try await app.db.transaction { db in
                guard let sql = db as? any SQLDatabase else { return }
                var insert = sql.insert(into: "work_tasks").columns("id", "document_id", "section", "content", "unit_id", "due_on", "status", "progress", "version", "search_text", "created_at", "updated_at")
                for offset in 0..<batch {
                    let number = batchStart + offset
                    let topic = topics[number % topics.count]
                    let content = "Tổ chức thực hiện \(topic), báo cáo kết quả (nhiệm vụ \(number + 1))."
                    let status = statuses[number % statuses.count]
                    let due = now.addingTimeInterval(Double((number * 7_919) % 801 - 400) * 86_400)
                    let progress = status == .done || status == .doneLate || status == .awaitingAcceptance ? 100 : (status == .inProgress ? 50 : 0)
                    insert = insert.values(
                        SQLBind(UUID()), SQLBind(documentIDs.isEmpty ? nil : documentIDs[number % documentIDs.count]), SQLBind("II.\(number % 9 + 1)"),
                        SQLBind(content), SQLBind(unitIDs[number % unitIDs.count]), SQLBind(due), SQLBind(status.rawValue), SQLBind(progress), SQLBind(1),
                        SQLBind(VietnameseText.fold(content)), SQLBind(now), SQLBind(now)
                    )
                }
                try await insert.run()
            }
        }
        if sql.dialect.name == "postgresql" { try await sql.raw("ANALYZE").run() }
        let seconds = Date().timeIntervalSince(started)
        context.console.print(String(format: "Đã tạo %d văn bản và %d nhiệm vụ trong %.1f s.", documentCount, taskCount, seconds))
    }
}
