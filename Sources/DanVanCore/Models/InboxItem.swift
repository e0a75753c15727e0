import Fluent
import Foundation
import SQLKit
import Vapor

/// One entry of a user's inbox ("việc cần làm"): something due, overdue, urged or waiting for
/// the user. Modules post entries; the shell shows the unread count.
public final class InboxItem: Model, @unchecked Sendable {
    /// The table.
    public static let schema = "inbox_items"

    @ID(key: .id) public var id: UUID?
    /// Who it is for.
    @Parent(key: "user_id") public var user: User
    /// Kind, e.g. `task.overdue`, `task.dueSoon`, `task.urged`.
    @Field(key: "kind") public var kind: String
    /// What to tell the user, in Vietnamese.
    @Field(key: "message") public var message: String
    /// Where entries written before `core.0007` went; newer entries point at a target instead.
    @Field(key: "link") public var link: String
    /// What the entry points at (`task`, …), resolved to a link when shown (`app.inboxTargets`),
    /// so renaming a route never breaks an old entry.
    @OptionalField(key: "target_type") public var targetType: String?
    /// The id of the target.
    @OptionalField(key: "target_id") public var targetID: UUID?
    /// One entry per user and key: jobs that run again add nothing twice.
    @Field(key: "dedupe_key") public var dedupeKey: String
    @Field(key: "created_at") public var createdAt: Date
    @OptionalField(key: "read_at") public var readAt: Date?

    /// Empty entry for Fluent.
    public init() {}

    /// A new entry.
    public init(userID: UUID, kind: String, message: String, target: InboxTarget, dedupeKey: String, at: Date) {
        self.$user.id = userID
        self.kind = kind
        self.message = message
        self.link = ""
        self.targetType = target.type
        self.targetID = target.id
        self.dedupeKey = dedupeKey
        self.createdAt = at
    }
}

extension CoreMigrations {
    struct CreateInboxItems: AsyncMigration {
        var name: String { "core.0006.create-inbox-items" }

        func prepare(on database: any Database) async throws {
            try await database.schema("inbox_items")
                .id()
                .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
                .field("kind", .string, .required)
                .field("message", .string, .required)
                .field("link", .string, .required)
                .field("dedupe_key", .string, .required)
                .field("created_at", .datetime, .required)
                .field("read_at", .datetime)
                .unique(on: "user_id", "dedupe_key")
                .create()
            if let sql = database as? any SQLDatabase {
                try await sql.create(index: "inbox_items_user_idx").on("inbox_items").column("user_id").column("read_at").run()
            }
        }

        func revert(on database: any Database) async throws {
            try await database.schema("inbox_items").delete()
        }
    }
}

extension CoreMigrations {
    /// Inbox entries store what they point at (kind + id); existing `/tasks/<id>` links move over.
    struct AddInboxTargets: AsyncMigration {
        var name: String { "core.0007.add-inbox-targets" }

        func prepare(on database: any Database) async throws {
            try await database.schema("inbox_items").field("target_type", .string).update()
            try await database.schema("inbox_items").field("target_id", .uuid).update()
            for item in try await InboxItem.query(on: database).filter(\.$targetType == nil).all() {
                guard let target = InboxTarget(legacyLink: item.link) else { continue }
                item.targetType = target.type
                item.targetID = target.id
                try await item.update(on: database)
            }
        }

        func revert(on database: any Database) async throws {
            for item in try await InboxItem.query(on: database).filter(\.$targetType != nil).all() where item.link.isEmpty {
                // Only the shape the forward step read is written back; other kinds go to the inbox.
                if item.targetType == "task", let id = item.targetID { item.link = "/tasks/\(id)" } else { item.link = "/inbox" }
                try await item.update(on: database)
            }
            try await database.schema("inbox_items").deleteField("target_id").update()
            try await database.schema("inbox_items").deleteField("target_type").update()
        }
    }
}

/// What an inbox entry points at: a kind a module registered (`app.inboxTargets`) and an id.
public struct InboxTarget: Sendable, Equatable {
    /// The kind, e.g. `task`.
    public let type: String
    /// The record's id.
    public let id: UUID

    /// A target.
    public init(type: String, id: UUID) {
        self.type = type
        self.id = id
    }

    /// Reads a link stored before targets existed: `/<kind>s/<uuid>`.
    init?(legacyLink link: String) {
        let parts = link.split(separator: "/")
        guard parts.count == 2, parts[0].hasSuffix("s"), let id = UUID(uuidString: String(parts[1])) else { return nil }
        self.init(type: String(parts[0].dropLast()), id: id)
    }
}

