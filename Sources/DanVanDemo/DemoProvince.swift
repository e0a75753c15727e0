import DanVanCore
import DanVanTasks
import Fluent
import Foundation
import Vapor

/// The demo province "Thanh Bình" (fictional): a realistic organisation tree after the 2025
/// reorganisation (merged boards, no district level, the five organisations under the Front),
/// with old units kept as merged or dissolved, and one demo account per role.
public enum DemoProvince {
    /// Password of every demo account.
    public static let password = "demo1234"

    /// A demo login.
    public struct Account: Sendable {
        public let username: String
        public let fullName: String
        public let role: Role
        public let unitCode: String
        public let unitName: String
    }

    /// The demo logins, printed by `danvan demo` and listed in the README.
    public static let accounts: [Account] = [
        Account(username: "admin", fullName: "Nguyễn Văn Quản", role: .admin, unitCode: "TU-VP", unitName: "Văn phòng Tỉnh ủy"),
        Account(username: "lanhdao", fullName: "Trần Thị Hồng Lĩnh", role: .leader, unitCode: "TU-BTGDV", unitName: "Ban Tuyên giáo và Dân vận Tỉnh ủy"),
        Account(username: "chuyenvien", fullName: "Lê Minh Đức", role: .specialist, unitCode: "TU-BTGDV-P2", unitName: "Phòng Dân vận các cơ quan Nhà nước, dân tộc và tôn giáo"),
        Account(username: "daumoi", fullName: "Phạm Thị Ánh", role: .focal, unitCode: "P-HL", unitName: "Phường Hòa Lạc"),
        Account(username: "daumoi.tanlap", fullName: "Hoàng Văn Bình", role: .focal, unitCode: "X-TL", unitName: "Xã Tân Lập"),
        Account(username: "lanhdao.xa", fullName: "Đặng Quốc Cường", role: .leader, unitCode: "X-TL", unitName: "Xã Tân Lập"),
        Account(username: "daumoi.mttq", fullName: "Võ Thị Ngọc Diệp", role: .focal, unitCode: "MTTQ", unitName: "Ủy ban MTTQ Việt Nam tỉnh"),
        Account(username: "daumoi.snv", fullName: "Bùi Đăng Khoa", role: .focal, unitCode: "UB-SNV", unitName: "Sở Nội vụ"),
    ]

    struct Spec {
        let code: String
        let name: String
        let short: String?
        let kind: OrgUnit.Kind
        let level: OrgUnit.Level
        let parent: String?
        var oversight = false
        var status: OrgUnit.Status = .active
        var successor: String? = nil
        var endedOn: String? = nil
    }

