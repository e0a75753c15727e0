import Foundation
import ZIPFoundation

/// A document in the Vietnamese administrative layout, as one model for both families:
/// State documents (Nghị định 30/2020/NĐ-CP, Phụ lục I) and Party documents (Hướng dẫn
/// 36-HD/VPTW, Phụ lục 3). `DOCX.write` renders it; the family decides the header blocks,
/// sizes and the signature prefixes (../shared/LEGAL.md §3).
public struct AdministrativeDocument: Sendable, Equatable {
    /// Which rules the layout follows.
    public enum Family: String, Sendable, Equatable, CaseIterable {
        case state, party
    }

    /// A piece of the body, in order.
    public enum Block: Sendable, Equatable {
        /// A numbered or lettered heading ("I. KẾT QUẢ…", "1. Tình hình…"), bold.
        case heading(String)
        /// A body paragraph: justified, first line indented.
        case paragraph(String)
        /// A table with a bold header row; numbers right-aligned.
        case table(header: [String], rows: [[String]], widths: [Int])
    }

    /// The signature block: authority prefix ("T/M BAN THƯỜNG VỤ", "KT. TRƯỞNG BAN"), the
    /// signer's title, and the name.
    public struct Signature: Sendable, Equatable {
        public var authority: String
        public var title: String
        public var name: String

        /// Creates a signature block.
        public init(authority: String, title: String, name: String) {
            self.authority = authority
            self.title = title
            self.name = name
        }
    }

    public var family: Family
    /// The superior body above the issuer ("ĐẢNG BỘ TỈNH QUẢNG TRỊ", "UBND TỈNH …"), if any.
    public var superior: String?
    /// The issuing body ("BAN DÂN VẬN TỈNH ỦY").
    public var issuer: String
    /// The number and symbol as they follow "Số" ("12-BC/BDVTU", "05/BC-UBND"); empty leaves a gap to fill by hand.
    public var symbol: String
    /// The place in the date line ("Quảng Trị").
    public var place: String
    /// The date of the date line.
    public var date: Date
    /// The kind in capitals ("BÁO CÁO").
    public var kind: String
    /// The subject line under the kind.
    public var title: String
    public var blocks: [Block]
    /// "Nơi nhận" lines, without the leading dash.
    public var recipients: [String]
    public var signature: Signature
    /// Page size in millimetres and margins (top, bottom, left, right), from configuration.
    public var margins: (top: Int, bottom: Int, left: Int, right: Int)

    /// Creates a document; margins default to 20/20/30/15 mm (within both families' ranges).
    public init(
        family: Family, superior: String?, issuer: String, symbol: String, place: String, date: Date, kind: String, title: String,
        blocks: [Block], recipients: [String], signature: Signature, margins: (top: Int, bottom: Int, left: Int, right: Int) = (20, 20, 30, 15)
    ) {
        self.family = family
        self.superior = superior
        self.issuer = issuer
        self.symbol = symbol
        self.place = place
        self.date = date
        self.kind = kind
        self.title = title
        self.blocks = blocks
        self.recipients = recipients
        self.signature = signature
        self.margins = margins
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.family == rhs.family && lhs.superior == rhs.superior && lhs.issuer == rhs.issuer && lhs.symbol == rhs.symbol
            && lhs.place == rhs.place && lhs.date == rhs.date && lhs.kind == rhs.kind && lhs.title == rhs.title && lhs.blocks == rhs.blocks
            && lhs.recipients == rhs.recipients && lhs.signature == rhs.signature && lhs.margins == rhs.margins
    }

    /// The date line: "Quảng Trị, ngày 04 tháng 12 năm 2026" (leading zero for days 1–9 and months 1–2).
    public var dateLine: String { Self.dateLine(place: place, date: date) }

    /// "Thanh Bình, ngày 04 tháng 12 năm 2026" for `date` in the province's time.
    public static func dateLine(place: String, date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh") ?? .current
        let parts = calendar.dateComponents([.day, .month, .year], from: date)
        let day = parts.day ?? 1, month = parts.month ?? 1
        let dayText = day < 10 ? "0\(day)" : "\(day)"
        let monthText = month < 3 ? "0\(month)" : "\(month)"
        return "\(place), ngày \(dayText) tháng \(monthText) năm \(parts.year ?? 2000)"
    }

    /// The place of the date line from the province's name: "Tỉnh Thanh Bình" → "Thanh Bình".
    public static func place(fromProvince name: String) -> String {
        for prefix in ["Tỉnh ", "Thành phố ", "tỉnh ", "thành phố "] where name.hasPrefix(prefix) {
            return String(name.dropFirst(prefix.count))
        }
        return name
    }

