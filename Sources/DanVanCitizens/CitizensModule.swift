import DanVanCore
import Fluent
import Foundation
import Vapor

/// The citizens module: submissions with their legal clocks and protected denouncers,
/// reception days and dialogues with their commitments, hot spots and the early warning.
public struct CitizensModule: DanVanModule {
    /// Creates the module.
    public init() {}

    public var migrations: [any Migration] { CitizenMigrations.all }

    public var routeLinks: [String: [RouteSegment]] { CitizensRoute.linkTable }

    public var localization: L10n.Tables { CitizensL10n.tables }

    /// Navigation "Đơn thư, tiếp dân" and "Điểm nóng", inbox targets, report sources, the
    /// "create a hot spot" action on a report's pressing issue, the hourly job.
    public func register(on app: Application) throws {
        app.navigation.enable("nav.citizens", href: CitizensRoute.index.path)
        app.navigation.enable("nav.hotspots", href: CitizensRoute.hotspots.path)
        app.inboxTargets.register("petition") { CitizensRoute.petition($0).path }
        app.inboxTargets.register("hotspot") { CitizensRoute.hotspot($0).path }
        app.inboxTargets.register("hotspot-warning") { CitizensRoute.hotspots.path + "#warning-\($0.uuidString)" }
        app.inboxTargets.register("meeting") { CitizensRoute.meeting($0).path }
        app.lifecycle.use(makeCitizenScheduler())
        // The province's calendar decisions count for every module's working days.
        app.workingCalendar = WorkingCalendarSource { db in try await WorkingCalendarStore.load(on: db) }
        app.pressingIssueActions.append(PressingIssueAction(labelKey: "citizens.action.hotspot_from_report") { source, unitID, text in
            var components = URLComponents()
            components.path = CitizensRoute.hotspotNew.path
            components.queryItems = [
                URLQueryItem(name: "source", value: source.type), URLQueryItem(name: "id", value: source.id.uuidString),
                URLQueryItem(name: "unit", value: unitID.uuidString), URLQueryItem(name: "text", value: String(text.prefix(1500))),
            ]
            return components.string ?? CitizensRoute.hotspotNew.path
        })
        // Values report forms can prefill: submissions received and resolved, meetings held.
        app.reportSources.register(ReportSource(key: "citizens.received", labelKey: "citizens.source.received") { unitID, start, end, db in
            Double(try await Petition.query(on: db).filter(\.$commune.$id == unitID).filter(\.$receivedOn >= start).filter(\.$receivedOn < end.addingTimeInterval(86_400)).count(\.$status))
        })
        app.reportSources.register(ReportSource(key: "citizens.resolved", labelKey: "citizens.source.resolved") { unitID, start, end, db in
            Double(try await Petition.query(on: db).filter(\.$commune.$id == unitID).filter(\.$resolvedOn >= start).filter(\.$resolvedOn < end.addingTimeInterval(86_400)).count(\.$status))
        })
        app.reportSources.register(ReportSource(key: "citizens.dialogues", labelKey: "citizens.source.dialogues") { unitID, start, end, db in
            Double(try await CitizenMeeting.query(on: db).filter(\.$unit.$id == unitID).filter(\.$kind == .dialogue).filter(\.$status == .held)
                .filter(\.$heldOn >= start).filter(\.$heldOn < end.addingTimeInterval(86_400)).count(\.$status))
        })
        app.homeTodos.append(HomeTodoSource(
            tables: [Petition.schema],
            figures: { _, scope, today in CitizenStats.homeFigures(today: today, scope: scope) },
            lines: { values, _ in
                let (overdue, waiting) = try CitizenStats.homeCounts(values)
                var lines: [HomeTodo] = []
                if overdue > 0 { lines.append(HomeTodo(text: L10n.format("citizens.home.overdue", [VNFormat.integer(overdue)]), href: CitizensRoute.index.path + "?overdue=1")) }
                if waiting > 0 { lines.append(HomeTodo(text: L10n.format("citizens.home.waiting", [VNFormat.integer(waiting)]), href: CitizensRoute.index.path + "?status=received")) }
                return lines
            }
        ))
    }

