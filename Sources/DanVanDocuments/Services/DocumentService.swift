import DanVanCore
import DanVanText
import Fluent
import Foundation
import SQLKit
import Vapor

/// What is typed in the registration form for a document's metadata.
public struct DocumentDraft: Sendable, Equatable {
    public var kind: String?
    public var symbol: String?
    public var issuedOn: Date?
    public var title: String
    public var issuer: String?
    public var signer: String?
    public var body: String
    public var interimReviewOn: Date?
    public var finalReviewOn: Date?

    /// Creates the input.
    public init(kind: String?, symbol: String?, issuedOn: Date?, title: String, issuer: String?, signer: String?, body: String, interimReviewOn: Date? = nil, finalReviewOn: Date? = nil) {
        self.kind = kind
        self.symbol = symbol
        self.issuedOn = issuedOn
        self.title = title
        self.issuer = issuer
        self.signer = signer
        self.body = body
        self.interimReviewOn = interimReviewOn
        self.finalReviewOn = finalReviewOn
    }
}

/// An edit of a registered document's details as typed in the form (dates as `yyyy-mm-dd` or
/// `dd/mm/yyyy`, empty for none).
public struct DocumentEdit: Sendable {
    public var kind, symbol, issuedOn, title, issuer, interimReviewOn, finalReviewOn: String?

    /// Creates an edit.
    public init(kind: String?, symbol: String?, issuedOn: String?, title: String?, issuer: String?, interimReviewOn: String?, finalReviewOn: String?) {
        self.kind = kind
        self.symbol = symbol
        self.issuedOn = issuedOn
        self.title = title
        self.issuer = issuer
        self.interimReviewOn = interimReviewOn
        self.finalReviewOn = finalReviewOn
    }
}

/// Library operations on documents: plain functions on a database handle.
public enum DocumentService {
    /// The kinds offered in forms and filters.
    public static let kindNames = DocumentKinds.names

    /// Kinds that are reviewed (sơ kết after 5 years, tổng kết after 10 by default).
    public static let reviewedKinds = DocumentKinds.reviewed

    /// Default interim and final review dates for a document issued on `date`.
    public static func defaultReviews(kind: String?, issuedOn: Date?) -> (Date?, Date?) {
        guard let kind, reviewedKinds.contains(kind), let issuedOn else { return (nil, nil) }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = VNFormat.timeZone
        return (calendar.date(byAdding: .year, value: 5, to: issuedOn), calendar.date(byAdding: .year, value: 10, to: issuedOn))
    }

    /// Review milestones named in the text ("Thời gian sơ kết vào quý II/2025"), as dates.
    public static func reviewsNamed(in parse: DirectiveParse) -> (interim: Date?, final: Date?) {
        var interim: Date?
        var final: Date?
        for assignment in parse.assignments {
            let folded = VietnameseText.fold(assignment.text)
            guard let due = assignment.dueDate, let date = VNFormat.parseDate(due) else { continue }
            if interim == nil, folded.contains("so ket") { interim = date }
            if final == nil, folded.contains("tong ket") { final = date }
        }
        return (interim, final)
    }

    /// Documents already registered with this symbol.
    public static func duplicates(of symbol: String?, on db: any Database) async throws -> [Document] {
        guard let key = Document.key(symbol) else { return [] }
        return try await Document.query(on: db).filter(\.$symbolKey == key).all()
    }

    /// The metadata the reader found, with default review dates (or those named in the text).
    public static func draft(from parse: DirectiveParse, text: String) -> DocumentDraft {
        let issued = parse.date.flatMap(VNFormat.parseDate)
        let named = reviewsNamed(in: parse)
        let defaults = defaultReviews(kind: parse.kind, issuedOn: issued)
        return DocumentDraft(
            kind: parse.kind, symbol: parse.symbol, issuedOn: issued, title: parse.title ?? "",
            issuer: parse.signer.onBehalfOf, signer: [parse.signer.title, parse.signer.name].compactMap { $0 }.joined(separator: " "),
            body: text, interimReviewOn: named.interim ?? defaults.0, finalReviewOn: named.final ?? defaults.1
        )
    }

