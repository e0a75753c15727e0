import DanVanCore
import Fluent
import Foundation
import SQLKit

/// The module's migrations, in order.
enum CitizenMigrations {
    static let all: [any Migration] = [CreatePetitions(), CreateMeetings(), CreateHotSpots(), SeedTimeLimits(), SeedWarningRules(), CreateClearance(), IndexForScale(), CreateMonthlyRollup(), IndexDueDates(),
        // The home page keeps each user's petition lines until a petition is written.
        TrackTableWrites([Petition.schema], name: "citizens.0010.track-writes")]

    struct CreatePetitions: AsyncMigration {
        var name: String { "citizens.0001.create-petitions" }

        func prepare(on database: any Database) async throws {
            try await database.schema("petitions")
                .id()
                .field("year", .int, .required)
                .field("number", .int, .required)
                .field("code_hash", .string, .required)
                .field("kind", .string, .required)
                .field("channel", .string, .required)
                .field("instance", .int, .required)
                .field("complexity", .string, .required)
                .field("remote", .bool, .required)
                .field("sender_name", .string, .required)
                .field("sender_address", .string, .required)
                .field("sender_contact", .string, .required)
                .field("sender_key", .string, .required)
                .field("sender_count", .int, .required)
                .field("representatives", .string, .required)
                .field("commune_id", .uuid, .required, .references("units", "id", onDelete: .restrict))
                .field("unit_id", .uuid, .required, .references("units", "id", onDelete: .restrict))
                .field("handler_id", .uuid, .references("users", "id", onDelete: .setNull))
                .field("field", .string, .required)
                .field("summary", .string, .required)
                .field("content", .string, .required)
                .field("search_text", .string, .required)
                .field("received_on", .datetime, .required)
                .field("ack_due_on", .datetime, .required)
                .field("acknowledged_on", .datetime)
                .field("accepted_on", .datetime)
                .field("resolve_due_on", .datetime)
                .field("extensions", .int, .required)
                .field("resolved_on", .datetime)
                .field("closed_on", .datetime)
                .field("status", .string, .required)
                .field("result", .string, .required)
                .field("public_answer", .string, .required)
                .field("decision", .string, .required)
                .field("repeat_of_id", .uuid, .references("petitions", "id", onDelete: .setNull))
                .field("over_level", .bool, .required)
                .field("reopen_count", .int, .required)
                .field("satisfied", .bool)
                .field("version", .int, .required)
                .field("created_at", .datetime, .required)
                .field("updated_at", .datetime, .required)
                .unique(on: "year", "number")
                .unique(on: "code_hash")
                .create()
            try await database.schema("petition_events")
                .id()
                .field("petition_id", .uuid, .required, .references("petitions", "id", onDelete: .cascade))
                .field("kind", .string, .required)
                .field("text", .string, .required)
                .field("is_public", .bool, .required)
                .field("actor_name", .string, .required)
                .field("at", .datetime, .required)
                .create()
            try await database.schema("petition_identities")
                .id()
                .field("petition_id", .uuid, .required, .references("petitions", "id", onDelete: .cascade))
                .field("key_id", .string, .required)
                .field("sealed", .string, .required)
                .field("created_at", .datetime, .required)
                .unique(on: "petition_id")
                .create()
            try await database.schema("petition_attachments")
                .id()
                .field("petition_id", .uuid, .required, .references("petitions", "id", onDelete: .cascade))
                .field("filename", .string, .required)
                .field("content_type", .string, .required)
                .field("size", .int, .required)
                .field("sha256", .string, .required)
                .field("storage_key", .string, .required)
                .field("uploaded_by", .string, .required)
                .field("created_at", .datetime, .required)
                .create()
            try await database.schema("citizen_time_limits")
                .id()
                .field("kind", .string, .required)
                .field("instance", .int, .required)
                .field("complexity", .string)
                .field("remote", .bool)
                .field("accept_days", .int)
                .field("resolve_days", .int, .required)
                .field("day_type", .string, .required)
                .field("max_extensions", .int, .required)
                .field("extension_days", .int, .required)
                .field("basis", .string, .required)
                .field("effective_from", .datetime, .required)
                .field("effective_until", .datetime)
                .field("created_at", .datetime, .required)
                .create()
            try await database.schema("citizen_calendar_days")
                .id()
                .field("day", .string, .required)
                .field("decision", .string, .required)
                .field("note", .string, .required)
                .field("created_at", .datetime, .required)
                .unique(on: "day")
                .create()
            if let sql = database as? any SQLDatabase {
                // The duplicate hint and the lists read open submissions of one commune and field,
                // one sender, one unit; the statistics count by receipt date.
                try await sql.create(index: "petitions_commune_field_idx").on("petitions").column("commune_id").column("field").column("status").column("received_on").run()
                try await sql.create(index: "petitions_sender_idx").on("petitions").column("sender_key").column("status").run()
                try await sql.create(index: "petitions_unit_idx").on("petitions").column("unit_id").column("status").column("received_on").run()
                try await sql.create(index: "petitions_received_idx").on("petitions").column("received_on").column("kind").run()
                try await sql.create(index: "petition_events_petition_idx").on("petition_events").column("petition_id").column("at").run()
                try await sql.create(index: "petition_attachments_petition_idx").on("petition_attachments").column("petition_id").run()
            }
        }

