import DanVanCore
import Fluent
import Foundation

/// What a criteria set is for: the same engine appraises models and exemplars, grassroots
/// democracy and contest entries.
public enum AssessmentPurpose: String, Codable, Sendable, CaseIterable {
    case model, democracy, contest
    public var label: String { L10n.text("emulation.purpose.\(rawValue)") }
}

/// How a council's scores become one result.
public enum AssessmentMethod: String, Codable, Sendable, CaseIterable {
    case average, median
    public var label: String { L10n.text("emulation.method.\(rawValue)") }
}

/// A class of results: from `minimum` points (inclusive) upward, up to the next class.
public struct AssessmentClass: Codable, Sendable, Equatable {
    public var key: String
    public var label: String
    public var minimum: Double

    public init(key: String, label: String, minimum: Double) {
        self.key = key
        self.label = label
        self.minimum = minimum
    }
}

/// A year's criteria for one purpose (LEGAL.md §4–5: criteria, points and classes are the
/// province's, so they are data).
public final class CriteriaSet: Model, @unchecked Sendable {
    public static let schema = "emulation_criteria_sets"

    @ID(key: .id) public var id: UUID?
    @Field(key: "year") public var year: Int
    @Field(key: "purpose") public var purpose: AssessmentPurpose
    @Field(key: "title") public var title: String
    @Field(key: "method") public var method: AssessmentMethod
    /// Scores of one subject further apart than this (points) go to the council's discussion.
    @Field(key: "spread") public var spread: Double
    /// The classes, JSON `[AssessmentClass]`.
    @Field(key: "classes") public var classesJSON: String
    /// The class that counts as passing ("recognised", "tốt").
    @Field(key: "pass_class") public var passClass: String
    @Field(key: "created_at") public var createdAt: Date

    public init() {}

    /// The classes, highest minimum first.
    public var classes: [AssessmentClass] {
        get { ((try? JSONDecoder().decode([AssessmentClass].self, from: Data(classesJSON.utf8))) ?? []).sorted { $0.minimum > $1.minimum } }
        set { classesJSON = (try? String(decoding: JSONEncoder().encode(newValue), as: UTF8.self)) ?? "[]" }
    }

    /// The passing class and every class above it.
    public var passingKeys: Set<String> {
        let all = classes
        guard let floor = all.first(where: { $0.key == passClass })?.minimum else { return [passClass] }
        return Set(all.filter { $0.minimum >= floor }.map(\.key))
    }
}

/// One criterion of a set.
public final class Criterion: Model, @unchecked Sendable {
    public static let schema = "emulation_criteria"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "set_id") public var set: CriteriaSet
    /// The group heading ("1. Công khai thông tin").
    @Field(key: "group_name") public var groupName: String
    @Field(key: "title") public var title: String
    @Field(key: "guidance") public var guidance: String
    @Field(key: "max_points") public var maxPoints: Double
    @Field(key: "weight") public var weight: Double
    @Field(key: "sort_order") public var sortOrder: Int

    public init() {}
}

/// A council of appraisers at one level (the unit whose council it is) for a year and purpose.
public final class Council: Model, @unchecked Sendable {
    public static let schema = "emulation_councils"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "unit_id") public var unit: OrgUnit
    @Field(key: "year") public var year: Int
    @Field(key: "purpose") public var purpose: AssessmentPurpose
    @Field(key: "name") public var name: String
    /// The lead appraiser, who sees progress and may recuse a member.
    @OptionalField(key: "chair_id") public var chairID: UUID?
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}

extension Council: UnitOwned {
    public static var ownerUnitKey: KeyPath<Council, FieldProperty<Council, UUID>> { \Council.$unit.$id }
}

/// A member of a council.
public final class CouncilMember: Model, @unchecked Sendable {
    public static let schema = "emulation_council_members"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "council_id") public var council: Council
    @Parent(key: "user_id") public var user: User

    public init() {}
}

/// What an appraisal appraises.
public enum AppraisalSubject: String, Codable, Sendable, CaseIterable {
    case model, democracy, entry
}

/// One subject appraised by one council with one criteria set (a round of a contest is one
/// appraisal per entry).
public final class Appraisal: Model, @unchecked Sendable {
    public static let schema = "emulation_appraisals"

