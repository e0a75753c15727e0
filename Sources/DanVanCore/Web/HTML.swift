import Foundation
import LeafKit

// Rows of long lists written in Swift (issue 12).
//
// A 50-row list through Leaf cost 25–45 µs a row on this VM: every `#for` turn copies the context
// and opens a new serializer and buffer, and every `#(…)` and `#if` in the row resolves its key
// path, builds a tag context and checks the tag's kind — a third of a list page, and what kept
// the task list, inbox and library far from the targets. The page still comes from its template;
// a list's rows come from a `Row.html` next to the controller's row type and go in with
// `#unsafeHTML(page.rowsHTML)`, as the unit pickers' options and the consolidation table
// already did.
//
// `HTML` is the only way such markup is written: the literal parts of its string are the
// markup, and every interpolated value is escaped (as Leaf escapes `#(…)`) unless it is itself
// `HTML`. Interpolating a user's text cannot write markup.

/// A piece of HTML: literal markup, with every interpolated text escaped.
public struct HTML: Sendable, Equatable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The markup.
    public private(set) var rendered: String

    /// Nothing.
    public static let empty = HTML(rendered: "")

    private init(rendered: String) {
        self.rendered = rendered
    }

    /// Markup written in the source: `"<br>"`.
    public init(stringLiteral markup: String) {
        self.rendered = markup
    }

    public init(stringInterpolation: StringInterpolation) {
        self.rendered = stringInterpolation.output
    }

    /// Markup a view rendered (`Request.renderPiece`): a piece of a page that is kept.
    init(renderedView markup: String) {
        self.rendered = markup
    }

    /// `text` escaped: a value that is shown, never read as markup.
    public init(text: String) {
        self.rendered = Self.escape(text)
    }

    public var description: String { rendered }

    /// Appends `other`.
    public static func += (lhs: inout HTML, rhs: HTML) {
        lhs.rendered += rhs.rendered
    }

    /// The pieces one after another (`rows.map(\.html).joined()`).
    public static func joined<S: Sequence>(_ pieces: S) -> HTML where S.Element == HTML {
        var out = ""
        for piece in pieces { out += piece.rendered }
        return HTML(rendered: out)
    }

    /// Writes the literal parts as they are and escapes every interpolated value.
    public struct StringInterpolation: StringInterpolationProtocol {
        var output: String

        public init(literalCapacity: Int, interpolationCount: Int) {
            output = ""
            output.reserveCapacity(literalCapacity + interpolationCount * 24)
        }

        /// Markup written in the source.
        public mutating func appendLiteral(_ literal: String) {
            output += literal
        }

        /// A text: escaped.
        public mutating func appendInterpolation(_ text: String) {
            HTML.escape(text, into: &output)
        }

        /// A text or nothing: escaped, or nothing when nil.
        public mutating func appendInterpolation(_ text: String?) {
            if let text { HTML.escape(text, into: &output) }
        }

        /// A number: digits and a sign, nothing to escape.
        public mutating func appendInterpolation(_ number: Int) {
            output += String(number)
        }

        /// Markup already made: as it is.
        public mutating func appendInterpolation(_ html: HTML) {
            output += html.rendered
        }

        /// `html` when `condition` holds, else nothing: `\(if: r.unread, #" class="unread""#)`.
        public mutating func appendInterpolation(if condition: Bool, _ html: HTML) {
            if condition { output += html.rendered }
        }
    }

    /// `text` with `&`, `"`, `'`, `<` and `>` as entities, as Leaf writes `#(…)`.
    public static func escape(_ text: String) -> String {
        var out = ""
        escape(text, into: &out)
        return out
    }

    /// Appends `text` escaped to `out`; the text is copied whole when nothing needs escaping.
    public static func escape(_ text: String, into out: inout String) {
        var text = text
        text.withUTF8 { bytes in
            guard let first = bytes.firstIndex(where: needsEscape) else {
                out += String(decoding: bytes, as: UTF8.self)
                return
            }
            var buffer = [UInt8]()
            buffer.reserveCapacity(bytes.count + 16)
            buffer.append(contentsOf: bytes[..<first])
            for byte in bytes[first...] {
                switch byte {
                case UInt8(ascii: "&"): buffer.append(contentsOf: "&amp;".utf8)
                case UInt8(ascii: "\""): buffer.append(contentsOf: "&quot;".utf8)
                case UInt8(ascii: "'"): buffer.append(contentsOf: "&#39;".utf8)
                case UInt8(ascii: "<"): buffer.append(contentsOf: "&lt;".utf8)
                case UInt8(ascii: ">"): buffer.append(contentsOf: "&gt;".utf8)
                default: buffer.append(byte)
                }
            }
            out += String(decoding: buffer, as: UTF8.self)
        }
    }

    @inline(__always)
    static func needsEscape(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "&"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "<"), UInt8(ascii: ">"): return true
        default: return false
        }
    }
}

extension HTML: Encodable {
    /// Encoded as its markup, for `#unsafeHTML(page.…)`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rendered)
    }
}

extension HTML: LeafDataRepresentable {
    public var leafData: LeafData { .string(rendered) }
}
