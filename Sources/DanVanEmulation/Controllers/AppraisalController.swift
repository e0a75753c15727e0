import DanVanCore
import DanVanText
import Fluent
import Foundation
import Vapor

/// Appraisals: an appraiser's list, the scoring sheet (independent: nobody sees another's
/// scores before submitting their own), the lead's progress, closing with the discussion.
struct AppraisalController {
    struct ListRow: Encodable, Sendable {
        let id: String
        let subject: String
        let kind: String
        let council: String
        let progress: String
        let status: String
        let mine: String
    }

    struct IndexContext: Encodable, Sendable {
        let toScore: [ListRow]
        let managed: [ListRow]
        let year: Int
    }

    /// What an appraisal appraises, named.
    static func subjectName(_ appraisal: Appraisal, units: [UUID: OrgUnit], on db: any Database) async throws -> (name: String, unit: String, href: String?) {
        switch appraisal.subjectType {
        case .model:
            let model = try await DVKModel.find(appraisal.subjectID, on: db)
            return (model?.name ?? "", model.flatMap { units[$0.$unit.id]?.name } ?? "", EmulationRoute.model(appraisal.subjectID).path)
        case .democracy:
            let assessment = try await DemocracyAssessment.find(appraisal.subjectID, on: db)
            let unit = assessment.flatMap { units[$0.$unit.id] }
            return (L10n.format("emulation.democracy.subject", [unit?.name ?? "", String(assessment?.year ?? 0)]), unit?.name ?? "",
                    assessment.map { EmulationRoute.democracyUnit($0.$unit.id).path + "?year=\($0.year)" })
        case .entry:
            let entry = try await ContestEntry.find(appraisal.subjectID, on: db)
            return ((entry?.title ?? "") + " — " + (entry?.author ?? ""), entry.flatMap { units[$0.$unit.id]?.name } ?? "", entry.map { EmulationRoute.contest($0.$contest.id).path })
        }
    }

    func index(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let units = try await req.unitsByID()
        let councilIDs = try await CouncilMember.query(on: req.db).filter(\.$user.$id == user.requireID()).all(\.$council.$id)
        let mine = councilIDs.isEmpty ? [] : try await Appraisal.query(on: req.db).filter(\.$council.$id ~~ councilIDs).filter(\.$status == .open).sort(\.$openedAt).limit(200).all()
        var toScore: [ListRow] = []
        let mineStates = try await AssessmentService.states(mine, units: units, on: req.db)
        for appraisal in mine {
            guard let state = mineStates[appraisal.id ?? UUID()] else { continue }
            let subject = try await Self.subjectName(appraisal, units: units, on: req.db)
            let refusal = AssessmentService.refusal(state, user: user)
            toScore.append(ListRow(id: appraisal.id?.uuidString ?? "", subject: subject.name, kind: L10n.text("emulation.subject.\(appraisal.subjectType.rawValue)"), council: state.council.name,
                                   progress: req.t("emulation.progress", String(state.progress.scored), String(state.progress.eligible)), status: appraisal.status.label,
                                   mine: refusal.map { req.t($0) } ?? req.t("emulation.to_score")))
        }
        // Open appraisals of the councils this official leads or oversees.
        var managed: [ListRow] = []
        let year = EmulationAccess.year(req)
        for council in try await Council.query(on: req.db).filter(\.$year == year).all() where try await EmulationAccess.manages(req, council: council) {
            let appraisals = try await Appraisal.query(on: req.db).filter(\.$council.$id == council.requireID()).sort(\.$openedAt, .descending).limit(100).all()
            let states = try await AssessmentService.states(appraisals, units: units, on: req.db)
            for appraisal in appraisals {
                guard let state = states[appraisal.id ?? UUID()] else { continue }
                let subject = try await Self.subjectName(appraisal, units: units, on: req.db)
                managed.append(ListRow(id: appraisal.id?.uuidString ?? "", subject: subject.name, kind: L10n.text("emulation.subject.\(appraisal.subjectType.rawValue)"), council: council.name,
                                       progress: req.t("emulation.progress", String(state.progress.scored), String(state.progress.eligible)),
                                       status: appraisal.status.label + (appraisal.flagged ? " · " + req.t("emulation.flagged") : ""), mine: ""))
            }
        }
        return try await req.render("emulation/appraisals", title: req.t("emulation.appraisals.title"), IndexContext(toScore: toScore, managed: managed, year: year))
    }