    public enum Status: String, Codable, Sendable, CaseIterable {
        case open, closed
        public var label: String { L10n.text("emulation.appraisal.status.\(rawValue)") }
    }

    @ID(key: .id) public var id: UUID?
    @Parent(key: "set_id") public var set: CriteriaSet
    @Parent(key: "council_id") public var council: Council
    @Field(key: "subject_type") public var subjectType: AppraisalSubject
    @Field(key: "subject_id") public var subjectID: UUID
    /// The unit that proposed the subject: its officials are in conflict.
    @Parent(key: "proposing_unit_id") public var proposingUnit: OrgUnit
    /// The subject's contact person, in conflict too.
    @OptionalField(key: "contact_user_id") public var contactUserID: UUID?
    /// The level of recognition asked for (models): commune or province.
    @Field(key: "level") public var level: String
    @Field(key: "round") public var round: Int
    @Field(key: "status") public var status: Status
    @OptionalField(key: "result") public var result: Double?
    @OptionalField(key: "class_key") public var classKey: String?
    /// Scores further apart than the set's spread: the council must discuss before a decision.
    @Field(key: "flagged") public var flagged: Bool
    /// The council's discussion and conclusion (minutes).
    @Field(key: "discussion") public var discussion: String
    /// Members recused by the lead appraiser (user ids, comma separated).
    @Field(key: "recused") public var recused: String
    @Field(key: "opened_at") public var openedAt: Date
    @OptionalField(key: "closed_at") public var closedAt: Date?
    @Field(key: "version") public var version: Int

    public init() {}

    /// Recused member ids.
    public var recusedIDs: Set<UUID> { Set(recused.split(separator: ",").compactMap { UUID(uuidString: String($0)) }) }
}

/// One appraiser's scores of one appraisal, written once when submitted.
public final class AppraisalScore: Model, @unchecked Sendable {
    public static let schema = "emulation_scores"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "appraisal_id") public var appraisal: Appraisal
    @Parent(key: "user_id") public var user: User
    /// Points by criterion id, JSON.
    @Field(key: "points") public var pointsJSON: String
    @Field(key: "total") public var total: Double
    @Field(key: "comment") public var comment: String
    @Field(key: "submitted_at") public var submittedAt: Date

    public init() {}

    public var points: [UUID: Double] {
        let raw = (try? JSONDecoder().decode([String: Double].self, from: Data(pointsJSON.utf8))) ?? [:]
        return Dictionary(uniqueKeysWithValues: raw.compactMap { key, value in UUID(uuidString: key).map { ($0, value) } })
    }
}

/// The fields of a DVK model (DOMAIN.md §4; land, environment and site clearance is a flagged focus).
public enum EmulationField: String, Codable, Sendable, CaseIterable {
    case economy, culture, defence, politics, government
    public var label: String { L10n.text("emulation.field.\(rawValue)") }
}

/// A "Dân vận khéo" model (collective) or exemplar (person or collective).
public final class DVKModel: Model, @unchecked Sendable {
    public static let schema = "emulation_models"

    public enum Kind: String, Codable, Sendable, CaseIterable {
        case model, exemplar
        public var label: String { L10n.text("emulation.kind.\(rawValue)") }
    }

    public enum Holder: String, Codable, Sendable, CaseIterable {
        case collective, person
        public var label: String { L10n.text("emulation.holder.\(rawValue)") }
    }

    public enum Status: String, Codable, Sendable, CaseIterable {
        case registered, building, proposed, appraising, recognised, notRecognised, commended, replicated, retired
        public var label: String { L10n.text("emulation.status.\(rawValue)") }
        /// Shown on the public showcase.
        public var isPublic: Bool { [.recognised, .commended, .replicated].contains(self) }
    }

