@testable import DanVanCore
import Foundation
import Testing
import Vapor

@Suite("Typed routes and inbox targets")
struct RouteTests {
    @Test("one value gives the registered pattern and the link; query strings drop empty values")
    func patternAndLink() {
        // setup
        let id = UUID(uuidString: "8F0C2B8E-1111-4222-8333-944455556666")!
        // act, check
        #expect(CoreRoute.home.path == "/")
        #expect(CoreRoute.unitEdit(nil).path == "/units/:unitID/edit")
        #expect(CoreRoute.unitEdit(id).path == "/units/\(id)/edit")
        #expect(CoreRoute.unitEdit(nil).pathComponents.map(\.description) == ["units", ":unitID", "edit"])
        #expect(CoreRoute.language("en vi/x").path == "/lang/en%20vi%2Fx")
        #expect(CoreRoute.users.path(query: [("q", "hòa lạc"), ("unit", nil), ("page", "")]) == "/users?q=h%C3%B2a%20l%E1%BA%A1c")
        #expect(CoreRoute.users.path(query: [("unit", nil)]) == "/users")
    }

    @Test("links stored before targets existed are read as kind + id; anything else is left as it was")
    func legacyLinks() {
        let id = UUID()
        #expect(InboxTarget(legacyLink: "/tasks/\(id)") == InboxTarget(type: "task", id: id))
        #expect(InboxTarget(legacyLink: "/quiz/\(id)/participation") == nil)
        #expect(InboxTarget(legacyLink: "/tasks/not-an-id") == nil)
    }
}