    struct CriterionRow: Encodable, Sendable {
        let id: String
        let group: String
        let newGroup: Bool
        let title: String
        let guidance: String
        let max: String
        let weight: String
        let typed: String
        let error: String?
        let selfPoints: String?
        let average: String?
    }

    struct MemberRow: Encodable, Sendable {
        let name: String
        let unit: String
        let state: String
        let stateKey: String
        let total: String?
        let comment: String?
        let userID: String
    }

    struct ShowContext: Encodable, Sendable {
        let id: String
        let subject: String
        let subjectKind: String
        let subjectUnit: String
        let subjectHref: String?
        let council: String
        let set: String
        let method: String
        let spreadLimit: String
        let maximum: String
        let status: String
        let statusKey: String
        let progress: String
        let scored: Int
        let eligible: Int
        let criteria: [CriterionRow]
        let canScore: Bool
        let refusal: String?
        let showScores: Bool
        let members: [MemberRow]
        let manages: Bool
        let canClose: Bool
        let flagged: Bool
        let spread: String
        let result: String?
        let className: String?
        let discussion: String
        let minutes: [AttachmentRow]
        let typed: [String: String]
        let errors: FormErrors
        let decideHref: String?
    }

    func find(_ req: Request) async throws -> (Appraisal, AppraisalState, member: Bool, manages: Bool) {
        guard let id = req.parameters.get("appraisalID", as: UUID.self), let appraisal = try await Appraisal.find(id, on: req.db) else { throw AppError.notFound }
        let state = try await AssessmentService.state(appraisal, units: try await req.unitsByID(), on: req.db)
        let user = try req.requireUser()
        let member = state.members.contains { $0.id == user.id }
        let manages = try await EmulationAccess.manages(req, council: state.council)
        let ownUnit = try await EmulationAccess.editsUnit(req, appraisal.$proposingUnit.id)
        guard member || manages || ownUnit else { throw AppError.notFound }
        return (appraisal, state, member, manages)
    }

    func show(_ req: Request) async throws -> Response {
        let (appraisal, state, member, manages) = try await find(req)
        return try await show(req, appraisal: appraisal, state: state, member: member, manages: manages, typed: [:], errors: FormErrors())
    }

