import DanVanCore
import DanVanText
import Fluent
import Foundation
import Vapor

/// The two targets per year and subtree, one unit's history, and the year's settings
/// (window, targets, the "meets" rule, criteria sets, councils).
struct TargetController {
    struct ShareView: Encodable, Sendable {
        let label: String
        let meeting: String
        let units: String
        let share: String
        let target: String
        let met: Bool
        let value: Double
    }

    struct FieldView: Encodable, Sendable {
        let field: String
        let models: String
        let units: String
    }

    struct UnitLink: Encodable, Sendable {
        let id: String
        let name: String
    }

    struct Context: Encodable, Sendable {
        let year: Int
        let years: [SelectOption]
        let rootOptions: String
        let dvk: ShareView
        let democracy: ShareView
        let byLevel: [ShareView]
        let byKind: [ShareView]
        let byField: [FieldView]
        let trendChart: String
        let fieldChart: String
        let noRegistration: [UnitLink]
        let noRegistrationCount: Int
        let noSelfAssessment: [UnitLink]
        let noSelfAssessmentCount: Int
        let rule: String
    }

    static func view(_ label: String, _ share: TargetShare) -> ShareView {
        ShareView(label: label, meeting: VNFormat.integer(share.meeting), units: VNFormat.integer(share.units), share: share.share.map { VNFormat.percent($0, places: 1) } ?? "—",
                  target: VNFormat.percent(share.target), met: share.met, value: share.share ?? 0)
    }

    /// The units of the chosen subtree (`?unit=`), inside the scope.
    static func subtree(_ req: Request) async throws -> (root: OrgUnit?, units: [OrgUnit], pathPrefix: String?) {
        let scope = try await req.scope()
        let tree = try await req.unitTree(in: scope)
        guard let id = req.query[UUID.self, at: "unit"], let root = tree.first(where: { $0.id == id }) else { return (nil, tree, scope.pathPrefix) }
        return (root, tree.filter { $0.path.hasPrefix(root.path) }, root.path)
    }

    func show(_ req: Request) async throws -> Response {
        let year = EmulationAccess.year(req)
        let (root, units, prefix) = try await Self.subtree(req)
        let figures = try await TargetService.figures(year: year, units: units, pathPrefix: prefix, on: req.db)
        let current = EmulationAccess.currentYear(req)
        let trend = SVGCharts.lines([
            (req.t("emulation.targets.dvk"), figures.trend.map { (String($0.year), $0.dvk) }),
            (req.t("emulation.targets.democracy"), figures.trend.map { (String($0.year), $0.democracy) }),
        ], target: figures.settings.dvkTarget, title: req.t("emulation.targets.trend"))
        let fieldChart = SVGCharts.bars(figures.byField.map { ($0.field.label, Double($0.models)) }, title: req.t("emulation.targets.by_field"), format: { VNFormat.integer(Int($0)) })
        let context = Context(
            year: year, years: (current - 9...current).reversed().map { SelectOption(value: String($0), label: String($0), selected: $0 == year) },
            rootOptions: try await req.unitOptionsHTML(in: try await req.scope(), selected: Set([root?.id].compactMap { $0 })),
            dvk: Self.view(req.t("emulation.targets.dvk"), figures.dvk), democracy: Self.view(req.t("emulation.targets.democracy"), figures.democracy),
            byLevel: figures.byLevel.map { Self.view($0.label, $0.share) }, byKind: figures.byKind.map { Self.view($0.label, $0.share) },
            byField: figures.byField.map { FieldView(field: $0.field.label, models: VNFormat.integer($0.models), units: VNFormat.integer($0.units)) },
            trendChart: trend, fieldChart: fieldChart,
            noRegistration: figures.noRegistration.prefix(200).map { UnitLink(id: $0.id?.uuidString ?? "", name: $0.name) }, noRegistrationCount: figures.noRegistration.count,
            noSelfAssessment: figures.noSelfAssessment.prefix(200).map { UnitLink(id: $0.id?.uuidString ?? "", name: $0.name) }, noSelfAssessmentCount: figures.noSelfAssessment.count,
            rule: req.t("emulation.targets.rule", String(figures.settings.meetsModels), L10n.text("emulation.level.\(figures.settings.meetsLevel)").lowercased())
        )
        return try await req.render("emulation/targets", title: req.t("emulation.targets.title"), context)
    }

