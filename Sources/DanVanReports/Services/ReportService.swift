import DanVanCore
import DanVanText
import Fluent
import SQLKit
import Foundation
import Vapor

extension ReportRequest: UnitOwned {
    /// A request belongs to the unit that owes it.
    public static var ownerUnitKey: KeyPath<ReportRequest, FieldProperty<ReportRequest, UUID>> { \ReportRequest.$unit.$id }
}

/// What a regime form gives.
public struct RegimeDraft: Sendable, Equatable {
    public var name: String
    public var content: String
    public var frequency: ReportFrequency
    public var window: ReportWindow
    public var receivingUnitID: UUID
    public var audience: ReportRegime.Audience
    public var unitIDs: [UUID]
    public var unitKind: OrgUnit.Kind?
    public var unitLevel: OrgUnit.Level?
    public var rootUnitID: UUID?
    public var deadlines: [OrgUnit.Level: Int]
    public var method: String
    public var templateCode: String
    public var openAhead: Int

    public init(
        name: String, content: String, frequency: ReportFrequency, window: ReportWindow = .cutoff, receivingUnitID: UUID,
        audience: ReportRegime.Audience, unitIDs: [UUID] = [], unitKind: OrgUnit.Kind? = nil, unitLevel: OrgUnit.Level? = nil, rootUnitID: UUID? = nil,
        deadlines: [OrgUnit.Level: Int], method: String = "", templateCode: String, openAhead: Int = 2
    ) {
        self.name = name
        self.content = content
        self.frequency = frequency
        self.window = window
        self.receivingUnitID = receivingUnitID
        self.audience = audience
        self.unitIDs = unitIDs
        self.unitKind = unitKind
        self.unitLevel = unitLevel
        self.rootUnitID = rootUnitID
        self.deadlines = deadlines
        self.method = method
        self.templateCode = templateCode
        self.openAhead = openAhead
    }
}

/// Reports: plain functions on a database handle. Every write is audited on the same connection.
public enum ReportService {
    /// Why a write was refused.
    public enum Refusal: Error, Equatable {
        /// Someone saved the request since the form was opened.
        case staleVersion
        /// The request is not in a state that allows this.
        case wrongState(String)
        /// Values or texts that cannot be accepted: message per field.
        case invalid([String: String])
    }

    // MARK: Templates

    /// Saves `definition` as the next version of the template `code`.
    @discardableResult
    public static func saveTemplate(code: String, name: String, documentKind: String, definition: ReportDefinition, actor: AuditActor, at: Date, on db: any Database) async throws -> ReportTemplate {
        let problems = definition.problems
        guard problems.isEmpty else { throw Refusal.invalid(["definition": problems.joined(separator: " ")]) }
        let last = try await ReportTemplate.query(on: db).filter(\.$code == code).sort(\.$version, .descending).first()
        let template = try ReportTemplate(code: code, version: (last?.version ?? 0) + 1, name: VietnameseText.nfc(name), documentKind: VietnameseText.nfc(documentKind), definition: definition, at: at)
        try await template.create(on: db)
        try await AuditLog.record(
            on: db, actor: actor, at: at, action: "create", entityType: "report_template", entityID: template.id,
            summary: L10n.format("reports.audit.template", [template.name, String(template.version)]), after: ["code": code, "version": String(template.version)]
        )
        return template
    }

    /// The newest version of every template, by name.
    public static func currentTemplates(on db: any Database) async throws -> [ReportTemplate] {
        let all = try await ReportTemplate.query(on: db).sort(\.$version, .descending).all()
        var seen = Set<String>()
        return all.filter { seen.insert($0.code).inserted }.sorted { $0.name < $1.name }
    }

    // MARK: Regimes

