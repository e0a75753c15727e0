import DanVanCore
import DanVanReports
import DanVanText
import Fluent
import Foundation
import Vapor

/// Demo reporting: the templates that read like the real ones (monthly situation report,
/// quarterly report for the briefing, 6-month and yearly reports), a monthly regime for every
/// commune and a quarterly one for the Front and the organisations, with 13 months of history
/// (so the consolidation has year-to-date and last-year columns), one commune late, one
/// missing, one returned, one waiting for review, and the current month open for the focal
/// points to fill.
public enum DemoReports {
    static let monthly = ReportDefinition(
        sections: [
            .init(key: "situation", title: "Tình hình nhân dân", guidance: "Tư tưởng, tâm trạng, dư luận của nhân dân về các vấn đề trong kỳ; đời sống, việc làm.", required: true),
            .init(key: "pressing", title: "Vấn đề bức xúc, nổi cộm", guidance: "Khiếu kiện đông người, tranh chấp đất đai, môi trường, đền bù giải phóng mặt bằng; nêu rõ địa bàn, số hộ.", pressing: true),
            .init(key: "results", title: "Kết quả công tác dân vận", guidance: "Tiếp xúc, đối thoại, mô hình \"Dân vận khéo\", thực hiện Quy chế dân chủ ở cơ sở.", required: true),
            .init(key: "proposals", title: "Kiến nghị, đề xuất"),
        ],
        indicators: [
            .init(key: "dialogues", name: "Số cuộc tiếp xúc, đối thoại với nhân dân", kind: .integer, measure: "cuộc", minimum: 0, combine: .sum),
            .init(key: "receptions", name: "Số buổi tiếp công dân", kind: .integer, measure: "buổi", minimum: 0, combine: .sum),
            .init(key: "petitions_received", name: "Số đơn thư tiếp nhận", kind: .integer, measure: "đơn", minimum: 0, combine: .sum),
            .init(key: "petitions_resolved", name: "Số đơn thư đã giải quyết", kind: .integer, measure: "đơn", minimum: 0, combine: .sum),
            .init(key: "resolved_rate", name: "Tỷ lệ giải quyết đơn thư", kind: .percentage, measure: "%", combine: .weightedAverage, weightKey: "petitions_received"),
            .init(key: "hotspot", name: "Có điểm nóng, khiếu kiện đông người", kind: .yesNo, combine: .countYes),
            .init(key: "tasks_done", name: "Nhiệm vụ được giao đã hoàn thành trong kỳ", kind: .integer, measure: "nhiệm vụ", minimum: 0, combine: .sum, source: "tasks.done"),
        ],
        rules: [.init(left: "petitions_resolved", comparison: .lessOrEqual, right: "petitions_received", message: "Số đơn thư đã giải quyết không được lớn hơn số tiếp nhận.")]
    )

    static let quarterly = ReportDefinition(
        sections: [
            .init(key: "situation", title: "Tình hình nhân dân và đoàn viên, hội viên", required: true),
            .init(key: "results", title: "Kết quả thực hiện nhiệm vụ trong quý", required: true),
            .init(key: "limits", title: "Hạn chế, nguyên nhân"),
            .init(key: "next", title: "Nhiệm vụ trọng tâm quý tới", required: true),
            .init(key: "pressing", title: "Vấn đề bức xúc, nổi cộm cần báo cáo ngay", pressing: true),
        ],
        indicators: [
            .init(key: "members_new", name: "Đoàn viên, hội viên kết nạp mới", kind: .integer, measure: "người", minimum: 0, combine: .sum),
            .init(key: "dvk_registered", name: "Mô hình \"Dân vận khéo\" đăng ký", kind: .integer, measure: "mô hình", minimum: 0, combine: .sum),
            .init(key: "dvk_recognised", name: "Mô hình \"Dân vận khéo\" được công nhận", kind: .integer, measure: "mô hình", minimum: 0, combine: .sum),
            .init(key: "dialogues", name: "Số cuộc đối thoại", kind: .integer, measure: "cuộc", minimum: 0, combine: .sum),
            .init(key: "supervisions", name: "Số cuộc giám sát, phản biện xã hội", kind: .integer, measure: "cuộc", minimum: 0, combine: .sum),
        ],
        rules: [.init(left: "dvk_recognised", comparison: .lessOrEqual, right: "dvk_registered", message: "Số mô hình được công nhận không được lớn hơn số đăng ký.")]
    )

