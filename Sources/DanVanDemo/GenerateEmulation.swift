import ConsoleKit
import DanVanCore
import DanVanEmulation
import DanVanText
import Fluent
import Foundation
import SQLKit
import Vapor

/// `danvan generate-emulation [--communes 3300] [--years 10] [--models 50000]`: a province
/// at national scale for `scripts/bench-emulation` — that many more communes, every one with a
/// grassroots-democracy assessment each year (appraised, classed), and the models of those
/// years spread over every agency (a third of the communes busy), about half recognised.
/// Rows go in with multi-row INSERTs.
struct GenerateEmulationCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "communes", help: "Số xã, phường thêm vào (mặc định 3.300)")
        var communes: Int?
        @Option(name: "years", help: "Số năm (mặc định 10)")
        var years: Int?
        @Option(name: "models", help: "Số mô hình (mặc định 50.000)")
        var models: Int?
    }

    var help: String { "Tạo dữ liệu thi đua giả lập để đo hiệu năng (3.300 xã × 10 năm, 50.000 mô hình)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        try await DemoProvince.loadIfEmpty(app: app)
        let extra = signature.communes ?? 3300, years = signature.years ?? 10, count = signature.models ?? 50_000
        let started = Date()
        let current = VNFormat.calendar.component(.year, from: app.clock.now())
        guard let province = try await OrgUnit.query(on: app.db).filter(\.$code == "TB").first(), let sql = app.db as? any SQLDatabase else { return }
        let added: [OrgUnit] = (0..<extra).map { number in
            let unit = OrgUnit(name: "Xã Thi Đua \(number + 1)", shortName: nil, code: String(format: "TD-%05d", number + 1), kind: .commune, level: .commune, sortOrder: 30_000 + number, oversight: false)
            unit.id = UUID()
            unit.place(under: province)
            return unit
        }
        for chunk in stride(from: 0, to: added.count, by: 500) {
            try await app.db.transaction { db in for unit in added[chunk..<min(chunk + 500, added.count)] { try await unit.create(on: db) } }
        }
        let actor = AuditActor.system
        var sets: [Int: CriteriaSet] = [:]
        for year in (current - years + 1)...current {
            _ = try await EmulationDefaults.ensure(year: year, actor: actor, at: Date(), on: app.db)
            sets[year] = try await CriteriaSet.query(on: app.db).filter(\.$year == year).filter(\.$purpose == .democracy).first()
        }
        var generator = SeededGenerator(seed: 20_261_414)
        let units = try await OrgUnit.query(on: app.db).all()
        let agencies = TargetService.agencies(units)
        let communes = TargetService.communes(units)
        // Democracy: every commune, every year; better each year.
        // (The demo's own communes already have their last years.)
        var taken = Set<String>()
        for row in try await DemocracyAssessment.query(on: app.db).all() { taken.insert("\(row.$unit.id)-\(row.year)") }
        var rows: [(UUID, Int)] = []
        for commune in communes {
            for year in (current - years + 1)...current where !taken.contains("\(commune.id!)-\(year)") { rows.append((commune.id!, year)) }
        }
        for chunk in stride(from: 0, to: rows.count, by: 400) {
            var insert = sql.insert(into: DemocracyAssessment.schema).columns("id", "unit_id", "year", "set_id", "points", "total", "notes", "status", "result", "class_key", "submitted_at", "version", "updated_at")
            for (unitID, year) in rows[chunk..<min(chunk + 400, rows.count)] {
                let lift = Double(year - current + years) * 1.5
                let result = min(100, max(30, Double.random(in: 55...95, using: &generator) + lift))
                let set = sets[year]!
                let classKey = AssessmentEngine.classify(result, classes: set.classes)?.key
                let at = VNFormat.parseDate("\(year)-11-30")!
                insert = insert.values(SQLBind(UUID()), SQLBind(unitID), SQLBind(year), SQLBind(set.id!), SQLBind("{}"), SQLBind(result), SQLBind(""), SQLBind("appraised"),
                                       SQLBind(result), SQLBind(classKey), SQLBind(at), SQLBind(1), SQLBind(at))
            }
            try await insert.run()
        }
        // Models: a third of the communes busy; about half recognised (at commune or province level).
        let busy = Array(agencies.prefix(max(1, agencies.count / 3)))
        let titles = ["Dân vận khéo trong xây dựng nông thôn mới", "Tổ tự quản an ninh trật tự", "Hiến đất làm đường", "Tổ tiết kiệm giúp nhau", "Gia đình văn hóa tiêu biểu", "Một cửa thân thiện"]
        var made = 0
        while made < count {
            let size = min(400, count - made)
            var models = sql.insert(into: DVKModel.schema).columns(
                "id", "unit_id", "year", "kind", "holder", "name", "name_key", "field", "land_focus", "problem", "solution", "beneficiaries", "expected", "results",
                "contact_name", "contact_phone", "status", "level", "recognised_year", "commendation", "reasons", "search_text", "version", "created_at", "updated_at"
            )
            var recognitions = sql.insert(into: Recognition.schema).columns("id", "model_id", "unit_id", "level", "year", "field", "decision_number", "decision_date", "result")
            var any = false
            for index in 0..<size {
                let unit = Bool.random(using: &generator) ? busy.randomElement(using: &generator)! : agencies.randomElement(using: &generator)!
                let year = Int.random(in: (current - years + 1)...current, using: &generator)
                let field = EmulationField.allCases.randomElement(using: &generator)!
                let name = "\(titles.randomElement(using: &generator)!) số \(made + index + 1)"
                let recognised = Double.random(in: 0..<1, using: &generator) < 0.5
                let level = unit.level == .commune && Bool.random(using: &generator) ? "commune" : "province"
                let id = UUID()
                let at = VNFormat.parseDate("\(year)-03-01")!
                models = models.values(
                    SQLBind(id), SQLBind(unit.id!), SQLBind(year), SQLBind("model"), SQLBind("collective"), SQLBind(name), SQLBind(VietnameseText.fold(name)), SQLBind(field.rawValue),
                    SQLBind(false), SQLBind("Vấn đề"), SQLBind("Cách làm"), SQLBind(""), SQLBind(""), SQLBind(""), SQLBind("Liên hệ"), SQLBind(""),
                    SQLBind(recognised ? "recognised" : "building"), SQLBind(recognised ? level : nil), SQLBind(recognised ? year : nil), SQLBind(""), SQLBind(""),
                    SQLBind(VietnameseText.fold(name + " cach lam")), SQLBind(1), SQLBind(at), SQLBind(at)
                )
                if recognised {
                    any = true
                    recognitions = recognitions.values(SQLBind(UUID()), SQLBind(id), SQLBind(unit.id!), SQLBind(level), SQLBind(year), SQLBind(field.rawValue), SQLBind("\(year % 100)-QĐ"),
                                                       SQLBind(VNFormat.parseDate("\(year)-07-25")!), SQLBind(Double(Int.random(in: 70...98, using: &generator))))
                }
            }
            try await models.run()
            if any { try await recognitions.run() }
            made += size
            if made % 10_000 == 0 { context.console.print("  \(made) / \(count)") }
        }
        context.console.print("generate-emulation: \(communes.count) communes × \(years) years, \(count) models over \(agencies.count) units in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }
}
