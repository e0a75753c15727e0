import DanVanCore
import DanVanText
import Fluent
import Foundation
import Vapor

/// Site-clearance mobilisation: projects at a glance, one project by commune, updates, visits.
struct ClearanceController {
    struct Totals: Encodable, Sendable {
        let households: Int
        let agreed: Int
        let pending: Int
        let refusing: Int
        let agreedShare: String
    }

    struct ProjectRow: Encodable, Sendable {
        let id: String
        let name: String
        let unit: String
        let started: String
        let status: String
        let totals: Totals
        let stuck: Int
    }

    struct IndexContext: Encodable, Sendable {
        let rows: [ProjectRow]
        let unitOptions: String
        let typed: [String: String]
        let error: String?
        let today: String
    }

    static func totals(_ areas: [ClearanceArea]) -> Totals {
        let households = areas.reduce(0) { $0 + $1.households }, agreed = areas.reduce(0) { $0 + $1.agreed }, refusing = areas.reduce(0) { $0 + $1.refusing }
        return Totals(households: households, agreed: agreed, pending: max(0, households - agreed - refusing), refusing: refusing,
                      agreedShare: households == 0 ? "—" : VNFormat.percent(Double(agreed) / Double(households)))
    }

    func index(_ req: Request) async throws -> Response {
        try await indexPage(req, typed: [:], error: nil)
    }

    func indexPage(_ req: Request, typed: [String: String], error: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let scope = try await req.scope()
        let units = try await req.unitsByID()
        let projects = try await scope.filter(ClearanceProject.query(on: req.db)).sort(\.$startedOn, .descending).limit(200).all()
        let ids = projects.compactMap(\.id)
        let areas = ids.isEmpty ? [] : try await ClearanceArea.query(on: req.db).filter(\.$project.$id ~~ ids).all()
        let byProject = Dictionary(grouping: areas, by: { $0.$project.id })
        let context = IndexContext(
            rows: projects.map { project in
                let own = byProject[project.id ?? UUID()] ?? []
                return ProjectRow(id: project.id?.uuidString ?? "", name: project.name, unit: units[project.$unit.id]?.name ?? "", started: VNFormat.date(project.startedOn),
                                  status: project.status.label, totals: Self.totals(own), stuck: own.filter { $0.refusing > 0 }.count)
            },
            unitOptions: try await req.unitOptionsHTML(in: scope, selected: Set([UUID(uuidString: typed["unit"] ?? "") ?? req.currentUser?.$unit.id].compactMap { $0 })),
            typed: typed, error: error, today: VNFormat.isoDate(req.now)
        )
        return try await req.render("citizens/clearance_index", title: req.t("citizens.clearance.title"), context, status: status)
    }

    func create(_ req: Request) async throws -> Response {
        let typed = req.typedForm()
        let scope = try await req.scope()
        let units = try await req.unitsByID()
        guard let unitID = UUID(uuidString: typed["unit"] ?? ""), units[unitID].map(scope.contains) == true else {
            return try await indexPage(req, typed: typed, error: req.t("citizens.error.unit"), status: .unprocessableEntity)
        }
        guard let started = VNFormat.parseDate(typed["started_on"] ?? "") else {
            return try await indexPage(req, typed: typed, error: req.t("citizens.error.date"), status: .unprocessableEntity)
        }
        do {
            let project = try await ClearanceService.createProject(name: typed["name"] ?? "", description: typed["description"] ?? "", unitID: unitID, startedOn: started,
                                                                   actor: req.actor, at: req.now, on: req.db)
            return req.redirect(to: CitizensRoute.clearanceProject(project.id))
        } catch AppError.badRequest(let message) {
            return try await indexPage(req, typed: typed, error: message, status: .unprocessableEntity)
        }
    }

    struct AreaRow: Encodable, Sendable {
        let id: String
        let commune: String
        let communeID: String
        let households: Int
        let agreed: Int
        let pending: Int
        let refusing: Int
        let agreedShare: String
        let rise: Int
        let teams: [String]
        let version: Int
        let visits: [VisitRow]
        let complaints: [PetitionController.LinkRow]
    }

    struct VisitRow: Encodable, Sendable {
        let date: String
        let team: String
        let met: Int
        let note: String
        let author: String
    }

    struct ProjectContext: Encodable, Sendable {
        let id: String
        let name: String
        let description: String
        let unit: String
        let started: String
        let totals: Totals
        let areas: [AreaRow]
        let communes: [SelectOption]
        let error: String?
        let typed: [String: String]
        let today: String
        let riseDays: Int
    }

    func find(_ req: Request) async throws -> ClearanceProject {
        guard let id = req.parameters.get("projectID", as: UUID.self),
              let project = try await (try await req.scope()).filter(ClearanceProject.query(on: req.db)).filter(\.$id == id).first() else { throw AppError.notFound }
        return project
    }

    func show(_ req: Request) async throws -> Response {
        try await page(req, project: try await find(req))
    }