    /// Registers a document and its references (from the parse of its text), audited and
    /// indexed for search. Runs on the given handle: call it inside the caller's transaction.
    public static func create(_ input: DocumentDraft, parse: DirectiveParse, unitID: UUID, actor: AuditActor, at: Date, on db: any Database) async throws -> Document {
        let document = Document()
        document.id = UUID()
        document.kind = input.kind
        document.symbol = input.symbol
        document.symbolKey = Document.key(input.symbol)
        document.issuedOn = input.issuedOn
        document.title = input.title
        document.issuer = input.issuer
        document.signer = input.signer
        document.body = input.body
        document.searchText = VietnameseText.fold([input.symbol ?? "", input.title, input.body].joined(separator: " "))
        document.$unit.id = unitID
        document.registeredBy = actor.id
        document.interimReviewOn = input.interimReviewOn
        document.finalReviewOn = input.finalReviewOn
        document.warnings = parse.warnings.isEmpty ? nil : parse.warnings.joined(separator: " ")
        try await document.create(on: db)
        let id = try document.requireID()
        for (position, reference) in parse.references.enumerated() where Document.key(reference.symbol) != document.symbolKey {
            try await DocumentReference(
                documentID: id, symbol: reference.symbol, kind: reference.kind,
                citedDate: reference.date.flatMap(VNFormat.parseDate), position: position
            ).create(on: db)
        }
        try await index(document, on: db)
        try await AuditLog.record(
            on: db, actor: actor, at: at, action: "create", entityType: "document", entityID: id,
            summary: L10n.format("documents.dang_ky_van_ban_2", ["\(input.symbol ?? input.title)"]), after: document.auditSnapshot
        )
        return document
    }

    /// Checks and saves an edit of a document's details and review dates, with its audit entry,
    /// in one transaction. Returns the form's errors; nothing is saved when there are any.
    public static func update(_ document: Document, with edit: DocumentEdit, actor: AuditActor, at: Date, on db: any Database) async throws -> FormErrors {
        var errors = FormErrors()
        let title = VietnameseText.clean(edit.title ?? "")
        if title.isEmpty { errors.add("title", "common.required") }
        func date(_ raw: String?, _ field: String) -> Date? {
            guard let raw, !raw.isEmpty else { return nil }
            let parsed = VNFormat.parseDate(raw)
            if parsed == nil { errors.add(field, "common.invalidDate") }
            return parsed
        }
        let issued = date(edit.issuedOn, "issuedOn"), interim = date(edit.interimReviewOn, "interimReviewOn"), final = date(edit.finalReviewOn, "finalReviewOn")
        let symbol = VietnameseText.clean(edit.symbol ?? "")
        if let key = Document.key(symbol), key != document.symbolKey,
           try await Document.query(on: db).filter(\.$symbolKey == key).count() > 0 {
            errors.add("symbol", "document.duplicate")
        }
        guard errors.isEmpty else { return errors }
        let before = document.auditSnapshot
        let issuer = VietnameseText.clean(edit.issuer ?? "")
        document.kind = edit.kind.flatMap { $0.isEmpty ? nil : $0 }
        document.symbol = symbol.isEmpty ? nil : symbol
        document.symbolKey = Document.key(document.symbol)
        document.title = title
        document.issuer = issuer.isEmpty ? nil : issuer
        document.issuedOn = issued
        document.interimReviewOn = interim
        document.finalReviewOn = final
        document.searchText = VietnameseText.fold([document.symbol ?? "", document.title, document.body].joined(separator: " "))
        try await db.transaction { db in
            try await document.update(on: db)
            try await index(document, on: db)
            try await AuditLog.record(
                on: db, actor: actor, at: at, action: "update", entityType: "document", entityID: document.id,
                summary: L10n.format("documents.sua_thong_tin_van_ban_2", [document.symbol ?? document.title]), before: before, after: document.auditSnapshot
            )
        }
        return errors
    }

    /// Adds the document to the full-text index.
    static func index(_ document: Document, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        let id = try document.requireID().uuidString
        try await sql.raw("DELETE FROM documents_fts WHERE document_id = \(bind: id)").run()
        try await sql.raw("INSERT INTO documents_fts (document_id, content) VALUES (\(bind: id), \(bind: document.searchText))").run()
    }

