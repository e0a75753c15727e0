import DanVanText
import Foundation
import Testing

@Suite("Unit matching")
struct UnitMatcherTests {
    static let units: [UnitMatcher.Candidate] = [
        .init(id: UUID(), name: "Ban Tuyên giáo và Dân vận Tỉnh ủy", shortName: "BTGDVTU", kind: "partyBoard"),
        .init(id: UUID(), name: "Ban Dân vận Tỉnh ủy", shortName: "BDVTU", kind: "partyBoard"),
        .init(id: UUID(), name: "Ban Tổ chức Tỉnh ủy", shortName: "BTCTU", kind: "partyBoard"),
        .init(id: UUID(), name: "Ban cán sự đảng Ủy ban nhân dân tỉnh", shortName: "BCS đảng UBND tỉnh", kind: "partyDelegation"),
        .init(id: UUID(), name: "Ủy ban MTTQ Việt Nam tỉnh", shortName: "MTTQ tỉnh", kind: "fatherlandFront"),
        .init(id: UUID(), name: "Hội Nông dân tỉnh", shortName: nil, kind: "socioPolitical"),
        .init(id: UUID(), name: "Sở Nội vụ", shortName: nil, kind: "department"),
        .init(id: UUID(), name: "Sở Y tế", shortName: nil, kind: "department"),
        .init(id: UUID(), name: "Huyện ủy Sơn Đông", shortName: nil, kind: "partyCommittee"),
        .init(id: UUID(), name: "Huyện ủy Bắc Hà", shortName: nil, kind: "partyCommittee"),
        .init(id: UUID(), name: "Thành ủy Thanh Bình", shortName: nil, kind: "partyCommittee"),
    ]
    let matcher = UnitMatcher(candidates: units)

    @Test("exact names, any case and diacritics, match with full confidence")
    func exact() {
        let result = matcher.match("ban dan van tinh uy")
        #expect(result.matches.first?.name == "Ban Dân vận Tỉnh ủy")
        #expect(result.matches.first?.confidence == 1)
        #expect(!result.isGroup)
    }

    @Test("abbreviations expand: UBND, BCS, MTTQ, TU", arguments: [
        ("Ban Cán sự đảng UBND tỉnh", "Ban cán sự đảng Ủy ban nhân dân tỉnh"),
        ("BCS đảng UBND tỉnh", "Ban cán sự đảng Ủy ban nhân dân tỉnh"),
        ("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "Ủy ban MTTQ Việt Nam tỉnh"),
        ("BDVTU", "Ban Dân vận Tỉnh ủy"),
        ("Hội Nông dân", "Hội Nông dân tỉnh"),
    ])
    func abbreviations(phrase: String, expected: String) {
        #expect(matcher.match(phrase).matches.first?.name == expected)
    }

    @Test("a different kind of body does not win on shared words")
    func differentHead() {
        let best = matcher.match("Ban Tổ chức Tỉnh ủy").matches.first
        #expect(best?.name == "Ban Tổ chức Tỉnh ủy")
        #expect(matcher.match("Sở Xây dựng").matches.first.map { $0.confidence < 0.75 } ?? true)
    }

    @Test("plural phrases name the matching set of units")
    func plurals() {
        let districts = matcher.match("các huyện ủy")
        #expect(districts.isGroup)
        #expect(Set(districts.matches.map(\.name)) == ["Huyện ủy Sơn Đông", "Huyện ủy Bắc Hà"])
        let departments = matcher.match("các sở")
        #expect(Set(departments.matches.map(\.name)) == ["Sở Nội vụ", "Sở Y tế"])
        #expect(matcher.match("các xã").matches.isEmpty)
    }

    @Test("generic bodies name every unit of their kind", arguments: [
        ("Các cấp ủy đảng", "partyCommittee"), ("Cấp ủy đảng các cấp", "partyCommittee"), ("Chính quyền các cấp", "government"),
        ("Lực lượng vũ trang tỉnh", "armedForces"), ("các địa phương", "commune"),
    ])
    func genericGroups(phrase: String, kind: String) {
        let units: [UnitMatcher.Candidate] = Self.units + [
            .init(id: UUID(), name: "Ủy ban nhân dân tỉnh", shortName: "UBND tỉnh", kind: "government"),
            .init(id: UUID(), name: "Công an tỉnh", shortName: nil, kind: "armedForces"),
            .init(id: UUID(), name: "Xã Tân Lập", shortName: nil, kind: "commune"),
        ]
        let result = UnitMatcher(candidates: units).match(phrase)
        #expect(result.isGroup)
        #expect(!result.matches.isEmpty)
        let kinds = Dictionary(units.map { ($0.id, $0.kind) }, uniquingKeysWith: { a, _ in a })
        #expect(result.matches.contains { kinds[$0.id] == kind })
    }

    @Test("nothing similar, nothing proposed")
    func noMatch() {
        #expect(matcher.match("Tòa án nhân dân tỉnh").matches.allSatisfy { $0.confidence < 0.6 })
        #expect(matcher.match("  ").matches.isEmpty)
    }
}
