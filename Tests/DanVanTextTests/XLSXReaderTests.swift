import DanVanText
import Foundation
import Testing
import ZIPFoundation

/// Spreadsheets as Excel saves them: text in the shared strings table. Found by `scripts/fuzz`:
/// a shared string written `<t>…</t>` made the reader look before the start of its text and
/// stop the whole server process.
@Suite("Excel reader: shared strings")
struct XLSXReaderTests {
    static func workbook(sharedStrings: String, sheet: String) throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        for (path, text) in [("xl/sharedStrings.xml", sharedStrings), ("xl/worksheets/sheet1.xml", sheet)] {
            let data = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return try #require(archive.data)
    }

    @Test("shared strings <t>, <t xml:space>, rich-text runs and an empty <t/> read; numbers and inline strings too")
    func sharedStrings() throws {
        let data = try Self.workbook(
            sharedStrings: "<sst><si><t>Câu hỏi</t></si><si><t xml:space=\"preserve\"> Đáp án </t></si><si><r><t>Thủ </t></r><r><t>đô</t></r></si><si><t/></si></sst>",
            sheet: "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c></row>"
                + "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>2</v></c><c r=\"B2\"><v>3</v></c><c r=\"C2\" t=\"s\"><v>3</v></c><c r=\"D2\" t=\"inlineStr\"><is><t>Hà Nội</t></is></c></row></sheetData></worksheet>"
        )
        let rows = try XLSX.read(data)
        #expect(rows.map(\.line) == [1, 2])
        #expect(rows[0].fields == ["Câu hỏi", " Đáp án "])
        #expect(rows[1].fields == ["Thủ đô", "3", "", "Hà Nội"])
    }

    /// A mangled zip found by `scripts/fuzz`: its directory points past the end of the file.
    /// ZIPFoundation's in-memory archive trapped on it (a reversed `Range`), stopping the
    /// process; read through a file it is refused as broken, as .docx and as .xlsx.
    static let mangledZip = Data(base64Encoded: "UEsDBBQAAAAIADF0hV07fovuzgAAAIEBAAARAAAAd29yZC9kb2N1bWVudC54bWx1UEsOgjAQvUrThUurLhHKwg2J8ZPABQo0hARKM3SFXe5HWGYfAAAAHf8AAAAAAAATAAAAW0NvbnRlbnRfVHlwZXNdLnhyZWRTdHJpbmdzLnhtbFBLAQIUAxQAAAAIADF0hV2HMJg3fXNvIG5vaSB2dQAAANUAAAAYAAAAAAAAAAAAAACAAWEAAAB4bC93b3Jrc2hlZXRzL3NoZWV0MS54bWxQSwUGAAAAAAIAAgCISwECFAMUAAAACAAxdIVd7kdYZh8AAAAdAAAAEwAAAAAAAAAAAAAAgAH9AAAAW0NvbnRlbnRfVHlwAIBdLnhtbFBLBQYAAAAAAgACAIAAAABNAQAAAAA=")!

    @Test("a zip whose directory points past its end is refused with a message, never a crash")
    func mangledZip() {
        #expect(throws: DocumentInput.Failure.self) { try DocumentInput.text(from: Self.mangledZip, filename: "ke-hoach.docx") }
        #expect(throws: XLSX.ReadError.self) { try XLSX.read(Self.mangledZip) }
    }
}
