import DanVanText
import Fluent
import Foundation
import Vapor

/// The user form, as typed.
public struct UserForm: Content, Sendable {
    public var username: String?
    public var fullName: String?
    public var role: String?
    public var unitID: String?
    public var email: String?
    public var phone: String?
    public var password: String?

    /// An empty form.
    public init(username: String? = nil, fullName: String? = nil, role: String? = nil, unitID: String? = nil, email: String? = nil, phone: String? = nil, password: String? = nil) {
        self.username = username
        self.fullName = fullName
        self.role = role
        self.unitID = unitID
        self.email = email
        self.phone = phone
        self.password = password
    }

    /// The form filled from a stored user (never the password).
    public init(_ user: User) {
        self.init(username: user.username, fullName: user.fullName, role: user.role.rawValue, unitID: user.$unit.id.uuidString, email: user.email, phone: user.phone)
    }

    /// The same form without the password, to show again after a failed save.
    public var withoutPassword: UserForm {
        var copy = self
        copy.password = nil
        return copy
    }
}

/// Account operations: plain functions on a database handle.
public enum UserService {
    /// What a login attempt gave.
    public enum LoginOutcome: Equatable, Sendable {
        case success(UUID)
        case invalid
        case disabled
        case throttled(minutes: Int)
    }

    /// Checks a username and password, with throttling: after `maxLoginFailures` failures for
    /// one account from one address, `maxLoginFailuresPerAccount` for the account from all
    /// addresses, or `maxLoginFailuresPerAddress` from one address inside the window, logins are
    /// refused without checking the password, so guessing is slow even against a weak
    /// password — and a stranger guessing from one address does not lock the owner out.
    public static func login(username rawUsername: String, password: String, address: String, app: Application, on db: any Database) async throws -> LoginOutcome {
        let config = app.config
        let now = app.clock.now()
        let username = VietnameseText.clean(rawUsername).lowercased()
        let windowStart = now.addingTimeInterval(-config.loginWindow)
        let failures = try await LoginAttempt.query(on: db)
            .filter(\.$username == username).filter(\.$succeeded == false).filter(\.$at >= windowStart).all()
        let addressFailures = try await LoginAttempt.query(on: db)
            .filter(\.$address == address).filter(\.$succeeded == false).filter(\.$at >= windowStart).count()
        let fromHere = failures.filter { $0.address == address }
        if fromHere.count >= config.maxLoginFailures || failures.count >= config.maxLoginFailuresPerAccount || addressFailures >= config.maxLoginFailuresPerAddress {
            let oldest = (fromHere.count >= config.maxLoginFailures ? fromHere : failures).map(\.at).min() ?? now
            let minutes = max(1, Int((oldest.addingTimeInterval(config.loginWindow).timeIntervalSince(now) / 60).rounded(.up)))
            return .throttled(minutes: minutes)
        }
        let user = try await User.query(on: db).filter(\.$username == username).first()
        let matches: Bool
        if let user {
            matches = try await Passwords.verify(password, hash: user.passwordHash, on: app)
        } else {
            // Spend the same time as a real check so timing does not reveal which names exist.
            _ = try await Passwords.verify(password, hash: dummyHash, on: app)
            matches = false
        }
        let succeeded = matches && user?.isActive == true
        try await LoginAttempt(username: username, address: address, succeeded: succeeded, at: now).create(on: db)
        guard let user, let id = user.id, matches else {
            try await AuditLog.record(
                on: db, actor: AuditActor(id: user?.id, name: username, address: address), at: now, action: "loginFailed",
                entityType: "user", entityID: user?.id, summary: L10n.format("users.dang_nhap_sai", ["\(username)"])
            )
            return .invalid
        }
        guard user.isActive else { return .disabled }
        user.lastLoginAt = now
        try await user.update(on: db)
        try await AuditLog.record(
            on: db, actor: AuditActor(id: id, name: username, address: address), at: now, action: "login",
            entityType: "user", entityID: id, summary: L10n.text("users.dang_nhap")
        )
        return .success(id)
    }

    /// A bcrypt hash of a random password, used to spend the time of a check for unknown users.
    private static let dummyHash: String = (try? Bcrypt.hash(UUID().uuidString, cost: 10)) ?? ""

