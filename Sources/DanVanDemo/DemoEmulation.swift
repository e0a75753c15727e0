import DanVanCore
import DanVanEmulation
import DanVanText
import Fluent
import Foundation
import Vapor

/// Demo "Dân vận khéo": five years of models across the province (more registered and
/// recognised each year, so the target page tells a story: 2025 met the 80% target, the
/// current year not yet), featured models with their whole trail (appraisal by the provincial
/// council, recognition, commendation, replication as tasks, one retired), grassroots
/// democracy assessed for last year and partly for this one, a published press contest and an
/// open Hội thi. The current year's registration window is open all year so a newcomer can register.
public enum DemoEmulation {
    struct Featured {
        let unit: String
        let yearsAgo: Int
        let kind: DVKModel.Kind
        let field: EmulationField
        let land: Bool
        let name: String
        let problem: String
        let solution: String
        let beneficiaries: String
        let results: String
        /// nil: still being built; "proposed"; "commune"/"province": recognised at that level.
        let outcome: String?
        var commend: String? = nil
        var replicateTo: [String] = []
        var retire: String? = nil
    }

    static let featured: [Featured] = [
        Featured(unit: "X-TL", yearsAgo: 1, kind: .model, field: .economy, land: true, name: "Dân vận khéo trong vận động Nhân dân hiến đất mở rộng đường liên thôn",
                 problem: "Đường liên thôn Tân Thành – Bãi Giữa chỉ rộng 2,5 m, xuống cấp; nhiều hộ chưa đồng thuận hiến đất.",
                 solution: "Tổ dân vận thôn gặp từng hộ; cán bộ, đảng viên hiến đất trước; công khai thiết kế, dự toán; Ban Giám sát đầu tư của cộng đồng theo dõi thi công.",
                 beneficiaries: "1.120 hộ của 3 thôn", results: "312 hộ hiến 14.600 m² đất; mở rộng 4,5 km đường bê tông; không có khiếu nại.",
                 outcome: "province", commend: "Bằng khen của Ban Thường vụ Tỉnh ủy", replicateTo: ["X-DT", "X-PH"]),
        Featured(unit: "X-ML", yearsAgo: 1, kind: .model, field: .culture, land: false, name: "Già làng, người có uy tín cùng giữ bản không có người vi phạm pháp luật",
                 problem: "Thanh niên trong bản bị lôi kéo sử dụng ma túy, vi phạm pháp luật.",
                 solution: "Mỗi người có uy tín nhận kèm cặp 5 hộ; sinh hoạt bản hằng tháng bằng tiếng dân tộc; hương ước bổ sung điều khoản phòng chống ma túy.",
                 beneficiaries: "5 bản, 640 hộ đồng bào Thái", results: "2 năm liền không có người mới nghiện; 100% hộ ký cam kết.",
                 outcome: "province", commend: "Giấy khen của Ban Tuyên giáo và Dân vận Tỉnh ủy"),
        Featured(unit: "P-HL", yearsAgo: 1, kind: .model, field: .government, land: false, name: "Bộ phận một cửa phường Hòa Lạc \"Nói không với giấy hẹn quá hạn\"",
                 problem: "Nhiều hồ sơ hành chính quá hạn, người dân phải đi lại nhiều lần.",
                 solution: "Công khai tiến độ từng hồ sơ; nhắn tin khi có kết quả; trả kết quả tại nhà cho người cao tuổi.",
                 beneficiaries: "Người dân 5 khu phố", results: "Hồ sơ đúng hạn tăng từ 86% lên 99,2%; mức hài lòng 97%.", outcome: "province"),
        Featured(unit: "MTTQ-HLHPN", yearsAgo: 2, kind: .model, field: .economy, land: false, name: "Tổ phụ nữ tiết kiệm giúp nhau thoát nghèo",
                 problem: "Phụ nữ nghèo khó tiếp cận vốn vay, dễ vay nặng lãi.",
                 solution: "Tổ tiết kiệm xoay vòng, tập huấn làm ăn, kết nối ngân hàng chính sách.",
                 beneficiaries: "418 hội viên nghèo, cận nghèo", results: "126 hộ thoát nghèo sau 2 năm.", outcome: "province", replicateTo: ["X-ES"]),
        Featured(unit: "X-ES", yearsAgo: 0, kind: .exemplar, field: .defence, land: true, name: "Già làng Y Blong Niê vận động đồng bào nhận tiền bồi thường, bàn giao mặt bằng hồ Ea Sô",
                 problem: "42 hộ chưa nhận tiền bồi thường, chậm bàn giao mặt bằng dự án hồ chứa nước.",
                 solution: "Già làng đi cùng tổ công tác đến từng hộ, giải thích chính sách bằng tiếng Ê Đê, đề xuất điều chỉnh vị trí tái định cư gần nương rẫy.",
                 beneficiaries: "42 hộ buôn Krông", results: "38/42 hộ đã nhận tiền và bàn giao mặt bằng.", outcome: "proposed"),
        Featured(unit: "X-DT", yearsAgo: 0, kind: .model, field: .politics, land: false, name: "Chi bộ thôn đối thoại với Nhân dân mỗi quý",
                 problem: "Ý kiến của Nhân dân chậm được tiếp thu, giải quyết.",
                 solution: "Mỗi quý bí thư chi bộ, trưởng thôn đối thoại; kiến nghị ghi sổ và trả lời tại buổi sau.",
                 beneficiaries: "Nhân dân 5 thôn", results: "", outcome: nil),
        Featured(unit: "X-TL-MT", yearsAgo: 0, kind: .model, field: .culture, land: false, name: "Khu dân cư văn minh, không rác thải nhựa",
                 problem: "Rác thải nhựa tồn đọng ở bờ kênh.",
                 solution: "Đoàn viên, hội viên phân loại rác tại nguồn; đổi rác lấy quà mỗi tháng.",
                 beneficiaries: "2.300 hộ", results: "Lượng rác nhựa ra bãi giảm 40%.", outcome: "commune"),
        Featured(unit: "UB-SNNMT", yearsAgo: 2, kind: .model, field: .government, land: true, name: "Cán bộ địa chính \"3 cùng\" với dân khi đo đạc, cấp giấy chứng nhận",
                 problem: "Tranh chấp, khiếu nại khi đo đạc lại bản đồ địa chính.",
                 solution: "Cán bộ cùng ăn, cùng ở, cùng làm với dân trong đợt đo đạc; hòa giải ngay tại thực địa.",
                 beneficiaries: "3 xã ven biển", results: "Khiếu nại về đo đạc giảm 65%.", outcome: "province", retire: "Đợt đo đạc đã kết thúc; mô hình không còn duy trì."),
        Featured(unit: "MTTQ-TD", yearsAgo: 0, kind: .model, field: .culture, land: false, name: "Thanh niên tình nguyện \"Ngày thứ Bảy vì dân\"",
                 problem: "Người cao tuổi, gia đình chính sách cần hỗ trợ việc nhà, thủ tục.",
                 solution: "Mỗi thứ Bảy đoàn viên đến giúp sửa nhà, làm thủ tục trực tuyến.",
                 beneficiaries: "Người cao tuổi, gia đình chính sách", results: "1.240 lượt hỗ trợ trong năm.", outcome: "province"),
        Featured(unit: "CA", yearsAgo: 1, kind: .model, field: .defence, land: false, name: "Công an xã bám địa bàn, gần dân",
                 problem: "Trộm cắp vặt, mâu thuẫn xóm giềng kéo dài.",
                 solution: "Mỗi cán bộ phụ trách một thôn, có số điện thoại công khai; họp tổ tự quản hằng tháng.",
                 beneficiaries: "Nhân dân các xã biên giới", results: "Tội phạm về trật tự xã hội giảm 30%.", outcome: "province"),
        Featured(unit: "X-PH", yearsAgo: 0, kind: .exemplar, field: .economy, land: false, name: "Bà Huỳnh Thị Mai, tổ trưởng tổ hợp tác nuôi tôm sạch",
                 problem: "Nuôi tôm tự phát, dịch bệnh, ô nhiễm.",
                 solution: "Vận động 24 hộ vào tổ hợp tác, nuôi theo quy trình VietGAP.",
                 beneficiaries: "24 hộ nuôi tôm", results: "Thu nhập tăng 35%; không có dịch bệnh.", outcome: "province"),
        Featured(unit: "UB-SYT", yearsAgo: 0, kind: .model, field: .government, land: false, name: "Trạm y tế thân thiện, khám bệnh không phải chờ",
                 problem: "Người bệnh chờ lâu, thủ tục bảo hiểm phức tạp.",
                 solution: "Đặt lịch qua điện thoại, khám lưu động cho người già.", beneficiaries: "Người dân 8 xã, phường", results: "", outcome: "proposed"),
    ]

