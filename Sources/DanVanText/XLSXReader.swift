import Foundation
import ZIPFoundation

extension XLSX {
    /// Why a workbook could not be read, in Vietnamese.
    public struct ReadError: Error, Equatable, Sendable {
        /// The message shown to the user.
        public let message: String
    }

    /// The rows of the first worksheet of an `.xlsx` workbook, as text.
    ///
    /// Shared strings, inline strings, formula results and numbers are read; each row keeps its
    /// spreadsheet row number (what Excel shows on the left) so errors can name it. Cells are
    /// placed by their column letters, so a blank cell in the middle of a row stays blank.
    /// Fully blank rows are skipped. Text is NFC.
    public static func read(_ data: Data) throws(ReadError) -> [CSV.Row] {
        let archive: Archive
        do { archive = try ZipReading.archive(data) } catch {
            throw ReadError(message: "Tệp không phải bảng tính Excel (.xlsx) hợp lệ.")
        }
        func part(_ path: String) throws(ReadError) -> String? {
            guard let entry = archive[path] else { return nil }
            var collected = Data()
            do { _ = try archive.extract(entry, skipCRC32: false) { collected.append($0) } } catch {
                throw ReadError(message: "Tệp .xlsx bị hỏng (không giải nén được \(path)).")
            }
            return String(decoding: collected, as: UTF8.self)
        }
        let shared = try part("xl/sharedStrings.xml").map(sharedStrings) ?? []
        var sheetPath = "xl/worksheets/sheet1.xml"
        if let workbook = try part("xl/workbook.xml"), let rels = try part("xl/_rels/workbook.xml.rels"),
           let sheetTag = firstTag("sheet", in: workbook), let relID = attribute("r:id", of: sheetTag) {
            var rest = Substring(rels)
            while let tag = nextTag("Relationship", in: &rest) {
                if attribute("Id", of: tag) == relID, let target = attribute("Target", of: tag) {
                    sheetPath = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
                    break
                }
            }
        }
        guard let sheet = try part(sheetPath) else {
            throw ReadError(message: "Tệp .xlsx không có trang tính nào.")
        }
        return rows(ofSheet: sheet, shared: shared)
    }

    /// Strings of `xl/sharedStrings.xml`, in order (rich-text runs joined).
    static func sharedStrings(_ xml: String) -> [String] {
        var result: [String] = []
        var rest = Substring(xml)
        while let start = rest.range(of: "<si") {
            guard let end = rest.range(of: "</si>", range: start.upperBound..<rest.endIndex) else { break }
            result.append(texts(in: rest[start.upperBound..<end.lowerBound]))
            rest = rest[end.upperBound...]
        }
        return result
    }

    /// All `<t>` contents of a fragment, decoded and joined.
    static func texts(in fragment: Substring) -> String {
        var text = ""
        var rest = fragment
        while let open = rest.range(of: "<t") {
            let after = rest[open.upperBound...]
            // `<t>` or `<t xml:space="preserve">`, not `<tab…>`.
            guard let first = after.first, first == ">" || first == " " else { rest = after; continue }
            guard let close = after.firstIndex(of: ">") else { break }
            // `<t/>` is empty; `<t>` has its ">" first, with nothing before it to look at.
            if close > after.startIndex, after[after.index(before: close)] == "/" { rest = after[after.index(after: close)...]; continue }
            let body = after[after.index(after: close)...]
            guard let end = body.range(of: "</t>") else { break }
            text += Docx.decodeEntities(String(body[..<end.lowerBound]))
            rest = body[end.upperBound...]
        }
        return text
    }

