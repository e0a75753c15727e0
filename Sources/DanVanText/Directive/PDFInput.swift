import Foundation

/// Reads the text layer of a PDF through poppler's `pdftotext -layout` (a subprocess with a
/// time limit and a size limit) and puts the layout back into the reader's form
/// (`PDFLayout.clean`). A scanned PDF with no text layer is refused with a message saying so.
public enum PDFInput {
    /// How long `pdftotext` may run.
    public static let timeoutSeconds = 20.0
    /// The most text accepted from one PDF.
    public static let maximumTextBytes = 8 * 1024 * 1024
    /// The most pages read.
    public static let maximumPages = 300

    /// Whether `data` is a PDF (by its signature).
    public static func isPDF(_ data: Data) -> Bool {
        data.starts(with: Array("%PDF".utf8))
    }

    /// The text of a PDF, cleaned for the reader.
    public static func text(from data: Data) throws(DocumentInput.Failure) -> String {
        PDFLayout.clean(try layoutText(from: data))
    }

    /// `pdftotext -layout` of `data`, as printed (NFC), or a Vietnamese failure.
    public static func layoutText(from data: Data, tool: String? = locateTool(), timeout: Double = timeoutSeconds) throws(DocumentInput.Failure) -> String {
        guard let tool, FileManager.default.isExecutableFile(atPath: tool) else {
            throw DocumentInput.Failure("Máy chủ chưa có công cụ đọc PDF (pdftotext trong gói poppler-utils): quản trị viên cần cài gói này. Trong lúc chờ, hãy tải tệp .docx hoặc dán nội dung văn bản.")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("danvan-pdf-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = directory.appendingPathComponent("in.pdf")
        let output = directory.appendingPathComponent("out.txt")
        let errors = directory.appendingPathComponent("err.txt")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try data.write(to: input)
            _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        } catch {
            throw DocumentInput.Failure("Không ghi được tệp tạm để đọc PDF.")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["-layout", "-enc", "UTF-8", "-l", String(maximumPages), input.path, output.path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try? FileHandle(forWritingTo: errors)
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do {
            try process.run()
        } catch {
            throw DocumentInput.Failure("Không chạy được công cụ đọc PDF (pdftotext).")
        }
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            if finished.wait(timeout: .now() + 2) == .timedOut { kill(process.processIdentifier, SIGKILL); finished.wait() }
            throw DocumentInput.Failure("Đọc tệp PDF quá \(Int(timeout.rounded(.up))) giây nên đã dừng: tệp quá phức tạp. Hãy dùng tệp .docx hoặc dán nội dung.")
        }
        guard process.terminationStatus == 0 else {
            let message = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            if message.lowercased().contains("password") || message.lowercased().contains("encrypt") {
                throw DocumentInput.Failure("Tệp PDF được đặt mật khẩu: hãy gỡ mật khẩu hoặc dùng tệp .docx.")
            }
            throw DocumentInput.Failure("Tệp PDF hỏng hoặc không đọc được.")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: output.path)[.size] as? Int) ?? 0
        guard size <= maximumTextBytes else {
            throw DocumentInput.Failure("Tệp PDF có quá nhiều chữ (trên \(maximumTextBytes / 1_048_576) MB văn bản): không phải một văn bản chỉ đạo.")
        }
        guard let bytes = try? Data(contentsOf: output), let text = String(data: bytes, encoding: .utf8) else {
            throw DocumentInput.Failure("Không đọc được chữ trong tệp PDF.")
        }
        let pages = max(1, text.split(separator: "\u{0C}", omittingEmptySubsequences: false).filter { $0.contains { $0.isLetter } }.count)
        let letters = text.unicodeScalars.reduce(0) { $0 + ($1.properties.isAlphabetic ? 1 : 0) }
        if letters < 20 * pages {
            throw DocumentInput.Failure("Tệp PDF là bản quét (ảnh), không có lớp chữ: hệ thống chưa nhận dạng chữ từ ảnh (OCR). Hãy dùng bản PDF xuất từ Word hoặc hệ thống văn bản điện tử, tệp .docx, hoặc dán nội dung.")
        }
        return VietnameseText.nfc(text)
    }

    /// `DANVAN_PDFTOTEXT`, else `pdftotext` on the PATH.
    public static func locateTool() -> String? {
        let environment = ProcessInfo.processInfo.environment
        if let configured = environment["DANVAN_PDFTOTEXT"], !configured.isEmpty {
            return FileManager.default.isExecutableFile(atPath: configured) ? configured : nil
        }
        let path = environment["PATH"] ?? "/usr/bin:/bin"
        for directory in (path + ":/usr/bin:/usr/local/bin").split(separator: ":") {
            let candidate = "\(directory)/pdftotext"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// Puts `pdftotext -layout` output back into reading order (pure, tested without poppler):
/// page numbers and running headers or footers removed; the two-column header block (issuer
/// and number left, motto and date right) and the "Nơi nhận" / signature block read column
/// by column; assignment tables rebuilt as pipe rows from their columns; lines broken inside
/// a paragraph joined (a compound broken at its hyphen keeps it, without a space).
public enum PDFLayout {
    /// The cleaned text.
    public static func clean(_ raw: String) -> String {
        var pages = raw.components(separatedBy: "\u{0C}").map { page in
            page.split(separator: "\n", omittingEmptySubsequences: false).map { trimEnd(String($0)) }
        }
        pages = pages.filter { $0.contains { !$0.isEmpty } }
        guard !pages.isEmpty else { return "" }
        pages = pages.map(removePageNumbers)
        pages = removeRunningLines(pages)
        var lines: [String] = []
        for page in pages { lines += page }
        let width = lines.map(\.count).max() ?? 80
        let (header, bodyStart) = headerBlock(lines, width: width)
        let (body, tail, annex) = splitTail(Array(lines[bodyStart...]), width: width)
        let text = header + reflow(AssignmentTableLayout.rebuild(body, width: width), width: width) + tail
            + reflow(AssignmentTableLayout.rebuild(annex, width: width), width: width)
        return text.joined(separator: "\n") + "\n"
    }

    static func trimEnd(_ line: String) -> String {
        var s = Substring(line)
        while let last = s.last, last == " " || last == "\t" || last == "\r" { s = s.dropLast() }
        return String(s)
    }

    static func indent(_ line: String) -> Int { line.prefix { $0 == " " }.count }

    /// A page number alone on a line near the top or bottom: "3", "- 3 -", "Trang 3", "3/12".
    static func isPageNumber(_ line: String) -> Bool {
        let t = line.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty, t.count <= 14 else { return false }
        let folded = VietnameseText.fold(t)
        var core = Substring(folded)
        if core.hasPrefix("trang ") { core = core.dropFirst(6) }
        core = core.drop { $0 == "-" || $0 == "–" || $0 == " " }
        while let last = core.last, last == "-" || last == "–" || last == " " { core = core.dropLast() }
        let parts = core.split(separator: "/", omittingEmptySubsequences: false)
        return !core.isEmpty && parts.count <= 2 && parts.allSatisfy { !$0.isEmpty && $0.count <= 4 && $0.allSatisfy(\.isNumber) }
    }

    static func removePageNumbers(_ page: [String]) -> [String] {
        var lines = page
        let filled = lines.indices.filter { !lines[$0].isEmpty }
        for index in filled.prefix(2) + filled.suffix(2) where isPageNumber(lines[index]) { lines[index] = "" }
        return lines
    }

    /// The first and last lines of pages that repeat on other pages (digits ignored).
    static func removeRunningLines(_ pages: [[String]]) -> [[String]] {
        guard pages.count >= 2 else { return pages }
        func key(_ line: String) -> String {
            VietnameseText.fold(line).filter { !$0.isNumber && $0 != " " }
        }
        var firsts: [String: Int] = [:]
        var lasts: [String: Int] = [:]
        for page in pages {
            if let first = page.first(where: { !$0.isEmpty }) { firsts[key(first), default: 0] += 1 }
            if let last = page.last(where: { !$0.isEmpty }) { lasts[key(last), default: 0] += 1 }
        }
        return pages.enumerated().map { number, page in
            var lines = page
            if number > 0, let index = lines.firstIndex(where: { !$0.isEmpty }), firsts[key(lines[index]), default: 0] >= 2, !key(lines[index]).isEmpty {
                lines[index] = ""
            }
            if let index = lines.lastIndex(where: { !$0.isEmpty }), lasts[key(lines[index]), default: 0] >= 2, !key(lines[index]).isEmpty {
                lines[index] = ""
            }
            return lines
        }
    }

    /// The left and right parts of a line printed in two columns, split at the first run of
    /// three or more spaces after the text starts; a line with one part goes left or right by
    /// where it starts.
    static func columns(_ line: String, width: Int) -> (left: String?, right: String?) {
        let characters = Array(line)
        let start = indent(line)
        guard start < characters.count else { return (nil, nil) }
        var index = start
        while index < characters.count {
            if characters[index] == " " {
                var end = index
                while end < characters.count, characters[end] == " " { end += 1 }
                if end - index >= 3, end < characters.count {
                    return (String(characters[start..<index]), String(characters[end...]))
                }
                index = end
            } else {
                index += 1
            }
        }
        let text = String(characters[start...])
        return Double(start) >= Double(width) * 0.4 ? (nil, text) : (text, nil)
    }

    /// The header block of the first page (up to the kind line, "Kính gửi" or the first line
    /// of body text), read left column first; returns it and where the body starts.
    static func headerBlock(_ lines: [String], width: Int) -> ([String], Int) {
        let limit = min(lines.count, 24)
        var end: Int?
        for index in 0..<limit {
            let plain = lines[index].trimmingCharacters(in: .whitespaces)
            if DocumentKinds.headings.contains(where: { plain == $0.0 || plain.hasPrefix($0.0 + " ") }) || plain.hasPrefix("Kính gửi") {
                end = index
                break
            }
        }
        guard let end, end > 0 else { return ([], 0) }
        var left: [String] = []
        var right: [String] = []
        for line in lines[0..<end] {
            let (l, r) = columns(line, width: width)
            if let l { left.append(l) }
            if let r { right.append(r) }
        }
        return (joinWrapped(left) + joinWrapped(right), end)
    }

    /// Header lines of one column: a line continuing a name in capitals ("BAN TUYÊN GIÁO VÀ
    /// DÂN" / "VẬN") is joined to it.
    static func joinWrapped(_ lines: [String]) -> [String] {
        var out: [String] = []
        for line in lines {
            if let last = out.last, let first = line.first, first.isUppercase, line.count <= 12, line == line.uppercased(),
               last == last.uppercased(), last.last?.isLetter == true, !line.hasPrefix("*"), !line.hasPrefix("SỐ"), !line.hasPrefix("Số"),
               last.count >= 14, !isMottoLine(last) {
                out[out.count - 1] = last + " " + line
            } else {
                out.append(line)
            }
        }
        return out
    }

    static func isMottoLine(_ line: String) -> Bool {
        let folded = VietnameseText.fold(line)
        return folded.hasPrefix("dang cong san") || folded.hasPrefix("cong hoa") || folded.hasPrefix("doc lap")
    }

    /// Splits the lines into the body, the tail (from "Nơi nhận:" to the end or an annex: the
    /// recipients on the left and the signature on the right, read left column first) and the
    /// annex.
    static func splitTail(_ lines: [String], width: Int) -> (body: [String], tail: [String], annex: [String]) {
        guard let start = lines.lastIndex(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("Nơi nhận") }) else {
            if let annex = lines.firstIndex(where: isAnnexStart), annex > lines.count / 2 {
                return (Array(lines[..<annex]), [], Array(lines[annex...]))
            }
            return (lines, [], [])
        }
        var end = lines.count
        for index in (start + 1)..<lines.count where isAnnexStart(lines[index]) {
            end = index
            break
        }
        var left: [String] = []
        var right: [String] = []
        for line in lines[start..<end] {
            let (l, r) = columns(line, width: width)
            if let l { left.append(l) }
            if let r { right.append(r) }
        }
        return (Array(lines[..<start]), left + [""] + right, Array(lines[end...]))
    }

    static func isAnnexStart(_ line: String) -> Bool {
        let plain = line.trimmingCharacters(in: .whitespaces)
        return plain.hasPrefix("PHỤ LỤC") || plain.hasPrefix("Phụ lục") && plain == plain.uppercased() || plain.hasPrefix("(Kèm theo")
    }

    /// Joins the lines of each paragraph. A new paragraph starts at a blank line, a pipe row,
    /// an outline marker, a line indented more than the body, or after a line that ends a
    /// sentence without filling the width.
    static func reflow(_ lines: [String], width: Int) -> [String] {
        var indents: [Int: Int] = [:]
        for line in lines where !line.isEmpty && !line.hasPrefix("|") { indents[indent(line), default: 0] += 1 }
        let margin = indents.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key ?? 0
        var out: [String] = []
        var open = false
        var lastLength = 0
        for line in lines {
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty || line.hasPrefix("|") {
                out.append(line)
                open = false
                continue
            }
            let startsItem = Run.marker(Substring(text)) != nil || text.hasPrefix("Nơi nhận")
            // A short line without a full stop before a capital is a heading or a title.
            let afterHeading = lastLength < Int(Double(width) * 0.75) && text.first?.isUppercase == true
            if open, let previous = out.last, !startsItem, !afterHeading, previous.contains(where: \.isLowercase) {
                let ends = previous.last.map { ".;:!?".contains($0) } ?? true
                // An indented line continues only when it starts in lower case mid-sentence.
                let indented = indent(line) > margin + 2
                if indented ? (!ends && text.first?.isLowercase == true) : (!ends || lastLength >= Int(Double(width) * 0.9)) {
                    if previous.hasSuffix("-"), !previous.hasSuffix(" -") {
                        out[out.count - 1] = previous + text
                    } else {
                        out[out.count - 1] = previous + " " + text
                    }
                    lastLength = line.count
                    continue
                }
            }
            out.append(text)
            open = true
            lastLength = line.count
        }
        return out.map(joinSplitSyllables)
    }

    static let loneConsonants: Set<Character> = ["b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "q", "r", "s", "t", "v", "x"]

    /// Justified text sometimes comes out with a syllable split around its consonants
    /// ("phối hợp v ới", "triể n khai", "Tỉ nh ủy") or two syllables jammed ("tổchức"). A
    /// token of consonants only joins the word before when it can end it and that word ends
    /// in a vowel (the break fell after the marked vowel), else the next word when it can
    /// start it; jammed syllables are cut by `splitJammedSyllables`.
    static func joinSplitSyllables(_ line: String) -> String {
        var words = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        func isVowel(_ character: Character) -> Bool {
            VietnameseText.fold(String(character)).first.map { "aeiouy".contains($0) } ?? false
        }
        func isMarked(_ character: Character) -> Bool { character.unicodeScalars.first.map { $0.value >= 0xC0 } ?? false }
        var index = 1
        while index < words.count {
            let word = words[index]
            let folded = VietnameseText.fold(word)
            guard (1...3).contains(word.count), word.allSatisfy({ $0.isLetter && $0.isLowercase && !isVowel($0) }),
                  let last = words[index - 1].last, last.isLetter else {
                index += 1
                continue
            }
            let next = index + 1 < words.count ? words[index + 1].first : nil
            let canEnd = isVowel(last) && finals.contains(folded) && toneAllows(final: folded, in: words[index - 1])
            let canStart = next.map { $0.isLetter && isVowel($0) && $0.isLowercase } == true && onsets.contains(folded)
            if canEnd, isMarked(last) || !canStart {
                words[index - 1] += word
            } else if canStart {
                words[index + 1] = word + words[index + 1]
            } else {
                index += 1
                continue
            }
            words.remove(at: index)
        }
        return words.map(splitJammedSyllables).joined(separator: " ")
    }

    /// A syllable that ends in a stop (c, ch, p, t) carries the sắc or nặng tone.
    static func toneAllows(final: String, in syllable: String) -> Bool {
        guard ["c", "ch", "p", "t"].contains(final) else { return true }
        let marks = syllable.decomposedStringWithCanonicalMapping.unicodeScalars
        return marks.contains { $0.value == 0x0301 || $0.value == 0x0323 }
    }

    static let finals: Set<String> = ["", "c", "ch", "m", "n", "ng", "nh", "p", "t"]
    static let onsets: Set<String> = ["b", "c", "ch", "d", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh", "nh", "p", "ph", "q", "qu", "r", "s", "t", "th", "tr", "v", "x"]

    /// Two syllables printed without the space between them ("kếhoạch", "triểnkhai"): a word
    /// with Vietnamese marks and two separate vowel groups is cut where the consonants between
    /// them make a syllable's final and the next one's onset. Words without marks (names,
    /// loan words, abbreviations) are left alone.
    static func splitJammedSyllables(_ word: String) -> String {
        let characters = Array(word)
        guard characters.count >= 4, characters.allSatisfy(\.isLetter), word.unicodeScalars.contains(where: { $0.value >= 0xC0 }) else { return word }
        let folded = characters.map { VietnameseText.fold(String($0)) }
        let isVowel = folded.map { "aeiouy".contains($0) }
        guard let firstVowel = isVowel.firstIndex(of: true) else { return word }
        var end = firstVowel
        while end < characters.count, isVowel[end] { end += 1 }
        guard let nextVowel = isVowel[end...].firstIndex(of: true), nextVowel > end else { return word }
        let run = folded[end..<nextVowel].joined()
        // Only where one cut fits: "thựchiện" could be "thự chiện" or "thực hiện" and stays.
        let head = String(characters[..<end])
        let cuts = (0..<run.count).filter { cut in
            let final = String(run.prefix(cut))
            return finals.contains(final) && onsets.contains(String(run.dropFirst(cut))) && toneAllows(final: final, in: head)
        }
        guard cuts.count == 1, let cut = cuts.first else { return word }
        let split = end + cut
        return String(characters[..<split]) + " " + splitJammedSyllables(String(characters[split...]))
    }
}

/// Rebuilds assignment tables from `pdftotext -layout` lines: the header is found by its
/// column names, the columns by the runs of spaces that every line of the table leaves
/// empty, and the rows by the number column (or blank lines).
enum AssignmentTableLayout {
    static let headerWords: Set<String> = [
        "stt", "tt", "so", "thu", "tu", "noi", "dung", "nhiem", "vu", "cong", "viec", "co", "quan", "don", "vi", "chu", "tri", "phoi",
        "hop", "thoi", "gian", "han", "hoan", "thanh", "san", "pham", "ket", "qua", "du", "kien", "ghi", "cap", "duoc", "giao", "thuc",
        "hien", "trach", "tien", "do", "hinh", "giai", "phap", "hoat", "dong", "cq", "dv", "ht", "moc", "ten", "lanh", "dao", "phu",
        "phan", "va", "chinh",
    ]

    static func words(_ line: String) -> [String] {
        VietnameseText.fold(line).split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
    }

    /// A line of header words only (pieces of two letters or fewer pass too: a narrow "STT"
    /// column wraps as "ST" / "T").
    static func isHeaderLine(_ line: String) -> Bool {
        let found = words(line)
        return !found.isEmpty && found.allSatisfy { headerWords.contains($0) || $0.count <= 2 }
    }

    static func rebuild(_ lines: [String], width: Int) -> [String] {
        var out: [String] = []
        var index = 0
        while index < lines.count {
            if isHeaderLine(lines[index]), lines[index].contains("  ") {
                var headerEnd = index
                while headerEnd < lines.count, headerEnd - index < 5, isHeaderLine(lines[headerEnd]) { headerEnd += 1 }
                // Header cells wrap over lines ("Cơ quan chủ" / "trì"): words, not phrases.
                let found = Set(lines[index..<headerEnd].flatMap(words))
                let named = found.isSuperset(of: ["noi", "dung"]) || found.isSuperset(of: ["nhiem", "vu"]) || found.isSuperset(of: ["cong", "viec"])
                if named, found.isSuperset(of: ["chu", "tri"]) || found.isSuperset(of: ["thuc", "hien"]) {
                    var end = headerEnd
                    while end < lines.count, !endsTable(lines[end], width: width) { end += 1 }
                    if let rows = table(Array(lines[index..<end]), headerLines: headerEnd - index) {
                        out += rows
                        index = end
                        continue
                    }
                }
            }
            out.append(lines[index])
            index += 1
        }
        return out
    }

    /// Body text (one long run of words from the margin), the recipients or an annex title.
    static func endsTable(_ line: String, width: Int) -> Bool {
        let text = line.trimmingCharacters(in: .whitespaces)
        if text.isEmpty { return false }
        if text.hasPrefix("Nơi nhận") || PDFLayout.isAnnexStart(line) { return true }
        let gaps = line.dropFirst(PDFLayout.indent(line)).contains("  ")
        return !gaps && text.count >= Int(Double(width) * 0.6)
    }

    /// A run of text on one line, between runs of two or more spaces: its character range.
    struct Segment {
        var start: Int
        var end: Int
        var text: String
    }

    static func segments(_ line: [Character]) -> [Segment] {
        var found: [Segment] = []
        var index = 0
        while index < line.count {
            while index < line.count, line[index] == " " { index += 1 }
            guard index < line.count else { break }
            let start = index
            var end = index
            while index < line.count {
                if line[index] == " " {
                    var gap = index
                    while gap < line.count, line[gap] == " " { gap += 1 }
                    if gap - index >= 2 || gap == line.count { break }
                    index = gap
                } else {
                    index += 1
                    end = index
                }
            }
            found.append(Segment(start: start, end: end, text: String(line[start..<end])))
        }
        return found
    }

    /// The pipe rows of a table region, or nil when it has no assignment header.
    ///
    /// The columns come from the header: its pieces on every header line (a cell wraps, and
    /// the cells are centred vertically) grouped where they overlap. Each run of text below
    /// goes to the column it overlaps most; a run that covers two columns (one space apart:
    /// "Hội Nông dân tỉnh Quý I/2027") is cut at the space nearest the border, and a number
    /// that starts a run goes to the number column. Rows are separated by blank lines when
    /// the table has them, and otherwise start at a number.
    static func table(_ region: [String], headerLines: Int) -> [String]? {
        let characters = region.map(Array.init)
        var clusters: [(start: Int, end: Int, parts: [String])] = []
        for line in characters.prefix(headerLines) {
            for segment in segments(line) {
                if let index = clusters.firstIndex(where: { segment.start < $0.end + 1 && segment.end > $0.start - 1 }) {
                    clusters[index].start = min(clusters[index].start, segment.start)
                    clusters[index].end = max(clusters[index].end, segment.end)
                    clusters[index].parts.append(segment.text)
                } else {
                    clusters.append((segment.start, segment.end, [segment.text]))
                }
            }
        }
        clusters.sort { $0.start < $1.start }
        guard clusters.count >= 2 else { return nil }
        let header = clusters.map { $0.parts.joined(separator: " ") }
        guard let roles = AssignmentTable.columns(header: header) else { return nil }
        let numberColumn = roles.firstIndex(of: .number)
        func overlap(_ segment: Segment, _ column: Int) -> Int {
            max(0, min(segment.end, clusters[column].end) - max(segment.start, clusters[column].start))
        }
        func distance(_ segment: Segment, _ column: Int) -> Int {
            max(0, clusters[column].start - segment.end, segment.start - clusters[column].end)
        }
        func isNumber(_ text: String) -> Bool {
            text.count <= 5 && text.allSatisfy { $0.isNumber || $0 == "." || "IVXLABCDĐ".contains($0) }
        }
        /// The cells of one line: text per column.
        func cells(_ line: [Character]) -> [String] {
            var out = [String](repeating: "", count: clusters.count)
            func put(_ segment: Segment) {
                let touched = clusters.indices.filter { overlap(segment, $0) >= 3 }
                if touched.count >= 2 {
                    // Cut at the space nearest the border between the first two columns it covers.
                    let border = (clusters[touched[0]].end + clusters[touched[1]].start) / 2
                    let spaces = (segment.start..<segment.end).filter { line[$0] == " " }
                    if let cut = spaces.min(by: { abs($0 - border) < abs($1 - border) }) {
                        put(Segment(start: segment.start, end: cut, text: String(line[segment.start..<cut])))
                        put(Segment(start: cut + 1, end: segment.end, text: String(line[(cut + 1)..<segment.end])))
                        return
                    }
                }
                // Only a number goes to the number column.
                let candidates = clusters.indices.filter { $0 != numberColumn || isNumber(segment.text) }
                var column = candidates.max { (overlap(segment, $0), -distance(segment, $0)) < (overlap(segment, $1), -distance(segment, $1)) } ?? 0
                // "1 Tuyên truyền …": the row's number, one space before the content.
                if let numberColumn, column == numberColumn + 1 {
                    let first = segment.text.prefix { $0 != " " }
                    if first.count < segment.text.count, first.count <= 4, first.allSatisfy({ $0.isNumber || $0 == "." || "IVX".contains($0) }) {
                        out[numberColumn] += String(first)
                        put(Segment(start: segment.start + first.count + 1, end: segment.end, text: String(segment.text.dropFirst(first.count + 1))))
                        return
                    }
                }
                if let numberColumn, column != numberColumn, isNumber(segment.text), segment.start < clusters[min(numberColumn + 1, clusters.count - 1)].start {
                    column = numberColumn
                }
                out[column] += (out[column].isEmpty ? "" : " ") + segment.text
            }
            for segment in segments(line) { put(segment) }
            return out
        }
        let body = characters.dropFirst(headerLines)
        let blankSeparated = body.drop { $0.allSatisfy { $0 == " " } }.reversed().drop { $0.allSatisfy { $0 == " " } }.contains { $0.allSatisfy { $0 == " " } }
        var rows: [[[String]]] = []
        var current: [[String]]?
        var blankBefore = false
        for line in body {
            if line.allSatisfy({ $0 == " " }) {
                blankBefore = true
                continue
            }
            let lineCells = cells(line)
            // A header row repeated on a later page.
            if lineCells.allSatisfy({ $0.isEmpty || isHeaderLine($0) }), lineCells.contains(where: { AssignmentTable.role(of: $0) != nil }), lineCells.filter({ !$0.isEmpty }).count >= 2 {
                continue
            }
            let hasNumber = numberColumn.map { !lineCells[$0].isEmpty } ?? false
            let currentHasNumber = numberColumn.map { column in current?[column].isEmpty == false } ?? false
            let startsRow = current == nil || (blankSeparated ? blankBefore || (hasNumber && currentHasNumber) : (numberColumn == nil ? blankBefore : hasNumber))
            if startsRow {
                if let current { rows.append(current) }
                current = clusters.map { _ in [] }
            }
            for (column, value) in lineCells.enumerated() where !value.isEmpty { current![column].append(value) }
            blankBefore = false
        }
        if let current { rows.append(current) }
        var out = [AssignmentTable.pipeRow(header)]
        for row in rows {
            let filled = row.enumerated().filter { !$0.element.isEmpty }
            // A group heading across the table lands in one or two cells with no unit.
            if let numberColumn, let lead = roles.firstIndex(of: .lead), row[lead].isEmpty, filled.count <= 2,
               let marker = row[numberColumn].first, marker.allSatisfy({ "IVXLABCDĐ.".contains($0) }) {
                out.append(AssignmentTable.pipeRow([(row[numberColumn] + row[min(numberColumn + 1, row.count - 1)]).joined(separator: " ")]))
                continue
            }
            out.append(AssignmentTable.pipeRow(row.enumerated().map { column, parts in
                roles[column] == .lead || roles[column] == .coordinators ? joinUnitLines(parts) : joinLines(parts)
            }))
        }
        return out
    }

    /// The lines of a text cell, joined as a paragraph.
    static func joinLines(_ parts: [String]) -> String {
        var text = ""
        for part in parts {
            if text.isEmpty { text = part } else if text.hasSuffix("-"), !text.hasSuffix(" -") { text += part } else { text += " " + part }
        }
        return text
    }

    /// The lines of a unit cell: a line that starts another unit ("Sở Tư pháp" under "Sở Nội
    /// vụ") becomes a new item; a wrapped name ("Ban Tuyên giáo và" / "Dân vận Tỉnh ủy") is
    /// joined.
    static func joinUnitLines(_ parts: [String]) -> String {
        var items: [String] = []
        for part in parts {
            guard let last = items.last else { items.append(part); continue }
            let tokens = Token.tokenize(Substring(part))
            let startsUnit = part.hasPrefix("-") || part.hasPrefix("+") || last.hasSuffix(",") || last.hasSuffix(";")
                || (UnitPhrases.unit(tokens, at: 0) != nil && tokens.first?.isCapitalized == true && !(tokens.count >= 2 && tokens[1].folded == "uy")
                    && !last.hasSuffix(" và") && tokens.count >= 2)
            if startsUnit { items.append(part) } else { items[items.count - 1] = last + " " + part }
        }
        return items.joined(separator: "; ")
    }
}
