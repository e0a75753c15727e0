@_spi(Reflection) import Swift
import FluentKit
import NIOConcurrencyHelpers

// A model's properties without a reflection walk on every query.
//
// FluentKit finds a model's fields (`Fields.properties`) with a `Mirror`-like walk over the
// instance every time it is asked, and it asks on every query it builds (`addFields`, the
// soft-delete filter through `timestamps`) and on every row it decodes. The walk resolves each
// stored property's type from its mangled name in the runtime, which dominated the profile of
// the signed-in pages (issue 12: `swift_getTypeByMangledName` under `Fields.properties`, 10–25 %
// of a page).
//
// A class's stored properties sit at fixed offsets, so the walk is done once per model type:
// the offsets of the fields holding a property wrapper (`@Field`, `@Parent`, …, all classes in
// FluentKit) are kept, and an instance's properties are read from them in declaration order —
// the same objects, in the same order, as FluentKit's walk. A type with a property that is not
// a class (none today) keeps the walk.
//
// The implementation is an extension of `Model`: the conformance of every model declared in a
// module that imports DanVanCore takes it (the most specific protocol extension wins). Tested
// for every model of the app (`ModelLayoutTests`): the same objects as a `Mirror` of the
// instance, reached through FluentKit's generic `Fields` requirement.

extension Model {
    /// The property wrappers of this model, read at their stored offsets (see the file's comment).
    public var properties: [any AnyProperty] {
        ModelLayout.properties(of: self)
    }
}

/// The per-type offsets of property wrappers, found once by reflection.
public enum ModelLayout {
    /// The layout of one model type: the byte offsets of its property wrappers, or nil when it
    /// has one that is not a class (its instances are walked as FluentKit does).
    private static let offsets = NIOLockedValueBox<[ObjectIdentifier: [Int]?]>([:])

    /// The properties of `model`, in declaration order.
    static func properties<M: Model>(of model: M) -> [any AnyProperty] {
        guard let offsets = layout(of: M.self) else {
            return Mirror(reflecting: model).children.compactMap { $0.value as? any AnyProperty }
        }
        let base = UnsafeRawPointer(Unmanaged.passUnretained(model).toOpaque())
        var properties: [any AnyProperty] = []
        properties.reserveCapacity(offsets.count)
        for offset in offsets {
            // The field holds a strong reference to a property wrapper object; `load` copies it.
            let object = base.load(fromByteOffset: offset, as: AnyObject.self)
            if let property = object as? any AnyProperty {
                properties.append(property)
            }
        }
        return properties
    }

    /// Whether `type`'s properties are read from stored offsets (false: walked by reflection).
    public static func isLaidOut(_ type: any Model.Type) -> Bool {
        layout(of: type) != nil
    }

    /// The offsets of `type`'s property wrappers, found on first use.
    static func layout(of type: any Model.Type) -> [Int]? {
        let key = ObjectIdentifier(type)
        if let known = offsets.withLockedValue({ $0[key] }) {
            return known
        }
        let found = findOffsets(of: type)
        offsets.withLockedValue { $0[key] = found }
        return found
    }

    /// Walks `type`'s stored properties once (superclasses included, in layout order).
    private static func findOffsets(of type: any Model.Type) -> [Int]? {
        var found: [Int] = []
        var allClasses = true
        // `.classType` (a mutable static in the standard library, so spelled by its value).
        let classType = _EachFieldOptions(rawValue: 1 << 0)
        let walked = _forEachField(of: type, options: classType) { _, offset, fieldType, _ in
            guard fieldType is any AnyProperty.Type else { return true }
            guard fieldType is AnyClass else {
                allClasses = false
                return false
            }
            found.append(offset)
            return true
        }
        return walked && allClasses ? found : nil
    }
}