    static var specs: [Spec] {
        var list: [Spec] = [
            Spec(code: "TB", name: "Tỉnh Thanh Bình", short: nil, kind: .other, level: .province, parent: nil),
            Spec(code: "TU", name: "Tỉnh ủy Thanh Bình", short: "TU", kind: .partyCommittee, level: .province, parent: "TB"),
            Spec(code: "TU-VP", name: "Văn phòng Tỉnh ủy", short: "VPTU", kind: .partyBoard, level: .province, parent: "TU"),
            Spec(code: "TU-BTC", name: "Ban Tổ chức Tỉnh ủy", short: "BTCTU", kind: .partyBoard, level: .province, parent: "TU"),
            Spec(code: "TU-BTGDV", name: "Ban Tuyên giáo và Dân vận Tỉnh ủy", short: "BTGDVTU", kind: .partyBoard, level: .province, parent: "TU", oversight: true),
            Spec(code: "TU-BTGDV-P1", name: "Phòng Đoàn thể và các Hội", short: nil, kind: .partyBoard, level: .province, parent: "TU-BTGDV", oversight: true),
            Spec(code: "TU-BTGDV-P2", name: "Phòng Dân vận các cơ quan Nhà nước, dân tộc và tôn giáo", short: nil, kind: .partyBoard, level: .province, parent: "TU-BTGDV", oversight: true),
            Spec(code: "TU-BNC", name: "Ban Nội chính Tỉnh ủy", short: "BNCTU", kind: .partyBoard, level: .province, parent: "TU"),
            Spec(code: "TU-UBKT", name: "Ủy ban Kiểm tra Tỉnh ủy", short: "UBKTTU", kind: .partyBoard, level: .province, parent: "TU"),
            Spec(code: "TU-BDV", name: "Ban Dân vận Tỉnh ủy", short: "BDVTU", kind: .partyBoard, level: .province, parent: "TU", status: .merged, successor: "TU-BTGDV", endedOn: "2025-03-01"),
            Spec(code: "TU-BTG", name: "Ban Tuyên giáo Tỉnh ủy", short: "BTGTU", kind: .partyBoard, level: .province, parent: "TU", status: .merged, successor: "TU-BTGDV", endedOn: "2025-03-01"),
            Spec(code: "HDND-DD", name: "Đảng đoàn Hội đồng nhân dân tỉnh", short: "Đảng đoàn HĐND", kind: .partyDelegation, level: .province, parent: "TB"),
            Spec(code: "HDND", name: "Hội đồng nhân dân tỉnh", short: "HĐND tỉnh", kind: .peoplesCouncil, level: .province, parent: "TB"),
            Spec(code: "UB-BCS", name: "Ban cán sự đảng Ủy ban nhân dân tỉnh", short: "BCS đảng UBND tỉnh", kind: .partyDelegation, level: .province, parent: "TB"),
            Spec(code: "UB", name: "Ủy ban nhân dân tỉnh", short: "UBND tỉnh", kind: .government, level: .province, parent: "TB"),
            Spec(code: "MTTQ", name: "Ủy ban MTTQ Việt Nam tỉnh", short: "MTTQ tỉnh", kind: .fatherlandFront, level: .province, parent: "TB"),
            Spec(code: "MTTQ-DD", name: "Đảng đoàn MTTQ Việt Nam tỉnh", short: "Đảng đoàn MTTQ", kind: .partyDelegation, level: .province, parent: "TB"),
            Spec(code: "QS", name: "Bộ Chỉ huy Quân sự tỉnh", short: "BCHQS tỉnh", kind: .armedForces, level: .province, parent: "TB"),
            Spec(code: "CA", name: "Công an tỉnh", short: nil, kind: .armedForces, level: .province, parent: "TB"),
            Spec(code: "BP", name: "Bộ Chỉ huy Bộ đội Biên phòng tỉnh", short: "BĐBP tỉnh", kind: .armedForces, level: .province, parent: "TB"),
            Spec(code: "BAO", name: "Báo và Phát thanh, Truyền hình Thanh Bình", short: nil, kind: .press, level: .province, parent: "TB"),
            Spec(code: "BAO-CU", name: "Báo Thanh Bình", short: nil, kind: .press, level: .province, parent: "TB", status: .merged, successor: "BAO", endedOn: "2025-07-01"),
            Spec(code: "DAI-CU", name: "Đài Phát thanh và Truyền hình tỉnh", short: nil, kind: .press, level: .province, parent: "TB", status: .merged, successor: "BAO", endedOn: "2025-07-01"),
            Spec(code: "HU-SD", name: "Huyện ủy Sơn Đông", short: "HU Sơn Đông", kind: .partyCommittee, level: .district, parent: "TB", status: .dissolved, endedOn: "2025-07-01"),
        ]
        let departments = [
            ("UB-SNV", "Sở Nội vụ"), ("UB-STC", "Sở Tài chính"), ("UB-SNNMT", "Sở Nông nghiệp và Môi trường"),
            ("UB-SXD", "Sở Xây dựng"), ("UB-SGD", "Sở Giáo dục và Đào tạo"), ("UB-SYT", "Sở Y tế"),
            ("UB-SVH", "Sở Văn hóa, Thể thao và Du lịch"), ("UB-SDTTG", "Sở Dân tộc và Tôn giáo"),
            ("UB-STP", "Sở Tư pháp"), ("UB-TT", "Thanh tra tỉnh"),
        ]
        list += departments.map { Spec(code: $0.0, name: $0.1, short: nil, kind: .department, level: .province, parent: "UB") }
        let organisations = [
            ("MTTQ-LDLD", "Liên đoàn Lao động tỉnh", "LĐLĐ tỉnh"), ("MTTQ-HND", "Hội Nông dân tỉnh", "HND tỉnh"),
            ("MTTQ-HLHPN", "Hội Liên hiệp Phụ nữ tỉnh", "Hội LHPN tỉnh"), ("MTTQ-TD", "Tỉnh đoàn", "Tỉnh đoàn"),
            ("MTTQ-HCCB", "Hội Cựu chiến binh tỉnh", "Hội CCB tỉnh"),
        ]
        list += organisations.map { Spec(code: $0.0, name: $0.1, short: $0.2, kind: .socioPolitical, level: .province, parent: "MTTQ") }
        let communes: [(String, String, String, [String])] = [
            ("P-TB", "Phường Thanh Bình", "phường", ["Khu phố 1", "Khu phố 2", "Khu phố 3", "Khu phố 4", "Khu phố 5"]),
            ("P-HL", "Phường Hòa Lạc", "phường", ["Khu phố Hòa Bình", "Khu phố Hòa Thuận", "Khu phố Lạc Long", "Khu phố Lạc Sơn", "Khu phố Chợ"]),
            ("P-DS", "Phường Đông Sơn", "phường", ["Khu phố Đông A", "Khu phố Đông B", "Khu phố Sơn Hà", "Khu phố Sơn Thủy", "Khu phố Bến Đò"]),
            ("X-TL", "Xã Tân Lập", "xã", ["Thôn Tân Thành", "Thôn Tân Hòa", "Thôn Lập Thạch", "Thôn Đồng Sen", "Thôn Bãi Giữa"]),
            ("X-DT", "Xã Đồng Tâm", "xã", ["Thôn Đồng Tâm 1", "Thôn Đồng Tâm 2", "Thôn Đồng Lạc", "Thôn Gò Cao", "Thôn Ao Sen"]),
            ("X-ES", "Xã Ea Sô", "xã", ["Buôn Ea Sô", "Buôn Krông", "Buôn Tơ Lơ", "Thôn Ea Ktur", "Thôn Hòa Phú"]),
            ("X-PH", "Xã Phước Hưng", "xã", ["Ấp Phước Lợi", "Ấp Phước Hòa", "Ấp Hưng Thạnh", "Ấp Bình Đông", "Ấp Rạch Tre"]),
            ("X-ML", "Xã Mường Lạn", "xã", ["Bản Lạn", "Bản Nà Hạ", "Bản Pá Khoang", "Bản Huổi Mộ", "Bản Co Muông"]),
        ]
        for (index, commune) in communes.enumerated() {
            let (code, name, word, villages) = commune
            var spec = Spec(code: code, name: name, short: nil, kind: .commune, level: .commune, parent: "TB")
            spec.status = .active
            list.append(spec)
            list.append(Spec(code: code + "-DU", name: "Đảng ủy \(word) \(name.split(separator: " ").dropFirst().joined(separator: " "))", short: nil, kind: .partyCommittee, level: .commune, parent: code))
            list.append(Spec(code: code + "-MT", name: "Ủy ban MTTQ \(word) \(name.split(separator: " ").dropFirst().joined(separator: " "))", short: nil, kind: .fatherlandFront, level: .commune, parent: code))
            for (number, village) in villages.enumerated() {
                list.append(Spec(code: "\(code)-T\(number + 1)", name: village, short: nil, kind: .village, level: .village, parent: code))
            }
            _ = index
        }
        return list
    }

