import DanVanCore
import Fluent
import Foundation
import Vapor

/// `/api/v1/documents`: the library as JSON.
struct DocumentAPI {
    struct ReferenceDTO: Content {
        let symbol: String
        let kind: String?
        let date: String?
        let documentId: UUID?
    }

    struct DocumentDTO: Content {
        let id: UUID
        let kind: String?
        let symbol: String?
        let issuedOn: String?
        let title: String
        let issuer: String?
        let interimReviewOn: String?
        let finalReviewOn: String?
        let references: [ReferenceDTO]?

        init(_ document: Document, references: [ReferenceDTO]? = nil) {
            id = document.id ?? UUID()
            kind = document.kind
            symbol = document.symbol
            issuedOn = document.issuedOn.map(VNFormat.isoDate)
            title = document.title
            issuer = document.issuer
            interimReviewOn = document.interimReviewOn.map(VNFormat.isoDate)
            finalReviewOn = document.finalReviewOn.map(VNFormat.isoDate)
            self.references = references
        }
    }

    func list(_ req: Request) async throws -> APIList<DocumentDTO> {
        var filter = DocumentService.Filter()
        filter.query = (try? req.query.get(String.self, at: "q")) ?? ""
        filter.kind = (try? req.query.get(String.self, at: "kind")) ?? ""
        filter.year = try? req.query.get(Int.self, at: "year")
        let page = try APIPage.parse(req)
        let (documents, total) = try await DocumentService.page(filter, page: page.range, on: req.db)
        return APIList(items: documents.map { DocumentDTO($0) }, total: total, page: page)
    }

    func show(_ req: Request) async throws -> DocumentDTO {
        guard let id = req.parameters.get("documentID", as: UUID.self), let document = try await Document.find(id, on: req.db) else {
            throw AppError.notFound
        }
        let citations = try await DocumentService.citations(of: document, on: req.db)
        return DocumentDTO(document, references: citations.map { reference, registered in
            ReferenceDTO(symbol: reference.symbol, kind: reference.kind, date: reference.citedDate.map(VNFormat.isoDate), documentId: registered?.id)
        })
    }

    static var paths: [String: JSON] {
        let error: JSON = ["$ref": "#/components/schemas/Error"]
        func ok(_ schema: String) -> JSON { ["description": .string(L10n.text("documents.thanh_cong")), "content": ["application/json": ["schema": ["$ref": .string("#/components/schemas/\(schema)")]]]] }
        return [
            "/api/v1/documents": ["get": [
                "summary": .string(L10n.text("documents.thu_vien_van_ban_tim_khong")), "tags": ["documents"],
                "parameters": .array([
                    ["name": "q", "in": "query", "schema": ["type": "string"]], ["name": "kind", "in": "query", "schema": ["type": "string"]],
                    ["name": "year", "in": "query", "schema": ["type": "integer"]],
                ] + APIPage.openAPIParameters),
                "responses": ["200": ok("DocumentPage"), "401": ["description": .string(L10n.text("documents.chua_dang_nhap")), "content": ["application/json": ["schema": error]]]],
            ]],
            "/api/v1/documents/{documentID}": ["get": [
                "summary": .string(L10n.text("documents.mot_van_ban_va_cac_van")), "tags": ["documents"],
                "parameters": [["name": "documentID", "in": "path", "required": true, "schema": ["type": "string", "format": "uuid"]]],
                "responses": ["200": ok("Document"), "404": ["description": .string(L10n.text("documents.khong_tim_thay")), "content": ["application/json": ["schema": error]]]],
            ]],
        ]
    }

    static var schemas: [String: JSON] {
        let nullableString: JSON = ["type": "string", "nullable": true]
        return [
            "Document": ["type": "object", "required": ["id", "title"], "properties": [
                "id": ["type": "string", "format": "uuid"], "kind": nullableString, "symbol": nullableString,
                "issuedOn": ["type": "string", "format": "date", "nullable": true], "title": ["type": "string"], "issuer": nullableString,
                "interimReviewOn": ["type": "string", "format": "date", "nullable": true], "finalReviewOn": ["type": "string", "format": "date", "nullable": true],
                "references": ["type": "array", "items": ["type": "object", "properties": [
                    "symbol": ["type": "string"], "kind": nullableString, "date": ["type": "string", "format": "date", "nullable": true],
                    "documentId": ["type": "string", "format": "uuid", "nullable": true],
                ]]],
            ]],
            "DocumentPage": APIPage.openAPISchema(of: "Document"),
        ]
    }
}
