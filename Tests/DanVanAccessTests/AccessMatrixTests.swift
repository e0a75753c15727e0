import DanVanCitizens
import DanVanCore
import DanVanEmulation
import DanVanTasks
import DanVanTestSupport
import DanVanText
import Fluent
import Foundation
import Testing
import Vapor

/// The authorisation matrix over the route table (issue 16, item 5): every GET route whose
/// parameters name records that belong to a unit, for every role with a unit-bound scope, with a
/// record of the official's own unit and one of another unit. Another unit's record must never
/// answer 200; the own record must answer 200 to someone (so the fixture is real). A route whose
/// parameter is neither a known unit-owned record nor on the province-wide list fails the suite,
/// so a new route is covered without anyone remembering to.
@Suite("Access matrix: every route × role × own unit / another unit")
struct AccessMatrixTests {
    static let start = VNFormat.parseDateTime("2026-03-10T09:00")!

    /// Parameters of records that belong to no single unit, or whose access is decided otherwise,
    /// and why; the route is skipped.
    static let notUnitOwned: [String: String] = [
        "contestID": "quiz contests and juried contests are the province's (their admin routes check the role)",
        "slug": "a public contest",
        "roundID": "a quiz round belongs to a contest",
        "attemptID": "a contestant's attempt, checked by the participant token",
        "attempt": "a contestant's attempt, checked by the participant token",
        "number": "a quiz round's number within a contest",
        "code": "the language switch",
        "format": "an export format",
        "documentID": "the document library is the province's: directives are sent to every unit",
        "regimeID": "reporting regimes are the province's",
        "periodID": "a period of a regime; its consolidation is scoped by the units it shows",
        "templateID": "report templates are the province's",
        "requestID": "a unit's report request: checked by ReportService.find(scope:) in DanVanReportsTests (a fixture needs a whole regime)",
        "fileID": "a file is served through its owner record, whose access the owner's route checks",
        "tokenID": "an API key is the signed-in user's own",
        "itemID": "an inbox item is the signed-in user's own",
    ]

    /// Public pages, open to anyone by design (the DVK showcase shows only recognised models,
    /// tested in DanVanEmulationTests).
    static let publicPrefixes = ["dan-van-kheo", "thi", "gop-y", "tra-cuu"]

