import Foundation
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
