import DanVanCore
import DanVanText
import Fluent
import Foundation

/// Criteria sets a province starts from (LEGAL.md §4–5: no central scale is confirmed, so these
/// are editable data). DVK models: the criteria read in Quảng Ngãi's and Đà Lạt's rules
/// (registered and named, creative and saving, several forces, popular support, practical
/// effect on an urgent issue, sustainable and spreading) on 100 points. Grassroots democracy:
/// the four modes of Luật 10/2022 (Chapter II), 25 points each, classed tốt/khá/trung bình/yếu.
/// The press contest: content, discovery, form, reach.
public enum EmulationDefaults {
    /// A criterion line: group, title, guidance, maximum (the defaults name localisation keys).
    public typealias Line = (group: String, title: String, guidance: String, max: Double)

    public static let modelCriteria: [Line] = [
        ("emulation.default.model.group1", "emulation.default.model.1", "emulation.default.model.1.hint", 10),
        ("emulation.default.model.group1", "emulation.default.model.2", "emulation.default.model.2.hint", 20),
        ("emulation.default.model.group2", "emulation.default.model.3", "emulation.default.model.3.hint", 15),
        ("emulation.default.model.group2", "emulation.default.model.4", "emulation.default.model.4.hint", 15),
        ("emulation.default.model.group3", "emulation.default.model.5", "emulation.default.model.5.hint", 25),
        ("emulation.default.model.group3", "emulation.default.model.6", "emulation.default.model.6.hint", 15),
    ]

    public static var modelClasses: [AssessmentClass] { [
        AssessmentClass(key: "tieu_bieu", label: L10n.text("emulation.class.tieu_bieu"), minimum: 90),
        AssessmentClass(key: "dat", label: L10n.text("emulation.class.dat"), minimum: 70),
        AssessmentClass(key: "khong_dat", label: L10n.text("emulation.class.khong_dat"), minimum: 0),
    ] }

    public static let democracyCriteria: [Line] = [
        ("emulation.default.democracy.group1", "emulation.default.democracy.1", "emulation.default.democracy.1.hint", 15),
        ("emulation.default.democracy.group1", "emulation.default.democracy.2", "emulation.default.democracy.2.hint", 10),
        ("emulation.default.democracy.group2", "emulation.default.democracy.3", "emulation.default.democracy.3.hint", 15),
        ("emulation.default.democracy.group2", "emulation.default.democracy.4", "emulation.default.democracy.4.hint", 10),
        ("emulation.default.democracy.group3", "emulation.default.democracy.5", "emulation.default.democracy.5.hint", 15),
        ("emulation.default.democracy.group3", "emulation.default.democracy.6", "emulation.default.democracy.6.hint", 10),
        ("emulation.default.democracy.group4", "emulation.default.democracy.7", "emulation.default.democracy.7.hint", 15),
        ("emulation.default.democracy.group4", "emulation.default.democracy.8", "emulation.default.democracy.8.hint", 10),
    ]

    public static var democracyClasses: [AssessmentClass] { [
        AssessmentClass(key: "tot", label: L10n.text("emulation.class.tot"), minimum: 85),
        AssessmentClass(key: "kha", label: L10n.text("emulation.class.kha"), minimum: 70),
        AssessmentClass(key: "trung_binh", label: L10n.text("emulation.class.trung_binh"), minimum: 50),
        AssessmentClass(key: "yeu", label: L10n.text("emulation.class.yeu"), minimum: 0),
    ] }

    public static let contestCriteria: [Line] = [
        ("emulation.default.contest.group1", "emulation.default.contest.1", "", 40),
        ("emulation.default.contest.group1", "emulation.default.contest.2", "", 30),
        ("emulation.default.contest.group2", "emulation.default.contest.3", "", 20),
        ("emulation.default.contest.group2", "emulation.default.contest.4", "", 10),
    ]

    public static var contestClasses: [AssessmentClass] { [
        AssessmentClass(key: "dat", label: L10n.text("emulation.class.dat"), minimum: 50),
        AssessmentClass(key: "khong_dat", label: L10n.text("emulation.class.khong_dat"), minimum: 0),
    ] }

