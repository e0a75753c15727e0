import DanVanCore
import DanVanText
import DanVanTestSupport
import Foundation
import Testing
import ZIPFoundation

func zipEntry(_ data: Data, _ path: String) throws -> String {
    let archive = try Archive(data: data, accessMode: .read)
    guard let entry = archive[path] else { return "" }
    var bytes = Data()
    _ = try archive.extract(entry) { bytes.append($0) }
    return String(decoding: bytes, as: UTF8.self)
}

@Suite("Word writer")
struct DocxTests {
    static func sample(_ family: AdministrativeDocument.Family) -> AdministrativeDocument {
        AdministrativeDocument(
            family: family, superior: family == .party ? "Tỉnh ủy Thanh Bình" : "UBND tỉnh Thanh Bình",
            issuer: family == .party ? "Ban Tuyên giáo và Dân vận" : "Sở Nội vụ", symbol: family == .party ? "12-BC/BTGDVTU" : "05/BC-SNV",
            place: "Thanh Bình", date: VNFormat.parseDate("2026-02-05")!, kind: "Báo cáo", title: "Tình hình nhân dân tháng 01/2026",
            blocks: [
                .heading("I. TÌNH HÌNH NHÂN DÂN"), .paragraph("Nhân dân phấn khởi đón Tết; một số hộ ở xã Tân Lập phản ánh về đền bù."),
                .table(header: ["STT", "Chỉ tiêu", "Số liệu"], rows: [["1", "Số cuộc đối thoại", "1.234"], ["2", "Tỷ lệ giải quyết", "83,5%"]], widths: [1, 6, 2]),
            ],
            recipients: ["Thường trực Tỉnh ủy", "Lưu VT"], signature: .init(authority: "K/T Trưởng ban", title: "Phó Trưởng ban", name: "Trần Thị Hồng Lĩnh")
        )
    }

    @Test("the parts: A4, margins, Times New Roman, no page number on page 1, date with leading zeros")
    func parts() throws {
        let data = try DOCX.write(Self.sample(.party))
        let document = try zipEntry(data, "word/document.xml")
        #expect(document.contains(#"<w:pgSz w:w="11906" w:h="16838"/>"#))
        #expect(document.contains(#"w:left="1701""#) && document.contains(#"w:right="850""#))
        #expect(document.contains("<w:titlePg/>"))
        #expect(document.contains("ĐẢNG CỘNG SẢN VIỆT NAM") && !document.contains("CỘNG HÒA XÃ HỘI"))
        #expect(document.contains("Số 12-BC/BTGDVTU") && document.contains("Thanh Bình, ngày 05 tháng 02 năm 2026"))
        #expect(document.contains("<w:tblHeader/>"))
        #expect(try zipEntry(data, "word/styles.xml").contains("Times New Roman"))
        let state = try zipEntry(try DOCX.write(Self.sample(.state)), "word/document.xml")
        #expect(state.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") && state.contains("Độc lập - Tự do - Hạnh phúc") && state.contains("Số: 05/BC-SNV"))
        #expect(AdministrativeDocument.place(fromProvince: "Tỉnh Thanh Bình") == "Thanh Bình")
        var board = Self.sample(.party)
        board.issuer = "Ban Tuyên giáo và Dân vận Tỉnh ủy"
        #expect(board.issuerLine == "Ban Tuyên giáo và Dân vận")
        board.superior = "Ủy ban nhân dân tỉnh"
        #expect(board.issuerLine == "Ban Tuyên giáo và Dân vận Tỉnh ủy")
        #expect(AdministrativeDocument.subject(regimeName: "Báo cáo tình hình nhân dân hằng tháng", period: "Tháng 11/2026") == "Tình hình nhân dân tháng 11/2026")
        #expect(AdministrativeDocument.subject(regimeName: "Sơ kết 6 tháng", period: "6 tháng đầu năm 2026") == "Sơ kết 6 tháng 6 tháng đầu năm 2026")
    }

    @Test("LibreOffice opens both layouts; the PDF text has the header blocks, the table and the signature")
    func opensInLibreOffice() throws {
        for family in AdministrativeDocument.Family.allCases {
            let text = try officeText(try DOCX.write(Self.sample(family)), extension: "docx")
            #expect(text.contains(family == .party ? "ĐẢNG CỘNG SẢN VIỆT NAM" : "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), "\(text)")
            #expect(text.contains("BÁO CÁO"))
            #expect(text.contains("Tình hình nhân dân tháng 01/2026"))
            #expect(text.contains("Số cuộc đối thoại") && text.contains("1.234"))
            #expect(text.contains("Nơi nhận:") && text.contains("Trần Thị Hồng Lĩnh"))
        }
    }
}
