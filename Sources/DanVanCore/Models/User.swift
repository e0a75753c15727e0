import DanVanText
import Fluent
import Foundation
import Vapor

/// Roles, from the widest view to the narrowest.
public enum Role: String, Codable, CaseIterable, Sendable {
    /// Quản trị: organisation tree, accounts, audit.
    case admin
    /// Lãnh đạo: reads dashboards, approves, urges.
    case leader
    /// Chuyên viên Ban Dân vận: runs the follow-up work.
    case specialist
    /// Cán bộ đầu mối of a unit: updates its own unit's work.
    case focal

    /// Vietnamese label.
    public var label: String { L10n.text("role.\(rawValue)") }
}

/// An account. Every user belongs to a unit; what it sees follows from its role and unit.
public final class User: Model, Content, Authenticatable, @unchecked Sendable {
    /// The table.
    public static let schema = "users"

    /// Identifier.
    @ID(key: .id) public var id: UUID?
    /// Login name: lower case ASCII.
    @Field(key: "username") public var username: String
    /// Full name, NFC.
    @Field(key: "full_name") public var fullName: String
    /// Bcrypt hash.
    @Field(key: "password_hash") public var passwordHash: String
    /// Role.
    @Field(key: "role") public var role: Role
    /// The unit the user works for.
    @Parent(key: "unit_id") public var unit: OrgUnit
    /// E-mail, optional.
    @OptionalField(key: "email") public var email: String?
    /// Phone, optional.
    @OptionalField(key: "phone") public var phone: String?
    /// False once an administrator disables the account.
    @Field(key: "is_active") public var isActive: Bool
    /// Set by an administrator's reset: the user must choose a new password.
    @Field(key: "must_change_password") public var mustChangePassword: Bool
    /// Bumped on password change or disable, which ends the user's other sessions.
    @Field(key: "session_version") public var sessionVersion: Int
    /// Folded name and username for search.
    @Field(key: "search_key") public var searchKey: String
    /// Last successful login.
    @OptionalField(key: "last_login_at") public var lastLoginAt: Date?
    /// Creation time.
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    /// Last change.
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    /// Empty user for Fluent.
    public init() {}

    /// A new active user.
    public init(id: UUID? = nil, username: String, fullName: String, passwordHash: String, role: Role, unitID: UUID) {
        self.id = id
        self.username = username.lowercased()
        self.fullName = VietnameseText.clean(fullName)
        self.passwordHash = passwordHash
        self.role = role
        self.$unit.id = unitID
        self.isActive = true
        self.mustChangePassword = false
        self.sessionVersion = 1
        self.searchKey = ""
        refreshSearchKey()
    }

    /// Recomputes the search key.
    public func refreshSearchKey() {
        searchKey = VietnameseText.fold(fullName + " " + username)
    }

    /// What the audit log stores of a user: never the password hash.
    public var auditSnapshot: [String: String] {
        [
            "username": username, "fullName": fullName, "role": role.rawValue,
            "unitID": $unit.id.uuidString, "email": email ?? "", "phone": phone ?? "",
            "isActive": isActive ? "true" : "false", "mustChangePassword": mustChangePassword ? "true" : "false",
        ]
    }

    /// Whether `username` has the allowed shape: 3–40 of a–z, 0–9, `.`, `_`, `-`.
    public static func isValidUsername(_ username: String) -> Bool {
        (3...40).contains(username.count) && username.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || "._-".contains($0) }
    }
}

/// A personal API token. Only its SHA-256 is stored; the token is shown once.
public final class APIToken: Model, @unchecked Sendable {
    /// The table.
    public static let schema = "api_tokens"

    /// Identifier.
    @ID(key: .id) public var id: UUID?
    /// Owner.
    @Parent(key: "user_id") public var user: User
    /// A name to recognise it by.
    @Field(key: "name") public var name: String
    /// Hex SHA-256 of the token.
    @Field(key: "token_hash") public var tokenHash: String
    /// Last use.
    @OptionalField(key: "last_used_at") public var lastUsedAt: Date?
    /// When revoked; a revoked token no longer authenticates.
    @OptionalField(key: "revoked_at") public var revokedAt: Date?
    /// Creation time.
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    /// Empty token for Fluent.
    public init() {}

    /// A new token record.
    public init(userID: UUID, name: String, tokenHash: String) {
        self.$user.id = userID
        self.name = VietnameseText.clean(name)
        self.tokenHash = tokenHash
    }

    /// Hex SHA-256 of a token.
    public static func hash(_ token: String) -> String {
        Hex.string(SHA256.hash(data: Data(token.utf8)))
    }

    /// A new random token: `dv_` and 43 URL-safe characters (256 bits).
    public static func generate() -> String {
        let bytes = [UInt8].random(count: 32)
        let base64 = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return "dv_" + base64
    }
}

/// One login attempt, kept for throttling and for the administrator's view.
public final class LoginAttempt: Model, @unchecked Sendable {
    /// The table.
    public static let schema = "login_attempts"

    /// Identifier.
    @ID(key: .id) public var id: UUID?
    /// The username typed (lower-cased).
    @Field(key: "username") public var username: String
    /// The client address.
    @Field(key: "address") public var address: String
    /// Whether it succeeded.
    @Field(key: "succeeded") public var succeeded: Bool
    /// When.
    @Field(key: "at") public var at: Date

    /// Empty attempt for Fluent.
    public init() {}

    /// A new attempt.
    public init(username: String, address: String, succeeded: Bool, at: Date) {
        self.username = username
        self.address = address
        self.succeeded = succeeded
        self.at = at
    }
}
