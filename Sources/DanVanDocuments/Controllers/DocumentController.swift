import DanVanCore
import DanVanText
import Fluent
import Foundation
import Vapor

/// A block another module adds to the document page (e.g. the document's tasks).
public struct DocumentPanel: Encodable, Sendable {
    /// One line of the panel.
    public struct Row: Encodable, Sendable {
        public let text: String
        public let href: String?
        public let badge: String?
        public let badgeClass: String?
        public let detail: String?

        /// Creates a row.
        public init(text: String, href: String?, badge: String?, badgeClass: String?, detail: String?) {
            self.text = text
            self.href = href
            self.badge = badge
            self.badgeClass = badgeClass
            self.detail = detail
        }
    }

    public let title: String
    public let summary: String?
    public let rows: [Row]
    public let emptyText: String

    /// Creates a panel.
    public init(title: String, summary: String?, rows: [Row], emptyText: String) {
        self.title = title
        self.summary = summary
        self.rows = rows
        self.emptyText = emptyText
    }
}

/// Builds a panel for a document page.
public typealias DocumentPanelProvider = @Sendable (Request, Document) async throws -> DocumentPanel

/// A follow-up status another module can answer for the library filter: its choices
/// (value, label) and the ids of the documents in a status.
public struct DocumentStatusFilter: Sendable {
    public let choices: [(value: String, label: String)]
    public let documents: @Sendable (String, any Database) async throws -> [UUID]

    /// Creates the filter.
    public init(choices: [(value: String, label: String)], documents: @escaping @Sendable (String, any Database) async throws -> [UUID]) {
        self.choices = choices
        self.documents = documents
    }
}

extension Application {
    private struct PanelsKey: StorageKey { typealias Value = [DocumentPanelProvider] }

    private struct StatusFilterKey: StorageKey { typealias Value = DocumentStatusFilter }

    /// The library's follow-up status filter, when a module provides one.
    public var documentStatusFilter: DocumentStatusFilter? {
        get { storage[StatusFilterKey.self] }
        set { storage[StatusFilterKey.self] = newValue }
    }

    /// Panels other modules add to the document page, in order.
    public var documentPanels: [DocumentPanelProvider] {
        get { storage[PanelsKey.self] ?? [] }
        set { storage[PanelsKey.self] = newValue }
    }
}

/// A document as lists show it.
public struct DocumentRow: Encodable, Sendable {
    public let id: String
    /// The document's page (made here: a `#path` per row of a hundred-row list).
    public let href: String
    /// The kind's name in the reader's language.
    public let kind: String
    /// "Kế hoạch số 12-KH/TU", or the subject when the document has no number yet.
    public let label: String
    public let symbol: String
    public let issuedOn: String
    public let title: String
    public let issuer: String

    /// A row for `document`, labelled in `locale`.
    public init(_ document: Document, _ locale: L10n.Locale = .vi) {
        self.init(
            id: document.id, kind: document.kind, symbol: document.symbol, issuedOn: document.issuedOn, title: document.title,
            issuer: document.issuer, locale
        )
    }

    /// A row for the document `id` with these fields, labelled in `locale`.
    init(id: UUID?, kind: String?, symbol: String?, issuedOn: Date?, title: String, issuer: String?, _ locale: L10n.Locale) {
        self.id = id?.uuidString ?? ""
        href = DocumentsRoute.show(id).path
        let kindName = kind.map { DocumentsL10n.kindLabel($0, locale) } ?? ""
        self.kind = kindName
        label = DocumentLabel.text(kind: kind, symbol: symbol, title: kindName, locale)
        self.symbol = symbol ?? ""
        self.issuedOn = VNFormat.date(issuedOn)
        self.title = title
        self.issuer = issuer ?? ""
    }

    /// The row of the library's table (see `HTML`); `noNumber` stands for a missing number.
    func listHTML(noNumber: String) -> HTML {
        "<tr><td class=\"nowrap\"><a href=\"\(href)\">\(symbol.isEmpty ? noNumber : symbol)</a></td><td>\(title)</td><td class=\"hide-sm\">\(kind)</td><td class=\"hide-sm nowrap\">\(issuedOn)</td></tr>"
    }
}