    func show(_ req: Request, appraisal: Appraisal, state: AppraisalState, member: Bool, manages: Bool, typed: [String: String], errors: FormErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let user = try req.requireUser()
        let units = try await req.unitsByID()
        let subject = try await Self.subjectName(appraisal, units: units, on: req.db)
        let refusal = member ? AssessmentService.refusal(state, user: user) : "emulation.error.not_member"
        let mySubmitted = state.scores.contains { $0.$user.id == user.id }
        // Independent scoring: a member sees the others' scores once theirs is in; everyone once closed.
        let showScores = appraisal.status == .closed ? (member || manages) : mySubmitted
        var selfPoints: [UUID: Double] = [:]
        if appraisal.subjectType == .democracy, let assessment = try await DemocracyAssessment.find(appraisal.subjectID, on: req.db) { selfPoints = assessment.points }
        var lastGroup = ""
        let eligibleScores = state.scores.filter { !state.conflicted.contains($0.$user.id) && !appraisal.recusedIDs.contains($0.$user.id) }
        let criteria = state.criteria.map { criterion -> CriterionRow in
            let id = criterion.id ?? UUID()
            let newGroup = criterion.groupName != lastGroup
            lastGroup = criterion.groupName
            let values = eligibleScores.compactMap { $0.points[id] }
            return CriterionRow(
                id: id.uuidString, group: criterion.groupName, newGroup: newGroup, title: criterion.title, guidance: criterion.guidance,
                max: VNFormat.decimal(criterion.maxPoints, places: criterion.maxPoints == criterion.maxPoints.rounded() ? 0 : 1),
                weight: criterion.weight == 1 ? "" : VNFormat.decimal(criterion.weight, places: 2), typed: typed["points.\(id.uuidString)"] ?? "", error: errors["points.\(id.uuidString)"],
                selfPoints: selfPoints[id].map { VNFormat.decimal($0, places: 1) },
                average: showScores && !values.isEmpty ? VNFormat.decimal(values.reduce(0, +) / Double(values.count), places: 1) : nil
            )
        }
        let members = state.members.map { member -> MemberRow in
            let id = member.id ?? UUID()
            let score = state.scores.first { $0.$user.id == id }
            let key = state.conflicted.contains(id) ? "conflict" : appraisal.recusedIDs.contains(id) ? "recused" : score != nil ? "scored" : "waiting"
            return MemberRow(name: member.fullName, unit: units[member.$unit.id]?.name ?? "", state: req.t("emulation.member.\(key)"), stateKey: key,
                             total: showScores ? score.map { VNFormat.decimal($0.total, places: 1) } : nil, comment: showScores ? score?.comment : nil, userID: id.uuidString)
        }
        let minutes = try await EmulationAccess.fileRows(owner: "appraisal", ids: [appraisal.id ?? UUID()], href: { EmulationRoute.appraisalFile(appraisal.id, $0.id).path }, on: req.db)[appraisal.id ?? UUID()] ?? []
        let totals = eligibleScores.map(\.total)
        let context = ShowContext(
            id: appraisal.id?.uuidString ?? "", subject: subject.name, subjectKind: L10n.text("emulation.subject.\(appraisal.subjectType.rawValue)"), subjectUnit: subject.unit, subjectHref: subject.href,
            council: state.council.name, set: state.set.title, method: state.set.method.label, spreadLimit: VNFormat.decimal(state.set.spread, places: 0),
            maximum: VNFormat.decimal(AssessmentEngine.maximum(state.items), places: 0), status: appraisal.status.label, statusKey: appraisal.status.rawValue,
            progress: req.t("emulation.progress", String(state.progress.scored), String(state.progress.eligible)), scored: state.progress.scored, eligible: state.progress.eligible,
            criteria: criteria, canScore: refusal == nil, refusal: member ? refusal.map { req.t($0) } : nil, showScores: showScores, members: members, manages: manages,
            canClose: manages && appraisal.status == .open && state.progress.complete,
            flagged: appraisal.flagged || (showScores || manages) && AssessmentEngine.disagrees(totals, limit: state.set.spread) && state.progress.complete,
            spread: VNFormat.decimal(AssessmentEngine.spread(totals), places: 1),
            result: appraisal.result.map { VNFormat.decimal($0, places: 2) }, className: appraisal.classKey.map { AssessmentService.classLabel($0, in: state.set) },
            discussion: typed["discussion"] ?? appraisal.discussion, minutes: minutes, typed: typed, errors: errors,
            decideHref: appraisal.subjectType == .model && appraisal.status == .closed && manages ? EmulationRoute.model(appraisal.subjectID).path + "#decide" : nil
        )
        return try await req.render("emulation/appraisal", title: req.t("emulation.appraisal.title"), context, status: status)
    }

    func score(_ req: Request) async throws -> Response {
        let (appraisal, state, member, manages) = try await find(req)
        let typed = req.typedForm()
        let user = try req.requireUser()
        guard member else {
            var errors = FormErrors()
            errors.add("score", "emulation.error.not_member")
            return try await show(req, appraisal: appraisal, state: state, member: member, manages: manages, typed: typed, errors: errors, status: .forbidden)
        }
        let errors = try await AssessmentService.score(state, user: user, typed: EmulationAccess.points(typed, criteria: state.criteria), comment: String((typed["comment"] ?? "").prefix(4000)),
                                                       actor: req.actor, at: req.now, on: req.db)
        guard errors.isEmpty else {
            let refused = errors["score"] != nil
            return try await show(req, appraisal: appraisal, state: state, member: member, manages: manages, typed: typed, errors: errors, status: refused ? .forbidden : .unprocessableEntity)
        }
        req.flash(.success, req.t("emulation.flash.scored"))
        return req.redirect(to: EmulationRoute.appraisal(appraisal.id))
    }

