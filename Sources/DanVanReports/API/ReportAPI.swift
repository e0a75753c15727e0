import DanVanCore
import DanVanText
import Fluent
import Foundation
import Vapor

/// `/api/v1/reports/…`: regimes, requests with their values, submission with a version check,
/// and the live consolidation.
struct ReportAPI {
    struct RegimeDTO: Content {
        let id: UUID
        let name: String
        let frequency: String
        let window: String
        let receivingUnitId: UUID
        let templateCode: String
        let deadlines: [String: Int]
    }

    struct RequestDTO: Content {
        let id: UUID
        let regimeId: UUID
        let regime: String
        let periodId: UUID
        let period: String
        let unitId: UUID
        let unitName: String?
        let dueOn: String
        let status: String
        let timeliness: String
        let daysLate: Int?
        let values: [String: Double]
        let texts: [String: String]
        let version: Int

        init(_ request: ReportRequest, now: Date) {
            id = request.id ?? UUID()
            regimeId = request.period.$regime.id
            regime = request.period.regime.name
            periodId = request.$period.id
            period = request.period.label
            unitId = request.$unit.id
            unitName = request.$unit.value?.name
            dueOn = VNFormat.isoDate(request.dueOn)
            status = request.status.rawValue
            let timeliness = Timeliness.of(request, now: now)
            self.timeliness = timeliness.code
            if case .late(let days) = timeliness { daysLate = days } else { daysLate = nil }
            values = request.values
            texts = request.texts
            version = request.version
        }
    }

    struct SubmitBody: Content {
        var version: Int?
        var values: [String: String]?
        var texts: [String: String]?
        var reasons: [String: String]?
        /// false saves a draft.
        var submit: Bool?
    }

    struct LineDTO: Content {
        let key: String
        let name: String
        let current: Double?
        let yearToDate: Double?
        let lastYear: Double?
    }

    struct PartDTO: Content {
        let unitId: UUID
        let unitName: String
        let requested: Int
        let accepted: Int
        let values: [String: Double]
    }

    struct ConsolidationDTO: Content {
        let periodId: UUID
        let period: String
        let unitId: UUID
        let requested: Int
        let accepted: Int
        let lines: [LineDTO]
        let parts: [PartDTO]
    }

    func regimes(_ req: Request) async throws -> APIList<RegimeDTO> {
        let page = try APIPage.parse(req)
        let scope = try await req.scope()
        let units = try await req.unitsByID()
        let regimes = try await ReportRegime.query(on: req.db).filter(\.$active == true).sort(\.$name).all()
            .filter { units[$0.$receivingUnit.id].map(scope.contains) ?? false }
        let items = regimes.dropFirst(page.offset).prefix(page.limit).map { regime in
            RegimeDTO(
                id: regime.id ?? UUID(), name: regime.name, frequency: regime.frequency.rawValue, window: regime.window.rawValue,
                receivingUnitId: regime.$receivingUnit.id, templateCode: regime.templateCode,
                deadlines: Dictionary(uniqueKeysWithValues: regime.deadlines.map { ($0.key.rawValue, $0.value) })
            )
        }
        return APIList(items: Array(items), total: regimes.count, page: page)
    }

    func requests(_ req: Request) async throws -> APIList<RequestDTO> {
        let page = try APIPage.parse(req)
        let scope = try await req.scope()
        var query = scope.filter(ReportRequest.query(on: req.db))
        if let raw = req.query[String.self, at: "status"], !raw.isEmpty {
            guard let status = ReportRequest.Status(rawValue: raw) else { throw AppError.badRequest("reports.api.status") }
            query = query.filter(\.$status == status)
        }
        let total = try await query.count(\.$status)
        let requests = try await query.with(\.$period) { $0.with(\.$regime) }.sort(\.$dueOn, .descending).range(page.range).all()
        let units = try await req.unitsByID()
        for request in requests { request.$unit.value = units[request.$unit.id] }
        return APIList(items: requests.map { RequestDTO($0, now: req.now) }, total: total, page: page)
    }

