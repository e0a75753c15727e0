import DanVanText
import Fluent
import SQLKit
import Foundation
import Vapor

/// The form a unit is edited through: every field as typed, so a failed save shows it again.
public struct UnitForm: Content, Sendable {
    public var name: String?
    public var shortName: String?
    public var code: String?
    public var kind: String?
    public var level: String?
    public var parentID: String?
    public var sortOrder: String?
    public var oversight: String?

    /// An empty form.
    public init(
        name: String? = nil, shortName: String? = nil, code: String? = nil, kind: String? = nil, level: String? = nil,
        parentID: String? = nil, sortOrder: String? = nil, oversight: String? = nil
    ) {
        self.name = name
        self.shortName = shortName
        self.code = code
        self.kind = kind
        self.level = level
        self.parentID = parentID
        self.sortOrder = sortOrder
        self.oversight = oversight
    }

    /// The form filled from a stored unit.
    public init(_ unit: OrgUnit) {
        self.init(
            name: unit.name, shortName: unit.shortName, code: unit.code, kind: unit.kind.rawValue, level: unit.level.rawValue,
            parentID: unit.$parent.id?.uuidString, sortOrder: String(unit.sortOrder), oversight: unit.oversight ? "on" : nil
        )
    }
}

/// A validated unit form.
public struct UnitInput: Sendable, Equatable {
    public var name: String
    public var shortName: String?
    public var code: String
    public var kind: OrgUnit.Kind
    public var level: OrgUnit.Level
    public var parentID: UUID?
    public var sortOrder: Int
    public var oversight: Bool
}

/// One row of the tree as lists and selects show it.
public struct UnitRow: Encodable, Sendable {
    public let id: String
    public let name: String
    public let shortName: String
    public let code: String
    public let kindLabel: String
    public let levelLabel: String
    public let depth: Int
    public let indent: String
    public let status: String
    public let statusLabel: String
    public let active: Bool
    public let parentID: String

    /// A row for `unit`, indented relative to `baseDepth`.
    public init(_ unit: OrgUnit, baseDepth: Int = 0) {
        id = unit.id?.uuidString ?? ""
        name = unit.name
        shortName = unit.shortName ?? ""
        code = unit.code
        kindLabel = unit.kind.label
        levelLabel = unit.level.label
        depth = max(0, unit.depth - baseDepth)
        indent = String(repeating: "— ", count: depth)
        status = unit.status.rawValue
        statusLabel = unit.status.label
        active = unit.isActive
        parentID = unit.$parent.id?.uuidString ?? ""
    }
}

/// Operations on the organisation tree. Plain functions on a database handle, so tests call
/// them directly and handlers stay thin.
public enum UnitService {
    /// What a unit's page shows, read in one place.
    public struct Detail: Sendable {
        /// The unit's ancestors inside the scope, from the top.
        public let breadcrumbs: [OrgUnit]
        /// Its direct children, in tree order.
        public let children: [OrgUnit]
        /// Its accounts, in Vietnamese alphabetical order.
        public let members: [User]
        /// The last 20 audit entries about it, newest first.
        public let history: [AuditEntry]
        /// The unit that took it over, if it was merged.
        public let successor: OrgUnit?
        /// Units merged into it.
        public let predecessors: [OrgUnit]
    }

    /// Reads a unit's page: breadcrumbs (only what `scope` may see), children, members, history,
    /// successor and predecessors.
    public static func detail(of unit: OrgUnit, scope: AccessScope, on db: any Database) async throws -> Detail {
        let id = try unit.requireID()
        let ancestors = try await OrgUnit.query(on: db).filter(\.$id ~~ Array(unit.ancestorIDs.dropLast())).all()
        let children = try await OrgUnit.query(on: db).filter(\.$parent.$id == id).all()
        let members = try await User.query(on: db).filter(\.$unit.$id == id).all()
        let history = try await AuditEntry.query(on: db).filter(\.$entityType == "unit").filter(\.$entityID == id.uuidString)
            .sort(\.$at, .descending).limit(20).all()
        let successor = try await unit.successorID.asyncMap { try await OrgUnit.find($0, on: db) } ?? nil
        let predecessors = try await OrgUnit.query(on: db).filter(\.$successorID == id).all()
        return Detail(
            breadcrumbs: ancestors.sorted { $0.depth < $1.depth }.filter { scope.contains($0) },
            children: treeOrder(children), members: VietnameseCollation.sorted(members, by: \.fullName),
            history: history, successor: successor, predecessors: predecessors
        )
    }

