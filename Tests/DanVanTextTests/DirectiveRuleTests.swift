import DanVanText
import Foundation
import Testing

/// One test per rule of the directive reader, on sentences written for the test (not taken
/// from the fixtures), so the rules are checked on text the parser was not tuned on.
@Suite("Directive reader: symbols and dates")
struct SymbolRuleTests {
    @Test("symbol forms, canonicalised", arguments: [
        ("43-KL/TW", "43-KL/TW", "party", "KL" as String?, "TW", nil as Int?),
        ("976 - KH/BDVTW", "976-KH/BDVTW", "party", "KH", "BDVTW", nil),
        ("290- QĐ/TW", "290-QĐ/TW", "party", "QĐ", "TW", nil),
        ("84 QĐ/TWĐTN", "84-QĐ/TWĐTN", "party", "QĐ", "TWĐTN", nil),
        ("17-CTR/TU", "17-CTR/TU", "party", "CTR", "TU", nil),
        ("01-ĐA/BDVTU-UBND", "01-ĐA/BDVTU-UBND", "party", "ĐA", "BDVTU-UBND", nil),
        ("33/CT-TTg", "33/CT-TTg", "state", "CT", "TTg", nil),
        ("59/2023/NĐ-CP", "59/2023/NĐ-CP", "state", "NĐ", "CP", 2023),
        ("10/2022/QH15", "10/2022/QH15", "state", nil, "QH15", 2022),
    ])
    func symbolForms(printed: String, canonical: String, family: String, kind: String?, issuer: String, year: Int?) throws {
        let match = try #require(Symbols.parse(printed))
        #expect(match.symbol == canonical)
        #expect(match.family == family)
        #expect(match.kindCode == kind)
        #expect(match.issuer == issuer)
        #expect(match.year == year)
    }

    @Test("things that look like symbols but are not", arguments: ["2020-2025", "09/4/2021", "2021 - 2025", "115 ha", "kinh tế-xã hội"])
    func notSymbols(text: String) {
        #expect(Symbols.parse(text) == nil)
    }

    @Test("date forms", arguments: [
        ("07/01/2019", "2019-01-07"), ("7/1/2019", "2019-01-07"), ("25-02-2010", "2010-02-25"), ("25.02.2010", "2010-02-25"),
        ("19 tháng 02 năm 2020", "2020-02-19"), ("19 tháng\n02 năm 2020", "2020-02-19"), ("1 Tháng 7 Năm 2025", "2025-07-01"),
    ])
    func dateForms(text: String, iso: String) {
        #expect(VietnameseDates.parse(text) == iso)
    }

    @Test("impossible dates are refused", arguments: ["31/02/2020", "00/01/2020", "12/13/2020", "29/02/2023"])
    func impossibleDates(text: String) {
        #expect(VietnameseDates.parse(text) == nil)
    }

    @Test("citations: kind word, lists of numbers, dates from any mention, once each in order")
    func citations() {
        // setup
        let text = """
        KẾ HOẠCH
        Thử nghiệm

        I. NHIỆM VỤ

        1. Thực hiện Quyết định số 217, 218-QĐ/TW của Bộ Chính trị; Thông báo kết luận số 77-TB/TW; Chỉ thị 05-CT/TU, ngày 3/2/2022; Kế hoạch số 12 - KH/BDVTW ngày 19 tháng 4 năm
        2021; Nghị định số 59/2023/NĐ-CP, ngày 14/8/2023 và Luật số 10/2022/QH15.
        2. Tiếp tục thực hiện Chỉ thị số 05-CT/TU (nhắc lại) và Kế hoạch số 17-CTR/TU, sau đó là 17-CTr/TU ngày 05/05/2020.
        """
        // act
        let parse = DirectiveParser().parse(text)
        // check
        #expect(parse.references.map(\.symbol) == ["217-QĐ/TW", "218-QĐ/TW", "77-TB/TW", "05-CT/TU", "12-KH/BDVTW", "59/2023/NĐ-CP", "10/2022/QH15", "17-CTR/TU"])
        #expect(parse.references.map(\.kind) == ["Quyết định", "Quyết định", "Thông báo", "Chỉ thị", "Kế hoạch", "Nghị định", "Luật", "Kế hoạch"])
        #expect(parse.references.map(\.date) == [nil, nil, nil, "2022-02-03", "2021-04-19", "2023-08-14", nil, "2020-05-05"])
    }

