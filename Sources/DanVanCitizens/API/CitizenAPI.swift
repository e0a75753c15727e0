import DanVanCore
import DanVanText
import Fluent
import Foundation
import Vapor

/// `/api/v1/citizens/…`: submissions (a denouncer never named) and the statistics.
struct CitizenAPI {
    struct PetitionDTO: Content {
        let id: UUID
        let reference: String
        let kind: String
        let channel: String
        let field: String
        let status: String
        let summary: String
        let sender: String
        let senderCount: Int
        let communeId: UUID
        let unitId: UUID
        let receivedOn: String
        let ackDueOn: String
        let acceptedOn: String?
        let resolveDueOn: String?
        let resolvedOn: String?
        let extensions: Int
        let overdue: Bool
        let publicAnswer: String

        init(_ petition: Petition, today: Date) {
            id = petition.id ?? UUID()
            reference = petition.reference
            kind = petition.kind.rawValue
            channel = petition.channel.rawValue
            field = petition.field.rawValue
            status = petition.status.rawValue
            summary = petition.summary
            sender = petition.senderShown
            senderCount = petition.senderCount
            communeId = petition.$commune.id
            unitId = petition.$unit.id
            receivedOn = VNFormat.isoDate(petition.receivedOn)
            ackDueOn = VNFormat.isoDate(petition.ackDueOn)
            acceptedOn = petition.acceptedOn.map(VNFormat.isoDate)
            resolveDueOn = petition.resolveDueOn.map(VNFormat.isoDate)
            resolvedOn = petition.resolvedOn.map(VNFormat.isoDate)
            extensions = petition.extensions
            overdue = petition.isOverdue(today: today)
            publicAnswer = petition.publicAnswer
        }
    }

    func petitions(_ req: Request) async throws -> APIList<PetitionDTO> {
        let page = try APIPage.parse(req)
        let unitIDs = try await req.scopeUnitIDs()
        let today = CivilDay.startOfDay(req.now)
        var filter = PetitionController.Filter(req)
        if let raw = req.query[String.self, at: "status"], !raw.isEmpty, raw != "open", raw != "all", PetitionStatus(rawValue: raw) == nil {
            throw AppError.badRequest(req.t("citizens.api.status"))
        }
        if req.query[String.self, at: "status"] == nil { filter.openOnly = false }
        let total = try await PetitionController.filtered(filter, unitIDs: unitIDs, today: today, on: req.db).count(\.$receivedOn)
        let rows = try await PetitionController.filtered(filter, unitIDs: unitIDs, today: today, on: req.db).sort(\.$receivedOn, .descending).sort(\.$number, .descending).range(page.range).all()
        return APIList(items: rows.map { PetitionDTO($0, today: today) }, total: total, page: page)
    }

    func petition(_ req: Request) async throws -> PetitionDTO {
        let petition = try await PetitionService.find(req.parameters.get("petitionID", as: UUID.self), scope: try await req.scope(), on: req.db)
        return PetitionDTO(petition, today: CivilDay.startOfDay(req.now))
    }

    struct LineDTO: Content {
        let key: String
        let received: Int
        let accepted: Int
        let resolvedOnTime: Int
        let resolvedLate: Int
        let overdue: Int
        let open: Int

        init(_ line: PetitionStatistics.Line) {
            key = line.key
            received = line.received
            accepted = line.accepted
            resolvedOnTime = line.resolvedOnTime
            resolvedLate = line.resolvedLate
            overdue = line.overdue
            open = line.open
        }
    }

    struct StatisticsDTO: Content {
        let from: String
        let to: String
        let total: LineDTO
        let mass: Int
        let byKind: [LineDTO]
        let byField: [LineDTO]
        let byChannel: [LineDTO]
        let byStatus: [LineDTO]
        let byUnit: [LineDTO]
    }

    func statistics(_ req: Request) async throws -> StatisticsDTO {
        let (from, until, error) = StatsController.period(req)
        if let error { throw AppError.badRequest(error) }
        let stats = try await CitizenStats.statistics(from: from, until: until, unitIDs: try await req.scopeUnitIDs(), today: CivilDay.startOfDay(req.now), on: req.db)
        return StatisticsDTO(
            from: VNFormat.isoDate(from), to: VNFormat.isoDate(until.addingTimeInterval(-86_400)), total: LineDTO(stats.total), mass: stats.mass,
            byKind: stats.byKind.map(LineDTO.init), byField: stats.byField.map(LineDTO.init), byChannel: stats.byChannel.map(LineDTO.init),
            byStatus: stats.byStatus.map(LineDTO.init), byUnit: stats.byUnit.map(LineDTO.init)
        )
    }