    /// Validates a form; returns the input or the messages by field.
    public static func validate(_ form: UnitForm) -> Result<UnitInput, FormErrors> {
        var errors = FormErrors()
        let name = VietnameseText.clean(form.name ?? "")
        let code = VietnameseText.clean(form.code ?? "")
        let shortName = VietnameseText.clean(form.shortName ?? "")
        if name.isEmpty { errors.add("name", "common.required") } else if name.count > 200 { errors.add("name", "common.tooLong", "200") }
        if code.isEmpty { errors.add("code", "common.required") } else if code.count > 40 { errors.add("code", "common.tooLong", "40") }
        if shortName.count > 60 { errors.add("shortName", "common.tooLong", "60") }
        let kind = OrgUnit.Kind(rawValue: form.kind ?? "")
        if kind == nil { errors.add("kind", "common.invalidChoice") }
        let level = OrgUnit.Level(rawValue: form.level ?? "")
        if level == nil { errors.add("level", "common.invalidChoice") }
        var parentID: UUID?
        if let raw = form.parentID, !raw.isEmpty {
            parentID = UUID(uuidString: raw)
            if parentID == nil { errors.add("parentID", "common.invalidChoice") }
        }
        let sortText = (form.sortOrder ?? "").trimmingCharacters(in: .whitespaces)
        let sortOrder = sortText.isEmpty ? 0 : Int(sortText)
        if sortOrder == nil { errors.add("sortOrder", "common.invalidChoice") }
        guard errors.isEmpty, let kind, let level, let sortOrder else { return .failure(errors) }
        return .success(UnitInput(
            name: name, shortName: shortName.isEmpty ? nil : shortName, code: code, kind: kind, level: level,
            parentID: parentID, sortOrder: sortOrder, oversight: ["on", "true", "1"].contains(form.oversight ?? "")
        ))
    }

    /// Units inside `scope` in tree order (siblings by display order, then Vietnamese name).
    public static func tree(in scope: AccessScope, includeEnded: Bool, on db: any Database) async throws -> [OrgUnit] {
        var query = scope.filter(OrgUnit.query(on: db))
        if !includeEnded { query = query.filter(\.$status == .active) }
        return treeOrder(try await query.all())
    }

    /// Orders units depth first; a unit whose parent is not in the list is treated as a root.
    public static func treeOrder(_ units: [OrgUnit]) -> [OrgUnit] {
        let ids = Set(units.compactMap(\.id))
        var children: [UUID?: [OrgUnit]] = [:]
        for unit in units {
            let parent = unit.$parent.id.flatMap { ids.contains($0) ? $0 : nil }
            children[parent, default: []].append(unit)
        }
        func sortedSiblings(_ list: [OrgUnit]) -> [OrgUnit] {
            list.map { ($0.sortOrder, VietnameseCollation.key($0.name), $0) }
                .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
                .map(\.2)
        }
        var ordered: [OrgUnit] = []
        ordered.reserveCapacity(units.count)
        var stack = sortedSiblings(children[nil] ?? []).reversed().map { $0 }
        while let unit = stack.popLast() {
            ordered.append(unit)
            stack.append(contentsOf: sortedSiblings(children[unit.id] ?? []).reversed())
        }
        return ordered
    }

    /// Active units above village level that have no active focal point: nobody can update
    /// their work, so the board must appoint one.
    /// `activeTree` is the scope's active units in tree order (`req.unitTree`); only the
    /// staffed units' ids are read.
    public static func unitsWithoutFocal(among activeTree: [OrgUnit], on db: any Database) async throws -> [OrgUnit] {
        let staffed = try await staffedUnitIDs(on: db)
        return activeTree.filter { unit in unit.level != .village && unit.id.map { !staffed.contains($0) } ?? false }
    }

    /// Ids of the units that have an active focal person.
    static func staffedUnitIDs(on db: any Database) async throws -> Set<UUID> {
        guard let sql = db as? any SQLDatabase else { throw AppError.unavailable }
        let rows = try await sql.select().distinct().column("unit_id").from(User.schema)
            .where("role", .equal, Role.focal.rawValue).where("is_active", .equal, true).all()
        return Set(try rows.map { try $0.decode(column: "unit_id", as: UUID.self) })
    }