    /// Filters of the library.
    public struct Filter: Sendable, Equatable {
        public var query = ""
        public var kind = ""
        public var year: Int?
        public var issuer = ""
        /// A follow-up status answered by `app.documentStatusFilter` (e.g. "overdue").
        public var status = ""

        /// No filter.
        public init() {}
    }

    /// The library's rows: documents matching `filter`, newest first, as a row shows them.
    /// Text search ignores diacritics, case and "đ": SQLite FTS5 over the folded text,
    /// PostgreSQL `to_tsvector('simple', …)`. Read without models (`rows`): a hundred
    /// documents' full text and search text were read and decoded, then a model made for each,
    /// for a page that shows their number, subject, kind and date.
    public static func rows(
        _ filter: Filter, limit: Int = 100, statusIDs: [UUID]? = nil, locale: L10n.Locale, on db: any Database
    ) async throws -> [DocumentRow] {
        typealias C = RowColumns
        return try await matching(filter, statusIDs: statusIDs, on: db).fields(C.all)
            .sort(\.$issuedOn, .descending).sort(\.$createdAt, .descending).limit(limit)
            .rows { row in
                DocumentRow(
                    id: try row[C.id], kind: try row[C.kind], symbol: try row[C.symbol], issuedOn: try row[C.issuedOn],
                    title: try row[C.title], issuer: try row[C.issuer], locale
                )
            }
    }

    /// The columns of a library row, named once.
    private enum RowColumns {
        static let id = Document.column(\.$id), kind = Document.column(\.$kind), symbol = Document.column(\.$symbol)
        static let issuedOn = Document.column(\.$issuedOn), title = Document.column(\.$title), issuer = Document.column(\.$issuer)
        static let all = [id.key, kind.key, symbol.key, issuedOn.key, title.key, issuer.key]
    }

    /// The rows `range` of the documents that pass `filter`, newest first, and how many pass.
    public static func page(_ filter: Filter, page range: Range<Int>, on db: any Database) async throws -> ([Document], Int) {
        let query = try await matching(filter, statusIDs: nil, on: db)
        let total = try await query.copy().count()
        let documents = try await query.sort(\.$issuedOn, .descending).sort(\.$createdAt, .descending).range(range).all()
        return (documents, total)
    }

    /// The documents that pass `filter`, unsorted.
    static func matching(_ filter: Filter, statusIDs: [UUID]?, on db: any Database) async throws -> QueryBuilder<Document> {
        var query = Document.query(on: db)
        if let statusIDs { query = query.filter(\.$id ~~ statusIDs) }
        let terms = VietnameseText.fold(VietnameseText.clean(filter.query)).split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        if !terms.isEmpty {
            let ids = try await matchingIDs(terms, on: db)
            query = query.filter(\.$id ~~ ids)
        }
        if !filter.kind.isEmpty { query = query.filter(\.$kind == filter.kind) }
        if !filter.issuer.isEmpty { query = query.filter(\.$issuer == filter.issuer) }
        if let year = filter.year, let start = VNFormat.parseDate("01/01/\(year)"), let end = VNFormat.parseDate("01/01/\(year + 1)") {
            query = query.filter(\.$issuedOn >= start).filter(\.$issuedOn < end)
        }
        return query
    }

    static func matchingIDs(_ terms: [String], on db: any Database) async throws -> [UUID] {
        guard let sql = db as? any SQLDatabase else { return [] }
        struct Row: Decodable { let id: String }
        switch sql.dialect.name {
        case "sqlite":
            let expression = terms.map { "\"\($0)\"" }.joined(separator: " ")
            let rows = try await sql.raw("SELECT document_id AS id FROM documents_fts WHERE documents_fts MATCH \(bind: expression) LIMIT 1000").all(decoding: Row.self)
            return rows.compactMap { UUID(uuidString: $0.id) }
        case "postgresql":
            struct UUIDRow: Decodable { let id: UUID }
            let rows = try await sql.raw("SELECT id FROM documents WHERE to_tsvector('simple', search_text) @@ plainto_tsquery('simple', \(bind: terms.joined(separator: " "))) LIMIT 1000").all(decoding: UUIDRow.self)
            return rows.map(\.id)
        default:
            var query = Document.query(on: db)
            for term in terms { query = query.filter(\.$searchText ~~ term) }
            return try await query.limit(1000).all().compactMap(\.id)
        }
    }