    func show(_ req: Request) async throws -> RequestDTO {
        RequestDTO(try await ReportService.find(req.parameters.get("requestID", as: UUID.self), scope: try await req.scope(), on: req.db), now: req.now)
    }

    func submit(_ req: Request) async throws -> Response {
        let scope = try await req.scope()
        let request = try await ReportService.find(req.parameters.get("requestID", as: UUID.self), scope: scope, on: req.db)
        guard scope.contains(request.unit) else { throw AppError.forbidden }
        let body = try req.content.decode(SubmitBody.self)
        guard let version = body.version else { throw AppError.badRequest("reports.api.version") }
        let prefill = try await ReportService.prefill(request, sources: req.application.reportSources, on: req.db)
        do {
            try await ReportService.save(
                request, entry: .init(typed: body.values ?? [:], texts: body.texts ?? [:], reasons: body.reasons ?? [:], prefilled: prefill),
                submit: body.submit ?? true, expectedVersion: version, actor: req.actor, at: req.now, on: req.db
            )
        } catch ReportService.Refusal.staleVersion {
            throw AppError.conflict("reports.error.stale")
        } catch ReportService.Refusal.wrongState(let message) {
            throw AppError.rejected(.conflict, message)
        } catch ReportService.Refusal.invalid(let errors) {
            throw AppError.rejected(.unprocessableEntity, errors.sorted { $0.key < $1.key }.map(\.value).joined(separator: " "))
        }
        return try await RequestDTO(request, now: req.now).encodeResponse(for: req)
    }

    func consolidation(_ req: Request) async throws -> ConsolidationDTO {
        let (period, root, _) = try await ConsolidationController().load(req)
        let result = try await ReportAnalysis.consolidate(period: period, root: root, units: try await req.unitsByID(), on: req.db)
        return ConsolidationDTO(
            periodId: try period.requireID(), period: period.label, unitId: try root.requireID(), requested: result.requested, accepted: result.accepted,
            lines: result.lines.map { LineDTO(key: $0.indicator.key, name: $0.indicator.name, current: $0.current, yearToDate: $0.yearToDate, lastYear: $0.lastYear) },
            parts: result.parts.map { PartDTO(unitId: $0.unit.id ?? UUID(), unitName: $0.unit.name, requested: $0.requested, accepted: $0.accepted, values: $0.values) }
        )
    }

