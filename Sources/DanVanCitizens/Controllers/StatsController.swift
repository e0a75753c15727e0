import DanVanCore
import DanVanText
import Fluent
import Foundation
import Vapor

/// The statistics page and its Excel file; the settings: time limits, the working calendar,
/// the warning rules.
struct StatsController {
    struct LineRow: Encodable, Sendable {
        let label: String
        let received: String
        let accepted: String
        let onTime: String
        let late: String
        let overdue: String
        let open: String
        let rate: String
        let share: Int
    }

    struct Section: Encodable, Sendable {
        let id: String
        let title: String
        let rows: [LineRow]
    }

    struct StatsContext: Encodable, Sendable {
        let from: String
        let to: String
        let total: LineRow
        let mass: String
        let sections: [Section]
        let query: String
        let error: String?
    }

    /// The period asked for: `from`…`to` (whole days), by default the year so far.
    static func period(_ req: Request) -> (from: Date, until: Date, error: String?) {
        let today = CivilDay.startOfDay(req.now)
        let year = VNFormat.calendar.component(.year, from: today)
        let defaultFrom = VNFormat.parseDate("\(year)-01-01") ?? today
        let fromText = (try? req.query.get(String.self, at: "from")) ?? ""
        let toText = (try? req.query.get(String.self, at: "to")) ?? ""
        let from = fromText.isEmpty ? defaultFrom : VNFormat.parseDate(fromText)
        let to = toText.isEmpty ? today : VNFormat.parseDate(toText)
        guard let from, let to else { return (defaultFrom, today.addingTimeInterval(86_400), req.t("citizens.error.date")) }
        guard from <= to else { return (to, from.addingTimeInterval(86_400), req.t("citizens.error.period")) }
        return (from, to.addingTimeInterval(86_400), nil)
    }

    static func rows(_ stats: PetitionStatistics, units: [UUID: OrgUnit], req: Request) -> (total: LineRow, sections: [Section]) {
        let top = max(1, stats.total.received)
        func row(_ line: PetitionStatistics.Line, label: String) -> LineRow {
            LineRow(label: label, received: VNFormat.integer(line.received), accepted: VNFormat.integer(line.accepted), onTime: VNFormat.integer(line.resolvedOnTime),
                    late: VNFormat.integer(line.resolvedLate), overdue: VNFormat.integer(line.overdue), open: VNFormat.integer(line.open),
                    rate: line.onTimeRate.map { VNFormat.percent($0) } ?? "—", share: line.received * 100 / top)
        }
        return (
            row(stats.total, label: req.t("citizens.stats.total")),
            [
                Section(id: "by-kind", title: req.t("citizens.stats.by_kind"), rows: stats.byKind.map { row($0, label: PetitionKind(rawValue: $0.key)?.label ?? $0.key) }),
                Section(id: "by-field", title: req.t("citizens.stats.by_field"), rows: stats.byField.map { row($0, label: PetitionField(rawValue: $0.key)?.label ?? $0.key) }),
                Section(id: "by-channel", title: req.t("citizens.stats.by_channel"), rows: stats.byChannel.map { row($0, label: PetitionChannel(rawValue: $0.key)?.label ?? $0.key) }),
                Section(id: "by-status", title: req.t("citizens.stats.by_status"), rows: stats.byStatus.map { row($0, label: PetitionStatus(rawValue: $0.key)?.label ?? $0.key) }),
                Section(id: "by-unit", title: req.t("citizens.stats.by_unit"), rows: stats.byUnit.map { row($0, label: UUID(uuidString: $0.key).flatMap { units[$0]?.name } ?? "") }),
            ]
        )
    }

    func show(_ req: Request) async throws -> Response {
        let (from, until, error) = Self.period(req)
        let stats = try await CitizenStats.statistics(from: from, until: until, unitIDs: try await req.scopeUnitIDs(), today: CivilDay.startOfDay(req.now), on: req.db)
        let (total, sections) = Self.rows(stats, units: try await req.unitsByID(), req: req)
        let context = StatsContext(
            from: VNFormat.isoDate(from), to: VNFormat.isoDate(until.addingTimeInterval(-86_400)), total: total, mass: VNFormat.integer(stats.mass),
            sections: sections, query: req.url.query ?? "", error: error
        )
        return try await req.render("citizens/statistics", title: req.t("citizens.stats.title"), context, status: error == nil ? .ok : .unprocessableEntity)
    }