/// How each module's inbox targets become links: a module registers its kinds in
/// `register(on:)` (`app.inboxTargets.register("task") { TasksRoute.show($0).path }`).
public struct InboxTargets: Sendable {
    private var links: [String: @Sendable (UUID) -> String] = [:]

    /// Registers the link of `type`.
    public mutating func register(_ type: String, link: @escaping @Sendable (UUID) -> String) {
        links[type] = link
    }

    /// The link of a target (a task a commitment became), nil for a kind nobody registered.
    public func link(_ target: InboxTarget) -> String? {
        links[target.type].map { $0(target.id) }
    }

    /// The link of an entry: its target's, or the link stored before targets existed, or the inbox.
    public func link(of item: InboxItem) -> String {
        if let type = item.targetType, let id = item.targetID, let link = links[type] { return link(id) }
        return item.link.hasPrefix("/") ? item.link : CoreRoute.inbox.path
    }
}

extension Application {
    private struct InboxTargetsKey: StorageKey { typealias Value = InboxTargets }

    /// The registered inbox target kinds.
    public var inboxTargets: InboxTargets {
        get { storage[InboxTargetsKey.self] ?? InboxTargets() }
        set { storage[InboxTargetsKey.self] = newValue }
    }
}

/// Posting to and reading inboxes.
public enum Inbox {
    /// Posts `message` to every active user of `unitID` (the unit's own accounts), once per
    /// `dedupeKey`. Returns how many entries were added.
    @discardableResult
    public static func post(toUnit unitID: UUID, kind: String, message: String, target: InboxTarget, dedupeKey: String, at: Date, on db: any Database) async throws -> Int {
        let users = try await User.query(on: db).filter(\.$unit.$id == unitID).filter(\.$isActive == true).all()
        var added = 0
        for user in users {
            let userID = try user.requireID()
            let exists = try await InboxItem.query(on: db).filter(\.$user.$id == userID).filter(\.$dedupeKey == dedupeKey).count() > 0
            if exists { continue }
            try await InboxItem(userID: userID, kind: kind, message: message, target: target, dedupeKey: dedupeKey, at: at).create(on: db)
            added += 1
        }
        return added
    }

    /// Unread entries of a user.
    public static func unreadCount(for userID: UUID, on db: any Database) async throws -> Int {
        // Every signed-in page shows it: one plain count, not a Fluent query built per page.
        guard let sql = db as? any SQLDatabase else { throw AppError.unavailable }
        struct Row: Decodable { let unread: Int }
        return try await sql.raw("SELECT COUNT(*) AS unread FROM inbox_items WHERE user_id = \(bind: userID) AND read_at IS NULL")
            .first(decoding: Row.self)?.unread ?? 0
    }
}

extension Request {
    private struct InboxUnreadKey: StorageKey { typealias Value = Int }

    /// The signed-in user's unread entries, read once per request: the shell shows it on every
    /// page and the inbox page again.
    public func inboxUnread() async throws -> Int {
        if let known = storage[InboxUnreadKey.self] { return known }
        let count = try await Inbox.unreadCount(for: try requireUser().requireID(), on: db)
        storage[InboxUnreadKey.self] = count
        return count
    }

    /// Whether this request already knows the unread count.
    var inboxUnreadKnown: Bool { storage[InboxUnreadKey.self] != nil }

    /// Keeps the unread count a statement of this request read along with something else
    /// (the unit tree's fingerprint on a GET).
    func knowInboxUnread(_ count: Int) {
        storage[InboxUnreadKey.self] = count
    }
}

/// The inbox page.
struct InboxController {
    /// An entry as its row shows it.
    struct Row: Sendable {
        /// The entry's own link (opening it marks it read, then follows its target).
        let href: String
        let at: String
        let message: String
        let unread: Bool

        /// The row's markup (see `HTML`).
        var html: HTML {
            "<li\(if: unread, #" class="unread""#)><a href=\"\(href)\">\(message)</a> <span class=\"muted small\">\(at)</span></li>"
        }
    }

    struct Context: Encodable, Sendable {
        /// The rows' markup, `Row.html` one after another.
        let rows: HTML
        let hasRows: Bool
        let unread: Int
        let previous: String?
        let next: String?
    }

