import DanVanCore
import DanVanText
import Fluent
import Foundation
import Vapor

/// Report templates: the list, and a form that saves a new version (sections, indicators and
/// rules as rows, with blank rows to add). A period already open keeps its version.
struct TemplateController {
    struct TemplateRow: Encodable, Sendable {
        let id: String
        let name: String
        let code: String
        let version: Int
        let sections: Int
        let indicators: Int
        let periods: Int
    }

    struct ListContext: Encodable, Sendable {
        let rows: [TemplateRow]
    }

    func index(_ req: Request) async throws -> Response {
        let templates = try await ReportService.currentTemplates(on: req.db)
        var rows: [TemplateRow] = []
        for template in templates {
            let definition = try template.definition
            let ids = try await ReportTemplate.query(on: req.db).filter(\.$code == template.code).all().compactMap(\.id)
            let periods = try await ReportPeriod.query(on: req.db).filter(\.$template.$id ~~ ids).count()
            rows.append(TemplateRow(id: template.id?.uuidString ?? "", name: template.name, code: template.code, version: template.version, sections: definition.sections.count, indicators: definition.indicators.count, periods: periods))
        }
        return try await req.render("reports/templates", title: req.t("reports.templates"), ListContext(rows: rows))
    }

    struct SectionRow: Encodable, Sendable {
        let index: Int
        let key: String
        let title: String
        let guidance: String
        let required: Bool
        let pressing: Bool
    }

    struct IndicatorRow: Encodable, Sendable {
        let index: Int
        let key: String
        let name: String
        let kinds: [SelectOption]
        let measure: String
        let minimum: String
        let maximum: String
        let combines: [SelectOption]
        let weight: String
        let sources: [SelectOption]
    }

    struct RuleRow: Encodable, Sendable {
        let index: Int
        let left: String
        let comparisons: [SelectOption]
        let right: String
        let message: String
    }

    struct FormContext: Encodable, Sendable {
        let templateID: String?
        let code: String
        let name: String
        let documentKind: String
        let version: Int
        let sections: [SectionRow]
        let indicators: [IndicatorRow]
        let rules: [RuleRow]
        let errors: [String]
        let openPeriods: Int
    }

    /// What the form holds: the fields as typed, so a refused form shows them again.
    struct Typed {
        var code = "", name = "", documentKind = ""
        var sections: [[String: String]] = []
        var indicators: [[String: String]] = []
        var rules: [[String: String]] = []
    }

    static func typed(_ template: ReportTemplate) throws -> Typed {
        let definition = try template.definition
        var typed = Typed(code: template.code, name: template.name, documentKind: template.documentKind)
        typed.sections = definition.sections.map { ["key": $0.key, "title": $0.title, "guidance": $0.guidance, "required": $0.required ? "1" : "", "pressing": $0.pressing ? "1" : ""] }
        typed.indicators = definition.indicators.map {
            [
                "key": $0.key, "name": $0.name, "kind": $0.kind.rawValue, "measure": $0.measure,
                "min": $0.minimum.map { ReportDefinition.input($0, kind: .decimal) } ?? "", "max": $0.maximum.map { ReportDefinition.input($0, kind: .decimal) } ?? "",
                "combine": $0.combine.rawValue, "weight": $0.weightKey ?? "", "source": $0.source ?? "",
            ]
        }
        typed.rules = definition.rules.map { ["left": $0.left, "comparison": $0.comparison.rawValue, "right": $0.right, "message": $0.message] }
        return typed
    }

    func new(_ req: Request) async throws -> Response {
        try await form(req, typed: Typed(documentKind: req.t("reports.template.default_kind")), template: nil, errors: [])
    }

    func edit(_ req: Request) async throws -> Response {
        let template = try await find(req)
        return try await form(req, typed: try Self.typed(template), template: template, errors: [])
    }

    func find(_ req: Request) async throws -> ReportTemplate {
        guard let id = req.parameters.get("templateID", as: UUID.self), let template = try await ReportTemplate.find(id, on: req.db) else { throw AppError.notFound }
        return template
    }

