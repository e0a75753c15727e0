import Foundation

/// Reads a Vietnamese directive (pasted text or the text of a .docx) into structured data:
/// metadata, cited documents, laws named, the outline and the assignments with their lead,
/// coordinators and deadline. Pure and total: any text gives a result, never a crash.
public struct DirectiveParser: Sendable {
    /// Creates a parser.
    public init() {}

    /// Parses `text` (any normalisation, CRLF or LF).
    public func parse(_ text: String, file: String? = nil) -> DirectiveParse {
        var run = Run(text: DocumentInput.normalise(text))
        var result = run.parse()
        result.file = file
        return result
    }
}

/// The kinds of document: the words the reader recognises and the names the library stores
/// (the stored value is the Vietnamese name itself, as on the paper).
public enum DocumentKinds {
    /// Every kind a user can choose, in the order forms and filters offer them.
    public static let names = [
        "Nghị quyết", "Chỉ thị", "Kết luận", "Quyết định", "Quy định", "Kế hoạch", "Chương trình hành động", "Chương trình",
        "Thông báo", "Thông tri", "Hướng dẫn", "Công văn", "Đề án", "Báo cáo", "Tờ trình", "Quy chế",
    ]

    /// Kinds that are reviewed (sơ kết after 5 years, tổng kết after 10 by default).
    public static let reviewed: Set<String> = ["Nghị quyết", "Chỉ thị", "Kết luận"]

    /// Kind words as printed in capitals at the head of a document, and their names.
    static let headings: [(String, String)] = [
        ("CHƯƠNG TRÌNH HÀNH ĐỘNG", "Chương trình hành động"), ("THÔNG BÁO KẾT LUẬN", "Thông báo"), ("CHƯƠNG TRÌNH", "Chương trình"),
        ("NGHỊ QUYẾT", "Nghị quyết"), ("CHỈ THỊ", "Chỉ thị"), ("KẾT LUẬN", "Kết luận"), ("QUYẾT ĐỊNH", "Quyết định"),
        ("QUY ĐỊNH", "Quy định"), ("KẾ HOẠCH", "Kế hoạch"), ("THÔNG BÁO", "Thông báo"), ("THÔNG TRI", "Thông tri"),
        ("HƯỚNG DẪN", "Hướng dẫn"), ("CÔNG VĂN", "Công văn"), ("ĐỀ ÁN", "Đề án"), ("BÁO CÁO", "Báo cáo"), ("TỜ TRÌNH", "Tờ trình"),
        ("QUY CHẾ", "Quy chế"), ("NGHỊ ĐỊNH", "Nghị định"), ("THÔNG TƯ", "Thông tư"), ("LỜI KÊU GỌI", "Lời kêu gọi"),
    ]

    /// Kind words as they precede "số" in a citation (folded), longest first.
    static let citationPhrases: [([String], String)] = [
        ("thong bao ket luan", "Thông báo"), ("chuong trinh hanh dong", "Chương trình hành động"),
        ("nghi quyet lien tich", "Nghị quyết liên tịch"), ("thong tu lien tich", "Thông tư liên tịch"),
        ("chuong trinh phoi hop", "Chương trình phối hợp"), ("nghi quyet", "Nghị quyết"), ("chi thi", "Chỉ thị"),
        ("ket luan", "Kết luận"), ("quyet dinh", "Quyết định"), ("quy dinh", "Quy định"), ("ke hoach", "Kế hoạch"),
        ("chuong trinh", "Chương trình"), ("thong bao", "Thông báo"), ("thong tri", "Thông tri"), ("huong dan", "Hướng dẫn"),
        ("cong van", "Công văn"), ("de an", "Đề án"), ("bao cao", "Báo cáo"), ("nghi dinh", "Nghị định"), ("thong tu", "Thông tư"),
        ("luat", "Luật"), ("quy che", "Quy chế"), ("to trinh", "Tờ trình"), ("phap lenh", "Pháp lệnh"), ("hien phap", "Hiến pháp"),
    ].map { ($0.0.split(separator: " ").map(String.init), $0.1) }.sorted { $0.0.count > $1.0.count }

