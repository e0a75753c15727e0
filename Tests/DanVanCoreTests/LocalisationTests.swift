@testable import DanVanCore
import DanVanTestSupport
import Foundation
import Testing

/// Every user-visible text goes through the one table: these checks read the sources.
@Suite("Localisation")
struct LocalisationTests {
    /// Letters only Vietnamese text has (ASCII words such as "OK" or "CSV" are not caught).
    static var vietnameseLetter: Regex<Substring> { /[À-ÃÈ-ÊÌÍÒ-ÕÙÚÝà-ãè-êìíò-õùúýĂăĐđĨĩŨũƠơƯưẠ-ỹ]/ }

    /// Files whose Vietnamese is not interface text: the tables themselves, DanVanText's word
    /// lists (the reader's vocabulary), the demo province and the test fixtures.
    static func exempt(_ path: String) -> Bool {
        path.hasSuffix("Localization.swift") || path.hasSuffix("L10n.swift")
            || path.contains("/DanVanText/") || path.contains("/DanVanDemo/") || path.contains("/DanVanTestSupport/")
    }

    static func files(_ folder: String, _ suffix: String) -> [(String, String)] {
        let root = URL(fileURLWithPath: packageRoot + folder)
        return FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!.compactMap { $0 as? URL }
            .filter { $0.path.hasSuffix(suffix) }
            .compactMap { url in (try? String(contentsOf: url, encoding: .utf8)).map { (url.path, $0) } }
    }

    @Test("no Vietnamese literal text outside the tables, in views or in Swift code")
    func noLiteralText() async throws {
        try await withTestApp { _ in
            // setup
            let views = Self.files("Resources/Views", ".leaf")
            let sources = Self.files("Sources", ".swift").filter { !Self.exempt($0.0) }
            #expect(views.count > 30)
            #expect(sources.count > 50)
            // act
            var found: [String] = []
            for (path, text) in views {
                for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let outside = line.replacing(/#t\("[^"]*"[^)]*\)/, with: "")
                    if outside.contains(Self.vietnameseLetter) { found.append("\((path as NSString).lastPathComponent):\(number + 1): \(line)") }
                }
            }
            for (path, text) in sources {
                for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    if line.trimmingCharacters(in: .whitespaces).hasPrefix("//") { continue }
                    if line.contains(Self.vietnameseLetter) { found.append("\((path as NSString).lastPathComponent):\(number + 1): \(line)") }
                }
            }
            // check
            #expect(found.isEmpty, "Vietnamese outside the tables:\n\(found.prefix(20).joined(separator: "\n"))")
        }
    }

    @Test("every key the views and the code use exists; modules do not give one key two texts")
    func keysExist() async throws {
        try await withTestApp { _ in
            // setup
            var used = Set<String>()
            for (_, text) in Self.files("Resources/Views", ".leaf") {
                for match in text.matches(of: /#t\("([^"]+)"/) { used.insert(String(match.output.1)) }
            }
            for (_, text) in Self.files("Sources", ".swift") {
                for match in text.matches(of: /(?:L10n\.text|L10n\.format|\.t|badRequest|conflict)\("([a-z][A-Za-z0-9_]*\.[A-Za-z0-9_.]+)"/) {
                    used.insert(String(match.output.1))
                }
            }
            #expect(used.count > 400)
            // act
            let table = L10n.vi
            let missing = used.filter { table[$0] == nil }
            // check
            #expect(missing.isEmpty, "used but missing: \(missing.sorted())")
            #expect(L10n.conflicts.isEmpty, "keys with two texts: \(L10n.conflicts.sorted())")
            for (key, value) in table {
                #expect(value == value.precomposedStringWithCanonicalMapping, "\(key) is not NFC")
            }
        }
    }

    @Test("English covers the shell and the documents library, and only keys Vietnamese has")
    func englishTable() async throws {
        try await withTestApp { _ in
            // setup
            let english = L10n.table(.en)
            let vietnamese = L10n.vi
            var needed = Set<String>()
            for (path, text) in Self.files("Resources/Views", ".leaf") where path.contains("/documents/") || path.hasSuffix("layouts/base.leaf") {
                for match in text.matches(of: /#t\("([^"]+)"/) { needed.insert(String(match.output.1)) }
            }
            // act
            let untranslated = needed.filter { english[$0] == nil }
            let unknown = english.keys.filter { vietnamese[$0] == nil }
            // check
            #expect(needed.count > 40)
            #expect(untranslated.isEmpty, "no English for: \(untranslated.sorted())")
            #expect(unknown.isEmpty, "English keys Vietnamese lacks: \(unknown.sorted())")
            #expect(L10n.text("documents.muc_luc", .en) == "Contents")
            #expect(L10n.text("documents.muc_luc", .vi) == "Mục lục")
        }
    }

    @Test("placeholders are filled in one pass: each {n} once, a filled text is not read again", arguments: [
        ("{0} of {1}", ["3", "7"], "3 of 7"),
        ("{1}, {0}, {1}", ["a", "b"], "b, a, b"),
        ("{0}", ["{1}"], "{1}"),
        ("{2} {x} {} {0", ["a"], "{2} {x} {} {0"),
        ("Đơn vị {0}: {10}", ["Xã Tân Hòa", "1", "2", "3", "4", "5", "6", "7", "8", "9", "mười"], "Đơn vị Xã Tân Hòa: mười"),
        ("no braces", ["a"], "no braces"),
        ("{0}{0}", [], "{0}{0}"),
    ])
    func fill(_ example: (template: String, arguments: [String], expected: String)) {
        // act
        let filled = L10n.fill(example.template, example.arguments)
        // check
        #expect(filled == example.expected)
    }
}
