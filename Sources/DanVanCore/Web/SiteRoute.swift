import Foundation
import Leaf
import Vapor

/// One piece of a route's path: a fixed word, or a named parameter with its value when the
/// route is a link (no value when it is registered).
public enum RouteSegment: Sendable, Equatable, ExpressibleByStringLiteral {
    /// A fixed path word, e.g. `tasks`.
    case constant(String)
    /// A parameter: its name (read with `req.parameters.get(name)`) and, in a link, its value.
    case parameter(String, String?)

    /// A fixed word written as a literal: `"tasks"`.
    public init(stringLiteral value: String) { self = .constant(value) }

    /// A parameter segment from any value that prints as its path form (UUID, Int, String).
    public static func param(_ name: String, _ value: (any CustomStringConvertible)?) -> RouteSegment {
        .parameter(name, value.map { String(describing: $0) })
    }
}

/// A module's paths, written once: the same value registers a route (`routes.get(TasksRoute.show(nil))`)
/// and builds a link (`TasksRoute.show(id).path`), the way SwiftPackageIndex-Server's `SiteURL`
/// does. A route with parameters takes optional values: `nil` is the parameter's place.
public protocol SiteRoute: Sendable {
    /// The path, segment by segment.
    var segments: [RouteSegment] { get }
}

extension SiteRoute {
    /// The link: `/tasks/8F0…`. A parameter without a value prints as `:name` (the pattern).
    public var path: String {
        "/" + segments.map { segment in
            switch segment {
            case .constant(let word): return word
            case .parameter(let name, let value): return value.map(Self.escape) ?? ":\(name)"
            }
        }.joined(separator: "/")
    }

    /// The link with a query string; empty values are left out, so a filter form's link stays short.
    public func path(query items: [(String, String?)]) -> String {
        var components = URLComponents()
        components.path = path
        let kept = items.compactMap { name, value in value.flatMap { $0.isEmpty ? nil : URLQueryItem(name: name, value: $0) } }
        components.queryItems = kept.isEmpty ? nil : kept
        return components.string ?? path
    }

    /// The pattern Vapor's router registers.
    public var pathComponents: [PathComponent] {
        segments.map { segment in
            switch segment {
            case .constant(let word): return .constant(word)
            case .parameter(let name, _): return .parameter(name)
            }
        }
    }

    private static func escape(_ value: String) -> String {
        // Ids, numbers and slugs have nothing to encode: Foundation's percent-encoding of every
        // row's link was a twentieth of the task list.
        if value.utf8.allSatisfy({ byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "~")
        }) {
            return value
        }
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}

/// A route's segments: fixed words as literals, parameters with `.param(name, value)`:
/// `words("tasks", .param("taskID", id), "files")`.
public func words(_ parts: RouteSegment...) -> [RouteSegment] {
    parts
}

extension RoutesBuilder {
    /// Registers `GET` for a route value.
    @discardableResult
    public func get<Response: AsyncResponseEncodable>(_ route: some SiteRoute, use closure: @Sendable @escaping (Request) async throws -> Response) -> Route {
        on(.GET, route.pathComponents, use: closure)
    }

    /// Registers `POST` for a route value.
    @discardableResult
    public func post<Response: AsyncResponseEncodable>(_ route: some SiteRoute, use closure: @Sendable @escaping (Request) async throws -> Response) -> Route {
        on(.POST, route.pathComponents, use: closure)
    }
}

extension Request {
    /// A redirect to a route value.
    public func redirect(to route: some SiteRoute) -> Response {
        redirect(to: route.path)
    }
}

/// A module's route type that views can name: `#path("tasks.show", t.id)` makes the same link
/// as `TasksRoute.show(t.id).path`. `patterns` lists every case once, parameters empty; a test
/// checks that every route the app registers is one of them and that every name a view uses exists.
public protocol NamedSiteRoute: SiteRoute {
    /// The first part of the names views use: `tasks` in `tasks.show`.
    static var namePrefix: String { get }
    /// Every case, with `nil` parameters.
    static var patterns: [Self] { get }
}

extension NamedSiteRoute {
    /// `tasks.show`: the prefix and the case's label.
    public var name: String {
        let label = String(describing: self)
        return Self.namePrefix + "." + (label.split(separator: "(", maxSplits: 1).first.map(String.init) ?? label)
    }

    /// The module's names with their patterns, for `app.links`.
    public static var linkTable: [String: [RouteSegment]] {
        Dictionary(patterns.map { ($0.name, $0.segments) }, uniquingKeysWith: { first, _ in first })
    }
}

/// Every named route of the app (`app.links`): modules add theirs when they register, views
/// read them through `#path`.
public struct LinkTable: Sendable {
    /// Patterns by name (`tasks.show` → `tasks/:taskID`).
    public private(set) var patterns: [String: [RouteSegment]] = [:]

    /// An empty table.
    public init() {}

    /// Adds a module's names (`TasksRoute.linkTable`).
    public mutating func add(_ table: [String: [RouteSegment]]) {
        patterns.merge(table) { first, _ in first }
    }

    /// The link for `name` with `values` filling its parameters in order; `nil` when the name
    /// is unknown or the values do not match the parameters.
    public func path(_ name: String, _ values: [String]) -> String? {
        guard let segments = patterns[name] else { return nil }
        var remaining = values[...]
        var filled: [RouteSegment] = []
        for segment in segments {
            switch segment {
            case .constant: filled.append(segment)
            case .parameter(let parameter, _):
                guard let value = remaining.popFirst(), !value.isEmpty else { return nil }
                filled.append(.parameter(parameter, value))
            }
        }
        guard remaining.isEmpty else { return nil }
        return FilledRoute(segments: filled).path
    }
}

/// A pattern with its values, to print through `SiteRoute.path`.
private struct FilledRoute: SiteRoute {
    let segments: [RouteSegment]
}

extension Application {
    private struct LinkTableKey: StorageKey { typealias Value = LinkTable }

    /// The named routes views link to.
    public var links: LinkTable {
        get { storage[LinkTableKey.self] ?? LinkTable() }
        set { storage[LinkTableKey.self] = newValue }
    }
}

/// `#path("tasks.show", t.id)` in a view: the link of a named route, its parameters filled in
/// order. A query string follows the tag in the view (`#path("tasks.index")?unit=…`).
public struct PathTag: LeafTag {
    /// Creates the tag.
    public init() {}

    /// Renders the link; an unknown name or a missing value is a programming error (a test
    /// renders every view's names), so it fails loudly rather than linking nowhere.
    public func render(_ ctx: LeafContext) throws -> LeafData {
        guard let name = ctx.parameters.first?.string else {
            throw Abort(.internalServerError, reason: "#path() needs a route name")
        }
        let values = ctx.parameters.dropFirst().map { $0.string ?? "" }
        guard let table = ctx.application?.links, let path = table.path(name, Array(values)) else {
            throw Abort(.internalServerError, reason: "#path(\"\(name)\") matches no route with \(values.count) values")
        }
        return .string(path)
    }
}
