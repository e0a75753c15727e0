import DanVanCore
import Foundation

/// The tasks module's paths, including the registration of a document into tasks (it lives
/// under `/documents/…` because that is where users look for it, but this module owns it).
public enum TasksRoute: NamedSiteRoute, Equatable {
    case index, dashboard, exportXLSX, exportCSV
    case show(UUID?), progress(UUID?), review(UUID?), urge(UUID?), cancel(UUID?)
    case file(UUID?, UUID?)
    case coordinator(UUID?, UUID?)
    case registrationNew, registrationManual, registrationPreview, registrationCreate
    case apiList, apiRegister
    case apiShow(UUID?), apiProgress(UUID?)

    /// Views name these routes `tasks.<case>`.
    public static let namePrefix = "tasks"

    /// Every case, parameters empty.
    public static let patterns: [Self] = [
        .index, .dashboard, .exportXLSX, .exportCSV, .show(nil), .progress(nil), .review(nil), .urge(nil),
        .cancel(nil), .file(nil, nil), .coordinator(nil, nil), .registrationNew, .registrationManual,
        .registrationPreview, .registrationCreate, .apiList, .apiRegister, .apiShow(nil), .apiProgress(nil),
    ]

    /// The path, segment by segment.
    public var segments: [RouteSegment] {
        switch self {
        case .index: words("tasks")
        case .dashboard: words("tasks", "dashboard")
        case .exportXLSX: words("tasks", "export.xlsx")
        case .exportCSV: words("tasks", "export.csv")
        case .show(let id): words("tasks", .param("taskID", id))
        case .progress(let id): words("tasks", .param("taskID", id), "progress")
        case .review(let id): words("tasks", .param("taskID", id), "review")
        case .urge(let id): words("tasks", .param("taskID", id), "urge")
        case .cancel(let id): words("tasks", .param("taskID", id), "cancel")
        case .file(let id, let file): words("tasks", .param("taskID", id), "files", .param("fileID", file))
        case .coordinator(let id, let coordinator): words("tasks", .param("taskID", id), "coordinators", .param("coordinatorID", coordinator))
        case .registrationNew: words("documents", "new")
        case .registrationManual: words("documents", "manual")
        case .registrationPreview: words("documents", "preview")
        case .registrationCreate: words("documents")
        case .apiList: words("api", "v1", "tasks")
        case .apiRegister: words("api", "v1", "documents", "register")
        case .apiShow(let id): words("api", "v1", "tasks", .param("taskID", id))
        case .apiProgress(let id): words("api", "v1", "tasks", .param("taskID", id), "progress")
        }
    }
}