    /// The kind a code stands for when no word precedes the symbol.
    static func kind(forCode code: String?, family: String) -> String? {
        guard let code else { return nil }
        switch code.uppercased() {
        case "NQ": return "Nghị quyết"
        case "CT": return "Chỉ thị"
        case "KL": return "Kết luận"
        case "QĐ": return "Quyết định"
        case "QĐI": return "Quy định"
        case "KH": return "Kế hoạch"
        case "CTR": return "Chương trình hành động"
        case "TB": return "Thông báo"
        case "TTR": return family == "state" ? "Tờ trình" : "Thông tri"
        case "HD": return "Hướng dẫn"
        case "CV": return "Công văn"
        case "ĐA": return "Đề án"
        case "BC": return "Báo cáo"
        case "NĐ": return "Nghị định"
        case "TT": return family == "state" ? "Thông tư" : "Thông tri"
        case "QC": return "Quy chế"
        default: return nil
        }
    }
}

/// One parse: the state shared by the steps.
struct Run {
    let text: String
    var lines: [Substring]
    var result = DirectiveParse()
    /// For a letter (no kind line), where "Kính gửi" starts.
    var letterHeaderEnd: Int?

    init(text: String) {
        self.text = text
        self.lines = text.utf8.split(separator: 10, omittingEmptySubsequences: false).map { text[$0.startIndex..<$0.endIndex] }
    }

    // MARK: - Paragraphs and outline

    /// A paragraph of the body with its outline position.
    struct Paragraph {
        var text: Substring
        var marker: String?
        var markerKind: MarkerKind?
        /// Text after the marker, `*` removed at the ends.
        var content: Substring
        var level = 0
        var sectionID: String?
        var isHeading = false
        var parent: Int?
        var excluded = false
        var suppressed = false
        var preamble = false
    }

    enum MarkerKind: Equatable {
        case roman, arabic, arabic2, arabic3, letter, dash, plus
        var isNumbered: Bool { self != .dash && self != .plus }
    }

    mutating func parse() -> DirectiveParse {
        let tables = extractTables()
        let kindLine = findKind()
        // An annex ("PHỤ LỤC …", "(Kèm theo Kế hoạch số …)") after the signature is read on its
        // own: its tables are assignments, its title may carry the document's own symbol.
        let annexStart = findAnnex(after: kindLine ?? letterHeaderEnd ?? 0)
        let annex = annexStart.map { Array(lines[$0...]) } ?? []
        if let annexStart { lines = Array(lines[..<annexStart]) }
        let bodyStart = readTitleAndHeader(kindLine: kindLine)
        let (bodyEnd, tailStart) = findTail(from: bodyStart)
        readTail(from: tailStart)
        let paragraphs = buildParagraphs(lines[bodyStart..<bodyEnd])
        let outlined = outline(paragraphs)
        readReferences(bodyStart: bodyStart, bodyEnd: bodyEnd)
        readLaws(outlined)
        readAssignments(outlined)
        readAnnexTitle(annex)
        for table in tables {
            let inAnnex = annexStart.map { table.line >= $0 } ?? false
            let issued = issuedOn
            result.assignments += AssignmentTable.assignments(table, annex: inAnnex) { cell in DuePhrases.cell(cell, issued: issued) }
        }
        if result.kind == nil { result.warnings.append("Không nhận ra loại văn bản (Kế hoạch, Chỉ thị…).") }
        if result.assignments.isEmpty { result.warnings.append("Không tìm thấy nhiệm vụ giao cho đơn vị nào.") }
        return result
    }

    // MARK: - Tables and annexes

    /// Takes the pipe rows of assignment tables out of the lines (left blank, so line numbers
    /// hold) and gives them back as tables; the rows of any other table become its cells, one
    /// a line.
    mutating func extractTables() -> [AssignmentTable.Found] {
        guard lines.contains(where: { line in
            let bytes = line.utf8
            return bytes.first == 124 || (bytes.first == 32 && bytes.contains(124) && line.trimmingWhitespace().utf8.first == 124)
        }) else { return [] }
        var found: [AssignmentTable.Found] = []
        var output: [Substring] = []
        var index = 0
        while index < lines.count {
            guard AssignmentTable.cells(ofPipeRow: lines[index]) != nil else {
                output.append(lines[index])
                index += 1
                continue
            }
            var end = index
            var rows: [[String]] = []
            while end < lines.count, let cells = AssignmentTable.cells(ofPipeRow: lines[end]) {
                if !AssignmentTable.isSeparator(cells) { rows.append(cells.map { VietnameseText.nfc($0) }) }
                end += 1
            }
            if let header = rows.first, let columns = AssignmentTable.columns(header: header) {
                found.append(AssignmentTable.Found(columns: columns, rows: Array(rows.dropFirst()), line: output.count))
                output += Array(repeating: Substring(""), count: end - index)
            } else {
                for row in rows { for cell in row where !cell.isEmpty { output.append(Substring(cell)) } }
            }
            index = end
        }
        lines = output
        return found
    }

