import Foundation

/// One option of a `<select>` in a view: every form uses this one type.
public struct SelectOption: Encodable, Sendable, Equatable {
    public let value: String
    public let label: String
    public let selected: Bool

    /// Creates an option.
    public init(value: String, label: String, selected: Bool) {
        self.value = value
        self.label = label
        self.selected = selected
    }

    /// Options for units in tree order, indented by depth ("— — Khu phố 1").
    public static func units(_ units: [OrgUnit], selected: Set<UUID>) -> [SelectOption] {
        units.map { unit in
            SelectOption(
                value: unit.id?.uuidString ?? "", label: String(repeating: "— ", count: unit.depth) + unit.name,
                selected: unit.id.map(selected.contains) ?? false
            )
        }
    }

    /// Options for units, one selected by its id text (as a form posts it).
    public static func units(_ units: [OrgUnit], selectedID: String?) -> [SelectOption] {
        Self.units(units, selected: Set([selectedID.flatMap(UUID.init(uuidString:))].compactMap { $0 }))
    }
}
