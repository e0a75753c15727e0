import Foundation
import SQLKit

extension SQLQueryString {
    /// `AND <column> IN (…)` for a scope's unit ids (nothing for the whole tree, never true
    /// for an empty scope): grouped statistics read only the rows of the visible units.
    public static func unitFilter(_ column: String, _ unitIDs: [UUID]?) -> SQLQueryString {
        guard let unitIDs else { return "" }
        guard !unitIDs.isEmpty else { return " AND 1 = 0" }
        var text: SQLQueryString = " AND \(unsafeRaw: column) IN ("
        for (index, id) in unitIDs.enumerated() {
            if index > 0 { text = text + ", " }
            text = text + "\(bind: id)"
        }
        return text + ")"
    }
}
