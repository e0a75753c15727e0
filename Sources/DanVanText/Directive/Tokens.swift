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

    /// Splits `text` into tokens. Hyphens, commas and the like become tokens of their own;
    /// `*` markup and quotes are dropped. Works on Unicode scalars: much faster than
    /// `Character`, and every character that matters here is one scalar in NFC.
    static func tokenize(_ text: Substring) -> [Token] {
        if let tokens = text.utf8.withContiguousStorageIfAvailable({ tokenize(text, bytes: $0) }) { return tokens }
        // Native strings are contiguous; anything else is read from a copy of its bytes (the
        // tokens still point into `text`: only offsets are taken from the bytes).
        return Array(text.utf8).withUnsafeBufferPointer { tokenize(text, bytes: $0) }
    }

    /// The same split, decoding UTF-8 bytes directly and folding while scanning: one pass,
    /// no index validation (the hot path of the reader).
    static func tokenize(_ text: Substring, bytes: UnsafeBufferPointer<UInt8>) -> [Token] {
        let n = bytes.count
        @inline(__always) func decode(_ i: Int) -> (UInt32, Int) {
            let b0 = UInt32(bytes[i])
            if b0 < 0x80 { return (b0, 1) }
            if b0 < 0xE0 { return (((b0 & 0x1F) << 6) | (UInt32(bytes[i + 1]) & 0x3F), 2) }
            if b0 < 0xF0 { return (((b0 & 0x0F) << 12) | ((UInt32(bytes[i + 1]) & 0x3F) << 6) | (UInt32(bytes[i + 2]) & 0x3F), 3) }
            return (((b0 & 0x07) << 18) | ((UInt32(bytes[i + 1]) & 0x3F) << 12) | ((UInt32(bytes[i + 2]) & 0x3F) << 6) | (UInt32(bytes[i + 3]) & 0x3F), 4)
        }
        @inline(__always) func flags(_ value: UInt32) -> UInt8 {
            value < ScalarClass.limit ? ScalarClass.table[Int(value)] : Unicode.Scalar(value).map(ScalarClass.compute) ?? 0
        }
        var hasLower = false
        var hasSpace = false
        var probe = 0
        while probe < n {
            let (value, length) = decode(probe)
            if flags(value) & ScalarClass.lower != 0 { hasLower = true; break }
            if value == 32 { hasSpace = true }
            probe += length
        }
        let shouting = !hasLower && hasSpace
        let utf8 = text.utf8
        let base = utf8.startIndex
        var tokens: [Token] = []
        tokens.reserveCapacity(n / 5 + 4)
        var folded: [UInt8] = []
        folded.reserveCapacity(32)
        var i = 0
        while i < n {
            let (value, length) = decode(i)
            let classes = flags(value)
            if classes & ScalarClass.word != 0 {
                let start = i
                let firstUpper = classes & ScalarClass.upper != 0
                folded.removeAll(keepingCapacity: true)
                var j = i
                while j < n {
                    let (next, nextLength) = decode(j)
                    let nextClasses = flags(next)
                    if nextClasses & ScalarClass.word != 0 || next == 47 {
                        if next < 0x80 {
                            folded.append(UInt8(next >= 65 && next <= 90 ? next + 32 : next))
                        } else if next < VietnameseText.foldLimit {
                            folded.append(contentsOf: VietnameseText.foldTable[Int(next)])
                        } else if let scalar = Unicode.Scalar(next) {
                            folded.append(contentsOf: VietnameseText.slowFold(scalar).utf8)
                        }
                        j += nextLength
                        continue
                    }
                    if next >= 0x0300 && next <= 0x036F { j += nextLength; continue }
                    break
                }
                let word = text[utf8.index(base, offsetBy: start)..<utf8.index(base, offsetBy: j)]
                tokens.append(Token(
                    text: word, folded: String(decoding: folded, as: UTF8.self), isWord: true,
                    isCapitalized: firstUpper && !shouting
                ))
                i = j
                continue
            }
            switch value {
            case 32, 9, 10, 42, 34, 0x201C, 0x201D, 39, 0x2018, 0x2019, 0xA0:
                break
            case 0x2013, 0x2014:
                tokens.append(Token(text: text[utf8.index(base, offsetBy: i)..<utf8.index(base, offsetBy: i + length)], folded: "-", isWord: false, isCapitalized: false))
            default:
                if !(value >= 0x0300 && value <= 0x036F), let scalar = Unicode.Scalar(value) {
                    tokens.append(Token(text: text[utf8.index(base, offsetBy: i)..<utf8.index(base, offsetBy: i + length)], folded: String(scalar), isWord: false, isCapitalized: false))
                }
            }
            i += length
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
