import DanVanCore
import DanVanText
import Fluent
import Foundation
import Vapor

/// A request as lists show it.
struct RequestRow: Encodable, Sendable {
    let id: String
    let regime: String
    let period: String
    let unit: String
    let dueOn: String
    let status: String
    let statusLabel: String
    let timeliness: String
    let timelinessLabel: String

    init(_ request: ReportRequest, now: Date) {
        id = request.id?.uuidString ?? ""
        regime = request.period.regime.name
        period = request.period.label
        unit = request.$unit.value?.name ?? ""
        dueOn = VNFormat.date(request.dueOn)
        status = request.status.rawValue
        statusLabel = request.status.label
        let timeliness = Timeliness.of(request, now: now)
        self.timeliness = timeliness.code
        timelinessLabel = timeliness.label
    }
}

/// The reports home, and one unit's request: the form, the review, the history.
struct ReportController {
    struct RegimeRow: Encodable, Sendable {
        let id: String
        let name: String
        let frequency: String
        let receiving: String
        let latestPeriodID: String?
        let latestPeriod: String
        /// The last period whose data window has closed, at a glance.
        let closedPeriodID: String?
        let closedPeriod: String
        let onTime: Int
        let late: Int
        let missing: Int
        let waiting: Int
        let requested: Int
    }

    struct IndexContext: Encodable, Sendable {
        let mine: [RequestRow]
        let toReview: [RequestRow]
        let regimes: [RegimeRow]
        let canManage: Bool
    }

    /// `query` reading only what a `RequestRow` shows (the sections, notes and history of up to
    /// 200 requests were read and decoded on each visit of the reports home); the other fields
    /// of the requests it gives must not be read.
    static func rowColumns(_ query: QueryBuilder<ReportRequest>) -> QueryBuilder<ReportRequest> {
        query.field(\.$id).field(\.$period.$id).field(\.$unit.$id).field(\.$status).field(\.$dueOn).field(\.$firstSubmittedAt)
    }

    func index(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let scope = try await req.scope()
        let now = req.now
        let units = try await req.unitsByID()
        let mine = try await Self.rowColumns(scope.filter(ReportRequest.query(on: req.db)).filter(\.$status ~~ [.pending, .draft, .returned, .submitted]))
            .with(\.$period) { $0.with(\.$regime) }.sort(\.$dueOn).limit(100).all()
        for request in mine { request.$unit.value = units[request.$unit.id] }
        let regimes = try await ReportRegime.query(on: req.db).filter(\.$active == true).sort(\.$name).all()
            .filter { units[$0.$receivingUnit.id].map(scope.contains) ?? false }
        var toReview: [ReportRequest] = []
        var regimeRows: [RegimeRow] = []
        if user.role != .focal, !regimes.isEmpty {
            let regimeIDs = regimes.compactMap(\.id)
            let periods = try await ReportPeriod.query(on: req.db).filter(\.$regime.$id ~~ regimeIDs).all()
            let periodIDs = periods.compactMap(\.id)
            if !periodIDs.isEmpty {
                toReview = try await Self.rowColumns(ReportRequest.query(on: req.db).filter(\.$period.$id ~~ periodIDs).filter(\.$status == .submitted))
                    .with(\.$period) { $0.with(\.$regime) }.sort(\.$submittedAt).limit(100).all()
                for request in toReview { request.$unit.value = units[request.$unit.id] }
            }
            let today = VNFormat.calendar.startOfDay(for: now)
            let closed = regimes.compactMap { regime in periods.filter { $0.$regime.id == regime.id && !$0.isAdHoc && $0.cutoffOn < today }.max { $0.ordinal < $1.ordinal } }
            var glance: [UUID: (onTime: Int, late: Int, missing: Int, waiting: Int, requested: Int)] = [:]
            let closedIDs = closed.compactMap(\.id)
            if !closedIDs.isEmpty {
                // Only what decides the timeliness: a request's sections and notes were read and
                // decoded for every unit of every regime on each visit.
                let requests = try await ReportRequest.query(on: req.db).filter(\.$period.$id ~~ closedIDs)
                    .field(\.$id).field(\.$period.$id).field(\.$status).field(\.$dueOn).field(\.$firstSubmittedAt).all()
                for request in requests {
                    var counts = glance[request.$period.id] ?? (0, 0, 0, 0, 0)
                    counts.requested += 1
                    switch Timeliness.of(request, now: now) {
                    case .onTime: counts.onTime += 1
                    case .late: counts.late += 1
                    case .missing: counts.missing += 1
                    case .pending, .returned: counts.waiting += 1
                    }
                    glance[request.$period.id] = counts
                }
            }
            for regime in regimes {
                let latest = periods.filter { $0.$regime.id == regime.id && $0.startsOn <= now }.max { $0.ordinal < $1.ordinal }
                let last = closed.first { $0.$regime.id == regime.id }
                let counts = last?.id.flatMap { glance[$0] } ?? (0, 0, 0, 0, 0)
                regimeRows.append(RegimeRow(
                    id: regime.id?.uuidString ?? "", name: regime.name, frequency: regime.frequency.label,
                    receiving: units[regime.$receivingUnit.id]?.name ?? "", latestPeriodID: latest?.id?.uuidString, latestPeriod: latest?.label ?? "",
                    closedPeriodID: last?.id?.uuidString, closedPeriod: last?.label ?? "",
                    onTime: counts.onTime, late: counts.late, missing: counts.missing, waiting: counts.waiting, requested: counts.requested
                ))
            }
        }
        let context = IndexContext(
            mine: mine.map { RequestRow($0, now: now) },
            toReview: toReview.map { RequestRow($0, now: now) }, regimes: regimeRows, canManage: [.admin, .specialist].contains(user.role)
        )
        return try await req.render("reports/index", title: req.t("reports.title"), context)
    }

