import DanVanCore
import DanVanText
import Fluent
import Foundation
import Vapor

/// The public showcase (no login): recognised models and exemplars for the press and for
/// propaganda, and published contest results. Only what was recognised and is still in force
/// appears; nothing internal (contacts, notes, scores, councils) is ever shown.
struct ShowcaseController {
    struct Card: Encodable, Sendable {
        let id: String
        let name: String
        let kind: String
        let field: String
        let unit: String
        let year: String
        let level: String
        let summary: String
        let photo: String?
    }

    struct ContestLink: Encodable, Sendable {
        let id: String
        let title: String
        let year: Int
    }

    struct IndexContext: Encodable, Sendable {
        let cards: [Card]
        let total: String
        let q: String
        let fields: [SelectOption]
        let years: [SelectOption]
        let areas: [SelectOption]
        let contests: [ContestLink]
        let more: Bool
        let next: String
    }

    static let publicStatuses: [DVKModel.Status] = DVKModel.Status.allCases.filter(\.isPublic)

    func index(_ req: Request) async throws -> Response {
        let q = VietnameseText.nfc(req.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespaces)
        let field = req.query[String.self, at: "field"].flatMap(EmulationField.init(rawValue:))
        let year = req.query[Int.self, at: "year"]
        let offset = max(0, min(req.query[Int.self, at: "offset"] ?? 0, 100_000))
        let units = try await req.unitsByID()
        let tree = try await req.unitTree(in: .everything)
        let areas = tree.filter { $0.kind == .commune && $0.isActive }
        let area = req.query[UUID.self, at: "area"].flatMap { units[$0] }
        func base() -> QueryBuilder<DVKModel> {
            let query = DVKModel.query(on: req.db).filter(\.$status ~~ Self.publicStatuses)
            if let field { query.filter(\.$field == field) }
            if let year { query.filter(\.$recognisedYear == year) }
            if let area { query.filter(\.$unit.$id ~~ tree.filter { $0.path.hasPrefix(area.path) }.compactMap(\.id)) }
            for word in VietnameseText.fold(q).split(separator: " ").prefix(6) { query.filter(\.$searchText ~~ String(word)) }
            return query
        }
        let total = try await base().count(\.$status)
        let models = try await base().sort(\.$recognisedYear, .descending).sort(\.$updatedAt, .descending).range(offset..<(offset + 30)).all()
        let photos = try await Self.photos(models.compactMap(\.id), on: req.db)
        let current = EmulationAccess.currentYear(req)
        let contests = try await JuriedContest.query(on: req.db).filter(\.$status == .published).sort(\.$year, .descending).limit(10).all()
        var next = URLComponents()
        next.queryItems = [URLQueryItem(name: "q", value: q), URLQueryItem(name: "field", value: field?.rawValue ?? ""), URLQueryItem(name: "year", value: year.map(String.init) ?? ""),
                           URLQueryItem(name: "area", value: area?.id?.uuidString ?? ""), URLQueryItem(name: "offset", value: String(offset + 30))]
        let context = IndexContext(
            cards: models.map { Self.card($0, units: units, photo: photos[$0.id ?? UUID()]) }, total: VNFormat.integer(total), q: q,
            fields: [SelectOption(value: "", label: req.t("emulation.all_fields"), selected: field == nil)] + EmulationField.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0 == field) },
            years: [SelectOption(value: "", label: req.t("emulation.all_years"), selected: year == nil)] + (current - 9...current).reversed().map { SelectOption(value: String($0), label: String($0), selected: $0 == year) },
            areas: [SelectOption(value: "", label: req.t("emulation.all_areas"), selected: area == nil)] + areas.map { SelectOption(value: $0.id?.uuidString ?? "", label: $0.name, selected: $0.id == area?.id) },
            contests: contests.map { ContestLink(id: $0.id?.uuidString ?? "", title: $0.title, year: $0.year) },
            more: offset + models.count < total, next: next.percentEncodedQuery ?? ""
        )
        return try await req.render("emulation/showcase", title: req.t("emulation.showcase.title"), context)
    }

    /// The first photo of each model.
    static func photos(_ ids: [UUID], on db: any Database) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        let files = try await EmulationFile.query(on: db).filter(\.$ownerType == "model").filter(\.$ownerID ~~ ids).filter(\.$contentType ~~ ["image/jpeg", "image/png"]).sort(\.$at).all()
        var result: [UUID: String] = [:]
        for file in files where result[file.ownerID] == nil { result[file.ownerID] = EmulationRoute.showcasePhoto(file.ownerID, file.id).path }
        return result
    }

    static func card(_ model: DVKModel, units: [UUID: OrgUnit], photo: String?) -> Card {
        Card(id: model.id?.uuidString ?? "", name: model.name, kind: model.kind.label, field: model.field.label, unit: units[model.$unit.id]?.name ?? "",
             year: model.recognisedYear.map(String.init) ?? "", level: model.level.map { L10n.text("emulation.level.\($0)") } ?? "",
             summary: String(model.solution.prefix(220)) + (model.solution.count > 220 ? "…" : ""), photo: photo)
    }

    struct StoryContext: Encodable, Sendable {
        let name: String
        let kind: String
        let field: String
        let unit: String
        let year: String
        let level: String
        let decision: String
        let problem: String
        let solution: String
        let beneficiaries: String
        let results: String
        let commendation: String
        let photos: [String]
        let spread: Int
        let spreadUnits: [String]
    }

    func publicModel(_ req: Request) async throws -> DVKModel {
        guard let id = req.parameters.get("modelID", as: UUID.self), let model = try await DVKModel.find(id, on: req.db), model.status.isPublic else { throw AppError.notFound }
        return model
    }

    func story(_ req: Request) async throws -> Response {
        let model = try await publicModel(req)
        let id = try model.requireID()
        let units = try await req.unitsByID()
        let recognition = try await Recognition.query(on: req.db).filter(\.$model.$id == id).sort(\.$decisionDate, .descending).first()
        let photos = try await EmulationFile.query(on: req.db).filter(\.$ownerType == "model").filter(\.$ownerID == id).filter(\.$contentType ~~ ["image/jpeg", "image/png"]).sort(\.$at).all()
        let replications = try await Replication.query(on: req.db).filter(\.$model.$id == id).all()
        let context = StoryContext(
            name: model.name, kind: model.kind.label, field: model.field.label, unit: units[model.$unit.id]?.name ?? "", year: model.recognisedYear.map(String.init) ?? "",
            level: model.level.map { L10n.text("emulation.level.\($0)") } ?? "",
            decision: recognition.map { req.t("emulation.showcase.decision", $0.decisionNumber, VNFormat.date($0.decisionDate)) } ?? "",
            problem: model.problem, solution: model.solution, beneficiaries: model.beneficiaries, results: model.results, commendation: model.commendation,
            photos: photos.map { EmulationRoute.showcasePhoto(id, $0.id).path }, spread: replications.count,
            spreadUnits: replications.compactMap { units[$0.$unit.id]?.name }.sorted()
        )
        return try await req.render("emulation/story", title: model.name, context)
    }

    /// A photo of a public model (images only; documents stay inside).
    func photo(_ req: Request) async throws -> Response {
        let model = try await publicModel(req)
        guard let fileID = req.parameters.get("fileID", as: UUID.self), let file = try await EmulationFile.find(fileID, on: req.db),
              file.ownerType == "model", file.ownerID == model.id, file.isPhoto else { throw AppError.notFound }
        let data: Data
        do { data = try req.application.files.read(file.storageKey, sha256: file.sha256) } catch { throw AppError.notFound }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: file.contentType)
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=86400")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }

    struct ResultRow: Encodable, Sendable {
        let rank: String
        let prize: String
        let title: String
        let author: String
        let unit: String
    }

    struct ResultsContext: Encodable, Sendable {
        let title: String
        let kind: String
        let year: Int
        let rows: [ResultRow]
    }

    func contest(_ req: Request) async throws -> Response {
        guard let id = req.parameters.get("contestID", as: UUID.self), let contest = try await JuriedContest.find(id, on: req.db), contest.status == .published else { throw AppError.notFound }
        let units = try await req.unitsByID()
        let entries = try await ContestEntry.query(on: req.db).filter(\.$contest.$id == id).filter(\.$prize != nil).sort(\.$rank).all()
        let context = ResultsContext(title: contest.title, kind: contest.kind.label, year: contest.year,
                                     rows: entries.map { ResultRow(rank: $0.rank.map(String.init) ?? "", prize: $0.prize ?? "", title: $0.title, author: $0.author, unit: units[$0.$unit.id]?.name ?? "") })
        return try await req.render("emulation/showcase_contest", title: contest.title, context)
    }
}