    @ID(key: .id) public var id: UUID?
    @Parent(key: "unit_id") public var unit: OrgUnit
    @Field(key: "year") public var year: Int
    @Field(key: "kind") public var kind: Kind
    @Field(key: "holder") public var holder: Holder
    @Field(key: "name") public var name: String
    /// The folded name: one model of a name per unit and year.
    @Field(key: "name_key") public var nameKey: String
    @Field(key: "field") public var field: EmulationField
    @Field(key: "land_focus") public var landFocus: Bool
    @Field(key: "problem") public var problem: String
    @Field(key: "solution") public var solution: String
    @Field(key: "beneficiaries") public var beneficiaries: String
    @Field(key: "expected") public var expected: String
    /// What it achieved (filled while building and at the proposal).
    @Field(key: "results") public var results: String
    @Field(key: "contact_name") public var contactName: String
    @Field(key: "contact_phone") public var contactPhone: String
    @OptionalField(key: "contact_user_id") public var contactUserID: UUID?
    @Field(key: "status") public var status: Status
    /// The highest level it is recognised at ("commune", "province").
    @OptionalField(key: "level") public var level: String?
    @OptionalField(key: "recognised_year") public var recognisedYear: Int?
    /// The level the unit asked for in its latest proposal.
    @OptionalField(key: "proposed_level") public var proposedLevel: String?
    @Field(key: "commendation") public var commendation: String
    /// Why it was not recognised, or retired.
    @Field(key: "reasons") public var reasons: String
    /// A model this one replicates (the adopting unit's own model).
    @OptionalField(key: "source_model_id") public var sourceModelID: UUID?
    @Field(key: "search_text") public var searchText: String
    @Field(key: "version") public var version: Int
    @Field(key: "created_at") public var createdAt: Date
    @Field(key: "updated_at") public var updatedAt: Date

    public init() {}
}

extension DVKModel: UnitOwned {
    public static var ownerUnitKey: KeyPath<DVKModel, FieldProperty<DVKModel, UUID>> { \DVKModel.$unit.$id }
}

/// A step in a model's timeline.
public final class ModelEvent: Model, @unchecked Sendable {
    public static let schema = "emulation_model_events"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "model_id") public var model: DVKModel
    @Field(key: "kind") public var kind: String
    @Field(key: "text") public var text: String
    @Field(key: "actor_name") public var actorName: String
    @Field(key: "at") public var at: Date

    public init() {}
}

/// A recognition of a model at a level in a year (a model recognised by the commune and then by
/// the province has two).
public final class Recognition: Model, @unchecked Sendable {
    public static let schema = "emulation_recognitions"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "model_id") public var model: DVKModel
    /// The model's unit, copied so the yearly target reads one table.
    @Field(key: "unit_id") public var unitID: UUID
    @Field(key: "level") public var level: String
    @Field(key: "year") public var year: Int
    @Field(key: "field") public var field: EmulationField
    @Field(key: "decision_number") public var decisionNumber: String
    @Field(key: "decision_date") public var decisionDate: Date
    @OptionalField(key: "appraisal_id") public var appraisalID: UUID?
    @OptionalField(key: "result") public var result: Double?

    public init() {}
}

/// A file of a model, a progress note, a self-assessment, an appraisal's minutes or a contest entry.
public final class EmulationFile: Model, @unchecked Sendable {
    public static let schema = "emulation_files"

    @ID(key: .id) public var id: UUID?
    @Field(key: "owner_type") public var ownerType: String
    @Field(key: "owner_id") public var ownerID: UUID
    @Field(key: "filename") public var filename: String
    @Field(key: "content_type") public var contentType: String
    @Field(key: "size") public var size: Int
    @Field(key: "sha256") public var sha256: String
    @Field(key: "storage_key") public var storageKey: String
    @Field(key: "uploaded_by") public var uploadedBy: String
    @Field(key: "at") public var at: Date

    public init() {}

    public var isPhoto: Bool { contentType.hasPrefix("image/") }
}

/// A unit asked to replicate a recognised model.
public final class Replication: Model, @unchecked Sendable {
    public static let schema = "emulation_replications"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "model_id") public var model: DVKModel
    @Parent(key: "unit_id") public var unit: OrgUnit
    @Field(key: "due_on") public var dueOn: Date
    /// The followed-up item (a task where Tasks is present).
    @OptionalField(key: "follow_up_type") public var followUpType: String?
    @OptionalField(key: "follow_up_id") public var followUpID: UUID?
    @Field(key: "results") public var results: String
    @OptionalField(key: "done_on") public var doneOn: Date?
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}

/// A commune's yearly self-assessment of grassroots democracy (QCDC), appraised by the level above.
public final class DemocracyAssessment: Model, @unchecked Sendable {
    public static let schema = "emulation_democracy"

