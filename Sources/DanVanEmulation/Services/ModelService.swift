import DanVanCore
import DanVanText
import Fluent
import Foundation

/// A model or exemplar as typed.
public struct ModelInput: Sendable {
    public var unitID: UUID?
    public var year = 0
    public var kind: DVKModel.Kind = .model
    public var holder: DVKModel.Holder = .collective
    public var name = ""
    public var field: EmulationField?
    public var landFocus = false
    public var problem = ""
    public var solution = ""
    public var beneficiaries = ""
    public var expected = ""
    public var contactName = ""
    public var contactPhone = ""
    public var contactUserID: UUID?
    public var sourceModelID: UUID?

    public init() {}

    /// Messages by field (the window and duplicates are checked against the database).
    public func validate() -> FormErrors {
        var errors = FormErrors()
        if unitID == nil { errors.add("unit", "emulation.error.unit") }
        let clean = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if clean.isEmpty { errors.add("name", "emulation.error.name") } else if clean.count > 300 { errors.add("name", "emulation.error.too_long", "300") }
        if field == nil { errors.add("field", "emulation.error.field") }
        if kind == .model, holder == .person { errors.add("holder", "emulation.error.model_person") }
        if problem.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { errors.add("problem", "emulation.error.problem") }
        if solution.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { errors.add("solution", "emulation.error.solution") }
        if contactName.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { errors.add("contact_name", "emulation.error.contact") }
        for (field, text) in [("problem", problem), ("solution", solution), ("beneficiaries", beneficiaries), ("expected", expected)] where text.count > 8000 {
            errors.add(field, "emulation.error.too_long", "8000")
        }
        return errors
    }
}

/// The model register: registration in the year's window, progress, proposal, the board's
/// decisions (appraisal, recognition, commendation, replication, retirement), each a timeline
/// step and an audit entry on the same transaction.
public enum ModelService {
    /// The year's settings, with the defaults (window 1/1–30/6, targets 80%, one model recognised
    /// at commune level or above) when the province has not set them.
    public static func year(_ year: Int, on db: any Database) async throws -> EmulationYear {
        if let found = try await EmulationYear.query(on: db).filter(\.$year == year).first() { return found }
        let settings = EmulationYear()
        settings.year = year
        settings.opensOn = VNFormat.parseDate("\(year)-01-01") ?? Date()
        settings.closesOn = VNFormat.parseDate("\(year)-06-30") ?? Date()
        settings.dvkTarget = 0.8
        settings.democracyTarget = 0.8
        settings.meetsModels = 1
        settings.meetsLevel = "commune"
        settings.updatedAt = Date(timeIntervalSince1970: 0)
        return settings
    }

    /// Registers a model: in the window, one of a name per unit and year.
    public static func register(_ input: ModelInput, actor: AuditActor, at: Date, on db: any Database) async throws -> Result<DVKModel, FormErrors> {
        var errors = input.validate()
        let settings = try await year(input.year, on: db)
        let today = CivilDay.startOfDay(at)
        if today < settings.opensOn || today > settings.closesOn {
            errors.add("year", "emulation.error.window", VNFormat.date(settings.opensOn), VNFormat.date(settings.closesOn), String(input.year))
        }
        let nameKey = VietnameseText.fold(input.name).split(whereSeparator: \.isWhitespace).joined(separator: " ")
        if let unitID = input.unitID, !nameKey.isEmpty,
           try await DVKModel.query(on: db).filter(\.$unit.$id == unitID).filter(\.$year == input.year).filter(\.$nameKey == nameKey).first() != nil {
            errors.add("name", "emulation.error.duplicate", String(input.year))
        }
        guard errors.isEmpty, let unitID = input.unitID, let field = input.field else { return .failure(errors) }
        let model = DVKModel()
        model.id = UUID()
        model.$unit.id = unitID
        model.year = input.year
        model.kind = input.kind
        model.holder = input.kind == .model ? .collective : input.holder
        model.name = VietnameseText.clean(input.name)
        model.nameKey = nameKey
        model.field = field
        model.landFocus = input.landFocus
        model.problem = text(input.problem)
        model.solution = text(input.solution)
        model.beneficiaries = text(input.beneficiaries)
        model.expected = text(input.expected)
        model.results = ""
        model.contactName = VietnameseText.clean(input.contactName)
        model.contactPhone = VietnameseText.clean(input.contactPhone)
        model.contactUserID = input.contactUserID
        model.status = .registered
        model.commendation = ""
        model.reasons = ""
        model.sourceModelID = input.sourceModelID
        model.searchText = searchText(model)
        model.version = 1
        model.createdAt = at
        model.updatedAt = at
        try await db.transaction { db in
            try await model.create(on: db)
            try await event(model, "registered", L10n.format("emulation.event.registered", [model.kind.label, String(model.year)]), actor: actor, at: at, on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "create", entityType: "dvk-model", entityID: model.id, summary: L10n.format("emulation.audit.register", [model.name]))
        }
        return .success(model)
    }