    /// Where an annex starts: a line "PHỤ LỤC …" in capitals or "(Kèm theo …)" after the body.
    func findAnnex(after start: Int) -> Int? {
        guard start + 1 < lines.count else { return nil }
        for index in (start + 1)..<lines.count {
            // Cheap first: the line must start with "P" or "(" (after spaces and markup).
            guard let first = lines[index].utf8.first(where: { $0 != 32 && $0 != 42 && $0 != 9 }), first == 80 || first == 40 else { continue }
            let line = Self.stripMarkup(lines[index])
            if line.hasPrefix("PHỤ LỤC") || line.hasPrefix("(Kèm theo") || (line.hasPrefix("Phụ lục") && line.count < 40 && !line.contains(".")) {
                // The annex follows the signature: a "Nơi nhận" or a signer line comes first.
                if lines[..<index].contains(where: { Self.stripMarkup($0).hasPrefix("Nơi nhận") }) || index > lines.count / 2 { return index }
            }
        }
        return nil
    }

    /// "Kèm theo Quyết định số 23-QĐ/TW …" in an annex's title names the document itself:
    /// its symbol is the document's own when the header lost it.
    mutating func readAnnexTitle(_ annex: [Substring]) {
        for line in annex.prefix(8) {
            let plain = Self.stripMarkup(line)
            guard let range = plain.range(of: "Kèm theo") else { continue }
            let scalars = Array(plain[range.upperBound...].unicodeScalars)
            var index = 0
            while index + 1 < scalars.count {
                if (scalars[index] == "s" || scalars[index] == "S"), scalars[index + 1] == "ố" {
                    var j = index + 2
                    while j < scalars.count, scalars[j] == " " || scalars[j] == ":" { j += 1 }
                    if let match = Symbols.match(in: scalars, at: j, allowMissingHyphen: true) {
                        if result.symbol == nil { result.symbol = match.symbol }
                        let own = result.symbol?.uppercased()
                        result.references.removeAll { $0.symbol.uppercased() == own }
                        return
                    }
                }
                index += 1
            }
        }
    }

