@testable import DanVanText
import Foundation
import Testing

/// PDFs made in the test by LibreOffice (single-column text, and a Party-layout .docx with its
/// two-column header and an assignment table), read back through the real `pdftotext`.
/// LibreOffice and poppler-utils are part of the test set-up (`scripts/install-test-deps`).
@Suite("Directive reader: PDF input", .serialized)
struct PDFInputTests {
    /// `data` (a .txt or .docx) converted to PDF by LibreOffice.
    static func pdf(_ data: Data, extension ext: String) throws -> Data {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("danvan-pdf-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("file.\(ext)")
        try data.write(to: input)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // A profile of its own, so parallel tests and a user's LibreOffice do not collide.
        process.arguments = ["libreoffice", "-env:UserInstallation=file://\(folder.path)/profile", "--headless", "--convert-to", "pdf", "--outdir", folder.path, input.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "libreoffice could not convert the .\(ext) (is libreoffice-writer-nogui installed?)")
        return try Data(contentsOf: folder.appendingPathComponent("file.pdf"))
    }

    static let plainText = """
    ỦY BAN NHÂN DÂN TỈNH AN BÌNH
    Số: 215/KH-UBND
    An Bình, ngày 20 tháng 10 năm 2026

    KẾ HOẠCH
    thực hiện công tác dân vận chính quyền năm 2027

    I. MỤC ĐÍCH, YÊU CẦU
    Nâng cao chất lượng, hiệu quả công tác dân vận của các cơ quan nhà nước, bảo đảm thực hiện tốt Luật Thực hiện dân chủ ở cơ sở.
    II. NHIỆM VỤ
    1. Sở Nội vụ chủ trì, phối hợp với Ban Tuyên giáo và Dân vận Tỉnh ủy tham mưu Ủy ban nhân dân tỉnh tổ chức sơ kết công tác dân vận chính quyền gắn với phong trào thi đua "Dân vận khéo" trên địa bàn tỉnh; hoàn thành trong quý II/2027.
    2. Giám đốc Sở Tư pháp chỉ đạo rà soát thủ tục hành chính liên quan trực tiếp đến người dân, doanh nghiệp; hoàn thành trước Tết Nguyên đán.
    3. Ủy ban nhân dân các huyện tổ chức đối thoại với nhân dân về bồi thường, hỗ trợ, tái định cư; thực hiện hằng quý.

    Nơi nhận:
    - Ban Dân vận Trung ương;
    - Lưu VT.
    TM. ỦY BAN NHÂN DÂN
    CHỦ TỊCH
    Phạm Minh Đức
    """

    @Test("a single-column text PDF: header, lines joined, assignments with their deadlines")
    func singleColumn() throws {
        let data = try Self.pdf(Data(Self.plainText.utf8), extension: "txt")
        #expect(PDFInput.isPDF(data))
        let text = try DocumentInput.text(from: data, filename: "ke-hoach.pdf")
        let parse = DirectiveParser().parse(text)
        #expect(parse.kind == "Kế hoạch")
        #expect(parse.symbol == "215/KH-UBND")
        #expect(parse.date == "2026-10-20")
        #expect(parse.signer.name == "Phạm Minh Đức")
        #expect(parse.assignments.map(\.lead) == ["Sở Nội vụ", "Sở Tư pháp", "Ủy ban nhân dân các huyện"])
        #expect(parse.assignments.first?.coordinators == ["Ban Tuyên giáo và Dân vận Tỉnh ủy"])
        #expect(parse.assignments.first?.due == DirectiveParse.Due(kind: "quarter", quarter: 2, year: 2027))
        #expect(parse.assignments[1].role == "Giám đốc")
        #expect(parse.assignments[1].dueDate == "2027-02-05")
        #expect(parse.assignments[2].due == DirectiveParse.Due(kind: "recurring", every: "quarter"))
        // The long first assignment wrapped over several PDF lines and is one sentence again.
        #expect(parse.assignments.first?.text.contains("gắn với phong trào thi đua") == true)
    }

    @Test("a Party-layout PDF: the two-column header read in order, an assignment table's rows as assignments")
    func partyLayoutWithTable() throws {
        let date = try #require(ISO8601DateFormatter().date(from: "2026-10-20T05:00:00Z"))
        let document = AdministrativeDocument(
            family: .party, superior: "Tỉnh ủy An Bình", issuer: "Ban Tuyên giáo và Dân vận", symbol: "31-KH/BTGDVTU", place: "An Bình", date: date,
            kind: "Kế hoạch", title: "Triển khai công tác dân vận năm 2027",
            blocks: [
                .heading("I. NHIỆM VỤ"),
                .paragraph("1. Ban Tuyên giáo và Dân vận Tỉnh ủy chủ trì, phối hợp với Ủy ban MTTQ tỉnh tổ chức hội nghị đối thoại với nhân dân; hoàn thành trong quý II/2027."),
                .heading("II. PHÂN CÔNG THỰC HIỆN"),
                .table(header: ["STT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"], rows: [
                    ["1", "Tuyên truyền Luật Thực hiện dân chủ ở cơ sở đến chi bộ, tổ dân phố", "Sở Nội vụ", "Sở Tư pháp", "Quý II/2027"],
                    ["2", "Khảo sát tình hình nhân dân vùng dự án trọng điểm", "Ủy ban MTTQ tỉnh", "Hội Nông dân tỉnh", "30/9/2027"],
                    ["3", "Thăm hỏi gia đình chính sách", "Sở Lao động - Thương binh và Xã hội", "", "Trước Tết Nguyên đán"],
                ], widths: [1, 5, 3, 3, 2]),
            ],
            recipients: ["Ban Dân vận Trung ương", "Lưu VP"], signature: .init(authority: "T/M Ban Thường vụ", title: "Phó Bí thư", name: "Lê Văn Cường")
        )
        let data = try Self.pdf(try DOCX.write(document), extension: "docx")
        let text = try DocumentInput.text(from: data, filename: "ke-hoach.pdf")
        let parse = DirectiveParser().parse(text)
        #expect(parse.kind == "Kế hoạch")
        #expect(parse.symbol == "31-KH/BTGDVTU")
        #expect(parse.date == "2026-10-20")
        #expect(parse.signer.name == "Lê Văn Cường")
        let first = try #require(parse.assignments.first)
        #expect(first.lead == "Ban Tuyên giáo và Dân vận Tỉnh ủy")
        let rows = parse.assignments.dropFirst()
        #expect(rows.map(\.lead) == ["Sở Nội vụ", "Ủy ban MTTQ tỉnh", "Sở Lao động - Thương binh và Xã hội"])
        #expect(rows.map(\.coordinators) == [["Sở Tư pháp"], ["Hội Nông dân tỉnh"], []])
        #expect(rows.map(\.dueDate) == ["2027-06-30", "2027-09-30", "2027-02-05"])
        #expect(rows.first?.text == "Tuyên truyền Luật Thực hiện dân chủ ở cơ sở đến chi bộ, tổ dân phố")
    }

    @Test("a scanned PDF (no text layer) is refused, saying so")
    func scanned() throws {
        #expect {
            // LibreOffice prints a page with no text on it: no text layer, as a scan.
            _ = try DocumentInput.text(from: try Self.pdf(Data(" \n".utf8), extension: "txt"), filename: "scan.pdf")
        } throws: { error in
            (error as? DocumentInput.Failure)?.message.contains("bản quét") == true
        }
    }