    struct HistoryRow: Encodable, Sendable {
        let year: Int
        let registered: Int
        let recognised: Int
        let meets: Bool
        let democracy: String
        let democracyResult: String
    }

    struct HistoryModel: Encodable, Sendable {
        let id: String
        let name: String
        let year: Int
        let status: String
        let level: String
    }

    struct HistoryContext: Encodable, Sendable {
        let unit: String
        let unitID: String
        let rows: [HistoryRow]
        let models: [HistoryModel]
        let isCommune: Bool
    }

    /// One unit's years: models registered and recognised, whether it met the rule, its democracy class.
    func history(_ req: Request) async throws -> Response {
        guard let id = req.parameters.get("unitID", as: UUID.self), let unit = try await req.unitsByID()[id] else { throw AppError.notFound }
        try await EmulationAccess.requireInScope(req, id)
        let models = try await DVKModel.query(on: req.db).filter(\.$unit.$id == id).sort(\.$year, .descending).limit(500).all()
        let recognitions = try await Recognition.query(on: req.db).filter(\.$unitID == id).all()
        let democracy = try await DemocracyAssessment.query(on: req.db).filter(\.$unit.$id == id).all()
        let setIDs = Array(Set(democracy.map(\.$set.id)))
        let sets = setIDs.isEmpty ? [:] : Dictionary(try await CriteriaSet.query(on: req.db).filter(\.$id ~~ setIDs).all().compactMap { s in s.id.map { ($0, s) } }, uniquingKeysWith: { a, _ in a })
        let years = Set(models.map(\.year)).union(recognitions.map(\.year)).union(democracy.map(\.year)).sorted(by: >)
        var rows: [HistoryRow] = []
        for year in years {
            let settings = try await ModelService.year(year, on: req.db)
            let counts = Dictionary(grouping: recognitions.filter { $0.year == year }, by: \.level).mapValues(\.count)
            let assessment = democracy.first { $0.year == year }
            rows.append(HistoryRow(
                year: year, registered: models.filter { $0.year == year }.count, recognised: counts.values.reduce(0, +), meets: TargetService.meets(counts, settings: settings),
                democracy: assessment.map { a in a.classKey.flatMap { key in sets[a.$set.id].map { AssessmentService.classLabel(key, in: $0) } } ?? a.status.label } ?? "",
                democracyResult: assessment?.result.map { VNFormat.decimal($0, places: 1) } ?? ""
            ))
        }
        let context = HistoryContext(unit: unit.name, unitID: id.uuidString, rows: rows,
                                     models: models.prefix(100).map { HistoryModel(id: $0.id?.uuidString ?? "", name: $0.name, year: $0.year, status: $0.status.label, level: $0.level.map { L10n.text("emulation.level.\($0)") } ?? "") },
                                     isCommune: unit.kind == .commune)
        return try await req.render("emulation/history", title: unit.name, context)
    }

    // MARK: settings

    struct SetView: Encodable, Sendable {
        let id: String
        let title: String
        let purpose: String
        let method: String
        let spread: String
        let classes: String
        let pass: String
        let criteria: [String]
        let maximum: String
    }

    struct CouncilView: Encodable, Sendable {
        let id: String
        let name: String
        let purpose: String
        let unit: String
        let chair: String
        let members: [String]
    }

    struct SettingsContext: Encodable, Sendable {
        let year: Int
        let typed: [String: String]
        let errors: FormErrors
        let sets: [SetView]
        let councils: [CouncilView]
        let purposes: [SelectOption]
        let methods: [SelectOption]
        let levels: [SelectOption]
        let unitOptions: String
        let users: [SelectOption]
    }

    func settings(_ req: Request) async throws -> Response {
        let year = EmulationAccess.year(req)
        let row = try await ModelService.year(year, on: req.db)
        let typed = [
            "opens_on": VNFormat.isoDate(row.opensOn), "closes_on": VNFormat.isoDate(row.closesOn),
            "dvk_target": VNFormat.decimal(row.dvkTarget * 100, places: 0), "democracy_target": VNFormat.decimal(row.democracyTarget * 100, places: 0),
            "meets_models": String(row.meetsModels), "meets_level": row.meetsLevel,
        ]
        return try await settings(req, year: year, typed: typed, errors: FormErrors())
    }

