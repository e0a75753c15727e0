import DanVanCore
import Foundation

/// The citizens module's paths.
public enum CitizensRoute: NamedSiteRoute, Equatable {
    case index, exportXLSX, petitionNew, petitionCreate
    case petition(UUID?), petitionAction(UUID?), petitionIdentity(UUID?), petitionLetter(UUID?), petitionFiles(UUID?), petitionFile(UUID?, UUID?)
    case statistics, statisticsXLSX, statisticsDocx, settings, calendarDay, timeLimit, warningRule
    case meetings, meetingNew, meetingCreate, meeting(UUID?), commitmentKeep(UUID?, UUID?)
    case hotspots, hotspotNew, hotspotCreate, hotspot(UUID?), hotspotUpdate(UUID?), hotspotLink(UUID?), warningDecide(UUID?)
    case clearance, clearanceCreate, clearanceProject(UUID?), clearanceArea(UUID?), clearanceVisit(UUID?), clearanceLink(UUID?)
    case publicForm, publicSubmit, publicLookup, publicStatus, publicAnswer
    case apiPetitions, apiPetition(UUID?), apiStatistics

    /// Views name these routes `citizens.<case>`.
    public static let namePrefix = "citizens"

    /// Every case, parameters empty.
    public static let patterns: [Self] = [
        .index, .exportXLSX, .petitionNew, .petitionCreate, .petition(nil), .petitionAction(nil), .petitionIdentity(nil), .petitionLetter(nil), .petitionFiles(nil), .petitionFile(nil, nil),
        .statistics, .statisticsXLSX, .statisticsDocx, .settings, .calendarDay, .timeLimit, .warningRule,
        .meetings, .meetingNew, .meetingCreate, .meeting(nil), .commitmentKeep(nil, nil),
        .hotspots, .hotspotNew, .hotspotCreate, .hotspot(nil), .hotspotUpdate(nil), .hotspotLink(nil), .warningDecide(nil),
        .clearance, .clearanceCreate, .clearanceProject(nil), .clearanceArea(nil), .clearanceVisit(nil), .clearanceLink(nil),
        .publicForm, .publicSubmit, .publicLookup, .publicStatus, .publicAnswer,
        .apiPetitions, .apiPetition(nil), .apiStatistics,
    ]

    /// The path, segment by segment.
    public var segments: [RouteSegment] {
        switch self {
        case .index: words("citizens")
        case .exportXLSX: words("citizens", "petitions.xlsx")
        case .petitionNew: words("citizens", "petitions", "new")
        case .petitionCreate: words("citizens", "petitions")
        case .petition(let id): words("citizens", "petitions", .param("petitionID", id))
        case .petitionAction(let id): words("citizens", "petitions", .param("petitionID", id), "action")
        case .petitionIdentity(let id): words("citizens", "petitions", .param("petitionID", id), "identity")
        case .petitionLetter(let id): words("citizens", "petitions", .param("petitionID", id), "identity-letter")
        case .petitionFiles(let id): words("citizens", "petitions", .param("petitionID", id), "files")
        case .petitionFile(let id, let file): words("citizens", "petitions", .param("petitionID", id), "files", .param("fileID", file))
        case .statistics: words("citizens", "statistics")
        case .statisticsXLSX: words("citizens", "statistics.xlsx")
        case .statisticsDocx: words("citizens", "statistics.docx")
        case .settings: words("citizens", "settings")
        case .calendarDay: words("citizens", "settings", "calendar")
        case .timeLimit: words("citizens", "settings", "time-limits")
        case .warningRule: words("citizens", "settings", "warning-rules")
        case .meetings: words("citizens", "meetings")
        case .meetingNew: words("citizens", "meetings", "new")
        case .meetingCreate: words("citizens", "meetings", "create")
        case .meeting(let id): words("citizens", "meetings", .param("meetingID", id))
        case .commitmentKeep(let id, let commitment): words("citizens", "meetings", .param("meetingID", id), "commitments", .param("commitmentID", commitment), "kept")
        case .hotspots: words("hotspots")
        case .hotspotNew: words("hotspots", "new")
        case .hotspotCreate: words("hotspots", "create")
        case .hotspot(let id): words("hotspots", .param("hotspotID", id))
        case .hotspotUpdate(let id): words("hotspots", .param("hotspotID", id), "updates")
        case .hotspotLink(let id): words("hotspots", .param("hotspotID", id), "links")
        case .warningDecide(let id): words("hotspots", "warnings", .param("warningID", id), "decide")
        case .clearance: words("citizens", "clearance")
        case .clearanceCreate: words("citizens", "clearance", "create")
        case .clearanceProject(let id): words("citizens", "clearance", .param("projectID", id))
        case .clearanceArea(let id): words("citizens", "clearance", .param("projectID", id), "areas")
        case .clearanceVisit(let id): words("citizens", "clearance", .param("projectID", id), "visits")
        case .clearanceLink(let id): words("citizens", "clearance", .param("projectID", id), "links")
        case .publicForm: words("gop-y")
        case .publicSubmit: words("gop-y", "gui")
        case .publicLookup: words("tra-cuu")
        case .publicStatus: words("tra-cuu", "ket-qua")
        case .publicAnswer: words("tra-cuu", "tra-loi")
        case .apiPetitions: words("api", "v1", "citizens", "petitions")
        case .apiPetition(let id): words("api", "v1", "citizens", "petitions", .param("petitionID", id))
        case .apiStatistics: words("api", "v1", "citizens", "statistics")
        }
    }
}