    static let halfYear = ReportDefinition(
        sections: [
            .init(key: "results", title: "Kết quả sơ kết, tổng kết", required: true),
            .init(key: "limits", title: "Hạn chế, nguyên nhân"),
            .init(key: "next", title: "Phương hướng, nhiệm vụ kỳ tới", required: true),
        ],
        indicators: [
            .init(key: "dvk_registered", name: "Mô hình \"Dân vận khéo\" đăng ký", kind: .integer, measure: "mô hình", minimum: 0, combine: .sum),
            .init(key: "dvk_recognised", name: "Mô hình \"Dân vận khéo\" được công nhận", kind: .integer, measure: "mô hình", minimum: 0, combine: .sum),
            .init(key: "dialogues", name: "Số cuộc đối thoại", kind: .integer, measure: "cuộc", minimum: 0, combine: .sum),
            .init(key: "petitions_received", name: "Số đơn thư tiếp nhận", kind: .integer, measure: "đơn", minimum: 0, combine: .sum),
            .init(key: "petitions_resolved", name: "Số đơn thư đã giải quyết", kind: .integer, measure: "đơn", minimum: 0, combine: .sum),
            .init(key: "dvk_criteria", name: "Tỷ lệ đơn vị đạt tiêu chí \"Dân vận khéo\"", kind: .yesNo, combine: .shareYes),
            .init(key: "democracy_good", name: "Tỷ lệ xã, phường thực hiện tốt Quy chế dân chủ ở cơ sở", kind: .yesNo, combine: .shareYes),
        ],
        rules: [
            .init(left: "dvk_recognised", comparison: .lessOrEqual, right: "dvk_registered", message: "Số mô hình được công nhận không được lớn hơn số đăng ký."),
            .init(left: "petitions_resolved", comparison: .lessOrEqual, right: "petitions_received", message: "Số đơn thư đã giải quyết không được lớn hơn số tiếp nhận."),
        ]
    )

    static let situations = [
        "Nhân dân phấn khởi, tin tưởng vào sự lãnh đạo của cấp ủy; quan tâm đến giá cả vật tư nông nghiệp và việc làm của thanh niên.",
        "Tình hình nhân dân ổn định; một số hộ lo lắng về giá thu mua nông sản giảm và thời tiết bất thường.",
        "Đa số nhân dân đồng tình với chủ trương sáp nhập thôn, tổ dân phố; một bộ phận còn băn khoăn về vị trí nhà văn hóa.",
        "Nhân dân phấn khởi trước kết quả xây dựng nông thôn mới; dư luận quan tâm đến tiến độ nâng cấp đường liên thôn.",
    ]
    static let results = [
        "Tổ chức đối thoại giữa Bí thư Đảng ủy, Chủ tịch UBND với nhân dân về giải phóng mặt bằng; duy trì mô hình \"Dân vận khéo\" trong xây dựng đường giao thông nông thôn.",
        "Các tổ chức chính trị - xã hội vận động hội viên hiến đất mở rộng đường; tiếp công dân định kỳ theo quy định.",
        "Triển khai Quy chế dân chủ ở cơ sở; công khai các khoản đóng góp, kết quả bình xét hộ nghèo.",
    ]
    static let pressing = [
        "Khoảng 30 hộ dân thôn Bãi Giữa phản ánh việc chậm chi trả tiền bồi thường dự án đê sông; đã tổ chức đối thoại, cam kết chi trả trong tháng tới.",
        "Một số hộ dân phản ánh ô nhiễm mùi từ cơ sở chăn nuôi tập trung; đề nghị kiểm tra, xử lý.",
    ]