    @Test("a code line such as H2-M3/KH31/142 is not a citation; a missing hyphen needs \"số\"")
    func notCitations() {
        let parse = DirectiveParser().parse("KẾ HOẠCH\nThử\n\nGiao Sở Y tế theo dõi việc này, năm 2020 QĐ/TW không phải số hiệu.\n\nH2-M3/KH31/142\n")
        #expect(parse.references.isEmpty)
    }
}

@Suite("Directive reader: deadlines")
struct DueRuleTests {
    func due(_ sentence: String) -> DirectiveParse.Due? {
        let text = "KẾ HOẠCH\nThử\n\nI. NHIỆM VỤ\n\n1. Giao Sở Tư pháp chủ trì thực hiện việc rà soát. \(sentence)\n"
        return DirectiveParser().parse(text).assignments.first?.due
    }

    @Test("one-off deadlines", arguments: [
        ("Hoàn thành trong quý II/2021.", "quarter", 2 as Int?, 2021 as Int?, nil as String?),
        ("Thời gian sơ kết vào quý II/2025.", "quarter", 2, 2025, nil),
        ("Thời gian hoàn thành trong quý 4 năm 2026.", "quarter", 4, 2026, nil),
        ("Hoàn thành trước ngày 15/6/2024.", "date", nil, nil, "2024-06-15"),
        ("Hoàn thành trong năm 2025.", "year", nil, 2025, nil),
        ("Báo cáo kết quả trong tháng 9/2026.", "date", nil, nil, "2026-09-30"),
    ])
    func oneOff(sentence: String, kind: String, quarter: Int?, year: Int?, date: String?) throws {
        let found = try #require(due(sentence))
        #expect(found.kind == kind)
        #expect(found.quarter == quarter)
        #expect(found.year == year)
        #expect(found.date == date)
    }

    @Test("recurrences", arguments: [
        ("Thực hiện hàng năm.", "year"), ("Thực hiện hằng năm.", "year"), ("Định kỳ 06 tháng, 01 năm báo cáo kết quả.", "6months+year"),
        ("Hằng quý, báo cáo tiến độ.", "quarter"), ("Định kỳ hàng tháng báo cáo.", "month"), ("Định kỳ 6 tháng báo cáo.", "6months"),
    ])
    func recurring(sentence: String, every: String) throws {
        let found = try #require(due(sentence))
        #expect(found.kind == "recurring")
        #expect(found.every == every)
    }

    @Test("periods that name the work are not deadlines", arguments: [
        "Tổng kết công tác dân vận năm 2024.", "Giai đoạn 2021-2025 cần làm tốt.", "Định kỳ tổ chức gặp mặt.",
        "Xem xét trong thời gian tới.", "Thực hiện theo đúng thời gian quy định.", "Nhiệm vụ trọng tâm quý II năm 2021 đã rõ.",
        "Sơ kết 5 năm thực hiện nghị quyết.", "Nhiệm kỳ 2025 - 2030 có nhiều việc.",
    ])
    func notDeadlines(sentence: String) {
        #expect(due(sentence) == nil)
    }

    @Test("the concrete last day of a deadline")
    func endDates() {
        #expect(DirectiveParse.Due(kind: "quarter", quarter: 2, year: 2021).endDate == "2021-06-30")
        #expect(DirectiveParse.Due(kind: "quarter", quarter: 4, year: 2025).endDate == "2025-12-31")
        #expect(DirectiveParse.Due(kind: "year", year: 2026).endDate == "2026-12-31")
        #expect(DirectiveParse.Due(kind: "recurring", every: "year").endDate == nil)
    }
}

