import DanVanCore
import Foundation

/// The reports module's paths.
public enum ReportsRoute: NamedSiteRoute, Equatable {
    case index, regimeNew, regimeCreate, templates, templateNew, templateCreate
    case templateEdit(UUID?), templateUpdate(UUID?)
    case regime(UUID?), regimeOpen(UUID?), regimeAdHoc(UUID?), compliance(UUID?), regimeEdit(UUID?), regimeUpdate(UUID?)
    case request(UUID?), requestSave(UUID?), requestReview(UUID?), requestUrge(UUID?), requestDocx(UUID?), requestFiles(UUID?)
    case requestFile(UUID?, UUID?)
    case consolidation(UUID?), consolidationDocx(UUID?), consolidationXLSX(UUID?), consolidationDraft(UUID?)
    case apiRegimes, apiRequests
    case apiRequest(UUID?), apiSubmit(UUID?), apiConsolidation(UUID?)

    /// Views name these routes `reports.<case>`.
    public static let namePrefix = "reports"

    /// Every case, parameters empty.
    public static let patterns: [Self] = [
        .index, .regimeNew, .regimeCreate, .templates, .templateNew, .templateCreate, .templateEdit(nil), .templateUpdate(nil), .regime(nil), .regimeOpen(nil), .regimeAdHoc(nil), .compliance(nil), .regimeEdit(nil), .regimeUpdate(nil),
        .request(nil), .requestSave(nil), .requestReview(nil), .requestUrge(nil), .requestDocx(nil), .requestFiles(nil), .requestFile(nil, nil),
        .consolidation(nil), .consolidationDocx(nil), .consolidationXLSX(nil), .consolidationDraft(nil),
        .apiRegimes, .apiRequests, .apiRequest(nil), .apiSubmit(nil), .apiConsolidation(nil),
    ]

    /// The path, segment by segment.
    public var segments: [RouteSegment] {
        switch self {
        case .index: words("reports")
        case .regimeNew: words("reports", "regimes", "new")
        case .regimeCreate: words("reports", "regimes")
        case .templates: words("reports", "templates")
        case .templateNew: words("reports", "templates", "new")
        case .templateCreate: words("reports", "templates", "create")
        case .templateEdit(let id): words("reports", "templates", .param("templateID", id))
        case .templateUpdate(let id): words("reports", "templates", .param("templateID", id), "versions")
        case .regime(let id): words("reports", "regimes", .param("regimeID", id))
        case .regimeOpen(let id): words("reports", "regimes", .param("regimeID", id), "open")
        case .regimeAdHoc(let id): words("reports", "regimes", .param("regimeID", id), "ad-hoc")
        case .compliance(let id): words("reports", "regimes", .param("regimeID", id), "compliance")
        case .regimeEdit(let id): words("reports", "regimes", .param("regimeID", id), "edit")
        case .regimeUpdate(let id): words("reports", "regimes", .param("regimeID", id), "update")
        case .request(let id): words("reports", "requests", .param("requestID", id))
        case .requestSave(let id): words("reports", "requests", .param("requestID", id), "save")
        case .requestReview(let id): words("reports", "requests", .param("requestID", id), "review")
        case .requestUrge(let id): words("reports", "requests", .param("requestID", id), "urge")
        case .requestDocx(let id): words("reports", "requests", .param("requestID", id), "report.docx")
        case .requestFiles(let id): words("reports", "requests", .param("requestID", id), "files")
        case .requestFile(let id, let file): words("reports", "requests", .param("requestID", id), "files", .param("fileID", file))
        case .consolidation(let id): words("reports", "periods", .param("periodID", id))
        case .consolidationDocx(let id): words("reports", "periods", .param("periodID", id), "report.docx")
        case .consolidationXLSX(let id): words("reports", "periods", .param("periodID", id), "indicators.xlsx")
        case .consolidationDraft(let id): words("reports", "periods", .param("periodID", id), "own-draft")
        case .apiRegimes: words("api", "v1", "reports", "regimes")
        case .apiRequests: words("api", "v1", "reports", "requests")
        case .apiRequest(let id): words("api", "v1", "reports", "requests", .param("requestID", id))
        case .apiSubmit(let id): words("api", "v1", "reports", "requests", .param("requestID", id), "submit")
        case .apiConsolidation(let id): words("api", "v1", "reports", "periods", .param("periodID", id), "consolidation")
        }
    }
}
