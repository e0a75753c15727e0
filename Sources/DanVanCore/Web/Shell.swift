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

/// The menus made by `Request.shell`, by language, role and active entries (a few dozen at
/// most; the navigation is fixed once the modules registered).
public final class KeptMenus: @unchecked Sendable {
    private let lock = NSLock()
    private var menus: [String: HTML] = [:]

    /// None yet.
    public init() {}

    /// The menu under `key`, made by `make` on first use.
    func value(_ key: String, make: () -> HTML) -> HTML {
        if let kept = lock.withLock({ menus[key] }) { return kept }
        let made = make()
        lock.withLock { menus[key] = made }
        return made
    }
}

extension Application {
    private struct NavigationKey: StorageKey { typealias Value = Navigation }
    private struct KeptMenusKey: StorageKey { typealias Value = KeptMenus }

    /// The menus kept by `Request.shell`; made when CoreModule registers (before any request).
    public var keptMenus: KeptMenus {
        get {
            guard let menus = storage[KeptMenusKey.self] else { fatalError("CoreModule is not registered") }
            return menus
        }
        set { storage[KeptMenusKey.self] = newValue }
    }

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
    /// What the menu is kept under (`KeptMenus`): the same key, the same menu. Not shown.
    var menu: String = ""
    let demo: Bool
    let flashes: [Flash]
    let lang: String
    /// Unread inbox entries of the signed-in user.
    var inboxUnread: Int = 0

    enum CodingKeys: String, CodingKey {
        case title, user, nav, demo, flashes, lang, inboxUnread
    }
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
        var nav = HTML.empty, menu = ""
        if let user {
            // The menu is the same for every page of the same role, language and active entries:
            // kept (its texts and markup were a fortieth of a light page).
            let path = url.path
            let entries = application.navigation.entries.filter { $0.roles.isEmpty || $0.roles.contains(user.role) }
            let active = entries.map { entry in entry.href.map { $0 == "/" ? path == "/" : path.hasPrefix($0) } ?? false }
            menu = locale.rawValue + "|" + user.role.rawValue + "|" + String(active.map { $0 ? "1" : "0" })
            nav = application.keptMenus.value(menu) {
                let soon = t("nav.soon")
                return HTML.joined(zip(entries, active).map { entry, active in
                    Shell.Item(label: t(entry.key), href: entry.href, active: active, soon: entry.href == nil).html(soonLabel: soon)
                })
            }
        }
        return Shell(
            title: title,
            user: user.map {
                Shell.CurrentUser(
                    id: $0.id?.uuidString ?? "", username: $0.username, fullName: $0.fullName, role: $0.role.rawValue,
                    roleLabel: $0.role.label, isAdmin: $0.role == .admin
                )
            },
            nav: nav, menu: menu,
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
        let response: Response
        if application.rendersLocalizedTemplates, let frames = application.layoutFrames, shell.flashes.isEmpty,
           let frame = try await frames.frame(for: shell, on: self) {
            // Only the page's content goes through Leaf; the layout around it is kept.
            let content = try await self.view.render(LocalizedTemplates.contentName(template, locale), Page(shell: shell, page: body))
            response = Response(status: status)
            response.headers.contentType = .html
            response.body = .init(buffer: frame.around(content.data, allocator: byteBufferAllocator), byteBufferAllocator: byteBufferAllocator)
        } else {
            response = try await self.view.render(templateName(template), Page(shell: shell, page: body)).encodeResponse(status: status, for: self)
        }
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }
}

/// The layout around pages, rendered once per shell and kept (issue 12): a page whose shell
/// (user, menu, title, unread count, language, CSRF token) is the same as at an earlier visit
/// gets the same layout, so Leaf renders only the page's content (`LocalizedTemplates.contentName`)
/// and the response is the kept layout around it — byte for byte what the whole template gives
/// (`LocalizedTemplatesTests`). A page with flash messages renders whole. Off while templates are
/// re-read from disk (`DANVAN_TEMPLATE_RELOAD=1`).
public final class LayoutFrames: Sendable {
    /// The layout before and after a page's content.
    struct Frame: Sendable {
        let head: ByteBuffer
        let tail: ByteBuffer

        /// `content` inside the layout.
        func around(_ content: ByteBuffer, allocator: ByteBufferAllocator) -> ByteBuffer {
            var buffer = allocator.buffer(capacity: head.readableBytes + content.readableBytes + tail.readableBytes)
            buffer.writeImmutableBuffer(head)
            buffer.writeImmutableBuffer(content)
            buffer.writeImmutableBuffer(tail)
            return buffer
        }
    }

    /// The layouts of the last 2,000 shells shown, by everything the layout shows (nil: a
    /// layout that cannot be kept, see `frame(for:on:)`).
    private let frames = RecentlyUsedCache<String, Bool, Frame?>(capacity: 2_000)

    /// An empty set of layouts.
    public init() {}

    /// How many shells' layouts it holds.
    public var count: Int { frames.count }

    /// The layout for `shell` as `request` shows it, rendered on first use; nil when it cannot be
    /// kept: an anonymous visitor's layout that showed the visitor's own CSRF token.
    func frame(for shell: Shell, on request: Request) async throws -> Frame? {
        // The menu by the key it is kept under (its markup is a few kilobytes to hash).
        var key = [request.locale.rawValue, shell.demo ? "demo" : "", shell.title, String(shell.inboxUnread), shell.menu]
        if let user = shell.user {
            // The layout's sign-out form carries the session's token.
            key += [user.id, user.username, user.fullName, user.role, user.roleLabel, request.csrfToken]
        }
        return try await frames.value(key.joined(separator: "\u{1}"), at: true) {
            let view = try await request.view.render(LocalizedTemplates.frameName(request.locale), Page(shell: shell, page: [String: String]()))
            let text = String(buffer: view.data)
            guard let marker = text.range(of: LocalizedTemplates.contentMarker) else {
                throw Abort(.internalServerError, reason: "the layout shows no page content")
            }
            if shell.user == nil, let token = request.knownCSRFToken, text.contains(token) { return nil }
            return Frame(head: ByteBuffer(string: String(text[..<marker.lowerBound])), tail: ByteBuffer(string: String(text[marker.upperBound...])))
        }
    }
}

extension Application {
    private struct LayoutFramesKey: StorageKey { typealias Value = LayoutFrames }

    /// The kept layouts (`LayoutFrames`); nil renders every page whole.
    public var layoutFrames: LayoutFrames? {
        get { storage[LayoutFramesKey.self] }
        set { storage[LayoutFramesKey.self] = newValue }
    }
}

extension Request {
    /// `template` rendered alone, without the layout, with `body` as the page's values: a piece
    /// of a page that is kept and shown later inside the layout (`#unsafeHTML(page.body)`).
    func renderPiece<Body: Encodable & Sendable>(_ template: String, _ body: Body) async throws -> HTML {
        let view = try await self.view.render(templateName(template), Page(shell: shell(title: ""), page: body))
        return HTML(renderedView: String(buffer: view.data))
    }

    /// The name `template` is rendered under: its copy with this request's language written in
    /// (`LocalizedTemplates`), or the plain template when those are off.
    private func templateName(_ template: String) -> String {
        application.rendersLocalizedTemplates ? LocalizedTemplates.name(template, locale) : template
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
