import Fluent
import Foundation
import Vapor

/// Something a module wants followed up by a unit until a date (a dialogue's commitment, a
/// model to replicate). When a module that follows work up is present (Tasks), it registers
/// `FollowUps.create`/`states`, and the item becomes one of its records; otherwise the asking
/// module keeps the item's state itself.
public struct FollowUpDraft: Sendable, Equatable {
    /// What is to be done.
    public var content: String
    /// Where it comes from ("Đối thoại ngày 12/11/2026 tại xã Tân Lập").
    public var origin: String
    /// The responsible unit.
    public var unitID: UUID
    /// The due date (start of day in the province).
    public var dueOn: Date

    /// Creates a draft.
    public init(content: String, origin: String, unitID: UUID, dueOn: Date) {
        self.content = content
        self.origin = origin
        self.unitID = unitID
        self.dueOn = dueOn
    }
}

/// Where a followed-up item stands.
public struct FollowUpState: Sendable, Equatable {
    /// Done (on time or late).
    public var done: Bool
    /// The day it was done.
    public var doneOn: Date?
    /// Progress 0–100.
    public var progress: Int

    /// Creates a state.
    public init(done: Bool, doneOn: Date?, progress: Int) {
        self.done = done
        self.doneOn = doneOn
        self.progress = progress
    }
}

/// The follow-up hooks a module registers.
public struct FollowUps: Sendable {
    /// Makes an item (on the caller's transaction) and returns what it points at.
    public var create: (@Sendable (FollowUpDraft, AuditActor, Date, any Database) async throws -> InboxTarget)?
    /// The states of items by id.
    public var states: (@Sendable ([UUID], any Database) async throws -> [UUID: FollowUpState])?

    /// No follow-up module.
    public init() {}

    /// Whether a module follows items up.
    public var available: Bool { create != nil }
}

/// A thing a module offers to do with a pressing issue that another module found (a report's
/// "pressing issues" section → a hot-spot record). The page that shows the issue lists the
/// registered actions as links; the module that offers them reads the text from the link.
public struct PressingIssueAction: Sendable {
    /// Localisation key of the link's label.
    public let labelKey: String
    /// The link for an issue raised in `source` by `unitID` with `text`.
    public let link: @Sendable (_ source: InboxTarget, _ unitID: UUID, _ text: String) -> String

    /// Creates an action.
    public init(labelKey: String, link: @escaping @Sendable (_ source: InboxTarget, _ unitID: UUID, _ text: String) -> String) {
        self.labelKey = labelKey
        self.link = link
    }
}

extension Application {
    private struct FollowUpsKey: StorageKey { typealias Value = FollowUps }
    private struct PressingActionsKey: StorageKey { typealias Value = [PressingIssueAction] }

    /// The follow-up hooks (Tasks registers them).
    public var followUps: FollowUps {
        get { storage[FollowUpsKey.self] ?? FollowUps() }
        set { storage[FollowUpsKey.self] = newValue }
    }

    /// Actions on a pressing issue (Citizens registers "create a hot spot").
    public var pressingIssueActions: [PressingIssueAction] {
        get { storage[PressingActionsKey.self] ?? [] }
        set { storage[PressingActionsKey.self] = newValue }
    }
}