    func page(_ req: Request, project: ClearanceProject, error: String? = nil, typed: [String: String] = [:], status: HTTPResponseStatus = .ok) async throws -> Response {
        let id = try project.requireID()
        let units = try await req.unitsByID()
        let areas = try await ClearanceArea.query(on: req.db).filter(\.$project.$id == id).all()
            .sorted { VietnameseCollation.less(units[$0.$commune.id]?.name ?? "", units[$1.$commune.id]?.name ?? "") }
        let areaIDs = areas.compactMap(\.id)
        let visits = areaIDs.isEmpty ? [] : try await ClearanceVisit.query(on: req.db).filter(\.$area.$id ~~ areaIDs).sort(\.$visitedOn, .descending).all()
        let links = areaIDs.isEmpty ? [] : try await ClearanceLink.query(on: req.db).filter(\.$area.$id ~~ areaIDs).with(\.$petition).all()
        let days = try await EarlyWarning.settings(on: req.db)[.clearanceRefusals]?.days ?? 30
        var rows: [AreaRow] = []
        for area in areas {
            let (from, to) = try await ClearanceService.refusalRise(area: area, days: days, at: req.now, on: req.db)
            rows.append(AreaRow(
                id: area.id?.uuidString ?? "", commune: units[area.$commune.id]?.name ?? "", communeID: area.$commune.id.uuidString,
                households: area.households, agreed: area.agreed, pending: area.pending, refusing: area.refusing,
                agreedShare: area.households == 0 ? "—" : VNFormat.percent(Double(area.agreed) / Double(area.households)), rise: to - from,
                teams: area.teams.split(whereSeparator: \.isNewline).map(String.init), version: area.version,
                visits: visits.filter { $0.$area.id == area.id }.prefix(10).map { VisitRow(date: VNFormat.date($0.visitedOn), team: $0.team, met: $0.householdsMet, note: $0.note, author: $0.author) },
                complaints: links.filter { $0.$area.id == area.id }.map { .init(href: CitizensRoute.petition($0.$petition.id).path, label: "\($0.petition.reference) — \($0.petition.summary) (\($0.petition.status.label))") }
            ))
        }
        let communes = try await req.unitTree(in: .everything).filter { $0.level == .commune }
        let context = ProjectContext(
            id: id.uuidString, name: project.name, description: project.description, unit: units[project.$unit.id]?.name ?? "", started: VNFormat.date(project.startedOn),
            totals: Self.totals(areas), areas: rows,
            communes: [SelectOption(value: "", label: "—", selected: (typed["commune"] ?? "").isEmpty)] + communes.map { SelectOption(value: $0.id?.uuidString ?? "", label: $0.name, selected: $0.id?.uuidString == typed["commune"]) },
            error: error, typed: typed, today: VNFormat.isoDate(req.now), riseDays: days
        )
        return try await req.render("citizens/clearance", title: project.name, context, status: status)
    }

    /// Sets a commune's counts (and teams); adds the commune to the project the first time.
    func updateArea(_ req: Request) async throws -> Response {
        let project = try await find(req)
        let typed = req.typedForm()
        let units = try await req.unitsByID()
        func number(_ key: String) -> Int? { Int((typed[key] ?? "").trimmingCharacters(in: .whitespaces)) }
        guard let communeID = UUID(uuidString: typed["commune"] ?? ""), units[communeID]?.level == .commune else {
            return try await page(req, project: project, error: req.t("citizens.error.commune"), typed: typed, status: .unprocessableEntity)
        }
        guard let households = number("households"), let agreed = number("agreed"), let refusing = number("refusing") else {
            return try await page(req, project: project, error: req.t("citizens.clearance.error.counts"), typed: typed, status: .unprocessableEntity)
        }
        do {
            let warning = try await ClearanceService.updateArea(project, communeID: communeID, households: households, agreed: agreed, refusing: refusing,
                                                                teams: typed["teams"], expectedVersion: number("version"), actor: req.actor, at: req.now, on: req.db)
            req.flash(warning == nil ? .success : .warning, warning == nil ? req.t("citizens.clearance.flash.saved") : req.t("citizens.clearance.flash.warning"))
        } catch AppError.badRequest(let message) {
            return try await page(req, project: project, error: message, typed: typed, status: .unprocessableEntity)
        } catch AppError.conflict(let message) {
            return try await page(req, project: project, error: message, typed: typed, status: .conflict)
        }
        return req.redirect(to: CitizensRoute.clearanceProject(project.id))
    }

    func area(_ req: Request, project: ClearanceProject, typed: [String: String]) async throws -> ClearanceArea? {
        guard let areaID = UUID(uuidString: typed["area"] ?? "") else { return nil }
        return try await ClearanceArea.query(on: req.db).filter(\.$id == areaID).filter(\.$project.$id == project.requireID()).first()
    }

    func addVisit(_ req: Request) async throws -> Response {
        let project = try await find(req)
        let typed = req.typedForm()
        guard let area = try await area(req, project: project, typed: typed) else { throw AppError.notFound }
        do {
            try await ClearanceService.addVisit(area, team: typed["team"] ?? "", visitedOn: VNFormat.parseDate(typed["visited_on"] ?? "") ?? req.now,
                                                householdsMet: Int((typed["met"] ?? "0").trimmingCharacters(in: .whitespaces)) ?? -1, note: typed["note"] ?? "",
                                                actor: req.actor, at: req.now, on: req.db)
        } catch AppError.badRequest(let message) {
            return try await page(req, project: project, error: message, typed: typed, status: .unprocessableEntity)
        }
        req.flash(.success, req.t("citizens.clearance.flash.visit"))
        return req.redirect(to: CitizensRoute.clearanceProject(project.id))
    }

    func link(_ req: Request) async throws -> Response {
        let project = try await find(req)
        let typed = req.typedForm()
        guard let area = try await area(req, project: project, typed: typed) else { throw AppError.notFound }
        let reference = (typed["reference"] ?? "").trimmingCharacters(in: .whitespaces)
        guard let petition = try await PetitionService.find(reference: reference, on: req.db) else {
            return try await page(req, project: project, error: req.t("citizens.error.petition_ref", reference), typed: typed, status: .unprocessableEntity)
        }
        try await ClearanceService.link(area, petition: petition, actor: req.actor, at: req.now, on: req.db)
        req.flash(.success, req.t("citizens.flash.linked", petition.reference))
        return req.redirect(to: CitizensRoute.clearanceProject(project.id))
    }
}