        func revert(on database: any Database) async throws {
            for table in ["citizen_calendar_days", "citizen_time_limits", "petition_attachments", "petition_identities", "petition_events", "petitions"] {
                try await database.schema(table).delete()
            }
        }
    }

    struct CreateMeetings: AsyncMigration {
        var name: String { "citizens.0002.create-meetings" }

        func prepare(on database: any Database) async throws {
            try await database.schema("citizen_meetings")
                .id()
                .field("kind", .string, .required)
                .field("host_name", .string, .required)
                .field("host_role", .string, .required)
                .field("unit_id", .uuid, .required, .references("units", "id", onDelete: .restrict))
                .field("commune_id", .uuid, .references("units", "id", onDelete: .restrict))
                .field("held_on", .datetime, .required)
                .field("place", .string, .required)
                .field("participants", .int, .required)
                .field("groups", .string, .required)
                .field("topics", .string, .required)
                .field("minutes", .string, .required)
                .field("status", .string, .required)
                .field("version", .int, .required)
                .field("created_at", .datetime, .required)
                .create()
            try await database.schema("citizen_meeting_petitions")
                .id()
                .field("meeting_id", .uuid, .required, .references("citizen_meetings", "id", onDelete: .cascade))
                .field("petition_id", .uuid, .required, .references("petitions", "id", onDelete: .cascade))
                .unique(on: "meeting_id", "petition_id")
                .create()
            try await database.schema("citizen_commitments")
                .id()
                .field("meeting_id", .uuid, .required, .references("citizen_meetings", "id", onDelete: .cascade))
                .field("content", .string, .required)
                .field("unit_id", .uuid, .required, .references("units", "id", onDelete: .restrict))
                .field("due_on", .datetime, .required)
                .field("followup_type", .string)
                .field("followup_id", .uuid)
                .field("kept_on", .datetime)
                .field("created_at", .datetime, .required)
                .create()
            if let sql = database as? any SQLDatabase {
                try await sql.create(index: "citizen_meetings_unit_idx").on("citizen_meetings").column("unit_id").column("held_on").run()
                try await sql.create(index: "citizen_commitments_meeting_idx").on("citizen_commitments").column("meeting_id").run()
                try await sql.create(index: "citizen_meeting_petitions_petition_idx").on("citizen_meeting_petitions").column("petition_id").run()
            }
        }

        func revert(on database: any Database) async throws {
            for table in ["citizen_commitments", "citizen_meeting_petitions", "citizen_meetings"] {
                try await database.schema(table).delete()
            }
        }
    }

