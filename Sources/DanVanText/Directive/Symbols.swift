import Foundation

/// Document symbols and dates as Vietnamese administrative writing prints them.
///
/// Party documents: `43-KL/TW` (number-KIND/ISSUER). State documents: `33/CT-TTg`,
/// `59/2023/NĐ-CP` (number/[year/]KIND-ISSUER). Real copies lose hyphens (`84 QĐ/TWĐTN`),
/// gain spaces (`976 - KH/BDVTW`, `290- QĐ/TW`) or change case (`17-CTR/TU`).
public enum Symbols {
    /// One symbol found in a text.
    public struct Match: Equatable, Sendable {
        /// Canonical form: spaces removed, hyphen restored, case as printed.
        public var symbol: String
        public var number: String
        public var kindCode: String?
        public var issuer: String?
        public var year: Int?
        /// `party` or `state`.
        public var family: String
        /// Scalar offsets of the printed symbol in the scanned text.
        public var start: Int
        public var end: Int
    }

    /// Parses one symbol written on its own (`06-KH/BDVTW`, `02/HD-UBND`).
    public static func parse(_ text: String) -> Match? {
        let scalars = Array(VietnameseText.nfc(text.trimmingCharacters(in: .whitespaces)).unicodeScalars)
        guard let match = match(in: scalars, at: 0, allowMissingHyphen: true), match.end == scalars.count else { return nil }
        return match
    }

    /// Tries to read a symbol whose number starts at `start`.
    static func match(in s: [Unicode.Scalar], at start: Int, allowMissingHyphen: Bool) -> Match? {
        let n = s.count
        var i = start
        while i < n, isDigit(s[i]), i - start < 6 { i += 1 }
        guard i > start, i - start <= 5 else { return nil }
        let number = string(s, start, i)
        // Party: N-KIND/ISSUER, with stray spaces around the hyphen or no hyphen at all.
        var j = i
        while j < n, s[j] == " " { j += 1 }
        var hyphen = false
        if j < n, s[j] == "-" || s[j] == "\u{2013}" {
            hyphen = true
            j += 1
            while j < n, s[j] == " " { j += 1 }
        }
        if hyphen || (allowMissingHyphen && j > i) {
            if let (kind, afterKind) = kindCode(s, j), afterKind < n, s[afterKind] == "/",
               let (issuer, end) = issuerCode(s, afterKind + 1) {
                return Match(symbol: "\(number)-\(kind)/\(issuer)", number: number, kindCode: kind, issuer: issuer, year: nil, family: "party", start: start, end: end)
            }
        }
        // State: N/KIND-ISSUER or N/YYYY/KIND-ISSUER, or a law N/YYYY/QHnn.
        guard i < n, s[i] == "/" else { return nil }
        var k = i + 1
        var year: Int?
        var y = k
        while y < n, isDigit(s[y]) { y += 1 }
        if y - k == 4, y < n, s[y] == "/" {
            year = Int(string(s, k, y))
            k = y + 1
        }
        if let (kind, afterKind) = kindCode(s, k), afterKind < n, s[afterKind] == "-" || s[afterKind] == "\u{2013}",
           let (issuer, end) = issuerCode(s, afterKind + 1) {
            let yearPart = year.map { "\($0)/" } ?? ""
            return Match(symbol: "\(number)/\(yearPart)\(kind)-\(issuer)", number: number, kindCode: kind, issuer: issuer, year: year, family: "state", start: start, end: end)
        }
        if let year, let (issuer, end) = issuerCode(s, k), issuer.hasPrefix("QH") {
            return Match(symbol: "\(number)/\(year)/\(issuer)", number: number, kindCode: nil, issuer: issuer, year: year, family: "state", start: start, end: end)
        }
        return nil
    }

    /// A kind code: an upper-case letter, then letters (`NQ`, `QĐ`, `QĐi`, `CTr`, `CT`), at
    /// most 5, not followed by a digit.
    static func kindCode(_ s: [Unicode.Scalar], _ start: Int) -> (String, Int)? {
        guard start < s.count, isUpper(s[start]) else { return nil }
        var i = start + 1
        while i < s.count, isLetter(s[i]), i - start < 6 { i += 1 }
        guard i - start <= 5, i < s.count, !isDigit(s[i]) else { return nil }
        return (string(s, start, i), i)
    }