    static var paths: [String: JSON] {
        let error: JSON = ["description": .string(L10n.text("citizens.api.error")), "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]]
        func ok(_ schema: String) -> JSON { ["description": .string(L10n.text("citizens.api.ok")), "content": ["application/json": ["schema": ["$ref": .string("#/components/schemas/\(schema)")]]]] }
        func enumParameter(_ name: String, _ values: [String]) -> JSON { ["name": .string(name), "in": "query", "schema": ["type": "string", "enum": .array(values.map { .string($0) })]] }
        let date: JSON = ["type": "string", "format": "date"]
        return [
            "/api/v1/citizens/petitions": ["get": [
                "summary": .string(L10n.text("citizens.api.petitions")), "tags": ["citizens"],
                "parameters": .array([
                    enumParameter("status", ["open", "all"] + PetitionStatus.allCases.map(\.rawValue)), enumParameter("kind", PetitionKind.allCases.map(\.rawValue)),
                    enumParameter("field", PetitionField.allCases.map(\.rawValue)), ["name": "commune", "in": "query", "schema": ["type": "string", "format": "uuid"]],
                    ["name": "overdue", "in": "query", "schema": ["type": "string", "enum": ["1"]]], ["name": "q", "in": "query", "schema": ["type": "string"]],
                ] + APIPage.openAPIParameters),
                "responses": ["200": ok("PetitionPage"), "400": error, "401": error],
            ]],
            "/api/v1/citizens/petitions/{petitionID}": ["get": [
                "summary": .string(L10n.text("citizens.api.petition")), "tags": ["citizens"],
                "parameters": [["name": "petitionID", "in": "path", "required": true, "schema": ["type": "string", "format": "uuid"]]],
                "responses": ["200": ok("Petition"), "401": error, "404": error],
            ]],
            "/api/v1/citizens/statistics": ["get": [
                "summary": .string(L10n.text("citizens.api.statistics")), "tags": ["citizens"],
                "parameters": [["name": "from", "in": "query", "schema": date], ["name": "to", "in": "query", "schema": date]],
                "responses": ["200": ok("PetitionStatistics"), "400": error, "401": error],
            ]],
        ]
    }

    static var schemas: [String: JSON] {
        let uuid: JSON = ["type": "string", "format": "uuid"]
        let date: JSON = ["type": "string", "format": "date"]
        let nullableDate: JSON = ["type": "string", "format": "date", "nullable": true]
        let line: JSON = ["type": "object", "properties": [
            "key": ["type": "string"], "received": ["type": "integer"], "accepted": ["type": "integer"], "resolvedOnTime": ["type": "integer"],
            "resolvedLate": ["type": "integer"], "overdue": ["type": "integer"], "open": ["type": "integer"],
        ]]
        return [
            "Petition": ["type": "object", "required": ["id", "reference", "kind", "status", "summary", "sender", "receivedOn", "ackDueOn"], "properties": [
                "id": uuid, "reference": ["type": "string"], "kind": ["type": "string", "enum": .array(PetitionKind.allCases.map { .string($0.rawValue) })],
                "channel": ["type": "string", "enum": .array(PetitionChannel.allCases.map { .string($0.rawValue) })],
                "field": ["type": "string", "enum": .array(PetitionField.allCases.map { .string($0.rawValue) })],
                "status": ["type": "string", "enum": .array(PetitionStatus.allCases.map { .string($0.rawValue) })],
                "summary": ["type": "string"], "sender": ["type": "string", "description": .string(L10n.text("citizens.api.sender"))], "senderCount": ["type": "integer"],
                "communeId": uuid, "unitId": uuid, "receivedOn": date, "ackDueOn": date, "acceptedOn": nullableDate, "resolveDueOn": nullableDate, "resolvedOn": nullableDate,
                "extensions": ["type": "integer"], "overdue": ["type": "boolean"], "publicAnswer": ["type": "string"],
            ]],
            "PetitionPage": APIPage.openAPISchema(of: "Petition"),
            "PetitionStatistics": ["type": "object", "properties": [
                "from": date, "to": date, "total": line, "mass": ["type": "integer"], "byKind": ["type": "array", "items": line], "byField": ["type": "array", "items": line],
                "byChannel": ["type": "array", "items": line], "byStatus": ["type": "array", "items": line], "byUnit": ["type": "array", "items": line],
            ]],
        ]
    }
}