    /// Units inside `scope` whose name, short name or code matches `query` (folded).
    public static func search(_ query: String, in scope: AccessScope, includeEnded: Bool, limit: Int = 200, on db: any Database) async throws -> [OrgUnit] {
        let key = VietnameseText.fold(VietnameseText.clean(query))
        var builder = scope.filter(OrgUnit.query(on: db)).filter(\.$searchKey ~~ key)
        if !includeEnded { builder = builder.filter(\.$status == .active) }
        let found = try await builder.limit(limit).all()
        return VietnameseCollation.sorted(found, by: \.name)
    }

    /// Creates a unit from `input`, audited.
    public static func create(_ input: UnitInput, actor: AuditActor, at: Date, on db: any Database) async throws -> Result<OrgUnit, FormErrors> {
        try await db.transaction { db in
            var errors = FormErrors()
            if try await OrgUnit.query(on: db).filter(\.$code == input.code).count() > 0 { errors.add("code", "error.duplicateCode") }
            var parent: OrgUnit?
            if let parentID = input.parentID {
                parent = try await OrgUnit.find(parentID, on: db)
                if parent == nil { errors.add("parentID", "common.invalidChoice") }
                else if parent?.isActive == false { errors.add("parentID", "error.unitEnded") }
            }
            guard errors.isEmpty else { return .failure(errors) }
            let unit = OrgUnit(
                name: input.name, shortName: input.shortName, code: input.code, kind: input.kind, level: input.level,
                sortOrder: input.sortOrder, oversight: input.oversight
            )
            unit.place(under: parent)
            try await unit.create(on: db)
            try await AuditLog.record(
                on: db, actor: actor, at: at, action: "create", entityType: "unit", entityID: unit.id,
                summary: L10n.format("units.tao_don_vi", ["\(unit.name)"]), after: unit.auditSnapshot
            )
            return .success(unit)
        }
    }

    /// Updates a unit; a new parent moves its whole subtree (paths rewritten in one
    /// transaction). Moving a unit under itself or its descendants is refused.
    public static func update(_ id: UUID, with input: UnitInput, actor: AuditActor, at: Date, on db: any Database) async throws -> Result<OrgUnit, FormErrors> {
        try await db.transaction { db in
            guard let unit = try await OrgUnit.find(id, on: db) else { throw AppError.notFound }
            let before = unit.auditSnapshot
            var errors = FormErrors()
            if input.code != unit.code, try await OrgUnit.query(on: db).filter(\.$code == input.code).count() > 0 {
                errors.add("code", "error.duplicateCode")
            }
            var newParent: OrgUnit?
            let moving = input.parentID != unit.$parent.id
            if let parentID = input.parentID {
                newParent = try await OrgUnit.find(parentID, on: db)
                if newParent == nil { errors.add("parentID", "common.invalidChoice") }
                else if let newParent, newParent.path.hasPrefix(unit.path) { errors.add("parentID", "error.cycle") }
                else if moving, newParent?.isActive == false { errors.add("parentID", "error.unitEnded") }
            }
            guard errors.isEmpty else { return .failure(errors) }
            unit.name = input.name
            unit.shortName = input.shortName
            unit.code = input.code
            unit.kind = input.kind
            unit.level = input.level
            unit.sortOrder = input.sortOrder
            unit.oversight = input.oversight
            unit.refreshSearchKey()
            if moving {
                let oldPath = unit.path
                unit.place(under: newParent)
                let descendants = try await OrgUnit.query(on: db).filter(\.$path =~ oldPath).filter(\.$id != id).all()
                for descendant in descendants {
                    descendant.path = unit.path + descendant.path.dropFirst(oldPath.count)
                    descendant.depth = descendant.path.split(separator: "/").count - 1
                    try await descendant.update(on: db)
                }
            }
            try await unit.update(on: db)
            try await AuditLog.record(
                on: db, actor: actor, at: at, action: moving ? "move" : "update", entityType: "unit", entityID: unit.id,
                summary: (moving ? L10n.text("units.chuyen_cap_nhat_don_vi") : L10n.text("units.cap_nhat_don_vi")) + unit.name, before: before, after: unit.auditSnapshot
            )
            return .success(unit)
        }
    }

