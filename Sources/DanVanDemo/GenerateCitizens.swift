import ConsoleKit
import DanVanCitizens
import DanVanCore
import DanVanText
import Fluent
import Foundation
import SQLKit
import Vapor

/// `danvan generate-citizens [--count 1000000] [--years 5] [--communes 100]`: five years of
/// submissions for `scripts/bench-citizens`, with the skew of real life — a tenth of the
/// communes receive half of everything, land and compensation are almost half the fields —
/// and the states time gives them (old ones resolved, a few overdue, recent ones open), plus
/// hot spots and meetings in the busiest communes. Rows go in with multi-row INSERTs.
struct GenerateCitizensCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "count", help: "Số đơn thư (mặc định 1.000.000)")
        var count: Int?
        @Option(name: "years", help: "Số năm (mặc định 5)")
        var years: Int?
        @Option(name: "communes", help: "Số xã, phường thêm vào (mặc định 100)")
        var communes: Int?
    }

    var help: String { "Tạo đơn thư giả lập để đo hiệu năng (1.000.000 đơn, 5 năm, phân bố lệch)." }

    /// Fields by weight (land and compensation dominate).
    static let fields: [(PetitionField, Int)] = [(.land, 30), (.compensation, 16), (.environment, 10), (.socialPolicy, 12), (.officials, 6), (.administration, 12), (.infrastructure, 9), (.ethnicReligious, 2), (.other, 3)]
    static let kinds: [(PetitionKind, Int)] = [(.petition, 40), (.feedback, 30), (.complaint, 24), (.denunciation, 6)]
    static let channels: [PetitionChannel] = PetitionChannel.allCases
    static let subjects: [PetitionField: [String]] = [
        .land: ["tranh chấp ranh giới đất", "cấp giấy chứng nhận quyền sử dụng đất", "lấn chiếm đất công", "chuyển mục đích sử dụng đất", "đo đạc lại thửa đất"],
        .compensation: ["giá bồi thường đất nông nghiệp", "bố trí tái định cư", "hỗ trợ chuyển đổi nghề", "bồi thường cây trồng, vật nuôi", "tiến độ chi trả bồi thường"],
        .environment: ["nước thải cơ sở chế biến", "khói bụi lò gạch", "rác thải sinh hoạt", "tiếng ồn xưởng gỗ", "ô nhiễm nguồn nước giếng"],
        .socialPolicy: ["trợ cấp người cao tuổi", "hộ nghèo, cận nghèo", "chế độ người có công", "bảo hiểm y tế", "hỗ trợ nhà ở"],
        .officials: ["thái độ cán bộ một cửa", "cán bộ thu tiền sai quy định", "đảng viên vi phạm đạo đức", "cán bộ thôn thiếu công khai"],
        .administration: ["chậm giải quyết hồ sơ", "thủ tục đăng ký cư trú", "chứng thực giấy tờ", "cấp giấy phép xây dựng"],
        .infrastructure: ["đường giao thông xuống cấp", "đèn chiếu sáng hư hỏng", "mương thoát nước bị tắc", "cầu dân sinh xuống cấp"],
        .ethnicReligious: ["sinh hoạt tôn giáo", "hỗ trợ đồng bào dân tộc thiểu số"],
        .other: ["trật tự an ninh thôn xóm", "dịch vụ điện nước"],
    ]
    static let families = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
    static let middles = ["Văn", "Thị", "Minh", "Quốc", "Thanh", "Hữu", "Ngọc", "Đức"]
    static let givens = ["An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hùng", "Lan", "Long", "Mai", "Nam", "Nga", "Phúc", "Sơn", "Tâm", "Thảo", "Trung", "Tuấn", "Xuân"]

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        try await DemoProvince.loadIfEmpty(app: app)
        let count = signature.count ?? 1_000_000, years = signature.years ?? 5, extra = signature.communes ?? 100
        let started = Date()
        let now = app.clock.now()
        guard let province = try await OrgUnit.query(on: app.db).filter(\.$code == "TB").first(), let sql = app.db as? any SQLDatabase else { return }
        var communes = try await OrgUnit.query(on: app.db).filter(\.$level == .commune).filter(\.$kind == .commune).all()
        let added: [OrgUnit] = (0..<extra).map { number in
            let unit = OrgUnit(name: "Xã Đơn Thư \(number + 1)", shortName: nil, code: String(format: "DT-%04d", number + 1), kind: .commune, level: .commune, sortOrder: 20_000 + number, oversight: false)
            unit.id = UUID()
            unit.place(under: province)
            return unit
        }
        try await app.db.transaction { db in for unit in added { try await unit.create(on: db) } }
        communes += added
        let keys = CitizenKeys.of(app)
        var generator = SeededGenerator(seed: 20_261_205)
        // A tenth of the communes take half of the submissions.
        let busy = max(1, communes.count / 10)
        func pickCommune() -> OrgUnit {
            Double.random(in: 0..<1, using: &generator) < 0.5 ? communes[Int.random(in: 0..<busy, using: &generator)] : communes[Int.random(in: 0..<communes.count, using: &generator)]
        }
        func weighted<T>(_ items: [(T, Int)]) -> T {
            var roll = Int.random(in: 0..<items.reduce(0) { $0 + $1.1 }, using: &generator)
            for (item, weight) in items { if roll < weight { return item }; roll -= weight }
            return items[0].0
        }
        let today = VNFormat.calendar.startOfDay(for: now)
        let span = Double(years) * 365 * 86_400
        // Numbers go on from the demo's own.
        var numbers: [Int: Int] = [:]
        for petition in try await Petition.query(on: app.db).all() { numbers[petition.year] = max(numbers[petition.year] ?? 0, petition.number) }
        var inserted = 0
        let batchSize = 500
        while inserted < count {
            let size = min(batchSize, count - inserted)
            var insert = sql.insert(into: "petitions").columns(
                "id", "year", "number", "code_hash", "kind", "channel", "instance", "complexity", "remote", "sender_name", "sender_address", "sender_contact", "sender_key",
                "sender_count", "representatives", "commune_id", "unit_id", "handler_id", "field", "summary", "content", "search_text", "received_on", "ack_due_on",
                "acknowledged_on", "accepted_on", "resolve_due_on", "extensions", "resolved_on", "closed_on", "status", "result", "public_answer", "decision",
                "repeat_of_id", "over_level", "reopen_count", "satisfied", "version", "created_at", "updated_at", "received_month"
            )
            for _ in 0..<size {
                // Newer years a little busier; days spread over the span.
                let age = span * pow(Double.random(in: 0..<1, using: &generator), 1.15)
                let received = VNFormat.calendar.startOfDay(for: now.addingTimeInterval(-age))
                let year = VNFormat.calendar.component(.year, from: received)
                let number = (numbers[year] ?? 0) + 1
                numbers[year] = number
                let commune = pickCommune()
                let field = weighted(Self.fields)
                let kind = weighted(Self.kinds)
                let subject = Self.subjects[field]!.randomElement(using: &generator)!
                let village = "thôn \(Int.random(in: 1...12, using: &generator))"
                let name = "\(Self.families.randomElement(using: &generator)!) \(Self.middles.randomElement(using: &generator)!) \(Self.givens.randomElement(using: &generator)!)"
                let summary = "Đề nghị giải quyết \(subject) tại \(village), \(commune.name)"
                let content = "Công dân phản ánh về \(subject) tại \(village) đã kéo dài, đề nghị cơ quan có thẩm quyền xem xét, giải quyết dứt điểm."
                let mass = Int.random(in: 0..<200, using: &generator) == 0
                let ackDue = VNFormat.calendar.date(byAdding: .day, value: 14, to: received)!
                let days = Double(today.timeIntervalSince(received)) / 86_400
                // Old ones resolved (a few late), recent ones open; about 2% of open ones past due.
                var status = PetitionStatus.received
                var accepted: Date?, resolveDue: Date?, resolved: Date?, closed: Date?
                if days > 12 || Int.random(in: 0..<3, using: &generator) == 0 {
                    accepted = VNFormat.calendar.date(byAdding: .day, value: Int.random(in: 1...10, using: &generator), to: received)!
                    resolveDue = VNFormat.calendar.date(byAdding: .day, value: 30, to: accepted!)!
                    status = .accepted
                    if days > 45 || (days > 20 && Int.random(in: 0..<2, using: &generator) == 0) {
                        let late = Int.random(in: 0..<10, using: &generator) == 0
                        resolved = VNFormat.calendar.date(byAdding: .day, value: late ? Int.random(in: 31...60, using: &generator) : Int.random(in: 5...30, using: &generator), to: accepted!)!
                        if resolved! > today { resolved = nil } else { status = days > 90 ? .closed : .resolved; closed = status == .closed ? resolved : nil }
                    }
                } else if days > 14 && Int.random(in: 0..<50, using: &generator) != 0 {
                    status = .accepted
                    accepted = received
                    resolveDue = VNFormat.calendar.date(byAdding: .day, value: 30, to: received)!
                }
                let denunciation = kind == .denunciation
                insert = insert.values(
                    SQLBind(UUID()), SQLBind(year), SQLBind(number), SQLBind(Hex.string((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })), SQLBind(kind.rawValue),
                    SQLBind(Self.channels.randomElement(using: &generator)!.rawValue), SQLBind(1), SQLBind("normal"), SQLBind(false),
                    SQLBind(denunciation ? "" : name), SQLBind(denunciation ? "" : "\(village), \(commune.name)"), SQLBind(""),
                    SQLBind(keys.senderKey(for: name)), SQLBind(mass ? Int.random(in: 12...80, using: &generator) : 1), SQLBind(""),
                    SQLBind(commune.id!), SQLBind(commune.id!), SQLBind(Optional<UUID>.none), SQLBind(field.rawValue), SQLBind(summary), SQLBind(content),
                    SQLBind(PetitionText.words(summary + " " + content).sorted().joined(separator: " ")), SQLBind(received), SQLBind(ackDue),
                    SQLBind(accepted), SQLBind(accepted), SQLBind(resolveDue), SQLBind(0), SQLBind(resolved), SQLBind(closed), SQLBind(status.rawValue),
                    SQLBind(resolved == nil ? "" : "Đã giải quyết"), SQLBind(resolved == nil ? "" : "Đã trả lời công dân."), SQLBind(""),
                    SQLBind(Optional<UUID>.none), SQLBind(false), SQLBind(0), SQLBind(Optional<Bool>.none), SQLBind(1), SQLBind(received), SQLBind(received),
                    SQLBind(PetitionRollup.month(received))
                )
            }
            try await insert.run()
            inserted += size
            if inserted % 100_000 == 0 { context.console.print("  \(inserted) / \(count)") }
        }
        try await PetitionRollup.rebuild(on: app.db)
        context.console.print("generate-citizens: \(count) submissions over \(years) years in \(communes.count) communes in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }
}
