import DanVanCore
import Fluent
import Foundation
import SQLKit

/// The module's migrations, in order.
enum EmulationMigrations {
    static let all: [any Migration] = [CreateEngine(), CreateModels(), CreateDemocracyAndContests(), IndexForTargets(),
        TrackTableWrites(homeTables, name: "emulation.0005.track-writes")]

    /// What the home page's line reads (appraisals to score): it keeps each user's line until
    /// one of these is written.
    static let homeTables = [Appraisal.schema, CouncilMember.schema, AppraisalScore.schema]

    struct CreateEngine: AsyncMigration {
        var name: String { "emulation.0001.create-engine" }

        func prepare(on database: any Database) async throws {
            try await database.schema(CriteriaSet.schema)
                .id()
                .field("year", .int, .required)
                .field("purpose", .string, .required)
                .field("title", .string, .required)
                .field("method", .string, .required)
                .field("spread", .double, .required)
                .field("classes", .string, .required)
                .field("pass_class", .string, .required)
                .field("created_at", .datetime, .required)
                .unique(on: "year", "purpose", "title")
                .create()
            try await database.schema(Criterion.schema)
                .id()
                .field("set_id", .uuid, .required, .references(CriteriaSet.schema, "id", onDelete: .cascade))
                .field("group_name", .string, .required)
                .field("title", .string, .required)
                .field("guidance", .string, .required)
                .field("max_points", .double, .required)
                .field("weight", .double, .required)
                .field("sort_order", .int, .required)
                .create()
            try await database.schema(Council.schema)
                .id()
                .field("unit_id", .uuid, .required, .references("units", "id", onDelete: .restrict))
                .field("year", .int, .required)
                .field("purpose", .string, .required)
                .field("name", .string, .required)
                .field("chair_id", .uuid, .references("users", "id", onDelete: .setNull))
                .field("created_at", .datetime, .required)
                .create()
            try await database.schema(CouncilMember.schema)
                .id()
                .field("council_id", .uuid, .required, .references(Council.schema, "id", onDelete: .cascade))
                .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
                .unique(on: "council_id", "user_id")
                .create()
            try await database.schema(Appraisal.schema)
                .id()
                .field("set_id", .uuid, .required, .references(CriteriaSet.schema, "id", onDelete: .restrict))
                .field("council_id", .uuid, .required, .references(Council.schema, "id", onDelete: .restrict))
                .field("subject_type", .string, .required)
                .field("subject_id", .uuid, .required)
                .field("proposing_unit_id", .uuid, .required, .references("units", "id", onDelete: .restrict))
                .field("contact_user_id", .uuid)
                .field("level", .string, .required)
                .field("round", .int, .required)
                .field("status", .string, .required)
                .field("result", .double)
                .field("class_key", .string)
                .field("flagged", .bool, .required)
                .field("discussion", .string, .required)
                .field("recused", .string, .required)
                .field("opened_at", .datetime, .required)
                .field("closed_at", .datetime)
                .field("version", .int, .required)
                .create()
            try await database.schema(AppraisalScore.schema)
                .id()
                .field("appraisal_id", .uuid, .required, .references(Appraisal.schema, "id", onDelete: .cascade))
                .field("user_id", .uuid, .required, .references("users", "id", onDelete: .restrict))
                .field("points", .string, .required)
                .field("total", .double, .required)
                .field("comment", .string, .required)
                .field("submitted_at", .datetime, .required)
                .unique(on: "appraisal_id", "user_id")
                .create()
            try await database.schema(EmulationFile.schema)
                .id()
                .field("owner_type", .string, .required)
                .field("owner_id", .uuid, .required)
                .field("filename", .string, .required)
                .field("content_type", .string, .required)
                .field("size", .int, .required)
                .field("sha256", .string, .required)
                .field("storage_key", .string, .required)
                .field("uploaded_by", .string, .required)
                .field("at", .datetime, .required)
                .create()
            try await database.schema(EmulationYear.schema)
                .id()
                .field("year", .int, .required)
                .field("opens_on", .datetime, .required)
                .field("closes_on", .datetime, .required)
                .field("dvk_target", .double, .required)
                .field("democracy_target", .double, .required)
                .field("meets_models", .int, .required)
                .field("meets_level", .string, .required)
                .field("updated_at", .datetime, .required)
                .unique(on: "year")
                .create()
            if let sql = database as? any SQLDatabase {
                try await sql.raw("CREATE INDEX emulation_appraisals_subject ON emulation_appraisals (subject_type, subject_id)").run()
                try await sql.raw("CREATE INDEX emulation_files_owner ON emulation_files (owner_type, owner_id)").run()
                try await sql.raw("CREATE INDEX emulation_council_members_user ON emulation_council_members (user_id)").run()
            }
        }