    // MARK: One request

    struct SectionField: Encodable, Sendable {
        let key: String
        let title: String
        let guidance: String
        let required: Bool
        let pressing: Bool
        let text: String
        let previous: String?
        let changed: Bool
        let error: String?
        /// What other modules offer to do with a pressing issue ("create a hot spot").
        let actions: [ActionLink]
    }

    struct ActionLink: Encodable, Sendable {
        let label: String
        let href: String
    }

    struct IndicatorField: Encodable, Sendable {
        let key: String
        let name: String
        let measure: String
        let kind: String
        let inputMode: String
        let value: String
        let shown: String
        let prefilled: String?
        let prefilledRaw: String?
        let sourceLabel: String
        let reason: String
        let previous: String?
        let changed: Bool
        let outlier: Bool
        let error: String?
    }

    struct HistoryRow: Encodable, Sendable {
        let number: Int
        let action: String
        let actor: String
        let at: String
        let comment: String
    }

    struct RequestContext: Encodable, Sendable {
        let request: RequestRow
        let regimeID: String
        let periodID: String
        let questions: [String]
        let sections: [SectionField]
        let indicators: [IndicatorField]
        let history: [HistoryRow]
        let version: Int
        let canEdit: Bool
        let canReview: Bool
        let canUrge: Bool
        let reviewComment: String?
        let error: String?
        let hasOutliers: Bool
        let templateVersion: Int
        let attachments: [AttachmentRow]
    }

    /// What a re-rendered form shows instead of the stored values.
    struct Typed {
        var values: [String: String] = [:]
        var texts: [String: String] = [:]
        var reasons: [String: String] = [:]
        var errors: [String: String] = [:]
        var comment = ""
    }

    func show(_ req: Request) async throws -> Response {
        try await page(req, typed: nil, error: nil)
    }

