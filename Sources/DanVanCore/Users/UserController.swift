import DanVanText
import Fluent
import Vapor

/// A user as lists show it.
public struct UserRow: Encodable, Sendable {
    public let id: String
    public let username: String
    public let fullName: String
    public let roleLabel: String
    public let unitName: String
    public let unitID: String
    public let active: Bool
    public let mustChange: Bool
    public let lastLogin: String

    /// A row for `user`; `unit` when known.
    public init(_ user: User) {
        id = user.id?.uuidString ?? ""
        username = user.username
        fullName = user.fullName
        roleLabel = user.role.label
        unitName = user.$unit.value?.name ?? ""
        unitID = user.$unit.id.uuidString
        active = user.isActive
        mustChange = user.mustChangePassword
        lastLogin = VNFormat.dateTime(user.lastLoginAt)
    }
}

/// The user directory (scoped) and, for administrators, account management.
struct UserController {

    struct IndexContext: Encodable, Sendable {
        let rows: [UserRow]
        let query: String
        let canEdit: Bool
    }

    struct ShowContext: Encodable, Sendable {
        let user: UserRow
        let email: String
        let phone: String
        let canEdit: Bool
        let isSelf: Bool
    }

    struct FormContext: Encodable, Sendable {
        let id: String?
        let form: UserForm
        let errors: FormErrors
        let roles: [SelectOption]
        let units: [SelectOption]
        let action: String
        let heading: String
        let creating: Bool
    }

    struct ResetContext: Encodable, Sendable {
        let user: UserRow
        let errors: FormErrors
    }

    struct ResetForm: Content {
        var password: String?
        var confirmPassword: String?
    }

    func index(_ req: Request) async throws -> Response {
        let scope = try await req.scope()
        let query = VietnameseText.clean((try? req.query.get(String.self, at: "q")) ?? "")
        var builder = scope.filter(User.query(on: req.db)).with(\.$unit)
        if !query.isEmpty { builder = builder.filter(\.$searchKey ~~ VietnameseText.fold(query)) }
        if ((try? req.query.get(String.self, at: "mustchange")) ?? "") == "1" { builder = builder.filter(\.$mustChangePassword == true) }
        let users = try await builder.limit(500).all()
        let context = IndexContext(
            rows: VietnameseCollation.sorted(users, by: \.fullName).map(UserRow.init), query: query,
            canEdit: req.currentUser?.role == .admin
        )
        return try await req.render("users/index", title: req.t("user.title"), context)
    }

    /// The user with the route's id if its unit is inside the caller's scope (404 otherwise).
    private func userInScope(_ req: Request) async throws -> User {
        guard let id = req.parameters.get("userID", as: UUID.self),
              let user = try await req.scope().filter(User.query(on: req.db)).filter(\.$id == id).with(\.$unit).first()
        else { throw AppError.notFound }
        return user
    }

    func show(_ req: Request) async throws -> Response {
        let user = try await userInScope(req)
        let context = ShowContext(
            user: UserRow(user), email: user.email ?? "", phone: user.phone ?? "",
            canEdit: req.currentUser?.role == .admin, isSelf: user.id == req.currentUser?.id
        )
        return try await req.render("users/show", title: user.fullName, context)
    }

    func new(_ req: Request) async throws -> Response {
        var form = UserForm(role: Role.focal.rawValue)
        if let unit = try? req.query.get(UUID.self, at: "unit") { form.unitID = unit.uuidString }
        return try await formPage(req, id: nil, form: form, errors: FormErrors())
    }

    func create(_ req: Request) async throws -> Response {
        let form = try req.content.decode(UserForm.self)
        switch try await UserService.create(form, scope: try await req.scope(), actor: req.actor, app: req.application, on: req.db) {
        case .failure(let errors):
            return try await formPage(req, id: nil, form: form.withoutPassword, errors: errors, status: .unprocessableEntity)
        case .success(let user):
            req.flash(.success, req.t("user.saved"))
            return req.redirect(to: "/users/\(try user.requireID())")
        }
    }

    func edit(_ req: Request) async throws -> Response {
        let user = try await userInScope(req)
        return try await formPage(req, id: user.id, form: UserForm(user), errors: FormErrors())
    }

    func update(_ req: Request) async throws -> Response {
        let user = try await userInScope(req)
        let form = try req.content.decode(UserForm.self)
        switch try await UserService.update(user, with: form, scope: try await req.scope(), actor: req.actor, app: req.application, on: req.db) {
        case .failure(let errors):
            return try await formPage(req, id: user.id, form: form.withoutPassword, errors: errors, status: .unprocessableEntity)
        case .success:
            req.flash(.success, req.t("user.saved"))
            return req.redirect(to: "/users/\(try user.requireID())")
        }
    }

    func disable(_ req: Request) async throws -> Response {
        let user = try await userInScope(req)
        guard user.id != req.currentUser?.id else {
            req.flash(.error, req.t("user.cannotDisableSelf"))
            return req.redirect(to: "/users/\(try user.requireID())")
        }
        try await UserService.setActive(user, false, actor: req.actor, at: req.now, on: req.db)
        req.flash(.success, req.t("user.disabledDone"))
        return req.redirect(to: "/users/\(try user.requireID())")
    }

    func enable(_ req: Request) async throws -> Response {
        let user = try await userInScope(req)
        try await UserService.setActive(user, true, actor: req.actor, at: req.now, on: req.db)
        req.flash(.success, req.t("user.enabledDone"))
        return req.redirect(to: "/users/\(try user.requireID())")
    }

    func resetPage(_ req: Request) async throws -> Response {
        let user = try await userInScope(req)
        return try await req.render("users/reset", title: req.t("user.resetPassword"), ResetContext(user: UserRow(user), errors: FormErrors()))
    }

    func reset(_ req: Request) async throws -> Response {
        let user = try await userInScope(req)
        let form = try req.content.decode(ResetForm.self)
        var errors = FormErrors()
        if let problem = Passwords.problem(new: form.password ?? "", confirm: form.confirmPassword ?? "") {
            errors.add(problem == "account.mismatch" ? "confirmPassword" : "password", problem)
        }
        guard errors.isEmpty else {
            return try await req.render("users/reset", title: req.t("user.resetPassword"), ResetContext(user: UserRow(user), errors: errors), status: .unprocessableEntity)
        }
        try await UserService.setPassword(user, to: form.password ?? "", byAdministrator: true, actor: req.actor, app: req.application, on: req.db)
        req.flash(.success, req.t("user.passwordReset"))
        return req.redirect(to: "/users/\(try user.requireID())")
    }

    private func formPage(_ req: Request, id: UUID?, form: UserForm, errors: FormErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let units = try await req.unitTree(in: try await req.scope(), includeEnded: false)
        let context = FormContext(
            id: id?.uuidString, form: form, errors: errors,
            roles: Role.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == form.role) },
            units: SelectOption.units(units, selectedID: form.unitID),
            action: id.map { "/users/\($0)" } ?? "/users",
            heading: id == nil ? req.t("user.new") : (form.fullName ?? ""),
            creating: id == nil
        )
        return try await req.render("users/form", title: context.heading, context, status: status)
    }
}
