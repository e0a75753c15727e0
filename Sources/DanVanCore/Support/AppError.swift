import Foundation
import Vapor

/// Every failure the app reports to a user: one type, mapped to a Vietnamese message and the
/// right HTTP status by the error middleware.
public enum AppError: Error, Sendable, Equatable {
    /// 400, with a localisation key for the message.
    case badRequest(String)
    /// 401.
    case unauthenticated
    /// 403.
    case forbidden
    /// 403: the CSRF token is missing or wrong.
    case csrf
    /// 404: also used for records outside the user's scope, so their existence is not revealed.
    case notFound
    /// 409, with a localisation key.
    case conflict(String)
    /// 429, with the message already formatted.
    case tooManyRequests(String)
    /// 503.
    case unavailable
    /// Any 4xx with a message already formatted (it names a line, a question, a limit).
    case rejected(HTTPResponseStatus, String)

    /// The HTTP status.
    public var status: HTTPResponseStatus {
        switch self {
        case .badRequest: return .badRequest
        case .unauthenticated: return .unauthorized
        case .forbidden, .csrf: return .forbidden
        case .notFound: return .notFound
        case .conflict: return .conflict
        case .tooManyRequests: return .tooManyRequests
        case .unavailable: return .serviceUnavailable
        case .rejected(let status, _): return status
        }
    }

    /// The message shown to the user.
    public func message(_ locale: L10n.Locale = .vi) -> String {
        switch self {
        case .badRequest(let key): return L10n.text(key, locale)
        case .unauthenticated: return L10n.text("error.401", locale)
        case .forbidden: return L10n.text("error.403", locale)
        case .csrf: return L10n.text("error.csrf", locale)
        case .notFound: return L10n.text("error.404", locale)
        case .conflict(let key): return L10n.text(key, locale)
        case .tooManyRequests(let message): return message
        case .unavailable: return L10n.text("error.503", locale)
        case .rejected(_, let message): return message
        }
    }
}