    /// Titles the generated models draw from, by field ({0}: the unit's short place).
    static let titles: [(EmulationField, String)] = [
        (.economy, "Vận động Nhân dân chuyển đổi cây trồng ở {0}"), (.economy, "Tổ hợp tác sản xuất lúa hữu cơ {0}"),
        (.economy, "Liên kết tiêu thụ nông sản cho hộ nghèo {0}"), (.culture, "Dòng họ, gia đình văn hóa tiêu biểu {0}"),
        (.culture, "Câu lạc bộ gia đình hạnh phúc {0}"), (.culture, "Tủ sách pháp luật cộng đồng {0}"),
        (.defence, "Tổ tự quản an ninh trật tự {0}"), (.defence, "Camera an ninh do Nhân dân đóng góp {0}"),
        (.politics, "Đảng viên giữ mối liên hệ với hộ gia đình {0}"), (.politics, "Sinh hoạt chi bộ có Nhân dân dự {0}"),
        (.government, "Cán bộ một cửa tận tụy, thân thiện {0}"), (.government, "Tiếp dân định kỳ không hẹn {0}"),
    ]

    /// Loads the demo "Dân vận khéo" work on the demo province.
    public static func load(app: Application) async throws {
        let db = app.db
        let now = app.clock.now()
        let current = VNFormat.calendar.component(.year, from: now)
        let units = Dictionary(try await OrgUnit.query(on: db).all().map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        let users = Dictionary(try await User.query(on: db).all().map { ($0.username, $0) }, uniquingKeysWith: { a, _ in a })
        guard let board = units["TU-BTGDV"], let leader = users["lanhdao"], let specialist = users["chuyenvien"], let front = users["daumoi.mttq"], let home = users["daumoi.snv"],
              let communeLeader = users["lanhdao.xa"], let tanLap = units["X-TL"] else { return }
        let actor = AuditActor(id: leader.id, name: leader.username, address: nil)
        func date(_ year: Int, _ month: Int, _ day: Int) -> Date { VNFormat.parseDate(String(format: "%04d-%02d-%02d", year, month, day))! }
        // Settings, criteria and councils of every year shown.
        var councils: [Int: Council] = [:], communeCouncils: [Int: Council] = [:], democracyCouncils: [Int: Council] = [:]
        for year in (current - 4)...current {
            let settings = try await ModelService.year(year, on: db)
            settings.opensOn = date(year, 1, 1)
            settings.closesOn = year == current ? date(year, 12, 31) : date(year, 6, 30)
            settings.updatedAt = now
            try await settings.save(on: db)
            _ = try await EmulationDefaults.ensure(year: year, actor: actor, at: date(year, 1, 5), on: db)
            councils[year] = try await council(year: year, purpose: .model, unit: board, name: "Hội đồng thẩm định mô hình \"Dân vận khéo\" tỉnh năm \(year)", members: [leader, specialist, front, home], at: date(year, 1, 5), on: db)
            communeCouncils[year] = try await council(year: year, purpose: .model, unit: tanLap, name: "Hội đồng thẩm định \"Dân vận khéo\" xã Tân Lập năm \(year)", members: [communeLeader, specialist], at: date(year, 1, 5), on: db)
            democracyCouncils[year] = try await council(year: year, purpose: .democracy, unit: board, name: "Đoàn thẩm định dân chủ ở cơ sở năm \(year)", members: [leader, specialist], at: date(year, 1, 5), on: db)
        }
        let members = [leader, specialist, front, home]
        // The featured models with their whole trail.
        for item in featured {
            guard let unit = units[item.unit] else { continue }
            let year = current - item.yearsAgo
            var input = ModelInput()
            input.unitID = unit.id
            input.year = year
            input.kind = item.kind
            input.holder = item.kind == .exemplar ? .person : .collective
            input.name = item.name
            input.field = item.field
            input.landFocus = item.land
            input.problem = item.problem
            input.solution = item.solution
            input.beneficiaries = item.beneficiaries
            input.expected = item.results.isEmpty ? "" : "Duy trì và nhân rộng"
            input.contactName = users.values.first { $0.$unit.id == unit.id }?.fullName ?? "Văn phòng \(unit.name)"
            input.contactPhone = "0912 000 \(String(format: "%03d", abs(item.name.hashValue % 1000)))"
            let registeredAt = date(year, 2, 10)
            guard case .success(let model) = try await ModelService.register(input, actor: actor, at: registeredAt, on: db) else { continue }
            if item.outcome == nil {
                try await ModelService.note(model, text: "Đã họp dân ở 3/5 thôn, thống nhất lịch đối thoại.", results: nil, files: [], actor: actor, at: date(year, 4, 2), on: db)
                continue
            }
            try await ModelService.note(model, text: "Hoàn thành các bước theo kế hoạch; tổng hợp kết quả, minh chứng.", results: item.results, files: [], actor: actor, at: date(year, 5, 20), on: db)
            let level = item.outcome == "commune" ? "commune" : "province"
            try await ModelService.propose(model, level: level, results: item.results, actor: actor, at: date(year, 6, 15), on: db)
            if item.outcome == "proposed" { continue }
            let council = level == "province" ? councils[year]! : communeCouncils[year]!
            let scorers = level == "province" ? members : [communeLeader, specialist]
            guard let set = try await CriteriaSet.query(on: db).filter(\.$year == year).filter(\.$purpose == .model).first() else { continue }
            let appraisal = try await ModelService.openAppraisal(model, set: set, council: council, level: level, actor: actor, at: date(year, 7, 1), on: db)
            let criteria = try await AssessmentService.criteria(of: set.requireID(), on: db)
            for (index, member) in scorers.enumerated() {
                let state = try await AssessmentService.state(appraisal, on: db)
                guard AssessmentService.refusal(state, user: member) == nil else { continue }
                // Each appraiser a little apart: 88–95% of each maximum.
                let typed = Dictionary(uniqueKeysWithValues: criteria.map { ($0.id!, VNFormat.decimal(($0.maxPoints * (0.88 + Double((index * 3) % 8) / 100)).rounded(), places: 0)) })
                _ = try await AssessmentService.score(state, user: member, typed: typed, comment: index == 0 ? "Mô hình thiết thực, có sức lan tỏa." : "", actor: AuditActor(id: member.id, name: member.username, address: nil), at: date(year, 7, 3 + index), on: db)
            }
            _ = try await AssessmentService.close(try await AssessmentService.state(appraisal, on: db), discussion: "", actor: actor, at: date(year, 7, 10), on: db) { _, _ in }
            let closed = try await Appraisal.find(appraisal.id, on: db)!
            _ = try await ModelService.decide(model, appraisal: closed, recognise: true, passes: true, decisionNumber: level == "province" ? "\(20 + item.yearsAgo)-QĐ/BTGDVTU" : "05-QĐ/ĐU",
                                              decisionDate: date(year, 7, 25), reasons: "", actor: actor, at: date(year, 7, 25), on: db)
            if let commend = item.commend { try await ModelService.commend(model, form: commend, actor: actor, at: date(year, 9, 2), on: db) }
            let adopters = item.replicateTo.compactMap { units[$0] }
            if !adopters.isEmpty {
                // Replicated last year or now: the tasks are due within the year after.
                let due = max(date(year + 1, 6, 30), VNFormat.calendar.date(byAdding: .day, value: 60, to: now)!)
                _ = try await ModelService.replicate(model, units: adopters, content: "Học tập cách làm, xây dựng mô hình phù hợp địa phương", dueOn: due, followUps: app.followUps, actor: actor, at: date(year, 9, 10), on: db)
            }
            if let reasons = item.retire { try await ModelService.retire(model, reasons: reasons, actor: actor, at: date(current, 3, 1), on: db) }
        }
        try await generated(units: units, current: current, actor: actor, at: now, on: db)
        try await democracy(units: units, current: current, councils: democracyCouncils, scorers: [leader, specialist], actor: actor, on: db)
        try await contests(units: units, current: current, jury: [leader, specialist, front], board: board, actor: actor, on: db)
    }

    static func council(year: Int, purpose: AssessmentPurpose, unit: OrgUnit, name: String, members: [User], at: Date, on db: any Database) async throws -> Council {
        let council = Council()
        council.id = UUID()
        council.$unit.id = try unit.requireID()
        council.year = year
        council.purpose = purpose
        council.name = name
        council.chairID = members.first?.id
        council.createdAt = at
        try await council.create(on: db)
        for member in members {
            let row = CouncilMember()
            row.$council.id = try council.requireID()
            row.$user.id = try member.requireID()
            try await row.create(on: db)
        }
        return council
    }

    /// Every agency's models over five years, more each year: the shares 2 years ago ≈ 50%,
    /// last year over 80%, this year under way. Written directly (one transaction), recognitions
    /// with their decision; the featured models carry the full trail.
    static func generated(units: [String: OrgUnit], current: Int, actor: AuditActor, at now: Date, on db: any Database) async throws {
        let agencies = TargetService.agencies(Array(units.values)).sorted { $0.code < $1.code }
        let shares: [Int: (register: Double, recognise: Double)] = [current - 4: (0.45, 0.6), current - 3: (0.55, 0.7), current - 2: (0.7, 0.72), current - 1: (0.95, 0.9), current: (0.85, 0.72)]
        try await db.transaction { db in
            var generator = SeededGenerator(seed: 2026_1205)
            for (year, share) in shares.sorted(by: { $0.key < $1.key }) {
                for unit in agencies where Double.random(in: 0..<1, using: &generator) < share.register {
                    let (field, title) = titles.randomElement(using: &generator)!
                    let place = unit.shortName ?? unit.name
                    let model = DVKModel()
                    model.id = UUID()
                    model.$unit.id = try unit.requireID()
                    model.year = year
                    model.kind = .model
                    model.holder = .collective
                    model.name = title.replacingOccurrences(of: "{0}", with: place)
                    model.nameKey = VietnameseText.fold(model.name)
                    model.field = field
                    model.landFocus = false
                    model.problem = "Vấn đề được Nhân dân quan tâm ở \(place)."
                    model.solution = "Cấp ủy, chính quyền, Mặt trận và các đoàn thể cùng vận động; công khai, lấy ý kiến Nhân dân; phân công đảng viên phụ trách."
                    model.beneficiaries = "Nhân dân trên địa bàn"
                    model.expected = "Chuyển biến rõ trong năm"
                    model.results = "Đạt các mục tiêu đăng ký."
                    model.contactName = "Văn phòng \(place)"
                    model.contactPhone = ""
                    model.commendation = ""
                    model.reasons = ""
                    model.version = 1
                    let recognised = Double.random(in: 0..<1, using: &generator) < share.recognise
                    model.status = recognised ? .recognised : (year < current ? .notRecognised : .building)
                    if !recognised, year < current { model.reasons = "Chưa đạt tiêu chí về tính bền vững." }
                    model.level = recognised ? (unit.level == .commune ? "commune" : "province") : nil
                    model.recognisedYear = recognised ? year : nil
                    model.searchText = VietnameseText.fold(model.name + " " + model.problem + " " + model.solution)
                    model.createdAt = VNFormat.parseDate("\(year)-03-01")!
                    model.updatedAt = VNFormat.parseDate("\(year)-08-01")!
                    try await model.create(on: db)
                    if recognised {
                        let recognition = Recognition()
                        recognition.$model.id = try model.requireID()
                        recognition.unitID = try unit.requireID()
                        recognition.level = model.level!
                        recognition.year = year
                        recognition.field = field
                        recognition.decisionNumber = "\(year % 100)-QĐ/BTGDVTU"
                        recognition.decisionDate = VNFormat.parseDate("\(year)-07-25")!
                        recognition.result = Double(Int.random(in: 72...94, using: &generator))
                        try await recognition.create(on: db)
                    }
                }
            }
            try await AuditLog.record(on: db, actor: actor, at: now, action: "create", entityType: "dvk-model", entityID: nil, summary: "Nạp dữ liệu mẫu \"Dân vận khéo\"")
        }
    }

    /// Last year every commune self-assessed and was appraised (6 of 8 "tốt"); this year half
    /// have submitted and two are appraised; Xã Tân Lập has not started.
    static func democracy(units: [String: OrgUnit], current: Int, councils: [Int: Council], scorers: [User], actor: AuditActor, on db: any Database) async throws {
        let communes = TargetService.communes(Array(units.values)).sorted { $0.code < $1.code }
        for year in [current - 2, current - 1, current] {
            guard let set = try await DemocracyService.set(.democracy, year: year, on: db), let council = councils[year] else { continue }
            let criteria = try await AssessmentService.criteria(of: set.requireID(), on: db)
            for (index, commune) in communes.enumerated() {
                if year == current, commune.code == "X-TL" || index % 2 == 1 { continue }
                guard let assessment = try await DemocracyService.assessment(unitID: commune.requireID(), year: year, on: db) else { continue }
                // Strong communes score ~90, weaker ones ~75; last year two weaker, the year before three.
                let weak = year == current - 2 ? index % 3 == 0 : (index == 2 || index == 5)
                let ratio = weak ? 0.76 : 0.9
                let typed = Dictionary(uniqueKeysWithValues: criteria.map { ($0.id!, VNFormat.decimal(($0.maxPoints * ratio).rounded(), places: 0)) })
                let at = VNFormat.parseDate("\(year)-11-20")!
                _ = try await DemocracyService.save(assessment, criteria: criteria, typed: typed, notes: "Công khai đầy đủ; tổ chức \(3 + index) hội nghị cộng đồng; Ban Thanh tra nhân dân giám sát \(2 + index % 3) công trình.",
                                                     submit: true, files: [], actor: actor, at: at, on: db)
                if year == current && index > 3 { continue }
                let appraisal = try await DemocracyService.openAppraisal(assessment, set: set, council: council, actor: actor, at: at.addingTimeInterval(86_400), on: db)
                for member in scorers {
                    let state = try await AssessmentService.state(appraisal, on: db)
                    _ = try await AssessmentService.score(state, user: member, typed: typed, comment: "", actor: AuditActor(id: member.id, name: member.username, address: nil), at: at.addingTimeInterval(2 * 86_400), on: db)
                }
                _ = try await AssessmentService.close(try await AssessmentService.state(appraisal, on: db), discussion: "", actor: actor, at: at.addingTimeInterval(3 * 86_400), on: db) { appraisal, db in
                    try await DemocracyService.closed(appraisal, on: db)
                }
            }
        }
    }

    /// Last year's press contest, published with its prizes; this year's Hội thi taking entries.
    static func contests(units: [String: OrgUnit], current: Int, jury: [User], board: OrgUnit, actor: AuditActor, on db: any Database) async throws {
        for (year, kind, title, published) in [(current - 1, JuriedContest.Kind.press, "Cuộc thi viết về gương điển hình \"Dân vận khéo\" năm \(current - 1)", true),
                                               (current, JuriedContest.Kind.festival, "Hội thi \"Dân vận khéo\" tỉnh Thanh Bình năm \(current)", false)] {
            guard let set = try await DemocracyService.set(.contest, year: year, on: db) else { continue }
            let council = try await council(year: year, purpose: .contest, unit: board, name: "Ban giám khảo \(title)", members: jury, at: VNFormat.parseDate("\(year)-04-01")!, on: db)
            let contest = JuriedContest()
            contest.id = UUID()
            contest.$unit.id = try board.requireID()
            contest.title = title
            contest.kind = kind
            contest.year = year
            contest.$set.id = try set.requireID()
            contest.$council.id = try council.requireID()
            contest.status = .open
            contest.prizes = "Giải Nhất: 1\nGiải Nhì: 1\nGiải Ba: 2"
            contest.round = 0
            contest.createdAt = VNFormat.parseDate("\(year)-04-01")!
            try await contest.create(on: db)
            let entries = [("Người giữ lửa ở bản Mường Lạn", "Lò Văn Pắng", "X-ML"), ("Con đường đồng thuận ở Tân Lập", "Nguyễn Thị Thu", "X-TL"),
                           ("Một cửa không giấy hẹn", "Trần Minh Khoa", "P-HL"), ("Già làng và hồ Ea Sô", "H'Hoa Niê", "X-ES"), ("Tổ tiết kiệm của chị em", "Phạm Thị Lan", "MTTQ-HLHPN")]
            for (entryTitle, author, unit) in entries {
                guard let unit = units[unit] else { continue }
                _ = try await ContestService.addEntry(contest, unitID: unit.requireID(), title: entryTitle, author: author, summary: "Bài viết về gương \"Dân vận khéo\" ở \(unit.name).", files: [], actor: actor, at: VNFormat.parseDate("\(year)-05-10")!, on: db)
            }
            guard published else { continue }
            _ = try await ContestService.openRound(contest, top: nil, actor: actor, at: VNFormat.parseDate("\(year)-08-01")!, on: db)
            let criteria = try await AssessmentService.criteria(of: set.requireID(), on: db)
            for (rank, appraisal) in try await ContestService.appraisals(contest, round: 1, on: db).enumerated() {
                for (index, member) in jury.enumerated() {
                    let ratio = 0.95 - Double(rank) * 0.07 - Double(index) * 0.01
                    let typed = Dictionary(uniqueKeysWithValues: criteria.map { ($0.id!, VNFormat.decimal(($0.maxPoints * ratio).rounded(), places: 0)) })
                    _ = try await AssessmentService.score(try await AssessmentService.state(appraisal, on: db), user: member, typed: typed, comment: "", actor: actor, at: VNFormat.parseDate("\(year)-08-05")!, on: db)
                }
                _ = try await AssessmentService.close(try await AssessmentService.state(appraisal, on: db), discussion: "", actor: actor, at: VNFormat.parseDate("\(year)-08-10")!, on: db) { appraisal, db in
                    try await ContestService.closed(appraisal, on: db)
                }
            }
            _ = try await ContestService.publish(contest, actor: actor, at: VNFormat.parseDate("\(year)-08-20")!, on: db)
        }
    }
}
