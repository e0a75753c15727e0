import Fluent
import SQLKit

/// Core tables. Append-only: a landed migration is never edited; changes come as new ones.
enum CoreMigrations {
    static let all: [any Migration] = [CreateUnits(), CreateUsers(), CreateAPITokens(), CreateLoginAttempts(), CreateAuditEntries(), CreateInboxItems(), AddInboxTargets(), AddSessionExpiry(), AddAuthChangeNotify(), AddUnitsUpdatedIndex(), AddInboxNewestIndex(),
        UpdatedAtIndex(table: User.schema, name: "core.0012.users-updated-index"), CreateTableWrites(),
        // An administrator's home page counts the failed sign-ins of the last day, which read
        // every attempt ever made (the table keeps them all).
        TableIndex("login_attempts_failed_idx", on: "login_attempts", columns: ["succeeded", "at"], name: "core.0014.failed-login-index")]

    struct CreateUnits: AsyncMigration {
        var name: String { "core.0001.create-units" }

        func prepare(on database: any Database) async throws {
            try await database.schema("units")
                .id()
                .field("name", .string, .required)
                .field("short_name", .string)
                .field("code", .string, .required)
                .field("kind", .string, .required)
                .field("level", .string, .required)
                .field("parent_id", .uuid, .references("units", "id", onDelete: .restrict))
                .field("path", .string, .required)
                .field("depth", .int, .required)
                .field("sort_order", .int, .required)
                .field("status", .string, .required)
                .field("successor_id", .uuid, .references("units", "id", onDelete: .setNull))
                .field("ended_on", .datetime)
                .field("oversight", .bool, .required)
                .field("search_key", .string, .required)
                .field("created_at", .datetime)
                .field("updated_at", .datetime)
                .unique(on: "code")
                .create()
            if let sql = database as? any SQLDatabase {
                try await sql.create(index: "units_path_idx").on("units").column("path").run()
                try await sql.create(index: "units_parent_idx").on("units").column("parent_id").run()
            }
        }

        func revert(on database: any Database) async throws {
            try await database.schema("units").delete()
        }
    }

    struct CreateUsers: AsyncMigration {
        var name: String { "core.0002.create-users" }

        func prepare(on database: any Database) async throws {
            try await database.schema("users")
                .id()
                .field("username", .string, .required)
                .field("full_name", .string, .required)
                .field("password_hash", .string, .required)
                .field("role", .string, .required)
                .field("unit_id", .uuid, .required, .references("units", "id", onDelete: .restrict))
                .field("email", .string)
                .field("phone", .string)
                .field("is_active", .bool, .required)
                .field("must_change_password", .bool, .required)
                .field("session_version", .int, .required)
                .field("search_key", .string, .required)
                .field("last_login_at", .datetime)
                .field("created_at", .datetime)
                .field("updated_at", .datetime)
                .unique(on: "username")
                .create()
            if let sql = database as? any SQLDatabase {
                try await sql.create(index: "users_unit_idx").on("users").column("unit_id").run()
            }
        }

        func revert(on database: any Database) async throws {
            try await database.schema("users").delete()
        }
    }

    struct CreateAPITokens: AsyncMigration {
        var name: String { "core.0003.create-api-tokens" }

        func prepare(on database: any Database) async throws {
            try await database.schema("api_tokens")
                .id()
                .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
                .field("name", .string, .required)
                .field("token_hash", .string, .required)
                .field("last_used_at", .datetime)
                .field("revoked_at", .datetime)
                .field("created_at", .datetime)
                .unique(on: "token_hash")
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema("api_tokens").delete()
        }
    }

    struct CreateLoginAttempts: AsyncMigration {
        var name: String { "core.0004.create-login-attempts" }

        func prepare(on database: any Database) async throws {
            try await database.schema("login_attempts")
                .id()
                .field("username", .string, .required)
                .field("address", .string, .required)
                .field("succeeded", .bool, .required)
                .field("at", .datetime, .required)
                .create()
            if let sql = database as? any SQLDatabase {
                try await sql.create(index: "login_attempts_user_idx").on("login_attempts").column("username").column("at").run()
                try await sql.create(index: "login_attempts_address_idx").on("login_attempts").column("address").column("at").run()
            }
        }

