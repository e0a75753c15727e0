import DanVanCore
import DanVanText
import Foundation
import Vapor

extension Request {
    /// The ids of the units inside the user's scope, or nil when the scope is the whole tree, so
    /// the large queries filter by `unit_id IN (…)` from the cached tree (or not at all) instead
    /// of joining a million submissions to the units table.
    func scopeUnitIDs() async throws -> [UUID]? {
        let scope = try await scope()
        guard scope.pathPrefix != nil else { return nil }
        let inside = try await unitTree(in: scope, includeEnded: true)
        let all = try await unitTree(in: .everything, includeEnded: true)
        return inside.count == all.count ? nil : inside.compactMap(\.id)
    }
}

extension Request {
    /// The posted form as typed, NFC, one value per name (kept to fill the form again).
    func typedForm() -> [String: String] {
        var typed: [String: String] = [:]
        for (name, value) in formPairs() { typed[name] = VietnameseText.nfc(value) }
        return typed
    }
}