    /// A progress note with its evidence; the first moves a registered model to "being built".
    public static func note(_ model: DVKModel, text note: String, results: String?, files: [(filename: String, stored: FileStore.Stored)], actor: AuditActor, at: Date, on db: any Database) async throws {
        try await db.transaction { db in
            let event = try await event(model, "note", text(note), actor: actor, at: at, on: db)
            for file in files { try await attach(file, owner: "event", id: try event.requireID(), actor: actor, at: at, on: db) }
            if model.status == .registered || model.status == .notRecognised { model.status = .building }
            if let results, !results.trimmingCharacters(in: .whitespaces).isEmpty { model.results = text(results) }
            model.updatedAt = at
            model.version += 1
            try await model.update(on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "note", entityType: "dvk-model", entityID: model.id, summary: L10n.format("emulation.audit.note", [model.name, String(files.count)]))
        }
    }

    /// Stores a file record for an owner.
    public static func attach(_ file: (filename: String, stored: FileStore.Stored), owner: String, id: UUID, actor: AuditActor, at: Date, on db: any Database) async throws {
        let row = EmulationFile()
        row.id = UUID()
        row.ownerType = owner
        row.ownerID = id
        row.filename = file.filename
        row.contentType = file.stored.contentType
        row.size = file.stored.size
        row.sha256 = file.stored.sha256
        row.storageKey = file.stored.key
        row.uploadedBy = actor.name
        row.at = at
        try await row.create(on: db)
    }

    /// Which statuses a unit may propose from, and to which level.
    public static func canPropose(_ model: DVKModel, currentYear: Int) -> Bool {
        switch model.status {
        case .registered, .building, .notRecognised: return true
        // Recognised at commune level: on to the province; recognised in an earlier year: re-appraised.
        case .recognised, .commended, .replicated: return model.level != "province" || (model.recognisedYear ?? currentYear) < currentYear
        default: return false
        }
    }

    /// The unit proposes the model for recognition at `level`.
    public static func propose(_ model: DVKModel, level: String, results: String, actor: AuditActor, at: Date, on db: any Database) async throws {
        model.status = .proposed
        model.proposedLevel = level
        if !results.trimmingCharacters(in: .whitespaces).isEmpty { model.results = text(results) }
        model.updatedAt = at
        model.version += 1
        try await db.transaction { db in
            try await model.update(on: db)
            try await event(model, "proposed", L10n.format("emulation.event.proposed", [L10n.text("emulation.level.\(level)")]), actor: actor, at: at, on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "propose", entityType: "dvk-model", entityID: model.id, summary: L10n.format("emulation.audit.propose", [model.name, level]))
        }
    }

