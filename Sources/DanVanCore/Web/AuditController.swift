import DanVanText
import Fluent
import Vapor

/// The audit log viewer (administrators): filter by actor, action, kind of record, record id
/// and date range; 50 entries a page, newest first.
struct AuditController {
    struct Row: Encodable, Sendable {
        let at: String
        let actor: String
        let action: String
        let entityType: String
        let entityID: String
        let summary: String
        let before: String
        let after: String
        let address: String
    }


    struct Context: Encodable, Sendable {
        let rows: [Row]
        let actor: String
        let actions: [SelectOption]
        let entityType: String
        let entityID: String
        let from: String
        let to: String
        let page: Int
        let previous: String?
        let next: String?
    }

    static let pageSize = 50
    static let actions = ["create", "update", "delete", "move", "dissolve", "import", "password", "login", "loginFailed", "logout"]

    func index(_ req: Request) async throws -> Response {
        func param(_ name: String) -> String { VietnameseText.clean((try? req.query.get(String.self, at: name)) ?? "") }
        let actor = param("actor"), action = param("action"), entityType = param("entity"), entityID = param("id")
        let from = param("from"), to = param("to")
        let page = max(1, Int(param("page")) ?? 1)
        var query = AuditEntry.query(on: req.db)
        if !actor.isEmpty { query = query.filter(\.$actorName == actor.lowercased()) }
        if !action.isEmpty { query = query.filter(\.$action == action) }
        if !entityType.isEmpty { query = query.filter(\.$entityType == entityType) }
        if !entityID.isEmpty { query = query.filter(\.$entityID == entityID.uppercased()) }
        if let start = VNFormat.parseDate(from) { query = query.filter(\.$at >= start) }
        if let end = VNFormat.parseDate(to) { query = query.filter(\.$at < end.addingTimeInterval(86_400)) }
        let entries = try await query.sort(\.$at, .descending).range(((page - 1) * Self.pageSize)..<(page * Self.pageSize + 1)).all()
        let hasNext = entries.count > Self.pageSize
        func link(_ page: Int) -> String {
            var items = [URLQueryItem]()
            for (name, value) in [("actor", actor), ("action", action), ("entity", entityType), ("id", entityID), ("from", from), ("to", to)] where !value.isEmpty {
                items.append(URLQueryItem(name: name, value: value))
            }
            items.append(URLQueryItem(name: "page", value: String(page)))
            var components = URLComponents()
            components.path = "/admin/audit"
            components.queryItems = items
            return components.string ?? "/admin/audit"
        }
        let context = Context(
            rows: entries.prefix(Self.pageSize).map {
                Row(
                    at: VNFormat.dateTime($0.at), actor: $0.actorName, action: L10n.text("audit.action.\($0.action)"), entityType: $0.entityType,
                    entityID: $0.entityID ?? "", summary: $0.summary, before: $0.beforeJSON ?? "", after: $0.afterJSON ?? "", address: $0.address ?? ""
                )
            },
            actor: actor,
            actions: Self.actions.map { SelectOption(value: $0, label: L10n.text("audit.action.\($0)"), selected: $0 == action) },
            entityType: entityType, entityID: entityID, from: from, to: to, page: page,
            previous: page > 1 ? link(page - 1) : nil, next: hasNext ? link(page + 1) : nil
        )
        return try await req.render("admin/audit", title: req.t("audit.title"), context)
    }
}