    func xlsx(_ req: Request) async throws -> Response {
        let (from, until, _) = Self.period(req)
        let stats = try await CitizenStats.statistics(from: from, until: until, unitIDs: try await req.scopeUnitIDs(), today: CivilDay.startOfDay(req.now), on: req.db)
        let (total, sections) = Self.rows(stats, units: try await req.unitsByID(), req: req)
        let header = ["", "citizens.stats.received", "citizens.stats.accepted", "citizens.stats.on_time", "citizens.stats.late", "citizens.stats.overdue", "citizens.stats.open", "citizens.stats.rate"].map { $0.isEmpty ? "" : req.t($0) }
        var table: [[String]] = [[req.t("citizens.stats.heading", VNFormat.date(from), VNFormat.date(until.addingTimeInterval(-86_400)))], header]
        func cells(_ row: LineRow) -> [String] { [row.label, row.received, row.accepted, row.onTime, row.late, row.overdue, row.open, row.rate] }
        table.append(cells(total))
        for section in sections {
            table.append([])
            table.append([section.title])
            for row in section.rows { table.append(cells(row)) }
        }
        return try req.spreadsheet(table, format: .xlsx, baseName: "thong-ke-don-thu-\(VNFormat.isoDate(from))", sheetName: req.t("citizens.stats.title"), widths: [36, 12, 12, 14, 14, 12, 12, 12])
    }

    /// The period's summary as a Word document issued by the user's unit (a department of a
    /// board issues it as the board).
    func docx(_ req: Request) async throws -> Response {
        let (from, until, error) = Self.period(req)
        if let error { throw AppError.badRequest(error) }
        let scope = try await req.scope()
        let units = try await req.unitsByID()
        var issuer = try await req.currentUnit()
        while let parentID = issuer.$parent.id, let parent = units[parentID], parent.kind == issuer.kind, parent.oversight == issuer.oversight, parent.level == issuer.level {
            issuer = parent
        }
        let today = CivilDay.startOfDay(req.now)
        let stats = try await CitizenStats.statistics(from: from, until: until, unitIDs: try await req.scopeUnitIDs(), today: today, on: req.db)
        let meetings = try await scope.filter(CitizenMeeting.query(on: req.db)).filter(\.$heldOn >= from).filter(\.$heldOn < until).all()
        let meetingIDs = meetings.compactMap(\.id)
        let commitments = meetingIDs.isEmpty ? [] : try await MeetingCommitment.query(on: req.db).filter(\.$meeting.$id ~~ meetingIDs).all()
        let states = try await MeetingService.states(commitments, followUps: req.application.followUps, today: today, on: req.db)
        let spots = try await scope.filter(HotSpot.query(on: req.db)).group(.or) { $0.filter(\.$status != .resolved).filter(\.$updatedAt >= from) }
            .sort(\.$severity, .descending).limit(50).all()
        let through = until.addingTimeInterval(-86_400)
        let document = CitizenSummary.document(
            issuer: issuer, parent: issuer.$parent.id.flatMap { units[$0] }, place: AdministrativeLayout.place(of: issuer, units: units), from: from, through: through,
            stats: stats, units: units, meetings: meetings, commitmentStates: Array(states.values), hotSpots: spots, date: req.now
        )
        return req.wordDocument(try DOCX.write(document), baseName: "bao-cao-don-thu-\(VNFormat.isoDate(from))-\(VNFormat.isoDate(through))")
    }

    // MARK: Settings

    struct DayRow: Encodable, Sendable {
        let day: String
        let iso: String
        let weekday: String
        let name: String
        let decision: String
        let note: String
    }

    struct RuleRow: Encodable, Sendable {
        let kind: String
        let instance: String
        let complexity: String
        let remote: String
        let accept: String
        let resolve: String
        let dayType: String
        let extensions: String
        let basis: String
        let from: String
        let until: String
        let current: Bool
    }

    struct WarningRuleRow: Encodable, Sendable {
        let key: String
        let label: String
        let enabled: Bool
        let threshold: Int
        let days: Int
        let usesDays: Bool
    }

    struct SettingsContext: Encodable, Sendable {
        let year: Int
        let previousYear: Int
        let nextYear: Int
        let days: [DayRow]
        let rules: [RuleRow]
        let warningRules: [WarningRuleRow]
        let kinds: [SelectOption]
        let complexities: [SelectOption]
        let dayTypes: [SelectOption]
        let error: String?
        let typed: [String: String]
    }

    func settings(_ req: Request) async throws -> Response {
        try await settingsPage(req, error: nil, typed: [:])
    }

