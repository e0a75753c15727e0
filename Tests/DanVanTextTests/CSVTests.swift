import Foundation
import DanVanText
import Testing
import ZIPFoundation
#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite("CSV")
struct CSVTests {
    @Test("quoted fields keep commas, quotes and line breaks; line numbers follow the file")
    func quoting() throws {
        // setup
        let text = "code,name\r\nA,\"Ban Dân vận, Tỉnh ủy\"\r\nB,\"Nói \"\"có\"\"\"\r\nC,\"hai\ndòng\"\r\nD,cuối\r\n"
        // act
        let rows = try CSV.parse(text)
        // check
        #expect(rows.map(\.fields) == [["code", "name"], ["A", "Ban Dân vận, Tỉnh ủy"], ["B", "Nói \"có\""], ["C", "hai\ndòng"], ["D", "cuối"]])
        #expect(rows.map(\.line) == [1, 2, 3, 4, 6])
    }

    @Test("a BOM, semicolons (Excel in Vietnamese locale), blank lines and NFD input")
    func excelVariants() throws {
        let text = "\u{FEFF}code;name\n\nX-1;\("Hòa Lạc".decomposedStringWithCanonicalMapping)\n"
        let rows = try CSV.parse(text)
        #expect(rows.count == 2)
        #expect(rows[1].fields == ["X-1", "Hòa Lạc"])
        #expect(rows[1].fields[1].unicodeScalars.count == "Hòa Lạc".unicodeScalars.count)
    }

    @Test("an unterminated quote is reported with its line")
    func unterminatedQuote() {
        #expect(throws: CSV.ParseError.self) { try CSV.parse("a,b\n1,\"open\n2,3\n") }
        do {
            _ = try CSV.parse("a,b\n1,\"open\n")
        } catch {
            #expect(error.line == 2)
            #expect(error.message.contains("ngoặc kép"))
        }
    }

    @Test("write then parse gives back the same rows; Excel gets a BOM and CRLF")
    func roundTrip() throws {
        let rows = [["code", "name"], ["TU", "Tỉnh ủy, \"Thanh Bình\""], ["X", "dòng 1\ndòng 2"], ["", ""]]
        let text = CSV.write(rows)
        #expect(text.hasPrefix("\u{FEFF}"))
        #expect(text.contains("\r\n"))
        #expect(try CSV.parse(text).map(\.fields) == rows.filter { $0 != ["", ""] } + [["", ""]])
    }

    @Test("cells that a spreadsheet would run as formulas are defused")
    func formulaInjection() {
        let text = CSV.write([["=HYPERLINK(\"x\")", "+1", "@a", "-2", "ok"]])
        #expect(text.contains("\"'=HYPERLINK(\"\"x\"\")\""))
        #expect(text.contains("'+1"))
        #expect(text.contains("'@a"))
        #expect(text.contains("'-2"))
    }

    @Test("what write produces, parse reads back field for field (seeded; DANVAN_SEED replays)")
    func roundTripProperty() throws {
        let seed = SeededGenerator.testSeed(20261202, environment: ProcessInfo.processInfo.environment)
        var generator = SeededGenerator(seed: seed)
        let pieces = ["a", ",", ";", "\"", "\n", "\r\n", "đ", " ", "Hòa Lạc", "1.234,5", "x", "'", "\t"]
        for round in 0..<500 {
            let rows: [[String]] = (0..<Int.random(in: 1...4, using: &generator)).map { _ in
                (0..<Int.random(in: 2...5, using: &generator)).map { _ in
                    (0..<Int.random(in: 0...6, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
                }
            }
            let parsed = try CSV.parse(CSV.write(rows))
            #expect(parsed.map(\.fields) == rows.map { $0.map { VietnameseText.nfc($0).replacingOccurrences(of: "\r\n", with: "\n") } }, "seed \(seed), round \(round)")
        }
    }

    @Test("arbitrary text either parses into rows on increasing lines or fails with a line number inside the text (seeded)")
    func arbitraryText() {
        let seed = SeededGenerator.testSeed(20261203, environment: ProcessInfo.processInfo.environment)
        var generator = SeededGenerator(seed: seed)
        let pieces = ["a", ",", ";", "\"", "\n", "\r\n", "đ", " ", "\"\"", "x"]
        for round in 0..<2000 {
            let text = (0..<Int.random(in: 0...30, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let lines = text.filter { $0 == "\n" || $0 == "\r\n" }.count + 1
            do {
                let rows = try CSV.parse(text)
                #expect(zip(rows, rows.dropFirst()).allSatisfy { $0.line < $1.line }, "seed \(seed), round \(round)")
                #expect(rows.allSatisfy { $0.line >= 1 && $0.line <= lines }, "seed \(seed), round \(round)")
            } catch {
                #expect(error.line >= 1 && error.line <= lines && !error.message.isEmpty, "seed \(seed), round \(round)")
            }
        }
    }

    @Test("the delimiter is guessed outside quotes: a quoted first field full of semicolons does not decide")
    func delimiterIgnoresQuotes() throws {
        let rows = try CSV.parse("\"Hòa Lạc; Tân Lập; Đồng Tâm\",12\r\nx,y\r\n")
        #expect(rows.map(\.fields) == [["Hòa Lạc; Tân Lập; Đồng Tâm", "12"], ["x", "y"]])
        #expect(try CSV.parse("a;b;c\n1;2;3").map(\.fields) == [["a", "b", "c"], ["1", "2", "3"]])
    }
}

@Suite("XLSX")
struct XLSXTests {
    @Test("a workbook whose parts are well-formed XML, with Vietnamese text, numbers and escaping")
    func workbook() throws {
        let data = try XLSX.write(sheetName: "Nhiệm vụ", rows: [["STT", "Nội dung"], ["1", "Đối thoại <khẩn> & “gấp”"], ["2", "Hòa Lạc\u{0001}"]], widths: [6, 40])
        #expect(data.starts(with: [0x50, 0x4B, 0x03, 0x04]))
        let archive = try Archive(data: data, accessMode: .read)
        var sheet = Data()
        _ = try archive.extract(try #require(archive["xl/worksheets/sheet1.xml"])) { sheet.append($0) }
        let xml = String(decoding: sheet, as: UTF8.self)
        #expect(xml.contains("Đối thoại &lt;khẩn&gt; &amp; “gấp”"))
        #expect(xml.contains(#"<c r="A2" s="2"><v>1</v></c>"#))
        #expect(!xml.contains("\u{0001}"))
        for part in ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml"] {
            var content = Data()
            _ = try archive.extract(try #require(archive[part])) { content.append($0) }
            let parser = XMLParser(data: content)
            #expect(parser.parse(), "\(part) is well-formed")
        }
    }
}
