import Foundation

/// Finding who must do what. Three shapes (see `shared/fixtures/directives/CONVENTIONS.md`):
/// (a) "Giao/Đề nghị/Yêu cầu <units> …" anywhere a sentence or clause starts;
/// (b) a paragraph whose first sentence has units as subject followed by an obligation verb,
///     possibly after a fronted phrase ("Hàng năm, …", "Trên cơ sở …, …");
/// (c) a numbered heading that names the responsible units (its items are not counted again).
extension Run {
    struct Draft {
        var lead: String
        var coordinators: [String]
        var quote: String
        var sentences: [String]
        var section: String?
        var due: DirectiveParse.Due?
        var paragraph: Int
        var role: String?
        var needsDate: String?
    }

    static let explicitVerbs: [[String]] = [["giao"], ["de", "nghi"], ["yeu", "cau"]]
    static let openers: [[String]] = [
        ["hang", "nam"], ["hang", "thang"], ["hang", "quy"], ["dinh", "ky"], ["tren", "co", "so"], ["can", "cu"], ["trong"],
        ["de"], ["sau", "khi"], ["tu", "nam"], ["den", "nam"], ["nham"], ["ngoai", "ra"], ["dong", "thoi"], ["thoi", "gian", "toi"],
    ]

    mutating func readAssignments(_ paragraphs: [Paragraph]) {
        var drafts: [Draft] = []
        var owners = Set<Int>()
        for (index, paragraph) in paragraphs.enumerated() {
            if paragraph.excluded || ancestors(of: index, in: paragraphs).contains(where: owners.contains) { continue }
            let explicitOnly = paragraph.preamble
            if paragraph.isHeading, let draft = headingAssignment(paragraph, index: index, explicitOnly: explicitOnly, paragraphs: paragraphs) {
                drafts.append(draft)
                owners.insert(index)
                continue
            }
            let found = sentenceAssignments(paragraph, index: index, explicitOnly: explicitOnly, paragraphs: paragraphs)
            if !found.isEmpty, paragraph.isHeading || paragraph.markerKind?.isNumbered == true, found.first?.sentences.first?.hasSuffix(":") == true {
                owners.insert(index)
            }
            drafts.append(contentsOf: found)
        }
        result.assignments = drafts.map { draft in
            var assignment = DirectiveParse.Assignment(
                lead: draft.lead, coordinators: draft.coordinators, due: draft.due, dueDate: draft.due?.endDate,
                quote: draft.quote, text: draft.sentences.joined(separator: " "), section: draft.section
            )
            assignment.role = draft.role
            assignment.needsDate = draft.due == nil ? draft.needsDate : nil
            return assignment
        }
    }

    func ancestors(of index: Int, in paragraphs: [Paragraph]) -> [Int] {
        var chain: [Int] = []
        var cursor = paragraphs[index].parent
        while let parent = cursor {
            chain.append(parent)
            cursor = paragraphs[parent].parent
        }
        return chain
    }

    /// Paragraphs nested under `index` (its items), in order.
    func descendants(of index: Int, in paragraphs: [Paragraph]) -> [Int] {
        var found: [Int] = []
        var cursor = index + 1
        while cursor < paragraphs.count, ancestors(of: cursor, in: paragraphs).contains(index) {
            found.append(cursor)
            cursor += 1
        }
        return found
    }

    /// A heading that names units (with or without a verb) owns its items.
    mutating func headingAssignment(_ paragraph: Paragraph, index: Int, explicitOnly: Bool, paragraphs: [Paragraph]) -> Draft? {
        let content = paragraph.content
        let tokens = Token.tokenize(content)
        guard !explicitOnly, let (units, end) = UnitPhrases.list(tokens, at: 0) else { return nil }
        let onlyUnits = end == tokens.count || (end == tokens.count - 1 && tokens[end].folded == ":")
        guard onlyUnits || UnitPhrases.obligation(tokens, at: end) else { return nil }
        var sentences = [String(content)]
        for child in descendants(of: index, in: paragraphs) { sentences.append(String(paragraphs[child].content)) }
        var draft = Draft(
            lead: clean(tokens.text(units[0].lowerBound, units[0].upperBound, in: content)),
            coordinators: [], quote: Self.quote(content), sentences: sentences, section: paragraph.sectionID, due: nil, paragraph: index
        )
        draft.coordinators = coordinators(units: units.dropFirst(), tokens: tokens, source: content, lead: draft.lead)
        draft.role = UnitPhrases.role(tokens, before: units[0].lowerBound, in: content)
        (draft.due, draft.needsDate) = dueOrVague(in: sentences)
        return draft
    }

