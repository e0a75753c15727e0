import Foundation

/// Vietnamese text handling shared by every module: NFC normalisation, search folding and
/// alphabetical order. Pure Swift, no Vapor, so the parser, the app and the tests agree.
public enum VietnameseText {
    /// Returns `text` in Unicode NFC, the one form the system stores.
    ///
    /// Text pasted from Word or typed on some phones arrives in NFD or with composed tone
    /// marks on the wrong base; storing one form keeps equality and uniqueness honest.
    public static func nfc(_ text: String) -> String {
        text.precomposedStringWithCanonicalMapping
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
    public static func fold(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.value {
            case 0x0300...0x036F:
                continue
            case 0x0110, 0x0111: // Đ đ
                scalars.append("d")
            default:
                for lowered in String(scalar).lowercased().unicodeScalars {
                    scalars.append(lowered)
                }
            }
        }
        return String(scalars)
    }

    /// Whether `haystack` contains `needle`, ignoring case, diacritics and `đ`/`d`.
    public static func matches(_ haystack: String, query needle: String) -> Bool {
        let key = fold(clean(needle))
        if key.isEmpty { return true }
        return fold(haystack).contains(key)
    }
}