    func settingsPage(_ req: Request, error: String?, typed: [String: String], status: HTTPResponseStatus = .ok) async throws -> Response {
        let thisYear = VNFormat.calendar.component(.year, from: req.now)
        let year = (try? req.query.get(Int.self, at: "year")).map { min(2200, max(1950, $0)) } ?? Int(typed["year"] ?? "") ?? thisYear
        let calendar = try await WorkingCalendarStore.load(on: req.db)
        let decisions = try await CalendarDecision.query(on: req.db).filter(\.$day >= "\(year)-01-01").filter(\.$day <= "\(year)-12-31").all()
        var days: [String: DayRow] = [:]
        let weekday = { (day: LunarCalendar.SolarDate) in L10n.text("citizens.weekday.\(WorkingCalendar.weekday(day))") }
        for (day, holiday) in WorkingCalendar.holidays(year) {
            days[day.iso] = DayRow(day: String(format: "%02d/%02d/%04d", day.day, day.month, day.year), iso: day.iso, weekday: weekday(day),
                                   name: L10n.text("citizens.holiday.\(holiday.rawValue)"), decision: calendar.isWorkingDay(day) ? L10n.text("citizens.calendar.working") : L10n.text("citizens.calendar.off"), note: "")
        }
        for decision in decisions {
            guard let day = LunarCalendar.SolarDate(iso: decision.day) else { continue }
            let name = WorkingCalendar.holidays(year)[day].map { L10n.text("citizens.holiday.\($0.rawValue)") } ?? ""
            days[day.iso] = DayRow(day: String(format: "%02d/%02d/%04d", day.day, day.month, day.year), iso: day.iso, weekday: weekday(day), name: name,
                                   decision: L10n.text(decision.decision == "working" ? "citizens.calendar.working_decided" : "citizens.calendar.off_decided"), note: decision.note)
        }
        let rules = try await TimeLimitRule.query(on: req.db).sort(\.$kind).sort(\.$instance).sort(\.$effectiveFrom).all()
        let today = CivilDay.startOfDay(req.now)
        let settings = try await EarlyWarning.settings(on: req.db)
        let context = SettingsContext(
            year: year, previousYear: year - 1, nextYear: year + 1, days: days.values.sorted { $0.iso < $1.iso },
            rules: rules.map { rule in
                RuleRow(kind: rule.kind.label, instance: rule.instance == 0 ? "—" : String(rule.instance), complexity: rule.complexity?.label ?? "—",
                        remote: rule.remote.map { $0 ? req.t("citizens.yes") : req.t("citizens.no") } ?? "—", accept: rule.acceptDays.map(String.init) ?? "—",
                        resolve: String(rule.resolveDays), dayType: rule.dayType.label,
                        extensions: rule.maxExtensions == 0 ? "—" : req.t("citizens.rules.extensions", String(rule.maxExtensions), String(rule.extensionDays)),
                        basis: rule.basis, from: VNFormat.date(rule.effectiveFrom), until: VNFormat.date(rule.effectiveUntil),
                        current: rule.effectiveFrom <= today && (rule.effectiveUntil.map { today < $0 } ?? true))
            },
            warningRules: WarningRule.allCases.map { rule in
                let setting = settings[rule]
                return WarningRuleRow(key: rule.rawValue, label: rule.label, enabled: setting?.enabled ?? false, threshold: setting?.threshold ?? 0, days: setting?.days ?? 0, usesDays: rule.usesDays)
            },
            kinds: PetitionKind.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == typed["kind"]) },
            complexities: [SelectOption(value: "", label: req.t("citizens.rules.any"), selected: (typed["complexity"] ?? "").isEmpty)] + PetitionComplexity.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == typed["complexity"]) },
            dayTypes: TimeLimitRule.DayType.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == (typed["day_type"] ?? "calendar")) },
            error: error, typed: typed
        )
        return try await req.render("citizens/settings", title: req.t("citizens.settings.title"), context, status: status)
    }

    /// Records a decision for a day (off, working) or clears it.
    func calendarDay(_ req: Request) async throws -> Response {
        var typed = req.typedForm()
        guard let date = VNFormat.parseDate(typed["day"] ?? "") else { return try await settingsPage(req, error: req.t("citizens.error.date"), typed: typed, status: .unprocessableEntity) }
        let iso = VNFormat.isoDate(date)
        typed["year"] = String(iso.prefix(4))
        let decision = typed["decision"] ?? ""
        guard ["off", "working", "clear"].contains(decision) else { return try await settingsPage(req, error: req.t("citizens.error.decision_kind"), typed: typed, status: .unprocessableEntity) }
        let note = VietnameseText.clean(typed["note"] ?? "")
        if decision != "clear", note.isEmpty { return try await settingsPage(req, error: req.t("citizens.error.calendar_note"), typed: typed, status: .unprocessableEntity) }
        let actor = req.actor
        let at = req.now
        try await req.db.transaction { db in
            let existing = try await CalendarDecision.query(on: db).filter(\.$day == iso).first()
            if decision == "clear" {
                try await existing?.delete(on: db)
            } else {
                let row = existing ?? CalendarDecision()
                if existing == nil { row.id = UUID(); row.day = iso; row.createdAt = at }
                row.decision = decision
                row.note = note
                try await row.save(on: db)
            }
            try await AuditLog.record(on: db, actor: actor, at: at, action: "update", entityType: "working_calendar", entityID: nil,
                                      summary: L10n.format("citizens.audit.calendar", [VNFormat.date(date), decision]))
        }
        req.flash(.success, req.t("citizens.flash.calendar"))
        return req.redirect(to: CitizensRoute.settings.path + "?year=\(iso.prefix(4))")
    }

    /// A new time-limit row from a date: the rows it replaces end that day (an amendment is data).
    func timeLimit(_ req: Request) async throws -> Response {
        let typed = req.typedForm()
        func int(_ key: String) -> Int? { Int((typed[key] ?? "").trimmingCharacters(in: .whitespaces)) }
        guard let kind = PetitionKind(rawValue: typed["kind"] ?? ""), let resolve = int("resolve_days"), (1...365).contains(resolve),
              let from = VNFormat.parseDate(typed["effective_from"] ?? "") else {
            return try await settingsPage(req, error: req.t("citizens.error.rule"), typed: typed, status: .unprocessableEntity)
        }
        let basis = VietnameseText.clean(typed["basis"] ?? "")
        guard !basis.isEmpty else { return try await settingsPage(req, error: req.t("citizens.error.basis"), typed: typed, status: .unprocessableEntity) }
        let rule = TimeLimitRule()
        rule.id = UUID()
        rule.kind = kind
        rule.instance = min(2, max(0, int("instance") ?? 0))
        rule.complexity = PetitionComplexity(rawValue: typed["complexity"] ?? "")
        rule.remote = ["yes": true, "no": false][typed["remote"] ?? ""]
        rule.acceptDays = int("accept_days").flatMap { (1...60).contains($0) ? $0 : nil }
        rule.resolveDays = resolve
        rule.dayType = TimeLimitRule.DayType(rawValue: typed["day_type"] ?? "") ?? .calendar
        rule.maxExtensions = min(5, max(0, int("max_extensions") ?? 0))
        rule.extensionDays = min(365, max(0, int("extension_days") ?? 0))
        guard rule.maxExtensions == 0 || rule.extensionDays > 0 else { return try await settingsPage(req, error: req.t("citizens.error.rule_extension"), typed: typed, status: .unprocessableEntity) }
        rule.basis = basis
        rule.effectiveFrom = from
        rule.createdAt = req.now
        let actor = req.actor
        let at = req.now
        try await req.db.transaction { db in
            let replaced = try await TimeLimitRule.query(on: db).filter(\.$kind == kind).filter(\.$instance == rule.instance).all()
                .filter { $0.complexity == rule.complexity && $0.remote == rule.remote && $0.effectiveFrom < from && ($0.effectiveUntil.map { $0 > from } ?? true) }
            for old in replaced {
                old.effectiveUntil = from
                try await old.update(on: db)
            }
            try await rule.create(on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "create", entityType: "time_limit", entityID: rule.id,
                                      summary: L10n.format("citizens.audit.rule", [kind.label, String(resolve), VNFormat.date(from), String(replaced.count)]))
        }
        req.flash(.success, req.t("citizens.flash.rule"))
        return req.redirect(to: CitizensRoute.settings)
    }

    /// The warning rules' switches and thresholds.
    func warningRules(_ req: Request) async throws -> Response {
        let typed = req.typedForm()
        let settings = try await EarlyWarning.settings(on: req.db)
        var changed: [WarningRuleSetting] = []
        for rule in WarningRule.allCases {
            guard let setting = settings[rule] else { continue }
            guard let threshold = Int((typed["\(rule.rawValue).threshold"] ?? "").trimmingCharacters(in: .whitespaces)), (1...100_000).contains(threshold) else {
                return try await settingsPage(req, error: req.t("citizens.error.threshold", rule.label), typed: [:], status: .unprocessableEntity)
            }
            var days = setting.days
            if rule.usesDays {
                guard let typedDays = Int((typed["\(rule.rawValue).days"] ?? "").trimmingCharacters(in: .whitespaces)), (1...3650).contains(typedDays) else {
                    return try await settingsPage(req, error: req.t("citizens.error.threshold", rule.label), typed: [:], status: .unprocessableEntity)
                }
                days = typedDays
            }
            setting.enabled = typed["\(rule.rawValue).enabled"] == "1"
            setting.threshold = threshold
            setting.days = days
            setting.updatedAt = req.now
            changed.append(setting)
        }
        let actor = req.actor
        let at = req.now
        let settingsToSave = changed
        try await req.db.transaction { db in
            for setting in settingsToSave { try await setting.update(on: db) }
            try await AuditLog.record(on: db, actor: actor, at: at, action: "update", entityType: "warning_rules", entityID: nil,
                                      summary: settingsToSave.map { "\($0.key)=\($0.enabled ? 1 : 0)/\($0.threshold)/\($0.days)" }.joined(separator: ", "))
        }
        req.flash(.success, req.t("citizens.flash.rules"))
        return req.redirect(to: CitizensRoute.settings)
    }
}
