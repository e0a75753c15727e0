import Foundation
import ZIPFoundation

/// Turns the bytes of a file into the text the reader works on, or says clearly why not.
public enum DocumentInput {
    /// Largest file accepted.
    public static let maximumBytes = 20 * 1024 * 1024

    /// Why a file cannot be read. `message` is Vietnamese, for the user.
    public struct Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// What is wrong.
        public let message: String
        /// Creates a failure.
        public init(_ message: String) { self.message = message }
        /// The message.
        public var description: String { message }
    }

    /// The text of `data`: a `.docx` (by its zip signature or its name), a text PDF (through
    /// `pdftotext`: run it off the event loop) or UTF-8 text.
    /// The result is NFC with LF line ends and no BOM.
    public static func text(from data: Data, filename: String = "") throws(Failure) -> String {
        if data.isEmpty { throw Failure("Tệp rỗng: không có nội dung để đọc.") }
        if data.count > maximumBytes {
            throw Failure("Tệp quá lớn (\(data.count / 1_048_576) MB): tối đa \(maximumBytes / 1_048_576) MB.")
        }
        let isZip = data.starts(with: [0x50, 0x4B, 0x03, 0x04])
        if filename.lowercased().hasSuffix(".docx") || isZip {
            guard isZip else { throw Failure("Tệp .docx không hợp lệ: không phải tệp nén Word (zip).") }
            return normalise(try Docx.text(from: data))
        }
        if PDFInput.isPDF(data) || filename.lowercased().hasSuffix(".pdf") {
            guard PDFInput.isPDF(data) else { throw Failure("Tệp .pdf không hợp lệ: thiếu phần đầu %PDF.") }
            return normalise(try PDFInput.text(from: data))
        }
        if filename.lowercased().hasSuffix(".doc") || data.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) {
            throw Failure("Tệp .doc (Word 97–2003) chưa được hỗ trợ: hãy lưu lại dưới dạng .docx hoặc dán nội dung.")
        }
        return try decodeText(data)
    }

    /// Decodes UTF-8 text (with or without BOM), refusing binary data with the offset of the
    /// first bad byte.
    public static func decodeText(_ data: Data) throws(Failure) -> String {
        if let index = data.firstIndex(of: 0) {
            throw Failure("Tệp có vẻ là tệp nhị phân (byte 0 ở vị trí \(index - data.startIndex)), không phải văn bản.")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Failure("Tệp không phải văn bản UTF-8: byte không hợp lệ ở vị trí \(firstInvalidUTF8(data)). Hãy lưu lại với bảng mã UTF-8.")
        }
        return normalise(text)
    }

    /// NFC, LF line ends, no BOM, no control characters other than tab and newline.
    public static func normalise(_ text: String) -> String {
        // One pass over the bytes decides what needs doing: most text needs nothing.
        var hasCR = false, hasNBSP = false, hasMarks = false, hasBOM = false
        var copy = text
        copy.withUTF8 { bytes in
            hasBOM = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
            var i = 0
            while i < bytes.count {
                let byte = bytes[i]
                if byte == 0x0D { hasCR = true } else if byte == 0xC2, i + 1 < bytes.count, bytes[i + 1] == 0xA0 { hasNBSP = true } else if byte == 0xCC || (byte == 0xCD && i + 1 < bytes.count && bytes[i + 1] <= 0xAF) { hasMarks = true }
                i += 1
            }
        }
        var result = text
        if hasBOM { result.removeFirst() }
        if hasCR { result = result.replacing("\r\n", with: "\n").replacing("\r", with: "\n") }
        if hasNBSP { result = result.replacing("\u{00A0}", with: " ") }
        return hasMarks ? VietnameseText.nfc(result) : result
    }

    static func firstInvalidUTF8(_ data: Data) -> Int {
        let bytes = [UInt8](data)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            let length: Int
            switch byte {
            case 0x00...0x7F: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: return index
            }
            if index + length > bytes.count { return index }
            for offset in 1..<length where bytes[index + offset] & 0xC0 != 0x80 { return index }
            index += length
        }
        return index
    }
}

