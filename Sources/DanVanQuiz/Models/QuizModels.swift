import DanVanCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// An online quiz contest (cuộc thi trắc nghiệm) with its rules.
public final class QuizContest: Model, @unchecked Sendable {
    /// The table.
    public static let schema = "quiz_contests"

    /// Lifecycle of a contest.
    public enum Status: String, Codable, CaseIterable, Sendable {
        /// Being prepared: not shown to the public.
        case draft
        /// Public: landing page, registration, published rounds.
        case published
        /// Over: results stay readable.
        case archived

        /// Vietnamese label.
        public var label: String { L10n.text("quiz.contestStatus.\(rawValue)") }
    }

    /// Identifier.
    @ID(key: .id) public var id: UUID?
    /// The public address part: `/thi/<slug>`.
    @Field(key: "slug") public var slug: String
    /// Title ("Cuộc thi trắc nghiệm tìm hiểu Dân vận khéo năm 2026").
    @Field(key: "title") public var title: String
    /// Rules and introduction shown on the landing page (plain text, paragraphs).
    @Field(key: "rules") public var rules: String
    /// The organising unit (scope of staff who manage it).
    @Parent(key: "unit_id") public var unit: OrgUnit
    /// Status.
    @Field(key: "status") public var status: Status
    /// Minimum age on the day of registration (0: no limit).
    @Field(key: "min_age") public var minAge: Int
    /// Whether an ID number (CCCD) is required; one registration per ID number then.
    @Field(key: "require_id_number") public var requireIDNumber: Bool
    /// Occupation groups offered at registration, one per line.
    @Field(key: "occupations") public var occupations: String
    /// Prizes per round, e.g. "Nhất:1, Nhì:2, Ba:5, Khuyến khích:8".
    @Field(key: "prizes") public var prizes: String
    /// Whether unit prizes (most participants, highest rate) are awarded per round.
    @Field(key: "unit_prizes") public var unitPrizes: Bool
    /// Seconds after an attempt's deadline within which a submission still counts.
    @Field(key: "grace_seconds") public var graceSeconds: Int
    /// An all-correct attempt faster than this many seconds per question is flagged.
    @Field(key: "min_seconds_per_question") public var minSecondsPerQuestion: Int
    /// Creation time.
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    /// Last change.
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    /// Empty contest for Fluent.
    public init() {}

    /// What the audit log keeps.
    public var auditSnapshot: [String: String] {
        [
            "slug": slug, "title": title, "status": status.rawValue, "unitID": $unit.id.uuidString, "minAge": String(minAge),
            "requireIDNumber": String(requireIDNumber), "prizes": prizes, "unitPrizes": String(unitPrizes),
            "graceSeconds": String(graceSeconds), "minSecondsPerQuestion": String(minSecondsPerQuestion),
        ]
    }

