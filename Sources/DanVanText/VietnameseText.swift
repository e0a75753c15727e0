import Foundation

/// Vietnamese text handling shared by every module: NFC normalisation, search folding and
/// alphabetical order. Pure Swift, no Vapor, so the parser, the app and the tests agree.
public enum VietnameseText {
    /// Returns `text` in Unicode NFC, the one form the system stores.
    ///
    /// Text pasted from Word or typed on some phones arrives in NFD or with composed tone
    /// marks on the wrong base; storing one form keeps equality and uniqueness honest.
    public static func nfc(_ text: String) -> String {
        // Most text is already composed; only text with combining marks needs the (slow)
        // Foundation pass.
        guard text.unicodeScalars.contains(where: { $0.value >= 0x0300 && $0.value <= 0x036F || $0.value >= 0x1100 && $0.value <= 0x11FF }) else {
            return text
        }
        return text.precomposedStringWithCanonicalMapping
    }

    /// Returns `text` normalised to NFC, with surrounding whitespace removed and inner runs of
    /// whitespace collapsed to one space: what every single-line form field stores.
    public static func clean(_ text: String) -> String {
        let normalised = nfc(text)
        var result = ""
        result.reserveCapacity(normalised.utf8.count)
        var pendingSpace = false
        for character in normalised {
            if character.isWhitespace {
                pendingSpace = !result.isEmpty
            } else {
                if pendingSpace { result.append(" ") }
                pendingSpace = false
                result.append(character)
            }
        }
        return result
    }

    /// Returns the search key of `text`: lower case, without tone or vowel marks, `đ` as `d`.
    ///
    /// Foundation's diacritic-insensitive folding leaves `đ` alone because Unicode treats it
    /// as its own letter, not as `d` with a mark; users type "Dong Nai" for "Đồng Nai", so the
    /// fold does it by hand.
    public static func fold<S: StringProtocol>(_ text: S) -> String {
        let capacity = text.utf8.count * 2 + 4
        return String(unsafeUninitializedCapacity: capacity) { buffer in
            var count = 0
            func put(_ byte: UInt8) {
                if count < capacity { buffer[count] = byte; count += 1 }
            }
            for scalar in text.unicodeScalars {
                let value = scalar.value
                if value < 0x80 {
                    put(UInt8(value >= 65 && value <= 90 ? value + 32 : value))
                } else if value >= 0x0300 && value <= 0x036F {
                    continue
                } else if value < foldLimit {
                    for byte in foldTable[Int(value)] { put(byte) }
                } else {
                    for byte in slowFold(scalar).utf8 { put(byte) }
                }
            }
            return count
        }
    }

    /// The folded form as UTF-8 bytes (the reader searches bytes).
    static func foldBytes<S: StringProtocol>(_ text: S) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                bytes.append(UInt8(value >= 65 && value <= 90 ? value + 32 : value))
            } else if value >= 0x0300 && value <= 0x036F {
                continue
            } else if value < foldLimit {
                bytes.append(contentsOf: foldTable[Int(value)])
            } else {
                bytes.append(contentsOf: slowFold(scalar).utf8)
            }
        }
        return bytes
    }

    static let foldLimit: UInt32 = 0x2100

    /// Every scalar below U+2000 folded once (Vietnamese lives in Latin-1 and Latin Extended
    /// Additional): decomposing each character through Foundation is slow on Linux.
    static let foldTable: [[UInt8]] = (0..<foldLimit).map { value in
        guard let scalar = Unicode.Scalar(value) else { return [] }
        return Array(slowFold(scalar).utf8)
    }

    static func slowFold(_ scalar: Unicode.Scalar) -> String {
        var result = String.UnicodeScalarView()
        for part in String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars {
            switch part.value {
            case 0x0300...0x036F:
                continue
            case 0x0110, 0x0111:
                result.append("d")
            default:
                result.append(contentsOf: String(part).lowercased().unicodeScalars)
            }
        }
        return String(result)
    }

    /// Whether `haystack` contains `needle`, ignoring case, diacritics and `đ`/`d`.
    public static func matches(_ haystack: String, query needle: String) -> Bool {
        let key = fold(clean(needle))
        if key.isEmpty { return true }
        return fold(haystack).contains(key)
    }
}
