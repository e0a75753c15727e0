import DanVanCore
import Fluent
import SQLKit
import Foundation
import Vapor

/// "Dân vận khéo" and the yearly assessments: models and exemplars from registration to
/// replication, grassroots-democracy self-assessments, juried contests, all appraised by one
/// engine; the two yearly targets; the public showcase.
public struct EmulationModule: DanVanModule {
    /// Creates the module.
    public init() {}

    public var migrations: [any Migration] { EmulationMigrations.all }

    public var routeLinks: [String: [RouteSegment]] { EmulationRoute.linkTable }

    public var localization: L10n.Tables { EmulationL10n.tables }

    /// Navigation "Dân vận khéo", inbox targets, report sources, the home page's lines.
    public func register(on app: Application) throws {
        app.navigation.enable("nav.emulation", href: EmulationRoute.index.path)
        app.inboxTargets.register("dvk-model") { EmulationRoute.model($0).path }
        app.inboxTargets.register("appraisal") { EmulationRoute.appraisal($0).path }
        // Values report forms can prefill: models registered and recognised by the unit in the
        // period, and its grassroots-democracy result of the period's year.
        app.reportSources.register(ReportSource(key: "emulation.registered", labelKey: "emulation.source.registered") { unitID, start, end, db in
            Double(try await DVKModel.query(on: db).filter(\.$unit.$id == unitID).filter(\.$createdAt >= start).filter(\.$createdAt < end.addingTimeInterval(86_400)).count(\.$status))
        })
        app.reportSources.register(ReportSource(key: "emulation.recognised", labelKey: "emulation.source.recognised") { unitID, start, end, db in
            Double(try await Recognition.query(on: db).filter(\.$unitID == unitID).filter(\.$decisionDate >= start).filter(\.$decisionDate < end.addingTimeInterval(86_400)).count(\.$level))
        })
        app.reportSources.register(ReportSource(key: "emulation.democracy", labelKey: "emulation.source.democracy") { unitID, _, end, db in
            let year = VNFormat.calendar.component(.year, from: end)
            return try await DemocracyAssessment.query(on: db).filter(\.$unit.$id == unitID).filter(\.$year == year).first()?.result ?? 0
        })
        app.homeTodos.append(HomeTodoSource(
            tables: EmulationMigrations.homeTables,
            // Appraisals waiting for this official's scores: open appraisals of the councils
            // the official sits on that have no score of theirs yet.
            figures: { user, _, _ in
                var figures = PageFigures()
                guard let userID = user.id else { return figures }
                figures.add("emulation_to_score", """
                    SELECT COUNT(DISTINCT a.id) FROM emulation_appraisals a
                    JOIN emulation_council_members m ON m.council_id = a.council_id AND m.user_id = \(bind: userID)
                    WHERE a.status = 'open' AND NOT EXISTS (SELECT 1 FROM emulation_scores s WHERE s.appraisal_id = a.id AND s.user_id = \(bind: userID))
                    """)
                return figures
            },
            lines: { values, user in
                let waiting = user.id == nil ? 0 : try values.int("emulation_to_score")
                return waiting > 0 ? [HomeTodo(text: L10n.format("emulation.home.to_score", [VNFormat.integer(waiting)]), href: EmulationRoute.appraisals.path)] : []
            }
        ))
    }

