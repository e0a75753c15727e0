import DanVanCore
import Foundation

/// The "Dân vận khéo" module's paths.
public enum EmulationRoute: NamedSiteRoute, Equatable {
    case index, registerXLSX, decisionDocx, modelNew, modelCreate
    case model(UUID?), modelNote(UUID?), modelPropose(UUID?), modelAppraise(UUID?), modelDecide(UUID?), modelCommend(UUID?), modelReplicate(UUID?), modelRetire(UUID?)
    case modelFiles(UUID?), modelFile(UUID?, UUID?), certificate(UUID?), replicationResult(UUID?)
    case appraisals, appraisalsXLSX, appraisal(UUID?), appraisalScore(UUID?), appraisalClose(UUID?), appraisalRecuse(UUID?), appraisalMinutes(UUID?), appraisalFile(UUID?, UUID?)
    case democracy, democracyUnit(UUID?), democracySave(UUID?), democracyAppraise(UUID?), democracyFile(UUID?, UUID?)
    case contests, contestCreate, contest(UUID?), contestEntry(UUID?), contestRound(UUID?), contestPublish(UUID?), entryFile(UUID?, UUID?)
    case targets, unitHistory(UUID?), settings, settingsYear, settingsSet, settingsCouncil, settingsDefaults, settingsCopy
    case showcase, showcaseModel(UUID?), showcasePhoto(UUID?, UUID?), showcaseContest(UUID?)
    case apiModels, apiModel(UUID?), apiTargets

    /// Views name these routes `emulation.<case>`.
    public static let namePrefix = "emulation"

    /// Every case, parameters empty.
    public static let patterns: [Self] = [
        .index, .registerXLSX, .decisionDocx, .modelNew, .modelCreate,
        .model(nil), .modelNote(nil), .modelPropose(nil), .modelAppraise(nil), .modelDecide(nil), .modelCommend(nil), .modelReplicate(nil), .modelRetire(nil),
        .modelFiles(nil), .modelFile(nil, nil), .certificate(nil), .replicationResult(nil),
        .appraisals, .appraisalsXLSX, .appraisal(nil), .appraisalScore(nil), .appraisalClose(nil), .appraisalRecuse(nil), .appraisalMinutes(nil), .appraisalFile(nil, nil),
        .democracy, .democracyUnit(nil), .democracySave(nil), .democracyAppraise(nil), .democracyFile(nil, nil),
        .contests, .contestCreate, .contest(nil), .contestEntry(nil), .contestRound(nil), .contestPublish(nil), .entryFile(nil, nil),
        .targets, .unitHistory(nil), .settings, .settingsYear, .settingsSet, .settingsCouncil, .settingsDefaults, .settingsCopy,
        .showcase, .showcaseModel(nil), .showcasePhoto(nil, nil), .showcaseContest(nil),
        .apiModels, .apiModel(nil), .apiTargets,
    ]

    /// The path, segment by segment.
    public var segments: [RouteSegment] {
        switch self {
        case .index: words("emulation")
        case .registerXLSX: words("emulation", "register.xlsx")
        case .decisionDocx: words("emulation", "decision.docx")
        case .modelNew: words("emulation", "models", "new")
        case .modelCreate: words("emulation", "models")
        case .model(let id): words("emulation", "models", .param("modelID", id))
        case .modelNote(let id): words("emulation", "models", .param("modelID", id), "notes")
        case .modelPropose(let id): words("emulation", "models", .param("modelID", id), "propose")
        case .modelAppraise(let id): words("emulation", "models", .param("modelID", id), "appraise")
        case .modelDecide(let id): words("emulation", "models", .param("modelID", id), "decide")
        case .modelCommend(let id): words("emulation", "models", .param("modelID", id), "commend")
        case .modelReplicate(let id): words("emulation", "models", .param("modelID", id), "replicate")
        case .modelRetire(let id): words("emulation", "models", .param("modelID", id), "retire")
        case .modelFiles(let id): words("emulation", "models", .param("modelID", id), "files")
        case .modelFile(let id, let file): words("emulation", "models", .param("modelID", id), "files", .param("fileID", file))
        case .certificate(let id): words("emulation", "models", .param("modelID", id), "certificate")
        case .replicationResult(let id): words("emulation", "replications", .param("replicationID", id))
        case .appraisals: words("emulation", "appraisals")
        case .appraisalsXLSX: words("emulation", "appraisals.xlsx")
        case .appraisal(let id): words("emulation", "appraisals", .param("appraisalID", id))
        case .appraisalScore(let id): words("emulation", "appraisals", .param("appraisalID", id), "score")
        case .appraisalClose(let id): words("emulation", "appraisals", .param("appraisalID", id), "close")
        case .appraisalRecuse(let id): words("emulation", "appraisals", .param("appraisalID", id), "recuse")
        case .appraisalMinutes(let id): words("emulation", "appraisals", .param("appraisalID", id), "minutes")
        case .appraisalFile(let id, let file): words("emulation", "appraisals", .param("appraisalID", id), "files", .param("fileID", file))
        case .democracy: words("emulation", "democracy")
        case .democracyUnit(let id): words("emulation", "democracy", .param("unitID", id))
        case .democracySave(let id): words("emulation", "democracy", .param("unitID", id), "save")
        case .democracyAppraise(let id): words("emulation", "democracy", .param("unitID", id), "appraise")
        case .democracyFile(let id, let file): words("emulation", "democracy", .param("unitID", id), "files", .param("fileID", file))
        case .contests: words("emulation", "contests")
        case .contestCreate: words("emulation", "contests", "create")
        case .contest(let id): words("emulation", "contests", .param("contestID", id))
        case .contestEntry(let id): words("emulation", "contests", .param("contestID", id), "entries")
        case .contestRound(let id): words("emulation", "contests", .param("contestID", id), "round")
        case .contestPublish(let id): words("emulation", "contests", .param("contestID", id), "publish")
        case .entryFile(let id, let file): words("emulation", "entries", .param("entryID", id), "files", .param("fileID", file))
        case .targets: words("emulation", "targets")
        case .unitHistory(let id): words("emulation", "units", .param("unitID", id))
        case .settings: words("emulation", "settings")
        case .settingsYear: words("emulation", "settings", "year")
        case .settingsSet: words("emulation", "settings", "sets")
        case .settingsCouncil: words("emulation", "settings", "councils")
        case .settingsDefaults: words("emulation", "settings", "defaults")
        case .settingsCopy: words("emulation", "settings", "copy")
        case .showcase: words("dan-van-kheo")
        case .showcaseModel(let id): words("dan-van-kheo", .param("modelID", id))
        case .showcasePhoto(let id, let file): words("dan-van-kheo", .param("modelID", id), "anh", .param("fileID", file))
        case .showcaseContest(let id): words("dan-van-kheo", "cuoc-thi", .param("contestID", id))
        case .apiModels: words("api", "v1", "emulation", "models")
        case .apiModel(let id): words("api", "v1", "emulation", "models", .param("modelID", id))
        case .apiTargets: words("api", "v1", "emulation", "targets")
        }
    }
}