    static func rows(ofSheet xml: String, shared: [String]) -> [CSV.Row] {
        var result: [CSV.Row] = []
        var rest = Substring(xml)
        var rowNumber = 0
        while let rowStart = rest.range(of: "<row") {
            guard let tagEnd = rest[rowStart.upperBound...].firstIndex(of: ">") else { break }
            let rowTag = rest[rowStart.upperBound..<tagEnd]
            rowNumber = attribute("r", of: rowTag).flatMap(Int.init) ?? rowNumber + 1
            if rest[rest.index(before: tagEnd)] == "/" { rest = rest[rest.index(after: tagEnd)...]; continue }
            guard let rowEnd = rest.range(of: "</row>", range: tagEnd..<rest.endIndex) else { break }
            var cells: [Int: String] = [:]
            var cellRest = rest[rest.index(after: tagEnd)..<rowEnd.lowerBound]
            var nextColumn = 0
            while let cellStart = cellRest.range(of: "<c") {
                guard let cellTagEnd = cellRest[cellStart.upperBound...].firstIndex(of: ">") else { break }
                let cellTag = cellRest[cellStart.upperBound..<cellTagEnd]
                let column = attribute("r", of: cellTag).flatMap(columnIndex) ?? nextColumn
                nextColumn = column + 1
                if cellRest[cellRest.index(before: cellTagEnd)] == "/" {
                    cellRest = cellRest[cellRest.index(after: cellTagEnd)...]
                    continue
                }
                guard let cellEnd = cellRest.range(of: "</c>", range: cellTagEnd..<cellRest.endIndex) else { break }
                let body = cellRest[cellRest.index(after: cellTagEnd)..<cellEnd.lowerBound]
                let type = attribute("t", of: cellTag) ?? "n"
                var value = ""
                switch type {
                case "s":
                    if let index = valueText(body).flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }), shared.indices.contains(index) {
                        value = shared[index]
                    }
                case "inlineStr":
                    value = texts(in: body)
                case "b":
                    value = valueText(body) == "1" ? "TRUE" : "FALSE"
                default:
                    value = valueText(body).map(Docx.decodeEntities) ?? ""
                    if type == "n", value.hasSuffix(".0") { value.removeLast(2) }
                }
                cells[column] = VietnameseText.nfc(value)
                cellRest = cellRest[cellEnd.upperBound...]
            }
            rest = rest[rowEnd.upperBound...]
            guard let last = cells.keys.max(), cells.values.contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else { continue }
            result.append(CSV.Row(line: rowNumber, fields: (0...last).map { cells[$0] ?? "" }))
        }
        return result
    }

    static func valueText(_ body: Substring) -> String? {
        guard let open = body.range(of: "<v>"), let close = body.range(of: "</v>", range: open.upperBound..<body.endIndex) else { return nil }
        return String(body[open.upperBound..<close.lowerBound])
    }

    /// "B7" → 1 (zero-based column).
    static func columnIndex(_ reference: String) -> Int? {
        var column = 0
        var sawLetter = false
        for scalar in reference.unicodeScalars {
            guard scalar.value >= 65, scalar.value <= 90 else { break }
            column = column * 26 + Int(scalar.value - 64)
            sawLetter = true
        }
        return sawLetter ? column - 1 : nil
    }

    static func firstTag(_ name: String, in xml: String) -> Substring? {
        var rest = Substring(xml)
        return nextTag(name, in: &rest)
    }

    /// The attributes part of the next `<name …>` tag, advancing `rest` past it.
    static func nextTag(_ name: String, in rest: inout Substring) -> Substring? {
        while let start = rest.range(of: "<" + name) {
            let after = rest[start.upperBound...]
            guard let end = after.firstIndex(of: ">") else { return nil }
            rest = after[after.index(after: end)...]
            if let first = after.first, first == " " || first == "/" || first == ">" { return after[..<end] }
        }
        return nil
    }

    /// The value of `name="…"` inside a tag's attribute text.
    static func attribute(_ name: String, of tag: Substring) -> String? {
        var rest = tag
        while let found = rest.range(of: name + "=\"") {
            let before = found.lowerBound == tag.startIndex ? " " : tag[tag.index(before: found.lowerBound)]
            let valueStart = found.upperBound
            guard let valueEnd = rest[valueStart...].firstIndex(of: "\"") else { return nil }
            if before == " " || before == "\n" || before == "\t" { return Docx.decodeEntities(String(rest[valueStart..<valueEnd])) }
            rest = rest[valueEnd...]
        }
        return nil
    }
}
