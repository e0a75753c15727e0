import Leaf
import LeafKit
import NIOCore
import Vapor

// Templates with their fixed texts written in, once per language.
//
// A page's fixed texts (`#t("tasks.han")`) and fixed links (`#path("core.home")`) were custom
// tags run on every render: each one resolved its parameters, built a tag context, looked the
// text up and escaped it — a tenth to a fifth of a page's Leaf time, for words that are the same
// on every visit (issue 12). A template is now read once per language under the name
// `@vi/tasks/index` (`LocalizedTemplates.name`): this source reads `tasks/index.leaf` and writes
// each such tag's result into the text — escaped as Leaf escapes a tag's result, with `#` made
// `\#` so Leaf does not read it as a tag — and points `#extend` at the same language. Leaf's
// cache then keeps one copy per language. Tags with a value from the page (`#t("x", page.n)`,
// `#path("tasks.show", t.id)`) stay tags. A plain name (`errors/404`) is served unchanged.
// Tested: every page renders byte for byte as through the tags, in both languages.

/// The Leaf source of the app's views (see the file's comment).
public struct LocalizedTemplates: LeafSource {
    /// Where the template files are read.
    let files: any LeafSource
    /// The named routes, read when a template is first loaded (after every module registered).
    let links: @Sendable () -> LinkTable

    /// A source over `files`; `links` gives the route table.
    public init(files: any LeafSource, links: @escaping @Sendable () -> LinkTable) {
        self.files = files
        self.links = links
    }

    /// The name under which `template` is read with `locale`'s texts written in.
    public static func name(_ template: String, _ locale: L10n.Locale) -> String {
        "@" + locale.rawValue + "/" + template
    }

    public func file(template: String, escape: Bool, on eventLoop: any EventLoop) throws -> EventLoopFuture<ByteBuffer> {
        guard template.hasPrefix("@"), let slash = template.firstIndex(of: "/"),
              let locale = L10n.Locale(rawValue: String(template[template.index(after: template.startIndex)..<slash]))
        else {
            return try files.file(template: template, escape: escape, on: eventLoop)
        }
        let plain = String(template[template.index(after: slash)...])
        let links = links
        if plain == Self.frameTemplate {
            return eventLoop.makeSucceededFuture(ByteBuffer(string: Self.localize(Self.frameSource, locale: locale, links: links())))
        }
        if plain.hasPrefix(Self.contentPrefix) {
            let page = String(plain.dropFirst(Self.contentPrefix.count))
            return try files.file(template: page, escape: escape, on: eventLoop).flatMapThrowing { buffer in
                guard let content = Self.content(of: String(buffer: buffer)) else {
                    throw LeafError(.unknownError("\(page) is not a page: it must be #extend(\"layouts/base\"): with one #export(\"content\"):"))
                }
                return ByteBuffer(string: Self.localize(String(content), locale: locale, links: links()))
            }
        }
        return try files.file(template: plain, escape: escape, on: eventLoop).map { buffer in
            ByteBuffer(string: Self.localize(String(buffer: buffer), locale: locale, links: links()))
        }
    }

    // A page's template is `#extend("layouts/base"):` around `#export("content"):` (every
    // template under a module's folder that is not a piece; `LocalizedTemplatesTests` checks
    // them all). The layout around a page is the same on every visit of the same user to the
    // same page while nothing in its shell changed, so `Request.render` keeps it
    // (`LayoutFrames`) and has Leaf render only the page's content: `contentName` reads the
    // template's content alone, `frameName` the layout with `contentMarker` where the content
    // goes.

    /// What stands for a page's content in the layout read as `frameName`.
    public static let contentMarker = "\u{1}danvan:content\u{1}"
    static let frameTemplate = ":frame"
    static let contentPrefix = ":content/"
    static let layoutOpening = #"#extend("layouts/base"):"#
    static let contentOpening = #"#export("content"):"#
    static let pageClosing = "#endextend\n"
    /// The layout with the marker as its content, ended as every page's template ends.
    static let frameSource = layoutOpening + contentOpening + contentMarker + "#endexport" + pageClosing

    /// The name under which the layout is read with `contentMarker` as the page's content.
    public static func frameName(_ locale: L10n.Locale) -> String {
        name(frameTemplate, locale)
    }

    /// The name under which only the content of the page `template` is read (what its
    /// `#export("content")` holds).
    public static func contentName(_ template: String, _ locale: L10n.Locale) -> String {
        name(contentPrefix + template, locale)
    }

    /// The content of a page's template `source`: the text of its one `#export("content"):`
    /// when the template is the layout around it and nothing else (only line breaks and spaces
    /// between the tags); nil otherwise.
    public static func content(of source: String) -> Substring? {
        guard source.hasPrefix(layoutOpening), source.hasSuffix(pageClosing),
              let export = source.range(of: contentOpening), let end = source.range(of: "#endexport", options: .backwards),
              export.upperBound <= end.lowerBound
        else { return nil }
        let blank = { (text: Substring) in text.allSatisfy { $0 == "\n" || $0 == " " || $0 == "\r\n" } }
        guard blank(source[source.index(source.startIndex, offsetBy: layoutOpening.count)..<export.lowerBound]),
              blank(source[end.upperBound..<source.index(source.endIndex, offsetBy: -pageClosing.count)])
        else { return nil }
        let content = source[export.upperBound..<end.lowerBound]
        return content.contains("#export(") || content.contains("#endexport") ? nil : content
    }

