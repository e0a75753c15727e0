import DanVanText
import Foundation
import Testing
import ZIPFoundation

@Suite("Directive reader: input files")
struct DocumentInputTests {
    /// A minimal .docx: a header table, a bold run, a line break, a tab.
    static func docx(_ documentXML: String) throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        let xml = Data(documentXML.utf8)
        try archive.addEntry(with: "word/document.xml", type: .file, uncompressedSize: Int64(xml.count), compressionMethod: .deflate) { position, size in
            xml.subdata(in: Int(position)..<Int(position) + size)
        }
        let types = Data("<?xml version=\"1.0\"?><Types/>".utf8)
        try archive.addEntry(with: "[Content_Types].xml", type: .file, uncompressedSize: Int64(types.count)) { position, size in
            types.subdata(in: Int(position)..<Int(position) + size)
        }
        return try #require(archive.data)
    }

    static let body = """
    <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
    <w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
    <w:tbl><w:tr><w:tc><w:p><w:r><w:t>TỈNH ỦY AN BÌNH</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t xml:space="preserve">Số: 07-CT/TU</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
    <w:p><w:r><w:rPr><w:b/></w:rPr><w:t>CHỈ THỊ</w:t></w:r></w:p>
    <w:p><w:r><w:t>về công tác &amp; dân vận</w:t></w:r></w:p>
    <w:p/>
    <w:p><w:r><w:t xml:space="preserve">Sở Nội vụ chủ trì theo dõi. </w:t></w:r><w:r><w:rPr><w:b/><w:i/></w:rPr><w:t>Thực hiện hàng năm.</w:t></w:r><w:r><w:br/><w:t>Dòng</w:t><w:tab/><w:t>mới</w:t></w:r></w:p>
    </w:body></w:document>
    """

    @Test("a .docx becomes lines: table cells, paragraphs, breaks; bold and italic marked")
    func docxText() throws {
        let data = try Self.docx(Self.body)
        let text = try DocumentInput.text(from: data, filename: "chi-thi.docx")
        #expect(text.contains("TỈNH ỦY AN BÌNH\nSố: 07-CT/TU\n"))
        #expect(text.contains("**CHỈ THỊ**\n"))
        #expect(text.contains("về công tác & dân vận\n"))
        #expect(text.contains("Sở Nội vụ chủ trì theo dõi. ***Thực hiện hàng năm.***\nDòng\tmới"))
        let parse = DirectiveParser().parse(text)
        #expect(parse.kind == "Chỉ thị")
        #expect(parse.symbol == "07-CT/TU")
        #expect(parse.assignments.first?.lead == "Sở Nội vụ")
        #expect(parse.assignments.first?.due == DirectiveParse.Due(kind: "recurring", every: "year"))
    }

    @Test("bad input gets a clear Vietnamese error", arguments: [
        (Data(), "x.txt", "Tệp rỗng"),
        (Data([0x41, 0x00, 0x42]), "x.txt", "nhị phân (byte 0 ở vị trí 1)"),
        (Data([0x41, 0x42, 0xC3, 0x28]), "x.txt", "không phải văn bản UTF-8: byte không hợp lệ ở vị trí 2"),
        (Data("không phải zip".utf8), "van-ban.docx", "không phải tệp nén Word"),
        (Data([0x50, 0x4B, 0x03, 0x04, 0x00, 0x01]), "x.docx", "hỏng"),
        (Data([0xD0, 0xCF, 0x11, 0xE0, 0x01]), "cu.doc", ".doc (Word 97–2003)"),
    ])
    func badInput(data: Data, filename: String, message: String) {
        #expect {
            _ = try DocumentInput.text(from: data, filename: filename)
        } throws: { error in
            (error as? DocumentInput.Failure)?.message.contains(message) == true
        }
    }

    @Test("a file over 20 MB is refused before it is read")
    func tooLarge() {
        let data = Data(repeating: 0x61, count: DocumentInput.maximumBytes + 1)
        #expect(throws: DocumentInput.Failure.self) { try DocumentInput.text(from: data, filename: "lon.txt") }
    }

    @Test("a .docx without a document part")
    func docxWithoutBody() throws {
        let archive = try Archive(data: Data(), accessMode: .create)
        let other = Data("x".utf8)
        try archive.addEntry(with: "other.xml", type: .file, uncompressedSize: Int64(other.count)) { position, size in
            other.subdata(in: Int(position)..<Int(position) + size)
        }
        let data = try #require(archive.data)
        #expect { _ = try DocumentInput.text(from: data, filename: "x.docx") } throws: { error in
            (error as? DocumentInput.Failure)?.message.contains("word/document.xml") == true
        }
    }

    @Test("text input: BOM removed, CRLF to LF, NFC")
    func textInput() throws {
        let text = try DocumentInput.text(from: Data(("\u{FEFF}Hòa\r\nLạc".decomposedStringWithCanonicalMapping).utf8), filename: "a.txt")
        #expect(text == "Hòa\nLạc")
        #expect(text.unicodeScalars.count == "Hòa\nLạc".unicodeScalars.count)
    }
}