    @Test("a broken PDF, a .pdf that is not one, a missing pdftotext, a pdftotext that hangs: each a clear message")
    func failures() throws {
        #expect {
            _ = try DocumentInput.text(from: Data("%PDF-1.4\nnot really\n".utf8), filename: "x.pdf")
        } throws: { error in
            (error as? DocumentInput.Failure)?.message.contains("hỏng") == true
        }
        #expect {
            _ = try DocumentInput.text(from: Data("plain words".utf8), filename: "x.pdf")
        } throws: { error in
            (error as? DocumentInput.Failure)?.message.contains("%PDF") == true
        }
        #expect {
            _ = try PDFInput.layoutText(from: Data("%PDF-1.4\n".utf8), tool: "/nonexistent/pdftotext")
        } throws: { error in
            (error as? DocumentInput.Failure)?.message.contains("poppler-utils") == true
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("danvan-slow-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let slow = folder.appendingPathComponent("pdftotext")
        try "#!/bin/sh\nexec sleep 30\n".write(to: slow, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: slow.path)
        let started = Date()
        #expect {
            _ = try PDFInput.layoutText(from: Data("%PDF-1.4\n".utf8), tool: slow.path, timeout: 1)
        } throws: { error in
            (error as? DocumentInput.Failure)?.message.contains("quá 1 giây") == true
        }
        #expect(Date().timeIntervalSince(started) < 10, "the hanging tool was not stopped")
    }
}
