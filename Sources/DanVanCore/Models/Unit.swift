import DanVanText
import Fluent
import Foundation
import Vapor

/// A unit of the organisation tree (đơn vị / cơ quan).
///
/// The tree is stored as a materialised path (`/<root id>/…/<own id>/`) so a subtree is one
/// indexed `LIKE 'prefix%'` query, never a walk row by row. Units are never deleted: a unit
/// that is dissolved or merged keeps its records and points at its successor.
public final class OrgUnit: Model, Content, @unchecked Sendable {
    /// The table.
    public static let schema = "units"

    /// Kinds of unit seen in the province's documents.
    public enum Kind: String, Codable, CaseIterable, Sendable {
        case partyCommittee, partyBoard, partyDelegation, peoplesCouncil, government, department
        case fatherlandFront, socioPolitical, armedForces, press, commune, village, other

        /// Vietnamese label.
        public var label: String { L10n.text("unit.kind.\(rawValue)") }
    }

    /// Administrative level. The district level ended on 01/7/2025 but old units keep it.
    public enum Level: String, Codable, CaseIterable, Sendable {
        case province, district, commune, village

        /// Vietnamese label.
        public var label: String { L10n.text("unit.level.\(rawValue)") }
    }

    /// Lifecycle of a unit.
    public enum Status: String, Codable, CaseIterable, Sendable {
        case active, dissolved, merged

        /// Vietnamese label.
        public var label: String { L10n.text("unit.status.\(rawValue)") }
    }

    /// Identifier.
    @ID(key: .id) public var id: UUID?
    /// Full name, NFC.
    @Field(key: "name") public var name: String
    /// Short name as users write it (e.g. "BDVTU").
    @OptionalField(key: "short_name") public var shortName: String?
    /// Stable code, unique; used by CSV import/export and other systems.
    @Field(key: "code") public var code: String
    /// Kind.
    @Field(key: "kind") public var kind: Kind
    /// Administrative level.
    @Field(key: "level") public var level: Level
    /// Parent unit, nil for a root.
    @OptionalParent(key: "parent_id") public var parent: OrgUnit?
    /// Materialised path of ids from the root to this unit, each followed by `/`.
    @Field(key: "path") public var path: String
    /// Depth in the tree (root = 0).
    @Field(key: "depth") public var depth: Int
    /// Position among siblings (official order: Tỉnh ủy before its boards…).
    @Field(key: "sort_order") public var sortOrder: Int
    /// Lifecycle state.
    @Field(key: "status") public var status: Status
    /// Where a merged unit's work went.
    @OptionalField(key: "successor_id") public var successorID: UUID?
    /// When it stopped working.
    @OptionalField(key: "ended_on") public var endedOn: Date?
    /// Leaders and specialists of this unit see the whole tree (the provincial board).
    @Field(key: "oversight") public var oversight: Bool
    /// Folded name, short name and code, for diacritic-insensitive search.
    @Field(key: "search_key") public var searchKey: String
    /// Creation time.
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    /// Last change.
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    /// Empty unit for Fluent.
    public init() {}

    /// A new unit; `place(under:)` must set its path before saving.
    public init(
        id: UUID = UUID(), name: String, shortName: String? = nil, code: String, kind: Kind, level: Level,
        sortOrder: Int = 0, oversight: Bool = false
    ) {
        self.id = id
        self.name = VietnameseText.clean(name)
        self.shortName = shortName.map(VietnameseText.clean)
        self.code = VietnameseText.clean(code)
        self.kind = kind
        self.level = level
        self.sortOrder = sortOrder
        self.status = .active
        self.oversight = oversight
        self.path = "/\(id.uuidString)/"
        self.depth = 0
        self.searchKey = ""
        refreshSearchKey()
    }

    /// Sets parent, path and depth for a position under `parent` (nil = root).
    public func place(under parent: OrgUnit?) {
        let ownID = id ?? UUID()
        id = ownID
        $parent.id = parent?.id
        path = (parent?.path ?? "/") + ownID.uuidString + "/"
        depth = path.split(separator: "/").count - 1
    }

    /// Recomputes the search key after a rename.
    public func refreshSearchKey() {
        searchKey = VietnameseText.fold([name, shortName ?? "", code].joined(separator: " "))
    }

    /// Whether the unit is still working.
    public var isActive: Bool { status == .active }

    /// Ids on the path from the root to this unit, this unit last.
    public var ancestorIDs: [UUID] {
        path.split(separator: "/").compactMap { UUID(uuidString: String($0)) }
    }

    /// What the audit log stores of a unit.
    public var auditSnapshot: [String: String] {
        [
            "name": name, "shortName": shortName ?? "", "code": code, "kind": kind.rawValue,
            "level": level.rawValue, "parentID": $parent.id?.uuidString ?? "", "sortOrder": String(sortOrder),
            "status": status.rawValue, "successorID": successorID?.uuidString ?? "",
            "endedOn": endedOn.map(VNFormat.isoDate) ?? "", "oversight": oversight ? "true" : "false",
        ]
    }
}