    /// Ends a unit's activity (dissolved, or merged into `successorID`) without deleting
    /// anything; `status == .active` brings it back.
    public static func setStatus(
        _ id: UUID, status: OrgUnit.Status, successorID: UUID?, endedOn: Date?, actor: AuditActor, at: Date, on db: any Database
    ) async throws -> Result<OrgUnit, FormErrors> {
        try await db.transaction { db in
            guard let unit = try await OrgUnit.find(id, on: db) else { throw AppError.notFound }
            let before = unit.auditSnapshot
            var errors = FormErrors()
            switch status {
            case .active:
                unit.successorID = nil
                unit.endedOn = nil
            case .dissolved:
                unit.successorID = nil
                unit.endedOn = endedOn ?? at
            case .merged:
                guard let successorID, successorID != id, let successor = try await OrgUnit.find(successorID, on: db),
                      successor.isActive, !successor.path.hasPrefix(unit.path) else {
                    errors.add("successorID", "error.successorSelf")
                    return .failure(errors)
                }
                unit.successorID = successorID
                unit.endedOn = endedOn ?? at
            }
            if status != .active {
                let activeChildren = try await OrgUnit.query(on: db).filter(\.$parent.$id == id).filter(\.$status == .active).count()
                if activeChildren > 0 {
                    errors.add("status", "unit.childrenActive", String(activeChildren))
                    return .failure(errors)
                }
            }
            unit.status = status
            try await unit.update(on: db)
            try await AuditLog.record(
                on: db, actor: actor, at: at, action: status == .active ? "update" : "dissolve", entityType: "unit",
                entityID: unit.id, summary: "\(status.label): \(unit.name)", before: before, after: unit.auditSnapshot
            )
            return .success(unit)
        }
    }

    // MARK: CSV

    /// The CSV columns, in order.
    public static let csvColumns = ["code", "name", "short_name", "kind", "level", "parent_code", "sort_order", "oversight", "status", "successor_code", "ended_on"]

    /// The units in `scope` as CSV for Excel.
    public static func exportCSV(in scope: AccessScope, on db: any Database) async throws -> String {
        let units = try await tree(in: scope, includeEnded: true, on: db)
        let all = try await OrgUnit.query(on: db).all()
        var codeByID: [UUID: String] = [:]
        for unit in all { if let id = unit.id { codeByID[id] = unit.code } }
        var rows = [csvColumns]
        for unit in units {
            rows.append([
                unit.code, unit.name, unit.shortName ?? "", unit.kind.rawValue, unit.level.rawValue,
                unit.$parent.id.flatMap { codeByID[$0] } ?? "", String(unit.sortOrder), unit.oversight ? "1" : "0",
                unit.status.rawValue, unit.successorID.flatMap { codeByID[$0] } ?? "", unit.endedOn.map(VNFormat.isoDate) ?? "",
            ])
        }
        return CSV.write(rows)
    }

    /// A line of an import that could not be used.
    public struct ImportProblem: Encodable, Sendable, Equatable {
        public let line: Int
        public let message: String
    }

    /// What an import did.
    public struct ImportResult: Sendable, Equatable {
        public var created = 0
        public var updated = 0
        public var problems: [ImportProblem] = []
    }