    public func routes(_ routes: ModuleRoutes) throws {
        let models = ModelController()
        routes.web.get(EmulationRoute.index, use: models.index)
        routes.web.get(EmulationRoute.registerXLSX, use: models.registerXLSX)
        routes.web.get(EmulationRoute.decisionDocx, use: models.decisionDocx)
        routes.web.get(EmulationRoute.modelNew, use: models.new)
        routes.web.post(EmulationRoute.modelCreate, use: models.create)
        routes.web.get(EmulationRoute.model(nil), use: models.show)
        routes.web.post(EmulationRoute.modelNote(nil), use: models.note)
        routes.web.post(EmulationRoute.modelPropose(nil), use: models.propose)
        routes.web.post(EmulationRoute.modelAppraise(nil), use: models.appraise)
        routes.web.post(EmulationRoute.modelDecide(nil), use: models.decide)
        routes.web.post(EmulationRoute.modelCommend(nil), use: models.commend)
        routes.web.post(EmulationRoute.modelReplicate(nil), use: models.replicate)
        routes.web.post(EmulationRoute.modelRetire(nil), use: models.retire)
        routes.web.post(EmulationRoute.modelFiles(nil), use: models.upload)
        routes.web.get(EmulationRoute.modelFile(nil, nil), use: models.download)
        routes.web.get(EmulationRoute.certificate(nil), use: models.certificate)
        routes.web.post(EmulationRoute.replicationResult(nil), use: models.replicationResult)
        let appraisals = AppraisalController()
        routes.web.get(EmulationRoute.appraisals, use: appraisals.index)
        routes.web.get(EmulationRoute.appraisalsXLSX, use: appraisals.xlsx)
        routes.web.get(EmulationRoute.appraisal(nil), use: appraisals.show)
        routes.web.post(EmulationRoute.appraisalScore(nil), use: appraisals.score)
        routes.web.post(EmulationRoute.appraisalClose(nil), use: appraisals.close)
        routes.web.post(EmulationRoute.appraisalRecuse(nil), use: appraisals.recuse)
        routes.web.post(EmulationRoute.appraisalMinutes(nil), use: appraisals.minutes)
        routes.web.get(EmulationRoute.appraisalFile(nil, nil), use: appraisals.download)
        let democracy = DemocracyController()
        routes.web.get(EmulationRoute.democracy, use: democracy.index)
        routes.web.get(EmulationRoute.democracyUnit(nil), use: democracy.show)
        routes.web.post(EmulationRoute.democracySave(nil), use: democracy.save)
        routes.web.post(EmulationRoute.democracyAppraise(nil), use: democracy.appraise)
        routes.web.get(EmulationRoute.democracyFile(nil, nil), use: democracy.download)
        let contests = ContestController()
        routes.web.get(EmulationRoute.contests, use: contests.index)
        routes.web.post(EmulationRoute.contestCreate, use: contests.create)
        routes.web.get(EmulationRoute.contest(nil), use: contests.show)
        routes.web.post(EmulationRoute.contestEntry(nil), use: contests.entry)
        routes.web.post(EmulationRoute.contestRound(nil), use: contests.round)
        routes.web.post(EmulationRoute.contestPublish(nil), use: contests.publish)
        routes.web.get(EmulationRoute.entryFile(nil, nil), use: contests.download)
        let targets = TargetController()
        routes.web.get(EmulationRoute.targets, use: targets.show)
        routes.web.get(EmulationRoute.unitHistory(nil), use: targets.history)
        let staff = routes.web.grouped(RequireRoleMiddleware(.admin, .leader, .specialist))
        staff.get(EmulationRoute.settings, use: targets.settings)
        staff.post(EmulationRoute.settingsYear, use: targets.saveYear)
        staff.post(EmulationRoute.settingsSet, use: targets.createSet)
        staff.post(EmulationRoute.settingsCouncil, use: targets.createCouncil)
        staff.post(EmulationRoute.settingsDefaults, use: targets.defaults)
        staff.post(EmulationRoute.settingsCopy, use: targets.copyYear)
        let showcase = ShowcaseController()
        routes.open.get(EmulationRoute.showcase, use: showcase.index)
        routes.open.get(EmulationRoute.showcaseModel(nil), use: showcase.story)
        routes.open.get(EmulationRoute.showcasePhoto(nil, nil), use: showcase.photo)
        routes.open.get(EmulationRoute.showcaseContest(nil), use: showcase.contest)
        let api = EmulationAPI()
        routes.api.get(EmulationRoute.apiModels, use: api.models)
        routes.api.get(EmulationRoute.apiModel(nil), use: api.model)
        routes.api.get(EmulationRoute.apiTargets, use: api.targets)
    }

    /// From the register to a model and its unit.
    public var openAPILinks: [OpenAPILink] {
        [
            OpenAPILink("firstModel", from: "get /api/v1/emulation/models", to: "get /api/v1/emulation/models/{modelID}", parameters: ["modelID": "$response.body#/items/0/id"]),
            OpenAPILink("modelUnit", from: "get /api/v1/emulation/models/{modelID}", to: "get /api/v1/units/{unitID}", parameters: ["unitID": "$response.body#/unitId"]),
        ]
    }

    public var openAPIPaths: [String: JSON] { EmulationAPI.paths }
    public var openAPISchemas: [String: JSON] { EmulationAPI.schemas }
}
