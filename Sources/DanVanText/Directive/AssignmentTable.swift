import Foundation

/// Assignment tables ("Phụ lục phân công": nội dung | cơ quan chủ trì | cơ quan phối hợp |
/// thời gian hoàn thành | sản phẩm). Every input form brings them to the reader the same way,
/// as pipe rows (`| cell | cell |`, one line a row, the header row first): the .docx reader
/// writes a recognised table so, the PDF reader rebuilds one from the layout's columns, and
/// pasted Markdown tables already are. A table whose header is not an assignment header is
/// given back to the text as plain lines.
public enum AssignmentTable {
    /// What a column holds.
    public enum Column: String, Sendable, Equatable {
        case number, content, lead, coordinators, due, output, note
    }

    /// The roles of a header's cells, or nil when the header is not an assignment header (it
    /// needs a content column and a lead column).
    public static func columns(header cells: [String]) -> [Column?]? {
        let roles = cells.map(role(of:))
        guard roles.contains(.content), roles.contains(.lead) else { return nil }
        // One role per column: a second "chủ trì" column is not a second lead.
        var seen = Set<String>()
        return roles.map { role in
            guard let role else { return nil }
            return seen.insert(role.rawValue).inserted ? role : nil
        }
    }

    /// The role of one header cell, from its words (abbreviations expanded).
    public static func role(of cell: String) -> Column? {
        let words = VietnameseText.fold(cell).split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
        var expanded: [String] = []
        for word in words {
            switch word {
            case "cq": expanded += ["co", "quan"]
            case "dv": expanded += ["don", "vi"]
            case "ht": expanded += ["hoan", "thanh"]
            case "tg": expanded += ["thoi", "gian"]
            case "nv": expanded += ["nhiem", "vu"]
            case "ph": expanded += ["phoi", "hop"]
            case "ct": expanded += ["chu", "tri"]
            default: expanded.append(word)
            }
        }
        let text = " " + expanded.joined(separator: " ") + " "
        func has(_ phrase: String) -> Bool { text.contains(" " + phrase + " ") }
        if expanded.isEmpty { return nil }
        if ["stt", "tt", "so tt", "so thu tu"].contains(expanded.joined(separator: " ")) || ["stt", "tt"].contains(expanded.joined()) { return .number }
        if has("chu tri") || has("don vi thuc hien") || has("co quan thuc hien") || has("trach nhiem thuc hien") || has("don vi duoc giao")
            || has("co quan duoc giao") || has("phan cong") { return .lead }
        if has("phoi hop") { return .coordinators }
        if has("thoi gian") || has("thoi han") || has("tien do") || has("han hoan thanh") || has("moc thoi gian") { return .due }
        if has("san pham") || has("ket qua") || has("hinh thuc") { return .output }
        if has("ghi chu") { return .note }
        if has("noi dung") || has("nhiem vu") || has("cong viec") || has("giai phap") || has("hoat dong") { return .content }
        return nil
    }

    /// The cells of a pipe row (`| a | b |`), or nil when the line is not one.
    public static func cells(ofPipeRow line: Substring) -> [String]? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("|"), trimmed.count > 1 else { return nil }
        var body = Substring(trimmed).dropFirst()
        if body.hasSuffix("|") { body = body.dropLast() }
        return body.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Whether a pipe row is a Markdown separator (`|---|:--|`).
    static func isSeparator(_ cells: [String]) -> Bool {
        !cells.isEmpty && cells.allSatisfy { cell in !cell.isEmpty && cell.allSatisfy { $0 == "-" || $0 == ":" || $0 == " " } }
    }

    /// A pipe row for `cells` (a "|" inside a cell becomes "/").
    public static func pipeRow(_ cells: [String]) -> String {
        "| " + cells.map { $0.replacingOccurrences(of: "|", with: "/").replacingOccurrences(of: "\n", with: " ") }.joined(separator: " | ") + " |"
    }

    /// The units named in a lead or coordinator cell: split at ";", line breaks, bullets, and
    /// where the unit grammar sees a list ("A, B và C"); a person's title ("Giám đốc Sở Nội vụ")
    /// gives the unit, with the title kept as the role.
    static func units(in cell: String) -> [(name: String, role: String?)] {
        var pieces: [Substring] = []
        for piece in cell.split(whereSeparator: { $0 == ";" || $0 == "\n" || $0 == "•" }) {
            var text = piece.trimmingWhitespace()
            while let first = text.first, first == "-" || first == "+" || first == "–" { text = text.dropFirst().trimmingWhitespace() }
            while let last = text.last, last == "," || last == "." { text = text.dropLast().trimmingWhitespace() }
            if !text.isEmpty { pieces.append(text) }
        }
        var found: [(String, String?)] = []
        for piece in pieces {
            let tokens = Token.tokenize(piece)
            if let (ranges, end) = UnitPhrases.list(tokens, at: 0), !tokens[end...].contains(where: \.isWord) {
                for range in ranges {
                    let name = tokens.text(range.lowerBound, range.upperBound, in: piece)
                    let role = UnitPhrases.role(tokens, before: range.lowerBound, in: piece)
                    found.append((trimName(name), role))
                }
            } else if let titleLength = UnitPhrases.personTitle(tokens, at: 0), titleLength < tokens.count {
                // A title before a name the grammar does not know: the rest is the unit.
                let name = tokens.text(titleLength, tokens.count, in: piece)
                found.append((trimName(name), UnitPhrases.role(tokens, before: titleLength, in: piece)))
            } else {
                found.append((trimName(String(piece)), nil))
            }
        }
        return found.filter { !$0.0.isEmpty }
    }

