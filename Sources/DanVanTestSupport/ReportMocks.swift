import DanVanCore
import DanVanReports
import Fluent
import Foundation
import Vapor

extension ReportDefinition {
    /// A small monthly template: two sections (one required, one for pressing issues) and
    /// indicators of each kind with a rule "resolved ≤ received".
    public static var mock: ReportDefinition {
        ReportDefinition(
            sections: [
                .init(key: "situation", title: "Tình hình nhân dân", guidance: "Tư tưởng, tâm trạng của nhân dân", required: true),
                .init(key: "pressing", title: "Vấn đề bức xúc, nổi cộm", pressing: true),
                .init(key: "proposals", title: "Kiến nghị, đề xuất"),
            ],
            indicators: [
                .init(key: "dialogues", name: "Số cuộc đối thoại", kind: .integer, measure: "cuộc", minimum: 0, combine: .sum),
                .init(key: "received", name: "Số đơn thư tiếp nhận", kind: .integer, measure: "đơn", minimum: 0, combine: .sum),
                .init(key: "resolved", name: "Số đơn thư đã giải quyết", kind: .integer, measure: "đơn", minimum: 0, combine: .sum),
                .init(key: "resolved_rate", name: "Tỷ lệ giải quyết", kind: .percentage, measure: "%", combine: .weightedAverage, weightKey: "received"),
                .init(key: "hotspot", name: "Có điểm nóng", kind: .yesNo, combine: .countYes),
                .init(key: "tasks_done", name: "Nhiệm vụ hoàn thành trong kỳ", kind: .integer, measure: "nhiệm vụ", minimum: 0, combine: .sum, source: "tasks.done"),
            ],
            rules: [.init(left: "resolved", comparison: .lessOrEqual, right: "received", message: "Số đã giải quyết không được lớn hơn số tiếp nhận.")]
        )
    }
}

extension ReportTemplate {
    /// Saves `definition` as a new version of the template `code`.
    @discardableResult
    public static func saveMock(_ definition: ReportDefinition = .mock, code: String = "thang", on db: any Database, at: Date = Date()) async throws -> ReportTemplate {
        try await ReportService.saveTemplate(code: code, name: "Báo cáo tình hình tháng", documentKind: "Báo cáo", definition: definition, actor: .system, at: at, on: db)
    }
}