/// Reads the text of a Word `.docx`: paragraphs, table cells and line breaks become lines;
/// bold and italic runs are marked `**…**` and `*…*` as in pasted text.
public enum Docx {
    /// The text of the document body.
    public static func text(from data: Data) throws(DocumentInput.Failure) -> String {
        let xml: Data
        do {
            let archive = try ZipReading.archive(data)
            guard let entry = archive["word/document.xml"] else {
                throw DocumentInput.Failure("Tệp .docx không có phần nội dung (word/document.xml).")
            }
            var collected = Data()
            _ = try archive.extract(entry, skipCRC32: false) { chunk in collected.append(chunk) }
            xml = collected
        } catch let failure as DocumentInput.Failure {
            throw failure
        } catch {
            throw DocumentInput.Failure("Tệp .docx hỏng hoặc không phải tệp nén Word hợp lệ.")
        }
        guard let markup = String(data: xml, encoding: .utf8) else {
            throw DocumentInput.Failure("Phần nội dung của tệp .docx không phải UTF-8.")
        }
        return text(fromDocumentXML: markup)
    }

    /// The text of a `word/document.xml` string. An assignment table (`AssignmentTable`)
    /// becomes pipe rows (a lead cell merged down several rows repeated in each, a row of one
    /// cell spanning the table kept as a group heading); any other table gives its cells'
    /// paragraphs as lines, row by row.
    public static func text(fromDocumentXML markup: String) -> String {
        var output = ""
        var paragraph = ""
        var run = ""
        var bold = false
        var italic = false
        var inRunProperties = false
        var inText = false
        var tableDepth = 0
        var rows: [[TableCell]] = []
        var cell: TableCell?
        let scalars = Array(markup.unicodeScalars)
        var index = 0

        func emit(_ line: String) {
            if tableDepth > 0, cell != nil { cell!.lines.append(line) } else { output += line + "\n" }
        }

        func flushRun() {
            guard !run.isEmpty else { return }
            let trimmed = run.trimmingCharacters(in: .whitespaces)
            if (bold || italic), !trimmed.isEmpty {
                let mark = bold && italic ? "***" : (bold ? "**" : "*")
                let leading = run.prefix { $0 == " " }
                let trailing = String(run.reversed().prefix { $0 == " " })
                paragraph += leading + mark + trimmed + mark + trailing
            } else {
                paragraph += run
            }
            run = ""
        }

        while index < scalars.count {
            if scalars[index] == "<" {
                var end = index + 1
                while end < scalars.count, scalars[end] != ">" { end += 1 }
                let tag = String(String.UnicodeScalarView(scalars[(index + 1)..<min(end, scalars.count)]))
                let name = tag.split(whereSeparator: { $0 == " " || $0 == "/" }).first.map(String.init) ?? ""
                let closing = tag.hasPrefix("/")
                let selfClosing = tag.hasSuffix("/")
                let closingName = closing ? String(tag.dropFirst()) : ""
                switch (closing ? closingName : name) {
                case "w:p":
                    if selfClosing {
                        emit("")
                    } else if closing {
                        flushRun()
                        emit(paragraph)
                        paragraph = ""
                    }
                case "w:tbl":
                    if closing {
                        tableDepth -= 1
                        if tableDepth == 0 {
                            output += TableCell.render(rows)
                            rows = []
                        }
                    } else if !selfClosing {
                        tableDepth += 1
                    }
                case "w:tr":
                    if tableDepth == 1, !closing, !selfClosing { rows.append([]) }
                case "w:tc":
                    if tableDepth == 1 {
                        if closing {
                            flushRun()
                            if !paragraph.isEmpty { emit(paragraph); paragraph = "" }
                            if let done = cell {
                                if rows.isEmpty { rows.append([]) }
                                rows[rows.count - 1].append(done)
                            }
                            cell = nil
                        } else if !selfClosing {
                            cell = TableCell()
                        }
                    } else if closing {
                        flushRun()
                        if !paragraph.isEmpty { emit(paragraph); paragraph = "" }
                    }
                case "w:gridSpan":
                    if tableDepth == 1, let value = attribute("w:val", in: tag), let span = Int(value) { cell?.span = max(1, span) }
                case "w:vMerge":
                    if tableDepth == 1 { cell?.continuesAbove = attribute("w:val", in: tag) != "restart" }
                case "w:r":
                    if closing { flushRun() } else { bold = false; italic = false }
                case "w:rPr":
                    inRunProperties = !closing && !selfClosing
                case "w:b":
                    if inRunProperties, !closing { bold = !tag.contains("w:val=\"0\"") && !tag.contains("w:val=\"false\"") }
                case "w:i":
                    if inRunProperties, !closing { italic = !tag.contains("w:val=\"0\"") && !tag.contains("w:val=\"false\"") }
                case "w:t":
                    inText = !closing && !selfClosing
                case "w:tab":
                    if !closing { run += "\t" }
                case "w:br", "w:cr":
                    if !closing { flushRun(); paragraph += "\n" }
                default:
                    break
                }
                index = end + 1
                continue
            }
            if inText {
                var end = index
                while end < scalars.count, scalars[end] != "<" { end += 1 }
                run += decodeEntities(String(String.UnicodeScalarView(scalars[index..<end])))
                index = end
                continue
            }
            index += 1
        }
        flushRun()
        if !paragraph.isEmpty { output += paragraph + "\n" }
        if !rows.isEmpty { output += TableCell.render(rows) }
        return output
    }

