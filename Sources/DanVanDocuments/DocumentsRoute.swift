import DanVanCore
import Foundation

/// The documents module's paths.
public enum DocumentsRoute: NamedSiteRoute, Equatable {
    case index, reviews
    case show(UUID?), edit(UUID?), files(UUID?)
    case file(UUID?, UUID?)
    case apiList
    case apiShow(UUID?)

    /// Views name these routes `documents.<case>`.
    public static let namePrefix = "documents"

    /// Every case, parameters empty.
    public static let patterns: [Self] = [
        .index, .reviews, .show(nil), .edit(nil), .files(nil), .file(nil, nil), .apiList, .apiShow(nil),
    ]

    /// The path, segment by segment.
    public var segments: [RouteSegment] {
        switch self {
        case .index: words("documents")
        case .reviews: words("documents", "reviews")
        case .show(let id): words("documents", .param("documentID", id))
        case .edit(let id): words("documents", .param("documentID", id), "edit")
        case .files(let id): words("documents", .param("documentID", id), "files")
        case .file(let id, let file): words("documents", .param("documentID", id), "files", .param("fileID", file))
        case .apiList: words("api", "v1", "documents")
        case .apiShow(let id): words("api", "v1", "documents", .param("documentID", id))
        }
    }
}
