import Foundation

/// Vietnamese alphabetical order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y,
/// with words compared letter by letter first and tone marks deciding only between words that
/// spell the same letters (no tone, grave, hook, tilde, acute, dot below), then case.
///
/// Swift's `<` and SQLite's `ORDER BY` compare code points, which puts "Đ" after "Z" and
/// "Ă" after "B"; this is the order a Vietnamese reader expects in a list of names.
public enum VietnameseCollation {
    /// The sort key of one string: primary letters, then tones, then case.
    public struct Key: Comparable, Sendable {
        let primary: [UInt32]
        let tones: [UInt8]
        let cases: [UInt8]

        /// Orders keys by letters, then tones, then case.
        public static func < (lhs: Key, rhs: Key) -> Bool {
            if lhs.primary != rhs.primary { return lhs.primary.lexicographicallyPrecedes(rhs.primary) }
            if lhs.tones != rhs.tones { return lhs.tones.lexicographicallyPrecedes(rhs.tones) }
            return lhs.cases.lexicographicallyPrecedes(rhs.cases)
        }
    }

    /// Tone marks in the order Vietnamese dictionaries use.
    private static let toneRank: [UInt32: UInt8] = [
        0x0300: 1, // huyền
        0x0309: 2, // hỏi
        0x0303: 3, // ngã
        0x0301: 4, // sắc
        0x0323: 5, // nặng
    ]

    /// Letter-forming marks: they make a different letter, not a tone.
    private static let breve: UInt32 = 0x0306
    private static let circumflex: UInt32 = 0x0302
    private static let horn: UInt32 = 0x031B

    /// Builds the sort key of `text`. Characters of one scalar below U+2000 (every letter of
    /// Vietnamese in NFC, digits, punctuation) take their weights from a table built once;
    /// anything else goes through `weights(of:)`. Sorting a unit tree of 800 names spent most
    /// of a page's time decomposing each character with Foundation.
    public static func key(_ text: String) -> Key {
        var primary: [UInt32] = []
        var tones: [UInt8] = []
        var cases: [UInt8] = []
        primary.reserveCapacity(text.utf8.count)
        tones.reserveCapacity(text.utf8.count)
        cases.reserveCapacity(text.utf8.count)
        let table = weightTable
        for character in text {
            let scalars = character.unicodeScalars
            if let only = scalars.first, scalars.count == 1, only.value < UInt32(table.count) {
                let packed = table[Int(only.value)]
                primary.append(packed >> 8)
                tones.append(UInt8((packed >> 1) & 0x7F))
                cases.append(UInt8(packed & 1))
            } else {
                let (rank, tone, upper) = weights(of: character)
                primary.append(rank)
                tones.append(tone)
                cases.append(upper ? 1 : 0)
            }
        }
        return Key(primary: primary, tones: tones, cases: cases)
    }

    /// Weights of the scalars U+0000…U+1FFF, packed as `rank << 8 | tone << 1 | upper`.
    private static let weightTable: [UInt32] = (0..<0x2000).map { value -> UInt32 in
        guard let scalar = Unicode.Scalar(UInt32(value)) else { return 0 }
        let (rank, tone, upper) = weights(of: Character(scalar))
        return rank << 8 | UInt32(tone) << 1 | (upper ? 1 : 0)
    }

    /// The sort key of `text`, worked out character by character through Unicode decomposition:
    /// the definition `key` follows (and the tests compare it with).
    static func referenceKey(_ text: String) -> Key {
        var primary: [UInt32] = []
        var tones: [UInt8] = []
        var cases: [UInt8] = []
        primary.reserveCapacity(text.unicodeScalars.count)
        for character in text {
            let (rank, tone, upper) = weights(of: character)
            primary.append(rank)
            tones.append(tone)
            cases.append(upper ? 1 : 0)
        }
        return Key(primary: primary, tones: tones, cases: cases)
    }

    /// The primary rank, tone and case of one character.
    static func weights(of character: Character) -> (UInt32, UInt8, Bool) {
        let scalars = Array(String(character).decomposedStringWithCanonicalMapping.unicodeScalars)
        guard let base = scalars.first else { return (0, 0, false) }
        let lowerBase = Character(String(base)).lowercased()
        let isUpper = String(base) != lowerBase
        var rank = letterRank(lowerBase, marks: scalars.dropFirst().map(\.value))
        if rank == nil {
            // Not a Vietnamese letter (digit, punctuation, foreign letter): keep code point
            // order, after a space and before letters for digits and punctuation.
            rank = 0x1_0000 + (lowerBase.unicodeScalars.first?.value ?? 0)
            if lowerBase.first?.isLetter == true { rank = 0x2_0000 + (lowerBase.unicodeScalars.first?.value ?? 0) }
        }
        var tone: UInt8 = 0
        for mark in scalars.dropFirst() {
            if let t = toneRank[mark.value] { tone = t }
        }
        return (rank!, tone, isUpper)
    }

    /// Whether `lhs` sorts before `rhs` in Vietnamese order.
    public static func less(_ lhs: String, _ rhs: String) -> Bool {
        key(lhs) < key(rhs)
    }

    /// `values` sorted in Vietnamese order of the string that `by` gives.
    public static func sorted<T>(_ values: [T], by name: (T) -> String) -> [T] {
        values.map { (key(name($0)), $0) }.sorted { $0.0 < $1.0 }.map(\.1)
    }

    private static let alphabet: [String] = [
        "a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n",
        "o", "ô", "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z",
    ]
    private static let rankOf: [String: UInt32] = {
        var table: [String: UInt32] = [:]
        for (index, letter) in alphabet.enumerated() { table[letter] = 0x1_8000 + UInt32(index) }
        return table
    }()

    private static func letterRank(_ base: String, marks: [UInt32]) -> UInt32? {
        if base == " " { return 0 }
        var letter = base
        if base == "a", marks.contains(breve) { letter = "ă" }
        else if base == "a", marks.contains(circumflex) { letter = "â" }
        else if base == "e", marks.contains(circumflex) { letter = "ê" }
        else if base == "o", marks.contains(circumflex) { letter = "ô" }
        else if base == "o", marks.contains(horn) { letter = "ơ" }
        else if base == "u", marks.contains(horn) { letter = "ư" }
        return rankOf[letter]
    }
}
