import DanVanCore
import Fluent
import Foundation
import Vapor

/// The province the tests run on, built from `.mock` values: smaller than the demo province
/// and owned by the tests, so the demo can change freely. The shape is the real one after the
/// 2025 reorganisation: the provincial party committee with its boards (one merged into the
/// board of propaganda and mass mobilisation), the government with departments, the Front
/// with the socio-political organisations, and communes/wards with their party committee,
/// Front committee and five villages/quarters each.
public enum TestProvince {
    /// Password of every test account.
    public static let password = "thu-nghiem-1234"

    /// The test accounts: username, full name, role, unit code.
    public static let accounts: [(username: String, fullName: String, role: Role, unit: String)] = [
        ("admin", "Nguyễn Văn Quản", .admin, "TU-VP"),
        ("lanhdao", "Trần Thị Hồng Lĩnh", .leader, "TU-BTGDV"),
        ("chuyenvien", "Lê Minh Đức", .specialist, "TU-BTGDV-P2"),
        ("daumoi", "Phạm Thị Ánh", .focal, "P-HL"),
        ("daumoi.tanlap", "Hoàng Văn Bình", .focal, "X-TL"),
        ("lanhdao.xa", "Đặng Quốc Cường", .leader, "X-TL"),
        ("daumoi.mttq", "Võ Thị Ngọc Diệp", .focal, "MTTQ"),
        ("daumoi.snv", "Bùi Đăng Khoa", .focal, "UB-SNV"),
    ]