struct DocumentController {
    /// What the library's filters and its "cited but not registered" list show, made from the
    /// documents table.
    struct Lists: Sendable {
        let issuers: [String]
        let unresolved: [(symbol: String, kind: String?, count: Int)]
    }

    /// `Lists`, kept while the documents table is unchanged.
    let lists = FingerprintedCache<Lists>()

    /// The rows of a list as the page shows them, and how many.
    struct Shown: Sendable {
        let rows: HTML
        let count: Int

        init(_ documents: [DocumentRow], noNumber: String) {
            rows = HTML.joined(documents.map { $0.listHTML(noNumber: noNumber) })
            count = documents.count
        }
    }

    /// The unfiltered list, by language, kept while the documents table is unchanged.
    let unfiltered = FingerprintedCache<Shown>()

    struct IndexContext: Encodable, Sendable {
        /// The table's rows (`DocumentRow.listHTML`).
        let rows: HTML
        let hasRows: Bool
        let query: String
        /// The filters' options (`SelectOption.html`).
        let kinds: HTML
        let years: HTML
        let issuers: HTML
        let hasIssuers: Bool
        let statuses: HTML
        let hasStatuses: Bool
        let count: String
        let canRegister: Bool
        /// The "cited but not registered" lines (`Unresolved.html`).
        let unresolved: HTML
        let hasUnresolved: Bool
    }

    struct Unresolved: Sendable {
        let symbol: String
        let kind: String
        let count: Int

        /// The line of "cited but not registered" (see `HTML`), in `req`'s language.
        func html(_ req: Request) -> HTML {
            "<li>\(req.t("documents.so", kind)) <strong>\(symbol)</strong> <span class=\"muted small\">\(req.t("documents.lan", String(count)))</span></li>"
        }
    }

    struct OutlineRow: Encodable, Sendable {
        let id: String
        let heading: String
        let level: Int
    }

    struct CitationRow: Encodable, Sendable {
        let symbol: String
        let kind: String
        let date: String
        let documentID: String?
    }

    struct ShowContext: Encodable, Sendable {
        let document: DocumentRow
        let signer: String
        let interimReview: String
        let finalReview: String
        let outline: [OutlineRow]
        let citations: [CitationRow]
        let citedBy: [DocumentRow]
        let paragraphs: [String]
        let panels: [DocumentPanel]
        let warnings: String
        let canEdit: Bool
        let attachments: [AttachmentRow]
    }

    struct ReviewRow: Encodable, Sendable {
        let date: String
        let kind: String
        let document: DocumentRow
        let overdue: Bool
    }

    struct ReviewsContext: Encodable, Sendable {
        let rows: [ReviewRow]
    }

    func index(_ req: Request) async throws -> Response {
        var filter = DocumentService.Filter()
        filter.query = (try? req.query.get(String.self, at: "q")) ?? ""
        filter.kind = (try? req.query.get(String.self, at: "kind")) ?? ""
        filter.year = try? req.query.get(Int.self, at: "year")
        filter.issuer = (try? req.query.get(String.self, at: "issuer")) ?? ""
        filter.status = (try? req.query.get(String.self, at: "status")) ?? ""
        let statusFilter = req.application.documentStatusFilter
        let currentYear = Calendar(identifier: .gregorian).component(.year, from: req.now)
        let role = req.currentUser?.role
        // The issuers, the cited-but-unregistered symbols and the unfiltered list (what most
        // visits show) change only when a document is written: kept under the documents'
        // fingerprint, read in the page's first statement.
        var figures = PageFigures()
        figures.addFingerprint(of: Document.schema)
        let fingerprint = try await req.readFigures(figures).fingerprint(of: Document.schema)
        let lists = try await self.lists.value("lists", at: fingerprint) {
            Lists(issuers: try await DocumentService.issuers(on: req.db), unresolved: try await DocumentService.unresolvedCitations(limit: 10, on: req.db))
        }
        let unresolved = role == .focal ? [] : lists.unresolved, issuers = lists.issuers
        let noNumber = req.t("documents.chua_co_so")
        let shown: Shown
        if filter == DocumentService.Filter() {
            shown = try await unfiltered.value("\(req.locale)", at: fingerprint) {
                Shown(try await DocumentService.rows(filter, locale: req.locale, on: req.db), noNumber: noNumber)
            }
        } else {
            var statusIDs: [UUID]?
            if !filter.status.isEmpty, let statusFilter { statusIDs = try await statusFilter.documents(filter.status, req.db) }
            shown = Shown(try await DocumentService.rows(filter, statusIDs: statusIDs, locale: req.locale, on: req.db), noNumber: noNumber)
        }
        let statuses = statusFilter?.choices ?? []
        let context = IndexContext(
            rows: shown.rows, hasRows: shown.count > 0, query: filter.query,
            kinds: SelectOption.html(DocumentService.kindNames.map { SelectOption(value: $0, label: DocumentsL10n.kindLabel($0, req.locale), selected: $0 == filter.kind) }),
            years: SelectOption.html((0..<12).map { currentYear - $0 }.map { SelectOption(value: String($0), label: String($0), selected: $0 == filter.year) }),
            issuers: SelectOption.html(issuers.map { SelectOption(value: $0, label: $0, selected: $0 == filter.issuer) }), hasIssuers: !issuers.isEmpty,
            statuses: SelectOption.html(statuses.map { SelectOption(value: $0.value, label: $0.label, selected: $0.value == filter.status) }), hasStatuses: !statuses.isEmpty,
            count: req.t("documents.van_ban_2", "\(VNFormat.integer(shown.count))"), canRegister: role != nil && role != .focal,
            unresolved: HTML.joined(unresolved.map { Unresolved(symbol: $0.symbol, kind: $0.kind.map { DocumentsL10n.kindLabel($0, req.locale) } ?? "", count: $0.count).html(req) }),
            hasUnresolved: !unresolved.isEmpty
        )
        return try await req.render("documents/index", title: req.t("documents.van_ban"), context)
    }