    static func stripMarkup(_ line: Substring) -> Substring {
        let scalars = line.unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        func isMarkup(_ scalar: Unicode.Scalar) -> Bool { scalar == "*" || scalar == " " || scalar == "\t" || scalar == "_" || scalar == "\u{00A0}" }
        while start < end, isMarkup(scalars[start]) { start = scalars.index(after: start) }
        while end > start, isMarkup(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        return line[start..<end]
    }

    // MARK: - Header

    /// The line holding the kind word in capitals, or the "Kính gửi" line of a letter.
    mutating func findKind() -> Int? {
        let limit = min(lines.count, 60)
        for index in 0..<limit {
            let line = Self.stripMarkup(lines[index])
            guard !line.isEmpty, line.count < 80 else { continue }
            for (word, name) in DocumentKinds.headings where line == word {
                result.kind = name
                return index
            }
        }
        for index in 0..<limit {
            let line = Self.stripMarkup(lines[index])
            for (word, name) in DocumentKinds.headings where line.hasPrefix(word + " ") {
                let rest = line.dropFirst(word.count + 1)
                if let first = rest.first, first.isLowercase || rest.contains(where: { $0.isLowercase }) {
                    result.kind = name
                    result.title = String(rest)
                    return index
                }
            }
            if line.hasPrefix("Kính gửi") {
                result.kind = "Công văn"
                letterHeaderEnd = index
                return nil
            }
        }
        return nil
    }

    /// Reads the header (own symbol and date), the title and the addressees; returns the
    /// first body line.
    mutating func readTitleAndHeader(kindLine: Int?) -> Int {
        let headerEnd = kindLine ?? letterHeaderEnd ?? min(lines.count, firstBodyLine())
        let header = lines[0..<headerEnd].joined(separator: "\n")
        readOwnSymbolAndDate(header)
        var index = (kindLine ?? headerEnd - 1) + 1
        if let kindLine, result.title == nil {
            var titleLines: [Substring] = []
            var cursor = kindLine + 1
            while cursor < lines.count, Self.stripMarkup(lines[cursor]).isEmpty { cursor += 1 }
            while cursor < lines.count {
                let line = Self.stripMarkup(lines[cursor])
                if line.isEmpty || line.count > 220 || line.hasPrefix("Căn cứ") || line.hasPrefix("Kính gửi") || Self.marker(line) != nil { break }
                // A full sentence is body text, not a subject line.
                if line.hasSuffix("."), line.split(separator: " ").count > 4 { break }
                titleLines.append(line)
                cursor += 1
            }
            if !titleLines.isEmpty {
                result.title = titleLines.joined(separator: " ")
                index = cursor
            }
        } else if kindLine == nil {
            index = letterHeaderEnd ?? 0
            // A letter's subject: "V/v …" in the header.
            for line in lines[0..<headerEnd] {
                let plain = Self.stripMarkup(line)
                if plain.hasPrefix("V/v ") || plain.hasPrefix("V/V ") { result.title = String(plain.dropFirst(4)) }
            }
        }
        // "Kính gửi:" addressees, on the line or listed under it.
        var cursor = index
        while cursor < min(lines.count, index + 12) {
            let line = Self.stripMarkup(lines[cursor])
            if line.hasPrefix("Kính gửi") {
                let rest = line.drop { $0 != ":" }.dropFirst().trimmingCharacters(in: .whitespaces)
                if !rest.isEmpty { result.addressees.append(Self.cleanListItem(Substring(rest))) }
                cursor += 1
                while cursor < lines.count {
                    let item = Self.stripMarkup(lines[cursor])
                    if item.isEmpty, !result.addressees.isEmpty { break }
                    if item.isEmpty { cursor += 1; continue }
                    guard item.hasPrefix("-") || item.hasPrefix("+") || item.hasPrefix("•") else { break }
                    result.addressees.append(Self.cleanListItem(item))
                    cursor += 1
                }
                if result.kind == nil { result.kind = "Công văn" }
                return cursor
            }
            cursor += 1
        }
        return index
    }

    /// Where a body starts when no kind line was found: the first long line.
    func firstBodyLine() -> Int {
        for (index, line) in lines.enumerated() where line.count > 120 { return index }
        return 0
    }

    mutating func readOwnSymbolAndDate(_ header: String) {
        let scalars = Array(header.unicodeScalars)
        var index = 0
        while index < scalars.count {
            if result.symbol == nil, scalars[index] == "S", index + 2 < scalars.count, scalars[index + 1] == "ố",
               index == 0 || !Symbols.isLetter(scalars[index - 1]) {
                var j = index + 2
                while j < scalars.count, scalars[j] == ":" || scalars[j] == " " || scalars[j] == "." { j += 1 }
                if let match = Symbols.match(in: scalars, at: j, allowMissingHyphen: true) { result.symbol = match.symbol }
            }
            if result.date == nil, let end = VietnameseDates.word(scalars, index, "ngày"), index == 0 || !Symbols.isLetter(scalars[index - 1]) {
                if let (iso, _) = VietnameseDates.read(scalars, end) { result.date = iso }
            }
            index += 1
        }
    }

    // MARK: - Tail: recipients and signer

    /// The body ends at "Nơi nhận:" (or the signature block); returns (body end, tail start).
    func findTail(from start: Int) -> (Int, Int) {
        var index = lines.count - 1
        while index >= start {
            let line = Self.stripMarkup(lines[index])
            if line.hasPrefix("Nơi nhận") { return (index, index) }
            index -= 1
        }
        // No recipients list: the signature block is the run of signature-shaped lines at the
        // end (titles in capitals, "T/M …", "(Đã ký)", a name).
        var cursor = lines.count
        while cursor > start, Self.isSignatureLine(Self.stripMarkup(lines[cursor - 1])) { cursor -= 1 }
        return (cursor, cursor)
    }

    static func isSignatureLine(_ line: Substring) -> Bool {
        if line.isEmpty { return true }
        if line.count > 60 || line.contains(where: { ".;:,".contains($0) && $0 != "." }) { return false }
        if authorityPrefixes.contains(where: { line.hasPrefix($0 + " ") }) { return true }
        if line.hasPrefix("("), line.hasSuffix(")") { return true }
        let letters = line.filter(\.isLetter)
        if !letters.isEmpty, letters == letters.uppercased(), marker(line) == nil { return true }
        let words = line.split(separator: " ")
        return (2...6).contains(words.count) && words.allSatisfy { $0.first?.isUppercase == true } && !line.contains(where: { $0.isNumber || $0 == "." })
    }

    mutating func readTail(from start: Int) {
        var index = start
        var listOpen = false
        var signatureLines: [Substring] = []
        while index < lines.count {
            let raw = lines[index]
            let line = Self.stripMarkup(raw)
            index += 1
            if line.isEmpty { continue }
            if line.hasPrefix("Nơi nhận") || line.hasPrefix("Đồng kính gửi") {
                listOpen = true
                let rest = line.drop { $0 != ":" }.dropFirst().trimmingCharacters(in: .whitespaces)
                if !rest.isEmpty { result.recipients.append(Self.cleanListItem(Substring(rest))) }
                continue
            }
            if listOpen, line.hasPrefix("-") || line.hasPrefix("+") || line.hasPrefix("•") {
                result.recipients.append(Self.cleanListItem(line))
                continue
            }
            listOpen = false
            signatureLines.append(line)
        }
        readSigner(signatureLines)
    }

    static func cleanListItem(_ item: Substring) -> String {
        var s = item
        while let first = s.first, first == "-" || first == "+" || first == "•" || first == " " { s = s.dropFirst() }
        while let last = s.last, last == "," || last == ";" || last == "." || last == " " { s = s.dropLast() }
        return String(s)
    }

    static let authorityPrefixes = ["T/M", "TM.", "TM", "K/T", "KT.", "KT", "T/L", "TL.", "T/UQ", "TUQ.", "Q."]

    mutating func readSigner(_ lines: [Substring]) {
        var name: String?
        var title: String?
        var onBehalf: String?
        for line in lines {
            var text = String(line)
            var matchedAuthority = false
            for prefix in Self.authorityPrefixes where text.hasPrefix(prefix + " ") || text.hasPrefix(prefix + "\u{00A0}") {
                onBehalf = Self.properCase(String(text.dropFirst(prefix.count + 1)))
                matchedAuthority = true
                break
            }
            if matchedAuthority { continue }
            text = text.trimmingCharacters(in: CharacterSet(charactersIn: "*_ "))
            if text.isEmpty || text.contains(where: { $0.isNumber }) || text.hasPrefix("(") { continue }
            let letters = text.filter(\.isLetter)
            let words = text.split(separator: " ")
            if !letters.isEmpty, letters == letters.uppercased(), words.count <= 8 {
                title = Self.properCase(text)
            } else if (2...6).contains(words.count), words.allSatisfy({ $0.first?.isUppercase == true }) {
                name = text
            }
        }
        result.signer = DirectiveParse.Signer(name: name, title: title, onBehalfOf: onBehalf)
    }

    /// "PHÓ BÍ THƯ THƯỜNG TRỰC" → "Phó Bí thư thường trực": sentence case, with the words
    /// that are always capitalised in office names.
    static func properCase(_ text: String) -> String {
        var lowered = text.lowercased().trimmingCharacters(in: .whitespaces)
        for (phrase, proper) in [
            ("ban thường vụ", "Ban Thường vụ"), ("ban chấp hành", "Ban Chấp hành"), ("bí thư", "Bí thư"), ("tỉnh ủy", "Tỉnh ủy"),
            ("huyện ủy", "Huyện ủy"), ("thành ủy", "Thành ủy"), ("đảng ủy", "Đảng ủy"), ("ủy ban nhân dân", "Ủy ban nhân dân"),
            ("hội đồng nhân dân", "Hội đồng nhân dân"), ("ban dân vận", "Ban Dân vận"), ("mặt trận tổ quốc", "Mặt trận Tổ quốc"),
            ("chủ tịch", "Chủ tịch"), ("ban tuyên giáo", "Ban Tuyên giáo"),
        ] {
            lowered = lowered.replacingOccurrences(of: phrase, with: proper)
        }
        guard let first = lowered.first else { return lowered }
        return first.uppercased() + lowered.dropFirst()
    }

    // MARK: - Paragraphs

    /// Joins lines into paragraphs: a line that does not end a sentence continues on the next
    /// non-empty line when that line starts in lower case (page breaks in copies).
    mutating func buildParagraphs(_ body: ArraySlice<Substring>) -> [Paragraph] {
        var texts: [String] = []
        for raw in body {
            let plain = Self.stripMarkup(raw)
            if plain.isEmpty { continue }
            let line = String(plain)
            if let last = texts.last {
                let lastPlain = Self.stripMarkup(Substring(last))
                let ends = lastPlain.last.map { ".:;!?".contains($0) } ?? true
                if !ends, let first = plain.first, first.isLowercase, Self.marker(plain) == nil {
                    texts[texts.count - 1] = last + " " + line
                    continue
                }
            }
            texts.append(line)
        }
        return texts.map { text in
            let trimmed = Self.stripMarkup(Substring(text))
            let stripped = trimmed.utf8.contains(42) ? String(String.UnicodeScalarView(trimmed.unicodeScalars.filter { $0 != "*" })) : String(trimmed)
            let substring = Substring(stripped)
            var paragraph = Paragraph(text: substring, content: substring)
            if let (marker, kind, rest) = Self.marker(substring) {
                paragraph.marker = marker
                paragraph.markerKind = kind
                paragraph.content = Self.stripMarkup(rest)
            }
            return paragraph
        }
    }

    /// The outline marker at the start of a line: `I.`, `II-`, `1.`, `1-`, `1.1.`, `a)`, `-`, `+`.
    static func marker(_ line: Substring) -> (String, MarkerKind, Substring)? {
        guard let first = line.first else { return nil }
        if first == "-" || first == "+" || first == "•" || first == "–" {
            let rest = line.dropFirst()
            guard rest.first == " " else { return nil }
            return (String(first), first == "+" ? .plus : .dash, rest)
        }
        // Roman numerals.
        var roman = line.prefix { "IVX".contains($0) }
        if !roman.isEmpty, roman.count <= 5 {
            let rest = line.dropFirst(roman.count)
            if let separator = rest.first, ".-–/".contains(separator), rest.dropFirst().first == " " || rest.dropFirst().first == "*" {
                roman = line.prefix(roman.count + 1)
                return (String(roman), .roman, rest.dropFirst())
            }
        }
        // Arabic: 1. 1- 1.1. 1.1.1.
        var index = line.startIndex
        var parts = 0
        var digitsSeen = false
        while index < line.endIndex {
            let start = index
            while index < line.endIndex, line[index].isNumber { index = line.index(after: index) }
            guard index > start, line.distance(from: start, to: index) <= 2 else { break }
            digitsSeen = true
            guard index < line.endIndex, line[index] == "." || line[index] == "-" || line[index] == ")" else {
                index = start
                break
            }
            parts += 1
            index = line.index(after: index)
            if line[start..<index].hasSuffix("-") || line[start..<index].hasSuffix(")") { break }
            if index < line.endIndex, !line[index].isNumber { break }
        }
        if digitsSeen, parts > 0, index < line.endIndex, line[index] == " " || line[index] == "*" {
            let markerText = String(line[..<index])
            let kind: MarkerKind = parts == 1 ? .arabic : (parts == 2 ? .arabic2 : .arabic3)
            return (markerText, kind, line[index...])
        }
        // Letters: a) b) đ)
        if first.isLowercase, first.isLetter, line.dropFirst().first == ")", line.dropFirst(2).first == " " {
            return (String(line.prefix(2)), .letter, line.dropFirst(2))
        }
        return nil
    }

    /// Assigns levels, section ids and parents; marks excluded and preamble paragraphs.
    mutating func outline(_ input: [Paragraph]) -> [Paragraph] {
        var paragraphs = input
        var stack: [(kind: MarkerKind, index: Int)] = []
        var counters: [Int: Int] = [:]
        var seenNumbered = false
        for index in paragraphs.indices {
            var paragraph = paragraphs[index]
            let plainEnds = paragraph.content.last.map { $0 == "." || $0 == ";" } ?? false
            if let kind = paragraph.markerKind {
                if let position = stack.firstIndex(where: { $0.kind == kind }) {
                    stack.removeSubrange(position...)
                } else if kind == .roman || kind == .arabic && !stack.contains(where: { $0.kind == .roman }) {
                    stack.removeAll()
                }
                // A marker kind nested deeper than a bullet of the same list restarts under the
                // nearest numbered heading.
                paragraph.parent = stack.last?.index
                paragraph.level = stack.count + 1
                stack.append((kind, index))
                if kind.isNumbered {
                    seenNumbered = seenNumbered || kind == .roman || kind == .arabic
                    let parentID = stack.dropLast().last(where: { paragraphs[$0.index].markerKind?.isNumbered == true }).flatMap { paragraphs[$0.index].sectionID }
                    let own = paragraph.marker!.trimmingCharacters(in: CharacterSet(charactersIn: ".-–)/ "))
                    if kind == .arabic2 || kind == .arabic3, let parentID, let roman = parentID.split(separator: ".").first, paragraphs[stack.first!.index].markerKind == .roman {
                        paragraph.sectionID = "\(roman).\(own)"
                    } else {
                        paragraph.sectionID = parentID.map { "\($0).\(own)" } ?? own
                    }
                } else {
                    let parentID = stack.dropLast().last(where: { paragraphs[$0.index].markerKind?.isNumbered == true }).flatMap { paragraphs[$0.index].sectionID } ?? ""
                    let key = paragraph.parent ?? -1
                    counters[key, default: 0] += 1
                    paragraph.sectionID = parentID.isEmpty ? "-\(counters[key]!)" : "\(parentID)-\(counters[key]!)"
                }
                paragraph.isHeading = kind.isNumbered && !plainEnds && paragraph.content.utf8.count < 600
            } else {
                // A plain paragraph closes open bullet lists and full-text numbered items.
                while let top = stack.last, !(paragraphs[top.index].isHeading) { stack.removeLast() }
                paragraph.parent = stack.last?.index
                paragraph.level = stack.count + 1
                paragraph.sectionID = stack.last.flatMap { paragraphs[$0.index].sectionID }
            }
            paragraph.preamble = !seenNumbered
            if let parent = paragraph.parent, paragraphs[parent].excluded { paragraph.excluded = true }
            if paragraph.isHeading || paragraph.markerKind?.isNumbered == true, Self.isExcludedHeading(paragraph.content) { paragraph.excluded = true }
            paragraphs[index] = paragraph
            if paragraph.markerKind?.isNumbered == true {
                result.sections.append(DirectiveParse.Section(
                    id: paragraph.sectionID ?? "", marker: paragraph.marker ?? "", level: paragraph.level,
                    heading: String(paragraph.content.prefix(160))
                ))
            }
        }
        // Without any numbered section there is no preamble to skip.
        if !paragraphs.contains(where: { $0.markerKind == .roman || $0.markerKind == .arabic }) {
            for index in paragraphs.indices { paragraphs[index].preamble = false }
        }
        return paragraphs
    }

    /// Sections that state aims, requirements or targets, or review past results: their
    /// sentences are not assignments.
    static func isExcludedHeading(_ heading: Substring) -> Bool {
        let folded = VietnameseText.fold(Substring(heading.unicodeScalars.prefix(40)))
        let starts = ["muc dich", "yeu cau", "muc tieu", "chi tieu", "ve ket qua", "ket qua", "tinh hinh", "danh gia", "uu diem", "han che", "nguyen nhan", "bai hoc"]
        return starts.contains { folded.hasPrefix($0) }
    }

    // MARK: - References and laws

    mutating func readReferences(bodyStart: Int, bodyEnd: Int) {
        let body = lines[bodyStart..<max(bodyStart, bodyEnd)].joined(separator: "\n")
        let s = Array(body.unicodeScalars)
        var order: [String] = []
        var byKey: [String: DirectiveParse.Reference] = [:]
        var index = 0
        while index < s.count {
            guard Symbols.isDigit(s[index]), index == 0 || !(Symbols.isLetter(s[index - 1]) || Symbols.isDigit(s[index - 1]) || "/-.".unicodeScalars.contains(s[index - 1])) else {
                index += 1
                continue
            }
            let afterSo = Self.precededBySo(s, index)
            guard let match = Symbols.match(in: s, at: index, allowMissingHyphen: afterSo) else {
                index += 1
                continue
            }
            var numbers = [match.number]
            var chainStart = index
            // "số 217, 218-QĐ/TW": earlier numbers of the same kind and issuer.
            while let (number, start) = Self.listedNumber(before: chainStart, in: s) {
                numbers.insert(number, at: 0)
                chainStart = start
            }
            if numbers.count > 1, !Self.precededBySo(s, chainStart) { numbers = [match.number]; chainStart = index }
            let kind = Self.citationKind(before: chainStart, in: s) ?? DocumentKinds.kind(forCode: match.kindCode, family: match.family)
            let date = Self.dateAfter(match.end, in: s)
            for number in numbers {
                var symbol = match.symbol
                if number != match.number { symbol = number + symbol.dropFirst(match.number.count) }
                let key = symbol.uppercased()
                if var existing = byKey[key] {
                    if existing.date == nil, let date { existing.date = date; byKey[key] = existing }
                    continue
                }
                order.append(key)
                byKey[key] = DirectiveParse.Reference(
                    symbol: symbol, kind: kind, date: date, number: number, kindCode: match.kindCode, issuer: match.issuer,
                    year: match.year, family: match.family
                )
            }
            index = match.end
        }
        result.references = order.compactMap { byKey[$0] }
    }

    static func precededBySo(_ s: [Unicode.Scalar], _ index: Int) -> Bool {
        var i = index - 1
        while i >= 0, s[i] == " " || s[i] == ":" || s[i] == "." { i -= 1 }
        guard i >= 1 else { return false }
        let a = VietnameseDates.lower(s[i - 1]), b = s[i]
        return a == "s" && (b == "ố" || b == "Ố") && (i < 2 || !Symbols.isLetter(s[i - 2]))
    }

    /// A number followed by ", " or " và " right before `index` (a list of numbers).
    static func listedNumber(before index: Int, in s: [Unicode.Scalar]) -> (String, Int)? {
        var i = index - 1
        while i >= 0, s[i] == " " { i -= 1 }
        if i >= 0, s[i] == "," { i -= 1 } else if i >= 1, s[i] == "à", s[i - 1] == "v" { i -= 2 } else { return nil }
        while i >= 0, s[i] == " " { i -= 1 }
        let end = i + 1
        while i >= 0, Symbols.isDigit(s[i]) { i -= 1 }
        let start = i + 1
        guard end > start, end - start <= 5, i < 0 || !Symbols.isLetter(s[i]) && !Symbols.isDigit(s[i]) && s[i] != "/" && s[i] != "-" else { return nil }
        return (Symbols.string(s, start, end), start)
    }

    /// The kind word printed before a citation ("Kết luận số …", "Thông báo kết luận số …").
    static func citationKind(before index: Int, in s: [Unicode.Scalar]) -> String? {
        let start = max(0, index - 60)
        let window = VietnameseText.fold(Symbols.string(s, start, index))
        var words = window.split(whereSeparator: { !(("a"..."z").contains($0)) }).map(String.init)
        if words.last == "so" { words.removeLast() }
        for (phrase, name) in DocumentKinds.citationPhrases where words.count >= phrase.count && Array(words.suffix(phrase.count)) == phrase {
            return name
        }
        return nil
    }

    /// A date right after a symbol: ", ngày 07/01/2019", " ngày 19 tháng 02 năm 2020", ", 06/8/2014".
    static func dateAfter(_ end: Int, in s: [Unicode.Scalar]) -> String? {
        var i = VietnameseDates.skipSpace(s, end)
        if i < s.count, s[i] == "," { i = VietnameseDates.skipSpace(s, i + 1) }
        if let after = VietnameseDates.word(s, i, "ngày") { i = after }
        return VietnameseDates.read(s, i)?.0
    }

    static let lawWord = Array("Luật ".utf8)

    /// Laws cited by name: "Luật Thực hiện dân chủ ở cơ sở", up to where the name ends.
    mutating func readLaws(_ paragraphs: [Paragraph]) {
        var names: [String] = []
        let stops: Set<String> = ["năm", "số", "của", "và", "được", "đã", "đảm", "bảo", "nhằm", "để", "trên", "theo", "trong", "tại", "với", "cho", "về", "đối", "khi", "thì", "là", "có", "các", "nhưng", "mà"]
        for paragraph in paragraphs {
            guard paragraph.text.utf8.withContiguousStorageIfAvailable({ DuePhrases.index(of: Self.lawWord, in: $0) != nil }) ?? true else { continue }
            let bytes = Array(paragraph.text.utf8)
            var search = 0
            while let offset = DuePhrases.index(of: Self.lawWord, in: bytes, from: search) {
                search = offset + Self.lawWord.count
                let utf8 = paragraph.text.utf8
                let after = paragraph.text[utf8.index(utf8.startIndex, offsetBy: search)...]
                guard let first = after.first, first.isUppercase else { continue }
                var words: [Substring] = []
                var cursor = after
                while !cursor.isEmpty {
                    let word = cursor.prefix { !$0.isWhitespace && !",;:.()“”\"…".contains($0) }
                    if word.isEmpty { break }
                    if !words.isEmpty, stops.contains(word.lowercased()) { break }
                    words.append(word)
                    cursor = cursor.dropFirst(word.count)
                    guard cursor.first == " " else { break }
                    cursor = cursor.dropFirst()
                    if words.count >= 14 { break }
                }
                guard !words.isEmpty, words.first!.first?.isNumber == false else { continue }
                let name = "Luật " + words.joined(separator: " ")
                if let existing = names.firstIndex(where: { name.hasPrefix($0 + " ") || $0.hasPrefix(name + " ") || $0 == name }) {
                    if names[existing].count > name.count { names[existing] = name }
                } else {
                    names.append(name)
                }
            }
        }
        result.namedLaws = names
    }
}
