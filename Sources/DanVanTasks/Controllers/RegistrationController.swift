import DanVanCore
import DanVanDocuments
import DanVanText
import Fluent
import Foundation
import Vapor

/// Register a document from its text: the reader's result is shown as an editable preview
/// (metadata, citations, proposed assignments with units matched to the tree); only when the
/// user confirms are the document, its references and its tasks saved, in one transaction.
struct RegistrationController {

    struct NewContext: Encodable, Sendable {
        let text: String
        let error: String?
    }

    struct Row: Encodable, Sendable {
        let index: Int
        let number: Int
        let keep: Bool
        let content: String
        let section: String
        let printedLead: String
        let printedCoordinators: String
        let leads: [SelectOption]
        let coordinators: [SelectOption]
        let confidence: String
        let lowConfidence: Bool
        let dueOn: String
        let recurrences: [SelectOption]
        let errors: [String]
    }

    struct PreviewContext: Encodable, Sendable {
        let text: String
        let kind: String
        let kinds: [SelectOption]
        let symbol: String
        let issuedOn: String
        let title: String
        let issuer: String
        let signer: String
        let interimReviewOn: String
        let finalReviewOn: String
        let references: [String]
        let rows: [Row]
        let warnings: [String]
        let duplicates: [DocumentRow]
        let confirmDuplicate: Bool
        let errors: FormErrors
        /// The uploaded original, kept in the file store until the document is confirmed.
        var originalName = ""
        var originalKey = ""
        var originalSha = ""
    }

    struct AssignmentForm: Content {
        var keep: String?
        var content: String?
        var section: String?
        var printedLead: String?
        var printedCoordinators: String?
        var leads: [String]?
        var coordinators: [String]?
        var dueOn: String?
        var recurrence: String?
    }

    struct RegistrationForm: Content {
        var text: String?
        var file: File?
        var kind: String?
        var symbol: String?
        var issuedOn: String?
        var title: String?
        var issuer: String?
        var signer: String?
        var interimReviewOn: String?
        var finalReviewOn: String?
        var confirmDuplicate: String?
        var assignments: [AssignmentForm]?
        var originalName: String?
        var originalKey: String?
        var originalSha: String?
    }

    func new(_ req: Request) async throws -> Response {
        try await req.render("tasks/register", title: req.t("registration.dang_ky_van_ban"), NewContext(text: "", error: nil))
    }

    /// Manual entry: the same form with no text read and three empty task rows.
    func manual(_ req: Request) async throws -> Response {
        let units = try await req.unitTree(in: .everything, includeEnded: false)
        let rows = (0..<3).map {
            Self.row(index: $0, keep: false, content: "", section: "", printedLead: "", printedCoordinators: "", leadIDs: [], coordinatorIDs: [], units: units, confidence: 1, dueOn: "", recurrence: nil, errors: [])
        }
        let context = PreviewContext(
            text: "", kind: "", kinds: Self.kindChoices(nil), symbol: "", issuedOn: "", title: "", issuer: "", signer: "",
            interimReviewOn: "", finalReviewOn: "", references: [], rows: rows,
            warnings: [req.t("registration.nhap_tay_dien_thong_tin_van")],
            duplicates: [], confirmDuplicate: false, errors: FormErrors()
        )
        return try await req.render("tasks/register_preview", title: req.t("registration.nhap_van_ban_thu_cong"), context)
    }

