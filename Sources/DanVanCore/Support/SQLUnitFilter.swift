import Foundation
import SQLKit

extension SQLQueryString {
    /// ` JOIN units <alias> ON <alias>.id = <column> AND <alias>.path LIKE '<prefix>%'` for a
    /// scope (nothing for a scope holding every unit): a raw count or sum kept to the scope's units by one
    /// join along the path index, as `AccessScope.filter` does for Fluent queries.
    public static func scopeJoin(_ scope: AccessScope, on column: String, alias: String = "o") -> SQLQueryString {
        guard let prefix = scope.pathPrefix, !scope.coversEveryUnit else { return "" }
        return " JOIN units \(unsafeRaw: alias) ON \(unsafeRaw: alias).id = \(unsafeRaw: column) AND \(pathLike(alias + ".path", prefix))"
    }

    /// `<column> LIKE '<prefix>%'`, the prefix written as a literal (a unit path: ids and
    /// slashes, quoted by SQLKit all the same). SQLite prepares a statement whose LIKE pattern
    /// is a bound value twice — its first step prepares it again to try the LIKE optimisation
    /// with the value —, which was a tenth of the home page's time.
    public static func pathLike(_ column: String, _ prefix: String) -> SQLQueryString {
        "\(unsafeRaw: column) LIKE \(literal: prefix + "%")"
    }

    /// `AND <column> IN (…)` for `scope`: its unit ids when the request already knows them
    /// (a request's scope takes them from the unit tree cache), otherwise the units along its
    /// path; nothing for the whole tree. For figures built without the database at hand
    /// (`PageFigures`).
    public static func unitFilter(_ column: String, _ scope: AccessScope) -> SQLQueryString {
        guard let prefix = scope.pathPrefix, !scope.coversEveryUnit else { return "" }
        if let known = scope.knownUnitIDs { return unitFilter(column, known) }
        return " AND \(unsafeRaw: column) IN (SELECT id FROM units WHERE \(pathLike("path", prefix)))"
    }

    /// `AND <column> IN (…)` for a scope's unit ids (nothing for the whole tree, never true
    /// for an empty scope): grouped statistics read only the rows of the visible units. The
    /// ids are written as literals (their canonical text, as both databases compare them): a
    /// bound value goes through the driver's generic encoder, and a commune's home page bound
    /// 32 of them.
    public static func unitFilter(_ column: String, _ unitIDs: [UUID]?) -> SQLQueryString {
        guard let unitIDs else { return "" }
        guard !unitIDs.isEmpty else { return " AND 1 = 0" }
        var list = ""
        list.reserveCapacity(unitIDs.count * 39)
        for (index, id) in unitIDs.enumerated() {
            if index > 0 { list += ", " }
            list += "'" + id.uuidString + "'"
        }
        return " AND \(unsafeRaw: column) IN (\(unsafeRaw: list))"
    }
}
