import Fluent
import Foundation
import Vapor

/// One write recorded in the audit log: who, when, which record, before and after.
public final class AuditEntry: Model, @unchecked Sendable {
    /// The table.
    public static let schema = "audit_entries"

    /// Identifier.
    @ID(key: .id) public var id: UUID?
    /// When.
    @Field(key: "at") public var at: Date
    /// The acting user, nil for the system (commands, jobs).
    @OptionalField(key: "actor_id") public var actorID: UUID?
    /// The actor's username at the time (kept if the account changes later).
    @Field(key: "actor_name") public var actorName: String
    /// What was done (`create`, `update`, `login`…).
    @Field(key: "action") public var action: String
    /// Kind of record (`unit`, `user`…).
    @Field(key: "entity_type") public var entityType: String
    /// Id of the record.
    @OptionalField(key: "entity_id") public var entityID: String?
    /// A one-line description for people.
    @Field(key: "summary") public var summary: String
    /// JSON of the record before, if it existed.
    @OptionalField(key: "before_json") public var beforeJSON: String?
    /// JSON of the record after, if it still exists.
    @OptionalField(key: "after_json") public var afterJSON: String?
    /// Client address.
    @OptionalField(key: "address") public var address: String?

    /// Empty entry for Fluent.
    public init() {}

    /// A new entry.
    public init(
        at: Date, actorID: UUID?, actorName: String, action: String, entityType: String, entityID: String?,
        summary: String, beforeJSON: String?, afterJSON: String?, address: String?
    ) {
        // Time-ordered: entries are appended, so their key index grows at its end.
        self.id = .timeOrdered()
        self.at = at
        self.actorID = actorID
        self.actorName = actorName
        self.action = action
        self.entityType = entityType
        self.entityID = entityID
        self.summary = summary
        self.beforeJSON = beforeJSON
        self.afterJSON = afterJSON
        self.address = address
    }
}