@Suite("Directive reader: assignments, headings, signer")
struct AssignmentRuleTests {
    static let plan = """
    Thứ Sáu, 7/10/2022
    ĐẢNG BỘ TỈNH AN BÌNH
    TỈNH ỦY
    *
    Số: 45-KH/TU
    An Bình, ngày 05 tháng 3 năm 2026

    KẾ HOẠCH
    triển khai công tác dân vận
    năm 2026

    Căn cứ Quy chế số 08-QC/TU, ngày 10/01/2026 của Ban Thường vụ Tỉnh ủy, Ban Thường vụ Tỉnh ủy ban hành Kế hoạch như sau:

    I. MỤC ĐÍCH, YÊU CẦU

    1. Các cấp ủy, chính quyền nâng cao nhận thức về công tác dân vận.

    II. NHIỆM VỤ

    1. Công tác tuyên truyền

    - Sở Văn hóa, Thể thao và Du lịch, Đài Phát thanh và Truyền hình tỉnh đẩy mạnh tuyên truyền về Luật Tiếp công dân năm 2013 và Luật Tiếp công dân. Hoàn thành trong quý II/2026.

    - Tăng cường thông tin trên mạng xã hội.

    - Ủy ban nhân dân các huyện đã triển khai tốt việc này trong năm qua.

    2. Hội Nông dân tỉnh và Hội Cựu chiến binh tỉnh

    2.1. Vận động hội viên tham gia xây dựng nông thôn mới. Thực hiện hàng năm.

    2.2. Phối hợp với Công an tỉnh giữ gìn an ninh.

    3. Công tác dân tộc, tôn giáo

    Hàng năm, Sở Dân tộc và Tôn giáo chủ động tham mưu thăm hỏi chức sắc tôn giáo.

    Các sở, ban, ngành tỉnh tập trung thực hiện các nhiệm vụ sau:

    - Rà soát chính sách.

    III. TỔ CHỨC THỰC HIỆN

    1. Giao Ban Dân vận Tỉnh ủy chủ trì, phối hợp với Sở Nội vụ, Ban Tổ chức Tỉnh ủy theo dõi, đôn đốc; định kỳ 6 tháng, 01 năm báo cáo Ban Thường vụ Tỉnh ủy.

    2. Giao Ban cán sự đảng Ủy ban nhân dân tỉnh chỉ đạo Sở Y tế, Sở Giáo dục và Đào tạo, Công an tỉnh tăng cường phối hợp, Ban Nội chính Tỉnh ủy tăng cường giám sát. Hoàn thành trước ngày 30/9/2026.

    Nơi nhận:
    - Ban Dân vận Trung ương,
    - Các huyện ủy, thành ủy,
    - Lưu VPTU.

    TM. BAN THƯỜNG VỤ
    BÍ THƯ

    (Đã ký)

    Lê Văn Tám
    """

    let parse = DirectiveParser().parse(AssignmentRuleTests.plan)

    @Test("header: own symbol and date survive web clutter; kind and title")
    func header() {
        #expect(parse.kind == "Kế hoạch")
        #expect(parse.symbol == "45-KH/TU")
        #expect(parse.date == "2026-03-05")
        #expect(parse.title == "triển khai công tác dân vận năm 2026")
        #expect(!parse.references.contains { $0.symbol == "45-KH/TU" })
        #expect(parse.references.map(\.symbol) == ["08-QC/TU"])
    }

    @Test("signer block with TM., recipients, laws named once")
    func tail() {
        #expect(parse.signer.name == "Lê Văn Tám")
        #expect(parse.signer.title == "Bí thư")
        #expect(parse.signer.onBehalfOf == "Ban Thường vụ")
        #expect(parse.recipients == ["Ban Dân vận Trung ương", "Các huyện ủy, thành ủy", "Lưu VPTU"])
        #expect(parse.namedLaws == ["Luật Tiếp công dân"])
    }