    /// An issuer code: upper-case led segments of letters and digits joined by hyphens
    /// (`TW`, `TU`, `TTg`, `BDVTU-UBND`, `QH15`).
    static func issuerCode(_ s: [Unicode.Scalar], _ start: Int) -> (String, Int)? {
        guard start < s.count, isUpper(s[start]) else { return nil }
        var i = start
        var end = start
        while i < s.count {
            let segmentStart = i
            guard isUpper(s[i]) else { break }
            while i < s.count, isLetter(s[i]) || isDigit(s[i]), i - segmentStart < 12 { i += 1 }
            end = i
            if i + 1 < s.count, s[i] == "-", isUpper(s[i + 1]) { i += 1 } else { break }
        }
        guard end > start, end - start <= 30 else { return nil }
        if end < s.count, isLetter(s[end]) { return nil }
        return (string(s, start, end), end)
    }

    static func isDigit(_ c: Unicode.Scalar) -> Bool { c.value >= 48 && c.value <= 57 }
    static func isUpper(_ c: Unicode.Scalar) -> Bool { c.properties.isUppercase }
    static func isLetter(_ c: Unicode.Scalar) -> Bool { c.properties.isAlphabetic }
    static func string(_ s: [Unicode.Scalar], _ from: Int, _ to: Int) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: s[from..<to])
        return String(view)
    }
}

/// Dates: `07/01/2019`, `7/1/2019`, `25-02-2010`, `25.02.2010`, `19 tháng 02 năm 2020`.
public enum VietnameseDates {
    /// Reads a date starting at `start` (after optional spaces); returns ISO and end offset.
    static func read(_ s: [Unicode.Scalar], _ start: Int) -> (String, Int)? {
        var i = start
        while i < s.count, s[i] == " " || s[i] == "\n" { i += 1 }
        guard let (day, afterDay) = digits(s, i, max: 2) else { return nil }
        var j = afterDay
        // d/m/yyyy, d-m-yyyy, d.m.yyyy
        if j < s.count, s[j] == "/" || s[j] == "-" || s[j] == "." {
            let separator = s[j]
            guard let (month, afterMonth) = digits(s, j + 1, max: 2), afterMonth < s.count, s[afterMonth] == separator,
                  let (year, afterYear) = digits(s, afterMonth + 1, max: 4), afterYear - afterMonth - 1 == 4 else { return nil }
            guard let iso = iso(day, month, year) else { return nil }
            return (iso, afterYear)
        }
        // d tháng m năm yyyy (possibly broken across lines)
        j = skipSpace(s, j)
        guard let afterThang = word(s, j, "tháng") else { return nil }
        guard let (month, afterMonth) = digits(s, skipSpace(s, afterThang), max: 2) else { return nil }
        let k = skipSpace(s, afterMonth)
        guard let afterNam = word(s, k, "năm"), let (year, afterYear) = digits(s, skipSpace(s, afterNam), max: 4), year >= 1000,
              let iso = iso(day, month, year) else { return nil }
        return (iso, afterYear)
    }

    /// Parses a whole string as a date.
    public static func parse(_ text: String) -> String? {
        let scalars = Array(VietnameseText.nfc(text).unicodeScalars)
        return read(scalars, 0)?.0
    }

    static func iso(_ day: Int, _ month: Int, _ year: Int) -> String? {
        guard (1...12).contains(month), day >= 1, day <= DirectiveParse.Due.daysIn(month: month, year: year), (1900...2200).contains(year) else { return nil }
        return String(format: "%04d-%02d-%02d", year, month, day)
    }

    static func digits(_ s: [Unicode.Scalar], _ start: Int, max: Int) -> (Int, Int)? {
        var i = start
        var value = 0
        while i < s.count, Symbols.isDigit(s[i]), i - start < max {
            value = value * 10 + Int(s[i].value - 48)
            i += 1
        }
        guard i > start, i >= s.count || !Symbols.isDigit(s[i]) else { return nil }
        return (value, i)
    }

    static func skipSpace(_ s: [Unicode.Scalar], _ start: Int) -> Int {
        var i = start
        while i < s.count, s[i] == " " || s[i] == "\n" || s[i] == "\t" { i += 1 }
        return i
    }

    /// Matches `w` (lower case, NFC) at `start`, case-insensitively; returns the end.
    static func word(_ s: [Unicode.Scalar], _ start: Int, _ w: String) -> Int? {
        var i = start
        for expected in w.unicodeScalars {
            guard i < s.count, lower(s[i]) == expected else { return nil }
            i += 1
        }
        if i < s.count, Symbols.isLetter(s[i]) { return nil }
        return i
    }

    static func lower(_ c: Unicode.Scalar) -> Unicode.Scalar {
        if c.value < 128 { return c.value >= 65 && c.value <= 90 ? Unicode.Scalar(c.value + 32)! : c }
        return String(c).lowercased().unicodeScalars.first ?? c
    }
}