    func page(_ req: Request, typed: Typed?, error: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let user = try req.requireUser()
        let scope = try await req.scope()
        let request = try await ReportService.find(req.parameters.get("requestID", as: UUID.self), scope: scope, on: req.db)
        let definition = try request.period.template.definition
        let canEdit = scope.contains(request.unit) && [.pending, .draft, .returned].contains(request.status)
        let receives = ReportService.receivesInScope(request, scope: scope)
        let canReview = user.role != .focal && receives && request.status == .submitted
        let history = try await ReportService.history(of: request, on: req.db)
        // What changed since the submission before the last one (a resubmission after a return).
        let submissions = history.filter { $0.action == .submitted }
        let previous = submissions.count >= 2 ? submissions[submissions.count - 2] : nil
        let previousValues = previous.flatMap { try? ReportJSON.decode([String: Double].self, $0.valuesJSON) } ?? [:]
        let previousTexts = previous.flatMap { try? ReportJSON.decode([String: String].self, $0.textsJSON) } ?? [:]
        let prefill = canEdit ? try await ReportService.prefill(request, sources: req.application.reportSources, on: req.db) : [:]
        let outlierHistory = canReview ? try await ReportService.acceptedValues(unitID: request.$unit.id, regimeID: request.period.$regime.id, before: request.period, on: req.db) : [:]
        let values = request.values, texts = request.texts, overrides = request.overrides
        let indicators = definition.indicators.map { indicator -> IndicatorField in
            let stored = values[indicator.key] ?? (request.status == .pending ? prefill[indicator.key] : nil)
            let typedValue = typed?.values[indicator.key]
            let shownValue = typedValue ?? stored.map { ReportDefinition.input($0, kind: indicator.kind) } ?? ""
            let before = previousValues[indicator.key]
            return IndicatorField(
                key: indicator.key, name: indicator.name, measure: indicator.kind == .percentage ? "" : indicator.measure, kind: indicator.kind.rawValue,
                inputMode: indicator.kind == .integer ? "numeric" : "decimal", value: shownValue,
                shown: values[indicator.key].map { ReportDefinition.format($0, kind: indicator.kind) } ?? "—",
                prefilled: prefill[indicator.key].map { ReportDefinition.format($0, kind: indicator.kind) },
                prefilledRaw: prefill[indicator.key].map { ReportDefinition.input($0, kind: indicator.kind) },
                sourceLabel: indicator.source.flatMap { req.application.reportSources[$0] }.map { req.t($0.labelKey) } ?? "",
                reason: typed?.reasons[indicator.key] ?? overrides[indicator.key] ?? "",
                previous: before.map { ReportDefinition.format($0, kind: indicator.kind) },
                changed: previous != nil && before != values[indicator.key],
                outlier: values[indicator.key].map { ReportCombination.isOutlier($0, history: outlierHistory[indicator.key] ?? []) } ?? false,
                error: typed?.errors[indicator.key]
            )
        }
        let pressingActions = req.application.pressingIssueActions
        let sections = definition.sections.map { section in
            let saved = texts[section.key] ?? ""
            let offer = section.pressing && !saved.isEmpty && [.submitted, .accepted].contains(request.status) && req.currentUser?.role != .focal
            return SectionField(
                key: section.key, title: section.title, guidance: section.guidance, required: section.required, pressing: section.pressing,
                text: typed?.texts[section.key] ?? saved, previous: previousTexts[section.key],
                changed: previous != nil && previousTexts[section.key] != texts[section.key], error: typed?.errors["section." + section.key],
                actions: offer ? pressingActions.map { action in
                    ActionLink(label: req.t(action.labelKey), href: action.link(InboxTarget(type: "report", id: request.id ?? UUID()), request.$unit.id, saved))
                } : []
            )
        }
        let context = RequestContext(
            request: RequestRow(request, now: req.now), regimeID: request.period.$regime.id.uuidString, periodID: request.$period.id.uuidString,
            questions: request.period.questions.split(separator: "\n").map { String($0) },
            sections: sections, indicators: indicators,
            history: history.map { HistoryRow(number: $0.number, action: $0.action.label, actor: $0.actorName, at: VNFormat.dateTime($0.at), comment: $0.comment) },
            version: request.version, canEdit: canEdit, canReview: canReview,
            canUrge: user.role != .focal && receives && [.pending, .draft, .returned].contains(request.status),
            reviewComment: request.reviewComment, error: error, hasOutliers: indicators.contains(where: \.outlier), templateVersion: request.period.template.version,
            attachments: try await ReportAttachment.query(on: req.db).filter(\.$request.$id == request.requireID()).sort(\.$createdAt).all().map {
                AttachmentRow(id: $0.id, filename: $0.filename, bytes: $0.size, uploadedBy: $0.uploadedBy, at: $0.createdAt, href: ReportsRoute.requestFile(request.id, $0.id).path)
            }
        )
        return try await req.render("reports/request", title: "\(request.period.regime.name) — \(request.period.label)", context, status: status)
    }