    mutating func sentenceAssignments(_ paragraph: Paragraph, index: Int, explicitOnly: Bool, paragraphs: [Paragraph]) -> [Draft] {
        let sentences = Self.sentences(paragraph.content)
        var drafts: [Draft] = []
        var open: Int?
        for (position, sentence) in sentences.enumerated() {
            // Later sentences matter only when they give an explicit order or start with a
            // subject of their own; the first words are enough to tell the second case.
            let explicit = position == 0 || Self.mayGiveOrder(sentence)
            let tokens = Token.tokenize(explicit ? sentence : Self.opening(of: sentence))
            guard !tokens.isEmpty else { continue }
            let starts = assignmentStarts(tokens, sentence: sentence, first: position == 0, explicitOnly: explicitOnly)
            if starts.isEmpty {
                if position > 0, let (_, end) = UnitPhrases.list(tokens, at: 0), UnitPhrases.obligation(tokens, at: end) {
                    open = nil
                } else if let current = open {
                    drafts[current].sentences.append(String(sentence))
                }
                continue
            }
            for (offset, start) in starts.enumerated() {
                let clauseEnd = offset + 1 < starts.count ? starts[offset + 1].clauseStart : tokens.count
                let clause = tokens.text(start.clauseStart, clauseEnd, in: sentence)
                var draft = Draft(
                    lead: clean(tokens.text(start.units[0].lowerBound, start.units[0].upperBound, in: sentence)),
                    coordinators: [], quote: Self.quote(start.clauseStart == 0 ? sentence : Substring(clause)),
                    sentences: [start.clauseStart == 0 && offset == 0 ? String(sentence) : clause], section: paragraph.sectionID, due: nil,
                    paragraph: index
                )
                let scope = Array(tokens[start.clauseStart..<clauseEnd])
                let shifted = start.units.map { ($0.lowerBound - start.clauseStart)..<($0.upperBound - start.clauseStart) }
                draft.coordinators = coordinators(units: shifted.dropFirst(), tokens: scope, source: sentence, lead: draft.lead)
                draft.role = UnitPhrases.role(tokens, before: start.units[0].lowerBound, in: sentence)
                drafts.append(draft)
                open = drafts.count - 1
            }
            // An order ending in ":" covers the items listed under it.
            if sentence.hasSuffix(":"), let current = open, position == sentences.count - 1 {
                var cursor = index + 1
                while cursor < paragraphs.count, let kind = paragraphs[cursor].markerKind, kind == .dash || kind == .plus {
                    drafts[current].sentences.append(String(paragraphs[cursor].content))
                    cursor += 1
                }
            }
        }
        for draftIndex in drafts.indices {
            (drafts[draftIndex].due, drafts[draftIndex].needsDate) = dueOrVague(in: drafts[draftIndex].sentences)
            drafts[draftIndex].coordinators = mergeCoordinators(drafts[draftIndex])
        }
        // A closing deadline sentence ("Thực hiện hàng năm.") applies to every order of the
        // paragraph that has no deadline of its own.
        if !drafts.isEmpty, let last = sentences.last, Self.isStandaloneDeadline(last), let due = firstDue(in: [String(last)]) {
            for draftIndex in drafts.indices where drafts[draftIndex].due == nil { drafts[draftIndex].due = due }
        }
        return drafts
    }

    struct Start {
        var clauseStart: Int
        var units: [Range<Int>]
    }