        func revert(on database: any Database) async throws {
            for schema in [EmulationYear.schema, EmulationFile.schema, AppraisalScore.schema, Appraisal.schema, CouncilMember.schema, Council.schema, Criterion.schema, CriteriaSet.schema] {
                try await database.schema(schema).delete()
            }
        }
    }

    struct CreateModels: AsyncMigration {
        var name: String { "emulation.0002.create-models" }

        func prepare(on database: any Database) async throws {
            try await database.schema(DVKModel.schema)
                .id()
                .field("unit_id", .uuid, .required, .references("units", "id", onDelete: .restrict))
                .field("year", .int, .required)
                .field("kind", .string, .required)
                .field("holder", .string, .required)
                .field("name", .string, .required)
                .field("name_key", .string, .required)
                .field("field", .string, .required)
                .field("land_focus", .bool, .required)
                .field("problem", .string, .required)
                .field("solution", .string, .required)
                .field("beneficiaries", .string, .required)
                .field("expected", .string, .required)
                .field("results", .string, .required)
                .field("contact_name", .string, .required)
                .field("contact_phone", .string, .required)
                .field("contact_user_id", .uuid, .references("users", "id", onDelete: .setNull))
                .field("status", .string, .required)
                .field("level", .string)
                .field("recognised_year", .int)
                .field("proposed_level", .string)
                .field("commendation", .string, .required)
                .field("reasons", .string, .required)
                .field("source_model_id", .uuid, .references(DVKModel.schema, "id", onDelete: .setNull))
                .field("search_text", .string, .required)
                .field("version", .int, .required)
                .field("created_at", .datetime, .required)
                .field("updated_at", .datetime, .required)
                .unique(on: "unit_id", "year", "name_key")
                .create()
            try await database.schema(ModelEvent.schema)
                .id()
                .field("model_id", .uuid, .required, .references(DVKModel.schema, "id", onDelete: .cascade))
                .field("kind", .string, .required)
                .field("text", .string, .required)
                .field("actor_name", .string, .required)
                .field("at", .datetime, .required)
                .create()
            try await database.schema(Recognition.schema)
                .id()
                .field("model_id", .uuid, .required, .references(DVKModel.schema, "id", onDelete: .cascade))
                .field("unit_id", .uuid, .required)
                .field("level", .string, .required)
                .field("year", .int, .required)
                .field("field", .string, .required)
                .field("decision_number", .string, .required)
                .field("decision_date", .datetime, .required)
                .field("appraisal_id", .uuid)
                .field("result", .double)
                .unique(on: "model_id", "level", "year")
                .create()
            try await database.schema(Replication.schema)
                .id()
                .field("model_id", .uuid, .required, .references(DVKModel.schema, "id", onDelete: .cascade))
                .field("unit_id", .uuid, .required, .references("units", "id", onDelete: .restrict))
                .field("due_on", .datetime, .required)
                .field("follow_up_type", .string)
                .field("follow_up_id", .uuid)
                .field("results", .string, .required)
                .field("done_on", .datetime)
                .field("created_at", .datetime, .required)
                .unique(on: "model_id", "unit_id")
                .create()
            if let sql = database as? any SQLDatabase {
                try await sql.raw("CREATE INDEX emulation_model_events_model ON emulation_model_events (model_id, at)").run()
            }
        }