    func show(_ req: Request) async throws -> Response {
        guard let id = req.parameters.get("documentID", as: UUID.self), let document = try await Document.find(id, on: req.db) else {
            throw AppError.notFound
        }
        let parse = DirectiveParser().parse(document.body)
        var panels: [DocumentPanel] = []
        for provider in req.application.documentPanels { panels.append(try await provider(req, document)) }
        let citations = try await DocumentService.citations(of: document, on: req.db)
        let context = ShowContext(
            document: DocumentRow(document, req.locale), signer: document.signer ?? "",
            interimReview: VNFormat.date(document.interimReviewOn), finalReview: VNFormat.date(document.finalReviewOn),
            outline: parse.sections.filter { !$0.id.contains("-") }.map { OutlineRow(id: $0.id, heading: $0.heading, level: $0.level) },
            citations: citations.map { reference, registered in
                CitationRow(symbol: reference.symbol, kind: reference.kind.map { DocumentsL10n.kindLabel($0, req.locale) } ?? "", date: VNFormat.date(reference.citedDate), documentID: registered?.id?.uuidString)
            },
            citedBy: try await DocumentService.citedBy(document, on: req.db).map { DocumentRow($0, req.locale) },
            paragraphs: document.body.split(separator: "\n", omittingEmptySubsequences: true).map { String($0).replacingOccurrences(of: "*", with: "") },
            panels: panels, warnings: document.warnings ?? "", canEdit: req.currentUser.map { $0.role != .focal } ?? false,
            attachments: try await DocumentAttachment.query(on: req.db).filter(\.$document.$id == document.requireID()).sort(\.$createdAt).all().map {
                AttachmentRow(id: $0.id, filename: $0.filename, bytes: $0.size, uploadedBy: $0.uploadedBy, at: $0.createdAt, href: DocumentsRoute.file(document.id, $0.id).path)
            }
        )
        return try await req.render("documents/show", title: document.label(req.locale), context)
    }

    func download(_ req: Request) async throws -> Response {
        guard let id = req.parameters.get("documentID", as: UUID.self), let fileID = req.parameters.get("fileID", as: UUID.self),
              let attachment = try await DocumentAttachment.query(on: req.db).filter(\.$id == fileID).filter(\.$document.$id == id).first()
        else { throw AppError.notFound }
        return try req.download(key: attachment.storageKey, sha256: attachment.sha256, filename: attachment.filename, contentType: attachment.contentType)
    }

    struct UploadForm: Content {
        var file: File?
    }

