import Foundation

/// Reading and writing CSV the way Vietnamese offices exchange it with Excel.
public enum CSV {
    /// A problem in a CSV text, with the line where it starts.
    public struct ParseError: Error, Equatable, Sendable {
        /// 1-based line number in the file.
        public let line: Int
        /// What is wrong, in Vietnamese.
        public let message: String
    }

    /// One parsed record and the file line on which it begins.
    public struct Row: Equatable, Sendable {
        /// 1-based line number where the record starts.
        public let line: Int
        /// Field values, NFC.
        public let fields: [String]

        /// A row read from another tabular source (a spreadsheet).
        public init(line: Int, fields: [String]) {
            self.line = line
            self.fields = fields
        }
    }

    /// Parses `text` (RFC 4180 quoting; CRLF or LF; an optional UTF-8 BOM).
    ///
    /// The delimiter is guessed from the first line: Excel set to a Vietnamese locale often
    /// writes `;` instead of `,`. Blank lines are skipped.
    public static func parse(_ text: String) throws(ParseError) -> [Row] {
        var input = Substring(VietnameseText.nfc(text))
        if input.first == "\u{FEFF}" { input = input.dropFirst() }
        let delimiter = guessDelimiter(input)

        var rows: [Row] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1
        var rowStart = 1
        var fieldWasQuoted = false
        var index = input.startIndex

        func endRow() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].isEmpty && !fieldWasQuoted) {
                rows.append(Row(line: rowStart, fields: fields))
            }
            fields = []
            field = ""
            fieldWasQuoted = false
        }

        while index < input.endIndex {
            let character = input[index]
            if inQuotes {
                if character == "\"" {
                    let next = input.index(after: index)
                    if next < input.endIndex, input[next] == "\"" {
                        field.append("\"")
                        index = next
                    } else {
                        inQuotes = false
                    }
                } else {
                    if character == "\n" || character == "\r\n" { line += 1; field.append("\n") } else { field.append(character) }
                }
            } else {
                switch character {
                case "\"" where field.isEmpty:
                    inQuotes = true
                    fieldWasQuoted = true
                case delimiter:
                    fields.append(field)
                    field = ""
                    fieldWasQuoted = false
                case "\n", "\r\n", "\r":
                    endRow()
                    line += 1
                    rowStart = line
                default:
                    field.append(character)
                }
            }
            index = input.index(after: index)
        }
        if inQuotes {
            throw ParseError(line: rowStart, message: "Dấu ngoặc kép chưa được đóng (bắt đầu từ dòng \(rowStart)).")
        }
        if !field.isEmpty || !fields.isEmpty || fieldWasQuoted { endRow() }
        return rows
    }

    /// `;` when the first record has more semicolons than commas outside quotes, else `,`.
    /// Quoted text is skipped, so a first field such as `"Hòa Lạc; Tân Lập"` does not decide.
    static func guessDelimiter(_ input: Substring) -> Character {
        var semicolons = 0
        var commas = 0
        var inQuotes = false
        for character in input {
            if character == "\"" { inQuotes.toggle() }
            else if !inQuotes {
                if character == "\n" || character == "\r\n" || character == "\r" { break }
                if character == ";" { semicolons += 1 } else if character == "," { commas += 1 }
            }
        }
        return semicolons > commas ? ";" : ","
    }

    /// Writes `rows` as CSV that Excel opens with Vietnamese intact: a UTF-8 BOM, CRLF line
    /// ends, and quotes where a field needs them.
    ///
    /// A field that starts with `=`, `+`, `-` or `@` is prefixed with `'` so a spreadsheet
    /// does not run it as a formula (CSV injection).
    public static func write(_ rows: [[String]]) -> String {
        var output = "\u{FEFF}"
        for row in rows {
            output += row.map(escape).joined(separator: ",")
            output += "\r\n"
        }
        return output
    }

    static func escape(_ value: String) -> String {
        var field = VietnameseText.nfc(value)
        if let first = field.first, "=+-@".contains(first) { field = "'" + field }
        if field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == ";" || $0 == "\r\n" }) {
            return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return field
    }
}
