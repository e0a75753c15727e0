import DanVanCore
import Foundation

/// The quiz module's paths: public pages (`/thi`, Vietnamese words people can read and type),
/// organiser pages (`/quiz`) and the API (`/api/v1/quiz`).
public enum QuizRoute: NamedSiteRoute, Equatable {
    // Public pages.
    case site
    case landing(String?), register(String?), login(String?), logout(String?)
    case start(String?, Int?), leaderboard(String?, Int?), answerKey(String?, Int?)
    case attempt(String?, UUID?), result(String?, UUID?)
    // Organiser pages.
    case admin, newContest
    case bankTemplate(String?)
    case contest(UUID?), editContest(UUID?), bank(UUID?), newRound(UUID?), participation(UUID?), headcounts(UUID?), flags(UUID?)
    case round(UUID?, Int?), editRound(UUID?, Int?), draw(UUID?, Int?), publish(UUID?, Int?), close(UUID?, Int?)
    case results(UUID?, Int?, String?)
    case participationExport(UUID?, String?)
    case urge(UUID?, UUID?), flag(UUID?, UUID?)
    // Public API.
    case apiContest(String?), apiParticipants(String?), apiSessions(String?)
    case apiAttempts(UUID?), apiLeaderboard(UUID?), apiAttempt(UUID?), apiSubmission(UUID?)
    // Organiser API.
    case apiAdminContests
    case apiAdminParticipation(UUID?), apiAdminResults(UUID?), apiAdminClose(UUID?)

    /// Views name these routes `quiz.<case>`.
    public static let namePrefix = "quiz"

    /// Every case, parameters empty.
    public static let patterns: [Self] = [
        .site, .landing(nil), .register(nil), .login(nil), .logout(nil), .start(nil, nil), .leaderboard(nil, nil),
        .answerKey(nil, nil), .attempt(nil, nil), .result(nil, nil), .admin, .newContest, .bankTemplate(nil),
        .contest(nil), .editContest(nil), .bank(nil), .newRound(nil), .participation(nil), .headcounts(nil),
        .flags(nil), .round(nil, nil), .editRound(nil, nil), .draw(nil, nil), .publish(nil, nil), .close(nil, nil),
        .results(nil, nil, nil), .participationExport(nil, nil), .urge(nil, nil), .flag(nil, nil), .apiContest(nil),
        .apiParticipants(nil), .apiSessions(nil), .apiAttempts(nil), .apiLeaderboard(nil), .apiAttempt(nil),
        .apiSubmission(nil), .apiAdminContests, .apiAdminParticipation(nil), .apiAdminResults(nil),
        .apiAdminClose(nil),
    ]

    /// The path, segment by segment.
    public var segments: [RouteSegment] {
        switch self {
        case .site: words("thi")
        case .landing(let slug): words("thi", .param("slug", slug))
        case .register(let slug): words("thi", .param("slug", slug), "dang-ky")
        case .login(let slug): words("thi", .param("slug", slug), "dang-nhap")
        case .logout(let slug): words("thi", .param("slug", slug), "thoat")
        case .start(let slug, let number): words("thi", .param("slug", slug), "tuan", .param("number", number), "bat-dau")
        case .leaderboard(let slug, let number): words("thi", .param("slug", slug), "tuan", .param("number", number), "xep-hang")
        case .answerKey(let slug, let number): words("thi", .param("slug", slug), "tuan", .param("number", number), "dap-an")
        case .attempt(let slug, let id): words("thi", .param("slug", slug), "bai", .param("attempt", id))
        case .result(let slug, let id): words("thi", .param("slug", slug), "bai", .param("attempt", id), "ket-qua")
        case .admin: words("quiz")
        case .newContest: words("quiz", "new")
        case .bankTemplate(let format): words("quiz", "bank-template", .param("format", format))
        case .contest(let id): words("quiz", .param("contestID", id))
        case .editContest(let id): words("quiz", .param("contestID", id), "edit")
        case .bank(let id): words("quiz", .param("contestID", id), "bank")
        case .newRound(let id): words("quiz", .param("contestID", id), "rounds", "new")
        case .participation(let id): words("quiz", .param("contestID", id), "participation")
        case .headcounts(let id): words("quiz", .param("contestID", id), "participation", "headcounts")
        case .flags(let id): words("quiz", .param("contestID", id), "flags")
        case .round(let id, let number): words("quiz", .param("contestID", id), "rounds", .param("number", number))
        case .editRound(let id, let number): words("quiz", .param("contestID", id), "rounds", .param("number", number), "edit")
        case .draw(let id, let number): words("quiz", .param("contestID", id), "rounds", .param("number", number), "draw")
        case .publish(let id, let number): words("quiz", .param("contestID", id), "rounds", .param("number", number), "publish")
        case .close(let id, let number): words("quiz", .param("contestID", id), "rounds", .param("number", number), "close")
        case .results(let id, let number, let format):
            words("quiz", .param("contestID", id), "rounds", .param("number", number), "results", .param("format", format))
        case .participationExport(let id, let format): words("quiz", .param("contestID", id), "participation", "export", .param("format", format))
        case .urge(let id, let unit): words("quiz", .param("contestID", id), "participation", "urge", .param("unitID", unit))
        case .flag(let id, let flag): words("quiz", .param("contestID", id), "flags", .param("flagID", flag))
        case .apiContest(let slug): words("api", "v1", "quiz", "contests", .param("slug", slug))
        case .apiParticipants(let slug): words("api", "v1", "quiz", "contests", .param("slug", slug), "participants")
        case .apiSessions(let slug): words("api", "v1", "quiz", "contests", .param("slug", slug), "sessions")
        case .apiAttempts(let id): words("api", "v1", "quiz", "rounds", .param("roundID", id), "attempts")
        case .apiLeaderboard(let id): words("api", "v1", "quiz", "rounds", .param("roundID", id), "leaderboard")
        case .apiAttempt(let id): words("api", "v1", "quiz", "attempts", .param("attemptID", id))
        case .apiSubmission(let id): words("api", "v1", "quiz", "attempts", .param("attemptID", id), "submission")
        case .apiAdminContests: words("api", "v1", "quiz", "admin", "contests")
        case .apiAdminParticipation(let id): words("api", "v1", "quiz", "admin", "contests", .param("contestID", id), "participation")
        case .apiAdminResults(let id): words("api", "v1", "quiz", "admin", "rounds", .param("roundID", id), "results")
        case .apiAdminClose(let id): words("api", "v1", "quiz", "admin", "rounds", .param("roundID", id), "close")
        }
    }
}