    func close(_ req: Request) async throws -> Response {
        let (appraisal, state, member, manages) = try await find(req)
        guard manages else { throw AppError.forbidden }
        let typed = req.typedForm()
        let refusal = try await AssessmentService.close(state, discussion: String((typed["discussion"] ?? "").prefix(8000)), actor: req.actor, at: req.now, on: req.db) { appraisal, db in
            switch appraisal.subjectType {
            case .democracy: try await DemocracyService.closed(appraisal, on: db)
            case .entry: try await ContestService.closed(appraisal, on: db)
            case .model: break
            }
        }
        if let refusal {
            var errors = FormErrors()
            errors.add("discussion", refusal)
            let fresh = try await AssessmentService.state(appraisal, on: req.db)
            return try await show(req, appraisal: appraisal, state: fresh, member: member, manages: manages, typed: typed, errors: errors, status: .unprocessableEntity)
        }
        req.flash(.success, req.t("emulation.flash.closed"))
        if appraisal.subjectType == .model { return req.redirect(to: EmulationRoute.model(appraisal.subjectID)) }
        return req.redirect(to: EmulationRoute.appraisal(appraisal.id))
    }

    func recuse(_ req: Request) async throws -> Response {
        let (appraisal, state, _, manages) = try await find(req)
        guard manages else { throw AppError.forbidden }
        let typed = req.typedForm()
        guard let userID = UUID(uuidString: typed["user"] ?? ""), state.members.contains(where: { $0.id == userID }),
              !state.scores.contains(where: { $0.$user.id == userID }) else { throw AppError.badRequest(req.t("emulation.error.recuse")) }
        try await AssessmentService.recuse(appraisal, userID: userID, actor: req.actor, at: req.now, on: req.db)
        req.flash(.success, req.t("emulation.flash.recused"))
        return req.redirect(to: EmulationRoute.appraisal(appraisal.id))
    }

    func minutes(_ req: Request) async throws -> Response {
        let (appraisal, state, member, manages) = try await find(req)
        guard manages || member else { throw AppError.forbidden }
        switch EmulationAccess.uploads(req) {
        case .failure(let refusal):
            var errors = FormErrors()
            errors.add("minutes", "emulation.error.file_refused", refusal.message)
            return try await show(req, appraisal: appraisal, state: state, member: member, manages: manages, typed: [:], errors: errors, status: .unprocessableEntity)
        case .success(let files):
            try await req.db.transaction { db in
                for file in files { try await ModelService.attach(file, owner: "appraisal", id: try appraisal.requireID(), actor: req.actor, at: req.now, on: db) }
                try await AuditLog.record(on: db, actor: req.actor, at: req.now, action: "upload", entityType: "appraisal", entityID: appraisal.id, summary: req.t("emulation.audit.upload", String(files.count)))
            }
            return req.redirect(to: EmulationRoute.appraisal(appraisal.id))
        }
    }

    func download(_ req: Request) async throws -> Response {
        let (appraisal, _, _, _) = try await find(req)
        guard let fileID = req.parameters.get("fileID", as: UUID.self), let file = try await EmulationFile.find(fileID, on: req.db),
              file.ownerType == "appraisal", file.ownerID == appraisal.id else { throw AppError.notFound }
        return try req.download(key: file.storageKey, sha256: file.sha256, filename: file.filename, contentType: file.contentType)
    }

    /// The year's appraisal results of the councils the official manages, as .xlsx.
    func xlsx(_ req: Request) async throws -> Response {
        let year = EmulationAccess.year(req)
        let units = try await req.unitsByID()
        var entries: [(AppraisalState, subject: String, unit: String)] = []
        for council in try await Council.query(on: req.db).filter(\.$year == year).sort(\.$name).all() where try await EmulationAccess.manages(req, council: council) {
            let appraisals = try await Appraisal.query(on: req.db).filter(\.$council.$id == council.requireID()).sort(\.$openedAt).all()
            let states = try await AssessmentService.states(appraisals, units: units, on: req.db)
            for appraisal in appraisals {
                guard let state = states[appraisal.id ?? UUID()] else { continue }
                let subject = try await Self.subjectName(appraisal, units: units, on: req.db)
                entries.append((state, subject.name, subject.unit))
            }
        }
        return try req.spreadsheet(EmulationDocuments.resultRows(entries), format: .xlsx, baseName: "ket-qua-tham-dinh-\(year)", sheetName: req.t("emulation.appraisals.title"), widths: [5, 45, 28, 28, 9, 9, 9, 14, 16])
    }
}