    @Test("another unit's record is never answered to an official bound to their own unit; every parameterised GET route is covered or declared province-wide")
    func matrix() async throws {
        try await withTestApp(clock: FixedClock(Self.start)) { app in
            let units = try await TestProvince.load(app)
            let own = units["X-TL"]!, other = units["X-DT"]!
            // A specialist bound to the commune too (the test province's specialist oversees the province).
            _ = try await User.mock(role: .specialist, username: "chuyenvien.tanlap", unit: own).saved(on: app)
            let otherUser = try await User.mock(role: .focal, username: "daumoi.dongtam", unit: other).saved(on: app)
            let ownUser = try #require(try await User.query(on: app.db).filter(\.$username == "daumoi.tanlap").first())
            var fixtures: [String: (own: UUID, other: UUID)] = [
                "unitID": (own.id!, other.id!), "userID": (ownUser.id!, otherUser.id!),
            ]
            func pair(_ make: (OrgUnit) async throws -> UUID) async throws -> (own: UUID, other: UUID) { (try await make(own), try await make(other)) }
            fixtures["taskID"] = try await pair { unit in
                try await TaskService.create(TaskDraft(content: "Tuyên truyền nghị quyết tại \(unit.name)", section: nil, leadUnitID: unit.id!, coordinatorIDs: [], dueOn: Self.start.addingTimeInterval(30 * 86_400), recurrence: nil),
                                             documentID: nil, actor: .system, at: Self.start, on: app.db).requireID()
            }
            let keys = CitizenKeys.of(app)
            fixtures["petitionID"] = try await pair { unit in
                var input = PetitionInput()
                input.kind = .petition
                input.field = .land
                input.communeID = unit.id
                input.unitID = unit.id
                input.senderName = "Người gửi \(unit.code)"
                input.summary = "Đề nghị giải quyết tranh chấp đất ở \(unit.name)"
                input.content = "Nội dung"
                input.receivedOn = Self.start
                return try await PetitionService.create(input, receivingUnitID: unit.id!, keys: keys, actor: .system, at: Self.start, on: app.db).petition.requireID()
            }
            fixtures["meetingID"] = try await pair { unit in
                var input = MeetingInput()
                input.kind = .reception
                input.hostName = "Bí thư \(unit.name)"
                input.unitID = unit.id
                input.communeID = unit.id
                input.heldOn = Self.start
                input.place = "Trụ sở"
                input.participants = 5
                input.status = .held
                return try await MeetingService.create(input, petitionIDs: [], followUps: FollowUps(), actor: .system, at: Self.start, on: app.db).requireID()
            }
            fixtures["hotspotID"] = try await pair { unit in
                var input = HotSpotInput()
                input.communeID = unit.id
                input.field = .land
                input.title = "Tranh chấp đất ở \(unit.name)"
                return try await HotSpotService.create(input, actor: .system, unitName: unit.name, at: Self.start, on: app.db).requireID()
            }
            fixtures["projectID"] = try await pair { unit in
                try await ClearanceService.createProject(name: "Đường ven biển \(unit.code)", description: "", unitID: unit.id!, startedOn: Self.start, actor: .system, at: Self.start, on: app.db).requireID()
            }
            _ = try await EmulationDefaults.ensure(year: 2026, actor: .system, at: Self.start, on: app.db)
            let set = try #require(try await CriteriaSet.query(on: app.db).filter(\.$purpose == .model).first())
            let council = Council()
            council.$unit.id = units["TU-BTGDV"]!.id!
            council.year = 2026
            council.purpose = .model
            council.name = "Hội đồng"
            council.createdAt = Self.start
            try await council.create(on: app.db)
            var models: [UUID: DVKModel] = [:]
            fixtures["modelID"] = try await pair { unit in
                var input = ModelInput()
                input.unitID = unit.id
                input.year = 2026
                input.name = "Mô hình của \(unit.name)"
                input.field = .economy
                input.problem = "p"
                input.solution = "s"
                input.contactName = "c"
                let model = try await ModelService.register(input, actor: .system, at: Self.start, on: app.db).get()
                models[unit.id!] = model
                return try model.requireID()
            }
            fixtures["appraisalID"] = try await pair { unit in
                let model = models[unit.id!]!
                try await ModelService.propose(model, level: "province", results: "r", actor: .system, at: Self.start, on: app.db)
                let appraisal = try await ModelService.openAppraisal(model, set: set, council: council, level: "province", actor: .system, at: Self.start, on: app.db)
                // Recognised, so its certificate exists too.
                let recognition = Recognition()
                recognition.$model.id = try model.requireID()
                recognition.unitID = unit.id!
                recognition.level = "province"
                recognition.year = 2026
                recognition.field = model.field
                recognition.decisionNumber = "1-QĐ"
                recognition.decisionDate = Self.start
                try await recognition.create(on: app.db)
                model.status = .recognised
                model.level = "province"
                model.recognisedYear = 2026
                try await model.update(on: app.db)
                return try appraisal.requireID()
            }
            // The route table: GET routes with parameters.
            var uncovered: Set<String> = []
            var leaks: [String] = []
            var invisible: [String] = []
            var checked = 0
            let accounts = ["daumoi.tanlap", "lanhdao.xa", "chuyenvien.tanlap"]
            var clients: [String: WebClient] = [:]
            // The administrator checks that each own-unit fixture is a real, visible record.
            for username in accounts + ["admin"] {
                let client = WebClient(app)
                try await client.login(username)
                clients[username] = client
            }
            for route in app.routes.all where route.method == .GET {
                let names = route.path.compactMap { component -> String? in if case .parameter(let name) = component { name } else { nil } }
                guard !names.isEmpty, !Self.publicPrefixes.contains(route.path.first?.description ?? "") else { continue }
                if names.contains(where: { Self.notUnitOwned[$0] != nil }) { continue }
                guard names.allSatisfy({ fixtures[$0] != nil }) else {
                    uncovered.insert("GET /" + route.path.map(\.description).joined(separator: "/"))
                    continue
                }
                func path(_ side: KeyPath<(own: UUID, other: UUID), UUID>) -> String {
                    "/" + route.path.map { component in
                        if case .parameter(let name) = component { return fixtures[name]![keyPath: side].uuidString }
                        return component.description
                    }.joined(separator: "/")
                }
                checked += 1
                var seen = false
                for username in accounts {
                    let client = clients[username]!
                    let foreign = try await client.get(path(\.other))
                    if foreign.status == .ok { leaks.append("\(username) GET \(path(\.other)) → 200 (another unit's record)") }
                    #expect(foreign.status.code < 500, "\(username) GET \(path(\.other))")
                    let mine = try await client.get(path(\.own))
                    #expect(mine.status.code < 500, "\(username) GET \(path(\.own))")
                    if mine.status == .ok { seen = true }
                }
                if !seen, try await clients["admin"]!.get(path(\.own)).status == .ok { seen = true }
                if !seen { invisible.append("GET \(path(\.own)) answered 200 to none of \(accounts) nor the administrator") }
            }
            print("access matrix: \(checked) routes × \(accounts.count) accounts × 2 records")
        #expect(checked >= 20, "routes checked: \(checked)")
            #expect(uncovered.isEmpty, "parameterised GET routes with no unit-owned fixture and not declared province-wide: \(uncovered.sorted())")
            #expect(leaks.isEmpty, "\(leaks)")
            #expect(invisible.isEmpty, "\(invisible)")
        }
    }
}
