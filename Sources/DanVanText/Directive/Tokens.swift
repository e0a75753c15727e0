import Foundation

/// A word or punctuation mark of a sentence, with its folded form and where it sits.
struct Token {
    /// As printed.
    let text: Substring
    /// Lower case, no marks, `đ`→`d` (punctuation: itself).
    let folded: String
    /// A word (letters or digits) rather than punctuation.
    let isWord: Bool
    /// Starts with an upper-case letter (and the line is not written in capitals).
    let isCapitalized: Bool
    /// Written entirely in capitals.
    var isAllCaps: Bool = false

    /// Splits `text` into tokens. Hyphens, commas and the like become tokens of their own;
    /// `*` markup and quotes are dropped. Works on Unicode scalars: much faster than
    /// `Character`, and every character that matters here is one scalar in NFC.
    static func tokenize(_ text: Substring, cache: inout [Substring: String]) -> [Token] {
        var tokens: [Token] = []
        let scalars = text.unicodeScalars
        // A line in capitals (a heading) says nothing about proper names.
        var hasLower = false
        var hasSpace = false
        for scalar in scalars {
            if ScalarClass.isLower(scalar) { hasLower = true; break }
            if scalar == " " { hasSpace = true }
        }
        let shouting = !hasLower && hasSpace
        var index = scalars.startIndex
        while index < scalars.endIndex {
            let scalar = scalars[index]
            if ScalarClass.isWord(scalar) {
                var end = scalars.index(after: index)
                var allCaps = ScalarClass.isUpper(scalar)
                var length = 1
                while end < scalars.endIndex {
                    let next = scalars[end]
                    if ScalarClass.isWord(next) || next == "/" {
                        if ScalarClass.isLower(next) { allCaps = false }
                        end = scalars.index(after: end)
                        length += 1
                        continue
                    }
                    // Combining marks (NFD input) belong to the word.
                    if next.value >= 0x0300 && next.value <= 0x036F { end = scalars.index(after: end); continue }
                    break
                }
                let word = text[index..<end]
                let folded = VietnameseText.fold(word)
                let capitalized = ScalarClass.isUpper(scalar) && !shouting
                tokens.append(Token(text: word, folded: folded, isWord: true, isCapitalized: capitalized, isAllCaps: allCaps && length >= 2))
                index = end
                continue
            }
            switch scalar {
            case " ", "\t", "\n", "*", "\"", "\u{201C}", "\u{201D}", "'", "\u{2018}", "\u{2019}", "\u{00A0}":
                break
            case "\u{2013}", "\u{2014}":
                tokens.append(Token(text: text[index..<scalars.index(after: index)], folded: "-", isWord: false, isCapitalized: false))
            default:
                if !(scalar.value >= 0x0300 && scalar.value <= 0x036F) {
                    tokens.append(Token(text: text[index..<scalars.index(after: index)], folded: String(scalar), isWord: false, isCapitalized: false))
                }
            }
            index = scalars.index(after: index)
        }
        return tokens
    }
}

extension Array where Element == Token {
    /// Whether the folded words starting at `index` are `words` (punctuation included).
    func matches(_ words: [String], at index: Int) -> Bool {
        guard index + words.count <= count else { return false }
        for (offset, word) in words.enumerated() where self[index + offset].folded != word { return false }
        return true
    }

    /// The printed text from token `from` to token `to` (exclusive) in `source`.
    func text(_ from: Int, _ to: Int, in source: Substring) -> String {
        guard from < to, from < count else { return "" }
        let start = self[from].text.startIndex
        let end = self[Swift.min(to, count) - 1].text.endIndex
        return String(source[start..<end])
    }
}