    /// Builds the province and its accounts in one transaction; returns the units by code.
    @discardableResult
    public static func load(_ app: Application) async throws -> [String: OrgUnit] {
        let passwordHash = try await Passwords.hash(password, on: app)
        return try await app.db.transaction { db in
            var units: [String: OrgUnit] = [:]
            var order: [String: Int] = [:]
            func add(_ code: String, _ name: String, _ kind: OrgUnit.Kind, _ level: OrgUnit.Level, under parent: String?, short: String? = nil, oversight: Bool = false) async throws {
                let position = order[parent ?? "", default: 0]
                order[parent ?? ""] = position + 1
                units[code] = try await OrgUnit.mock(
                    name, code: code, shortName: short, kind: kind, level: level, under: parent.flatMap { units[$0] },
                    sortOrder: position * 10, oversight: oversight
                ).saved(on: db)
            }
            try await add("TB", "Tỉnh Thanh Bình", .other, .province, under: nil)
            try await add("TU", "Tỉnh ủy Thanh Bình", .partyCommittee, .province, under: "TB", short: "TU")
            try await add("TU-VP", "Văn phòng Tỉnh ủy", .partyBoard, .province, under: "TU", short: "VPTU")
            try await add("TU-BTC", "Ban Tổ chức Tỉnh ủy", .partyBoard, .province, under: "TU", short: "BTCTU")
            try await add("TU-BTGDV", "Ban Tuyên giáo và Dân vận Tỉnh ủy", .partyBoard, .province, under: "TU", short: "BTGDVTU", oversight: true)
            try await add("TU-BTGDV-P1", "Phòng Đoàn thể và các Hội", .partyBoard, .province, under: "TU-BTGDV", oversight: true)
            try await add("TU-BTGDV-P2", "Phòng Dân vận các cơ quan Nhà nước, dân tộc và tôn giáo", .partyBoard, .province, under: "TU-BTGDV", oversight: true)
            try await add("TU-BDV", "Ban Dân vận Tỉnh ủy", .partyBoard, .province, under: "TU", short: "BDVTU")
            try await add("HDND-DD", "Đảng đoàn Hội đồng nhân dân tỉnh", .partyDelegation, .province, under: "TB", short: "Đảng đoàn HĐND")
            try await add("HDND", "Hội đồng nhân dân tỉnh", .peoplesCouncil, .province, under: "TB", short: "HĐND tỉnh")
            try await add("UB", "Ủy ban nhân dân tỉnh", .government, .province, under: "TB", short: "UBND tỉnh")
            for (code, name) in [("UB-SNV", "Sở Nội vụ"), ("UB-SYT", "Sở Y tế"), ("UB-SDTTG", "Sở Dân tộc và Tôn giáo")] {
                try await add(code, name, .department, .province, under: "UB")
            }
            try await add("MTTQ", "Ủy ban MTTQ Việt Nam tỉnh", .fatherlandFront, .province, under: "TB", short: "MTTQ tỉnh")
            let organisations = [
                ("MTTQ-LDLD", "Liên đoàn Lao động tỉnh", "LĐLĐ tỉnh"), ("MTTQ-HND", "Hội Nông dân tỉnh", "HND tỉnh"),
                ("MTTQ-HLHPN", "Hội Liên hiệp Phụ nữ tỉnh", "Hội LHPN tỉnh"), ("MTTQ-TD", "Tỉnh đoàn", "Tỉnh đoàn"),
                ("MTTQ-HCCB", "Hội Cựu chiến binh tỉnh", "Hội CCB tỉnh"),
            ]
            for (code, name, short) in organisations {
                try await add(code, name, .socioPolitical, .province, under: "MTTQ", short: short)
            }
            try await add("BAO", "Báo và Phát thanh, Truyền hình Thanh Bình", .press, .province, under: "TB")
            let communes: [(String, String, String, [String])] = [
                ("P-HL", "Phường Hòa Lạc", "phường", ["Khu phố Hòa Bình", "Khu phố Hòa Thuận", "Khu phố Lạc Long", "Khu phố Lạc Sơn", "Khu phố Chợ"]),
                ("P-DS", "Phường Đông Sơn", "phường", ["Khu phố Đông A", "Khu phố Đông B", "Khu phố Sơn Hà", "Khu phố Sơn Thủy", "Khu phố Bến Đò"]),
                ("X-TL", "Xã Tân Lập", "xã", ["Thôn Tân Thành", "Thôn Tân Hòa", "Thôn Lập Thạch", "Thôn Đồng Sen", "Thôn Bãi Giữa"]),
                ("X-DT", "Xã Đồng Tâm", "xã", ["Thôn Đồng Tâm 1", "Thôn Đồng Tâm 2", "Thôn Đồng Lạc", "Thôn Gò Cao", "Thôn Ao Sen"]),
                ("X-PH", "Xã Phước Hưng", "xã", ["Ấp Phước Lợi", "Ấp Phước Hòa", "Ấp Hưng Thạnh", "Ấp Bình Đông", "Ấp Rạch Tre"]),
                ("X-ML", "Xã Mường Lạn", "xã", ["Bản Lạn", "Bản Nà Hạ", "Bản Pá Khoang", "Bản Huổi Mộ", "Bản Co Muông"]),
            ]
            for (code, name, word, villages) in communes {
                let place = name.split(separator: " ").dropFirst().joined(separator: " ")
                try await add(code, name, .commune, .commune, under: "TB")
                try await add(code + "-DU", "Đảng ủy \(word) \(place)", .partyCommittee, .commune, under: code)
                try await add(code + "-MT", "Ủy ban MTTQ \(word) \(place)", .fatherlandFront, .commune, under: code)
                for (number, village) in villages.enumerated() {
                    try await add("\(code)-T\(number + 1)", village, .village, .village, under: code)
                }
            }
            // The board merged into the new one in 2025 stays, pointing at its successor.
            if let merged = units["TU-BDV"] {
                merged.status = .merged
                merged.successorID = units["TU-BTGDV"]?.id
                merged.endedOn = VNFormat.parseDate("2025-03-01")
                try await merged.update(on: db)
            }
            for account in accounts {
                guard let unit = units[account.unit] else { continue }
                let user = User.mock(role: account.role, username: account.username, fullName: account.fullName, unit: unit)
                user.passwordHash = passwordHash
                try await user.save(on: db)
            }
            return units
        }
    }
}