    /// The board opens the appraisal of a proposed model before a council.
    public static func openAppraisal(_ model: DVKModel, set: CriteriaSet, council: Council, level: String, actor: AuditActor, at: Date, on db: any Database) async throws -> Appraisal {
        try await db.transaction { db in
            let appraisal = try await AssessmentService.open(set: set, council: council, subject: .model, subjectID: try model.requireID(), proposingUnitID: model.$unit.id,
                                                             contactUserID: model.contactUserID, level: level, actor: actor, at: at, on: db)
            model.status = .appraising
            model.updatedAt = at
            model.version += 1
            try await model.update(on: db)
            try await event(model, "appraising", L10n.format("emulation.event.appraising", [council.name]), actor: actor, at: at, on: db)
            return appraisal
        }
    }

    /// The decision after a closed appraisal: recognised at its level (decision number and date)
    /// or not (reasons).
    public static func decide(_ model: DVKModel, appraisal: Appraisal, recognise: Bool, passes: Bool, decisionNumber: String, decisionDate: Date?, reasons: String, actor: AuditActor, at: Date, on db: any Database) async throws -> FormErrors {
        var errors = FormErrors()
        if appraisal.status != .closed { errors.add("decision", "emulation.error.not_appraised") }
        else if recognise, !passes { errors.add("decision", "emulation.error.below_class") }
        if recognise {
            if decisionNumber.trimmingCharacters(in: .whitespaces).isEmpty { errors.add("decision_number", "emulation.error.decision_number") }
            if decisionDate == nil { errors.add("decision_date", "emulation.error.date") }
        } else if reasons.trimmingCharacters(in: .whitespaces).isEmpty {
            errors.add("reasons", "emulation.error.reasons")
        }
        guard errors.isEmpty else { return errors }
        try await db.transaction { db in
            if recognise, let decisionDate {
                let year = VNFormat.calendar.component(.year, from: decisionDate)
                let recognition = try await Recognition.query(on: db).filter(\.$model.$id == model.requireID()).filter(\.$level == appraisal.level).filter(\.$year == year).first() ?? Recognition()
                if recognition.id == nil { recognition.id = UUID() }
                recognition.$model.id = try model.requireID()
                recognition.unitID = model.$unit.id
                recognition.level = appraisal.level
                recognition.year = year
                recognition.field = model.field
                recognition.decisionNumber = VietnameseText.clean(decisionNumber)
                recognition.decisionDate = decisionDate
                recognition.appraisalID = appraisal.id
                recognition.result = appraisal.result
                try await recognition.save(on: db)
                if model.level != "province" { model.level = appraisal.level }
                model.recognisedYear = max(model.recognisedYear ?? year, year)
                model.status = model.commendation.isEmpty ? .recognised : .commended
                model.reasons = ""
                try await event(model, "recognised", L10n.format("emulation.event.recognised", [L10n.text("emulation.level.\(appraisal.level)"), recognition.decisionNumber, VNFormat.date(decisionDate)]), actor: actor, at: at, on: db)
            } else {
                // Not recognised at this level: a model already recognised lower keeps that.
                model.status = model.level == nil ? .notRecognised : .recognised
                model.reasons = text(reasons)
                try await event(model, "not-recognised", L10n.format("emulation.event.not_recognised", [L10n.text("emulation.level.\(appraisal.level)"), model.reasons]), actor: actor, at: at, on: db)
            }
            model.updatedAt = at
            model.version += 1
            try await model.update(on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: recognise ? "recognise" : "not-recognise", entityType: "dvk-model", entityID: model.id,
                                      summary: L10n.format(recognise ? "emulation.audit.recognise" : "emulation.audit.not_recognise", [model.name, appraisal.level]))
        }
        return errors
    }

    /// The form of commendation (Bằng khen, Giấy khen…).
    public static func commend(_ model: DVKModel, form: String, actor: AuditActor, at: Date, on db: any Database) async throws {
        model.commendation = VietnameseText.clean(form)
        if model.status == .recognised { model.status = .commended }
        model.updatedAt = at
        model.version += 1
        try await db.transaction { db in
            try await model.update(on: db)
            try await event(model, "commended", L10n.format("emulation.event.commended", [model.commendation]), actor: actor, at: at, on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "commend", entityType: "dvk-model", entityID: model.id, summary: L10n.format("emulation.audit.commend", [model.name, model.commendation]))
        }
    }