    static func trimName(_ name: String) -> String {
        var s = Substring(name).trimmingWhitespace()
        while let last = s.last, ",;:.-".contains(last) { s = s.dropLast().trimmingWhitespace() }
        return String(s)
    }

    /// A table found in the text: its header's roles and its rows, each with the line it
    /// came from.
    struct Found {
        var columns: [Column?]
        var rows: [[String]]
        var line: Int
    }

    /// Turns the rows of a recognised table into assignments. A row with one filled cell (or
    /// with a Roman numeral or letter and no unit) heads a group: its marker prefixes the
    /// sections of the rows under it. A row with no lead takes the lead of the row above it
    /// in the same group (a lead cell merged over several rows), or else of the next row.
    static func assignments(_ table: Found, annex: Bool, due: (String) -> (DirectiveParse.Due?, String?)) -> [DirectiveParse.Assignment] {
        func cell(_ row: [String], _ column: Column) -> String {
            guard let index = table.columns.firstIndex(of: column), index < row.count else { return "" }
            return row[index]
        }
        struct Item {
            var row: [String]
            var group: String?
            var number: String
        }
        var items: [Item] = []
        var group: String?
        var counter = 0
        for row in table.rows {
            let filled = row.filter { !$0.isEmpty }
            let number = cell(row, .number)
            let content = cell(row, .content)
            let isGroupMarker = !number.isEmpty && (number.allSatisfy { "IVXLivxl.".contains($0) } || (number.count <= 2 && number.first?.isLetter == true))
            if filled.count == 1 || (isGroupMarker && cell(row, .lead).isEmpty && cell(row, .coordinators).isEmpty) {
                let heading = filled.count == 1 ? filled[0] : (number + " " + content)
                let marker = heading.prefix { !$0.isWhitespace }.trimmingCharacters(in: CharacterSet(charactersIn: ".-)"))
                let isMarker = !marker.isEmpty && (marker.allSatisfy { "IVXL".contains($0) } || (marker.count == 1 && marker.first!.isLetter))
                group = isMarker ? marker : nil
                continue
            }
            guard !content.isEmpty else { continue }
            counter += 1
            let printed = number.trimmingCharacters(in: CharacterSet(charactersIn: ". "))
            items.append(Item(row: row, group: group, number: printed.isEmpty ? String(counter) : printed))
        }
        // Leads merged over several rows.
        var leads = items.map { cell($0.row, .lead) }
        for index in leads.indices where leads[index].isEmpty {
            if index > 0, !leads[index - 1].isEmpty, items[index - 1].group == items[index].group {
                leads[index] = leads[index - 1]
            }
        }
        for index in leads.indices.reversed() where leads[index].isEmpty {
            if index + 1 < leads.count, !leads[index + 1].isEmpty, items[index + 1].group == items[index].group {
                leads[index] = leads[index + 1]
            }
        }
        var result: [DirectiveParse.Assignment] = []
        for (index, item) in items.enumerated() {
            let leadUnits = units(in: leads[index])
            guard let first = leadUnits.first else { continue }
            let content = cell(item.row, .content)
            var coordinators = leadUnits.dropFirst().map(\.name)
            coordinators += units(in: cell(item.row, .coordinators)).map(\.name)
            var seen = Set([VietnameseText.fold(first.name)])
            coordinators = coordinators.filter { seen.insert(VietnameseText.fold($0)).inserted }
            let (found, needsDate) = due(cell(item.row, .due))
            let output = cell(item.row, .output)
            var section = [item.group, item.number].compactMap { $0 }.joined(separator: ".")
            if annex { section = "PL." + section }
            var assignment = DirectiveParse.Assignment(
                lead: first.name, coordinators: coordinators, due: found, dueDate: found?.endDate,
                quote: String(content.prefix(80)), text: content, section: section
            )
            assignment.role = first.role
            assignment.output = output.isEmpty ? nil : output
            assignment.needsDate = needsDate
            result.append(assignment)
        }
        return result
    }
}
