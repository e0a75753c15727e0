import Fluent
import Leaf
import Foundation
import Vapor

/// Restores the signed-in user from the session. A session whose user was disabled, or whose
/// password changed since (session version), no longer signs anyone in.
public struct SessionUserMiddleware: AsyncMiddleware {
    /// Creates the middleware.
    public init() {}

    /// Logs the session's user in, if still valid.
    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        request.storage[SessionsReadyKey.self] = true
        if let cookie = request.incomingCookies[request.application.sessions.configuration.cookieName],
           let id = request.session.data["uid"].flatMap(UUID.init(uuidString:)),
           let version = request.session.data["ver"].flatMap(Int.init),
           let user = try await Self.user(id, session: cookie.string, on: request) {
            if user.isActive, user.sessionVersion == version {
                request.auth.login(user)
            } else {
                request.session.data["uid"] = nil
                request.session.data["ver"] = nil
            }
        }
        return try await next.respond(to: request)
    }

    /// The session's user: a copy of the one the session cache kept, or read from the database
    /// (and kept with the session for the next requests).
    static func user(_ id: UUID, session key: String, on request: Request) async throws -> User? {
        let read = request.storage[SessionCacheReadKey.self]
        if let cached = read?.user, cached.id == id { return cached.requestCopy() }
        guard let user = try await User.find(id, on: request.db) else { return nil }
        if let read { request.application.sessionCache.attach(user.requestCopy(), to: key, generation: read.generation) }
        return user
    }
}

/// Authenticates API calls that carry `Authorization: Bearer <token>`.
public struct BearerTokenMiddleware: AsyncMiddleware {
    /// Creates the middleware.
    public init() {}

    /// Logs the token's owner in; a token that is unknown or revoked gives 401.
    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let bearer = request.headers.bearerAuthorization else {
            return try await next.respond(to: request)
        }
        guard let token = try await APIToken.query(on: request.db)
            .filter(\.$tokenHash == APIToken.hash(bearer.token))
            .filter(\.$revokedAt == nil)
            .with(\.$user)
            .first(),
            token.user.isActive
        else { throw AppError.unauthenticated }
        request.auth.login(token.user)
        // One write a minute at most: enough to show "last used" without a write per call.
        if (token.lastUsedAt.map { request.now.timeIntervalSince($0) > 60 } ?? true) {
            token.lastUsedAt = request.now
            try await token.update(on: request.db)
        }
        return try await next.respond(to: request)
    }
}

/// Lets only signed-in users through. Web pages redirect to the login page; the API answers
/// 401. A user whose password was reset is sent to change it first.
public struct RequireUserMiddleware: AsyncMiddleware {
    let api: Bool

    /// `api`: answer 401 instead of redirecting.
    public init(api: Bool) { self.api = api }

    /// Checks the user.
    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let user = request.currentUser else {
            if api || request.method != .GET { throw AppError.unauthenticated }
            let target = request.url.path + (request.url.query.map { "?" + $0 } ?? "")
            return request.redirect(to: "/login?next=" + (target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
        }
        if !api, user.mustChangePassword, !request.url.path.hasPrefix("/account"), request.url.path != "/logout" {
            request.flash(.warning, request.t("auth.mustChange"))
            return request.redirect(to: "/account")
        }
        return try await next.respond(to: request)
    }
}

/// Lets only the given roles through (403 otherwise).
public struct RequireRoleMiddleware: AsyncMiddleware {
    let roles: Set<Role>

    /// Allows `roles`.
    public init(_ roles: Role...) { self.roles = Set(roles) }

    /// Checks the role.
    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let user = request.currentUser, roles.contains(user.role) else { throw AppError.forbidden }
        return try await next.respond(to: request)
    }
}

/// Checks the CSRF token of every state-changing request: the `_csrf` form field or the
/// `X-CSRF-Token` header must equal the session's token, or, for a visitor whose session holds
/// none (anonymous visitors have no session at all), the signed token of the `danvan_csrf`
/// cookie (a signed double-submit token: a third-party site can neither read the cookie nor
/// make one the server signed). API calls with a bearer token, or without a session cookie,
/// give a third-party site nothing to ride on, so they are exempt.
public struct CSRFMiddleware: AsyncMiddleware {
    /// Creates the middleware.
    public init() {}

    /// Checks the token.
    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        switch request.method {
        case .GET, .HEAD, .OPTIONS:
            return try await next.respond(to: request)
        default:
            break
        }
        if request.headers.bearerAuthorization != nil, request.url.path.hasPrefix("/api/") {
            return try await next.respond(to: request)
        }
        // A cross-site forgery rides on the session cookie. An API call that carries none
        // (the contest's public API, authenticated by a participant token header, or nothing)
        // has nothing to ride on; without a cookie the staff API answers 401 anyway.
        if request.url.path.hasPrefix("/api/"), request.incomingCookies[request.application.sessions.configuration.cookieName] == nil {
            return try await next.respond(to: request)
        }
        guard request.sessionsReady else { throw AppError.csrf }
        var sent = request.headers.first(name: "X-CSRF-Token")
        if sent == nil {
            if request.body.data == nil {
                _ = try await request.body.collect(max: request.application.routes.defaultMaxBodySize.value).get()
            }
            sent = try? request.content.get(String.self, at: "_csrf")
        }
        guard let sent else { throw AppError.csrf }
        if request.hasSession, let expected = request.session.data["csrf"] {
            guard Self.constantTimeEqual(sent, expected) else { throw AppError.csrf }
        } else {
            guard let cookie = request.incomingCookies[CSRFCookie.name]?.string, Self.constantTimeEqual(sent, cookie),
                  CSRFCookie.isSigned(cookie, key: request.application.config.signingKey) else { throw AppError.csrf }
        }
        return try await next.respond(to: request)
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}

