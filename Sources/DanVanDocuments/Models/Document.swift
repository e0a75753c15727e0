import DanVanCore
import DanVanText
import Fluent
import SQLKit
import Foundation
import Vapor

/// A registered document (văn bản): a directive, plan, conclusion… with its text.
public final class Document: Model, @unchecked Sendable {
    /// The table.
    public static let schema = "documents"

    /// Identifier.
    @ID(key: .id) public var id: UUID?
    /// Kind in words ("Kế hoạch").
    @OptionalField(key: "kind") public var kind: String?
    /// Symbol as printed canonically (`06-KH/BDVTW`).
    @OptionalField(key: "symbol") public var symbol: String?
    /// Upper-case symbol, the key for duplicates and citations.
    @OptionalField(key: "symbol_key") public var symbolKey: String?
    /// Date of issue.
    @OptionalField(key: "issued_on") public var issuedOn: Date?
    /// Subject line.
    @Field(key: "title") public var title: String
    /// Who issued it, in words ("Ban Thường vụ Tỉnh ủy").
    @OptionalField(key: "issuer") public var issuer: String?
    /// Signer's name and title.
    @OptionalField(key: "signer") public var signer: String?
    /// The full text as registered.
    @Field(key: "body") public var body: String
    /// Folded title, symbol and text, for search on databases without a text index.
    @Field(key: "search_text") public var searchText: String
    /// The unit that registered it; scope follows this unit.
    @Parent(key: "unit_id") public var unit: OrgUnit
    /// Who registered it.
    @OptionalField(key: "registered_by") public var registeredBy: UUID?
    /// Interim review (sơ kết) date.
    @OptionalField(key: "interim_review_on") public var interimReviewOn: Date?
    /// Final review (tổng kết) date.
    @OptionalField(key: "final_review_on") public var finalReviewOn: Date?
    /// Parser warnings kept for the record.
    @OptionalField(key: "warnings") public var warnings: String?
    /// Creation time.
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    /// Last change.
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    /// Empty document for Fluent.
    public init() {}

    /// What the audit log keeps of a document (not the whole text).
    public var auditSnapshot: [String: String] {
        [
            "kind": kind ?? "", "symbol": symbol ?? "", "issuedOn": issuedOn.map(VNFormat.isoDate) ?? "", "title": title,
            "issuer": issuer ?? "", "unitID": $unit.id.uuidString, "interimReviewOn": interimReviewOn.map(VNFormat.isoDate) ?? "",
            "finalReviewOn": finalReviewOn.map(VNFormat.isoDate) ?? "", "bodyLength": String(body.count),
        ]
    }

    /// The key under which symbols are compared: no spaces, upper case.
    public static func key(_ symbol: String?) -> String? {
        guard let symbol else { return nil }
        let key = symbol.filter { !$0.isWhitespace }.uppercased()
        return key.isEmpty ? nil : key
    }
}

extension Document: UnitOwned {
    /// Documents belong to the unit that registered them.
    public static var ownerUnitKey: KeyPath<Document, FieldProperty<Document, UUID>> { \Document.$unit.$id }
}

/// A document cited by a registered document.
public final class DocumentReference: Model, @unchecked Sendable {
    /// The table.
    public static let schema = "document_references"

    /// Identifier.
    @ID(key: .id) public var id: UUID?
    /// The citing document.
    @Parent(key: "document_id") public var document: Document
    /// Symbol as printed canonically.
    @Field(key: "symbol") public var symbol: String
    /// Upper-case key, joined to `documents.symbol_key` for "cites" and "cited by".
    @Field(key: "symbol_key") public var symbolKey: String
    /// Kind in words.
    @OptionalField(key: "kind") public var kind: String?
    /// Date of the cited document, if the text gave it.
    @OptionalField(key: "cited_date") public var citedDate: Date?
    /// Order of first mention.
    @Field(key: "position") public var position: Int

    /// Empty reference for Fluent.
    public init() {}

    /// A reference of `documentID`.
    public init(documentID: UUID, symbol: String, kind: String?, citedDate: Date?, position: Int) {
        self.$document.id = documentID
        self.symbol = symbol
        self.symbolKey = Document.key(symbol) ?? symbol
        self.kind = kind
        self.citedDate = citedDate
        self.position = position
    }
}

enum DocumentMigrations {
    static let all: [any Migration] = [CreateDocuments(), CreateDocumentReferences(), CreateDocumentSearch(), CreateDocumentAttachments(),
        UpdatedAtIndex(table: Document.schema, name: "documents.0005.documents-updated-index")]

    struct CreateDocumentAttachments: AsyncMigration {
        var name: String { "documents.0004.create-document-attachments" }

        func prepare(on database: any Database) async throws {
            try await database.schema("document_attachments")
                .id()
                .field("document_id", .uuid, .required, .references("documents", "id", onDelete: .cascade))
                .field("filename", .string, .required)
                .field("content_type", .string, .required)
                .field("size", .int, .required)
                .field("sha256", .string, .required)
                .field("storage_key", .string, .required)
                .field("uploaded_by", .string, .required)
                .field("created_at", .datetime, .required)
                .create()
        }

        func revert(on database: any Database) async throws {
            try await database.schema("document_attachments").delete()
        }
    }