    /// Makes a criteria set with its criteria (on the caller's transaction).
    public static func makeSet(year: Int, purpose: AssessmentPurpose, title: String, method: AssessmentMethod, spread: Double, classes: [AssessmentClass], passClass: String, lines: [Line], at: Date, on db: any Database) async throws -> CriteriaSet {
        let set = CriteriaSet()
        set.id = UUID()
        set.year = year
        set.purpose = purpose
        set.title = VietnameseText.nfc(title)
        set.method = method
        set.spread = spread
        set.classes = classes
        set.passClass = passClass
        set.createdAt = at
        try await set.create(on: db)
        for (index, line) in lines.enumerated() {
            let criterion = Criterion()
            criterion.id = UUID()
            criterion.$set.id = try set.requireID()
            criterion.groupName = VietnameseText.nfc(line.group)
            criterion.title = VietnameseText.nfc(line.title)
            criterion.guidance = VietnameseText.nfc(line.guidance)
            criterion.maxPoints = line.max
            criterion.weight = 1
            criterion.sortOrder = index
            try await criterion.create(on: db)
        }
        return set
    }

    /// The three default sets of `year`, each only if the year has none for its purpose.
    public static func ensure(year: Int, actor: AuditActor, at: Date, on db: any Database) async throws -> Int {
        try await db.transaction { db in
            var made = 0
            let specs: [(AssessmentPurpose, String, AssessmentMethod, Double, [AssessmentClass], String, [Line])] = [
                (.model, L10n.format("emulation.default.model.title", [String(year)]), .average, 15, modelClasses, "dat", modelCriteria),
                (.democracy, L10n.format("emulation.default.democracy.title", [String(year)]), .average, 15, democracyClasses, "tot", democracyCriteria),
                (.contest, L10n.format("emulation.default.contest.title", [String(year)]), .median, 20, contestClasses, "dat", contestCriteria),
            ]
            for spec in specs where try await CriteriaSet.query(on: db).filter(\.$year == year).filter(\.$purpose == spec.0).count() == 0 {
                let lines = spec.6.map { Line(L10n.text($0.group), L10n.text($0.title), $0.guidance.isEmpty ? "" : L10n.text($0.guidance), $0.max) }
                _ = try await makeSet(year: year, purpose: spec.0, title: spec.1, method: spec.2, spread: spec.3, classes: spec.4, passClass: spec.5, lines: lines, at: at, on: db)
                made += 1
            }
            if made > 0 {
                try await AuditLog.record(on: db, actor: actor, at: at, action: "create", entityType: "criteria-set", entityID: nil, summary: L10n.format("emulation.audit.defaults", [String(year), String(made)]))
            }
            return made
        }
    }