    /// A small deterministic generator so the demo is the same on every machine.
    struct Numbers {
        var state: UInt64
        mutating func next(_ range: ClosedRange<Int>) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return range.lowerBound + Int((state >> 33) % UInt64(range.count))
        }
    }

    /// Loads the templates, regimes, periods and submissions.
    public static func load(app: Application) async throws {
        let db = app.db
        let now = app.clock.now()
        let system = AuditActor.system
        let units = Dictionary(try await OrgUnit.query(on: db).all().map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        guard let board = units["TU-BTGDV"], let province = units["TB"], let front = units["MTTQ"] else { return }
        let longAgo = VNFormat.calendar.date(byAdding: .month, value: -15, to: now)!
        try await ReportService.saveTemplate(code: "tinh-hinh-thang", name: "Báo cáo tình hình nhân dân và công tác dân vận tháng", documentKind: "Báo cáo", definition: monthly, actor: system, at: longAgo, on: db)
        try await ReportService.saveTemplate(code: "truc-bao-quy", name: "Báo cáo phục vụ hội nghị trực báo quý", documentKind: "Báo cáo", definition: quarterly, actor: system, at: longAgo, on: db)
        try await ReportService.saveTemplate(code: "so-ket-6-thang", name: "Báo cáo sơ kết 6 tháng, tổng kết năm", documentKind: "Báo cáo", definition: halfYear, actor: system, at: longAgo, on: db)

        let monthlyRegime = try await ReportService.createRegime(RegimeDraft(
            name: "Báo cáo tình hình nhân dân và công tác dân vận hằng tháng",
            content: "Tình hình nhân dân; vấn đề bức xúc, nổi cộm; kết quả công tác dân vận; kiến nghị, đề xuất; số liệu theo biểu.",
            frequency: .month, window: .cutoff, receivingUnitID: board.id!, audience: .kindUnder, unitKind: .commune, unitLevel: .commune,
            rootUnitID: province.id!, deadlines: [.commune: 2, .province: 5], method: "Gửi trên hệ thống DanVan; văn bản ký số gửi qua hệ thống quản lý văn bản",
            templateCode: "tinh-hinh-thang", openAhead: 1
        ), actor: system, at: longAgo, on: db)
        let organisations = ["MTTQ", "MTTQ-LDLD", "MTTQ-HND", "MTTQ-HLHPN", "MTTQ-TD", "MTTQ-HCCB"].compactMap { units[$0]?.id }
        let quarterlyRegime = try await ReportService.createRegime(RegimeDraft(
            name: "Báo cáo phục vụ hội nghị trực báo quý",
            content: "Tình hình nhân dân và đoàn viên, hội viên; kết quả thực hiện nhiệm vụ; hạn chế; nhiệm vụ quý tới.",
            frequency: .quarter, window: .cutoff, receivingUnitID: board.id!, audience: .list, unitIDs: organisations,
            deadlines: [.province: 4], method: "Gửi trên hệ thống DanVan", templateCode: "truc-bao-quy", openAhead: 1
        ), actor: system, at: longAgo, on: db)
        _ = front
        try await ReportService.createRegime(RegimeDraft(
            name: "Báo cáo sơ kết 6 tháng công tác dân vận",
            content: "Kết quả sơ kết 6 tháng, tổng kết năm; hạn chế; phương hướng kỳ tới; chỉ tiêu Dân vận khéo và Quy chế dân chủ ở cơ sở.",
            frequency: .sixMonths, window: .cutoff, receivingUnitID: board.id!, audience: .kindUnder, unitKind: .commune, unitLevel: .commune,
            rootUnitID: province.id!, deadlines: [.commune: 3], method: "Gửi trên hệ thống DanVan", templateCode: "so-ket-6-thang", openAhead: 1
        ), actor: system, at: longAgo, on: db)

        var numbers = Numbers(state: 20_261_204)
        let specialist = AuditActor(id: nil, name: "Lê Minh Đức", address: nil)
        for (regime, months) in [(monthlyRegime, 1), (quarterlyRegime, 3)] {
            // Every period from 13 months back to the one holding today.
            let slots = ReportCalendar.upcoming(regime.frequency, window: regime.window, from: VNFormat.calendar.date(byAdding: .month, value: -13, to: now)!, count: 14 / months + 1)
                .filter { $0.start <= now }
            for (position, slot) in slots.enumerated() {
                let period = try await ReportService.openPeriod(regime, slot: slot, adHoc: false, questions: "", now: slot.start, actor: system, on: db)
                let latest = position == slots.count - 1
                let requests = try await ReportRequest.query(on: db).filter(\.$period.$id == period.id!).with(\.$unit).with(\.$period) { $0.with(\.$regime).with(\.$template) }.all()
                    .sorted { $0.unit.code < $1.unit.code }
                for request in requests {
                    let code = request.unit.code
                    // The open period: left for the focal points (Hòa Lạc, Tân Lập) to fill; two others already sent.
                    if latest, request.dueOn >= VNFormat.calendar.startOfDay(for: now) {
                        if ["P-HL", "X-TL"].contains(code) { continue }
                        if numbers.next(0...2) == 0 { continue }
                    }
                    // The last closed month: Mường Lạn never sent, Ea Sô late, Đồng Tâm returned, Phước Hưng waiting.
                    let lastClosed = position == slots.count - 2 && regime.id == monthlyRegime.id
                    if lastClosed, code == "X-ML" { continue }
                    var daysAfterDue = -numbers.next(0...2)
                    if lastClosed, code == "X-ES" { daysAfterDue = 3 }
                    if numbers.next(0...9) == 0 { daysAfterDue = numbers.next(1...4) }
                    let at = min(now.addingTimeInterval(-3600), VNFormat.calendar.date(byAdding: .day, value: daysAfterDue, to: request.dueOn)!.addingTimeInterval(10 * 3600))
                    let entry = entry(for: request.period.template, code: code, name: request.unit.name, numbers: &numbers)
                    let focal = AuditActor(id: nil, name: "Đầu mối " + request.unit.name, address: nil)
                    try await ReportService.save(request, entry: entry, submit: true, expectedVersion: request.version, actor: focal, at: at, on: db)
                    if latest && request.dueOn >= now { continue }
                    if lastClosed, code == "X-PH" { continue }
                    let reviewAt = min(now.addingTimeInterval(-1800), at.addingTimeInterval(86_400))
                    if lastClosed, code == "X-DT" {
                        try await ReportService.review(request, accept: false, comment: "Đề nghị bổ sung số đơn thư đã giải quyết và nêu rõ địa bàn điểm nóng.", expectedVersion: request.version, actor: specialist, at: reviewAt, on: db)
                        continue
                    }
                    try await ReportService.review(request, accept: true, comment: "", expectedVersion: request.version, actor: specialist, at: reviewAt, on: db)
                }
            }
        }
        // What the history left in the inboxes is old news: read, so "Việc cần làm" shows this month.
        let old = VNFormat.calendar.date(byAdding: .day, value: -20, to: now)!
        for item in try await InboxItem.query(on: db).filter(\.$kind =~ "report.").filter(\.$createdAt < old).all() {
            item.readAt = item.createdAt
            try await item.update(on: db)
        }
    }

    static func entry(for template: ReportTemplate, code: String, name: String, numbers: inout Numbers) -> ReportService.Entry {
        let definition = (try? template.definition) ?? monthly
        var typed: [String: String] = [:]
        let received = numbers.next(3...16)
        let resolved = max(0, received - numbers.next(0...3))
        for indicator in definition.indicators {
            switch indicator.key {
            case "petitions_received": typed[indicator.key] = String(received)
            case "petitions_resolved": typed[indicator.key] = String(resolved)
            case "resolved_rate": typed[indicator.key] = VNFormat.decimal(received == 0 ? 100 : Double(resolved) / Double(received) * 100, places: 1)
            case "hotspot": typed[indicator.key] = numbers.next(0...5) == 0 ? "1" : "0"
            case "dvk_registered": typed[indicator.key] = String(numbers.next(2...6))
            case "dvk_recognised": typed[indicator.key] = String(numbers.next(0...2))
            case "dvk_criteria", "democracy_good": typed[indicator.key] = numbers.next(0...4) == 0 ? "0" : "1"
            case "tasks_done": typed[indicator.key] = String(numbers.next(0...3))
            default: typed[indicator.key] = String(numbers.next(1...8))
            }
        }
        var texts: [String: String] = [:]
        for section in definition.sections {
            switch section.key {
            case "situation": texts[section.key] = situations[numbers.next(0...(situations.count - 1))]
            case "results": texts[section.key] = results[numbers.next(0...(results.count - 1))]
            case "pressing": if numbers.next(0...4) == 0 { texts[section.key] = pressing[numbers.next(0...(pressing.count - 1))] }
            case "next": texts[section.key] = "Tiếp tục nắm tình hình nhân dân; đẩy mạnh phong trào thi đua \"Dân vận khéo\"; chuẩn bị tổng kết năm."
            case "limits": texts[section.key] = "Việc nắm tình hình ở một số thôn còn chậm; báo cáo số liệu có lúc chưa kịp thời."
            default: break
            }
        }
        // Prefilled values: no source is computed in the demo history, so nothing to explain.
        return ReportService.Entry(typed: typed, texts: texts)
    }
}