        func revert(on database: any Database) async throws {
            for schema in [Replication.schema, Recognition.schema, ModelEvent.schema, DVKModel.schema] { try await database.schema(schema).delete() }
        }
    }

    struct CreateDemocracyAndContests: AsyncMigration {
        var name: String { "emulation.0003.create-democracy-and-contests" }

        func prepare(on database: any Database) async throws {
            try await database.schema(DemocracyAssessment.schema)
                .id()
                .field("unit_id", .uuid, .required, .references("units", "id", onDelete: .restrict))
                .field("year", .int, .required)
                .field("set_id", .uuid, .required, .references(CriteriaSet.schema, "id", onDelete: .restrict))
                .field("points", .string, .required)
                .field("total", .double, .required)
                .field("notes", .string, .required)
                .field("status", .string, .required)
                .field("appraisal_id", .uuid)
                .field("result", .double)
                .field("class_key", .string)
                .field("submitted_at", .datetime)
                .field("version", .int, .required)
                .field("updated_at", .datetime, .required)
                .unique(on: "unit_id", "year")
                .create()
            try await database.schema(JuriedContest.schema)
                .id()
                .field("unit_id", .uuid, .required, .references("units", "id", onDelete: .restrict))
                .field("title", .string, .required)
                .field("kind", .string, .required)
                .field("year", .int, .required)
                .field("set_id", .uuid, .required, .references(CriteriaSet.schema, "id", onDelete: .restrict))
                .field("council_id", .uuid, .required, .references(Council.schema, "id", onDelete: .restrict))
                .field("status", .string, .required)
                .field("prizes", .string, .required)
                .field("round", .int, .required)
                .field("created_at", .datetime, .required)
                .create()
            try await database.schema(ContestEntry.schema)
                .id()
                .field("contest_id", .uuid, .required, .references(JuriedContest.schema, "id", onDelete: .cascade))
                .field("unit_id", .uuid, .required, .references("units", "id", onDelete: .restrict))
                .field("title", .string, .required)
                .field("author", .string, .required)
                .field("summary", .string, .required)
                .field("result", .double)
                .field("prize", .string)
                .field("rank", .int)
                .field("created_at", .datetime, .required)
                .create()
        }

        func revert(on database: any Database) async throws {
            for schema in [ContestEntry.schema, JuriedContest.schema, DemocracyAssessment.schema] { try await database.schema(schema).delete() }
        }
    }

    /// The target page reads recognitions by year and democracy classes by year; the register
    /// lists models by year and status; one unit's history reads by unit.
    struct IndexForTargets: AsyncMigration {
        var name: String { "emulation.0004.index-for-targets" }

        func prepare(on database: any Database) async throws {
            guard let sql = database as? any SQLDatabase else { return }
            try await sql.raw("CREATE INDEX emulation_recognitions_year ON emulation_recognitions (year, unit_id, level)").run()
            try await sql.raw("CREATE INDEX emulation_recognitions_unit ON emulation_recognitions (unit_id, year)").run()
            try await sql.raw("CREATE INDEX emulation_democracy_year ON emulation_democracy (year, status, unit_id, class_key)").run()
            try await sql.raw("CREATE INDEX emulation_models_year ON emulation_models (year, status)").run()
            try await sql.raw("CREATE INDEX emulation_models_status ON emulation_models (status, recognised_year)").run()
            try await sql.raw("CREATE INDEX emulation_models_unit_year ON emulation_models (unit_id, year)").run()
        }

        func revert(on database: any Database) async throws {
            guard let sql = database as? any SQLDatabase else { return }
            for name in ["emulation_recognitions_year", "emulation_recognitions_unit", "emulation_democracy_year", "emulation_models_year", "emulation_models_status", "emulation_models_unit_year"] {
                try await sql.raw("DROP INDEX \(unsafeRaw: name)").run()
            }
        }
    }
}
