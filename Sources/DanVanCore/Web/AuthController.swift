import DanVanText
import Fluent
import Vapor

/// Login, logout, and the user's own account (password, API tokens).
struct AuthController {
    struct LoginForm: Content {
        var username: String?
        var password: String?
        var next: String?
    }

    struct LoginContext: Encodable, Sendable {
        let username: String
        let next: String
        let error: String?
    }

    func loginPage(_ req: Request) async throws -> Response {
        if req.currentUser != nil { return req.redirect(to: "/") }
        let next = (try? req.query.get(String.self, at: "next")) ?? "/"
        return try await req.render("auth/login", title: req.t("auth.loginTitle"), LoginContext(username: "", next: safeNext(next), error: nil))
    }

    func login(_ req: Request) async throws -> Response {
        let form = try req.content.decode(LoginForm.self)
        let username = VietnameseText.clean(form.username ?? "")
        let next = safeNext(form.next ?? "/")
        let outcome = try await UserService.login(
            username: username, password: form.password ?? "", address: req.clientAddress, app: req.application, on: req.db
        )
        let message: String
        let status: HTTPResponseStatus
        switch outcome {
        case .success(let id):
            guard let user = try await User.find(id, on: req.db) else { throw AppError.unauthenticated }
            // A fresh session id on login, so a session id planted before login is worthless.
            let oldID = req.session.id
            // The token of the login form goes on in the new session, so open pages still post.
            let csrf = req.csrfToken
            req.session.id = nil
            if let oldID { try await req.application.sessions.driver.deleteSession(oldID, for: req).get() }
            req.session.data["uid"] = id.uuidString
            req.session.data["ver"] = String(user.sessionVersion)
            req.session.data["csrf"] = csrf
            return req.redirect(to: next)
        case .invalid:
            message = req.t("auth.invalid")
            status = .unauthorized
        case .disabled:
            message = req.t("auth.disabled")
            status = .forbidden
        case .throttled(let minutes):
            message = req.t("auth.throttled", String(minutes))
            status = .tooManyRequests
        }
        return try await req.render("auth/login", title: req.t("auth.loginTitle"), LoginContext(username: username, next: next, error: message), status: status)
    }

    func logout(_ req: Request) async throws -> Response {
        if let user = req.currentUser {
            try await req.audit("logout", "user", id: user.id, summary: L10n.text("core.dang_xuat"))
        }
        req.auth.logout(User.self)
        req.session.destroy()
        return req.redirect(to: "/login")
    }

    /// Only same-site paths are followed after login (no open redirect).
    private func safeNext(_ next: String) -> String {
        guard next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\") else { return "/" }
        return next
    }
}

/// The signed-in user's own account page.
struct AccountController {
    struct PasswordForm: Content {
        var currentPassword: String?
        var newPassword: String?
        var confirmPassword: String?
    }

    struct TokenForm: Content {
        var name: String?
    }

    struct TokenRow: Encodable, Sendable {
        let id: String
        let name: String
        let createdAt: String
        let lastUsedAt: String
        let revoked: Bool
    }

    struct AccountContext: Encodable, Sendable {
        let username: String
        let fullName: String
        let roleLabel: String
        let unitName: String
        let mustChange: Bool
        let errors: FormErrors
        let tokens: [TokenRow]
        let newToken: String?
        let tokenName: String
    }

    func show(_ req: Request) async throws -> Response {
        try await page(req, errors: FormErrors(), newToken: nil, tokenName: "")
    }

    func page(_ req: Request, errors: FormErrors, newToken: String?, tokenName: String, status: HTTPResponseStatus = .ok) async throws -> Response {
        let user = try req.requireUser()
        let unit = try await req.currentUnit()
        let tokens = try await APIToken.query(on: req.db).filter(\.$user.$id == user.requireID()).sort(\.$createdAt, .descending).all()
        let context = AccountContext(
            username: user.username, fullName: user.fullName, roleLabel: user.role.label, unitName: unit.name,
            mustChange: user.mustChangePassword, errors: errors,
            tokens: tokens.map {
                TokenRow(id: $0.id?.uuidString ?? "", name: $0.name, createdAt: VNFormat.dateTime($0.createdAt), lastUsedAt: VNFormat.dateTime($0.lastUsedAt), revoked: $0.revokedAt != nil)
            },
            newToken: newToken, tokenName: tokenName
        )
        return try await req.render("account/show", title: req.t("account.title"), context, status: status)
    }

    func changePassword(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let form = try req.content.decode(PasswordForm.self)
        var errors = FormErrors()
        let new = form.newPassword ?? ""
        if !(try await Passwords.verify(form.currentPassword ?? "", hash: user.passwordHash, on: req.application)) {
            errors.add("currentPassword", "account.wrongCurrent")
        }
        if let problem = Passwords.problem(new: new, confirm: form.confirmPassword ?? "") {
            errors.add(problem == "account.mismatch" ? "confirmPassword" : "newPassword", problem)
        } else if new == form.currentPassword {
            errors.add("newPassword", "account.sameAsOld")
        }
        guard errors.isEmpty else { return try await page(req, errors: errors, newToken: nil, tokenName: "", status: .unprocessableEntity) }
        // The signed-in user may come from the session cache: change the stored account.
        guard let stored = try await User.find(user.requireID(), on: req.db) else { throw AppError.unauthenticated }
        try await UserService.setPassword(stored, to: new, byAdministrator: false, actor: req.actor, app: req.application, on: req.db)
        user.sessionVersion = stored.sessionVersion
        // Keep this session; the version bump ended the others.
        req.session.data["ver"] = String(user.sessionVersion)
        req.flash(.success, req.t("account.passwordChanged"))
        return req.redirect(to: "/account")
    }

    func createToken(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let form = try req.content.decode(TokenForm.self)
        let name = VietnameseText.clean(form.name ?? "")
        var errors = FormErrors()
        if name.isEmpty { errors.add("tokenName", "common.required") } else if name.count > 80 { errors.add("tokenName", "common.tooLong", "80") }
        guard errors.isEmpty else { return try await page(req, errors: errors, newToken: nil, tokenName: name, status: .unprocessableEntity) }
        let token = APIToken.generate()
        let record = APIToken(userID: try user.requireID(), name: name, tokenHash: APIToken.hash(token))
        try await req.db.transaction { db in
            try await record.create(on: db)
            try await req.audit(on: db, "create", "api_token", id: record.id, summary: L10n.format("core.tao_khoa_api", ["\(name)"]))
        }
        return try await page(req, errors: FormErrors(), newToken: token, tokenName: "")
    }

    func revokeToken(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard let id = req.parameters.get("tokenID", as: UUID.self),
              let token = try await APIToken.query(on: req.db).filter(\.$id == id).filter(\.$user.$id == user.requireID()).first()
        else { throw AppError.notFound }
        if token.revokedAt == nil {
            token.revokedAt = req.now
            try await req.db.transaction { db in
                try await token.update(on: db)
                try await req.audit(on: db, "update", "api_token", id: token.id, summary: L10n.format("core.thu_hoi_khoa_api", ["\(token.name)"]))
            }
        }
        req.flash(.success, req.t("account.revoked"))
        return req.redirect(to: "/account")
    }
}
