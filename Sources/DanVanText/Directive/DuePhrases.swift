import Foundation

/// Deadlines and recurrences as directives write them: "Hoàn thành trong quý II/2021",
/// "Thời gian sơ kết vào quý II/2025", "Thực hiện hàng năm", "Định kỳ 06 tháng, 01 năm báo
/// cáo", "trước ngày 15/6/2024". A year or quarter that names a period of the work itself
/// ("công tác dân vận năm 2024", "giai đoạn 2021-2025") is not a deadline: one-off deadlines
/// need a cue ("hoàn thành", "thời gian", "trong/vào/trước …").
///
/// Works on the UTF-8 bytes of folded text (ASCII for Vietnamese), which keeps the reader fast.
enum DuePhrases {
    typealias Due = DirectiveParse.Due

    /// The first deadline or recurrence in a folded sentence, with its byte offset.
    static func find(in folded: String) -> (Due, Int)? {
        find(bytes: Array(folded.utf8))
    }

    /// The same, on the folded bytes.
    static func find(bytes s: [UInt8]) -> (Due, Int)? {
        var best: (Due, Int)?
        func consider(_ found: (Due, Int)?) {
            guard let found else { return }
            if best == nil || found.1 < best!.1 { best = found }
        }
        consider(recurrence(s))
        consider(oneOff(s))
        return best
    }

    // MARK: bytes

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static func index<C: RandomAccessCollection>(of pattern: [UInt8], in s: C, from start: Int = 0) -> Int? where C.Element == UInt8, C.Index == Int {
        guard !pattern.isEmpty, s.count >= pattern.count else { return nil }
        var i = s.startIndex + start
        let last = s.endIndex - pattern.count
        let first = pattern[0]
        while i <= last {
            if s[i] == first {
                var j = 1
                while j < pattern.count, s[i + j] == pattern[j] { j += 1 }
                if j == pattern.count { return i - s.startIndex }
            }
            i += 1
        }
        return nil
    }

    static func hasPrefix(_ s: [UInt8], _ pattern: [UInt8], at start: Int = 0) -> Bool {
        guard start + pattern.count <= s.count else { return false }
        for k in 0..<pattern.count where s[start + k] != pattern[k] { return false }
        return true
    }

    static func isLetter(_ byte: UInt8) -> Bool { (byte >= 97 && byte <= 122) || byte >= 0x80 }
    static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
    static func isWordStart(_ s: [UInt8], _ i: Int) -> Bool { i == 0 || !isLetter(s[i - 1]) }
    static func isWordEnd(_ s: [UInt8], _ i: Int) -> Bool { i >= s.count || !isLetter(s[i]) }

    static func number(_ s: [UInt8], _ start: Int, maxDigits: Int) -> (Int, Int)? {
        var i = start
        var value = 0
        while i < s.count, isDigit(s[i]), i - start < maxDigits {
            value = value * 10 + Int(s[i] - 48)
            i += 1
        }
        guard i > start, i >= s.count || !isDigit(s[i]) else { return nil }
        return (value, i)
    }

    // MARK: recurring

    static let sixMonthCues = ["dinh ky 6 thang", "dinh ky 06 thang", "dinh ky sau thang", "bao cao 6 thang", "bao cao 06 thang", "so ket 6 thang va", "so ket 06 thang va"].map(bytes)
    static let yearlyTails = [", 01 nam", ", 1 nam", " va 01 nam", " va 1 nam", " va hang nam", ", hang nam", ", mot nam", " va tong ket nam", ", tong ket nam", " va ca nam", ", ca nam"].map(bytes)
    static let periods: [(String, String)] = [("nam", "year"), ("thang", "month"), ("quy", "quarter")]
    static let anywhereCues = ["thuc hien hang ", "dinh ky hang ", "bao cao hang "]
    static let openingCues = ["to chuc hang ", "trien khai hang "]

    struct PeriodPatterns {
        let every: String
        let anywhere: [[UInt8]]
        let opening: [[UInt8]]
        let fronted: [UInt8]
        let onceA: [UInt8]
        let separated: [[UInt8]]
    }

    /// The recurrence cues, as bytes, built once.
    static let periodPatterns: [PeriodPatterns] = periods.map { word, every in
        let fronted = bytes("hang " + word + ",")
        return PeriodPatterns(
            every: every, anywhere: anywhereCues.map { bytes($0 + word) }, opening: openingCues.map { bytes($0 + word) },
            fronted: fronted, onceA: bytes("hang " + word + " mot lan"), separated: [bytes(". ") + fronted, bytes("; ") + fronted]
        )
    }

    static let hangBytes = bytes("hang")

