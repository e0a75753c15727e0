import Foundation
import Vapor

/// Turns every error into a Vietnamese page (or JSON under `/api`) with the right status.
/// Nothing internal — no stack trace, no SQL, no English framework message — reaches the user;
/// unexpected errors are logged with the request id and shown as a calm 500 page.
public struct ErrorPageMiddleware: AsyncMiddleware {
    /// Creates the middleware.
    public init() {}

    /// Catches and renders errors.
    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            return await render(error, for: request)
        }
    }

    /// What a failure means for the user: status and message.
    public static func classify(_ error: any Error, locale: L10n.Locale) -> (HTTPResponseStatus, String) {
        switch error {
        case let error as AppError:
            return (error.status, error.message(locale))
        case is DecodingError:
            return (.badRequest, L10n.text("error.badForm", locale))
        case let error as any AbortError:
            let status = error.status
            let key = "error.\(status.code)"
            if L10n.vi[key] != nil { return (status, L10n.text(key, locale)) }
            return (status, status.code >= 500 ? L10n.text("error.500", locale) : L10n.text("error.400", locale))
        default:
            if databaseUnavailable(error) { return (.serviceUnavailable, L10n.text("error.503", locale)) }
            return (.internalServerError, L10n.text("error.500", locale))
        }
    }

    /// Whether the error says the database cannot be reached right now (a PostgreSQL restart,
    /// a dropped connection, a pool that cannot connect): the request fails with 503 and the next
    /// one, once the database is back, gets a fresh connection from the pool. Matched by the
    /// drivers' type names, which Core does not import.
    static func databaseUnavailable(_ error: any Error) -> Bool {
        let type = String(reflecting: Swift.type(of: error))
        if ["NIOConnectionError", "ChannelError", "IOError", "ConnectionPoolTimeoutError", "ConnectionPoolError"].contains(where: { type.hasSuffix("." + $0) }) { return true }
        guard type.hasSuffix(".PSQLError") || type.hasSuffix(".PostgresError") else { return false }
        // PSQLError's description is deliberately vague (no data leaks into logs); its reflection names the code.
        let text = String(reflecting: error).lowercased()
        return ["connectionclosed", "serverclosedconnection", "connectionerror", "connection closed", "uncleanshutdown", "connectionquiescing", "shutdown", "admin_shutdown", "57p01", "57p03", "cannot_connect_now"]
            .contains(where: text.contains)
    }

    private func render(_ error: any Error, for request: Request) async -> Response {
        let (status, message) = Self.classify(error, locale: request.locale)
        if status == .serviceUnavailable {
            request.logger.warning("503 \(request.method) \(request.url.path): the database does not answer: \(String(reflecting: error))")
        } else if status.code >= 500 {
            request.logger.error("Unexpected error: \(String(reflecting: error))")
        } else {
            request.logger.debug("\(status.code) \(request.method) \(request.url.path): \(String(describing: error))")
        }
        if request.url.path.hasPrefix("/api/") || request.headers.first(name: .accept)?.hasPrefix("application/json") == true {
            let body = ["error": ["status": String(status.code), "message": message, "requestId": request.id]]
            let response = Response(status: status)
            try? response.content.encode(body, as: .json)
            if status == .unauthorized { response.headers.replaceOrAdd(name: .wwwAuthenticate, value: "Bearer") }
            return response
        }
        struct ErrorContext: Encodable, Sendable {
            let status: Int
            let message: String
            /// The request id of the log lines, for the user to quote.
            let reference: String
        }
        do {
            return try await request.render(
                "errors/error", title: request.t("error.title"),
                ErrorContext(status: Int(status.code), message: message, reference: request.id), status: status
            )
        } catch {
            request.logger.error("Could not render the error page: \(String(reflecting: error))")
            let html = L10n.format("core.doctype_html_html_lang_vi_meta", ["\(status.code)", "\(message.htmlEscaped)"])
            var headers = HTTPHeaders()
            headers.contentType = .html
            return Response(status: status, headers: headers, body: .init(string: html))
        }
    }
}