    /// The issuer line under a superior body: a Party committee's board is written without the
    /// committee's name the line above already gives ("TỈNH ỦY THANH BÌNH" / "BAN TUYÊN GIÁO
    /// VÀ DÂN VẬN", not "… DÂN VẬN TỈNH ỦY").
    public var issuerLine: String {
        guard let superior, !superior.isEmpty else { return issuer }
        for suffix in [" Tỉnh ủy", " Thành ủy", " Huyện ủy", " Quận ủy", " Thị ủy", " Đảng ủy"] {
            if issuer.hasSuffix(suffix), VietnameseText.fold(superior).hasPrefix(VietnameseText.fold(String(suffix.dropFirst()))) {
                return String(issuer.dropLast(suffix.count))
            }
        }
        return issuer
    }

    /// The subject line of a periodic report from its regime's name and period: "Báo cáo tình
    /// hình nhân dân hằng tháng" + "Tháng 11/2026" → "Tình hình nhân dân tháng 11/2026".
    public static func subject(regimeName: String, period: String) -> String {
        var name = regimeName.trimmingCharacters(in: .whitespaces)
        if VietnameseText.fold(name).hasPrefix("bao cao ") { name = String(name.dropFirst("Báo cáo ".count)) }
        for suffix in [" hằng tháng", " hằng quý", " hằng năm", " hàng tháng", " hàng quý", " hàng năm", " định kỳ"] where name.hasSuffix(suffix) {
            name = String(name.dropLast(suffix.count))
        }
        let first = name.prefix(1).uppercased() + name.dropFirst()
        return first + " " + lowercasedFirst(period)
    }

    /// "Tháng 11/2026" → "tháng 11/2026" (the words of a period inside a sentence).
    public static func lowercasedFirst(_ text: String) -> String {
        text.prefix(1).lowercased() + text.dropFirst()
    }

    /// The number line: "Số 12-BC/BDVTU" (Party, no colon) or "Số: 05/BC-UBND" (State).
    public var numberLine: String {
        let symbol = self.symbol.isEmpty ? "      " : self.symbol
        return family == .party ? "Số \(symbol)" : "Số: \(symbol)"
    }
}

/// A Word (.docx) writer for `AdministrativeDocument`: pure Swift, WordprocessingML parts
/// zipped with ZIPFoundation. A4 portrait, Times New Roman, page numbers centred in the top
/// margin from page 2.
public enum DOCX {
    /// A failure to build the archive.
    public struct Failure: Error, Sendable {}

    /// Sizes in points of each element, by family (LEGAL.md §3).
    struct Sizes {
        let motto: Int, mottoLine: Int, superior: Int, issuer: Int, number: Int, date: Int, kind: Int, title: Int, body: Int
        static let party = Sizes(motto: 15, mottoLine: 15, superior: 14, issuer: 14, number: 14, date: 14, kind: 16, title: 14, body: 14)
        static let state = Sizes(motto: 12, mottoLine: 14, superior: 13, issuer: 13, number: 13, date: 14, kind: 14, title: 14, body: 14)
    }