/// Where the fixture texts and their expected parses live (copied from shared/fixtures).
enum FixtureFiles {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let names = ["dongnai-2021-ke-hoach-nghi-quyet-dai-hoi", "langson-2024-ke-hoach-dan-van", "quangngai-2021-thong-bao-ket-luan-truc-bao"]
}

/// The scorer's rules (shared/tools/score_parse.py), in Swift, so the suite fails when the
/// reader gets worse on the fixtures.
@Suite("Directive reader: fixtures")
struct FixtureScoreTests {
    struct Gold: Decodable {
        struct Reference: Decodable { let symbol: String; let date: String? }
        struct Signer: Decodable { let name: String?; let title: String? }
        struct Assignment: Decodable { let lead: String; let due: DirectiveParse.Due? }
        let kind: String?
        let signer: Signer
        let recipients: [String]
        let references: [Reference]
        let assignments: [Assignment]
    }

    static func fold(_ text: String?) -> String {
        String(VietnameseText.fold(text ?? "").map { $0.isLetter || $0.isNumber ? $0 : " " }).split(separator: " ").joined(separator: " ")
    }

    static func f1(_ hits: Int, _ found: Int, _ expected: Int) -> Double {
        let precision = found == 0 ? (expected == 0 ? 1 : 0) : Double(hits) / Double(found)
        let recall = expected == 0 ? 1 : Double(hits) / Double(expected)
        return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
    }

    @Test("references, assignments and metadata match the expected parse", arguments: FixtureFiles.names)
    func fixture(name: String) throws {
        // setup
        let text = try String(contentsOf: FixtureFiles.folder.appendingPathComponent(name + ".txt"), encoding: .utf8)
        let gold = try JSONDecoder().decode(Gold.self, from: Data(contentsOf: FixtureFiles.folder.appendingPathComponent(name + ".expected.json")))
        // act
        let parse = DirectiveParser().parse(text, file: name + ".txt")
        // check
        let expectedRefs = Set(gold.references.map { "\($0.symbol.uppercased())|\($0.date ?? "")" })
        let foundRefs = Set(parse.references.map { "\($0.symbol.uppercased())|\($0.date ?? "")" })
        #expect(Self.f1(expectedRefs.intersection(foundRefs).count, foundRefs.count, expectedRefs.count) == 1.0, "missing \(expectedRefs.subtracting(foundRefs)), extra \(foundRefs.subtracting(expectedRefs))")
        var used = Set<Int>()
        var hits = 0
        for expected in gold.assignments {
            for (index, found) in parse.assignments.enumerated() where !used.contains(index) {
                let a = Self.fold(expected.lead), b = Self.fold(found.lead)
                if !a.isEmpty, !b.isEmpty, a.hasPrefix(b) || b.hasPrefix(a), expected.due == found.due {
                    used.insert(index)
                    hits += 1
                    break
                }
            }
        }
        #expect(Self.f1(hits, parse.assignments.count, gold.assignments.count) >= 0.95)
        #expect(Self.fold(parse.kind) == Self.fold(gold.kind))
        #expect(Self.fold(parse.signer.name) == Self.fold(gold.signer.name))
        #expect(Self.fold(parse.signer.title) == Self.fold(gold.signer.title))
        #expect(Set(parse.recipients.map { Self.fold($0) }) == Set(gold.recipients.map { Self.fold($0) }))
    }
}