    /// Where assignments start in one sentence.
    func assignmentStarts(_ tokens: [Token], sentence: Substring, first: Bool, explicitOnly: Bool) -> [Start] {
        var starts: [Start] = []
        // (a) explicit orders at the start or after a comma: "Giao …", ", giao …", "Đề nghị …".
        for verb in Self.explicitVerbs where tokens.matches(verb, at: 0) {
            if let (units, _) = UnitPhrases.list(tokens, at: verb.count) { starts.append(Start(clauseStart: 0, units: units)) }
            break
        }
        if starts.isEmpty {
            for position in 1..<max(1, tokens.count) where tokens[position].folded == "giao" && !tokens[position].isCapitalized && tokens[position - 1].folded == "," {
                if let (units, _) = UnitPhrases.list(tokens, at: position + 1) {
                    starts.append(Start(clauseStart: 0, units: units))
                    break
                }
            }
        }
        // (b) a subject at the start of the paragraph, possibly after a fronted phrase.
        if starts.isEmpty, first, !explicitOnly, !sentence.hasSuffix(":") {
            if let (units, end) = UnitPhrases.list(tokens, at: 0), UnitPhrases.obligation(tokens, at: end) {
                starts.append(Start(clauseStart: 0, units: units))
            } else if UnitPhrases.verb(tokens, at: 0) == nil {
                // An imperative sentence ("Tổ chức …, thông qua đó, Mặt trận …") has no fronted
                // subject; only a fronted phrase or object can come before one.
                let opener = Self.openers.contains { tokens.matches($0, at: 0) }
                for position in tokens.indices where tokens[position].folded == "," && position + 1 < tokens.count {
                    guard opener || tokens[position + 1].isCapitalized else { continue }
                    if let (units, end) = UnitPhrases.list(tokens, at: position + 1), UnitPhrases.obligation(tokens, at: end) {
                        starts.append(Start(clauseStart: 0, units: units))
                        break
                    }
                }
            }
        }
        guard let firstStart = starts.first else { return [] }
        // Another unit with its own verb later in the sentence is a separate assignment
        // ("Giao A chỉ đạo …, B tăng cường …"), unless it is listed as a coordinator.
        let protected = coordinatorSpans(tokens, from: firstStart.units.last!.upperBound)
        var position = firstStart.units.last!.upperBound
        while position < tokens.count {
            defer { position += 1 }
            guard tokens[position].folded == "," || tokens[position].folded == ";", position + 1 < tokens.count,
                  tokens[position + 1].isCapitalized, !protected.contains(where: { $0.contains(position + 1) }) else { continue }
            if let (units, end) = UnitPhrases.list(tokens, at: position + 1), UnitPhrases.obligation(tokens, at: end) {
                starts.append(Start(clauseStart: position + 1, units: units))
                position = end
            }
        }
        return starts
    }

    /// Token ranges of the unit lists that follow "phối hợp (với)", and of units that are the
    /// objects of "chỉ đạo", "hướng dẫn", "giao", "đề nghị", "yêu cầu" (directed, not subjects).
    func coordinatorSpans(_ tokens: [Token], from: Int) -> [Range<Int>] {
        var spans: [Range<Int>] = []
        var position = from
        while position < tokens.count {
            for directing in [["chi", "dao"], ["huong", "dan"], ["giao"], ["de", "nghi"], ["yeu", "cau"]] where tokens.matches(directing, at: position) {
                if let (units, end) = UnitPhrases.list(tokens, at: position + directing.count) {
                    spans.append(units.first!.lowerBound..<end)
                }
            }
            if tokens.matches(["phoi", "hop"], at: position) {
                var start = position + 2
                for filler in [["chat", "che", "voi"], ["voi"], ["cung"]] where tokens.matches(filler, at: start) { start += filler.count; break }
                if let (units, end) = UnitPhrases.list(tokens, at: start) {
                    spans.append(units.first!.lowerBound..<end)
                    position = end
                    continue
                }
            }
            position += 1
        }
        return spans
    }

    func coordinators(units: ArraySlice<Range<Int>>, tokens: [Token], source: Substring, lead: String) -> [String] {
        var names = units.map { clean(tokens.text($0.lowerBound, $0.upperBound, in: source)) }
        var position = units.last?.upperBound ?? 0
        while position < tokens.count {
            if tokens.matches(["phoi", "hop"], at: position) {
                var start = position + 2
                for filler in [["chat", "che", "voi"], ["voi"], ["cung"]] where tokens.matches(filler, at: start) { start += filler.count; break }
                if let (list, end) = UnitPhrases.list(tokens, at: start) {
                    names += list.map { clean(tokens.text($0.lowerBound, $0.upperBound, in: source)) }
                    position = end
                    continue
                }
            }
            position += 1
        }
        var seen = Set([VietnameseText.fold(lead)])
        return names.filter { seen.insert(VietnameseText.fold($0)).inserted }
    }

    /// Coordinators named in the later sentences of the span ("… tăng cường phối hợp với …").
    mutating func mergeCoordinators(_ draft: Draft) -> [String] {
        var names = draft.coordinators
        for sentence in draft.sentences.dropFirst() where sentence.utf8.count > 8 && DuePhrases.index(of: Self.phoiHop, in: Array(VietnameseText.fold(sentence).utf8)) != nil {
            let substring = Substring(sentence)
            let tokens = Token.tokenize(substring)
            names += coordinators(units: [], tokens: tokens, source: substring, lead: draft.lead)
        }
        var seen = Set([VietnameseText.fold(draft.lead)])
        return names.filter { seen.insert(VietnameseText.fold($0)).inserted }
    }

    func firstDue(in sentences: [String]) -> DirectiveParse.Due? {
        dueOrVague(in: sentences).0
    }