    /// Creates a regime (periods open with `openPeriods`).
    @discardableResult
    public static func createRegime(_ draft: RegimeDraft, actor: AuditActor, at: Date, on db: any Database) async throws -> ReportRegime {
        let regime = ReportRegime()
        regime.id = UUID()
        apply(draft, to: regime)
        regime.active = true
        regime.version = 1
        try await regime.create(on: db)
        try await AuditLog.record(on: db, actor: actor, at: at, action: "create", entityType: "report_regime", entityID: regime.id, summary: L10n.format("reports.audit.regime", [regime.name]), after: regime.auditSnapshot)
        return regime
    }

    /// Saves a regime's new elements (or stops it: `active` false opens no more periods).
    /// Periods already open keep their requests and deadlines; a stale version is refused.
    public static func updateRegime(_ regime: ReportRegime, with draft: RegimeDraft, active: Bool, expectedVersion: Int, actor: AuditActor, at: Date, on db: any Database) async throws {
        guard regime.version == expectedVersion else { throw Refusal.staleVersion }
        let before = regime.auditSnapshot
        apply(draft, to: regime)
        regime.active = active
        regime.version += 1
        try await db.transaction { db in
            try await regime.update(on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "update", entityType: "report_regime", entityID: regime.id, summary: L10n.format("reports.audit.regime_update", [regime.name]), before: before, after: regime.auditSnapshot)
        }
    }

    static func apply(_ draft: RegimeDraft, to regime: ReportRegime) {
        regime.name = VietnameseText.nfc(draft.name)
        regime.content = VietnameseText.nfc(draft.content)
        regime.frequency = draft.frequency
        regime.window = draft.window
        regime.$receivingUnit.id = draft.receivingUnitID
        regime.audience = draft.audience
        regime.unitIDs = draft.unitIDs
        regime.unitKind = draft.unitKind
        regime.unitLevel = draft.unitLevel
        regime.$rootUnit.id = draft.rootUnitID
        regime.deadlines = draft.deadlines
        regime.method = VietnameseText.nfc(draft.method)
        regime.templateCode = draft.templateCode
        regime.openAhead = max(1, min(24, draft.openAhead))
    }

    /// The units that report under `regime` now (the tree as it is when a period opens).
    public static func audience(of regime: ReportRegime, on db: any Database) async throws -> [OrgUnit] {
        switch regime.audience {
        case .list:
            let ids = regime.unitIDs
            guard !ids.isEmpty else { return [] }
            return try await OrgUnit.query(on: db).filter(\.$id ~~ ids).filter(\.$status == .active).all()
        case .kindUnder:
            var query = OrgUnit.query(on: db).filter(\.$status == .active)
            if let rootID = regime.$rootUnit.id, let root = try await OrgUnit.find(rootID, on: db) {
                query = query.filter(\.$path =~ root.path).filter(\.$id != rootID)
            }
            if let kind = regime.unitKind { query = query.filter(\.$kind == kind) }
            if let level = regime.unitLevel { query = query.filter(\.$level == level) }
            return try await query.sort(\.$path).all()
        }
    }

    /// Opens the regime's periods from the one holding `now` up to `openAhead` ahead: each gets
    /// the template's newest version and a request for every unit of the audience, which is
    /// told in its inbox. Idempotent. Returns the periods opened.
    @discardableResult
    public static func openPeriods(_ regime: ReportRegime, now: Date, actor: AuditActor, on db: any Database) async throws -> [ReportPeriod] {
        guard regime.active, regime.frequency.isPeriodic else { return [] }
        let slots = ReportCalendar.upcoming(regime.frequency, window: regime.window, from: now, count: regime.openAhead)
        let regimeID = try regime.requireID()
        let existing = Set(try await ReportPeriod.query(on: db).filter(\.$regime.$id == regimeID).all().map(\.key))
        var opened: [ReportPeriod] = []
        for slot in slots where !existing.contains(slot.key(regime.frequency)) {
            opened.append(try await openPeriod(regime, slot: slot, adHoc: false, questions: "", now: now, actor: actor, on: db))
        }
        return opened
    }