    public enum Status: String, Codable, Sendable, CaseIterable {
        case draft, submitted, appraised
        public var label: String { L10n.text("emulation.democracy.status.\(rawValue)") }
    }

    @ID(key: .id) public var id: UUID?
    @Parent(key: "unit_id") public var unit: OrgUnit
    @Field(key: "year") public var year: Int
    @Parent(key: "set_id") public var set: CriteriaSet
    /// Self-assessed points by criterion id, JSON.
    @Field(key: "points") public var pointsJSON: String
    @Field(key: "total") public var total: Double
    /// What was done, by mode (the evidence described).
    @Field(key: "notes") public var notes: String
    @Field(key: "status") public var status: Status
    @OptionalField(key: "appraisal_id") public var appraisalID: UUID?
    @OptionalField(key: "result") public var result: Double?
    @OptionalField(key: "class_key") public var classKey: String?
    @OptionalField(key: "submitted_at") public var submittedAt: Date?
    @Field(key: "version") public var version: Int
    @Field(key: "updated_at") public var updatedAt: Date

    public init() {}

    public var points: [UUID: Double] {
        let raw = (try? JSONDecoder().decode([String: Double].self, from: Data(pointsJSON.utf8))) ?? [:]
        return Dictionary(uniqueKeysWithValues: raw.compactMap { key, value in UUID(uuidString: key).map { ($0, value) } })
    }
}

extension DemocracyAssessment: UnitOwned {
    public static var ownerUnitKey: KeyPath<DemocracyAssessment, FieldProperty<DemocracyAssessment, UUID>> { \DemocracyAssessment.$unit.$id }
}

/// A juried contest: the press-writing contest on DVK examples, the DVK Hội thi.
public final class JuriedContest: Model, @unchecked Sendable {
    public static let schema = "emulation_contests"

    public enum Kind: String, Codable, Sendable, CaseIterable {
        case press, festival
        public var label: String { L10n.text("emulation.contest.kind.\(rawValue)") }
    }

    public enum Status: String, Codable, Sendable, CaseIterable {
        case open, judging, published
        public var label: String { L10n.text("emulation.contest.status.\(rawValue)") }
    }

    @ID(key: .id) public var id: UUID?
    @Parent(key: "unit_id") public var unit: OrgUnit
    @Field(key: "title") public var title: String
    @Field(key: "kind") public var kind: Kind
    @Field(key: "year") public var year: Int
    @Parent(key: "set_id") public var set: CriteriaSet
    @Parent(key: "council_id") public var council: Council
    @Field(key: "status") public var status: Status
    /// The prizes in order, one per line: "Giải Nhất: 1".
    @Field(key: "prizes") public var prizes: String
    @Field(key: "round") public var round: Int
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}

/// An entry of a juried contest.
public final class ContestEntry: Model, @unchecked Sendable {
    public static let schema = "emulation_entries"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "contest_id") public var contest: JuriedContest
    @Parent(key: "unit_id") public var unit: OrgUnit
    @Field(key: "title") public var title: String
    @Field(key: "author") public var author: String
    @Field(key: "summary") public var summary: String
    @OptionalField(key: "result") public var result: Double?
    @OptionalField(key: "prize") public var prize: String?
    @OptionalField(key: "rank") public var rank: Int?
    @Field(key: "created_at") public var createdAt: Date

    public init() {}
}

/// A year's settings: the registration window, the targets and the "meets" rule.
public final class EmulationYear: Model, @unchecked Sendable {
    public static let schema = "emulation_years"

    @ID(key: .id) public var id: UUID?
    @Field(key: "year") public var year: Int
    @Field(key: "opens_on") public var opensOn: Date
    @Field(key: "closes_on") public var closesOn: Date
    /// Share of units that must meet the DVK criteria (0.8).
    @Field(key: "dvk_target") public var dvkTarget: Double
    /// Share of communes that must be classed as passing in QCDC (0.8).
    @Field(key: "democracy_target") public var democracyTarget: Double
    /// A unit meets the DVK criteria with at least this many models recognised that year…
    @Field(key: "meets_models") public var meetsModels: Int
    /// …at this level or above ("commune", "province").
    @Field(key: "meets_level") public var meetsLevel: String
    @Field(key: "updated_at") public var updatedAt: Date

    public init() {}
}