    /// Carries a year's work over to the next: the criteria sets (with their criteria) of each
    /// purpose the new year has none of, the councils (with their members and chair) it has no
    /// council of that name, purpose and unit for, and the year's rule and targets with the window
    /// moved a year on, when the new year has none. Returns how many sets and councils were made.
    public static func copy(from source: Int, to target: Int, actor: AuditActor, at: Date, on db: any Database) async throws -> (sets: Int, councils: Int) {
        try await db.transaction { db in
            var sets = 0, councils = 0
            for set in try await CriteriaSet.query(on: db).filter(\.$year == source).sort(\.$createdAt).all()
            where try await CriteriaSet.query(on: db).filter(\.$year == target).filter(\.$purpose == set.purpose).count() == 0 {
                let criteria = try await Criterion.query(on: db).filter(\.$set.$id == set.requireID()).sort(\.$sortOrder).all()
                let title = set.title.replacingOccurrences(of: String(source), with: String(target))
                let copy = try await makeSet(year: target, purpose: set.purpose, title: title, method: set.method, spread: set.spread, classes: set.classes, passClass: set.passClass,
                                             lines: criteria.map { ($0.groupName, $0.title, $0.guidance, $0.maxPoints) }, at: at, on: db)
                for (row, original) in zip(try await Criterion.query(on: db).filter(\.$set.$id == copy.requireID()).sort(\.$sortOrder).all(), criteria) where original.weight != 1 {
                    row.weight = original.weight
                    try await row.update(on: db)
                }
                sets += 1
            }
            let existing = try await Council.query(on: db).filter(\.$year == target).all()
            for council in try await Council.query(on: db).filter(\.$year == source).all() {
                let name = council.name.replacingOccurrences(of: String(source), with: String(target))
                if existing.contains(where: { $0.name == name && $0.purpose == council.purpose && $0.$unit.id == council.$unit.id }) { continue }
                let copy = Council()
                copy.id = UUID()
                copy.$unit.id = council.$unit.id
                copy.year = target
                copy.purpose = council.purpose
                copy.name = name
                copy.chairID = council.chairID
                copy.createdAt = at
                try await copy.create(on: db)
                for member in try await CouncilMember.query(on: db).filter(\.$council.$id == council.requireID()).all() {
                    let row = CouncilMember()
                    row.$council.id = try copy.requireID()
                    row.$user.id = member.$user.id
                    try await row.create(on: db)
                }
                councils += 1
            }
            if try await EmulationYear.query(on: db).filter(\.$year == target).first() == nil, let rule = try await EmulationYear.query(on: db).filter(\.$year == source).first() {
                let next = EmulationYear()
                next.id = UUID()
                next.year = target
                next.opensOn = VNFormat.calendar.date(byAdding: .year, value: target - source, to: rule.opensOn) ?? rule.opensOn
                next.closesOn = VNFormat.calendar.date(byAdding: .year, value: target - source, to: rule.closesOn) ?? rule.closesOn
                next.dvkTarget = rule.dvkTarget
                next.democracyTarget = rule.democracyTarget
                next.meetsModels = rule.meetsModels
                next.meetsLevel = rule.meetsLevel
                next.updatedAt = at
                try await next.create(on: db)
            }
            try await AuditLog.record(on: db, actor: actor, at: at, action: "copy", entityType: "emulation-year", entityID: nil,
                                      summary: L10n.format("emulation.audit.copy", [String(source), String(target), String(sets), String(councils)]))
            return (sets, councils)
        }
    }

    /// Parses criteria typed one per line: "Nhóm | Tiêu chí | Điểm tối đa | Hệ số | Hướng dẫn".
    public static func parseCriteria(_ text: String) -> (lines: [(group: String, title: String, guidance: String, max: Double, weight: Double)], badLine: Int?) {
        var lines: [(group: String, title: String, guidance: String, max: Double, weight: Double)] = []
        for (index, raw) in text.split(whereSeparator: \.isNewline).enumerated() {
            let parts = raw.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.allSatisfy(\.isEmpty) { continue }
            guard parts.count >= 3, !parts[1].isEmpty, let max = Double(parts[2].replacingOccurrences(of: ",", with: ".")), max > 0, max <= 1000 else { return ([], index + 1) }
            let weight = parts.count > 3 && !parts[3].isEmpty ? Double(parts[3].replacingOccurrences(of: ",", with: ".")) : 1
            guard let weight, weight > 0, weight <= 100 else { return ([], index + 1) }
            lines.append((parts[0], parts[1], parts.count > 4 ? parts[4] : "", max, weight))
        }
        return (lines, nil)
    }

    /// Parses classes typed one per line: "mã | Tên hạng | Điểm từ".
    public static func parseClasses(_ text: String) -> (classes: [AssessmentClass], badLine: Int?) {
        var classes: [AssessmentClass] = []
        for (index, raw) in text.split(whereSeparator: \.isNewline).enumerated() {
            let parts = raw.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.allSatisfy(\.isEmpty) { continue }
            guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty, let minimum = Double(parts[2].replacingOccurrences(of: ",", with: ".")), minimum >= 0 else { return ([], index + 1) }
            classes.append(AssessmentClass(key: VietnameseText.fold(parts[0]).replacingOccurrences(of: " ", with: "_"), label: VietnameseText.nfc(parts[1]), minimum: minimum))
        }
        return (classes, nil)
    }
}