    static func recurrence(_ s: [UInt8]) -> (Due, Int)? {
        // Every recurrence cue has "hang" in it ("hàng năm", "định kỳ 6 tháng"): one pass
        // spares the twenty-odd searches below in most sentences.
        guard index(of: hangBytes, in: s) != nil else { return nil }
        var found: (Due, Int)?
        func note(_ every: String, _ at: Int) {
            if found == nil || at < found!.1 { found = (Due(kind: "recurring", every: every), at) }
        }
        for cue in sixMonthCues {
            if let at = index(of: cue, in: s) {
                let end = at + cue.count
                let yearly = yearlyTails.contains { hasPrefix(s, $0, at: end) }
                note(yearly ? "6months+year" : "6months", at)
            }
        }
        for pattern in periodPatterns {
            for cue in pattern.anywhere {
                if let at = index(of: cue, in: s), isWordEnd(s, at + cue.count) { note(pattern.every, at) }
            }
            for cue in pattern.opening where hasPrefix(s, cue) && isWordEnd(s, cue.count) { note(pattern.every, 0) }
            if hasPrefix(s, pattern.fronted) || hasPrefix(s, pattern.onceA) { note(pattern.every, 0) }
            for cue in pattern.separated {
                if let at = index(of: cue, in: s) { note(pattern.every, at) }
            }
        }
        return found
    }

    // MARK: one-off

    static let quarterWord = bytes("quy ")
    static let dayWord = bytes("ngay ")
    static let yearWord = bytes("nam ")
    static let monthWord = bytes("thang ")
    static let clauseCues = ["hoan thanh", "thoi gian", "thoi han", "cham nhat"].map(bytes)

    static func oneOff(_ s: [UInt8]) -> (Due, Int)? {
        var found: (Due, Int)?
        func note(_ due: Due, _ at: Int) {
            if found == nil || at < found!.1 { found = (due, at) }
        }
        // Quarters: "quy ii/2021", "quy ii nam 2021", "quy 2/2021".
        var search = 0
        while let at = index(of: quarterWord, in: s, from: search) {
            search = at + 1
            guard isWordStart(s, at), hasCue(before: at, in: s, strict: false) else { continue }
            var i = at + quarterWord.count
            guard let (quarter, afterQuarter) = quarterNumber(s, i) else { continue }
            i = afterQuarter
            if i < s.count, s[i] == 47 { i += 1 } else if hasPrefix(s, bytes(" nam "), at: i) { i += 5 } else if hasPrefix(s, bytes(" - "), at: i) { i += 3 } else { continue }
            guard let (year, _) = number(s, i, maxDigits: 4), year >= 1990 else { continue }
            note(Due(kind: "quarter", quarter: quarter, year: year), at)
        }
        // Dates: "truoc ngay 15/6/2024", "han cuoi ngay 30/6/2024".
        search = 0
        while let at = index(of: dayWord, in: s, from: search) {
            search = at + 1
            guard isWordStart(s, at), hasCue(before: at, in: s, strict: true) else { continue }
            let tail = String(decoding: s[(at + dayWord.count)..<min(s.count, at + dayWord.count + 24)], as: UTF8.self)
            if let (iso, _) = VietnameseDates.read(Array(tail.unicodeScalars), 0) { note(Due(kind: "date", date: iso), at) }
        }
        // Years: "hoan thanh trong nam 2025".
        search = 0
        while let at = index(of: yearWord, in: s, from: search) {
            search = at + 1
            guard isWordStart(s, at), hasCue(before: at, in: s, strict: true) else { continue }
            let start = at + yearWord.count
            guard let (year, end) = number(s, start, maxDigits: 4), end - start == 4, (1990...2200).contains(year) else { continue }
            if end < s.count, s[end] == 45 || s[end] == 47 || hasPrefix(s, bytes(" -"), at: end) { continue }
            note(Due(kind: "year", year: year), at)
        }
        // Months: "trong thang 6/2024", "truoc thang 6 nam 2024" → the month's last day.
        search = 0
        while let at = index(of: monthWord, in: s, from: search) {
            search = at + 1
            guard isWordStart(s, at), hasCue(before: at, in: s, strict: false) else { continue }
            guard let (month, afterMonth) = number(s, at + monthWord.count, maxDigits: 2), (1...12).contains(month) else { continue }
            var i = afterMonth
            if i < s.count, s[i] == 47 { i += 1 } else if hasPrefix(s, bytes(" nam "), at: i) { i += 5 } else { continue }
            guard let (year, _) = number(s, i, maxDigits: 4), year >= 1990 else { continue }
            note(Due(kind: "date", date: String(format: "%04d-%02d-%02d", year, month, Due.daysIn(month: month, year: year))), at)
        }
        return found
    }