    struct CreateDocuments: AsyncMigration {
        var name: String { "documents.0001.create-documents" }

        func prepare(on database: any Database) async throws {
            try await database.schema("documents")
                .id()
                .field("kind", .string)
                .field("symbol", .string)
                .field("symbol_key", .string)
                .field("issued_on", .datetime)
                .field("title", .string, .required)
                .field("issuer", .string)
                .field("signer", .string)
                .field("body", .string, .required)
                .field("search_text", .string, .required)
                .field("unit_id", .uuid, .required, .references("units", "id", onDelete: .restrict))
                .field("registered_by", .uuid)
                .field("interim_review_on", .datetime)
                .field("final_review_on", .datetime)
                .field("warnings", .string)
                .field("created_at", .datetime)
                .field("updated_at", .datetime)
                .create()
            if let sql = database as? any SQLDatabase {
                try await sql.create(index: "documents_symbol_key_idx").on("documents").column("symbol_key").run()
                try await sql.create(index: "documents_unit_idx").on("documents").column("unit_id").run()
                try await sql.create(index: "documents_issued_idx").on("documents").column("issued_on").run()
            }
        }

        func revert(on database: any Database) async throws {
            try await database.schema("documents").delete()
        }
    }

    struct CreateDocumentReferences: AsyncMigration {
        var name: String { "documents.0002.create-document-references" }

        func prepare(on database: any Database) async throws {
            try await database.schema("document_references")
                .id()
                .field("document_id", .uuid, .required, .references("documents", "id", onDelete: .cascade))
                .field("symbol", .string, .required)
                .field("symbol_key", .string, .required)
                .field("kind", .string)
                .field("cited_date", .datetime)
                .field("position", .int, .required)
                .create()
            if let sql = database as? any SQLDatabase {
                try await sql.create(index: "document_references_key_idx").on("document_references").column("symbol_key").run()
                try await sql.create(index: "document_references_doc_idx").on("document_references").column("document_id").run()
            }
        }

        func revert(on database: any Database) async throws {
            try await database.schema("document_references").delete()
        }
    }

    /// The full-text index: SQLite FTS5 over the folded text (FTS5's own diacritic removal
    /// leaves "đ" alone, so the folded column is indexed), PostgreSQL a GIN index on
    /// `to_tsvector('simple', search_text)`.
    struct CreateDocumentSearch: AsyncMigration {
        var name: String { "documents.0003.create-document-search" }

        func prepare(on database: any Database) async throws {
            guard let sql = database as? any SQLDatabase else { return }
            switch sql.dialect.name {
            case "sqlite":
                try await sql.raw("CREATE VIRTUAL TABLE documents_fts USING fts5(document_id UNINDEXED, content, tokenize = 'unicode61')").run()
            case "postgresql":
                try await sql.raw("CREATE INDEX documents_search_idx ON documents USING GIN (to_tsvector('simple', search_text))").run()
            default:
                break
            }
        }

        func revert(on database: any Database) async throws {
            guard let sql = database as? any SQLDatabase else { return }
            switch sql.dialect.name {
            case "sqlite": try await sql.raw("DROP TABLE IF EXISTS documents_fts").run()
            case "postgresql": try await sql.raw("DROP INDEX IF EXISTS documents_search_idx").run()
            default: break
            }
        }
    }
}

/// A file kept with a document: the original as uploaded, or material added later.
public final class DocumentAttachment: Model, @unchecked Sendable {
    /// The table.
    public static let schema = "document_attachments"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "document_id") public var document: Document
    @Field(key: "filename") public var filename: String
    @Field(key: "content_type") public var contentType: String
    @Field(key: "size") public var size: Int
    @Field(key: "sha256") public var sha256: String
    @Field(key: "storage_key") public var storageKey: String
    @Field(key: "uploaded_by") public var uploadedBy: String
    @Field(key: "created_at") public var createdAt: Date

    /// Empty row for Fluent.
    public init() {}

    /// A row for a stored file.
    public init(documentID: UUID, filename: String, stored: FileStore.Stored, uploadedBy: String, at: Date) {
        self.$document.id = documentID
        self.filename = filename
        self.contentType = stored.contentType
        self.size = stored.size
        self.sha256 = stored.sha256
        self.storageKey = stored.key
        self.uploadedBy = uploadedBy
        self.createdAt = at
    }
}

/// How a document is named on screen, as officials write it: "Kế hoạch số 12-KH/TU"; its
/// subject when it has no number yet.
public enum DocumentLabel {
    /// The label of a kind and a symbol (`title` when there is no symbol).
    public static func text(kind: String?, symbol: String?, title: String = "", _ locale: L10n.Locale = .vi) -> String {
        guard let symbol, !symbol.isEmpty else { return title }
        return L10n.format("documents.label", [kind.flatMap { $0.isEmpty ? nil : DocumentsL10n.kindLabel($0, locale) } ?? L10n.text("documents.van_ban", locale), symbol], locale)
    }
}

extension Document {
    /// "Kế hoạch số 12-KH/TU", or the subject.
    public func label(_ locale: L10n.Locale = .vi) -> String {
        DocumentLabel.text(kind: kind, symbol: symbol, title: title, locale)
    }
}