    struct CreateHotSpots: AsyncMigration {
        var name: String { "citizens.0003.create-hot-spots" }

        func prepare(on database: any Database) async throws {
            try await database.schema("citizen_hot_spots")
                .id()
                .field("commune_id", .uuid, .required, .references("units", "id", onDelete: .restrict))
                .field("field", .string, .required)
                .field("title", .string, .required)
                .field("description", .string, .required)
                .field("people", .int, .required)
                .field("severity", .int, .required)
                .field("status", .string, .required)
                .field("teams", .string, .required)
                .field("source_type", .string)
                .field("source_id", .uuid)
                .field("search_text", .string, .required)
                .field("version", .int, .required)
                .field("created_at", .datetime, .required)
                .field("updated_at", .datetime, .required)
                .create()
            try await database.schema("citizen_hot_spot_updates")
                .id()
                .field("hot_spot_id", .uuid, .required, .references("citizen_hot_spots", "id", onDelete: .cascade))
                .field("unit_name", .string, .required)
                .field("author", .string, .required)
                .field("text", .string, .required)
                .field("status", .string, .required)
                .field("severity", .int, .required)
                .field("at", .datetime, .required)
                .create()
            try await database.schema("citizen_hot_spot_links")
                .id()
                .field("hot_spot_id", .uuid, .required, .references("citizen_hot_spots", "id", onDelete: .cascade))
                .field("target_type", .string, .required)
                .field("target_id", .uuid, .required)
                .unique(on: "hot_spot_id", "target_type", "target_id")
                .create()
            try await database.schema("citizen_warnings")
                .id()
                .field("rule", .string, .required)
                .field("commune_id", .uuid, .required, .references("units", "id", onDelete: .restrict))
                .field("field", .string, .required)
                .field("score", .int, .required)
                .field("reason", .string, .required)
                .field("evidence_ids", .string, .required)
                .field("status", .string, .required)
                .field("decision_note", .string, .required)
                .field("hot_spot_id", .uuid, .references("citizen_hot_spots", "id", onDelete: .setNull))
                .field("dedupe_key", .string, .required)
                .field("created_at", .datetime, .required)
                .field("decided_at", .datetime)
                .field("decided_by", .string, .required)
                .unique(on: "dedupe_key")
                .create()
            try await database.schema("citizen_warning_rules")
                .id()
                .field("key", .string, .required)
                .field("enabled", .bool, .required)
                .field("threshold", .int, .required)
                .field("days", .int, .required)
                .field("updated_at", .datetime, .required)
                .unique(on: "key")
                .create()
            if let sql = database as? any SQLDatabase {
                try await sql.create(index: "citizen_hot_spots_commune_idx").on("citizen_hot_spots").column("commune_id").column("status").run()
                try await sql.create(index: "citizen_hot_spot_updates_spot_idx").on("citizen_hot_spot_updates").column("hot_spot_id").column("at").run()
                try await sql.create(index: "citizen_warnings_status_idx").on("citizen_warnings").column("status").column("created_at").run()
            }
        }

        func revert(on database: any Database) async throws {
            for table in ["citizen_warning_rules", "citizen_warnings", "citizen_hot_spot_links", "citizen_hot_spot_updates", "citizen_hot_spots"] {
                try await database.schema(table).delete()
            }
        }
    }

    /// The time limits of LEGAL.md §1, each with its basis. Where the law's text is not
    /// confirmed the basis says so, and the province edits the row.
    struct SeedTimeLimits: AsyncMigration {
        var name: String { "citizens.0004.seed-time-limits" }

        func prepare(on database: any Database) async throws {
            for rule in TimeLimitDefaults.rules(at: Date()) { try await rule.create(on: database) }
        }

        func revert(on database: any Database) async throws {
            try await TimeLimitRule.query(on: database).delete()
        }
    }