    /// Saves the draft (`action=draft`) or submits it (`action=submit`).
    func save(_ req: Request) async throws -> Response {
        let scope = try await req.scope()
        let request = try await ReportService.find(req.parameters.get("requestID", as: UUID.self), scope: scope, on: req.db)
        guard scope.contains(request.unit) else { throw AppError.forbidden }
        var typed = Typed()
        var prefilled: [String: Double] = [:]
        var action = "draft", version = -1
        for (name, value) in req.formPairs() {
            if name.hasPrefix("value."), let key = name.split(separator: ".", maxSplits: 1).last { typed.values[String(key)] = VietnameseText.nfc(value) }
            else if name.hasPrefix("text."), let key = name.split(separator: ".", maxSplits: 1).last { typed.texts[String(key)] = VietnameseText.nfc(value) }
            else if name.hasPrefix("reason."), let key = name.split(separator: ".", maxSplits: 1).last { typed.reasons[String(key)] = VietnameseText.nfc(value) }
            else if name.hasPrefix("prefilled."), let key = name.split(separator: ".", maxSplits: 1).last, let number = Double(value.replacingOccurrences(of: ",", with: ".")) { prefilled[String(key)] = number }
            else if name == "action" { action = value }
            else if name == "version" { version = Int(value) ?? -1 }
        }
        let submit = action == "submit"
        do {
            try await ReportService.save(
                request, entry: .init(typed: typed.values, texts: typed.texts, reasons: typed.reasons, prefilled: prefilled),
                submit: submit, expectedVersion: version, actor: req.actor, at: req.now, on: req.db
            )
        } catch ReportService.Refusal.invalid(let errors) {
            typed.errors = errors
            return try await page(req, typed: typed, error: req.t(submit ? "reports.error.check_submit" : "reports.error.check"), status: .unprocessableEntity)
        } catch ReportService.Refusal.staleVersion {
            return try await page(req, typed: typed, error: req.t("reports.error.stale"), status: .conflict)
        } catch ReportService.Refusal.wrongState(let message) {
            return try await page(req, typed: nil, error: message, status: .conflict)
        }
        req.flash(.success, req.t(submit ? "reports.flash.submitted" : "reports.flash.saved"))
        return req.redirect(to: ReportsRoute.request(try request.requireID()))
    }

    struct ReviewForm: Content {
        var decision: String?
        var comment: String?
        var version: String?
    }

    func review(_ req: Request) async throws -> Response {
        let request = try await ReportService.findToReview(req.parameters.get("requestID", as: UUID.self), user: try req.requireUser(), scope: try await req.scope(), on: req.db)
        let form = try req.content.decode(ReviewForm.self)
        let accept = form.decision == "accept"
        do {
            try await ReportService.review(request, accept: accept, comment: form.comment ?? "", expectedVersion: Int(form.version ?? "") ?? -1, actor: req.actor, at: req.now, on: req.db)
        } catch ReportService.Refusal.invalid(let errors) {
            return try await page(req, typed: nil, error: errors["comment"] ?? req.t("reports.error.comment"), status: .unprocessableEntity)
        } catch ReportService.Refusal.staleVersion {
            return try await page(req, typed: nil, error: req.t("reports.error.stale_review"), status: .conflict)
        } catch ReportService.Refusal.wrongState(let message) {
            return try await page(req, typed: nil, error: message, status: .conflict)
        }
        req.flash(.success, req.t(accept ? "reports.flash.accepted" : "reports.flash.returned"))
        return req.redirect(to: ReportsRoute.request(try request.requireID()))
    }