    func form(_ req: Request, typed: Typed, template: ReportTemplate?, errors: [String], status: HTTPResponseStatus = .ok) async throws -> Response {
        let sources = req.application.reportSources.all
        func options<T: RawRepresentable>(_ all: [T], _ label: (T) -> String, _ selected: String) -> [SelectOption] where T.RawValue == String {
            all.map { SelectOption(value: $0.rawValue, label: label($0), selected: $0.rawValue == selected) }
        }
        let sections = (typed.sections + Array(repeating: [:], count: 2)).enumerated().map { index, row in
            SectionRow(index: index, key: row["key"] ?? "", title: row["title"] ?? "", guidance: row["guidance"] ?? "", required: row["required"] == "1", pressing: row["pressing"] == "1")
        }
        let indicators = (typed.indicators + Array(repeating: [:], count: 3)).enumerated().map { index, row in
            IndicatorRow(
                index: index, key: row["key"] ?? "", name: row["name"] ?? "",
                kinds: options(ReportDefinition.Kind.allCases, \.label, row["kind"] ?? "integer"), measure: row["measure"] ?? "",
                minimum: row["min"] ?? "", maximum: row["max"] ?? "",
                combines: options(ReportDefinition.Combine.allCases, \.label, row["combine"] ?? "sum"), weight: row["weight"] ?? "",
                sources: [SelectOption(value: "", label: req.t("reports.template.no_source"), selected: (row["source"] ?? "").isEmpty)]
                    + sources.map { SelectOption(value: $0.key, label: req.t($0.labelKey), selected: $0.key == row["source"]) }
            )
        }
        let comparisons: [(ReportDefinition.Rule.Comparison, String)] = [(.lessOrEqual, "≤"), (.greaterOrEqual, "≥"), (.equal, "=")]
        let rules = (typed.rules + [[:]]).enumerated().map { index, row in
            RuleRow(
                index: index, left: row["left"] ?? "", comparisons: comparisons.map { SelectOption(value: $0.0.rawValue, label: $0.1, selected: $0.0.rawValue == (row["comparison"] ?? "lessOrEqual")) },
                right: row["right"] ?? "", message: row["message"] ?? ""
            )
        }
        var openPeriods = 0
        if let template, let id = template.id {
            let today = VNFormat.calendar.startOfDay(for: req.now)
            openPeriods = try await ReportPeriod.query(on: req.db).filter(\.$template.$id == id).filter(\.$cutoffOn >= today).count()
        }
        let context = FormContext(
            templateID: template?.id?.uuidString, code: typed.code, name: typed.name, documentKind: typed.documentKind, version: template?.version ?? 0,
            sections: sections, indicators: indicators, rules: rules, errors: errors, openPeriods: openPeriods
        )
        return try await req.render("reports/template_form", title: template == nil ? req.t("reports.template.new") : req.t("reports.template.edit", typed.name), context, status: status)
    }

    /// Reads the rows of the form.
    static func read(_ req: Request) -> Typed {
        var typed = Typed()
        var sections: [Int: [String: String]] = [:], indicators: [Int: [String: String]] = [:], rules: [Int: [String: String]] = [:]
        for (name, raw) in req.formPairs() {
            let value = VietnameseText.nfc(raw).trimmingCharacters(in: .whitespacesAndNewlines)
            let parts = name.split(separator: ".").map(String.init)
            if parts.count == 3, let index = Int(parts[1]), (0..<200).contains(index) {
                switch parts[0] {
                case "s": sections[index, default: [:]][parts[2]] = value
                case "k": indicators[index, default: [:]][parts[2]] = value
                case "r": rules[index, default: [:]][parts[2]] = value
                default: break
                }
                continue
            }
            switch name {
            case "code": typed.code = value
            case "name": typed.name = VietnameseText.clean(value)
            case "document_kind": typed.documentKind = VietnameseText.clean(value)
            default: break
            }
        }
        typed.sections = sections.keys.sorted().compactMap { sections[$0] }.filter { !($0["title"] ?? "").isEmpty }
        typed.indicators = indicators.keys.sorted().compactMap { indicators[$0] }.filter { !($0["name"] ?? "").isEmpty }
        typed.rules = rules.keys.sorted().compactMap { rules[$0] }.filter { !($0["left"] ?? "").isEmpty || !($0["right"] ?? "").isEmpty }
        return typed
    }

    /// A stable key from a name: "Số đơn thư tiếp nhận" → "so_don_thu_tiep_nhan".
    static func key(from name: String) -> String {
        let folded = VietnameseText.fold(name).map { $0.isLetter || $0.isNumber ? $0 : "_" }
        return String(String(folded).split(separator: "_").joined(separator: "_").prefix(40))
    }