    struct SeedWarningRules: AsyncMigration {
        var name: String { "citizens.0005.seed-warning-rules" }

        func prepare(on database: any Database) async throws {
            for rule in [WarningRule.fieldCluster, .massPetition, .repeatedFilings, .overdueLand] {
                let setting = WarningRuleSetting()
                setting.id = UUID()
                setting.key = rule.rawValue
                setting.enabled = true
                setting.threshold = rule.defaultThreshold
                setting.days = rule.defaultDays
                setting.updatedAt = Date()
                try await setting.create(on: database)
            }
        }

        func revert(on database: any Database) async throws {
            try await WarningRuleSetting.query(on: database).delete()
        }
    }

    struct CreateClearance: AsyncMigration {
        var name: String { "citizens.0006.create-clearance" }

        func prepare(on database: any Database) async throws {
            try await database.schema("clearance_projects")
                .id()
                .field("name", .string, .required)
                .field("description", .string, .required)
                .field("unit_id", .uuid, .required, .references("units", "id", onDelete: .restrict))
                .field("started_on", .datetime, .required)
                .field("status", .string, .required)
                .field("created_at", .datetime, .required)
                .create()
            try await database.schema("clearance_areas")
                .id()
                .field("project_id", .uuid, .required, .references("clearance_projects", "id", onDelete: .cascade))
                .field("commune_id", .uuid, .required, .references("units", "id", onDelete: .restrict))
                .field("households", .int, .required)
                .field("agreed", .int, .required)
                .field("refusing", .int, .required)
                .field("teams", .string, .required)
                .field("version", .int, .required)
                .field("updated_at", .datetime, .required)
                .unique(on: "project_id", "commune_id")
                .create()
            try await database.schema("clearance_snapshots")
                .id()
                .field("area_id", .uuid, .required, .references("clearance_areas", "id", onDelete: .cascade))
                .field("agreed", .int, .required)
                .field("refusing", .int, .required)
                .field("at", .datetime, .required)
                .create()
            try await database.schema("clearance_visits")
                .id()
                .field("area_id", .uuid, .required, .references("clearance_areas", "id", onDelete: .cascade))
                .field("team", .string, .required)
                .field("visited_on", .datetime, .required)
                .field("households_met", .int, .required)
                .field("note", .string, .required)
                .field("author", .string, .required)
                .field("created_at", .datetime, .required)
                .create()
            try await database.schema("clearance_links")
                .id()
                .field("area_id", .uuid, .required, .references("clearance_areas", "id", onDelete: .cascade))
                .field("petition_id", .uuid, .required, .references("petitions", "id", onDelete: .cascade))
                .unique(on: "area_id", "petition_id")
                .create()
            if let sql = database as? any SQLDatabase {
                try await sql.create(index: "clearance_snapshots_area_idx").on("clearance_snapshots").column("area_id").column("at").run()
                try await sql.create(index: "clearance_visits_area_idx").on("clearance_visits").column("area_id").column("visited_on").run()
            }
            let setting = WarningRuleSetting()
            setting.id = UUID()
            setting.key = WarningRule.clearanceRefusals.rawValue
            setting.enabled = true
            setting.threshold = WarningRule.clearanceRefusals.defaultThreshold
            setting.days = WarningRule.clearanceRefusals.defaultDays
            setting.updatedAt = Date()
            try await setting.create(on: database)
        }

        func revert(on database: any Database) async throws {
            try await WarningRuleSetting.query(on: database).filter(\.$key == WarningRule.clearanceRefusals.rawValue).delete()
            for table in ["clearance_links", "clearance_visits", "clearance_snapshots", "clearance_areas", "clearance_projects"] {
                try await database.schema(table).delete()
            }
        }
    }

    /// Indexes measured with a million submissions (`scripts/bench-citizens`): the statistics read
    /// one covering index over the receipt date; the lists read by status or by commune in date
    /// order; the overdue land check reads open submissions by field.
    struct IndexForScale: AsyncMigration {
        var name: String { "citizens.0007.index-for-scale" }