    static var paths: [String: JSON] {
        let error: JSON = ["description": .string(L10n.text("reports.api.error")), "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]]
        func ok(_ schema: String) -> JSON { ["description": .string(L10n.text("reports.api.ok")), "content": ["application/json": ["schema": ["$ref": .string("#/components/schemas/\(schema)")]]]] }
        let requestID: JSON = ["name": "requestID", "in": "path", "required": true, "schema": ["type": "string", "format": "uuid"]]
        let periodID: JSON = ["name": "periodID", "in": "path", "required": true, "schema": ["type": "string", "format": "uuid"]]
        return [
            "/api/v1/reports/regimes": ["get": [
                "summary": .string(L10n.text("reports.api.regimes")), "tags": ["reports"], "parameters": .array(APIPage.openAPIParameters),
                "responses": ["200": ok("ReportRegimePage"), "401": error],
            ]],
            "/api/v1/reports/requests": ["get": [
                "summary": .string(L10n.text("reports.api.requests")), "tags": ["reports"],
                "parameters": .array([["name": "status", "in": "query", "schema": ["type": "string", "enum": .array(ReportRequest.Status.allCases.map { .string($0.rawValue) })]]] + APIPage.openAPIParameters),
                "responses": ["200": ok("ReportRequestPage"), "400": error, "401": error],
            ]],
            "/api/v1/reports/requests/{requestID}": ["get": [
                "summary": .string(L10n.text("reports.api.request")), "tags": ["reports"], "parameters": [requestID], "responses": ["200": ok("ReportRequest"), "404": error],
            ]],
            "/api/v1/reports/requests/{requestID}/submit": ["post": [
                "summary": .string(L10n.text("reports.api.submit")), "tags": ["reports"], "parameters": [requestID],
                "requestBody": ["required": true, "content": ["application/json": ["schema": ["type": "object", "required": ["version"], "properties": [
                    "version": ["type": "integer"], "submit": ["type": "boolean"],
                    "values": ["type": "object", "additionalProperties": ["type": "string"]],
                    "texts": ["type": "object", "additionalProperties": ["type": "string"]],
                    "reasons": ["type": "object", "additionalProperties": ["type": "string"]],
                ]]]]],
                "responses": ["200": ok("ReportRequest"), "400": error, "403": error, "404": error, "409": error, "422": error],
            ]],
            "/api/v1/reports/periods/{periodID}/consolidation": ["get": [
                "summary": .string(L10n.text("reports.api.consolidation")), "tags": ["reports"],
                "parameters": [periodID, ["name": "unit", "in": "query", "schema": ["type": "string", "format": "uuid"]]],
                "responses": ["200": ok("ReportConsolidation"), "404": error],
            ]],
        ]
    }

    static var schemas: [String: JSON] {
        let uuid: JSON = ["type": "string", "format": "uuid"]
        let numbers: JSON = ["type": "object", "additionalProperties": ["type": "number"]]
        let nullableNumber: JSON = ["type": "number", "nullable": true]
        return [
            "ReportRegime": ["type": "object", "required": ["id", "name", "frequency", "window", "receivingUnitId", "templateCode", "deadlines"], "properties": [
                "id": uuid, "name": ["type": "string"], "frequency": ["type": "string", "enum": .array(ReportFrequency.allCases.map { .string($0.rawValue) })],
                "window": ["type": "string", "enum": .array(ReportWindow.allCases.map { .string($0.rawValue) })], "receivingUnitId": uuid, "templateCode": ["type": "string"],
                "deadlines": ["type": "object", "additionalProperties": ["type": "integer"]],
            ]],
            "ReportRegimePage": APIPage.openAPISchema(of: "ReportRegime"),
            "ReportRequest": ["type": "object", "required": ["id", "regimeId", "periodId", "unitId", "dueOn", "status", "timeliness", "values", "texts", "version"], "properties": [
                "id": uuid, "regimeId": uuid, "regime": ["type": "string"], "periodId": uuid, "period": ["type": "string"], "unitId": uuid,
                "unitName": ["type": "string", "nullable": true], "dueOn": ["type": "string", "format": "date"],
                "status": ["type": "string", "enum": .array(ReportRequest.Status.allCases.map { .string($0.rawValue) })],
                "timeliness": ["type": "string", "enum": ["pending", "on-time", "late", "missing", "returned"]], "daysLate": ["type": "integer", "nullable": true],
                "values": numbers, "texts": ["type": "object", "additionalProperties": ["type": "string"]], "version": ["type": "integer"],
            ]],
            "ReportRequestPage": APIPage.openAPISchema(of: "ReportRequest"),
            "ReportConsolidation": ["type": "object", "required": ["periodId", "period", "unitId", "requested", "accepted", "lines", "parts"], "properties": [
                "periodId": uuid, "period": ["type": "string"], "unitId": uuid, "requested": ["type": "integer"], "accepted": ["type": "integer"],
                "lines": ["type": "array", "items": ["type": "object", "properties": [
                    "key": ["type": "string"], "name": ["type": "string"], "current": nullableNumber, "yearToDate": nullableNumber, "lastYear": nullableNumber,
                ]]],
                "parts": ["type": "array", "items": ["type": "object", "properties": [
                    "unitId": uuid, "unitName": ["type": "string"], "requested": ["type": "integer"], "accepted": ["type": "integer"], "values": numbers,
                ]]],
            ]],
        ]
    }
}
