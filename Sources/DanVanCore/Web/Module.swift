import Fluent
import Vapor

/// Where a module mounts its routes.
public struct ModuleRoutes {
    /// The application.
    public let app: Application
    /// Public pages (sessions available, nobody required to sign in).
    public let open: any RoutesBuilder
    /// Pages for signed-in users.
    public let web: any RoutesBuilder
    /// The API for signed-in users (session or bearer token); no path prefix: API route
    /// values carry their whole path (`api/v1/…`), so the same value makes the link.
    public let api: any RoutesBuilder

    /// Creates the mount points.
    public init(app: Application, open: any RoutesBuilder, web: any RoutesBuilder, api: any RoutesBuilder) {
        self.app = app
        self.open = open
        self.web = web
        self.api = api
    }
}

/// What a domain module hands the app: its migrations, its routes, its API description and
/// anything it registers (navigation, commands). DanVanApp just lists the modules.
public protocol DanVanModule: Sendable {
    /// Migrations, in order; names are stable.
    var migrations: [any Migration] { get }
    /// Registers what the module adds to the app: navigation entries, inbox target kinds,
    /// hooks other modules read (document panels…), periodic jobs (`app.lifecycle.use`) and
    /// commands (`app.asyncCommands.use`).
    func register(on app: Application) throws
    /// Mounts the routes.
    func routes(_ routes: ModuleRoutes) throws
    /// The module's route names for views (`#path("tasks.show", id)`): its route type's `linkTable`.
    var routeLinks: [String: [RouteSegment]] { get }
    /// The module's texts by language (`L10n.register` adds them when the app is configured).
    var localization: L10n.Tables { get }
    /// OpenAPI path items this module serves, by path.
    var openAPIPaths: [String: JSON] { get }
    /// OpenAPI component schemas this module defines, by name.
    var openAPISchemas: [String: JSON] { get }
}

/// A small JSON value for hand-written documents such as the OpenAPI description.
public indirect enum JSON: Codable, Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByDictionaryLiteral, ExpressibleByArrayLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral {
    case string(String), number(Double), bool(Bool), array([JSON]), object([String: JSON]), null

    public init(stringLiteral value: String) { self = .string(value) }
    public init(dictionaryLiteral elements: (String, JSON)...) { self = .object(Dictionary(elements, uniquingKeysWith: { $1 })) }
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSON].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSON].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .number(let value):
            if value == value.rounded(), abs(value) < 1e15 { try container.encode(Int(value)) } else { try container.encode(value) }
        case .bool(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }

    /// The value at `key` of an object.
    public subscript(key: String) -> JSON? {
        if case .object(let object) = self { return object[key] }
        return nil
    }
}
