import DanVanCore
import Fluent
import Vapor

/// The documents module: library, search, document page, review calendar.
public struct DocumentsModule: DanVanModule {
    /// Creates the module.
    public init() {}

    /// Migrations.
    public var migrations: [any Migration] { DocumentMigrations.all }

    /// Route names for views (`#path("documents.…")`).
    public var routeLinks: [String: [RouteSegment]] { DocumentsRoute.linkTable }

    /// The documents texts, Vietnamese and English.
    public var localization: L10n.Tables { DocumentsL10n.tables }

    /// Navigation: "Văn bản".
    public func register(on app: Application) throws {
        app.navigation.enable("nav.documents", href: DocumentsRoute.index.path)
    }

    /// Routes.
    public func routes(_ routes: ModuleRoutes) throws {
        let controller = DocumentController()
        routes.web.get(DocumentsRoute.index, use: controller.index)
        routes.web.get(DocumentsRoute.reviews, use: controller.reviews)
        routes.web.get(DocumentsRoute.show(nil), use: controller.show)
        let editing = DocumentEditController()
        let staff = routes.web.grouped(RequireRoleMiddleware(.admin, .specialist, .leader))
        staff.get(DocumentsRoute.edit(nil), use: editing.edit)
        staff.post(DocumentsRoute.show(nil), use: editing.update)
        staff.post(DocumentsRoute.files(nil), use: controller.upload)
        routes.web.get(DocumentsRoute.file(nil, nil), use: controller.download)
        let api = DocumentAPI()
        routes.api.get(DocumentsRoute.apiList, use: api.list)
        routes.api.get(DocumentsRoute.apiShow(nil), use: api.show)
    }

    /// `/api/v1/documents`.
    /// From the library to a document.
    public var openAPILinks: [OpenAPILink] {
        [OpenAPILink("firstDocument", from: "get /api/v1/documents", to: "get /api/v1/documents/{documentID}", parameters: ["documentID": "$response.body#/items/0/id"])]
    }

    public var openAPIPaths: [String: JSON] { DocumentAPI.paths }
    /// Document schemas.
    public var openAPISchemas: [String: JSON] { DocumentAPI.schemas }
}