    static func attribute(_ name: String, in tag: String) -> String? {
        guard let range = tag.range(of: name + "=\"") else { return nil }
        let rest = tag[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }

    /// One cell of a Word table: its paragraphs, how many grid columns it spans, and whether
    /// it continues the cell above (vertical merge).
    struct TableCell {
        var lines: [String] = []
        var span = 1
        var continuesAbove = false

        var text: String { lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: "\n") }

        /// An assignment table as pipe rows, anything else as its paragraphs.
        static func render(_ rows: [[TableCell]]) -> String {
            let width = rows.map { $0.reduce(0) { $0 + $1.span } }.max() ?? 0
            // Rows on the grid: a spanning cell fills its first column; a merged cell repeats
            // the text above it.
            var grid: [[String]] = []
            var spans: [Bool] = []
            for row in rows {
                var line = [String](repeating: "", count: width)
                var column = 0
                for cell in row {
                    guard column < width else { break }
                    if cell.continuesAbove, let above = grid.last { line[column] = above[column] } else { line[column] = cell.text }
                    column += cell.span
                }
                grid.append(line)
                spans.append(row.count == 1 && row[0].span > 1)
            }
            let unmerged = rows.map { $0.map(\.text) }
            guard let headerIndex = grid.prefix(3).firstIndex(where: { AssignmentTable.columns(header: $0) != nil }),
                  let roles = AssignmentTable.columns(header: grid[headerIndex]) else {
                return unmerged.flatMap { $0 }.isEmpty ? "" : rows.flatMap { $0.flatMap(\.lines) }.map { $0 + "\n" }.joined()
            }
            var out = AssignmentTable.pipeRow(grid[headerIndex]) + "\n"
            for (index, line) in grid.enumerated() where index > headerIndex {
                if spans[index] || line.filter({ !$0.isEmpty }).count == 1 && roles.first == .number && !line[0].isEmpty && line.dropFirst().allSatisfy(\.isEmpty) {
                    out += AssignmentTable.pipeRow([line.first { !$0.isEmpty } ?? ""]) + "\n"
                    continue
                }
                if line.allSatisfy(\.isEmpty) { continue }
                let cells = line.enumerated().map { column, text in
                    column < roles.count && (roles[column] == .lead || roles[column] == .coordinators)
                        ? text.replacingOccurrences(of: "\n", with: "; ") : text.replacingOccurrences(of: "\n", with: " ")
                }
                out += AssignmentTable.pipeRow(cells) + "\n"
            }
            return out
        }
    }

    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var result = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            result += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";"), rest.distance(from: amp, to: semi) <= 10 else {
                result += "&"
                rest = rest[rest.index(after: amp)...]
                continue
            }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "amp": result += "&"
            case "lt": result += "<"
            case "gt": result += ">"
            case "quot": result += "\""
            case "apos": result += "'"
            default:
                if entity.hasPrefix("#x"), let value = UInt32(entity.dropFirst(2), radix: 16), let scalar = Unicode.Scalar(value) {
                    result.unicodeScalars.append(scalar)
                } else if entity.hasPrefix("#"), let value = UInt32(entity.dropFirst()), let scalar = Unicode.Scalar(value) {
                    result.unicodeScalars.append(scalar)
                } else {
                    result += "&" + entity + ";"
                }
            }
            rest = rest[rest.index(after: semi)...]
        }
        return result + rest
    }
}