    /// Opens one period with its requests: a slot of the regime's series, or (`adHoc`) a
    /// request with free dates, numbered within its year and kept out of the series.
    @discardableResult
    public static func openPeriod(_ regime: ReportRegime, slot: ReportPeriodSlot, adHoc: Bool, questions: String, now: Date, actor: AuditActor, on db: any Database) async throws -> ReportPeriod {
        guard let template = try await ReportTemplate.query(on: db).filter(\.$code == regime.templateCode).sort(\.$version, .descending).first() else {
            throw Refusal.wrongState(L10n.text("reports.error.no_template"))
        }
        let period = ReportPeriod()
        period.id = UUID()
        period.$regime.id = try regime.requireID()
        period.$template.id = try template.requireID()
        if adHoc || !regime.frequency.isPeriodic {
            let regimeID = try regime.requireID()
            let prefix = ReportPeriod.adHocPrefix + "\(slot.year)-"
            let earlier = try await ReportPeriod.query(on: db).filter(\.$regime.$id == regimeID).filter(\.$key =~ prefix).count()
            period.key = prefix + String(earlier + 1)
            period.label = slot.label(.adHoc)
            period.index = earlier + 1
        } else {
            period.key = slot.key(regime.frequency)
            period.label = slot.label(regime.frequency)
            period.index = slot.index
        }
        period.year = slot.year
        period.startsOn = slot.start
        period.cutoffOn = slot.end
        period.questions = VietnameseText.nfc(questions)
        period.openedAt = now
        return try await db.transaction { db in
        try await period.create(on: db)
        let periodID = try period.requireID()
        for unit in try await audience(of: regime, on: db) {
            let request = ReportRequest()
            request.id = UUID()
            request.$period.id = periodID
            request.$unit.id = try unit.requireID()
            request.dueOn = ReportCalendar.deadline(cutoff: slot.end, days: regime.deadlineDays(for: unit.level))
            request.status = .pending
            request.values = [:]
            request.texts = [:]
            request.overrides = [:]
            request.version = 1
            try await request.create(on: db)
            try await Inbox.post(
                toUnit: try unit.requireID(), kind: "report.request",
                message: L10n.format("reports.inbox.request", [regime.name, period.label, VNFormat.date(request.dueOn)]),
                target: InboxTarget(type: "report", id: try request.requireID()), dedupeKey: "report.request:\(try request.requireID())", at: now, on: db
            )
        }
        try await AuditLog.record(on: db, actor: actor, at: now, action: "create", entityType: "report_period", entityID: periodID, summary: L10n.format("reports.audit.period", [regime.name, period.label]), after: ["key": period.key, "template": String(template.version)])
        return period
        }
    }

    // MARK: Requests

    /// A request inside `scope` (404 outside it), with its period, regime (and its receiving
    /// unit), template and unit. Visible to the unit that owes it and to whoever's scope holds
    /// the receiving unit.
    public static func find(_ id: UUID?, scope: AccessScope, on db: any Database) async throws -> ReportRequest {
        guard let id, let request = try await ReportRequest.query(on: db).filter(\.$id == id).with(\.$unit)
            .with(\.$period, { $0.with(\.$regime, { $0.with(\.$receivingUnit) }).with(\.$template) }).first()
        else { throw AppError.notFound }
        guard scope.contains(request.unit) || receivesInScope(request, scope: scope) else { throw AppError.notFound }
        return request
    }

    /// Whether the request's receiving unit is inside `scope` (the specialist of the board sees
    /// what reaches it). Needs the request as `find` loads it.
    static func receivesInScope(_ request: ReportRequest, scope: AccessScope) -> Bool {
        request.period.regime.$receivingUnit.value.map(scope.contains) ?? false
    }

