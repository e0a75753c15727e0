import Foundation
import Leaf
import LeafKit
import Vapor

/// One entry of the main navigation.
public struct NavEntry: Sendable {
    /// Localisation key of the label.
    public let key: String
    /// Where it goes; nil while the module is not yet available.
    public var href: String?
    /// Roles that see the entry; empty means every signed-in user.
    public var roles: Set<Role>

    /// Creates an entry.
    public init(key: String, href: String?, roles: Set<Role> = []) {
        self.key = key
        self.href = href
        self.roles = roles
    }
}

/// The main navigation, as modules register it. Modules still to come are listed without a
/// link so users see what the system will cover.
public struct Navigation: Sendable {
    /// Entries in display order.
    public var entries: [NavEntry] = [
        NavEntry(key: "nav.home", href: "/"),
        NavEntry(key: "nav.documents", href: nil),
        NavEntry(key: "nav.tasks", href: nil),
        NavEntry(key: "nav.reports", href: nil),
        NavEntry(key: "nav.emulation", href: nil),
        NavEntry(key: "nav.citizens", href: nil),
        NavEntry(key: "nav.hotspots", href: nil),
        NavEntry(key: "nav.quiz", href: nil),
        NavEntry(key: "nav.units", href: "/units"),
        NavEntry(key: "nav.users", href: "/users"),
        NavEntry(key: "nav.audit", href: "/admin/audit", roles: [.admin]),
    ]

    /// Gives the entry `key` its link (a module calls this when it lands).
    public mutating func enable(_ key: String, href: String, roles: Set<Role> = []) {
        if let index = entries.firstIndex(where: { $0.key == key }) {
            entries[index].href = href
            entries[index].roles = roles
        } else {
            entries.append(NavEntry(key: key, href: href, roles: roles))
        }
    }
}

extension Application {
    private struct NavigationKey: StorageKey { typealias Value = Navigation }

    /// The app's main navigation.
    public var navigation: Navigation {
        get { storage[NavigationKey.self] ?? Navigation() }
        set { storage[NavigationKey.self] = newValue }
    }
}

/// What every page's layout needs.
public struct Shell: Encodable, Sendable {
    /// A navigation item ready for the view.
    public struct Item: Sendable {
        let label: String
        let href: String?
        let active: Bool
        let soon: Bool

        /// The item's `<li>`; `soonLabel` marks a module still to come. Written in Swift rather
        /// than by a `#for` in the layout: every page shows the menu (see `HTML`).
        func html(soonLabel: String) -> HTML {
            guard let href, !soon else {
                return "<li><span class=\"nav-soon\" aria-disabled=\"true\" title=\"\(soonLabel)\">\(label) <em>\(soonLabel)</em></span></li>\n"
            }
            return "<li><a href=\"\(href)\"\(if: active, #" class="active" aria-current="page""#)>\(label)</a></li>\n"
        }
    }

    /// The signed-in user as the layout shows it.
    public struct CurrentUser: Encodable, Sendable {
        let id: String
        let username: String
        let fullName: String
        let role: String
        let roleLabel: String
        let isAdmin: Bool
    }

    /// A one-off message from the previous request.
    public struct Flash: Codable, Sendable {
        let kind: String
        let message: String
    }

    let title: String
    let user: CurrentUser?
    /// The main menu's items (`Item.html`).
    let nav: HTML
    let demo: Bool
    let flashes: [Flash]
    let lang: String
    /// Unread inbox entries of the signed-in user.
    var inboxUnread: Int = 0
}

extension Shell: LeafDataRepresentable {
    /// The shell as Leaf data, built directly: every page encodes it, and Leaf's generic
    /// encoder took a twentieth of a light page on it. Keys and values are those the
    /// `Encodable` form gives (absent optionals left out), which `ShellTests` compares.
    public var leafData: LeafData {
        var shell: [String: LeafData] = [
            "title": .string(title),
            "nav": nav.leafData,
            "demo": .bool(demo),
            "flashes": .array(flashes.map { .dictionary(["kind": .string($0.kind), "message": .string($0.message)]) }),
            "lang": .string(lang),
            "inboxUnread": .int(inboxUnread),
        ]
        if let user {
            shell["user"] = .dictionary([
                "id": .string(user.id), "username": .string(user.username), "fullName": .string(user.fullName),
                "role": .string(user.role), "roleLabel": .string(user.roleLabel), "isAdmin": .bool(user.isAdmin),
            ])
        }
        return .dictionary(shell)
    }
}