    /// The first deadline of the span, or else the first time phrase that needs a date
    /// ("trước kỳ họp"). Holidays and dates without a year are placed after the document's
    /// own date.
    func dueOrVague(in sentences: [String]) -> (DirectiveParse.Due?, String?) {
        var vague: String?
        for sentence in sentences {
            let bytes = VietnameseText.foldBytes(sentence)
            let plain = DuePhrases.find(bytes: bytes)
            let holiday = DuePhrases.occasion(bytes, issued: issuedOn)
            if let holiday, holiday.offset < (plain?.1 ?? Int.max) {
                if let due = holiday.due { return (due, nil) }
                if vague == nil { vague = holiday.phrase }
                if let (due, _) = plain { return (due, nil) }
                continue
            }
            if let (due, _) = plain { return (due, nil) }
        }
        return (nil, vague)
    }

    /// The document's own date, for phrases that name no year.
    var issuedOn: LunarCalendar.SolarDate? {
        guard let date = result.date, date.count == 10,
              let year = Int(date.prefix(4)), let month = Int(date.dropFirst(5).prefix(2)), let day = Int(date.suffix(2)) else { return nil }
        return LunarCalendar.SolarDate(year: year, month: month, day: day)
    }

    /// Whether a sentence may hold an explicit order ("Giao …", "…, giao …", "Đề nghị …").
    static func mayGiveOrder(_ sentence: Substring) -> Bool {
        let head = VietnameseText.fold(sentence.prefix(12))
        if head.hasPrefix("giao ") || head.hasPrefix("de nghi ") || head.hasPrefix("yeu cau ") { return true }
        return sentence.utf8.withContiguousStorageIfAvailable { DuePhrases.index(of: Self.commaGiao, in: $0) != nil }
            ?? (DuePhrases.index(of: Self.commaGiao, in: Array(sentence.utf8)) != nil)
    }

    static let commaGiao = Array(", giao ".utf8)
    static let phoiHop = Array("phoi hop".utf8)

    /// The first words of a sentence: enough to find a subject of its own.
    static func opening(of sentence: Substring) -> Substring {
        var count = 0
        var index = sentence.unicodeScalars.startIndex
        while index < sentence.unicodeScalars.endIndex, count < 160 {
            index = sentence.unicodeScalars.index(after: index)
            count += 1
        }
        return sentence[sentence.startIndex..<index]
    }

    static func isStandaloneDeadline(_ sentence: Substring) -> Bool {
        sentence.utf8.count < 90 && sentence.split(separator: " ").count <= 9 && DuePhrases.find(bytes: VietnameseText.foldBytes(sentence)) != nil
    }

    /// Splits a paragraph at sentence ends: ".", "!" or "?" followed by a capital, a digit or
    /// an opening quote.
    static func sentences(_ text: Substring) -> [Substring] {
        var result: [Substring] = []
        let scalars = text.unicodeScalars
        var start = scalars.startIndex
        var index = scalars.startIndex
        while index < scalars.endIndex {
            let scalar = scalars[index]
            if scalar == "." || scalar == "!" || scalar == "?" {
                var next = scalars.index(after: index)
                while next < scalars.endIndex, scalars[next] == "." || scalars[next] == "\"" || scalars[next] == "\u{201D}" || scalars[next] == ")" {
                    next = scalars.index(after: next)
                }
                if next < scalars.endIndex, scalars[next] == " " {
                    var after = next
                    while after < scalars.endIndex, scalars[after] == " " { after = scalars.index(after: after) }
                    if after < scalars.endIndex, ScalarClass.isUpper(scalars[after]) || scalars[after] == "\u{201C}" || scalars[after] == "\"" {
                        result.append(text[start..<next].trimmingWhitespace())
                        start = after
                        index = after
                        continue
                    }
                }
            }
            index = scalars.index(after: index)
        }
        let last = text[start...].trimmingWhitespace()
        if !last.isEmpty { result.append(last) }
        return result
    }

    /// First 80 characters, list markers and "*" already removed.
    static func quote(_ text: Substring) -> String {
        String(text.prefix(80))
    }

    /// Trims what is not part of a unit name at the ends.
    func clean(_ name: String) -> String {
        var s = Substring(name)
        while let last = s.last, last == "," || last == ";" || last == ":" || last == " " || last == "-" { s = s.dropLast() }
        return String(s)
    }
}

extension Substring {
    func trimmingWhitespace() -> Substring {
        let scalars = unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, ScalarClass.isSpace(scalars[start]) { start = scalars.index(after: start) }
        while end > start, ScalarClass.isSpace(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        return self[start..<end]
    }
}