        func revert(on database: any Database) async throws {
            try await database.schema("login_attempts").delete()
        }
    }

    struct CreateAuditEntries: AsyncMigration {
        var name: String { "core.0005.create-audit-entries" }

        func prepare(on database: any Database) async throws {
            try await database.schema("audit_entries")
                .id()
                .field("at", .datetime, .required)
                .field("actor_id", .uuid)
                .field("actor_name", .string, .required)
                .field("action", .string, .required)
                .field("entity_type", .string, .required)
                .field("entity_id", .string)
                .field("summary", .string, .required)
                .field("before_json", .string)
                .field("after_json", .string)
                .field("address", .string)
                .create()
            if let sql = database as? any SQLDatabase {
                try await sql.create(index: "audit_entries_at_idx").on("audit_entries").column("at").run()
                try await sql.create(index: "audit_entries_entity_idx").on("audit_entries").column("entity_type").column("entity_id").run()
            }
        }

        func revert(on database: any Database) async throws {
            try await database.schema("audit_entries").delete()
        }
    }
}

extension CoreMigrations {
    /// An index on `units.updated_at`: every signed-in page reads the unit tree's fingerprint
    /// (`COUNT(*), MAX(updated_at)`), which without it reads the whole table — a province's
    /// thousands of units on every page view.
    struct AddUnitsUpdatedIndex: AsyncMigration {
        var name: String { "core.0010.units-updated-index" }

        func prepare(on database: any Database) async throws {
            guard let sql = database as? any SQLDatabase else { return }
            try await sql.create(index: "units_updated_idx").on("units").column("updated_at").run()
        }

        func revert(on database: any Database) async throws {
            guard let sql = database as? any SQLDatabase else { return }
            try await sql.drop(index: "units_updated_idx").run()
        }
    }
}

extension CoreMigrations {
    /// An index on `inbox_items (user_id, created_at)`: the inbox lists a user's entries newest
    /// first, which the `(user_id, read_at)` index could only find, not order — every visit
    /// sorted all of a leader's entries (hundreds, growing) in a temporary tree to show 50.
    struct AddInboxNewestIndex: AsyncMigration {
        var name: String { "core.0011.inbox-newest-index" }

        func prepare(on database: any Database) async throws {
            guard let sql = database as? any SQLDatabase else { return }
            try await sql.create(index: "inbox_items_newest_idx").on("inbox_items").column("user_id").column("created_at").run()
        }

        func revert(on database: any Database) async throws {
            guard let sql = database as? any SQLDatabase else { return }
            try await sql.drop(index: "inbox_items_newest_idx").run()
        }
    }
}

/// An index on `columns` of `table`, called `index`, made by the migration called `name`.
public struct TableIndex: AsyncMigration {
    let index: String, table: String, columns: [String]
    public let name: String

    /// The index `index` on `table (columns…)`, by the migration called `name`.
    public init(_ index: String, on table: String, columns: [String], name: String) {
        (self.index, self.table, self.columns, self.name) = (index, table, columns, name)
    }

    public func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        var create = sql.create(index: index).on(table)
        for column in columns { create = create.column(column) }
        try await create.run()
    }

    public func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: index).run()
    }
}

/// An index on a table's `updated_at`, for a page that reads the table's fingerprint
/// (`PageFigures.addFingerprint(of:)`): without it `MAX(updated_at)` reads the whole table.
public struct UpdatedAtIndex: AsyncMigration {
    let table: String
    public let name: String

    /// The index on `table`, by the migration called `name`.
    public init(table: String, name: String) {
        self.table = table
        self.name = name
    }

    private var index: TableIndex { TableIndex("\(table)_updated_idx", on: table, columns: ["updated_at"], name: name) }

    public func prepare(on database: any Database) async throws { try await index.prepare(on: database) }

    public func revert(on database: any Database) async throws { try await index.revert(on: database) }
}