    /// Reads the pasted text or the uploaded file and shows the preview.
    func preview(_ req: Request) async throws -> Response {
        let form = try req.content.decode(RegistrationForm.self)
        var text = form.text ?? ""
        var original: (name: String, stored: FileStore.Stored)?
        if let file = form.file, file.data.readableBytes > 0 {
            let bytes = Data(buffer: file.data)
            do {
                text = try DanVanText.DocumentInput.text(from: bytes, filename: file.filename)
            } catch {
                return try await req.render("tasks/register", title: req.t("registration.dang_ky_van_ban"), NewContext(text: text, error: error.message), status: .unprocessableEntity)
            }
            let name = VietnameseText.clean(file.filename)
            original = try? (name, req.application.files.store(bytes, filename: name))
        }
        text = DanVanText.DocumentInput.normalise(text)
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return try await req.render("tasks/register", title: req.t("registration.dang_ky_van_ban"), NewContext(text: "", error: req.t("registration.hay_dan_noi_dung_van_ban")), status: .unprocessableEntity)
        }
        let parse = DirectiveParser().parse(text)
        let matcher = try await TaskService.unitMatcher(on: req.db)
        let units = try await req.unitTree(in: .everything, includeEnded: false)
        var rows: [Row] = []
        for (index, assignment) in parse.assignments.enumerated() {
            let proposal = TaskService.propose(assignment, matcher: matcher, leadThreshold: 0.5, coordinatorThreshold: 0.6)
            rows.append(Self.row(
                index: index, keep: true, content: assignment.text.isEmpty ? assignment.quote : assignment.text, section: assignment.section ?? "",
                printedLead: assignment.lead, printedCoordinators: assignment.coordinators.joined(separator: "; "),
                leadIDs: Set(proposal.leadIDs), coordinatorIDs: Set(proposal.coordinatorIDs), units: units, confidence: proposal.confidence,
                dueOn: assignment.dueDate.flatMap(VNFormat.parseDate).map(VNFormat.isoDate) ?? "",
                recurrence: WorkTask.Recurrence(every: assignment.due?.every), errors: []
            ))
        }
        let draft = DocumentService.draft(from: parse, text: text)
        var warnings = parse.warnings
        if parse.assignments.isEmpty { warnings.append(req.t("registration.van_ban_van_duoc_dang_ky")) }
        let context = PreviewContext(
            text: text, kind: draft.kind ?? "", kinds: Self.kindChoices(draft.kind), symbol: draft.symbol ?? "",
            issuedOn: VNFormat.isoDate(draft.issuedOn), title: draft.title, issuer: draft.issuer ?? "", signer: draft.signer ?? "",
            interimReviewOn: VNFormat.isoDate(draft.interimReviewOn), finalReviewOn: VNFormat.isoDate(draft.finalReviewOn),
            references: parse.references.map { DocumentLabel.text(kind: $0.kind, symbol: $0.symbol, req.locale) + ($0.date.map { req.t("registration.ngay", "\(VNFormat.date(VNFormat.parseDate($0)))") } ?? "") },
            rows: rows, warnings: warnings,
            duplicates: try await DocumentService.duplicates(of: parse.symbol, on: req.db).map { DocumentRow($0, req.locale) },
            confirmDuplicate: false, errors: FormErrors()
        )
        var withOriginal = context
        if let original {
            withOriginal.originalName = original.name
            withOriginal.originalKey = original.stored.key
            withOriginal.originalSha = original.stored.sha256
        }
        return try await req.render("tasks/register_preview", title: req.t("registration.kiem_tra_truoc_khi_dang_ky"), withOriginal)
    }

    /// Saves the document, its references and the kept assignments as tasks.
    func create(_ req: Request) async throws -> Response {
        let form = try req.content.decode(RegistrationForm.self)
        let text = DanVanText.DocumentInput.normalise(form.text ?? "")
        var errors = FormErrors()
        let title = VietnameseText.clean(form.title ?? "")
        if title.isEmpty { errors.add("title", "common.required") }
        let issuedOn = try Self.date(form.issuedOn, field: "issuedOn", errors: &errors)
        let interim = try Self.date(form.interimReviewOn, field: "interimReviewOn", errors: &errors)
        let final = try Self.date(form.finalReviewOn, field: "finalReviewOn", errors: &errors)
        let symbol = VietnameseText.clean(form.symbol ?? "")
        let duplicates = try await DocumentService.duplicates(of: symbol, on: req.db)
        if !duplicates.isEmpty, form.confirmDuplicate != "on" { errors.add("symbol", "document.duplicate") }
        let units = try await req.unitTree(in: .everything, includeEnded: false)
        let (drafts, rows) = Self.assignments(form.assignments ?? [], units: units, errors: &errors, locale: req.locale)
        guard errors.isEmpty else {
            let parse = DirectiveParser().parse(text)
            let context = PreviewContext(
                text: text, kind: form.kind ?? "", kinds: Self.kindChoices(form.kind), symbol: symbol, issuedOn: form.issuedOn ?? "",
                title: title, issuer: form.issuer ?? "", signer: form.signer ?? "", interimReviewOn: form.interimReviewOn ?? "",
                finalReviewOn: form.finalReviewOn ?? "", references: parse.references.map { DocumentLabel.text(kind: $0.kind, symbol: $0.symbol, req.locale) },
                rows: rows, warnings: [], duplicates: duplicates.map { DocumentRow($0, req.locale) }, confirmDuplicate: form.confirmDuplicate == "on", errors: errors
            )
            return try await req.render("tasks/register_preview", title: req.t("registration.kiem_tra_truoc_khi_dang_ky"), context, status: .unprocessableEntity)
        }
        let user = try req.requireUser()
        let actor = req.actor
        let now = req.now
        let input = DocumentDraft(
            kind: form.kind.flatMap { $0.isEmpty ? nil : $0 }, symbol: symbol.isEmpty ? nil : symbol, issuedOn: issuedOn, title: title,
            issuer: form.issuer.map(VietnameseText.clean).flatMap { $0.isEmpty ? nil : $0 },
            signer: form.signer.map(VietnameseText.clean).flatMap { $0.isEmpty ? nil : $0 }, body: text.isEmpty ? title : text,
            interimReviewOn: interim, finalReviewOn: final
        )
        let parse = DirectiveParser().parse(text.isEmpty ? title : text)
        let original = Self.original(of: form, files: req.application.files, by: actor, at: now)
        let (document, _) = try await TaskService.register(input, parse: parse, tasks: drafts, original: original, unitID: user.$unit.id, actor: actor, at: now, on: req.db)
        req.flash(.success, req.t("registration.da_dang_ky_van_ban_va", "\(drafts.count)"))
        return req.redirect(to: DocumentsRoute.show(try document.requireID()))
    }

    // MARK: helpers

    /// Reads the confirmed assignment rows: the tasks to create (one per lead unit of each kept
    /// row) and the rows as the preview shows them again, with their messages, if any is wrong.
    static func assignments(
        _ assignments: [AssignmentForm], units: [OrgUnit], errors: inout FormErrors, locale: L10n.Locale
    ) -> (drafts: [TaskDraft], rows: [Row]) {
        let unitIDs = Set(units.compactMap(\.id))
        var drafts: [TaskDraft] = []
        var rows: [Row] = []
        for (index, row) in assignments.enumerated() {
            let keep = row.keep == "on"
            var rowErrors: [String] = []
            let leads = (row.leads ?? []).compactMap(UUID.init(uuidString:)).filter(unitIDs.contains)
            let coordinators = (row.coordinators ?? []).compactMap(UUID.init(uuidString:)).filter(unitIDs.contains)
            let content = VietnameseText.nfc((row.content ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
            var dueOn: Date?
            if let raw = row.dueOn, !raw.isEmpty {
                dueOn = VNFormat.parseDate(raw)
                if dueOn == nil { rowErrors.append(L10n.text("common.invalidDate", locale)) }
            }
            let recurrence = WorkTask.Recurrence(rawValue: row.recurrence ?? "")
            if keep {
                if leads.isEmpty { rowErrors.append(L10n.text("registration.chon_don_vi_chu_tri", locale)) }
                if content.isEmpty { rowErrors.append(L10n.text("registration.nhap_noi_dung_nhiem_vu", locale)) }
            }
            if keep, rowErrors.isEmpty {
                for lead in leads {
                    drafts.append(TaskDraft(content: content, section: row.section, leadUnitID: lead, coordinatorIDs: coordinators, dueOn: dueOn, recurrence: recurrence))
                }
            }
            rows.append(Self.row(
                index: index, keep: keep, content: content, section: row.section ?? "", printedLead: row.printedLead ?? "",
                printedCoordinators: row.printedCoordinators ?? "", leadIDs: Set(leads), coordinatorIDs: Set(coordinators), units: units,
                confidence: 1, dueOn: row.dueOn ?? "", recurrence: recurrence, errors: rowErrors
            ))
            if !rowErrors.isEmpty { errors.add("assignments", "document.rowErrors") }
        }
        return (drafts, rows)
    }

    /// The original file uploaded at the preview, copied for the document if it is still intact
    /// in the store.
    static func original(of form: RegistrationForm, files: FileStore, by actor: AuditActor, at now: Date) -> DocumentAttachment? {
        guard let key = form.originalKey, let sha = form.originalSha, let name = form.originalName, !key.isEmpty,
              let data = try? files.read(key, sha256: sha),
              let stored = try? files.store(data, filename: name) else { return nil }
        return DocumentAttachment(documentID: UUID(), filename: name, stored: stored, uploadedBy: actor.name, at: now)
    }

    static func date(_ raw: String?, field: String, errors: inout FormErrors) throws -> Date? {
        guard let raw, !raw.isEmpty else { return nil }
        guard let date = VNFormat.parseDate(raw) else {
            errors.add(field, "common.invalidDate")
            return nil
        }
        return date
    }

    static func kindChoices(_ selected: String?) -> [SelectOption] {
        [SelectOption(value: "", label: "—", selected: (selected ?? "").isEmpty)] + DocumentService.kindNames.map { SelectOption(value: $0, label: $0, selected: $0 == selected) }
    }

    static func row(
        index: Int, keep: Bool, content: String, section: String, printedLead: String, printedCoordinators: String, leadIDs: Set<UUID>,
        coordinatorIDs: Set<UUID>, units: [OrgUnit], confidence: Double, dueOn: String, recurrence: WorkTask.Recurrence?, errors: [String]
    ) -> Row {
        return Row(
            index: index, number: index + 1, keep: keep, content: content, section: section, printedLead: printedLead, printedCoordinators: printedCoordinators,
            leads: SelectOption.units(units, selected: leadIDs), coordinators: SelectOption.units(units, selected: coordinatorIDs),
            confidence: leadIDs.isEmpty ? L10n.text("registration.khong_khop") : VNFormat.percent(confidence), lowConfidence: confidence < 0.75,
            dueOn: dueOn,
            recurrences: [SelectOption(value: "", label: L10n.text("registration.khong_lap_lai"), selected: recurrence == nil)] + WorkTask.Recurrence.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0 == recurrence) },
            errors: errors
        )
    }
}