    func settings(_ req: Request, year: Int, typed: [String: String], errors: FormErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let units = try await req.unitsByID()
        var sets: [SetView] = []
        for set in try await CriteriaSet.query(on: req.db).filter(\.$year == year).sort(\.$createdAt).all() {
            let criteria = try await AssessmentService.criteria(of: set.requireID(), on: req.db)
            sets.append(SetView(
                id: set.id?.uuidString ?? "", title: set.title, purpose: set.purpose.label, method: set.method.label, spread: VNFormat.decimal(set.spread, places: 0),
                classes: set.classes.map { "\($0.label) ≥ \(VNFormat.decimal($0.minimum, places: 0))" }.joined(separator: "; "),
                pass: AssessmentService.classLabel(set.passClass, in: set),
                criteria: criteria.map { "\($0.groupName) — \($0.title) (\(VNFormat.decimal($0.maxPoints, places: 0))\($0.weight == 1 ? "" : " × " + VNFormat.decimal($0.weight, places: 2)))" },
                maximum: VNFormat.decimal(AssessmentEngine.maximum(criteria.map { AssessmentEngine.Item(id: UUID(), maxPoints: $0.maxPoints, weight: $0.weight) }), places: 0)
            ))
        }
        var councils: [CouncilView] = []
        for council in try await Council.query(on: req.db).filter(\.$year == year).sort(\.$name).all() {
            let memberIDs = try await CouncilMember.query(on: req.db).filter(\.$council.$id == council.requireID()).all(\.$user.$id)
            let members = memberIDs.isEmpty ? [] : try await User.query(on: req.db).filter(\.$id ~~ memberIDs).sort(\.$fullName).all()
            councils.append(CouncilView(id: council.id?.uuidString ?? "", name: council.name, purpose: council.purpose.label, unit: units[council.$unit.id]?.name ?? "",
                                        chair: members.first { $0.id == council.chairID }?.fullName ?? "", members: members.map { "\($0.fullName) (\(units[$0.$unit.id]?.shortName ?? units[$0.$unit.id]?.name ?? ""))" }))
        }
        let users = try await User.query(on: req.db).filter(\.$isActive == true).sort(\.$fullName).limit(500).all()
        let chosen = Set(typed.filter { $0.key.hasPrefix("member.") && $0.value == "on" }.map { String($0.key.dropFirst(7)) })
        let context = SettingsContext(
            year: year, typed: typed, errors: errors, sets: sets, councils: councils,
            purposes: AssessmentPurpose.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == typed["purpose"]) },
            methods: AssessmentMethod.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == typed["method"]) },
            levels: ["commune", "province"].map { SelectOption(value: $0, label: L10n.text("emulation.level.\($0)"), selected: $0 == typed["meets_level"]) },
            unitOptions: try await req.unitOptionsHTML(in: try await req.scope(), selected: Set([UUID(uuidString: typed["council_unit"] ?? "")].compactMap { $0 })),
            users: users.map { SelectOption(value: $0.id?.uuidString ?? "", label: "\($0.fullName) — \(units[$0.$unit.id]?.name ?? "")", selected: chosen.contains($0.id?.uuidString ?? "")) }
        )
        return try await req.render("emulation/settings", title: req.t("emulation.settings.title"), context, status: status)
    }

    func saveYear(_ req: Request) async throws -> Response {
        let typed = req.typedForm()
        let year = Int(typed["year"] ?? "") ?? EmulationAccess.currentYear(req)
        var errors = FormErrors()
        let opens = VNFormat.parseDate(typed["opens_on"] ?? "")
        let closes = VNFormat.parseDate(typed["closes_on"] ?? "")
        if opens == nil { errors.add("opens_on", "emulation.error.date") }
        if closes == nil { errors.add("closes_on", "emulation.error.date") }
        if let opens, let closes, closes < opens { errors.add("closes_on", "emulation.error.window_order") }
        func percent(_ key: String) -> Double? {
            guard let value = Double((typed[key] ?? "").replacingOccurrences(of: ",", with: ".").replacingOccurrences(of: "%", with: "").trimmingCharacters(in: .whitespaces)), (1...100).contains(value) else {
                errors.add(key, "emulation.error.percent")
                return nil
            }
            return value / 100
        }
        let dvk = percent("dvk_target"), democracy = percent("democracy_target")
        let models = Int(typed["meets_models"] ?? "")
        if models == nil || !(1...20).contains(models ?? 0) { errors.add("meets_models", "emulation.error.meets_models") }
        let level = typed["meets_level"] == "province" ? "province" : "commune"
        guard errors.isEmpty, let opens, let closes, let dvk, let democracy, let models else { return try await settings(req, year: year, typed: typed, errors: errors, status: .unprocessableEntity) }
        let row = try await ModelService.year(year, on: req.db)
        let before = ["opens": VNFormat.isoDate(row.opensOn), "closes": VNFormat.isoDate(row.closesOn), "dvk": String(row.dvkTarget), "democracy": String(row.democracyTarget), "models": String(row.meetsModels), "level": row.meetsLevel]
        row.opensOn = opens
        row.closesOn = closes
        row.dvkTarget = dvk
        row.democracyTarget = democracy
        row.meetsModels = models
        row.meetsLevel = level
        row.updatedAt = req.now
        try await req.db.transaction { db in
            if row.id == nil { row.id = UUID(); try await row.create(on: db) } else { try await row.update(on: db) }
            try await AuditLog.record(on: db, actor: req.actor, at: req.now, action: "update", entityType: "emulation-year", entityID: row.id, summary: req.t("emulation.audit.year", String(year)), before: before,
                                      after: ["opens": VNFormat.isoDate(opens), "closes": VNFormat.isoDate(closes), "dvk": String(dvk), "democracy": String(democracy), "models": String(models), "level": level])
        }
        req.flash(.success, req.t("emulation.flash.saved"))
        return req.redirect(to: EmulationRoute.settings.path + "?year=\(year)")
    }

    func createSet(_ req: Request) async throws -> Response {
        let typed = req.typedForm()
        let year = Int(typed["year"] ?? "") ?? EmulationAccess.currentYear(req)
        var errors = FormErrors()
        let title = VietnameseText.clean(typed["title"] ?? "")
        if title.isEmpty { errors.add("title", "emulation.error.name") }
        let purpose = AssessmentPurpose(rawValue: typed["purpose"] ?? "")
        if purpose == nil { errors.add("purpose", "emulation.error.purpose") }
        let method = AssessmentMethod(rawValue: typed["method"] ?? "") ?? .average
        let spread = Double((typed["spread"] ?? "").replacingOccurrences(of: ",", with: "."))
        if spread == nil || spread! < 0 { errors.add("spread", "emulation.error.spread") }
        let criteria = EmulationDefaults.parseCriteria(typed["criteria"] ?? "")
        if let line = criteria.badLine { errors.add("criteria", "emulation.error.criteria_line", String(line)) } else if criteria.lines.isEmpty { errors.add("criteria", "emulation.error.criteria") }
        let classes = EmulationDefaults.parseClasses(typed["classes"] ?? "")
        if let line = classes.badLine { errors.add("classes", "emulation.error.class_line", String(line)) } else if classes.classes.isEmpty { errors.add("classes", "emulation.error.classes") }
        let pass = VietnameseText.fold(typed["pass_class"] ?? "").replacingOccurrences(of: " ", with: "_")
        if !classes.classes.contains(where: { $0.key == pass }) { errors.add("pass_class", "emulation.error.pass_class") }
        if try await CriteriaSet.query(on: req.db).filter(\.$year == year).filter(\.$purpose == (purpose ?? .model)).filter(\.$title == title).first() != nil { errors.add("title", "emulation.error.set_duplicate") }
        guard errors.isEmpty, let purpose, let spread else { return try await settings(req, year: year, typed: typed, errors: errors, status: .unprocessableEntity) }
        try await req.db.transaction { db in
            let set = try await EmulationDefaults.makeSet(year: year, purpose: purpose, title: title, method: method, spread: spread, classes: classes.classes, passClass: pass,
                                                          lines: criteria.lines.map { ($0.group, $0.title, $0.guidance, $0.max) }, at: req.now, on: db)
            // Weights other than 1 as typed.
            let rows = try await AssessmentService.criteria(of: set.requireID(), on: db)
            for (row, line) in zip(rows, criteria.lines) where line.weight != 1 {
                row.weight = line.weight
                try await row.update(on: db)
            }
            try await AuditLog.record(on: db, actor: req.actor, at: req.now, action: "create", entityType: "criteria-set", entityID: set.id, summary: req.t("emulation.audit.set", title))
        }
        req.flash(.success, req.t("emulation.flash.saved"))
        return req.redirect(to: EmulationRoute.settings.path + "?year=\(year)")
    }

    func createCouncil(_ req: Request) async throws -> Response {
        let typed = req.typedForm()
        let year = Int(typed["year"] ?? "") ?? EmulationAccess.currentYear(req)
        var errors = FormErrors()
        let name = VietnameseText.clean(typed["name"] ?? "")
        if name.isEmpty { errors.add("name", "emulation.error.name") }
        let purpose = AssessmentPurpose(rawValue: typed["purpose"] ?? "")
        if purpose == nil { errors.add("council_purpose", "emulation.error.purpose") }
        let units = try await req.unitsByID()
        let unit = UUID(uuidString: typed["council_unit"] ?? "").flatMap { units[$0] }
        if unit == nil { errors.add("council_unit", "emulation.error.unit") }
        if let unit, !(try await EmulationAccess.boards(req, over: try unit.requireID())) { errors.add("council_unit", "emulation.error.unit") }
        let memberIDs = typed.filter { $0.key.hasPrefix("member.") && $0.value == "on" }.compactMap { UUID(uuidString: String($0.key.dropFirst(7))) }
        let members = memberIDs.isEmpty ? [] : try await User.query(on: req.db).filter(\.$id ~~ memberIDs).all()
        if members.isEmpty { errors.add("members", "emulation.error.members") }
        let chair = UUID(uuidString: typed["chair"] ?? "").flatMap { id in members.contains { $0.id == id } ? id : nil }
        guard errors.isEmpty, let purpose, let unit else { return try await settings(req, year: year, typed: typed, errors: errors, status: .unprocessableEntity) }
        let council = Council()
        council.id = UUID()
        council.$unit.id = try unit.requireID()
        council.year = year
        council.purpose = purpose
        council.name = name
        council.chairID = chair ?? members.first?.id
        council.createdAt = req.now
        try await req.db.transaction { db in
            try await council.create(on: db)
            for member in members {
                let row = CouncilMember()
                row.$council.id = try council.requireID()
                row.$user.id = try member.requireID()
                try await row.create(on: db)
            }
            try await AuditLog.record(on: db, actor: req.actor, at: req.now, action: "create", entityType: "council", entityID: council.id, summary: req.t("emulation.audit.council", name, String(members.count)))
        }
        req.flash(.success, req.t("emulation.flash.saved"))
        return req.redirect(to: EmulationRoute.settings.path + "?year=\(year)")
    }

    /// Copies last year's criteria sets, councils and rules into the year (what the year lacks).
    func copyYear(_ req: Request) async throws -> Response {
        let typed = req.typedForm()
        let year = Int(typed["year"] ?? "") ?? EmulationAccess.currentYear(req)
        let (sets, councils) = try await EmulationDefaults.copy(from: year - 1, to: year, actor: req.actor, at: req.now, on: req.db)
        req.flash(.success, req.t("emulation.flash.copied", String(sets), String(councils), String(year - 1)))
        return req.redirect(to: EmulationRoute.settings.path + "?year=\(year)")
    }

    func defaults(_ req: Request) async throws -> Response {
        let typed = req.typedForm()
        let year = Int(typed["year"] ?? "") ?? EmulationAccess.currentYear(req)
        let made = try await EmulationDefaults.ensure(year: year, actor: req.actor, at: req.now, on: req.db)
        req.flash(.success, req.t("emulation.flash.defaults", String(made)))
        return req.redirect(to: EmulationRoute.settings.path + "?year=\(year)")
    }
}