    /// A request the signed-in staff member may review or urge: `find`, not a focal point, and
    /// the receiving unit in scope (403 otherwise).
    public static func findToReview(_ id: UUID?, user: User, scope: AccessScope, on db: any Database) async throws -> ReportRequest {
        guard user.role != .focal else { throw AppError.forbidden }
        let request = try await find(id, scope: scope, on: db)
        guard receivesInScope(request, scope: scope) else { throw AppError.forbidden }
        return request
    }

    /// What the form sent.
    public struct Entry: Sendable, Equatable {
        public var typed: [String: String]
        public var texts: [String: String]
        /// Reasons given for changing a prefilled value, by indicator key.
        public var reasons: [String: String]
        /// The prefilled values the form showed, by indicator key.
        public var prefilled: [String: Double]

        public init(typed: [String: String], texts: [String: String], reasons: [String: String] = [:], prefilled: [String: Double] = [:]) {
            self.typed = typed
            self.texts = texts
            self.reasons = reasons
            self.prefilled = prefilled
        }
    }

    /// Saves a draft, or submits it (`submit`): every indicator and required section filled,
    /// rules kept, a changed prefilled value explained. Pressing issues reach the receiving unit
    /// at once. A stale `expectedVersion` is refused, never overwritten.
    public static func save(_ request: ReportRequest, entry: Entry, submit: Bool, expectedVersion: Int, actor: AuditActor, at: Date, on db: any Database) async throws {
        guard [.pending, .draft, .returned].contains(request.status) else { throw Refusal.wrongState(L10n.text("reports.error.closed")) }
        guard request.version == expectedVersion else { throw Refusal.staleVersion }
        let definition = try request.period.template.definition
        var (values, errors) = definition.parse(entry.typed)
        var texts: [String: String] = [:]
        for section in definition.sections {
            let text = VietnameseText.nfc(entry.texts[section.key] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty { texts[section.key] = String(text.prefix(20_000)) }
        }
        var overrides: [String: String] = [:]
        for indicator in definition.indicators where indicator.source != nil {
            guard let prefilled = entry.prefilled[indicator.key], let value = values[indicator.key], abs(prefilled - value) > 1e-9 else { continue }
            let reason = VietnameseText.clean(entry.reasons[indicator.key] ?? "")
            if reason.isEmpty { errors[indicator.key] = errors[indicator.key] ?? L10n.format("reports.value.reason", [indicator.name]) } else { overrides[indicator.key] = String(reason.prefix(300)) }
        }
        if submit {
            for indicator in definition.missing(values) where errors[indicator.key] == nil {
                errors[indicator.key] = L10n.format("reports.value.required", [indicator.name])
            }
            for section in definition.sections where section.required && texts[section.key] == nil {
                errors["section." + section.key] = L10n.format("reports.section.required", [section.title])
            }
        }
        guard errors.isEmpty else { throw Refusal.invalid(errors) }
        let savedTexts = texts
        let before = request.auditSnapshot
        request.values = values
        request.texts = texts
        request.overrides = overrides
        request.version += 1
        let wasReturned = request.status == .returned
        request.status = submit ? .submitted : (request.status == .returned ? .returned : .draft)
        if submit {
            request.submittedAt = at
            if request.firstSubmittedAt == nil { request.firstSubmittedAt = at }
        }
        try await db.transaction { db in
        try await request.update(on: db)
        let requestID = try request.requireID()
        if submit {
            try await addRevision(request, action: .submitted, comment: "", actor: actor, at: at, on: db)
            let regime = request.period.regime
            try await Inbox.post(
                toUnit: regime.$receivingUnit.id, kind: "report.submitted",
                message: L10n.format(wasReturned ? "reports.inbox.resubmitted" : "reports.inbox.submitted", [request.unit.name, regime.name, request.period.label]),
                target: InboxTarget(type: "report", id: requestID), dedupeKey: "report.submitted:\(requestID):\(request.version)", at: at, on: db
            )
            for section in definition.sections where section.pressing {
                guard let text = savedTexts[section.key] else { continue }
                try await Inbox.post(
                    toUnit: regime.$receivingUnit.id, kind: "report.pressing",
                    message: L10n.format("reports.inbox.pressing", [request.unit.name, String(text.prefix(160))]),
                    target: InboxTarget(type: "report", id: requestID), dedupeKey: "report.pressing:\(requestID):\(request.version):\(section.key)", at: at, on: db
                )
            }
        }
        try await AuditLog.record(
            on: db, actor: actor, at: at, action: "update", entityType: "report_request", entityID: requestID,
            summary: L10n.format(submit ? "reports.audit.submit" : "reports.audit.draft", [request.unit.name, request.period.label]), before: before, after: request.auditSnapshot
        )
        }
    }

    /// The reviewer accepts the submission or returns it with a comment (required).
    public static func review(_ request: ReportRequest, accept: Bool, comment: String, expectedVersion: Int, actor: AuditActor, at: Date, on db: any Database) async throws {
        guard request.status == .submitted else { throw Refusal.wrongState(L10n.text("reports.error.not_submitted")) }
        guard request.version == expectedVersion else { throw Refusal.staleVersion }
        let comment = VietnameseText.clean(comment)
        if !accept, comment.isEmpty { throw Refusal.invalid(["comment": L10n.text("reports.error.comment")]) }
        let before = request.auditSnapshot
        request.status = accept ? .accepted : .returned
        request.acceptedAt = accept ? at : nil
        request.reviewComment = comment.isEmpty ? nil : String(comment.prefix(2000))
        request.version += 1
        try await db.transaction { db in
        try await request.update(on: db)
        let requestID = try request.requireID()
        try await addRevision(request, action: accept ? .accepted : .returned, comment: request.reviewComment ?? "", actor: actor, at: at, on: db)
        try await Inbox.post(
            toUnit: request.$unit.id, kind: accept ? "report.accepted" : "report.returned",
            message: L10n.format(accept ? "reports.inbox.accepted" : "reports.inbox.returned", [request.period.regime.name, request.period.label, comment]),
            target: InboxTarget(type: "report", id: requestID), dedupeKey: "report.review:\(requestID):\(request.version)", at: at, on: db
        )
        try await AuditLog.record(
            on: db, actor: actor, at: at, action: "update", entityType: "report_request", entityID: requestID,
            summary: L10n.format(accept ? "reports.audit.accept" : "reports.audit.return", [request.unit.name, request.period.label]), before: before, after: request.auditSnapshot
        )
        }
    }

    /// The home page's lines: reports the user's units must send within a week (or are late
    /// with), and, for staff, reports waiting for them to review. Figures read in the home
    /// page's one statement (`PageFigures`): a count and the nearest deadline, not the rows.
    public static let homeTodos = HomeTodoSource(
        tables: [ReportRequest.schema, ReportPeriod.schema, ReportRegime.schema],
        figures: { user, scope, today in
            // Due dates are days (the province's midnight): "within a week" from any time of
            // today is up to the day a week ahead.
            let horizon = VNFormat.calendar.date(byAdding: .day, value: 7, to: today) ?? today
            // The scope as the unit ids the request knows (a join along the unit paths cost
            // twice as much), nothing for a scope holding every unit.
            let owed: SQLQueryString = """
                FROM report_requests r
                WHERE r.status IN ('pending', 'draft', 'returned') AND r.due_on <= \(bind: horizon)\(SQLQueryString.unitFilter("r.unit_id", scope))
                """
            var figures = PageFigures()
            figures.add("reports_owed", "SELECT COUNT(*) \(owed)")
            figures.add("reports_nearest", "SELECT MIN(r.due_on) \(owed)")
            // For staff, the reports sent to a receiving unit inside the scope and waiting for
            // review (a focal person reviews nothing).
            if user.role != .focal {
                figures.add("reports_waiting", """
                    SELECT COUNT(*) FROM report_requests w JOIN report_periods p ON p.id = w.period_id JOIN report_regimes g ON g.id = p.regime_id
                    WHERE w.status = 'submitted'\(SQLQueryString.unitFilter("g.receiving_unit_id", scope))
                    """)
            }
            return figures
        },
        lines: { values, user in
            var lines: [HomeTodo] = []
            let owed = try values.int("reports_owed")
            if owed > 0, let nearest = try values.date("reports_nearest") {
                lines.append(HomeTodo(text: L10n.format("reports.home.owed", [VNFormat.integer(owed), VNFormat.date(nearest)]), href: ReportsRoute.index.path))
            }
            let waiting = user.role == .focal ? 0 : try values.int("reports_waiting")
            if waiting > 0 {
                lines.append(HomeTodo(text: L10n.format("reports.home.review", [VNFormat.integer(waiting)]), href: ReportsRoute.index.path))
            }
            return lines
        }
    )

    /// Attaches stored files to a request that can still be changed (audited).
    public static func attach(_ request: ReportRequest, files: [(filename: String, stored: FileStore.Stored)], actor: AuditActor, at: Date, on db: any Database) async throws {
        guard [.pending, .draft, .returned].contains(request.status) else { throw Refusal.wrongState(L10n.text("reports.error.closed")) }
        let requestID = try request.requireID()
        try await db.transaction { db in
            for file in files {
                let attachment = ReportAttachment(requestID: requestID, filename: file.filename, stored: file.stored, uploadedBy: actor.name, at: at)
                try await attachment.create(on: db)
                try await AuditLog.record(
                    on: db, actor: actor, at: at, action: "create", entityType: "report_attachment", entityID: attachment.id,
                    summary: L10n.format("reports.audit.attach", [file.filename, request.unit.name, request.period.label]), after: ["filename": file.filename, "sha256": file.stored.sha256]
                )
            }
        }
    }

    /// The receiving unit's own open requests (to the level above) whose cut-off falls in
    /// `period`'s window or up to 40 days after: where a consolidation can become the unit's own draft.
    public static func ownRequests(of unitID: UUID, near period: ReportPeriod, on db: any Database) async throws -> [ReportRequest] {
        let from = period.startsOn, to = period.cutoffOn.addingTimeInterval(40 * 86_400)
        return try await ReportRequest.query(on: db).filter(\.$unit.$id == unitID).filter(\.$status ~~ [.pending, .draft, .returned])
            .join(ReportPeriod.self, on: \ReportRequest.$period.$id == \ReportPeriod.$id)
            .filter(ReportPeriod.self, \.$cutoffOn >= from).filter(ReportPeriod.self, \.$cutoffOn <= to)
            .with(\.$unit).with(\.$period) { $0.with(\.$regime).with(\.$template) }.all()
    }

    /// Writes a consolidation into the unit's own request as a draft, for the specialist to
    /// edit and send to the level above: each section of the same key gets the units' texts
    /// ("Unit: text" per line), each indicator of the same key the consolidated value. What the
    /// draft already had in other fields stays. Audited; a stale version is refused.
    public static func draft(_ request: ReportRequest, from consolidation: ReportAnalysis.Consolidation, expectedVersion: Int, actor: AuditActor, at: Date, on db: any Database) async throws {
        guard [.pending, .draft, .returned].contains(request.status) else { throw Refusal.wrongState(L10n.text("reports.error.closed")) }
        guard request.version == expectedVersion else { throw Refusal.staleVersion }
        let target = try request.period.template.definition
        var values = request.values, texts = request.texts
        let lines = Dictionary(consolidation.lines.map { ($0.indicator.key, $0) }, uniquingKeysWith: { a, _ in a })
        for indicator in target.indicators {
            if let value = lines[indicator.key]?.current { values[indicator.key] = value }
        }
        for section in target.sections {
            guard let entries = consolidation.texts[section.key], !entries.isEmpty else { continue }
            texts[section.key] = String(entries.map { "\($0.unit): \($0.text)" }.joined(separator: "\n").prefix(20_000))
        }
        let before = request.auditSnapshot
        request.values = values
        request.texts = texts
        request.version += 1
        if request.status == .pending { request.status = .draft }
        try await request.update(on: db)
        try await AuditLog.record(
            on: db, actor: actor, at: at, action: "update", entityType: "report_request", entityID: request.id,
            summary: L10n.format("reports.audit.from_consolidation", [request.unit.name, request.period.label, consolidation.period.label]), before: before, after: request.auditSnapshot
        )
    }

    /// Urges a unit that has not submitted (inbox entry, audited).
    public static func urge(_ request: ReportRequest, message: String, actor: AuditActor, at: Date, on db: any Database) async throws {
        guard [.pending, .draft, .returned].contains(request.status) else { throw Refusal.wrongState(L10n.text("reports.error.nothing_to_urge")) }
        let requestID = try request.requireID()
        try await Inbox.post(
            toUnit: request.$unit.id, kind: "report.urged", message: L10n.format("reports.inbox.urged", [request.period.regime.name, request.period.label, message]),
            target: InboxTarget(type: "report", id: requestID), dedupeKey: "report.urged:\(requestID):\(at.timeIntervalSince1970)", at: at, on: db
        )
        try await AuditLog.record(on: db, actor: actor, at: at, action: "urge", entityType: "report_request", entityID: requestID, summary: L10n.format("reports.audit.urge", [request.unit.name, request.period.label]))
    }

    static func addRevision(_ request: ReportRequest, action: ReportRevision.Action, comment: String, actor: AuditActor, at: Date, on db: any Database) async throws {
        let requestID = try request.requireID()
        let last = try await ReportRevision.query(on: db).filter(\.$request.$id == requestID).sort(\.$number, .descending).first()
        let revision = ReportRevision()
        revision.$request.id = requestID
        revision.number = (last?.number ?? 0) + 1
        revision.action = action
        revision.valuesJSON = request.valuesJSON
        revision.textsJSON = request.textsJSON
        revision.comment = comment
        revision.actorName = actor.name
        revision.at = at
        try await revision.create(on: db)
    }

    /// The request's history, oldest first.
    public static func history(of request: ReportRequest, on db: any Database) async throws -> [ReportRevision] {
        try await ReportRevision.query(on: db).filter(\.$request.$id == request.requireID()).sort(\.$number).all()
    }

    /// Prefilled values for the request's unit and period from the registered sources.
    public static func prefill(_ request: ReportRequest, sources: ReportSources, on db: any Database) async throws -> [String: Double] {
        var values: [String: Double] = [:]
        for indicator in try request.period.template.definition.indicators {
            guard let key = indicator.source, let source = sources[key] else { continue }
            values[indicator.key] = try await source.compute(request.$unit.id, request.period.startsOn, request.period.cutoffOn, db)
        }
        return values
    }

    /// The unit's accepted values of each indicator in earlier periods of the regime (newest
    /// first, at most 12), for the reviewer's outlier flags.
    public static func acceptedValues(unitID: UUID, regimeID: UUID, before period: ReportPeriod, on db: any Database) async throws -> [String: [Double]] {
        let earlier = try await ReportPeriod.query(on: db).filter(\.$regime.$id == regimeID).all()
            .filter { $0.isAdHoc == period.isAdHoc && $0.cutoffOn < period.cutoffOn }.sorted { $0.cutoffOn > $1.cutoffOn }.prefix(12)
        let ids = earlier.compactMap(\.id)
        guard !ids.isEmpty else { return [:] }
        let requests = try await ReportRequest.query(on: db).filter(\.$unit.$id == unitID).filter(\.$period.$id ~~ ids).filter(\.$status == .accepted).all()
        var found: [String: [Double]] = [:]
        for request in requests {
            for (key, value) in request.values { found[key, default: []].append(value) }
        }
        return found
    }
}