    /// Asks each unit to replicate the model by `dueOn`: a followed-up item each (a task where a
    /// follow-up module is present), linked back.
    public static func replicate(_ model: DVKModel, units: [OrgUnit], content: String, dueOn: Date, followUps: FollowUps, actor: AuditActor, at: Date, on db: any Database) async throws -> Int {
        let existing = Set(try await Replication.query(on: db).filter(\.$model.$id == model.requireID()).all(\.$unit.$id))
        let fresh = units.filter { unit in unit.id.map { !existing.contains($0) && $0 != model.$unit.id } ?? false }
        guard !fresh.isEmpty else { return 0 }
        try await db.transaction { db in
            for unit in fresh {
                let replication = Replication()
                replication.id = UUID()
                replication.$model.id = try model.requireID()
                replication.$unit.id = try unit.requireID()
                replication.dueOn = dueOn
                replication.results = ""
                replication.createdAt = at
                if let create = followUps.create {
                    let draft = FollowUpDraft(content: L10n.format("emulation.replicate.task", [model.name]) + (content.isEmpty ? "" : ": " + text(content)),
                                              origin: L10n.format("emulation.replicate.origin", [model.name]), unitID: try unit.requireID(), dueOn: dueOn)
                    let target = try await create(draft, actor, at, db)
                    replication.followUpType = target.type
                    replication.followUpID = target.id
                }
                try await replication.create(on: db)
            }
            if [.recognised, .commended].contains(model.status) { model.status = .replicated }
            model.updatedAt = at
            model.version += 1
            try await model.update(on: db)
            try await event(model, "replicated", L10n.format("emulation.event.replicated", [fresh.map(\.name).joined(separator: ", ")]), actor: actor, at: at, on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "replicate", entityType: "dvk-model", entityID: model.id, summary: L10n.format("emulation.audit.replicate", [model.name, String(fresh.count)]))
        }
        return fresh.count
    }

    /// The adopting unit writes what the replication achieved, and may mark it done.
    public static func replicationResult(_ replication: Replication, results: String, done: Bool, actor: AuditActor, at: Date, on db: any Database) async throws {
        replication.results = text(results)
        if done, replication.doneOn == nil { replication.doneOn = CivilDay.startOfDay(at) }
        try await db.transaction { db in
            try await replication.update(on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "replication-result", entityType: "dvk-model", entityID: replication.$model.id, summary: L10n.format("emulation.audit.replication_result", [String(done)]))
        }
    }

    /// Retired when no longer effective (the annual review).
    public static func retire(_ model: DVKModel, reasons: String, actor: AuditActor, at: Date, on db: any Database) async throws {
        model.status = .retired
        model.reasons = text(reasons)
        model.updatedAt = at
        model.version += 1
        try await db.transaction { db in
            try await model.update(on: db)
            try await event(model, "retired", L10n.format("emulation.event.retired", [model.reasons]), actor: actor, at: at, on: db)
            try await AuditLog.record(on: db, actor: actor, at: at, action: "retire", entityType: "dvk-model", entityID: model.id, summary: L10n.format("emulation.audit.retire", [model.name]))
        }
    }

    @discardableResult
    static func event(_ model: DVKModel, _ kind: String, _ text: String, actor: AuditActor, at: Date, on db: any Database) async throws -> ModelEvent {
        let event = ModelEvent()
        event.id = UUID()
        event.$model.id = try model.requireID()
        event.kind = kind
        event.text = text
        event.actorName = actor.name
        event.at = at
        try await event.create(on: db)
        return event
    }

    static func text(_ value: String) -> String {
        VietnameseText.nfc(value.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static func searchText(_ model: DVKModel) -> String {
        VietnameseText.fold([model.name, model.problem, model.solution, model.beneficiaries, model.contactName].joined(separator: " "))
    }
}