    /// Staff add a file to a registered document.
    func upload(_ req: Request) async throws -> Response {
        guard let id = req.parameters.get("documentID", as: UUID.self), let document = try await Document.find(id, on: req.db) else { throw AppError.notFound }
        let form = try req.content.decode(UploadForm.self)
        guard let file = form.file, file.data.readableBytes > 0 else {
            req.flash(.error, req.t("documents.chon_tep_de_dinh_kem"))
            return req.redirect(to: DocumentsRoute.show(id))
        }
        let name = VietnameseText.clean(file.filename)
        do {
            let stored = try req.application.files.store(Data(buffer: file.data), filename: name)
            let attachment = DocumentAttachment(documentID: id, filename: name, stored: stored, uploadedBy: req.actor.name, at: req.now)
            try await req.db.transaction { db in
                try await attachment.create(on: db)
                try await req.audit(on: db, "create", "document_attachment", id: attachment.id, summary: L10n.format("documents.dinh_kem_vao", ["\(name)", "\(document.symbol ?? document.title)"]))
            }
            req.flash(.success, req.t("documents.da_dinh_kem", "\(name)"))
        } catch let refusal as FileStore.Refusal {
            req.flash(.error, refusal.message)
        }
        return req.redirect(to: DocumentsRoute.show(id))
    }

    func reviews(_ req: Request) async throws -> Response {
        let from = req.now.addingTimeInterval(-365 * 86_400)
        let to = req.now.addingTimeInterval(3 * 365 * 86_400)
        let rows = try await DocumentService.upcomingReviews(from: from, to: to, on: req.db).map { document, kind, date in
            ReviewRow(date: VNFormat.date(date), kind: kind.label(req.locale), document: DocumentRow(document, req.locale), overdue: date < req.now)
        }
        return try await req.render("documents/reviews", title: req.t("documents.lich_so_ket_tong_ket"), ReviewsContext(rows: rows))
    }
}

/// Editing a registered document's metadata and review milestones (staff).
struct DocumentEditController {
    struct Form: Content {
        var kind: String?
        var symbol: String?
        var issuedOn: String?
        var title: String?
        var issuer: String?
        var interimReviewOn: String?
        var finalReviewOn: String?
    }

    struct Context: Encodable, Sendable {
        let id: String
        let form: Form
        let kinds: [SelectOption]
        let errors: FormErrors
    }

    func edit(_ req: Request) async throws -> Response {
        let document = try await find(req)
        let form = Form(
            kind: document.kind, symbol: document.symbol, issuedOn: VNFormat.isoDate(document.issuedOn), title: document.title,
            issuer: document.issuer, interimReviewOn: VNFormat.isoDate(document.interimReviewOn), finalReviewOn: VNFormat.isoDate(document.finalReviewOn)
        )
        return try await render(req, document, form, FormErrors())
    }

    func update(_ req: Request) async throws -> Response {
        let document = try await find(req)
        let form = try req.content.decode(Form.self)
        let edit = DocumentEdit(
            kind: form.kind, symbol: form.symbol, issuedOn: form.issuedOn, title: form.title, issuer: form.issuer,
            interimReviewOn: form.interimReviewOn, finalReviewOn: form.finalReviewOn
        )
        let errors = try await DocumentService.update(document, with: edit, actor: req.actor, at: req.now, on: req.db)
        guard errors.isEmpty else { return try await render(req, document, form, errors, status: .unprocessableEntity) }
        req.flash(.success, req.t("documents.da_luu_thong_tin_van_ban"))
        return req.redirect(to: DocumentsRoute.show(try document.requireID()))
    }

    private func find(_ req: Request) async throws -> Document {
        guard let id = req.parameters.get("documentID", as: UUID.self), let document = try await Document.find(id, on: req.db) else { throw AppError.notFound }
        return document
    }

    private func render(_ req: Request, _ document: Document, _ form: Form, _ errors: FormErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let kinds = [SelectOption(value: "", label: "—", selected: (form.kind ?? "").isEmpty)]
            + DocumentService.kindNames.map { SelectOption(value: $0, label: DocumentsL10n.kindLabel($0, req.locale), selected: $0 == form.kind) }
        return try await req.render("documents/edit", title: req.t("documents.sua_thong_tin_van_ban"), Context(id: try document.requireID().uuidString, form: form, kinds: kinds, errors: errors), status: status)
    }
}