    /// The bytes of a `.docx` file for `document`.
    public static func write(_ document: AdministrativeDocument) throws -> Data {
        let archive: Archive
        do { archive = try Archive(data: Data(), accessMode: .create) } catch { throw Failure() }
        let files: [(String, String)] = [
            ("[Content_Types].xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>
            """),
            ("_rels/.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>
            """),
            ("word/_rels/document.xml.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/></Relationships>
            """),
            ("docProps/core.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>\(XLSX.escape(document.kind + " " + document.title))</dc:title><dc:creator>\(XLSX.escape(document.issuer))</dc:creator></cp:coreProperties>
            """),
            ("word/styles.xml", styles(document)),
            ("word/header1.xml", header()),
            ("word/document.xml", body(document)),
        ]
        do {
            for (path, text) in files {
                let data = Data(VietnameseText.nfc(text).utf8)
                try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                    data.subdata(in: Int(position)..<Int(position) + size)
                }
            }
        } catch { throw Failure() }
        guard let data = archive.data else { throw Failure() }
        return data
    }

    static let namespace = #"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#

    static func styles(_ document: AdministrativeDocument) -> String {
        let size = (document.family == .party ? Sizes.party : Sizes.state).body * 2
        return """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <w:styles \(namespace)><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:cs="Times New Roman" w:eastAsia="Times New Roman"/><w:sz w:val="\(size)"/><w:szCs w:val="\(size)"/><w:lang w:val="vi-VN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:before="0" w:after="120" w:line="288" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style><w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblCellMar><w:left w:w="80" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style></w:styles>
        """
    }

    /// The page number, centred in the top margin (the first page has its own empty header).
    static func header() -> String {
        """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <w:hdr \(namespace)><w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>2</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:hdr>
        """
    }

    /// A run of text with its formatting.
    static func run(_ text: String, size: Int, bold: Bool = false, italic: Bool = false, underline: Bool = false) -> String {
        var properties = ""
        if bold { properties += "<w:b/><w:bCs/>" }
        if italic { properties += "<w:i/><w:iCs/>" }
        if underline { properties += #"<w:u w:val="single"/>"# }
        properties += #"<w:sz w:val="\#(size * 2)"/><w:szCs w:val="\#(size * 2)"/>"#
        return #"<w:r><w:rPr>\#(properties)</w:rPr><w:t xml:space="preserve">\#(XLSX.escape(text))</w:t></w:r>"#
    }

    /// A paragraph: `align` is left, center, right or both; `indent` the first line in twips.
    static func paragraph(_ runs: String, align: String = "left", indent: Int = 0, after: Int = 120, keepNext: Bool = false) -> String {
        let indentXML = indent > 0 ? #"<w:ind w:firstLine="\#(indent)"/>"# : ""
        return #"<w:p><w:pPr>\#(keepNext ? "<w:keepNext/>" : "")<w:spacing w:before="0" w:after="\#(after)"/>\#(indentXML)<w:jc w:val="\#(align)"/></w:pPr>\#(runs)</w:p>"#
    }

    /// A two-column table without borders (the header and signature blocks).
    static func blockTable(left: String, right: String, leftWidth: Int, rightWidth: Int) -> String {
        let none = #"<w:top w:val="nil"/><w:left w:val="nil"/><w:bottom w:val="nil"/><w:right w:val="nil"/><w:insideH w:val="nil"/><w:insideV w:val="nil"/>"#
        return """
        <w:tbl><w:tblPr><w:tblW w:w="\(leftWidth + rightWidth)" w:type="dxa"/><w:tblBorders>\(none)</w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid><w:gridCol w:w="\(leftWidth)"/><w:gridCol w:w="\(rightWidth)"/></w:tblGrid><w:tr><w:tc><w:tcPr><w:tcW w:w="\(leftWidth)" w:type="dxa"/></w:tcPr>\(left)</w:tc><w:tc><w:tcPr><w:tcW w:w="\(rightWidth)" w:type="dxa"/></w:tcPr>\(right)</w:tc></w:tr></w:tbl>
        """
    }

    static func twips(millimetres: Int) -> Int { Int((Double(millimetres) * 1440 / 25.4).rounded()) }

    static func body(_ document: AdministrativeDocument) -> String {
        let sizes = document.family == .party ? Sizes.party : Sizes.state
        let width = 11906 - twips(millimetres: document.margins.left) - twips(millimetres: document.margins.right)
        let leftWidth = width * (document.family == .party ? 45 : 38) / 100, rightWidth = width - leftWidth
        var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document \#(namespace)><w:body>"#

        // Header blocks: issuer and number on the left, motto and date line on the right.
        var left = ""
        if let superior = document.superior, !superior.isEmpty {
            left += paragraph(run(superior.uppercased(), size: sizes.superior), align: "center", after: 0)
        }
        left += paragraph(run(document.issuerLine.uppercased(), size: sizes.issuer, bold: true), align: "center", after: 0)
        left += paragraph(run(document.family == .party ? "*" : "———", size: sizes.issuer), align: "center", after: 0)
        left += paragraph(run(document.numberLine, size: sizes.number), align: "center", after: 0)
        var right = ""
        switch document.family {
        case .party:
            right += paragraph(run("ĐẢNG CỘNG SẢN VIỆT NAM", size: sizes.motto, bold: true, underline: true), align: "center", after: 240)
        case .state:
            right += paragraph(run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size: sizes.motto, bold: true), align: "center", after: 0)
            right += paragraph(run("Độc lập - Tự do - Hạnh phúc", size: sizes.mottoLine, bold: true, underline: true), align: "center", after: 240)
        }
        right += paragraph(run(document.dateLine, size: sizes.date, italic: true), align: "center", after: 0)
        xml += blockTable(left: left, right: right, leftWidth: leftWidth, rightWidth: rightWidth)

        // Kind and subject.
        xml += paragraph(run(document.kind.uppercased(), size: sizes.kind, bold: true), align: "center", after: 0, keepNext: true).replacingOccurrences(of: #"<w:spacing w:before="0""#, with: #"<w:spacing w:before="360""#)
        xml += paragraph(run(document.title, size: sizes.title, bold: true), align: "center", after: 0, keepNext: true)
        xml += paragraph(run("-----", size: sizes.title), align: "center", after: 240)

        for block in document.blocks {
            switch block {
            case .heading(let text):
                xml += paragraph(run(text, size: sizes.body, bold: true), align: "both", indent: 567, keepNext: true)
            case .paragraph(let text):
                for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
                    xml += paragraph(run(String(line).trimmingCharacters(in: .whitespaces), size: sizes.body), align: "both", indent: 567)
                }
            case .table(let header, let rows, let widths):
                xml += table(header: header, rows: rows, widths: widths, total: width)
            }
        }

        // "Nơi nhận" and the signature block.
        var recipients = paragraph(run("Nơi nhận:", size: 12, bold: true, italic: true), after: 0)
        for (index, line) in document.recipients.enumerated() {
            recipients += paragraph(run("- \(line)\(index == document.recipients.count - 1 ? "." : ";")", size: 11), after: 0)
        }
        var signature = ""
        if !document.signature.authority.isEmpty {
            signature += paragraph(run(document.signature.authority.uppercased(), size: sizes.body, bold: true), align: "center", after: 0)
        }
        signature += paragraph(run(document.signature.title.uppercased(), size: sizes.body, bold: true), align: "center", after: 1200)
        signature += paragraph(run(document.signature.name, size: sizes.body, bold: true), align: "center", after: 0)
        xml += paragraph("", after: 120)
        xml += blockTable(left: recipients, right: signature, leftWidth: leftWidth, rightWidth: rightWidth)

        xml += """
        <w:sectPr><w:headerReference w:type="default" r:id="rId2"/><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="\(twips(millimetres: document.margins.top))" w:right="\(twips(millimetres: document.margins.right))" w:bottom="\(twips(millimetres: document.margins.bottom))" w:left="\(twips(millimetres: document.margins.left))" w:header="567" w:footer="567" w:gutter="0"/><w:titlePg/></w:sectPr></w:body></w:document>
        """
        return xml
    }

    /// An indicator table: bordered, bold header row repeated on each page, numbers right-aligned.
    static func table(header: [String], rows: [[String]], widths: [Int], total: Int) -> String {
        let columns = max(header.count, rows.map(\.count).max() ?? 0)
        guard columns > 0 else { return "" }
        let weights = (0..<columns).map { $0 < widths.count ? max(1, widths[$0]) : 1 }
        let sum = weights.reduce(0, +)
        let grid = weights.map { total * $0 / sum }
        let border = #"w:val="single" w:sz="4" w:space="0" w:color="000000""#
        var xml = #"<w:tbl><w:tblPr><w:tblW w:w="\#(total)" w:type="dxa"/><w:tblBorders><w:top \#(border)/><w:left \#(border)/><w:bottom \#(border)/><w:right \#(border)/><w:insideH \#(border)/><w:insideV \#(border)/></w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>"#
        xml += grid.map { #"<w:gridCol w:w="\#($0)"/>"# }.joined() + "</w:tblGrid>"
        func cell(_ text: String, column: Int, bold: Bool) -> String {
            let numeric = !bold && isNumeric(text)
            return #"<w:tc><w:tcPr><w:tcW w:w="\#(grid[column])" w:type="dxa"/></w:tcPr>"# + paragraph(run(text, size: 12, bold: bold), align: bold ? "center" : (numeric ? "right" : "left"), after: 0) + "</w:tc>"
        }
        xml += "<w:tr><w:trPr><w:tblHeader/></w:trPr>" + (0..<columns).map { cell($0 < header.count ? header[$0] : "", column: $0, bold: true) }.joined() + "</w:tr>"
        for row in rows {
            xml += "<w:tr><w:trPr><w:cantSplit/></w:trPr>" + (0..<columns).map { cell($0 < row.count ? row[$0] : "", column: $0, bold: false) }.joined() + "</w:tr>"
        }
        return xml + "</w:tbl>" + paragraph("", after: 120)
    }

    /// "1.234", "12,5", "87,5%", "—": right-aligned in tables.
    static func isNumeric(_ text: String) -> Bool {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return false }
        return trimmed.allSatisfy { $0.isNumber || ".,%-+ ".contains($0) } || trimmed == "—"
    }
}
