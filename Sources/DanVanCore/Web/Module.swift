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
    /// Links between its API operations (and to other modules' operations it answers with ids of).
    var openAPILinks: [OpenAPILink] { get }
}

extension DanVanModule {
    /// No links unless the module declares some.
    public var openAPILinks: [OpenAPILink] { [] }
}

