import DanVanCore
import DanVanText
import Fluent
import Foundation
import Vapor

/// `/api/v1/emulation/…`: the register of models and the two targets.
struct EmulationAPI {
    struct ModelDTO: Content {
        let id: UUID
        let name: String
        let kind: String
        let holder: String
        let field: String
        let landFocus: Bool
        let unitId: UUID
        let year: Int
        let status: String
        let level: String?
        let recognisedYear: Int?
        let commendation: String
        let problem: String
        let solution: String
        let results: String

        init(_ model: DVKModel) {
            id = model.id ?? UUID()
            name = model.name
            kind = model.kind.rawValue
            holder = model.holder.rawValue
            field = model.field.rawValue
            landFocus = model.landFocus
            unitId = model.$unit.id
            year = model.year
            status = model.status.rawValue
            level = model.level
            recognisedYear = model.recognisedYear
            commendation = model.commendation
            problem = model.problem
            solution = model.solution
            results = model.results
        }
    }

    func models(_ req: Request) async throws -> APIList<ModelDTO> {
        let page = try APIPage.parse(req)
        if let raw = req.query[String.self, at: "status"], !raw.isEmpty, DVKModel.Status(rawValue: raw) == nil { throw AppError.badRequest(req.t("emulation.api.status")) }
        if let raw = req.query[String.self, at: "field"], !raw.isEmpty, EmulationField(rawValue: raw) == nil { throw AppError.badRequest(req.t("emulation.api.field")) }
        let (models, total, _) = try await ModelController().register(req, limit: nil, page: page)
        return APIList(items: models.map(ModelDTO.init), total: total, page: page)
    }

    func model(_ req: Request) async throws -> ModelDTO {
        ModelDTO(try await ModelController().find(req))
    }

    struct ShareDTO: Content {
        let key: String
        let meeting: Int
        let units: Int
        let share: Double?
        let target: Double
        let met: Bool

        init(_ key: String, _ share: TargetShare) {
            self.key = key
            meeting = share.meeting
            units = share.units
            self.share = share.share
            target = share.target
            met = share.met
        }
    }

    struct TargetsDTO: Content {
        let year: Int
        let dvk: ShareDTO
        let democracy: ShareDTO
        let byLevel: [ShareDTO]
        let byKind: [ShareDTO]
        let trend: [TrendDTO]
        let noRegistration: [UUID]
        let noSelfAssessment: [UUID]
    }

    struct TrendDTO: Content {
        let year: Int
        let dvk: Double?
        let democracy: Double?
    }

    func targets(_ req: Request) async throws -> TargetsDTO {
        if let raw = req.query[String.self, at: "year"], Int(raw) == nil { throw AppError.badRequest(req.t("emulation.api.year")) }
        let year = EmulationAccess.year(req)
        let (_, units, prefix) = try await TargetController.subtree(req)
        let figures = try await TargetService.figures(year: year, units: units, pathPrefix: prefix, on: req.db)
        return TargetsDTO(
            year: year, dvk: ShareDTO("dvk", figures.dvk), democracy: ShareDTO("democracy", figures.democracy),
            byLevel: figures.byLevel.map { ShareDTO($0.key, $0.share) }, byKind: figures.byKind.map { ShareDTO($0.key, $0.share) },
            trend: figures.trend.map { TrendDTO(year: $0.year, dvk: $0.dvk, democracy: $0.democracy) },
            noRegistration: figures.noRegistration.compactMap(\.id), noSelfAssessment: figures.noSelfAssessment.compactMap(\.id)
        )
    }

    static var paths: [String: JSON] {
        let error: JSON = ["description": .string(L10n.text("emulation.api.error")), "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]]
        func ok(_ schema: String) -> JSON { ["description": .string(L10n.text("emulation.api.ok")), "content": ["application/json": ["schema": ["$ref": .string("#/components/schemas/\(schema)")]]]] }
        func enumParameter(_ name: String, _ values: [String]) -> JSON { ["name": .string(name), "in": "query", "schema": ["type": "string", "enum": .array(values.map { .string($0) })]] }
        let year: JSON = ["name": "year", "in": "query", "schema": ["type": "integer", "minimum": 2000]]
        return [
            "/api/v1/emulation/models": ["get": [
                "summary": .string(L10n.text("emulation.api.models")), "tags": ["emulation"],
                "parameters": .array([year, enumParameter("status", DVKModel.Status.allCases.map(\.rawValue)), enumParameter("field", EmulationField.allCases.map(\.rawValue)),
                                      ["name": "q", "in": "query", "schema": ["type": "string"]]] + APIPage.openAPIParameters),
                "responses": ["200": ok("DVKModelPage"), "400": error, "401": error],
            ]],
            "/api/v1/emulation/models/{modelID}": ["get": [
                "summary": .string(L10n.text("emulation.api.model")), "tags": ["emulation"],
                "parameters": [["name": "modelID", "in": "path", "required": true, "schema": ["type": "string", "format": "uuid"]]],
                "responses": ["200": ok("DVKModel"), "401": error, "404": error],
            ]],
            "/api/v1/emulation/targets": ["get": [
                "summary": .string(L10n.text("emulation.api.targets")), "tags": ["emulation"],
                "parameters": [year, ["name": "unit", "in": "query", "schema": ["type": "string", "format": "uuid"]]],
                "responses": ["200": ok("EmulationTargets"), "400": error, "401": error],
            ]],
        ]
    }

    static var schemas: [String: JSON] {
        let uuid: JSON = ["type": "string", "format": "uuid"]
        let share: JSON = ["type": "object", "required": ["key", "meeting", "units", "target", "met"], "properties": [
            "key": ["type": "string"], "meeting": ["type": "integer"], "units": ["type": "integer"], "share": ["type": "number", "nullable": true],
            "target": ["type": "number"], "met": ["type": "boolean"],
        ]]
        return [
            "DVKModel": ["type": "object", "required": ["id", "name", "kind", "field", "unitId", "year", "status"], "properties": [
                "id": uuid, "name": ["type": "string"], "kind": ["type": "string", "enum": .array(DVKModel.Kind.allCases.map { .string($0.rawValue) })],
                "holder": ["type": "string", "enum": .array(DVKModel.Holder.allCases.map { .string($0.rawValue) })],
                "field": ["type": "string", "enum": .array(EmulationField.allCases.map { .string($0.rawValue) })], "landFocus": ["type": "boolean"],
                "unitId": uuid, "year": ["type": "integer"], "status": ["type": "string", "enum": .array(DVKModel.Status.allCases.map { .string($0.rawValue) })],
                "level": ["type": "string", "nullable": true], "recognisedYear": ["type": "integer", "nullable": true], "commendation": ["type": "string"],
                "problem": ["type": "string"], "solution": ["type": "string"], "results": ["type": "string"],
            ]],
            "DVKModelPage": APIPage.openAPISchema(of: "DVKModel"),
            "EmulationTargets": ["type": "object", "required": ["year", "dvk", "democracy"], "properties": [
                "year": ["type": "integer"], "dvk": share, "democracy": share, "byLevel": ["type": "array", "items": share], "byKind": ["type": "array", "items": share],
                "trend": ["type": "array", "items": ["type": "object", "properties": ["year": ["type": "integer"], "dvk": ["type": "number", "nullable": true], "democracy": ["type": "number", "nullable": true]]]],
                "noRegistration": ["type": "array", "items": uuid], "noSelfAssessment": ["type": "array", "items": uuid],
            ]],
        ]
    }
}