    struct UrgeForm: Content {
        var message: String?
    }

    func urge(_ req: Request) async throws -> Response {
        let request = try await ReportService.findToReview(req.parameters.get("requestID", as: UUID.self), user: try req.requireUser(), scope: try await req.scope(), on: req.db)
        let typed = VietnameseText.clean(try req.content.decode(UrgeForm.self).message ?? "")
        do {
            try await ReportService.urge(request, message: typed.isEmpty ? req.t("reports.urge.default") : String(typed.prefix(300)), actor: req.actor, at: req.now, on: req.db)
        } catch ReportService.Refusal.wrongState(let message) {
            return try await page(req, typed: nil, error: message, status: .conflict)
        }
        req.flash(.success, req.t("reports.flash.urged", request.unit.name))
        return req.redirect(to: ReportsRoute.request(try request.requireID()))
    }

    struct UploadForm: Content {
        var files: [File]?
    }

    /// Attaches files (minutes, photos, evidence) while the report can still be changed.
    func upload(_ req: Request) async throws -> Response {
        let scope = try await req.scope()
        let request = try await ReportService.find(req.parameters.get("requestID", as: UUID.self), scope: scope, on: req.db)
        guard scope.contains(request.unit) else { throw AppError.forbidden }
        let form = try req.content.decode(UploadForm.self)
        let stored: [(filename: String, stored: FileStore.Stored)]
        do {
            stored = try req.storeUploads(form.files ?? [])
        } catch let refusal as FileStore.Refusal {
            return try await page(req, typed: nil, error: refusal.message, status: .unprocessableEntity)
        }
        guard !stored.isEmpty else { return try await page(req, typed: nil, error: req.t("reports.error.no_file"), status: .unprocessableEntity) }
        do {
            try await ReportService.attach(request, files: stored, actor: req.actor, at: req.now, on: req.db)
        } catch ReportService.Refusal.wrongState(let message) {
            return try await page(req, typed: nil, error: message, status: .conflict)
        }
        req.flash(.success, req.t("reports.flash.attached", String(stored.count)))
        return req.redirect(to: ReportsRoute.request(try request.requireID()))
    }

    /// A file of the report (same visibility as the report).
    func download(_ req: Request) async throws -> Response {
        let request = try await ReportService.find(req.parameters.get("requestID", as: UUID.self), scope: try await req.scope(), on: req.db)
        guard let fileID = req.parameters.get("fileID", as: UUID.self),
              let attachment = try await ReportAttachment.query(on: req.db).filter(\.$id == fileID).filter(\.$request.$id == request.requireID()).first()
        else { throw AppError.notFound }
        return try req.download(key: attachment.storageKey, sha256: attachment.sha256, filename: attachment.filename, contentType: attachment.contentType)
    }

    /// The submission as a Word document.
    func docx(_ req: Request) async throws -> Response {
        let request = try await ReportService.find(req.parameters.get("requestID", as: UUID.self), scope: try await req.scope(), on: req.db)
        let units = try await req.unitsByID()
        let parent = request.unit.$parent.id.flatMap { units[$0] }
        let data = try ReportExport.docx(request: request, parent: parent, place: ReportExport.place(of: request.unit, units: units), date: request.submittedAt ?? req.now)
        return req.wordDocument(data, baseName: "bao-cao-\(request.period.key)-\(request.unit.code)")
    }
}