    /// Validates the user form. `creating` requires an initial password.
    public static func validate(_ form: UserForm, creating: Bool) -> (FormErrors, username: String, fullName: String, role: Role?, unitID: UUID?) {
        var errors = FormErrors()
        let username = VietnameseText.clean(form.username ?? "").lowercased()
        let fullName = VietnameseText.clean(form.fullName ?? "")
        if username.isEmpty { errors.add("username", "common.required") } else if !User.isValidUsername(username) { errors.add("username", "error.usernameFormat") }
        if fullName.isEmpty { errors.add("fullName", "common.required") } else if fullName.count > 120 { errors.add("fullName", "common.tooLong", "120") }
        let role = Role(rawValue: form.role ?? "")
        if role == nil { errors.add("role", "common.invalidChoice") }
        let unitID = UUID(uuidString: form.unitID ?? "")
        if unitID == nil { errors.add("unitID", "common.required") }
        if (form.email ?? "").count > 120 { errors.add("email", "common.tooLong", "120") }
        if (form.phone ?? "").count > 30 { errors.add("phone", "common.tooLong", "30") }
        if creating, (form.password ?? "").count < Passwords.minimumLength { errors.add("password", "account.tooShort") }
        return (errors, username, fullName, role, unitID)
    }

    /// Creates a user (administrators). The unit must be inside `scope`.
    public static func create(_ form: UserForm, scope: AccessScope, actor: AuditActor, app: Application, on db: any Database) async throws -> Result<User, FormErrors> {
        var (errors, username, fullName, role, unitID) = validate(form, creating: true)
        if let unitID {
            let unit = try await OrgUnit.find(unitID, on: db)
            if unit == nil || !scope.contains(unit!) { errors.add("unitID", "error.outOfScope") }
            else if unit?.isActive == false { errors.add("unitID", "error.unitEnded") }
        }
        if !username.isEmpty, try await User.query(on: db).filter(\.$username == username).count() > 0 {
            errors.add("username", "error.duplicateUsername")
        }
        guard errors.isEmpty, let role, let unitID else { return .failure(errors) }
        let hash = try await Passwords.hash(form.password ?? "", on: app)
        let user = User(username: username, fullName: fullName, passwordHash: hash, role: role, unitID: unitID)
        user.email = blankToNil(form.email)
        user.phone = blankToNil(form.phone)
        user.mustChangePassword = true
        let at = app.clock.now()
        try await db.transaction { db in
            try await user.create(on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "create", entityType: "user", entityID: user.id, summary: L10n.format("users.tao_tai_khoan", ["\(user.username)"]), after: user.auditSnapshot)
        }
        return .success(user)
    }

    /// Updates a user's details (not the password).
    public static func update(_ user: User, with form: UserForm, scope: AccessScope, actor: AuditActor, app: Application, on db: any Database) async throws -> Result<User, FormErrors> {
        var (errors, username, fullName, role, unitID) = validate(form, creating: false)
        if let unitID, unitID != user.$unit.id {
            let unit = try await OrgUnit.find(unitID, on: db)
            if unit == nil || !scope.contains(unit!) { errors.add("unitID", "error.outOfScope") }
            else if unit?.isActive == false { errors.add("unitID", "error.unitEnded") }
        }
        if username != user.username, try await User.query(on: db).filter(\.$username == username).count() > 0 {
            errors.add("username", "error.duplicateUsername")
        }
        guard errors.isEmpty, let role, let unitID else { return .failure(errors) }
        let before = user.auditSnapshot
        user.username = username
        user.fullName = fullName
        user.role = role
        user.$unit.id = unitID
        user.email = blankToNil(form.email)
        user.phone = blankToNil(form.phone)
        user.refreshSearchKey()
        let at = app.clock.now()
        try await db.transaction { db in
            try await user.update(on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "update", entityType: "user", entityID: user.id, summary: L10n.format("users.cap_nhat_tai_khoan", ["\(user.username)"]), before: before, after: user.auditSnapshot)
        }
        return .success(user)
    }

    /// Disables or re-enables an account. Disabling ends its sessions.
    public static func setActive(_ user: User, _ active: Bool, actor: AuditActor, at: Date, on db: any Database) async throws {
        let before = user.auditSnapshot
        user.isActive = active
        if !active { user.sessionVersion += 1 }
        try await db.transaction { db in
            try await user.update(on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "update", entityType: "user", entityID: user.id, summary: (active ? L10n.text("users.mo_khoa") : L10n.text("users.khoa")) + user.username, before: before, after: user.auditSnapshot)
        }
    }

    /// Sets a new password. `byAdministrator` makes the user change it at next login; either
    /// way the user's other sessions end.
    public static func setPassword(_ user: User, to password: String, byAdministrator: Bool, actor: AuditActor, app: Application, on db: any Database) async throws {
        user.passwordHash = try await Passwords.hash(password, on: app)
        user.mustChangePassword = byAdministrator
        user.sessionVersion += 1
        let at = app.clock.now()
        try await db.transaction { db in
            try await user.update(on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "password", entityType: "user", entityID: user.id, summary: byAdministrator ? L10n.format("users.dat_lai_mat_khau_cho", ["\(user.username)"]) : L10n.text("users.doi_mat_khau"))
        }
    }

    static func blankToNil(_ value: String?) -> String? {
        let cleaned = VietnameseText.clean(value ?? "")
        return cleaned.isEmpty ? nil : cleaned
    }
}