    @Test("who must do what: subjects, headings naming units, fronted phrases, Giao, splits")
    func assignments() {
        let leads = parse.assignments.map(\.lead)
        #expect(leads == [
            "Sở Văn hóa, Thể thao và Du lịch",
            "Hội Nông dân tỉnh",
            "Sở Dân tộc và Tôn giáo",
            "Ban Dân vận Tỉnh ủy",
            "Ban cán sự đảng Ủy ban nhân dân tỉnh",
            "Ban Nội chính Tỉnh ủy",
        ])
        let culture = parse.assignments[0]
        #expect(culture.coordinators == ["Đài Phát thanh và Truyền hình tỉnh"])
        #expect(culture.due == DirectiveParse.Due(kind: "quarter", quarter: 2, year: 2026))
        #expect(culture.dueDate == "2026-06-30")
        #expect(culture.section == "II.1-1")
        let farmers = parse.assignments[1]
        #expect(farmers.coordinators == ["Hội Cựu chiến binh tỉnh"])
        #expect(farmers.due == DirectiveParse.Due(kind: "recurring", every: "year"))
        #expect(farmers.section == "II.2")
        #expect(parse.assignments[2].due == DirectiveParse.Due(kind: "recurring", every: "year"))
        let board = parse.assignments[3]
        #expect(board.coordinators == ["Sở Nội vụ", "Ban Tổ chức Tỉnh ủy"])
        #expect(board.due == DirectiveParse.Due(kind: "recurring", every: "6months+year"))
        #expect(board.section == "III.1")
        #expect(board.quote.hasPrefix("Giao Ban Dân vận Tỉnh ủy chủ trì"))
        // Units directed by "chỉ đạo" are objects, not coordinators; the closing deadline
        // sentence applies to both orders of the paragraph.
        #expect(parse.assignments[4].coordinators.isEmpty)
        #expect(parse.assignments[4].due == DirectiveParse.Due(kind: "date", date: "2026-09-30"))
        #expect(parse.assignments[5].due == DirectiveParse.Due(kind: "date", date: "2026-09-30"))
        #expect(parse.assignments[5].quote.hasPrefix("Ban Nội chính Tỉnh ủy tăng cường giám sát"))
    }

    @Test("the outline has ids for numbered sections and bullets")
    func outline() {
        let ids = parse.sections.map(\.id)
        #expect(ids.contains("I"))
        #expect(ids.contains("II.1"))
        #expect(ids.contains("II.2.1"))
        #expect(ids.contains("III.2"))
        #expect(parse.sections.first { $0.id == "II" }?.heading == "NHIỆM VỤ")
    }

    @Test("a letter opening with Kính gửi is a Công văn with its addressees")
    func letter() {
        let text = """
        UBND TỈNH AN BÌNH
        SỞ NỘI VỤ
        Số: 123/SNV-TCBC
        V/v báo cáo công tác dân vận chính quyền

        Kính gửi:
        - Ủy ban nhân dân các huyện;
        - Các sở, ban, ngành tỉnh.

        Đề nghị các sở, ban, ngành tỉnh báo cáo kết quả thực hiện công tác dân vận chính quyền trước ngày 15/12/2026.

        GIÁM ĐỐC

        Phạm Văn Hùng
        """
        let letter = DirectiveParser().parse(text)
        #expect(letter.kind == "Công văn")
        #expect(letter.symbol == "123/SNV-TCBC")
        #expect(letter.addressees == ["Ủy ban nhân dân các huyện", "Các sở, ban, ngành tỉnh"])
        #expect(letter.assignments.map(\.lead) == ["các sở, ban, ngành tỉnh"])
        #expect(letter.assignments.first?.due == DirectiveParse.Due(kind: "date", date: "2026-12-15"))
        #expect(letter.signer.name == "Phạm Văn Hùng")
        #expect(letter.signer.title == "Giám đốc")
    }

    @Test("KT. signer blocks and names printed in bold")
    func deputySigner() {
        let text = "CHỈ THỊ\nVề việc thử\n\nSở Y tế tăng cường kiểm tra.\n\nNơi nhận:\n- Như trên.\n\n**KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH**\n\n**Trần Thị Bình**\n"
        let parse = DirectiveParser().parse(text)
        #expect(parse.kind == "Chỉ thị")
        #expect(parse.signer.onBehalfOf == "Chủ tịch")
        #expect(parse.signer.title == "Phó Chủ tịch")
        #expect(parse.signer.name == "Trần Thị Bình")
        #expect(parse.assignments.map(\.lead) == ["Sở Y tế"])
    }
}

@Suite("Directive reader: robustness")
struct ParserPropertyTests {
    static let pieces = [
        "Giao", "Ban Dân vận", "Sở Nội vụ", "các cơ quan", "chủ trì", "phối hợp với", ",", ";", ".", ":", "\n", "\n\n", "- ", "+ ",
        "I. ", "1. ", "1.1. ", "a) ", "số 12-KH/TU", "ngày 3/2/2021", "quý II/2021", "Thực hiện hàng năm.", "Nơi nhận:", "T/M",
        "BÍ THƯ", "KẾ HOẠCH", "Kính gửi:", "*", "**", "Luật ", "đ", "Đ", "“", "”", "(", ")", "năm", "2025", "—", "…", " ",
    ]