struct SessionsReadyKey: StorageKey { typealias Value = Bool }

extension Request {
    /// Whether the sessions middleware has run for this request (an error raised before it,
    /// e.g. by the static file middleware, renders its page without a session).
    public var sessionsReady: Bool { storage[SessionsReadyKey.self] ?? false }

    /// The CSRF token forms carry: the session's, or else the visitor's signed `danvan_csrf`
    /// cookie token (issued on first use; `CSRFCookie.middleware` sends the cookie). Reading it
    /// never creates or changes a session.
    public var csrfToken: String {
        if hasSession, let token = session.data["csrf"] { return token }
        if let issued = storage[CSRFCookie.IssuedKey.self] { return issued }
        if let cookie = incomingCookies[CSRFCookie.name]?.string, CSRFCookie.isSigned(cookie, key: application.config.signingKey) {
            return cookie
        }
        let token = CSRFCookie.make(key: application.config.signingKey)
        storage[CSRFCookie.IssuedKey.self] = token
        return token
    }

    /// The token `csrfToken` gives when it already has one (the session's, one issued during
    /// this request, the visitor's cookie), without issuing one.
    var knownCSRFToken: String? {
        if hasSession, let token = session.data["csrf"] { return token }
        return storage[CSRFCookie.IssuedKey.self] ?? incomingCookies[CSRFCookie.name]?.string
    }
}

/// The signed double-submit token of visitors without a session: `<nonce>.<HMAC-SHA256(nonce)>`
/// under the app's signing key, in an HttpOnly cookie and in each form.
public enum CSRFCookie {
    /// The cookie's name.
    public static let name = "danvan_csrf"

    struct IssuedKey: StorageKey { typealias Value = String }

    /// A new signed token.
    static func make(key: SymmetricKey) -> String {
        let nonce = Hex.string([UInt8].random(count: 16))
        return nonce + "." + signature(nonce, key: key)
    }

    /// Whether `token` carries a valid signature under `key`.
    static func isSigned(_ token: String, key: SymmetricKey) -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 32 else { return false }
        return CSRFMiddleware.constantTimeEqual(String(parts[1]), signature(String(parts[0]), key: key))
    }

    private static func signature(_ nonce: String, key: SymmetricKey) -> String {
        Hex.string(Array(HMAC<SHA256>.authenticationCode(for: Array(nonce.utf8), using: key)))
    }

    /// Sends the cookie of a token issued while the request was answered.
    public struct Middleware: AsyncMiddleware {
        /// Creates the middleware.
        public init() {}

        public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
            let response = try await next.respond(to: request)
            if let token = request.storage[IssuedKey.self] {
                response.cookies[CSRFCookie.name] = HTTPCookies.Value(
                    string: token, maxAge: 12 * 3600, path: "/", isSecure: request.application.config.secureCookies, isHTTPOnly: true, sameSite: .lax
                )
            }
            return response
        }
    }
}

/// `#csrf()` in a view: the hidden form field that carries the request's CSRF token, the one
/// way every form sends it.
public struct CSRFFieldTag: UnsafeUnescapedLeafTag {
    /// Creates the tag.
    public init() {}

    /// Renders `<input type="hidden" name="_csrf" value="…">` (empty outside a session).
    public func render(_ ctx: LeafContext) throws -> LeafData {
        let request = ctx.userInfo["request"] as? Request
        let token = request.flatMap { $0.sessionsReady ? $0.csrfToken : nil } ?? ""
        return .string(#"<input type="hidden" name="_csrf" value=""# + token + #"">"#)
    }
}

/// Security headers on every response: a CSP that allows no inline script, no framing,
/// no MIME sniffing, a strict referrer policy.
public struct SecurityHeadersMiddleware: AsyncMiddleware {
    /// Creates the middleware.
    public init() {}

    /// Adds the headers.
    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        response.headers.replaceOrAdd(
            name: "Content-Security-Policy",
            value: "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
        )
        // The id Vapor puts in every log line of this request (`request-id`), so an operator
        // finds a user's failed request from what the page or the API showed them.
        response.headers.replaceOrAdd(name: "X-Request-Id", value: request.id)
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        response.headers.replaceOrAdd(name: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()")
        if request.application.config.secureCookies {
            response.headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=31536000")
        }
        return response
    }
}
