import ConsoleKit
import DanVanCore
import DanVanReports
import DanVanText
import Fluent
import Foundation
import SQLKit
import Vapor

/// `danvan generate-reports [--units 1000] [--indicators 40] [--years 5]`: a province-sized
/// reporting history for `scripts/bench-reports`: a cluster of N communes under the demo
/// province, a template of K indicators, a monthly and a quarterly regime with every period of
/// the last Y years, almost every report accepted (2% late, 3% never sent), and a focal point
/// `daumoi.thutai` in the first commune with the current month open. Rows go in with multi-row
/// INSERTs. Serve it with `DANVAN_JOBS=0` so the scheduler sends no inbox entries for it.
struct GenerateReportsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "units", help: "Số đơn vị báo cáo (mặc định 1000)")
        var units: Int?
        @Option(name: "indicators", help: "Số chỉ tiêu (mặc định 40)")
        var indicators: Int?
        @Option(name: "years", help: "Số năm số liệu (mặc định 5)")
        var years: Int?
    }

    var help: String { "Tạo dữ liệu báo cáo lớn giả lập để đo hiệu năng (1.000 đơn vị, 40 chỉ tiêu, 5 năm)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        try await DemoProvince.loadIfEmpty(app: app)
        let unitCount = signature.units ?? 1_000, indicatorCount = signature.indicators ?? 40, years = signature.years ?? 5
        let started = Date()
        let now = app.clock.now()
        guard let province = try await OrgUnit.query(on: app.db).filter(\.$code == "TB").first(),
              let board = try await OrgUnit.query(on: app.db).filter(\.$code == "TU-BTGDV").first() else { return }
        // The units.
        let cluster = OrgUnit(name: "Cụm đơn vị thử tải", shortName: nil, code: "THU-TAI", kind: .other, level: .province, sortOrder: 9_000, oversight: false)
        cluster.place(under: province)
        try await cluster.create(on: app.db)
        let communes: [OrgUnit] = (1...unitCount).map { number in
            let unit = OrgUnit(name: "Xã Thử Tải \(number)", shortName: nil, code: String(format: "TT-%04d", number), kind: .commune, level: .commune, sortOrder: number, oversight: false)
            unit.id = UUID()
            unit.place(under: cluster)
            return unit
        }
        try await app.db.transaction { db in
            for unit in communes { try await unit.create(on: db) }
        }
        let focal = User(username: "daumoi.thutai", fullName: "Đầu mối Xã Thử Tải 1", passwordHash: try await Passwords.hash(DemoProvince.password, on: app), role: .focal, unitID: communes[0].id!)
        try await focal.create(on: app.db)

        // The template: sums, rates weighted by a count, yes/no, with sections.
        var indicators: [ReportDefinition.Indicator] = []
        for number in 1...indicatorCount {
            switch number % 5 {
            case 0: indicators.append(.init(key: "i\(number)", name: "Tỷ lệ \(number)", kind: .percentage, measure: "%", combine: .weightedAverage, weightKey: "i\(number - 1)"))
            case 3: indicators.append(.init(key: "i\(number)", name: "Có hoạt động \(number)", kind: .yesNo, combine: .countYes))
            default: indicators.append(.init(key: "i\(number)", name: "Chỉ tiêu số \(number)", kind: .integer, measure: "lượt", minimum: 0, combine: .sum))
            }
        }
        let definition = ReportDefinition(sections: [
            .init(key: "situation", title: "Tình hình nhân dân", required: true), .init(key: "pressing", title: "Vấn đề bức xúc, nổi cộm", pressing: true),
            .init(key: "results", title: "Kết quả", required: true), .init(key: "proposals", title: "Kiến nghị"),
        ], indicators: indicators)
        try await ReportService.saveTemplate(code: "thu-tai", name: "Báo cáo thử tải \(indicatorCount) chỉ tiêu", documentKind: "Báo cáo", definition: definition, actor: .system, at: now, on: app.db)
        guard let template = try await ReportTemplate.query(on: app.db).filter(\.$code == "thu-tai").first(), let sql = app.db as? any SQLDatabase else { return }
        var requestRows = 0
        for frequency in [ReportFrequency.month, .quarter] {
            let regime = try await ReportService.createRegime(RegimeDraft(
                name: frequency == .month ? "Báo cáo thử tải hằng tháng" : "Báo cáo thử tải hằng quý", content: "", frequency: frequency, window: .cutoff,
                receivingUnitID: board.id!, audience: .kindUnder, unitKind: .commune, unitLevel: .commune, rootUnitID: cluster.id!,
                deadlines: [.commune: 3], method: "", templateCode: "thu-tai", openAhead: 1
            ), actor: .system, at: now, on: app.db)
            let from = VNFormat.calendar.date(byAdding: .year, value: -years, to: now)!
            let slots = ReportCalendar.upcoming(frequency, window: .cutoff, from: from, count: years * (frequency.periodsPerYear ?? 12) + 1).filter { $0.start <= now }
            for slot in slots {
                let period = ReportPeriod()
                period.id = UUID()
                period.$regime.id = regime.id!
                period.$template.id = template.id!
                period.key = slot.key(frequency)
                period.label = slot.label(frequency)
                period.year = slot.year
                period.index = slot.index
                period.startsOn = slot.start
                period.cutoffOn = slot.end
                period.questions = ""
                period.openedAt = slot.start
                try await period.create(on: app.db)
                let due = ReportCalendar.deadline(cutoff: slot.end, days: 3)
                let open = due >= VNFormat.calendar.startOfDay(for: now)
                for batchStart in stride(from: 0, to: communes.count, by: 250) {
                    let batch = communes[batchStart..<min(communes.count, batchStart + 250)]
                    var insert = sql.insert(into: "report_requests").columns(
                        "id", "period_id", "unit_id", "due_on", "status", "values", "texts", "overrides", "version", "first_submitted_at", "submitted_at", "accepted_at", "updated_at"
                    )
                    for (offset, unit) in batch.enumerated() {
                        let seed = (batchStart + offset) &* 7_919 &+ slot.ordinal &* 104_729
                        let missing = seed % 100 < 3 || open
                        let late = seed % 100 == 97 || seed % 100 == 98
                        var values: [String: Double] = [:]
                        if !missing {
                            for (index, indicator) in indicators.enumerated() {
                                let base = Double((seed &+ index &* 31) % 40 + 1)
                                switch indicator.kind {
                                case .percentage: values[indicator.key] = Double((seed &+ index) % 60 + 40)
                                case .yesNo: values[indicator.key] = (seed &+ index) % 4 == 0 ? 0 : 1
                                default: values[indicator.key] = base
                                }
                            }
                        }
                        let submitted = missing ? nil : VNFormat.calendar.date(byAdding: .day, value: late ? 2 : -1, to: due)
                        let texts = missing ? [:] : ["situation": "Tình hình nhân dân ổn định, phấn khởi; quan tâm giá nông sản (\(unit.name)).", "results": "Tổ chức đối thoại, tiếp công dân theo quy định."]
                        insert = insert.values(
                            SQLBind(UUID()), SQLBind(period.id!), SQLBind(unit.id!), SQLBind(due), SQLBind(missing ? "pending" : "accepted"),
                            SQLBind(try Self.json(values)), SQLBind(try Self.json(texts)), SQLBind("{}"), SQLBind(missing ? 1 : 3),
                            SQLBind(submitted), SQLBind(submitted), SQLBind(submitted.map { $0.addingTimeInterval(86_400) }), SQLBind(now)
                        )
                        requestRows += 1
                    }
                    try await insert.run()
                }
            }
        }
        context.console.print("generate-reports: \(unitCount) units, \(indicatorCount) indicators, \(years) years, \(requestRows) requests in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
