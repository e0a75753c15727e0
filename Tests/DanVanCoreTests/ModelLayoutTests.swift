import DanVanApp
@testable import DanVanCore
import FluentKit
import Foundation
import Testing

/// A model's properties read at their stored offsets (issue 12, `ModelLayout`) must be the very
/// objects, in the very order, FluentKit's reflection walk finds — for every model of the app,
/// reached the way FluentKit reaches them (through the generic `Fields` requirement).
@Suite("Model layout: properties without reflection, the same as with it")
struct ModelLayoutTests {
    /// FluentKit's way in: a generic call through the `Fields` requirement.
    static func viaFluent<F: Fields>(_ fields: F) -> [any AnyProperty] { fields.properties }

    /// What FluentKit's default walk returns.
    static func walked(_ model: Any) -> [any AnyProperty] {
        Mirror(reflecting: model).children.compactMap { $0.value as? any AnyProperty }
    }

    /// Every `class X: Model` declared in `Sources/<module>/`, as "Module.X".
    static func declaredModels() throws -> [String] {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")
        let pattern = try NSRegularExpression(pattern: #"^(?:public |internal |)(?:final )?class (\w+): Model\b"#, options: .anchorsMatchLines)
        var names: [String] = []
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            guard file.pathExtension == "swift" else { continue }
            let module = file.pathComponents[sources.pathComponents.count]
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                names.append("\(module).\(text[Range(match.range(at: 1), in: text)!])")
            }
        }
        return names.sorted()
    }

    @Test("every model of the app gives FluentKit the objects its walk would find")
    func everyModel() throws {
        let names = try Self.declaredModels()
        #expect(names.count >= 60, "the scan of Sources found \(names.count) models")
        for name in names {
            let type = try #require(_typeByName(name) as? any Model.Type, "\(name) is not a model the runtime knows")
            let model = type.init()
            let fast = Self.viaFluent(model)
            let walked = Self.walked(model)
            #expect(ModelLayout.isLaidOut(type), "\(name) is walked by reflection")
            #expect(fast.count == walked.count && !fast.isEmpty, "\(name): \(fast.count) properties, the walk finds \(walked.count)")
            for (a, b) in zip(fast, walked) {
                #expect(a as AnyObject === b as AnyObject, "\(name): a property differs from the walk's")
            }
            // The layout must read the instance it is given, not the first one seen.
            let other = type.init()
            #expect(zip(Self.viaFluent(other), fast).allSatisfy { $0 as AnyObject !== $1 as AnyObject })
        }
    }

    @Test("a user read back keeps its values through the laid-out properties")
    func valuesSurvive() throws {
        let user = User(username: "dangvanon", fullName: "Đặng Văn Ơn", passwordHash: "x", role: .specialist, unitID: UUID())
        let keys = Self.viaFluent(user).compactMap { ($0 as? any AnyDatabaseProperty)?.keys }.flatMap { $0 }.map(\.description)
        #expect(keys.contains("username") && keys.contains("full_name") && keys.contains("unit_id"))
        #expect(User.keys.map(\.description) == keys)
        #expect(user.fullName == "Đặng Văn Ơn" && user.$unit.id == user.$unit.id)
    }

    /// A model with a stored value that is not a property wrapper: it is skipped, as by the walk.
    final class Mixed: Model, @unchecked Sendable {
        static let schema = "mixed"
        @ID(key: .id) var id: UUID?
        var note = "not a field"
        @Field(key: "title") var title: String
        @OptionalParent(key: "parent_id") var parent: Mixed?
        init() {}
    }

    @Test("a stored value that is not a property is skipped, as the walk skips it")
    func mixedModel() {
        let model = Mixed()
        let fast = Self.viaFluent(model)
        #expect(fast.count == 3)
        #expect(zip(fast, Self.walked(model)).allSatisfy { $0 as AnyObject === $1 as AnyObject })
    }
}