    /// The occupation groups as a list.
    public var occupationList: [String] {
        occupations.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

extension QuizContest: UnitOwned {
    /// Contests belong to the organising unit.
    public static var ownerUnitKey: KeyPath<QuizContest, FieldProperty<QuizContest, UUID>> { \QuizContest.$unit.$id }
}

/// A round (tuần thi / đợt thi) of a contest.
public final class QuizRound: Model, @unchecked Sendable {
    /// The table.
    public static let schema = "quiz_rounds"

    /// Lifecycle of a round.
    public enum Status: String, Codable, CaseIterable, Sendable {
        /// Being prepared; its questions can change.
        case draft
        /// Published: open between `opensAt` and `closesAt`; questions fixed.
        case published
        /// Closed and ranked; the answer key is public.
        case closed

        /// Vietnamese label.
        public var label: String { L10n.text("quiz.roundStatus.\(rawValue)") }
    }

    /// Identifier.
    @ID(key: .id) public var id: UUID?
    /// The contest.
    @Parent(key: "contest_id") public var contest: QuizContest
    /// 1, 2, 3… within the contest.
    @Field(key: "number") public var number: Int
    /// Title ("Tuần thi thứ nhất").
    @Field(key: "title") public var title: String
    /// Opening instant.
    @Field(key: "opens_at") public var opensAt: Date
    /// Closing instant.
    @Field(key: "closes_at") public var closesAt: Date
    /// Questions per attempt (5–30).
    @Field(key: "question_count") public var questionCount: Int
    /// Time allowed per attempt, seconds.
    @Field(key: "time_limit_seconds") public var timeLimitSeconds: Int
    /// Attempts allowed per participant (the best counts).
    @Field(key: "max_attempts") public var maxAttempts: Int
    /// The prediction question's wording.
    @Field(key: "prediction_question") public var predictionQuestion: String
    /// Status.
    @Field(key: "status") public var status: Status
    /// Participants who answered every question right (set when the round closes).
    @OptionalField(key: "perfect_count") public var perfectCount: Int?
    /// When it was ranked.
    @OptionalField(key: "closed_at") public var closedAt: Date?
    /// Creation time.
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    /// Empty round for Fluent.
    public init() {}

    /// What the audit log keeps.
    public var auditSnapshot: [String: String] {
        [
            "number": String(number), "title": title, "opensAt": VNFormat.isoDateTime(opensAt), "closesAt": VNFormat.isoDateTime(closesAt),
            "questionCount": String(questionCount), "timeLimitSeconds": String(timeLimitSeconds), "maxAttempts": String(maxAttempts),
            "status": status.rawValue,
        ]
    }

    /// What the public sees: not yet open, open, waiting to be ranked, closed.
    public func phase(at now: Date) -> String {
        switch status {
        case .draft: return "draft"
        case .closed: return "closed"
        case .published: return now < opensAt ? "upcoming" : (now < closesAt ? "open" : "ended")
        }
    }
}

/// A question of a contest's bank.
public final class QuizQuestion: Model, @unchecked Sendable {
    /// The table.
    public static let schema = "quiz_questions"

    /// Identifier.
    @ID(key: .id) public var id: UUID?
    /// The contest.
    @Parent(key: "contest_id") public var contest: QuizContest
    /// Its number in the bank (1, 2, …): attempts and answers name questions by it.
    @Field(key: "number") public var number: Int
    /// The question text.
    @Field(key: "text") public var text: String
    /// The options, JSON array of strings.
    @Field(key: "options_json") public var optionsJSON: String
    /// Correct options as a bit mask of their indexes.
    @Field(key: "correct_mask") public var correctMask: Int
    /// Several options may be correct.
    @Field(key: "multiple") public var multiple: Bool
    /// Topic.
    @Field(key: "topic") public var topic: String
    /// Explanation shown with the answer key.
    @Field(key: "explanation") public var explanation: String
    /// Folded text, for search and duplicates.
    @Field(key: "search_key") public var searchKey: String
    /// Creation time.
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    /// Empty question for Fluent.
    public init() {}

    /// The options.
    public var options: [String] {
        (try? JSONDecoder().decode([String].self, from: Data(optionsJSON.utf8))) ?? []
    }

    /// The answer key.
    public var key: QuizRules.Key { QuizRules.Key(optionCount: options.count, correctMask: correctMask, multiple: multiple) }
}

/// The questions a round uses, in bank order.
public final class QuizRoundQuestion: Model, @unchecked Sendable {
    /// The table.
    public static let schema = "quiz_round_questions"

    /// Identifier.
    @ID(key: .id) public var id: UUID?
    /// The round.
    @Parent(key: "round_id") public var round: QuizRound
    /// The question.
    @Parent(key: "question_id") public var question: QuizQuestion
    /// Position in the round's list.
    @Field(key: "position") public var position: Int

    /// Empty link for Fluent.
    public init() {}
}

/// A registered participant (thí sinh) of a contest.
public final class QuizParticipant: Model, @unchecked Sendable {
    /// The table.
    public static let schema = "quiz_participants"

    /// Identifier.
    @ID(key: .id) public var id: UUID?
    /// The contest.
    @Parent(key: "contest_id") public var contest: QuizContest
    /// Full name.
    @Field(key: "full_name") public var fullName: String
    /// Date of birth.
    @OptionalField(key: "birth_date") public var birthDate: Date?
    /// Phone, normalised (`0912345678`): one registration per phone.
    @Field(key: "phone") public var phone: String
    /// ID number (CCCD), digits, when given.
    @OptionalField(key: "id_number") public var idNumber: String?
    /// The commune / unit the participant belongs to.
    @Parent(key: "unit_id") public var unit: OrgUnit
    /// The unit's tree path at registration, for subtree counts in one indexed query.
    @Field(key: "unit_path") public var unitPath: String
    /// Occupation group.
    @Field(key: "occupation") public var occupation: String
    /// Bcrypt hash of the participant's secret.
    @Field(key: "secret_hash") public var secretHash: String
    /// SHA-256 of the current API token.
    @OptionalField(key: "token_hash") public var tokenHash: String?
    /// Address the registration came from.
    @Field(key: "address") public var address: String
    /// Registration day as `yyyymmdd`.
    @Field(key: "day") public var day: Int
    /// Excluded from rankings by the organiser (after reviewing a flag).
    @Field(key: "disqualified") public var disqualified: Bool
    /// Folded name and phone, for the organiser's search.
    @Field(key: "search_key") public var searchKey: String
    /// Registration time.
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    /// Empty participant for Fluent.
    public init() {}
}

/// One attempt (lượt thi). Written in batches by `QuizWriter`; read with SQL on hot paths.
public final class QuizAttempt: Model, @unchecked Sendable {
    /// The table.
    public static let schema = "quiz_attempts"

    /// State of an attempt.
    public enum Status: String, Codable, Sendable {
        /// Started, not submitted.
        case started
        /// Submitted in time and scored.
        case submitted
        /// Submitted after the deadline and its grace, or never: not ranked.
        case timedOut
    }

    /// Identifier.
    @ID(key: .id) public var id: UUID?
    /// The round.
    @Parent(key: "round_id") public var round: QuizRound
    /// The participant.
    @Parent(key: "participant_id") public var participant: QuizParticipant
    /// 1, 2, … within the round for this participant.
    @Field(key: "attempt_no") public var attemptNo: Int
    /// Server time of the start.
    @Field(key: "started_at") public var startedAt: Date
    /// Server deadline (start + time limit, or the round's close if sooner).
    @Field(key: "deadline_at") public var deadlineAt: Date
    /// Question order and option order (`QuizRules.encode`).
    @Field(key: "layout") public var layout: String
    /// Status.
    @Field(key: "status") public var status: Status
    /// Server time of the submission.
    @OptionalField(key: "submitted_at") public var submittedAt: Date?
    /// Chosen original options per question, in layout order, as masks joined by ",".
    @OptionalField(key: "answers") public var answers: String?
    /// Questions answered right.
    @OptionalField(key: "correct") public var correct: Int?
    /// Prediction of the number of all-correct participants.
    @OptionalField(key: "prediction") public var prediction: Int?
    /// Time taken, ms.
    @OptionalField(key: "time_ms") public var timeMs: Int?
    /// Address of the start.
    @Field(key: "address") public var address: String
    /// Start day, `yyyymmdd`.
    @Field(key: "day") public var day: Int

    /// Empty attempt for Fluent.
    public init() {}
}

/// Something the anti-abuse checks noticed, for the organiser to review. Nothing flagged is
/// dropped: flagged attempts stay ranked until the organiser disqualifies the participant.
public final class QuizFlag: Model, @unchecked Sendable {
    /// The table.
    public static let schema = "quiz_flags"

    /// Kinds of flag.
    public enum Kind: String, Codable, CaseIterable, Sendable {
        /// Many registrations from one address within an hour.
        case registrationBurst
        /// An all-correct attempt implausibly fast.
        case fastPerfect
        /// A participant or address hit a rate limit.
        case rateLimited

        /// Vietnamese label.
        public var label: String { L10n.text("quiz.flag.\(rawValue)") }
    }

    /// Identifier.
    @ID(key: .id) public var id: UUID?
    /// The contest.
    @Parent(key: "contest_id") public var contest: QuizContest
    /// The round, when it concerns one.
    @OptionalField(key: "round_id") public var roundID: UUID?
    /// The participant, when known.
    @OptionalField(key: "participant_id") public var participantID: UUID?
    /// The attempt, when it concerns one.
    @OptionalField(key: "attempt_id") public var attemptID: UUID?
    /// Kind.
    @Field(key: "kind") public var kind: Kind
    /// The client address.
    @Field(key: "address") public var address: String
    /// What was seen, in Vietnamese.
    @Field(key: "detail") public var detail: String
    /// One flag per key (e.g. per address and hour).
    @Field(key: "dedupe_key") public var dedupeKey: String
    /// When it was raised.
    @Field(key: "created_at") public var createdAt: Date
    /// When the organiser reviewed it.
    @OptionalField(key: "reviewed_at") public var reviewedAt: Date?
    /// Who reviewed it and what was decided.
    @OptionalField(key: "review_note") public var reviewNote: String?

    /// Empty flag for Fluent.
    public init() {}
}

/// The number of people a unit is expected to mobilise for a contest (officials, members,
/// residents), against which participation is measured.
public final class QuizHeadcount: Model, @unchecked Sendable {
    /// The table.
    public static let schema = "quiz_headcounts"

    /// Identifier.
    @ID(key: .id) public var id: UUID?
    /// The contest.
    @Parent(key: "contest_id") public var contest: QuizContest
    /// The unit.
    @Parent(key: "unit_id") public var unit: OrgUnit
    /// Headcount.
    @Field(key: "headcount") public var headcount: Int

    /// Empty row for Fluent.
    public init() {}
}

/// The quiz tables.
enum QuizMigrations {
    static let all: [any Migration] = [CreateQuiz(), DropRoundStatusIndex()]

    /// Submissions change an attempt's status; an index on (round, status) made each one
    /// rewrite two more index pages. The unique (round, participant, attempt number) index
    /// already finds a round's attempts, which is all the close and the counts need.
    struct DropRoundStatusIndex: AsyncMigration {
        var name: String { "quiz.0002.drop-round-status-index" }

        func prepare(on database: any Database) async throws {
            guard let sql = database as? any SQLDatabase else { return }
            try await sql.drop(index: "quiz_attempts_round_status_idx").ifExists().run()
        }

        func revert(on database: any Database) async throws {
            guard let sql = database as? any SQLDatabase else { return }
            try await sql.create(index: "quiz_attempts_round_status_idx").on("quiz_attempts").column("round_id").column("status").run()
        }
    }

    struct CreateQuiz: AsyncMigration {
        var name: String { "quiz.0001.create" }

        func prepare(on database: any Database) async throws {
            try await database.schema("quiz_contests")
                .id()
                .field("slug", .string, .required)
                .field("title", .string, .required)
                .field("rules", .string, .required)
                .field("unit_id", .uuid, .required, .references("units", "id"))
                .field("status", .string, .required)
                .field("min_age", .int, .required)
                .field("require_id_number", .bool, .required)
                .field("occupations", .string, .required)
                .field("prizes", .string, .required)
                .field("unit_prizes", .bool, .required)
                .field("grace_seconds", .int, .required)
                .field("min_seconds_per_question", .int, .required)
                .field("created_at", .datetime)
                .field("updated_at", .datetime)
                .unique(on: "slug")
                .create()
            try await database.schema("quiz_rounds")
                .id()
                .field("contest_id", .uuid, .required, .references("quiz_contests", "id", onDelete: .cascade))
                .field("number", .int, .required)
                .field("title", .string, .required)
                .field("opens_at", .datetime, .required)
                .field("closes_at", .datetime, .required)
                .field("question_count", .int, .required)
                .field("time_limit_seconds", .int, .required)
                .field("max_attempts", .int, .required)
                .field("prediction_question", .string, .required)
                .field("status", .string, .required)
                .field("perfect_count", .int)
                .field("closed_at", .datetime)
                .field("created_at", .datetime)
                .unique(on: "contest_id", "number")
                .create()
            try await database.schema("quiz_questions")
                .id()
                .field("contest_id", .uuid, .required, .references("quiz_contests", "id", onDelete: .cascade))
                .field("number", .int, .required)
                .field("text", .string, .required)
                .field("options_json", .string, .required)
                .field("correct_mask", .int, .required)
                .field("multiple", .bool, .required)
                .field("topic", .string, .required)
                .field("explanation", .string, .required)
                .field("search_key", .string, .required)
                .field("created_at", .datetime)
                .unique(on: "contest_id", "number")
                .create()
            try await database.schema("quiz_round_questions")
                .id()
                .field("round_id", .uuid, .required, .references("quiz_rounds", "id", onDelete: .cascade))
                .field("question_id", .uuid, .required, .references("quiz_questions", "id"))
                .field("position", .int, .required)
                .unique(on: "round_id", "question_id")
                .create()
            try await database.schema("quiz_participants")
                .id()
                .field("contest_id", .uuid, .required, .references("quiz_contests", "id", onDelete: .cascade))
                .field("full_name", .string, .required)
                .field("birth_date", .datetime)
                .field("phone", .string, .required)
                .field("id_number", .string)
                .field("unit_id", .uuid, .required, .references("units", "id"))
                .field("unit_path", .string, .required)
                .field("occupation", .string, .required)
                .field("secret_hash", .string, .required)
                .field("token_hash", .string)
                .field("address", .string, .required)
                .field("day", .int, .required)
                .field("disqualified", .bool, .required)
                .field("search_key", .string, .required)
                .field("created_at", .datetime)
                .unique(on: "contest_id", "phone")
                .unique(on: "contest_id", "id_number")
                .create()
            try await database.schema("quiz_attempts")
                .id()
                .field("round_id", .uuid, .required, .references("quiz_rounds", "id", onDelete: .cascade))
                .field("participant_id", .uuid, .required, .references("quiz_participants", "id", onDelete: .cascade))
                .field("attempt_no", .int, .required)
                .field("started_at", .datetime, .required)
                .field("deadline_at", .datetime, .required)
                .field("layout", .string, .required)
                .field("status", .string, .required)
                .field("submitted_at", .datetime)
                .field("answers", .string)
                .field("correct", .int)
                .field("prediction", .int)
                .field("time_ms", .int)
                .field("address", .string, .required)
                .field("day", .int, .required)
                .unique(on: "round_id", "participant_id", "attempt_no")
                .create()
            try await database.schema("quiz_results")
                .field("round_id", .uuid, .required, .references("quiz_rounds", "id", onDelete: .cascade))
                .field("rank", .int, .required)
                .field("participant_id", .uuid, .required, .references("quiz_participants", "id", onDelete: .cascade))
                .field("attempt_id", .uuid, .required)
                .field("correct", .int, .required)
                .field("distance", .int, .required)
                .field("time_ms", .int, .required)
                .field("submitted_at", .datetime, .required)
                .unique(on: "round_id", "rank")
                .create()
            try await database.schema("quiz_flags")
                .id()
                .field("contest_id", .uuid, .required, .references("quiz_contests", "id", onDelete: .cascade))
                .field("round_id", .uuid)
                .field("participant_id", .uuid)
                .field("attempt_id", .uuid)
                .field("kind", .string, .required)
                .field("address", .string, .required)
                .field("detail", .string, .required)
                .field("dedupe_key", .string, .required)
                .field("created_at", .datetime, .required)
                .field("reviewed_at", .datetime)
                .field("review_note", .string)
                .unique(on: "dedupe_key")
                .create()
            try await database.schema("quiz_headcounts")
                .id()
                .field("contest_id", .uuid, .required, .references("quiz_contests", "id", onDelete: .cascade))
                .field("unit_id", .uuid, .required, .references("units", "id"))
                .field("headcount", .int, .required)
                .unique(on: "contest_id", "unit_id")
                .create()
            if let sql = database as? any SQLDatabase {
                try await sql.create(index: "quiz_attempts_participant_idx").on("quiz_attempts").column("participant_id").column("round_id").run()
                try await sql.create(index: "quiz_attempts_round_status_idx").on("quiz_attempts").column("round_id").column("status").run()
                try await sql.create(index: "quiz_participants_token_idx").on("quiz_participants").column("token_hash").run()
                try await sql.create(index: "quiz_participants_address_idx").on("quiz_participants").column("contest_id").column("address").column("created_at").run()
                try await sql.create(index: "quiz_results_participant_idx").on("quiz_results").column("round_id").column("participant_id").run()
            }
        }

        func revert(on database: any Database) async throws {
            for table in ["quiz_headcounts", "quiz_flags", "quiz_results", "quiz_attempts", "quiz_participants", "quiz_round_questions", "quiz_questions", "quiz_rounds", "quiz_contests"] {
                try await database.schema(table).delete()
            }
        }
    }
}