    static func isRealDate(_ iso: String) -> Bool {
        let parts = iso.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return false }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return DateComponents(year: parts[0], month: parts[1], day: parts[2]).isValidDate(in: calendar)
    }

    @Test("on arbitrary text the reader is total and consistent: same answer for NFD and CRLF, every lead named in the text, every deadline a real date (seeded)")
    func arbitraryText() {
        let seed = SeededGenerator.testSeed(20261202, environment: ProcessInfo.processInfo.environment)
        var generator = SeededGenerator(seed: seed)
        let parser = DirectiveParser()
        let isoDate = /\d{4}-\d{2}-\d{2}/
        for round in 0..<300 {
            let text = (0..<Int.random(in: 0...120, using: &generator)).map { _ in Self.pieces.randomElement(using: &generator)! }.joined(separator: " ")
            let parse = parser.parse(text)
            // Leads are compared without whitespace and emphasis marks: the reader joins a name broken
            // over lines and drops the `*` of bold text.
            let squash = { (value: String) in VietnameseText.fold(value).filter { !$0.isWhitespace && $0 != "*" } }
            let folded = squash(text)
            #expect(parse == parser.parse(text.decomposedStringWithCanonicalMapping.replacingOccurrences(of: "\n", with: "\r\n")), "seed \(seed), round \(round)")
            for assignment in parse.assignments {
                #expect(!assignment.lead.isEmpty && folded.contains(squash(assignment.lead)), "seed \(seed), round \(round): \(assignment.lead) in \(text.debugDescription)")
                if let due = assignment.dueDate {
                    #expect((try? isoDate.wholeMatch(in: due)) != nil && Self.isRealDate(due), "seed \(seed), round \(round): \(due)")
                }
            }
        }
        _ = parser.parse("")
        _ = parser.parse("\n\n\n")
        _ = parser.parse(String(repeating: "Giao Ban ", count: 2000))
    }

    @Test("the same result for NFC and NFD text, LF and CRLF line ends, with or without a BOM")
    func normalisationInvariant() throws {
        let text = AssignmentRuleTests.plan
        let variant = "\u{FEFF}" + text.decomposedStringWithCanonicalMapping.replacingOccurrences(of: "\n", with: "\r\n")
        let parser = DirectiveParser()
        #expect(parser.parse(text) == parser.parse(variant))
        let fixture = try String(contentsOf: FixtureFiles.folder.appendingPathComponent("langson-2024-ke-hoach-dan-van.txt"), encoding: .utf8)
        #expect(parser.parse(fixture) == parser.parse(fixture.decomposedStringWithCanonicalMapping.replacingOccurrences(of: "\n", with: "\r\n")))
    }
}

@Suite("Directive reader: folding collisions")
struct FoldingCollisionTests {
    @Test("\"vận động\" is an obligation although \"vẫn\" folds to the same letters; \"đã\" is not")
    func vanDong() {
        let text = "KẾ HOẠCH\nThử\n\nI. NHIỆM VỤ\n\n1. Sở Y tế vận động hiến máu tình nguyện.\n\n2. Sở Xây dựng đã triển khai tốt.\n\n3. Hội Nông dân tỉnh vẫn còn khó khăn.\n"
        #expect(DirectiveParser().parse(text).assignments.map(\.lead) == ["Sở Y tế"])
    }
}

@Suite("Directive reader: enumerated names")
struct EnumeratedNameTests {
    @Test("a name that starts with \"X và Y\" at the start of a sentence")
    func pressName() {
        let text = "KẾ HOẠCH\nThử\n\nI. NHIỆM VỤ\n\n1. Báo và Phát thanh, Truyền hình Thanh Bình đẩy mạnh tuyên truyền. Hoàn thành trong năm 2026.\n"
        let parse = DirectiveParser().parse(text)
        #expect(parse.assignments.map(\.lead) == ["Báo và Phát thanh, Truyền hình Thanh Bình"])
        #expect(parse.assignments.first?.due == DirectiveParse.Due(kind: "year", year: 2026))
    }
}