    /// The columns a row reads, named once.
    private enum RowColumns {
        static let id = InboxItem.column(\.$id), message = InboxItem.column(\.$message)
        static let createdAt = InboxItem.column(\.$createdAt), readAt = InboxItem.column(\.$readAt)
        static let all = [id.key, message.key, createdAt.key, readAt.key]
    }

    /// Entries per page: a leader's inbox gathers hundreds; 200 on one page took 10 ms to read
    /// and render and weighed on a phone.
    static let pageSize = 50

    /// A page's rows as shown.
    struct Shown: Sendable {
        /// The rows' markup.
        let rows: HTML
        let hasRows: Bool
        /// Whether older entries follow.
        let more: Bool
    }

    /// What a user's entries are at a moment, read in one statement: how many there are and
    /// how many of them are unread. An entry is only ever added (once per key), marked read, or
    /// deleted with its user, so two moments with the same stamp had the same entries (each
    /// addition raises the first count, each reading lowers the second and none raises it back).
    struct Stamp: Equatable, Sendable {
        let entries: Int
        let unread: Int
    }

    /// The first pages users saw, under their stamps, for the 500 users who looked last (about
    /// 10 kB each): the page officials open most after the home page, and its rows only change
    /// when an entry comes or is read (issue 12).
    let firstPages = RecentlyUsedCache<UUID, Stamp, Shown>(capacity: 500)

    func index(_ req: Request) async throws -> Response {
        let userID = try req.requireUser().requireID()
        let page = max(1, (try? req.query.get(Int.self, at: "page")) ?? 1)
        let shown: Shown
        if page == 1 {
            // The stamp in the request's first statement; both counts in it, never one read
            // earlier than the other.
            var figures = PageFigures()
            figures.add("inbox_entries", "SELECT COUNT(*) FROM inbox_items WHERE user_id = \(bind: userID)")
            figures.add("inbox_unread", "SELECT COUNT(*) FROM inbox_items WHERE user_id = \(bind: userID) AND read_at IS NULL")
            let values = try await req.readFigures(figures)
            let stamp = Stamp(entries: try values.int("inbox_entries"), unread: try values.int("inbox_unread"))
            shown = try await firstPages.value(userID, at: stamp) { try await Self.page(1, of: userID, on: req.db) }
        } else {
            shown = try await Self.page(page, of: userID, on: req.db)
        }
        let context = Context(
            rows: shown.rows,
            hasRows: shown.hasRows,
            unread: try await req.inboxUnread(),
            previous: page > 1 ? CoreRoute.inbox.path + "?page=\(page - 1)" : nil,
            next: shown.more ? CoreRoute.inbox.path + "?page=\(page + 1)" : nil
        )
        return try await req.render("inbox/index", title: req.t("core.viec_can_lam"), context)
    }

    /// The rows of `page`, newest first: only what a row shows, read without models (`rows`);
    /// the row's link made here.
    static func page(_ page: Int, of userID: UUID, on db: any Database) async throws -> Shown {
        typealias C = RowColumns
        let rows = try await InboxItem.query(on: db).fields(C.all)
            .filter(\.$user.$id == userID).sort(\.$createdAt, .descending)
            .range((page - 1) * pageSize..<(page * pageSize + 1))
            .rows { row in
                Row(href: CoreRoute.inboxItem(try row[C.id]).path, at: VNFormat.dateTime(try row[C.createdAt]), message: try row[C.message], unread: try row[C.readAt] == nil)
            }
        let shown = rows.prefix(pageSize)
        return Shown(rows: HTML.joined(shown.map(\.html)), hasRows: !shown.isEmpty, more: rows.count > pageSize)
    }

    /// Opens an entry: marks it read and follows its link.
    func open(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard let id = req.parameters.get("itemID", as: UUID.self),
              let item = try await InboxItem.query(on: req.db).filter(\.$id == id).filter(\.$user.$id == user.requireID()).first()
        else { throw AppError.notFound }
        if item.readAt == nil {
            item.readAt = req.now
            try await item.update(on: req.db)
        }
        return req.redirect(to: req.application.inboxTargets.link(of: item))
    }

    func readAll(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        try await InboxItem.query(on: req.db).filter(\.$user.$id == user.requireID()).filter(\.$readAt == nil).set(\.$readAt, to: req.now).update()
        req.flash(.success, req.t("core.da_danh_dau_tat_ca_la"))
        return req.redirect(to: CoreRoute.inbox)
    }
}