    /// Imports units from CSV: new codes are created, known codes updated (including a new
    /// parent, which moves the subtree). All or nothing: any bad line and nothing is saved.
    public static func importCSV(_ text: String, actor: AuditActor, at: Date, on db: any Database) async throws -> ImportResult {
        var result = ImportResult()
        let rows: [CSV.Row]
        do { rows = try CSV.parse(text) } catch {
            result.problems.append(ImportProblem(line: error.line, message: error.message))
            return result
        }
        guard let header = rows.first else {
            result.problems.append(ImportProblem(line: 1, message: L10n.text("units.tep_rong")))
            return result
        }
        let names = header.fields.map { VietnameseText.fold($0).trimmingCharacters(in: .whitespaces) }
        for required in ["code", "name", "kind", "level"] where !names.contains(required) {
            result.problems.append(ImportProblem(line: header.line, message: L10n.format("units.thieu_cot", ["\(required)"])))
        }
        if !result.problems.isEmpty { return result }
        func value(_ row: CSV.Row, _ column: String) -> String {
            guard let index = names.firstIndex(of: column), index < row.fields.count else { return "" }
            var field = row.fields[index]
            if field.hasPrefix("'"), let second = field.dropFirst().first, "=+-@".contains(second) { field.removeFirst() }
            return VietnameseText.clean(field)
        }

        // Validate every line before touching the database.
        struct Line: Sendable { let line: Int; let form: UnitForm; let parentCode: String; let input: UnitInput }
        var lines: [Line] = []
        var seenCodes: [String: Int] = [:]
        for row in rows.dropFirst() {
            let code = value(row, "code")
            let form = UnitForm(
                name: value(row, "name"), shortName: value(row, "short_name"), code: code, kind: value(row, "kind"),
                level: value(row, "level"), parentID: nil, sortOrder: value(row, "sort_order"),
                oversight: ["1", "true", "x", "co", L10n.text("units.co")].contains(value(row, "oversight").lowercased()) ? "on" : nil
            )
            switch validate(form) {
            case .failure(let errors):
                let message = errors.fieldsDescription
                result.problems.append(ImportProblem(line: row.line, message: message))
            case .success(let input):
                if let first = seenCodes[code] {
                    result.problems.append(ImportProblem(line: row.line, message: L10n.format("units.ma_trung_voi_dong", ["\(code)", "\(first)"])))
                } else {
                    seenCodes[code] = row.line
                    lines.append(Line(line: row.line, form: form, parentCode: value(row, "parent_code"), input: input))
                }
            }
        }
        if !result.problems.isEmpty { return result }

        let existing = try await OrgUnit.query(on: db).all()
        var byCode: [String: OrgUnit] = [:]
        for unit in existing { byCode[unit.code] = unit }
        for line in lines where !line.parentCode.isEmpty {
            if byCode[line.parentCode] == nil, seenCodes[line.parentCode] == nil {
                result.problems.append(ImportProblem(line: line.line, message: L10n.format("units.khong_tim_thay_don_vi_cap", ["\(line.parentCode)"])))
            }
            if line.parentCode == line.input.code {
                result.problems.append(ImportProblem(line: line.line, message: L10n.text("error.cycle")))
            }
        }
        if !result.problems.isEmpty { return result }

        // Parents before children: repeat passes until every line is placed.
        let knownUnits = byCode
        let validLines = lines
        do {
            return try await db.transaction { db -> ImportResult in
                var byCode = knownUnits
                var pending = validLines
                var outcome = ImportResult()
                var progress = true
                while !pending.isEmpty, progress {
                    progress = false
                    var next: [Line] = []
                    for line in pending {
                        let parentPending = pending.contains { $0.input.code == line.parentCode && $0.line != line.line }
                        let parentReady = line.parentCode.isEmpty || (byCode[line.parentCode] != nil && !parentPending)
                        guard parentReady else { next.append(line); continue }
                        var input = line.input
                        input.parentID = line.parentCode.isEmpty ? nil : byCode[line.parentCode]?.id
                        let saved: Result<OrgUnit, FormErrors>
                        if let current = byCode[input.code], let id = current.id {
                            saved = try await update(id, with: input, actor: actor, at: at, on: db)
                            if case .success = saved { outcome.updated += 1 }
                        } else {
                            saved = try await create(input, actor: actor, at: at, on: db)
                            if case .success = saved { outcome.created += 1 }
                        }
                        switch saved {
                        case .success(let unit): byCode[unit.code] = unit
                        case .failure(let errors): outcome.problems.append(ImportProblem(line: line.line, message: errors.fieldsDescription))
                        }
                        progress = true
                    }
                    pending = next
                }
                for line in pending {
                    outcome.problems.append(ImportProblem(line: line.line, message: L10n.text("units.quan_he_cap_tren_tao_thanh")))
                }
                if !outcome.problems.isEmpty { throw ImportRollback(result: outcome) }
                try await AuditLog.record(
                    on: db, actor: actor, at: at, action: "import", entityType: "unit", entityID: nil,
                    summary: L10n.format("units.nhap_csv_don_vi_moi_cap", ["\(outcome.created)", "\(outcome.updated)"])
                )
                return outcome
            }
        } catch let rollback as ImportRollback {
            var failed = rollback.result
            failed.created = 0
            failed.updated = 0
            return failed
        }
    }

    /// Thrown inside the import transaction to roll it back when a line fails late.
    struct ImportRollback: Error { let result: ImportResult }
}

extension FormErrors {
    /// All messages as one line, for reports by line number.
    public var fieldsDescription: String {
        let labels = ["name": L10n.text("units.ten"), "code": L10n.text("units.ma"), "kind": L10n.text("units.loai"), "level": L10n.text("units.cap"), "shortName": L10n.text("units.ten_viet_tat"), "sortOrder": L10n.text("units.thu_tu"), "parentID": L10n.text("units.cap_tren")]
        return fields.sorted { $0.key < $1.key }.map { "\(labels[$0.key] ?? $0.key): \($0.value)" }.joined(separator: "; ")
    }
}
