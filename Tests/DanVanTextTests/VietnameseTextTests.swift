@testable import DanVanText
import Foundation
import Testing

@Suite("Vietnamese text")
struct VietnameseTextTests {
    @Test("NFD input is stored as NFC")
    func nfcNormalises() {
        // setup
        let decomposed = "Hòa Lạc".decomposedStringWithCanonicalMapping
        // act
        let normalised = VietnameseText.nfc(decomposed)
        // check
        #expect(decomposed.unicodeScalars.count > normalised.unicodeScalars.count)
        #expect(normalised.unicodeScalars.elementsEqual("H\u{F2}a L\u{1EA1}c".unicodeScalars))
    }

    @Test("clean trims and collapses whitespace, including tabs and non-breaking spaces")
    func cleanCollapses() {
        #expect(VietnameseText.clean("  Ban \t Dân\u{00A0}vận \n Tỉnh ủy ") == "Ban Dân vận Tỉnh ủy")
        #expect(VietnameseText.clean("   ") == "")
    }

    @Test("fold removes tones and vowel marks, lowers case and maps đ to d", arguments: [
        ("Đồng Nai", "dong nai"),
        ("ĐẢNG ĐOÀN", "dang doan"),
        ("Hội Liên hiệp Phụ nữ", "hoi lien hiep phu nu"),
        ("Ủy ban MTTQ", "uy ban mttq"),
        ("Phường Hòa Lạc", "phuong hoa lac"),
        ("Thôn Ea Ktur", "thon ea ktur"),
    ])
    func fold(input: String, expected: String) {
        #expect(VietnameseText.fold(input) == expected)
        #expect(VietnameseText.fold(input.decomposedStringWithCanonicalMapping) == expected)
    }

    @Test("fold is idempotent and the same for NFC and NFD (seeded; DANVAN_SEED replays)")
    func foldProperties() {
        let seed = SeededGenerator.testSeed(20261202, environment: ProcessInfo.processInfo.environment)
        var generator = SeededGenerator(seed: seed)
        let alphabet = Array("aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ 0123-")
        for _ in 0..<500 {
            let text = String((0..<Int.random(in: 0...20, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            let folded = VietnameseText.fold(text)
            #expect(VietnameseText.fold(folded) == folded, "seed \(seed)")
            #expect(VietnameseText.fold(text.decomposedStringWithCanonicalMapping) == folded, "seed \(seed)")
            #expect(!folded.contains("đ"), "seed \(seed)")
        }
    }

    @Test("matches ignores case, diacritics and đ")
    func matches() {
        #expect(VietnameseText.matches("Ban Tuyên giáo và Dân vận Tỉnh ủy", query: "dan van"))
        #expect(VietnameseText.matches("Xã Đồng Tâm", query: "DONG TAM"))
        #expect(!VietnameseText.matches("Xã Đồng Tâm", query: "tan lap"))
        #expect(VietnameseText.matches("anything", query: "  "))
    }
}

@Suite("Vietnamese collation")
struct VietnameseCollationTests {
    @Test("letters follow the Vietnamese alphabet: a ă â b c d đ e ê …")
    func alphabetOrder() {
        // setup
        let expected = ["An", "Ăn", "Ân", "Ba", "Cường", "Dung", "Đức", "Em", "Êm", "Giang", "Ô", "Ơ", "Pha", "Út", "Ưng", "Vân", "Xuân", "Yến"]
        // act
        let sorted = VietnameseCollation.sorted(expected.shuffled(), by: { $0 })
        // check
        #expect(sorted == expected)
    }

    @Test("the table-driven key equals the decomposition-based reference on every character below U+2000 and on seeded random text, NFC or not")
    func fastKeyMatchesReference() {
        for value in 0..<0x2000 {
            guard let scalar = Unicode.Scalar(UInt32(value)) else { continue }
            let text = String(Character(scalar))
            #expect(VietnameseCollation.key(text) == VietnameseCollation.referenceKey(text), "U+\(String(value, radix: 16))")
        }
        let seed = SeededGenerator.testSeed(0x5EED_C011, environment: ProcessInfo.processInfo.environment)
        var generator = SeededGenerator(seed: seed)
        let pieces = Array("aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ 0123456789-,.()/Xã Phường ").map(String.init)
            + ["a\u{0301}", "u\u{031B}\u{0300}", "e\u{0302}\u{0323}", "漢", "😀", "ﬁ"]
        for _ in 0..<500 {
            let text = (0..<Int.random(in: 0...24, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            #expect(VietnameseCollation.key(text) == VietnameseCollation.referenceKey(text), "seed \(seed): \(text.debugDescription)")
        }
    }

    @Test("tone marks only break ties between the same letters, in dictionary order")
    func toneOrder() {
        let expected = ["ma", "mà", "mả", "mã", "má", "mạ", "mác", "mai", "man"]
        #expect(VietnameseCollation.sorted(expected.reversed(), by: { $0 }) == expected)
    }

    @Test("Swift's own < gets Vietnamese wrong, which is why the collation exists")
    func differsFromCodePointOrder() {
        #expect("Đức" > "Xuân")
        #expect(VietnameseCollation.less("Đức", "Xuân"))
    }

    @Test("lower case before upper case for otherwise equal words; digits before letters")
    func caseAndDigits() {
        #expect(VietnameseCollation.less("an", "An"))
        #expect(VietnameseCollation.less("Khu phố 2", "Khu phố A"))
        #expect(VietnameseCollation.less("Khu phố 2", "Khu phố 10") == false)
    }

    @Test("NFC and NFD give the same key")
    func normalisationInvariant() {
        for word in ["Nguyễn", "Đặng", "Hoàng", "Phượng", "Ỷ"] {
            #expect(VietnameseCollation.key(word) == VietnameseCollation.key(word.decomposedStringWithCanonicalMapping))
        }
    }
}
