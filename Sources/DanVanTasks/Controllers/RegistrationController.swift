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
        /// The person named as the subject ("Giám đốc"), whose unit is the lead.
        let role: String
        /// The units chosen: only these are options of the row's picker; the page's one
        /// `unitList` holds the rest.
        let leads: [SelectOption]
        let coordinators: [SelectOption]
        /// Units typed by name (the picker without JavaScript), kept when a name is not found.
        let leadNames: String
        let coordinatorNames: String
        /// A time the text gives that is no date ("trước kỳ họp"): the user chooses one.
        let needsDate: String
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
        /// The `<option>`s of the page's one unit list (`req.unitPickerListHTML`).
        var unitList = ""
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
        var role: String?
        var leads: [String]?
        var coordinators: [String]?
        var leadNames: String?
        var coordinatorNames: String?
        var needsDate: String?
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
        let rows = (0..<3).map {
            Self.row(index: $0, keep: false, content: "", section: "", printedLead: "", printedCoordinators: "", leadIDs: [], coordinatorIDs: [], labels: [:], confidence: 1, dueOn: "", recurrence: nil, errors: [])
        }
        var context = PreviewContext(
            text: "", kind: "", kinds: Self.kindChoices(nil), symbol: "", issuedOn: "", title: "", issuer: "", signer: "",
            interimReviewOn: "", finalReviewOn: "", references: [], rows: rows,
            warnings: [req.t("registration.nhap_tay_dien_thong_tin_van")],
            duplicates: [], confirmDuplicate: false, errors: FormErrors()
        )
        context.unitList = try await req.unitPickerListHTML(in: .everything)
        return try await req.render("tasks/register_preview", title: req.t("registration.nhap_van_ban_thu_cong"), context)
    }

    /// Reads the pasted text or the uploaded file and shows the preview.
    func preview(_ req: Request) async throws -> Response {
        let form = try req.content.decode(RegistrationForm.self)
        var text = form.text ?? ""
        var original: (name: String, stored: FileStore.Stored)?
        if let file = form.file, file.data.readableBytes > 0 {
            let bytes = Data(buffer: file.data)
            let filename = file.filename
            do {
                // A PDF is read by a subprocess: off the event loop.
                text = try await req.application.threadPool.runIfActive { try DanVanText.DocumentInput.text(from: bytes, filename: filename) }
            } catch let failure as DanVanText.DocumentInput.Failure {
                return try await req.render("tasks/register", title: req.t("registration.dang_ky_van_ban"), NewContext(text: text, error: failure.message), status: .unprocessableEntity)
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
        let labels = try await Self.labels(req)
        var rows: [Row] = []
        for (index, assignment) in parse.assignments.enumerated() {
            let proposal = TaskService.propose(assignment, matcher: matcher, leadThreshold: 0.5, coordinatorThreshold: 0.6)
            var content = assignment.text.isEmpty ? assignment.quote : assignment.text
            if let output = assignment.output { content += "\n" + req.t("registration.san_pham", output) }
            rows.append(Self.row(
                index: index, keep: true, content: content, section: assignment.section ?? "",
                printedLead: assignment.lead, printedCoordinators: assignment.coordinators.joined(separator: "; "), role: assignment.role ?? "",
                leadIDs: Set(proposal.leadIDs), coordinatorIDs: Set(proposal.coordinatorIDs), labels: labels, confidence: proposal.confidence,
                dueOn: assignment.dueDate.flatMap(VNFormat.parseDate).map(VNFormat.isoDate) ?? "", needsDate: assignment.needsDate ?? "",
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
        withOriginal.unitList = try await req.unitPickerListHTML(in: .everything)
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
        let labels = try await Self.labels(req)
        // The unit matcher (every unit loaded) only when a name was typed without the picker.
        let typed = (form.assignments ?? []).contains { !($0.leadNames ?? "").isEmpty || !($0.coordinatorNames ?? "").isEmpty }
        let resolver = Self.nameResolver(labels: labels, matcher: typed ? try await TaskService.unitMatcher(on: req.db) : nil)
        let (drafts, rows) = Self.assignments(form.assignments ?? [], labels: labels, resolve: resolver, errors: &errors, locale: req.locale)
        guard errors.isEmpty else {
            let parse = DirectiveParser().parse(text)
            var context = PreviewContext(
                text: text, kind: form.kind ?? "", kinds: Self.kindChoices(form.kind), symbol: symbol, issuedOn: form.issuedOn ?? "",
                title: title, issuer: form.issuer ?? "", signer: form.signer ?? "", interimReviewOn: form.interimReviewOn ?? "",
                finalReviewOn: form.finalReviewOn ?? "", references: parse.references.map { DocumentLabel.text(kind: $0.kind, symbol: $0.symbol, req.locale) },
                rows: rows, warnings: [], duplicates: duplicates.map { DocumentRow($0, req.locale) }, confirmDuplicate: form.confirmDuplicate == "on", errors: errors
            )
            context.unitList = try await req.unitPickerListHTML(in: .everything)
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
        _ assignments: [AssignmentForm], labels: [UUID: String], resolve: (String) -> UUID?, errors: inout FormErrors, locale: L10n.Locale
    ) -> (drafts: [TaskDraft], rows: [Row]) {
        var drafts: [TaskDraft] = []
        var rows: [Row] = []
        for (index, row) in assignments.enumerated() {
            let keep = row.keep == "on"
            var rowErrors: [String] = []
            var leads = (row.leads ?? []).compactMap(UUID.init(uuidString:)).filter { labels[$0] != nil }
            var coordinators = (row.coordinators ?? []).compactMap(UUID.init(uuidString:)).filter { labels[$0] != nil }
            // Units typed by name: each found adds to the picker's; a name not found is kept
            // in the box with a message.
            func typed(_ text: String?, into ids: inout [UUID]) -> String {
                var missing: [String] = []
                for name in (text ?? "").split(separator: ";").map({ VietnameseText.clean(String($0)) }) where !name.isEmpty {
                    if let id = resolve(name) {
                        if !ids.contains(id) { ids.append(id) }
                    } else {
                        missing.append(name)
                        rowErrors.append(L10n.format("registration.khong_tim_thay_don_vi", [name], locale))
                    }
                }
                return missing.joined(separator: "; ")
            }
            let leadNames = typed(row.leadNames, into: &leads)
            let coordinatorNames = typed(row.coordinatorNames, into: &coordinators)
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
                printedCoordinators: row.printedCoordinators ?? "", role: row.role ?? "", leadIDs: Set(leads), coordinatorIDs: Set(coordinators),
                labels: labels, confidence: 1, dueOn: row.dueOn ?? "", needsDate: row.needsDate ?? "", recurrence: recurrence, errors: rowErrors,
                leadNames: leadNames, coordinatorNames: coordinatorNames
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

    /// The picker labels of every active unit (a name, with its parent's where names repeat).
    static func labels(_ req: Request) async throws -> [UUID: String] {
        Dictionary(try await req.unitPickerLabels(in: .everything).map { ($0.id, $0.label) }, uniquingKeysWith: { first, _ in first })
    }

    /// Finds a typed unit name: a picker label exactly (case and marks aside), else the unit
    /// matcher's best match when it is sure (0.75, as registration without a person).
    static func nameResolver(labels: [UUID: String], matcher: UnitMatcher?) -> (String) -> UUID? {
        let byLabel = Dictionary(labels.map { (VietnameseText.fold($0.value), $0.key) }, uniquingKeysWith: { first, _ in first })
        return { name in
            if let id = byLabel[VietnameseText.fold(name)] { return id }
            guard let result = matcher?.match(name) else { return nil }
            guard !result.isGroup, let best = result.matches.first, best.confidence >= 0.75, labels[best.id] != nil else { return nil }
            return best.id
        }
    }

    static func row(
        index: Int, keep: Bool, content: String, section: String, printedLead: String, printedCoordinators: String, role: String = "", leadIDs: Set<UUID>,
        coordinatorIDs: Set<UUID>, labels: [UUID: String], confidence: Double, dueOn: String, needsDate: String = "", recurrence: WorkTask.Recurrence?,
        errors: [String], leadNames: String = "", coordinatorNames: String = ""
    ) -> Row {
        func chosen(_ ids: Set<UUID>) -> [SelectOption] {
            ids.compactMap { id in labels[id].map { SelectOption(value: id.uuidString, label: $0, selected: true) } }
                .sorted { VietnameseCollation.less($0.label, $1.label) }
        }
        return Row(
            index: index, number: index + 1, keep: keep, content: content, section: section, printedLead: printedLead, printedCoordinators: printedCoordinators,
            role: role, leads: chosen(leadIDs), coordinators: chosen(coordinatorIDs), leadNames: leadNames, coordinatorNames: coordinatorNames,
            needsDate: needsDate,
            confidence: leadIDs.isEmpty ? L10n.text("registration.khong_khop") : VNFormat.percent(confidence), lowConfidence: confidence < 0.75 || !needsDate.isEmpty,
            dueOn: dueOn,
            recurrences: [SelectOption(value: "", label: L10n.text("registration.khong_lap_lai"), selected: recurrence == nil)] + WorkTask.Recurrence.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0 == recurrence) },
            errors: errors
        )
    }
}
