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

    /// The `<option>`s of `options` (for `#unsafeHTML`; see `HTML`): the filters of the long
    /// lists, where a `#for` over two hundred issuers was a tenth of the page.
    public static func html(_ options: [SelectOption]) -> HTML {
        HTML.joined(options.map { "<option value=\"\($0.value)\"\(if: $0.selected, " selected")>\($0.label)</option>" })
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
