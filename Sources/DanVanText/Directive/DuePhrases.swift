import Foundation

/// Deadlines and recurrences as directives write them: "Hoàn thành trong quý II/2021",
/// "Thời gian sơ kết vào quý II/2025", "Thực hiện hàng năm", "Định kỳ 06 tháng, 01 năm báo
/// cáo", "trước ngày 15/6/2024". A year or quarter that names a period of the work itself
/// ("công tác dân vận năm 2024", "giai đoạn 2021-2025") is not a deadline.
enum DuePhrases {
    typealias Due = DirectiveParse.Due

    /// The first deadline or recurrence in a folded sentence, with its position.
    static func find(in folded: String) -> (Due, String.Index)? {
        var best: (Due, String.Index)?
        func consider(_ due: Due?, _ position: String.Index?) {
            guard let due, let position else { return }
            if best == nil || position < best!.1 { best = (due, position) }
        }
        let (recurring, recurringAt) = recurrence(folded)
        consider(recurring, recurringAt)
        let (deadline, deadlineAt) = oneOff(folded)
        consider(deadline, deadlineAt)
        return best
    }

    // MARK: recurring

    static func recurrence(_ s: String) -> (Due?, String.Index?) {
        var found: (Due, String.Index)?
        func note(_ every: String, _ at: String.Index) {
            if found == nil || at < found!.1 { found = (Due(kind: "recurring", every: every), at) }
        }
        // "định kỳ 6 tháng, 01 năm", "6 tháng và hằng năm"
        for cue in ["dinh ky 6 thang", "dinh ky 06 thang", "dinh ky sau thang", "bao cao 6 thang", "bao cao 06 thang", "so ket 6 thang va", "so ket 06 thang va"] {
            if let range = s.range(of: cue) {
                let rest = s[range.upperBound...].prefix(24)
                let yearly = rest.hasPrefix(", 01 nam") || rest.hasPrefix(", 1 nam") || rest.hasPrefix(" va 01 nam") || rest.hasPrefix(" va 1 nam")
                    || rest.hasPrefix(" va hang nam") || rest.hasPrefix(", hang nam") || rest.hasPrefix(", mot nam") || rest.hasPrefix(" va tong ket nam")
                    || rest.hasPrefix(", tong ket nam") || rest.hasPrefix(" va ca nam") || rest.hasPrefix(", ca nam")
                note(yearly ? "6months+year" : "6months", range.lowerBound)
            }
        }
        let periods = [("nam", "year"), ("thang", "month"), ("quy", "quarter")]
        for (word, every) in periods {
            for cue in ["thuc hien hang ", "dinh ky hang ", "bao cao hang "] {
                if let range = s.range(of: cue + word), isWordEnd(s, range.upperBound) { note(every, range.lowerBound) }
            }
            // "Tổ chức hàng năm." opens a sentence; mid-sentence "tổ chức" is usually a noun.
            for cue in ["to chuc hang ", "trien khai hang "] where s.hasPrefix(cue + word) && isWordEnd(s, s.index(s.startIndex, offsetBy: (cue + word).count)) {
                note(every, s.startIndex)
            }
            if s.hasPrefix("hang " + word + ",") || s.hasPrefix("hang " + word + " ") && s.dropFirst(("hang " + word + " ").count).hasPrefix("mot lan") {
                note(every, s.startIndex)
            }
            if s.hasPrefix("hang " + word + ",") { note(every, s.startIndex) }
            if let range = s.range(of: ". hang " + word + ",") { note(every, range.lowerBound) }
            if let range = s.range(of: "; hang " + word + ",") { note(every, range.lowerBound) }
        }
        return (found?.0, found?.1)
    }

    // MARK: one-off

    static let deadlineCues = ["hoan thanh", "thoi gian", "thoi han", "cham nhat", "xong truoc", "truoc", "trong", "vao", "den het", "cuoi"]

