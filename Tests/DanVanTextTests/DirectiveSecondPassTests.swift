@testable import DanVanText
import Foundation
import Testing

/// The reader's second pass: assignment tables, persons as subjects, holiday and vague
/// deadlines, joint and spaced symbols, annexes, and PDF layout. Sentences and tables are
/// written for the tests.
@Suite("Directive reader: tables, persons, occasions, annexes")
struct DirectiveSecondPassTests {
    /// A plan dated `date` (or with no date line) whose section II holds `body`.
    static func plan(_ body: String, date: String? = "ngày 15 tháng 10 năm 2026", tail: String = "") -> String {
        """
        TỈNH ỦY AN BÌNH
        Số 12-KH/TU
        \(date.map { "An Bình, " + $0 } ?? "")

        KẾ HOẠCH
        thực hiện công tác dân vận năm 2027

        I. MỤC ĐÍCH, YÊU CẦU
        Nâng cao chất lượng công tác dân vận.
        II. NHIỆM VỤ
        \(body)

        Nơi nhận:
        - Các đảng ủy trực thuộc,
        - Lưu VP.
        T/M BAN THƯỜNG VỤ
        BÍ THƯ

        Nguyễn Văn An
        \(tail)
        """
    }

    static func assignments(_ body: String, date: String? = "ngày 15 tháng 10 năm 2026") -> [DirectiveParse.Assignment] {
        DirectiveParser().parse(plan(body, date: date)).assignments
    }

    // MARK: persons

    @Test("a person as subject resolves to the unit, the title kept as the role", arguments: [
        ("1. Đồng chí Bí thư Tỉnh ủy chỉ đạo tổng kết công tác dân vận.", "Tỉnh ủy", "Bí thư"),
        ("1. Giao Chủ tịch UBND tỉnh chỉ đạo các sở rà soát quy trình.", "UBND tỉnh", "Chủ tịch"),
        ("1. Giám đốc Sở Nội vụ chủ trì xây dựng quy chế phối hợp.", "Sở Nội vụ", "Giám đốc"),
        ("1. Trưởng Ban Dân vận Huyện ủy thường xuyên nắm tình hình nhân dân.", "Ban Dân vận Huyện ủy", "Trưởng"),
        ("1. Đ/c Phó Chủ tịch UBND tỉnh phụ trách khối văn hóa theo dõi, đôn đốc.", "UBND tỉnh phụ trách khối văn hóa", "Phó Chủ tịch"),
        ("1. Trường Chính trị tỉnh tổ chức bồi dưỡng nghiệp vụ dân vận.", "Trường Chính trị tỉnh", nil),
    ])
    func personSubject(sentence: String, lead: String, role: String?) throws {
        let found = Self.assignments(sentence)
        let first = try #require(found.first)
        #expect(first.lead == lead)
        #expect(first.role == role)
    }

    @Test("a person named as coordinator gives the unit")
    func personCoordinator() throws {
        let found = Self.assignments("1. Sở Nội vụ chủ trì, phối hợp với Giám đốc Sở Tư pháp và Trưởng Ban Dân vận Huyện ủy xây dựng quy chế.")
        let first = try #require(found.first)
        #expect(first.lead == "Sở Nội vụ")
        #expect(first.coordinators == ["Sở Tư pháp", "Ban Dân vận Huyện ủy"])
    }

    // MARK: occasions