    /// `source` with its fixed `#t` and `#path` tags replaced by their text and its `#extend`s
    /// pointing at `locale`'s copies.
    public static func localize(_ source: String, locale: L10n.Locale, links: LinkTable) -> String {
        var out = ""
        out.reserveCapacity(source.utf8.count)
        var rest = source[...]
        while let hash = rest.firstIndex(of: "#") {
            out += rest[..<hash]
            let escaped = out.last == "\\"
            let tail = rest[hash...]
            if !escaped, let (replacement, consumed) = replace(tail, locale: locale, links: links) {
                out += replacement
                rest = tail[consumed...]
            } else {
                out.append("#")
                rest = tail.dropFirst()
            }
        }
        out += rest
        return out
    }

    /// The text for the tag at the start of `tag` and where the tag ends; nil to leave it be.
    static func replace(_ tag: Substring, locale: L10n.Locale, links: LinkTable) -> (String, String.Index)? {
        // (Not before a colon: `#esc(x):` would open a block where `#(x):` does not.)
        if tag.hasPrefix("#("), let (path, end) = keyPath(tag.dropFirst(2)), end == tag.endIndex || tag[end] != ":" {
            // `#(page.name)`: the same value through `EscapeTag`, whose escaping skips a text
            // with nothing to escape (LeafKit rebuilds every text character by character: a
            // seventh of the task list, whose rows carry 220 characters of task each).
            return ("#" + EscapeTag.name + "(" + path + ")", end)
        }
        for name in ["t", "path", "extend"] {
            let opening = "#" + name + "("
            guard tag.hasPrefix(opening) else { continue }
            guard let (arguments, end) = literalArguments(tag.dropFirst(opening.count)), !arguments.isEmpty else { return nil }
            // `#t("x"):` would be a tag with a body: never written, left alone.
            if name != "extend", end < tag.endIndex, tag[end] == ":" { return nil }
            switch name {
            case "t":
                guard arguments.count == 1 else { return nil }
                let text = L10n.format(arguments[0], [], locale)
                return text.hasSuffix("\\") ? nil : (leafText(text.htmlEscaped()), end)
            case "path":
                guard let path = links.path(arguments[0], Array(arguments.dropFirst())), !path.hasSuffix("\\") else { return nil }
                return (leafText(path.htmlEscaped()), end)
            default:
                guard arguments.count == 1, !arguments[0].hasPrefix("@") else { return nil }
                return ("#extend(\"" + Self.name(arguments[0], locale) + "\")", end)
            }
        }
        return nil
    }

    /// The string literals of a parameter list (`"a", "b")`) and the index after its `)`; nil
    /// when a parameter is anything else (a variable, a number, an escape).
    static func literalArguments(_ text: Substring) -> ([String], String.Index)? {
        var arguments: [String] = []
        var rest = text
        while true {
            rest = rest.drop { $0 == " " }
            guard rest.first == "\"" else { return nil }
            rest = rest.dropFirst()
            guard let close = rest.firstIndex(where: { $0 == "\"" || $0 == "\\" }), rest[close] == "\"" else { return nil }
            arguments.append(String(rest[..<close]))
            rest = rest[rest.index(after: close)...].drop { $0 == " " }
            switch rest.first {
            case ",": rest = rest.dropFirst()
            case ")": return (arguments, rest.index(after: rest.startIndex))
            default: return nil
            }
        }
    }

    /// A plain key path (`page.rows`, `t.content`, `index`) closed by `)` and the index after
    /// it; nil for anything else (a literal, an operator, a function call).
    static func keyPath(_ text: Substring) -> (String, String.Index)? {
        guard let close = text.firstIndex(of: ")") else { return nil }
        let path = text[..<close]
        guard let first = path.first, first.isASCII, first.isLetter || first == "_",
              path.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") }),
              !path.hasSuffix("."), !path.contains("..")
        else { return nil }
        return (String(path), text.index(after: close))
    }

    /// `text` as raw template text: a `#` would open a tag, so it is written `\#`.
    static func leafText(_ text: String) -> String {
        text.contains("#") ? text.replacingOccurrences(of: "#", with: "\\#") : text
    }
}

extension Application {
    private struct LocalizedTemplatesKey: StorageKey { typealias Value = Bool }

    /// Whether pages render from the templates with their texts written in (the default);
    /// false renders the plain templates through the tags (the test that compares the two).
    public var rendersLocalizedTemplates: Bool {
        get { storage[LocalizedTemplatesKey.self] ?? true }
        set { storage[LocalizedTemplatesKey.self] = newValue }
    }
}

/// `#(value)` of a localised template (see `LocalizedTemplates.replace`): the value as Leaf
/// writes it, escaped as Leaf escapes it (`&`, `"`, `'`, `<`, `>`), in one pass over the bytes
/// that returns the text itself when it has none of them.
public struct EscapeTag: UnsafeUnescapedLeafTag {
    /// The tag's name in a localised template; not used in the template files themselves.
    public static let name = "esc"

    /// Creates the tag.
    public init() {}

    public func render(_ ctx: LeafContext) throws -> LeafData {
        guard ctx.parameters.count == 1 else { throw Abort(.internalServerError, reason: "#esc() takes one value") }
        let value = ctx.parameters[0]
        switch value.celf {
        case .string:
            return value.isNil ? value : .string(Self.escaped(value.string ?? ""))
        case .int, .double, .bool:
            // Digits, signs, points, letters: nothing to escape; written by Leaf's formatters,
            // as `#()` writes them.
            return value
        default:
            // Lists, dictionaries, data: not printed by any view; escaped as text, never raw.
            return .string(Self.escaped(value.string ?? ""))
        }
    }

    /// `text` with `&`, `"`, `'`, `<` and `>` written as Leaf writes them (`HTML.escape`).
    public static func escaped(_ text: String) -> String {
        HTML.escape(text)
    }
}