    static let looseCueWords: Set<String> = ["trong", "vao", "truoc", "het", "xong"]
    static let strictCueWords: Set<String> = ["truoc", "han", "nhat"]

    /// A deadline cue right before `position`: "trong/vào/trước/đến hết" as the previous word,
    /// or "hoàn thành"/"thời gian"/"chậm nhất" earlier in the same clause.
    static func hasCue(before position: Int, in s: [UInt8], strict: Bool) -> Bool {
        var clauseStart = position
        while clauseStart > 0, s[clauseStart - 1] != 46, s[clauseStart - 1] != 59 { clauseStart -= 1 }
        var end = position
        while end > clauseStart, s[end - 1] == 32 { end -= 1 }
        var start = end
        while start > clauseStart, s[start - 1] != 32 { start -= 1 }
        let previous = String(decoding: s[start..<end], as: UTF8.self)
        if (strict ? strictCueWords : looseCueWords).contains(previous) { return true }
        let windowStart = max(clauseStart, position - 48)
        let window = Array(s[windowStart..<position])
        return clauseCues.contains { index(of: $0, in: window) != nil }
    }

    static func quarterNumber(_ s: [UInt8], _ start: Int) -> (Int, Int)? {
        for (text, value) in [("iv", 4), ("iii", 3), ("ii", 2), ("i", 1), ("4", 4), ("3", 3), ("2", 2), ("1", 1)] {
            let pattern = bytes(text)
            if hasPrefix(s, pattern, at: start) { return (value, start + pattern.count) }
        }
        return nil
    }
}

// MARK: - Occasions, holidays and times without a date

extension DuePhrases {
    /// What an occasion phrase gives: a due date where the rule is clear, else the phrase as
    /// printed in Vietnamese for the preview to ask about.
    struct Occasion {
        var due: Due?
        var phrase: String?
        var offset: Int
    }

    /// Phrases that need a person to choose the date, folded → as shown.
    static let vaguePhrases: [([UInt8], String, Bool)] = [
        ("truoc ky hop", "trước kỳ họp", false), ("truoc dai hoi", "trước đại hội", false), ("sau tet", "sau Tết", false),
        ("dau nam", "đầu năm", true), ("giua nam", "giữa năm", true), ("dau quy", "đầu quý", true), ("cuoi quy", "cuối quý", true),
    ].map { (bytes($0.0), $0.1, $0.2) }

    static let tetPhrases = ["truoc tet nguyen dan", "dip tet nguyen dan", "truoc tet", "dip tet", "truoc va trong tet"].map(bytes)
    static let midAutumn = bytes("tet trung thu")
    static let yearEnd = bytes("cuoi nam")
    static let dateCues = ["truoc ngay ", "den ngay ", "cham nhat ngay ", "han cuoi ngay ", "truoc "].map(bytes)

    static let trungThu = bytes(" trung thu")
    static let hangNam = bytes(" hang nam")

    /// The first occasion in folded bytes: Tết and the Mid-Autumn festival (from the lunar
    /// calendar, the first one after the document's date), a day and month without a year
    /// (the first one after the document's date), "cuối năm" (31/12), "quý I hằng năm"
    /// (yearly, in that quarter); and phrases that name no date ("trước kỳ họp", "đầu năm").
    /// One pass over the word starts, stopping at the first occasion.
    static func occasion(_ s: [UInt8], issued: LunarCalendar.SolarDate?) -> Occasion? {
        var index = 0
        while index < s.count {
            // Every phrase starts with tr te di de da ch cu ha qu sa gi: two bytes decide
            // whether to look closer.
            let next = index + 1 < s.count ? s[index + 1] : 0
            let candidate: Bool
            switch s[index] {
            case 116: candidate = next == 114 || next == 101
            case 100: candidate = next == 105 || next == 101 || next == 97
            case 99: candidate = next == 104 || next == 117
            case 104, 115: candidate = next == 97
            case 113: candidate = next == 117
            case 103: candidate = next == 105
            default: candidate = false
            }
            if candidate, isWordStart(s, index), let found = occasion(at: index, s, issued: issued) { return found }
            index += 1
        }
        return nil
    }