/// A page: the shell and the page's own data, as `shell.…` and `page.…` in views.
public struct Page<Body: Encodable & Sendable>: Encodable, Sendable {
    let shell: Shell
    let page: Body
}

/// Kinds of flash message.
public enum FlashKind: String, Sendable {
    /// Something was done.
    case success
    /// Something needs attention.
    case warning
    /// Something failed.
    case error
}

extension Request {
    /// Queues a message to show on the next page.
    public func flash(_ kind: FlashKind, _ message: String) {
        var list = (session.data["flash"].flatMap { try? JSONDecoder().decode([Shell.Flash].self, from: Data($0.utf8)) }) ?? []
        list.append(Shell.Flash(kind: kind.rawValue, message: message))
        session.data["flash"] = (try? JSONEncoder().encode(list)).map { String(decoding: $0, as: UTF8.self) }
    }

    private func takeFlashes() -> [Shell.Flash] {
        guard hasSession, let raw = session.data["flash"] else { return [] }
        session.data["flash"] = nil
        return (try? JSONDecoder().decode([Shell.Flash].self, from: Data(raw.utf8))) ?? []
    }

    /// The layout data for a page titled `title`.
    public func shell(title: String) -> Shell {
        let user = currentUser
        let path = url.path
        let soon = t("nav.soon")
        let items: [Shell.Item] = application.navigation.entries.compactMap { entry in
            guard let user else { return nil }
            if !entry.roles.isEmpty, !entry.roles.contains(user.role) { return nil }
            let active = entry.href.map { $0 == "/" ? path == "/" : path.hasPrefix($0) } ?? false
            return Shell.Item(label: t(entry.key), href: entry.href, active: active, soon: entry.href == nil)
        }
        return Shell(
            title: title,
            user: user.map {
                Shell.CurrentUser(
                    id: $0.id?.uuidString ?? "", username: $0.username, fullName: $0.fullName, role: $0.role.rawValue,
                    roleLabel: $0.role.label, isAdmin: $0.role == .admin
                )
            },
            nav: HTML.joined(items.map { $0.html(soonLabel: soon) }),
            demo: application.config.demoMode,
            flashes: sessionsReady ? takeFlashes() : [],
            lang: locale.rawValue
        )
    }

    /// Renders `template` with the shell and `body`.
    public func render<Body: Encodable & Sendable>(
        _ template: String, title: String, _ body: Body, status: HTTPResponseStatus = .ok
    ) async throws -> Response {
        var shell = shell(title: title)
        if currentUser?.id != nil {
            shell.inboxUnread = (try? await inboxUnread()) ?? 0
        }
        let name = application.rendersLocalizedTemplates ? LocalizedTemplates.name(template, locale) : template
        let view = try await self.view.render(name, Page(shell: shell, page: body))
        let response = try await view.encodeResponse(status: status, for: self)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }
}

extension Request {
    /// `template` rendered alone, without the layout, with `body` as the page's values: a piece
    /// of a page that is kept and shown later inside the layout (`#unsafeHTML(page.body)`).
    func renderPiece<Body: Encodable & Sendable>(_ template: String, _ body: Body) async throws -> HTML {
        let name = application.rendersLocalizedTemplates ? LocalizedTemplates.name(template, locale) : template
        let view = try await self.view.render(name, Page(shell: shell(title: ""), page: body))
        return HTML(renderedView: String(buffer: view.data))
    }
}

/// Validation messages of a form, by field name, ready for the view.
public struct FormErrors: Encodable, Sendable, Error {
    private(set) var fields: [String: String] = [:]

    /// No errors.
    public init() {}

    /// Records the message (localisation key `key`) for `field`.
    public mutating func add(_ field: String, _ key: String, _ arguments: String...) {
        if fields[field] == nil { fields[field] = L10n.format(key, arguments) }
    }

    /// Whether any field has a message.
    public var isEmpty: Bool { fields.isEmpty }

    /// The message of `field`.
    public subscript(field: String) -> String? { fields[field] }

    /// Encodes as a plain object so views write `page.errors.name`.
    public func encode(to encoder: any Encoder) throws {
        try fields.encode(to: encoder)
    }
}