        func prepare(on database: any Database) async throws {
            guard let sql = database as? any SQLDatabase else { return }
            try await sql.drop(index: "petitions_received_idx").run()
            try await sql.create(index: "petitions_stats_idx").on("petitions")
                .column("received_on").column("kind").column("field").column("channel").column("status").column("unit_id")
                .column("accepted_on").column("resolved_on").column("resolve_due_on").column("ack_due_on").column("sender_count").run()
            try await sql.create(index: "petitions_status_received_idx").on("petitions").column("status").column("received_on").run()
            try await sql.create(index: "petitions_commune_received_idx").on("petitions").column("commune_id").column("received_on").run()
            try await sql.create(index: "petitions_open_field_idx").on("petitions").column("status").column("field").column("commune_id").run()
        }

        func revert(on database: any Database) async throws {
            guard let sql = database as? any SQLDatabase else { return }
            for index in ["petitions_open_field_idx", "petitions_commune_received_idx", "petitions_status_received_idx", "petitions_stats_idx"] {
                try await sql.drop(index: index).run()
            }
            try await sql.create(index: "petitions_received_idx").on("petitions").column("received_on").column("kind").run()
        }
    }

    /// The month of receipt on every submission and the monthly rollup the statistics read
    /// (`PetitionRollup`), filled from the submissions already there.
    struct CreateMonthlyRollup: AsyncMigration {
        var name: String { "citizens.0008.create-monthly-rollup" }

        func prepare(on database: any Database) async throws {
            try await database.schema("petitions").field("received_month", .int).update()
            try await database.schema("petition_monthly")
                .field("month", .int, .required)
                .field("unit_id", .uuid, .required)
                .field("dim", .string, .required)
                .field("value", .string, .required)
                .field("received", .int, .required)
                .field("accepted", .int, .required)
                .field("on_time", .int, .required)
                .field("late", .int, .required)
                .field("still_open", .int, .required)
                .field("mass", .int, .required)
                .unique(on: "month", "unit_id", "dim", "value")
                .create()
            guard let sql = database as? any SQLDatabase else { return }
            // The month in the province's time zone, in each dialect (dates are epoch seconds in
            // SQLite, TIMESTAMPTZ in PostgreSQL).
            if sql.dialect.name == "sqlite" {
                try await sql.raw("UPDATE petitions SET received_month = CAST(strftime('%Y%m', received_on + 25200, 'unixepoch') AS INTEGER)").run()
            } else {
                try await sql.raw("UPDATE petitions SET received_month = CAST(to_char(received_on AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYYMM') AS INTEGER)").run()
            }
            try await sql.create(index: "petition_monthly_month_idx").on("petition_monthly").column("dim").column("month").column("unit_id").run()
            try await PetitionRollup.rebuild(on: database)
        }

        func revert(on database: any Database) async throws {
            try await database.schema("petition_monthly").delete()
            try await database.schema("petitions").deleteField("received_month").update()
        }
    }

    /// Overdue submissions are found by status and due date (statistics, the lists, the job).
    struct IndexDueDates: AsyncMigration {
        var name: String { "citizens.0009.index-due-dates" }

        func prepare(on database: any Database) async throws {
            guard let sql = database as? any SQLDatabase else { return }
            try await sql.create(index: "petitions_status_ack_due_idx").on("petitions").column("status").column("ack_due_on").run()
            try await sql.create(index: "petitions_status_resolve_due_idx").on("petitions").column("status").column("resolve_due_on").run()
        }

        func revert(on database: any Database) async throws {
            guard let sql = database as? any SQLDatabase else { return }
            try await sql.drop(index: "petitions_status_resolve_due_idx").run()
            try await sql.drop(index: "petitions_status_ack_due_idx").run()
        }
    }
}