    /// An occasion starting at `at`, or nil.
    static func occasion(at: Int, _ s: [UInt8], issued: LunarCalendar.SolarDate?) -> Occasion? {
        func iso(_ date: LunarCalendar.SolarDate) -> String { String(format: "%04d-%02d-%02d", date.year, date.month, date.day) }
        // Tết Nguyên đán: the day before the first Tết after the document's date.
        for phrase in tetPhrases where hasPrefix(s, phrase, at: at) && isWordEnd(s, at + phrase.count) {
            if hasPrefix(s, trungThu, at: at + phrase.count) { continue }
            guard let issued else { return Occasion(due: nil, phrase: "trước Tết Nguyên đán", offset: at) }
            var tet = LunarCalendar.tet(issued.year)
            if !(issued < tet) { tet = LunarCalendar.tet(issued.year + 1) }
            return Occasion(due: Due(kind: "date", date: iso(LunarCalendar.adding(-1, to: tet))), phrase: nil, offset: at)
        }
        if hasPrefix(s, midAutumn, at: at) {
            guard let issued else { return Occasion(due: nil, phrase: "dịp Tết Trung thu", offset: at) }
            let lunar = LunarCalendar.lunar(issued)
            var festival = LunarCalendar.solar(LunarCalendar.LunarDate(day: 15, month: 8, year: lunar.year))
            if let day = festival, !(issued < day) { festival = LunarCalendar.solar(LunarCalendar.LunarDate(day: 15, month: 8, year: lunar.year + 1)) }
            if let festival { return Occasion(due: Due(kind: "date", date: iso(LunarCalendar.adding(-1, to: festival))), phrase: nil, offset: at) }
        }
        // A day and month without a year: "trước ngày 30/4", "trước 30/4".
        for cue in dateCues where hasPrefix(s, cue, at: at) {
            let start = at + cue.count
            guard let (day, afterDay) = number(s, start, maxDigits: 2), afterDay < s.count, s[afterDay] == 47,
                  let (month, afterMonth) = number(s, afterDay + 1, maxDigits: 2), (1...12).contains(month), (1...31).contains(day) else { continue }
            // With a year it is an ordinary date, read by `oneOff`.
            if afterMonth < s.count, s[afterMonth] == 47 || s[afterMonth] == 45 { continue }
            guard let issued else { return Occasion(due: nil, phrase: "\(day)/\(month)", offset: at) }
            var year = issued.year
            if (month, day) < (issued.month, issued.day) { year += 1 }
            guard day <= Due.daysIn(month: month, year: year) else { continue }
            return Occasion(due: Due(kind: "date", date: String(format: "%04d-%02d-%02d", year, month, day)), phrase: nil, offset: at)
        }
        // "cuối năm" after a cue: 31 December of the year named, or of the document's year.
        if hasPrefix(s, yearEnd, at: at), isWordEnd(s, at + yearEnd.count), hasCue(before: at, in: s, strict: false) {
            var year = issued?.year
            if let (named, _) = number(s, at + yearEnd.count + 1, maxDigits: 4), (1990...2200).contains(named) { year = named }
            guard let year else { return Occasion(due: nil, phrase: "cuối năm", offset: at) }
            return Occasion(due: Due(kind: "date", date: String(format: "%04d-12-31", year)), phrase: nil, offset: at)
        }
        // "quý I hằng năm": yearly, in that quarter.
        if hasPrefix(s, quarterWord, at: at), let (quarter, after) = quarterNumber(s, at + quarterWord.count), isWordEnd(s, after), hasPrefix(s, hangNam, at: after) {
            return Occasion(due: Due(kind: "recurring", quarter: quarter, every: "year"), phrase: nil, offset: at)
        }
        for (phrase, shown, needsCue) in vaguePhrases where hasPrefix(s, phrase, at: at) && isWordEnd(s, at + phrase.count) {
            if needsCue, !hasCue(before: at, in: s, strict: false) { continue }
            return Occasion(due: nil, phrase: shown, offset: at)
        }
        return nil
    }
}

extension DuePhrases {
    /// The deadline in a table's time column, where no cue word is needed: "Quý II/2025",
    /// "30/6/2025", "Tháng 6/2025", "Năm 2025", "Hằng năm", "Trước Tết Nguyên đán", "30/4".
    /// "Thường xuyên" is no deadline. Returns the deadline, or the phrase that needs a date.
    static func cell(_ text: String, issued: LunarCalendar.SolarDate?) -> (Due?, String?) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return (nil, nil) }
        let scalars = Array(VietnameseText.nfc(trimmed).unicodeScalars)
        if let (iso, _) = VietnameseDates.read(scalars, 0) { return (Due(kind: "date", date: iso), nil) }
        let folded = VietnameseText.foldBytes(trimmed)
        if let occasion = occasion(bytes("truoc ") + folded, issued: issued) ?? occasion(folded, issued: issued) {
            if let due = occasion.due { return (due, nil) }
            if let (due, _) = find(bytes: bytes("hoan thanh trong ") + folded) { return (due, nil) }
            return (nil, occasion.phrase)
        }
        for prefix in ["hoan thanh trong ", "thuc hien ", "hoan thanh truoc ngay "] {
            if let (due, _) = find(bytes: bytes(prefix) + folded) { return (due, nil) }
        }
        return (nil, nil)
    }
}