    @Test("holiday and vague deadlines, placed after the document's date (15/10/2026)", arguments: [
        ("1. Sở Lao động tổ chức thăm hỏi gia đình chính sách trước Tết Nguyên đán.", "date" as String?, "2027-02-05" as String?, nil as String?),
        ("1. Ủy ban MTTQ tỉnh vận động ủng hộ người nghèo dịp Tết.", "date", "2027-02-05", nil),
        ("1. Sở Nội vụ hoàn thành rà soát trước ngày 30/4.", "date", "2027-04-30", nil),
        ("1. Sở Tư pháp hoàn thành trước ngày 20/11.", "date", "2026-11-20", nil),
        ("1. Ban Dân vận Tỉnh ủy hoàn thành sơ kết vào cuối năm.", "date", "2026-12-31", nil),
        ("1. Tỉnh đoàn báo cáo kết quả vào quý I hằng năm.", "recurring", nil, nil),
        ("1. Hội Nông dân tỉnh tổ chức hội nghị trước kỳ họp.", nil, nil, "trước kỳ họp"),
        ("1. Hội Cựu chiến binh tỉnh tổ chức tập huấn vào đầu năm.", nil, nil, "đầu năm"),
        ("1. Sở Y tế hoàn thành trước ngày 15/6/2027.", "date", "2027-06-15", nil),
    ])
    func occasions(sentence: String, kind: String?, date: String?, needsDate: String?) throws {
        let first = try #require(Self.assignments(sentence).first)
        #expect(first.due?.kind == kind)
        if let date { #expect(first.dueDate == date) }
        #expect(first.needsDate == needsDate)
        if kind == "recurring" {
            #expect(first.due == DirectiveParse.Due(kind: "recurring", quarter: 1, every: "year"))
        }
    }

    @Test("without the document's date a holiday needs a date")
    func holidayWithoutDate() throws {
        let first = try #require(Self.assignments("1. Sở Lao động tổ chức thăm hỏi trước Tết Nguyên đán.", date: nil).first)
        #expect(first.due == nil)
        #expect(first.needsDate == "trước Tết Nguyên đán")
    }

    @Test("Tết is the lunar new year after the document: a plan of March places it in the next year")
    func tetAfterTheDocument() throws {
        let first = try #require(Self.assignments("1. Sở Lao động tổ chức thăm hỏi trước Tết Nguyên đán.", date: "ngày 10 tháng 3 năm 2026").first)
        // Tết 2026 was 17/02/2026, before the plan; Tết 2027 is 06/02/2027.
        #expect(first.dueDate == "2027-02-05")
    }

    // MARK: symbols

    @Test("joint and spaced symbols", arguments: [
        ("01-QCPH/UBND-BDVTU", "01-QCPH/UBND-BDVTU", "QCPH", "UBND-BDVTU"),
        ("161-CTr/BCSĐUBND-BDVTU", "161-CTr/BCSĐUBND-BDVTU", "CTr", "BCSĐUBND-BDVTU"),
        ("367 - QĐ/TWĐTN-VP", "367-QĐ/TWĐTN-VP", "QĐ", "TWĐTN-VP"),
    ])
    func jointSymbols(printed: String, canonical: String, kind: String, issuer: String) throws {
        let match = try #require(Symbols.parse(printed))
        #expect(match.symbol == canonical)
        #expect(match.kindCode == kind)
        #expect(match.issuer == issuer)
    }

    @Test("a joint symbol in the header and in the body")
    func jointSymbolInText() {
        let text = """
        BAN DÂN VẬN TỈNH ỦY - UBND TỈNH
        Số: 01-QCPH/UBND-BDVTU
        An Bình, ngày 02 tháng 3 năm 2026

        QUY CHẾ
        phối hợp công tác dân vận chính quyền

        1. Thực hiện Chương trình số 161-CTr/BCSĐUBND-BDVTU và Quyết định số 367 - QĐ/TWĐTN-VP, Sở Nội vụ chủ trì tổng hợp.
        """
        let parse = DirectiveParser().parse(text)
        #expect(parse.symbol == "01-QCPH/UBND-BDVTU")
        #expect(parse.references.map(\.symbol) == ["161-CTr/BCSĐUBND-BDVTU", "367-QĐ/TWĐTN-VP"])
    }

    @Test("the document's own symbol in an annex title is kept as its own, not a citation")
    func annexOwnSymbol() {
        let text = Self.plan("1. Sở Nội vụ chủ trì rà soát quy chế.", tail: """

        PHỤ LỤC
        (Kèm theo Quyết định số 23-QĐ/TW ngày 10/10/2026 của Ban Thường vụ Tỉnh ủy)
        """).replacingOccurrences(of: "Số 12-KH/TU\n", with: "")
        let parse = DirectiveParser().parse(text)
        #expect(parse.symbol == "23-QĐ/TW")
        #expect(!parse.references.contains { $0.symbol == "23-QĐ/TW" })
        #expect(parse.signer.name == "Nguyễn Văn An")
        #expect(parse.assignments.map(\.lead) == ["Sở Nội vụ"])
    }

    // MARK: tables

    static let annexTable = """
    PHỤ LỤC
    PHÂN CÔNG THỰC HIỆN
    (Kèm theo Kế hoạch số 12-KH/TU ngày 15/10/2026 của Ban Thường vụ Tỉnh ủy)

    | STT | Nội dung công việc | CQ chủ trì | Đơn vị phối hợp | Thời gian HT | Sản phẩm |
    |---|---|---|---|---|---|
    | I | Công tác tuyên truyền | | | | |
    | 1 | Tuyên truyền Luật Thực hiện dân chủ ở cơ sở | Ban Tuyên giáo và Dân vận Tỉnh ủy | Sở Nội vụ; Sở Tư pháp | Quý II/2027 | Báo cáo kết quả |
    | 2 | Biên soạn tài liệu hỏi đáp | | Sở Thông tin và Truyền thông | 30/6/2027 | Bộ tài liệu |
    | II | Công tác vận động | | | | |
    | 1 | Vận động nhân dân hiến đất làm đường | Giám đốc Sở Giao thông vận tải | Ủy ban MTTQ tỉnh, Hội Nông dân tỉnh | Hằng năm | |
    | 2 | Thăm hỏi gia đình chính sách | Sở Lao động - Thương binh và Xã hội | | Trước Tết Nguyên đán | Danh sách hộ được thăm |
    | 3 | Đối thoại với nhân dân về giải phóng mặt bằng | UBND các huyện, thành phố | | Thường xuyên | |
    | 4 | Tổng kết phong trào thi đua | Ban Tuyên giáo và Dân vận Tỉnh ủy | | Trước kỳ họp | |
    """

    @Test("an annex's assignment table: every row an assignment, groups, merged leads, persons, time cells")
    func annexTableRows() throws {
        let parse = DirectiveParser().parse(Self.plan("1. Sở Nội vụ chủ trì rà soát quy chế.", tail: "\n" + Self.annexTable))
        #expect(parse.signer.name == "Nguyễn Văn An")
        #expect(parse.signer.title == "Bí thư")
        let rows = parse.assignments.filter { $0.section?.hasPrefix("PL.") == true }
        #expect(rows.count == 6)
        #expect(rows.map(\.section) == ["PL.I.1", "PL.I.2", "PL.II.1", "PL.II.2", "PL.II.3", "PL.II.4"])
        #expect(rows[0].lead == "Ban Tuyên giáo và Dân vận Tỉnh ủy")
        #expect(rows[0].coordinators == ["Sở Nội vụ", "Sở Tư pháp"])
        #expect(rows[0].due == DirectiveParse.Due(kind: "quarter", quarter: 2, year: 2027))
        #expect(rows[0].output == "Báo cáo kết quả")
        #expect(rows[0].text == "Tuyên truyền Luật Thực hiện dân chủ ở cơ sở")
        // A lead merged down: the row above's.
        #expect(rows[1].lead == "Ban Tuyên giáo và Dân vận Tỉnh ủy")
        #expect(rows[1].dueDate == "2027-06-30")
        #expect(rows[2].lead == "Sở Giao thông vận tải")
        #expect(rows[2].role == "Giám đốc")
        #expect(rows[2].coordinators == ["Ủy ban MTTQ tỉnh", "Hội Nông dân tỉnh"])
        #expect(rows[2].due == DirectiveParse.Due(kind: "recurring", every: "year"))
        #expect(rows[3].lead == "Sở Lao động - Thương binh và Xã hội")
        #expect(rows[3].dueDate == "2027-02-05")
        #expect(rows[4].due == nil)
        #expect(rows[4].needsDate == nil)
        #expect(rows[5].needsDate == "trước kỳ họp")
        // The annex title cites the plan itself.
        #expect(!parse.references.contains { $0.symbol == "12-KH/TU" })
    }

    @Test("a table that is not an assignment table stays text and gives no assignment")
    func otherTable() {
        let body = """
        1. Kết quả thực hiện các chỉ tiêu:
        | Chỉ tiêu | Năm 2025 | Năm 2026 |
        | Số mô hình dân vận khéo | 120 | 135 |
        2. Sở Nội vụ chủ trì rà soát quy chế.
        """
        let parse = DirectiveParser().parse(Self.plan(body))
        #expect(parse.assignments.map(\.lead) == ["Sở Nội vụ"])
    }

    @Test("header variants name the columns", arguments: [
        ("Nội dung nhiệm vụ", AssignmentTable.Column.content), ("Cơ quan chủ trì", .lead), ("Đơn vị chủ trì thực hiện", .lead),
        ("CQ chủ trì", .lead), ("Cơ quan phối hợp", .coordinators), ("ĐV phối hợp", .coordinators), ("Thời gian hoàn thành", .due),
        ("Thời hạn", .due), ("Tiến độ", .due), ("Sản phẩm dự kiến", .output), ("Kết quả", .output), ("TT", .number), ("STT", .number),
        ("Ghi chú", .note), ("Nhiệm vụ, giải pháp", .content),
    ])
    func headerVariants(cell: String, role: AssignmentTable.Column) {
        #expect(AssignmentTable.role(of: cell) == role)
    }

    // MARK: .docx tables

    static func cell(_ text: String, span: Int = 1, merge: String? = nil) -> String {
        var properties = ""
        if span > 1 { properties += "<w:gridSpan w:val=\"\(span)\"/>" }
        if let merge { properties += merge == "restart" ? "<w:vMerge w:val=\"restart\"/>" : "<w:vMerge/>" }
        let paragraphs = text.isEmpty ? "<w:p/>" : text.split(separator: "\n").map { "<w:p><w:r><w:t>\($0)</w:t></w:r></w:p>" }.joined()
        return "<w:tc><w:tcPr>\(properties)</w:tcPr>\(paragraphs)</w:tc>"
    }

    static func row(_ cells: String...) -> String { "<w:tr>" + cells.joined() + "</w:tr>" }

    @Test("a .docx assignment table built in memory: merged lead cell, group heading across the table, units on separate lines")
    func docxTable() throws {
        let header = """
        <w:tbl>\(Self.row(Self.cell("TỈNH ỦY AN BÌNH"), Self.cell("ĐẢNG CỘNG SẢN VIỆT NAM")))\(Self.row(Self.cell("Số 14-KH/TU"), Self.cell("An Bình, ngày 02 tháng 11 năm 2026")))</w:tbl>
        <w:p><w:r><w:t>KẾ HOẠCH</w:t></w:r></w:p><w:p><w:r><w:t>triển khai Chỉ thị số 05-CT/TU</w:t></w:r></w:p>
        <w:p><w:r><w:t>I. NHIỆM VỤ</w:t></w:r></w:p>
        <w:p><w:r><w:t>1. Các cơ quan, đơn vị thực hiện theo phụ lục kèm theo.</w:t></w:r></w:p>
        """
        let table = "<w:tbl>"
            + Self.row(Self.cell("TT"), Self.cell("Nội dung"), Self.cell("Cơ quan chủ trì"), Self.cell("Cơ quan phối hợp"), Self.cell("Thời gian hoàn thành"))
            + Self.row(Self.cell("A. TUYÊN TRUYỀN", span: 5))
            + Self.row(Self.cell("1"), Self.cell("Tuyên truyền trên báo chí"), Self.cell("Sở Thông tin và Truyền thông", merge: "restart"), Self.cell("Báo An Bình\nĐài Phát thanh và Truyền hình tỉnh"), Self.cell("Quý I/2027"))
            + Self.row(Self.cell("2"), Self.cell("Tuyên truyền trên mạng xã hội"), Self.cell("", merge: "continue"), Self.cell(""), Self.cell("Tháng 3/2027"))
            + Self.row(Self.cell("B. VẬN ĐỘNG", span: 5))
            + Self.row(Self.cell("1"), Self.cell("Vận động hiến đất"), Self.cell("Chủ tịch UBND huyện Tân Lập"), Self.cell("Ủy ban MTTQ huyện"), Self.cell("Trước ngày 30/4"))
            + "</w:tbl>"
        let xml = "<?xml version=\"1.0\"?><w:document xmlns:w=\"w\"><w:body>" + header + table
            + "<w:p><w:r><w:t>Nơi nhận:</w:t></w:r></w:p><w:p><w:r><w:t>- Lưu VP.</w:t></w:r></w:p>"
            + "<w:p><w:r><w:t>T/M BAN THƯỜNG VỤ</w:t></w:r></w:p><w:p><w:r><w:t>BÍ THƯ</w:t></w:r></w:p><w:p><w:r><w:t>Trần Thị Bình</w:t></w:r></w:p></w:body></w:document>"
        let text = try DocumentInput.text(from: DocumentInputTests.docx(xml), filename: "ke-hoach.docx")
        // The header layout table is still text.
        #expect(text.contains("TỈNH ỦY AN BÌNH\nĐẢNG CỘNG SẢN VIỆT NAM\n"))
        #expect(text.contains("| TT | Nội dung | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành |"))
        let parse = DirectiveParser().parse(text)
        #expect(parse.symbol == "14-KH/TU")
        #expect(parse.date == "2026-11-02")
        let rows = parse.assignments.filter { $0.section?.contains(".") == true && $0.text.hasPrefix("Tuyên truyền") || $0.text.hasPrefix("Vận động") }
        #expect(rows.count == 3)
        #expect(rows.map(\.section) == ["A.1", "A.2", "B.1"])
        #expect(rows[0].coordinators == ["Báo An Bình", "Đài Phát thanh và Truyền hình tỉnh"])
        #expect(rows[1].lead == "Sở Thông tin và Truyền thông")
        #expect(rows[1].dueDate == "2027-03-31")
        #expect(rows[2].lead == "UBND huyện Tân Lập")
        #expect(rows[2].role == "Chủ tịch")
        #expect(rows[2].dueDate == "2027-04-30")
    }

    // MARK: PDF layout (pure)

    static let layout = """
                TỈNH ỦY AN BÌNH                                ĐẢNG CỘNG SẢN VIỆT NAM
          BAN TUYÊN GIÁO VÀ DÂN VẬN
                       *                              An Bình, ngày 20 tháng 10 năm 2026
                 Số 31-KH/BTGDVTU

                                          KẾ HOẠCH
                         triển khai công tác dân vận năm 2027

          I. NHIỆM VỤ
               1. Ban Tuyên giáo và Dân vận Tỉnh ủy chủ trì, phối hợp với Ủy ban MTTQ tỉnh
          tổ chức hội nghị đối thoại với nhân dân về công tác giải phóng mặt bằng; hoàn
          thành trong quý II/2027.
               2. Giám đốc Sở Nội vụ tham mưu xây dựng quy chế dân vận chính quyền, bảo đảm
          sự phối hợp giữa các tổ chức chính trị-
          xã hội; hoàn thành trước ngày 30/6/2027.

                                                 2
      \u{0C}      Kế hoạch số 31-KH/BTGDVTU
               3. Các đảng ủy trực thuộc tổ chức thực hiện nghiêm túc kế hoạch này.

          Nơi nhận:                                          T/M BAN THƯỜNG VỤ
          - Ban Dân vận Trung ương,                                PHÓ BÍ THƯ
          - Lưu VP.
                                                                Lê Văn Cường
                                                 3
      \u{0C}      Kế hoạch số 31-KH/BTGDVTU
          PHỤ LỤC PHÂN CÔNG
          STT    Nội dung                      Cơ quan chủ    Cơ quan phối      Thời gian
                                               trì            hợp               hoàn thành
          1      Tuyên truyền Luật Thực hiện   Ban Tuyên      Sở Nội vụ         Quý II/2027
                 dân chủ ở cơ sở               giáo và Dân    Sở Tư pháp
                                               vận Tỉnh ủy
          2      Khảo sát tình hình nhân       Sở Nội vụ                        30/9/2027
                 dân vùng dự án
                                                 4
      """

    @Test("PDF layout: header columns, page numbers, running header, joined lines, a compound at a hyphen, the tail's columns, a table")
    func pdfLayout() throws {
        let text = PDFLayout.clean(Self.layout)
        #expect(!text.contains("\n2\n") && !text.contains("\n3\n"))
        #expect(text.components(separatedBy: "Kế hoạch số 31-KH/BTGDVTU").count == 1)
        #expect(text.contains("BAN TUYÊN GIÁO VÀ DÂN VẬN"))
        #expect(text.contains("phối hợp với Ủy ban MTTQ tỉnh tổ chức hội nghị đối thoại"))
        #expect(text.contains("các tổ chức chính trị-xã hội; hoàn thành"))
        #expect(text.contains("| STT | Nội dung | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành |"))
        let parse = DirectiveParser().parse(text)
        #expect(parse.kind == "Kế hoạch")
        #expect(parse.symbol == "31-KH/BTGDVTU")
        #expect(parse.date == "2026-10-20")
        #expect(parse.title == "triển khai công tác dân vận năm 2027")
        #expect(parse.signer.name == "Lê Văn Cường")
        #expect(parse.signer.onBehalfOf == "Ban Thường vụ")
        #expect(parse.recipients == ["Ban Dân vận Trung ương", "Lưu VP"])
        let leads = parse.assignments.map(\.lead)
        #expect(leads.prefix(3) == ["Ban Tuyên giáo và Dân vận Tỉnh ủy", "Sở Nội vụ", "Các đảng ủy trực thuộc"])
        #expect(parse.assignments[0].due == DirectiveParse.Due(kind: "quarter", quarter: 2, year: 2027))
        #expect(parse.assignments[1].role == "Giám đốc")
        #expect(parse.assignments[1].dueDate == "2027-06-30")
        let table = parse.assignments.filter { $0.section?.hasPrefix("PL.") == true }
        #expect(table.map(\.lead) == ["Ban Tuyên giáo và Dân vận Tỉnh ủy", "Sở Nội vụ"])
        #expect(table.first?.coordinators == ["Sở Nội vụ", "Sở Tư pháp"])
        #expect(table.first?.text == "Tuyên truyền Luật Thực hiện dân chủ ở cơ sở")
        #expect(table.last?.dueDate == "2027-09-30")
    }

    @Test("syllables split by justified PDF text are mended", arguments: [
        ("phối hợp v ới Ủy ban", "phối hợp với Ủy ban"), ("tập trung triể n khai thực hiện", "tập trung triển khai thực hiện"),
        ("các n ăm tới", "các năm tới"), ("Mục a) và b)", "Mục a) và b)"), ("đoạn x và y", "đoạn x và y"),
        ("trong kếhoạch này", "trong kế hoạch này"), ("tập trung triểnkhai", "tập trung triển khai"), ("thựchiện tốt", "thựchiện tốt"),
        ("các tổchức chính trị", "các tổ chức chính trị"), ("Ban Dân vận Tỉ nh ủy", "Ban Dân vận Tỉnh ủy"), ("Mặt trận Tổquố c Việt Nam", "Mặt trận Tổ quốc Việt Nam"), ("cấp ủy các cấ p", "cấp ủy các cấp"), ("hoạtđộng của Internet", "hoạt động của Internet"),
        ("giải quyết khiếu nại", "giải quyết khiếu nại"), ("Nguyễn Thị Quỳnh Hương", "Nguyễn Thị Quỳnh Hương"), ("UBND tỉnh", "UBND tỉnh"),
    ])
    func splitSyllables(printed: String, mended: String) {
        #expect(PDFLayout.joinSplitSyllables(printed) == mended)
    }

    @Test("page-number shapes", arguments: [("3", true), ("- 3 -", true), ("Trang 3", true), ("3/12", true), ("12", true), ("Quý II", false), ("1. Nhiệm vụ", false)])
    func pageNumbers(line: String, expected: Bool) {
        #expect(PDFLayout.isPageNumber("          " + line) == expected)
    }
}