    public func routes(_ routes: ModuleRoutes) throws {
        let petitions = PetitionController()
        routes.web.get(CitizensRoute.index, use: petitions.index)
        routes.web.get(CitizensRoute.exportXLSX, use: petitions.exportXLSX)
        routes.web.get(CitizensRoute.petitionNew, use: petitions.new)
        routes.web.post(CitizensRoute.petitionCreate, use: petitions.create)
        routes.web.get(CitizensRoute.petition(nil), use: petitions.show)
        routes.web.post(CitizensRoute.petitionAction(nil), use: petitions.action)
        routes.web.post(CitizensRoute.petitionIdentity(nil), use: petitions.identity)
        routes.web.post(CitizensRoute.petitionLetter(nil), use: petitions.letter)
        routes.web.post(CitizensRoute.petitionFiles(nil), use: petitions.upload)
        routes.web.get(CitizensRoute.petitionFile(nil, nil), use: petitions.download)
        let stats = StatsController()
        routes.web.get(CitizensRoute.statistics, use: stats.show)
        routes.web.get(CitizensRoute.statisticsXLSX, use: stats.xlsx)
        routes.web.get(CitizensRoute.statisticsDocx, use: stats.docx)
        let staff = routes.web.grouped(RequireRoleMiddleware(.admin, .specialist))
        staff.get(CitizensRoute.settings, use: stats.settings)
        staff.post(CitizensRoute.calendarDay, use: stats.calendarDay)
        staff.post(CitizensRoute.timeLimit, use: stats.timeLimit)
        staff.post(CitizensRoute.warningRule, use: stats.warningRules)
        let meetings = MeetingController()
        routes.web.get(CitizensRoute.meetings, use: meetings.index)
        routes.web.get(CitizensRoute.meetingNew, use: meetings.new)
        routes.web.post(CitizensRoute.meetingCreate, use: meetings.create)
        routes.web.get(CitizensRoute.meeting(nil), use: meetings.show)
        routes.web.post(CitizensRoute.commitmentKeep(nil, nil), use: meetings.keep)
        let spots = HotSpotController()
        routes.web.get(CitizensRoute.hotspots, use: spots.index)
        routes.web.get(CitizensRoute.hotspotNew, use: spots.new)
        routes.web.post(CitizensRoute.hotspotCreate, use: spots.create)
        routes.web.get(CitizensRoute.hotspot(nil), use: spots.show)
        routes.web.post(CitizensRoute.hotspotUpdate(nil), use: spots.update)
        routes.web.post(CitizensRoute.hotspotLink(nil), use: spots.link)
        routes.web.post(CitizensRoute.warningDecide(nil), use: spots.decide)
        let clearance = ClearanceController()
        routes.web.get(CitizensRoute.clearance, use: clearance.index)
        routes.web.post(CitizensRoute.clearanceCreate, use: clearance.create)
        routes.web.get(CitizensRoute.clearanceProject(nil), use: clearance.show)
        routes.web.post(CitizensRoute.clearanceArea(nil), use: clearance.updateArea)
        routes.web.post(CitizensRoute.clearanceVisit(nil), use: clearance.addVisit)
        routes.web.post(CitizensRoute.clearanceLink(nil), use: clearance.link)
        let open = PublicController()
        routes.open.get(CitizensRoute.publicForm, use: open.form)
        routes.open.post(CitizensRoute.publicSubmit, use: open.submit)
        routes.open.get(CitizensRoute.publicLookup, use: open.lookup)
        routes.open.post(CitizensRoute.publicStatus, use: open.status)
        routes.open.post(CitizensRoute.publicAnswer, use: open.answer)
        let api = CitizenAPI()
        routes.api.get(CitizensRoute.apiPetitions, use: api.petitions)
        routes.api.get(CitizensRoute.apiPetition(nil), use: api.petition)
        routes.api.get(CitizensRoute.apiStatistics, use: api.statistics)
    }

    /// From the petition list to a petition and its commune.
    public var openAPILinks: [OpenAPILink] {
        [
            OpenAPILink("firstPetition", from: "get /api/v1/citizens/petitions", to: "get /api/v1/citizens/petitions/{petitionID}", parameters: ["petitionID": "$response.body#/items/0/id"]),
            OpenAPILink("petitionCommune", from: "get /api/v1/citizens/petitions/{petitionID}", to: "get /api/v1/units/{unitID}", parameters: ["unitID": "$response.body#/communeId"]),
        ]
    }

    public var openAPIPaths: [String: JSON] { CitizenAPI.paths }
    public var openAPISchemas: [String: JSON] { CitizenAPI.schemas }
}