    static func oneOff(_ s: String) -> (Due?, String.Index?) {
        var found: (Due, String.Index)?
        func note(_ due: Due, _ at: String.Index) {
            if found == nil || at < found!.1 { found = (due, at) }
        }
        // Quarters: "quy ii/2021", "quy ii nam 2021", "quy 2/2021".
        var search = s.startIndex
        while let range = s.range(of: "quy ", range: search..<s.endIndex) {
            search = range.upperBound
            guard isWordStart(s, range.lowerBound), hasCue(before: range.lowerBound, in: s) else { continue }
            let rest = s[range.upperBound...]
            guard let (quarter, afterQuarter) = quarterNumber(rest) else { continue }
            var tail = rest[afterQuarter...]
            if tail.hasPrefix("/") { tail = tail.dropFirst() } else if tail.hasPrefix(" nam ") { tail = tail.dropFirst(5) } else if tail.hasPrefix(" - ") { tail = tail.dropFirst(3) } else { continue }
            guard let year = Int(tail.prefix(4)), tail.prefix(4).count == 4 else { continue }
            note(Due(kind: "quarter", quarter: quarter, year: year), range.lowerBound)
        }
        // Dates: "truoc ngay 15/6/2024", "han cuoi 30/6/2024".
        search = s.startIndex
        while let range = s.range(of: "ngay ", range: search..<s.endIndex) {
            search = range.upperBound
            guard hasCue(before: range.lowerBound, in: s, strict: true) else { continue }
            let scalars = Array(s[range.upperBound...].prefix(24).unicodeScalars)
            if let (iso, _) = VietnameseDates.read(scalars, 0) { note(Due(kind: "date", date: iso), range.lowerBound) }
        }
        // Years: "hoan thanh trong nam 2025", "thoi gian thuc hien: nam 2025".
        search = s.startIndex
        while let range = s.range(of: "nam ", range: search..<s.endIndex) {
            search = range.upperBound
            guard isWordStart(s, range.lowerBound), hasCue(before: range.lowerBound, in: s, strict: true) else { continue }
            let digits = s[range.upperBound...].prefix(4)
            guard digits.count == 4, let year = Int(digits), (1990...2200).contains(year) else { continue }
            let after = s[range.upperBound...].dropFirst(4)
            if after.hasPrefix("-") || after.hasPrefix(" -") || after.hasPrefix("/") { continue }
            note(Due(kind: "year", year: year), range.lowerBound)
        }
        // Months: "trong thang 6/2024", "truoc thang 6 nam 2024" → the month's last day.
        search = s.startIndex
        while let range = s.range(of: "thang ", range: search..<s.endIndex) {
            search = range.upperBound
            guard isWordStart(s, range.lowerBound), hasCue(before: range.lowerBound, in: s) else { continue }
            let rest = Array(s[range.upperBound...].prefix(16).unicodeScalars)
            guard let (month, afterMonth) = VietnameseDates.digits(rest, 0, max: 2), (1...12).contains(month) else { continue }
            var index = afterMonth
            if index < rest.count, rest[index] == "/" { index += 1 } else if VietnameseDates.word(rest, VietnameseDates.skipSpace(rest, index), "nam") != nil {
                index = VietnameseDates.skipSpace(rest, VietnameseDates.word(rest, VietnameseDates.skipSpace(rest, index), "nam")!)
            } else { continue }
            guard let (year, _) = VietnameseDates.digits(rest, index, max: 4), year >= 1990 else { continue }
            note(Due(kind: "date", date: String(format: "%04d-%02d-%02d", year, month, Due.daysIn(month: month, year: year))), range.lowerBound)
        }
        return (found?.0, found?.1)
    }

    /// A deadline cue right before `position`: "trong/vào/trước/đến hết" as the previous word,
    /// or "hoàn thành"/"thời gian"/"chậm nhất" earlier in the same clause.
    static func hasCue(before position: String.Index, in s: String, strict: Bool = false) -> Bool {
        let clauseStart = s[..<position].lastIndex(where: { $0 == "." || $0 == ";" || $0 == "," && false }) ?? s.startIndex
        let clause = s[clauseStart..<position]
        let previous = clause.split(separator: " ").suffix(2).map(String.init)
        if let last = previous.last {
            if strict {
                if ["truoc", "han", "nhat"].contains(last) { return true }
            } else if ["trong", "vao", "truoc", "het", "xong"].contains(last) {
                return true
            }
        }
        let window = clause.suffix(48)
        return window.contains("hoan thanh") || window.contains("thoi gian") || window.contains("thoi han") || window.contains("cham nhat")
    }

    static func quarterNumber(_ rest: Substring) -> (Int, Substring.Index)? {
        for (text, value) in [("iv", 4), ("iii", 3), ("ii", 2), ("i", 1), ("4", 4), ("3", 3), ("2", 2), ("1", 1)] where rest.hasPrefix(text) {
            return (value, rest.index(rest.startIndex, offsetBy: text.count))
        }
        return nil
    }

    static func isWordStart(_ s: String, _ index: String.Index) -> Bool {
        index == s.startIndex || !s[s.index(before: index)].isLetter
    }

    static func isWordEnd(_ s: String, _ index: String.Index) -> Bool {
        index == s.endIndex || !s[index].isLetter
    }
}
