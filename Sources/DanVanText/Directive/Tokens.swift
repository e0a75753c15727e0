import Foundation

/// A word or punctuation mark of a sentence, with its folded form and where it sits.
struct Token {
    /// As printed.
    let text: Substring
    /// Lower case, no marks, `đ`→`d` (punctuation: itself).
    let folded: String
    /// A word (letters or digits) rather than punctuation.
    let isWord: Bool
    /// Starts with an upper-case letter.
    let isCapitalized: Bool
    /// Written entirely in capitals.
    var isAllCaps: Bool = false

    /// Splits `text` into tokens. Hyphens, commas and the like become tokens of their own;
    /// `*` markup and quotes are dropped.
    static func tokenize(_ text: Substring, cache: inout [Substring: String]) -> [Token] {
        var tokens: [Token] = []
        // A line in capitals (a heading) says nothing about proper names.
        let shouting = !text.contains(where: { $0.isLowercase }) && text.contains(" ")
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character.isLetter || character.isNumber {
                var end = text.index(after: index)
                while end < text.endIndex {
                    let next = text[end]
                    if next.isLetter || next.isNumber || next == "/" { end = text.index(after: end); continue }
                    break
                }
                let word = text[index..<end]
                let folded: String
                if let cached = cache[word] { folded = cached } else {
                    folded = VietnameseText.fold(String(word))
                    cache[word] = folded
                }
                // A word in capitals (a heading in upper case) says nothing about proper names,
                // unless it is a short abbreviation such as UBND or MTTQ.
                let allCaps = word.count >= 2 && !word.contains(where: { $0.isLowercase })
                let capitalized = character.isUppercase && !shouting
                tokens.append(Token(text: word, folded: folded, isWord: true, isCapitalized: capitalized, isAllCaps: allCaps))
                index = end
                continue
            }
            switch character {
            case " ", "\t", "\n", "*", "\"", "“", "”", "'", "‘", "’":
                break
            case "–", "—":
                tokens.append(Token(text: text[index...index], folded: "-", isWord: false, isCapitalized: false))
            default:
                tokens.append(Token(text: text[index...index], folded: String(character), isWord: false, isCapitalized: false))
            }
            index = text.index(after: index)
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