    /// What a document cites, each resolved to a registered document when one has its symbol.
    public static func citations(of document: Document, on db: any Database) async throws -> [(DocumentReference, Document?)] {
        let references = try await DocumentReference.query(on: db).filter(\.$document.$id == document.requireID()).sort(\.$position).all()
        let keys = references.map(\.symbolKey)
        let registered = keys.isEmpty ? [] : try await Document.query(on: db).filter(\.$symbolKey ~~ keys).all()
        var byKey: [String: Document] = [:]
        for doc in registered { if let key = doc.symbolKey { byKey[key] = doc } }
        return references.map { ($0, byKey[$0.symbolKey]) }
    }

    /// Registered documents that cite this one.
    public static func citedBy(_ document: Document, on db: any Database) async throws -> [Document] {
        guard let key = document.symbolKey else { return [] }
        let ids = try await DocumentReference.query(on: db).filter(\.$symbolKey == key).all().map { $0.$document.id }
        guard !ids.isEmpty else { return [] }
        return try await Document.query(on: db).filter(\.$id ~~ ids).sort(\.$issuedOn, .descending).all()
    }

    /// Citations that no registered document matches, most cited first, so the board can
    /// register them.
    public static func unresolvedCitations(limit: Int = 50, on db: any Database) async throws -> [(symbol: String, kind: String?, count: Int)] {
        guard let sql = db as? any SQLDatabase else { return [] }
        // One anti-join, counted in the database: loading every document to compare symbols
        // costs hundreds of milliseconds once the library holds thousands.
        struct Row: Decodable {
            let symbol: String
            let kind: String?
            let n: Int
        }
        let rows = try await sql.raw("""
            SELECT MIN(r.symbol) AS symbol, MIN(r.kind) AS kind, COUNT(*) AS n
            FROM document_references r LEFT JOIN documents d ON d.symbol_key = r.symbol_key
            WHERE d.id IS NULL GROUP BY r.symbol_key ORDER BY n DESC, symbol ASC LIMIT \(bind: limit)
            """).all(decoding: Row.self)
        return rows.map { (symbol: $0.symbol, kind: $0.kind, count: $0.n) }
    }

    /// Issuers named in the library, for the filter.
    public static func issuers(on db: any Database) async throws -> [String] {
        guard let sql = db as? any SQLDatabase else { return [] }
        struct Row: Decodable { let issuer: String }
        let rows = try await sql.raw("SELECT DISTINCT issuer FROM documents WHERE issuer IS NOT NULL ORDER BY issuer LIMIT 200").all(decoding: Row.self)
        return VietnameseCollation.sorted(rows.map(\.issuer), by: { $0 })
    }

    /// Reviews due between `from` and `to`, in date order.
    public static func upcomingReviews(from: Date, to: Date, on db: any Database) async throws -> [(Document, ReviewMilestone, Date)] {
        let interim = try await Document.query(on: db).filter(\.$interimReviewOn >= from).filter(\.$interimReviewOn <= to).all()
        let final = try await Document.query(on: db).filter(\.$finalReviewOn >= from).filter(\.$finalReviewOn <= to).all()
        var rows: [(Document, ReviewMilestone, Date)] = interim.compactMap { doc in doc.interimReviewOn.map { (doc, .interim, $0) } }
        rows += final.compactMap { doc in doc.finalReviewOn.map { (doc, .final, $0) } }
        return rows.sorted { $0.2 < $1.2 }
    }
}

/// A document's review milestone: the mid-term review (sơ kết) or the final one (tổng kết).
public enum ReviewMilestone: String, Sendable {
    /// Sơ kết.
    case interim
    /// Tổng kết.
    case final

    /// The milestone's name in `locale`.
    public func label(_ locale: L10n.Locale = .vi) -> String {
        L10n.text(self == .interim ? "documents.so_ket" : "documents.tong_ket", locale)
    }
}
