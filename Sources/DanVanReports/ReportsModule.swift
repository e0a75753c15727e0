import DanVanCore
import Fluent
import Foundation
import Vapor

/// The reports module: regimes, periods and requests, submissions and review, timeliness,
/// the live consolidation and its Word and Excel files.
public struct ReportsModule: DanVanModule {
    /// Creates the module.
    public init() {}

    public var migrations: [any Migration] { ReportMigrations.all }

    public var routeLinks: [String: [RouteSegment]] { ReportsRoute.linkTable }

    public var localization: L10n.Tables { ReportsL10n.tables }

    /// Navigation "Báo cáo", the "report" inbox target, the scheduler.
    public func register(on app: Application) throws {
        app.navigation.enable("nav.reports", href: ReportsRoute.index.path)
        app.inboxTargets.register("report") { ReportsRoute.request($0).path }
        app.lifecycle.use(makeReportScheduler())
        app.homeTodos.append(ReportService.homeTodos)
    }

    public func routes(_ routes: ModuleRoutes) throws {
        let reports = ReportController()
        routes.web.get(ReportsRoute.index, use: reports.index)
        routes.web.get(ReportsRoute.request(nil), use: reports.show)
        routes.web.post(ReportsRoute.requestSave(nil), use: reports.save)
        routes.web.post(ReportsRoute.requestReview(nil), use: reports.review)
        routes.web.post(ReportsRoute.requestUrge(nil), use: reports.urge)
        routes.web.get(ReportsRoute.requestDocx(nil), use: reports.docx)
        routes.web.post(ReportsRoute.requestFiles(nil), use: reports.upload)
        routes.web.get(ReportsRoute.requestFile(nil, nil), use: reports.download)
        let regimes = RegimeController()
        let staff = routes.web.grouped(RequireRoleMiddleware(.admin, .specialist))
        staff.get(ReportsRoute.regimeNew, use: regimes.new)
        staff.post(ReportsRoute.regimeCreate, use: regimes.create)
        staff.get(ReportsRoute.regimeEdit(nil), use: regimes.edit)
        staff.post(ReportsRoute.regimeUpdate(nil), use: regimes.update)
        let templates = TemplateController()
        staff.get(ReportsRoute.templates, use: templates.index)
        staff.get(ReportsRoute.templateNew, use: templates.new)
        staff.post(ReportsRoute.templateCreate, use: templates.create)
        staff.get(ReportsRoute.templateEdit(nil), use: templates.edit)
        staff.post(ReportsRoute.templateUpdate(nil), use: templates.update)
        routes.web.get(ReportsRoute.regime(nil), use: regimes.show)
        routes.web.post(ReportsRoute.regimeOpen(nil), use: regimes.open)
        routes.web.post(ReportsRoute.regimeAdHoc(nil), use: regimes.adHoc)
        routes.web.get(ReportsRoute.compliance(nil), use: regimes.compliance)
        let consolidation = ConsolidationController()
        routes.web.get(ReportsRoute.consolidation(nil), use: consolidation.show)
        routes.web.get(ReportsRoute.consolidationDocx(nil), use: consolidation.docx)
        routes.web.get(ReportsRoute.consolidationXLSX(nil), use: consolidation.xlsx)
        routes.web.post(ReportsRoute.consolidationDraft(nil), use: consolidation.draftOwn)
        let api = ReportAPI()
        routes.api.get(ReportsRoute.apiRegimes, use: api.regimes)
        routes.api.get(ReportsRoute.apiRequests, use: api.requests)
        routes.api.get(ReportsRoute.apiRequest(nil), use: api.show)
        routes.api.post(ReportsRoute.apiSubmit(nil), use: api.submit)
        routes.api.get(ReportsRoute.apiConsolidation(nil), use: api.consolidation)
    }

    /// From the requests to one, its submission (with its version) and its period's consolidation.
    public var openAPILinks: [OpenAPILink] {
        [
            OpenAPILink("firstRequest", from: "get /api/v1/reports/requests", to: "get /api/v1/reports/requests/{requestID}", parameters: ["requestID": "$response.body#/items/0/id"]),
            OpenAPILink("consolidation", from: "get /api/v1/reports/requests", to: "get /api/v1/reports/periods/{periodID}/consolidation", parameters: ["periodID": "$response.body#/items/0/periodId"]),
            OpenAPILink("submit", from: "get /api/v1/reports/requests/{requestID}", to: "post /api/v1/reports/requests/{requestID}/submit", parameters: ["requestID": "$request.path.requestID"], body: ["version": "$response.body#/version"]),
            OpenAPILink("requestUnit", from: "get /api/v1/reports/requests/{requestID}", to: "get /api/v1/units/{unitID}", parameters: ["unitID": "$response.body#/unitId"]),
        ]
    }

    public var openAPIPaths: [String: JSON] { ReportAPI.paths }
    public var openAPISchemas: [String: JSON] { ReportAPI.schemas }
}