    /// The definition the rows describe, or the messages of what is wrong.
    static func definition(_ typed: Typed) -> (ReportDefinition?, [String]) {
        var errors: [String] = []
        var usedSections = Set<String>()
        let sections = typed.sections.map { row -> ReportDefinition.Section in
            var key = row["key"].flatMap { $0.isEmpty ? nil : $0 } ?? key(from: row["title"] ?? "")
            while usedSections.contains(key) { key += "_" }
            usedSections.insert(key)
            return .init(key: key, title: row["title"] ?? "", guidance: row["guidance"] ?? "", required: row["required"] == "1", pressing: row["pressing"] == "1")
        }
        var indicators: [ReportDefinition.Indicator] = []
        for row in typed.indicators {
            let name = row["name"] ?? ""
            let key = row["key"].flatMap { $0.isEmpty ? nil : $0 } ?? key(from: name)
            func bound(_ field: String) -> Double?? {
                let raw = row[field] ?? ""
                if raw.isEmpty { return .some(nil) }
                guard let value = ReportDefinition.number(raw, kind: .decimal) else { return nil }
                return .some(value)
            }
            guard let minimum = bound("min"), let maximum = bound("max") else {
                errors.append(L10n.format("reports.template.bad_bound", [name]))
                continue
            }
            if let minimum, let maximum, minimum > maximum { errors.append(L10n.format("reports.template.bounds_order", [name])) }
            indicators.append(.init(
                key: key, name: name, kind: ReportDefinition.Kind(rawValue: row["kind"] ?? "") ?? .integer, measure: row["measure"] ?? "",
                minimum: minimum, maximum: maximum, combine: ReportDefinition.Combine(rawValue: row["combine"] ?? "") ?? .sum,
                weightKey: (row["weight"] ?? "").isEmpty ? nil : row["weight"], source: (row["source"] ?? "").isEmpty ? nil : row["source"]
            ))
        }
        let rules = typed.rules.map {
            ReportDefinition.Rule(left: $0["left"] ?? "", comparison: ReportDefinition.Rule.Comparison(rawValue: $0["comparison"] ?? "") ?? .lessOrEqual, right: $0["right"] ?? "", message: ($0["message"] ?? "").isEmpty ? L10n.format("reports.template.rule_default", [$0["left"] ?? "", $0["right"] ?? ""]) : $0["message"] ?? "")
        }
        if typed.name.isEmpty { errors.append(L10n.text("reports.template.name_required")) }
        if sections.isEmpty && indicators.isEmpty { errors.append(L10n.text("reports.template.empty")) }
        let definition = ReportDefinition(sections: sections, indicators: indicators, rules: rules)
        errors += definition.problems
        return (errors.isEmpty ? definition : nil, errors)
    }

    func create(_ req: Request) async throws -> Response {
        var typed = Self.read(req)
        typed.code = Self.key(from: typed.code.isEmpty ? typed.name : typed.code).replacingOccurrences(of: "_", with: "-")
        if !typed.code.isEmpty, try await ReportTemplate.query(on: req.db).filter(\.$code == typed.code).count() > 0 {
            return try await form(req, typed: typed, template: nil, errors: [req.t("reports.template.code_taken", typed.code)], status: .conflict)
        }
        return try await save(req, typed: typed, template: nil)
    }

    func update(_ req: Request) async throws -> Response {
        let template = try await find(req)
        var typed = Self.read(req)
        typed.code = template.code
        // Saving from an old version's form would silently drop a newer one's changes.
        let newest = try await ReportTemplate.query(on: req.db).filter(\.$code == template.code).sort(\.$version, .descending).first()
        if let newest, newest.version != template.version {
            return try await form(req, typed: typed, template: template, errors: [req.t("reports.template.stale", String(newest.version))], status: .conflict)
        }
        return try await save(req, typed: typed, template: template)
    }

    func save(_ req: Request, typed: Typed, template: ReportTemplate?) async throws -> Response {
        let (definition, errors) = Self.definition(typed)
        guard let definition, !typed.code.isEmpty else {
            return try await form(req, typed: typed, template: template, errors: errors.isEmpty ? [req.t("reports.template.name_required")] : errors, status: .unprocessableEntity)
        }
        let saved: ReportTemplate
        do {
            saved = try await ReportService.saveTemplate(code: typed.code, name: typed.name, documentKind: typed.documentKind.isEmpty ? req.t("reports.template.default_kind") : typed.documentKind, definition: definition, actor: req.actor, at: req.now, on: req.db)
        } catch ReportService.Refusal.invalid(let messages) {
            return try await form(req, typed: typed, template: template, errors: Array(messages.values), status: .unprocessableEntity)
        }
        req.flash(.success, req.t("reports.flash.template", String(saved.version)))
        return req.redirect(to: ReportsRoute.templates)
    }
}
