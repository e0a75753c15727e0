/// Fast character classes for the scalars Vietnamese text uses, from a table built once:
/// `Character` properties go through grapheme breaking and are far slower.
enum ScalarClass {
    static let word: UInt8 = 1
    static let upper: UInt8 = 2
    static let lower: UInt8 = 4
    static let space: UInt8 = 8

    static let limit: UInt32 = 0x2100
    static let table: [UInt8] = {
        var table = [UInt8](repeating: 0, count: Int(limit))
        for value in 0..<limit {
            guard let scalar = Unicode.Scalar(value) else { continue }
            table[Int(value)] = compute(scalar)
        }
        return table
    }()

    static func compute(_ scalar: Unicode.Scalar) -> UInt8 {
        let properties = scalar.properties
        var flags: UInt8 = 0
        if properties.isAlphabetic || properties.numericType != nil { flags |= word }
        if properties.isUppercase { flags |= upper }
        if properties.isLowercase { flags |= lower }
        if properties.isWhitespace { flags |= space }
        return flags
    }

    @inline(__always) static func flags(_ scalar: Unicode.Scalar) -> UInt8 {
        scalar.value < limit ? table[Int(scalar.value)] : compute(scalar)
    }

    @inline(__always) static func isWord(_ scalar: Unicode.Scalar) -> Bool { flags(scalar) & word != 0 }
    @inline(__always) static func isUpper(_ scalar: Unicode.Scalar) -> Bool { flags(scalar) & upper != 0 }
    @inline(__always) static func isLower(_ scalar: Unicode.Scalar) -> Bool { flags(scalar) & lower != 0 }
    @inline(__always) static func isSpace(_ scalar: Unicode.Scalar) -> Bool { flags(scalar) & space != 0 }
}