    /// Loads the province if the database holds no unit yet; returns whether it did.
    @discardableResult
    public static func loadIfEmpty(app: Application) async throws -> Bool {
        if try await OrgUnit.query(on: app.db).count() > 0 { return false }
        try await load(app: app)
        try await DemoDocuments.load(app: app)
        try await DemoQuiz.load(app: app)
        try await DemoReports.load(app: app)
        try await DemoCitizens.load(app: app)
        try await DemoEmulation.load(app: app)
        return true
    }

    /// Loads the province (units and accounts) in one transaction.
    public static func load(app: Application) async throws {
        let now = app.clock.now()
        var hashes: [String] = []
        for _ in accounts { hashes.append(try await Passwords.hash(password, on: app)) }
        let passwordHashes = hashes
        try await app.db.transaction { db in
            var byCode: [String: OrgUnit] = [:]
            var order: [String: Int] = [:]
            for spec in specs {
                let sortOrder = order[spec.parent ?? "", default: 0]
                order[spec.parent ?? ""] = sortOrder + 1
                let unit = OrgUnit(name: spec.name, shortName: spec.short, code: spec.code, kind: spec.kind, level: spec.level, sortOrder: sortOrder * 10, oversight: spec.oversight)
                unit.place(under: spec.parent.flatMap { byCode[$0] })
                unit.status = spec.status
                unit.endedOn = spec.endedOn.flatMap(VNFormat.parseDate)
                try await unit.create(on: db)
                byCode[spec.code] = unit
            }
            for spec in specs {
                if let successor = spec.successor, let unit = byCode[spec.code] {
                    unit.successorID = byCode[successor]?.id
                    try await unit.update(on: db)
                }
            }
            for (account, hash) in zip(accounts, passwordHashes) {
                guard let unit = byCode[account.unitCode] else { continue }
                let user = User(username: account.username, fullName: account.fullName, passwordHash: hash, role: account.role, unitID: try unit.requireID())
                user.email = "\(account.username)@thanhbinh.example"
                try await user.create(on: db)
            }
            try await AuditLog.record(
                on: db, actor: .system, at: now, action: "import", entityType: "unit", entityID: nil,
                summary: "Nạp dữ liệu mẫu: \(byCode.count) đơn vị, \(accounts.count) tài khoản"
            )
        }
    }
}
