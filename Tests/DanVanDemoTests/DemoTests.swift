import DanVanCitizens
import DanVanCore
import DanVanDemo
import DanVanDocuments
import DanVanEmulation
import DanVanQuiz
import DanVanReports
import DanVanTasks
import DanVanTestSupport
import Fluent
import Foundation
import Testing
import Vapor

@Suite("The demo")
struct DemoTests {
    @Test("the demo loads once into an empty database; every account signs in and its home page opens")
    func loadsAndSignsIn() async throws {
        try await withTestApp(clock: FixedClock(Date(timeIntervalSince1970: 1_796_180_400))) { app in
            #expect(try await DemoProvince.loadIfEmpty(app: app))
            #expect(try await DemoProvince.loadIfEmpty(app: app) == false, "a second start keeps the data")
            for account in DemoProvince.accounts {
                let client = WebClient(app)
                let signedIn = try await client.login(account.username, DemoProvince.password)
                #expect(signedIn.status == .seeOther, "\(account.username)")
                let home = try await client.get("/")
                #expect(home.status == .ok && home.body.contains("id=\"logout\""), "\(account.username)")
            }
        }
    }

    @Test("every workflow has something to show: documents of several kinds, tasks in varied states, an open quiz round")
    func everyWorkflowHasData() async throws {
        try await withTestApp(clock: FixedClock(Date(timeIntervalSince1970: 1_796_180_400))) { app in
            try await DemoProvince.loadIfEmpty(app: app)
            let now = app.clock.now()
            let documents = try await Document.query(on: app.db).all()
            #expect(Set(documents.compactMap(\.kind)).count >= 4, "plan, directive, conclusions notice, letter")
            let tasks = try await WorkTask.query(on: app.db).all()
            let states = Set(tasks.map { $0.effectiveStatus(now: now) })
            #expect(states.count >= 4, "\(states)")
            #expect(states.contains(.overdue) && states.contains(.done))
            #expect(Set(tasks.compactMap(\.$document.id)).count == documents.count, "every demo document has tasks")
            let rounds = try await QuizRound.query(on: app.db).filter(\.$status == .published).all()
            #expect(rounds.contains { $0.opensAt <= now && now < $0.closesAt }, "a round open now")
        }
    }
}

@Suite("The demo reports")
struct DemoReportTests {
    @Test("reports have history for last-year columns, one late, one missing, one returned, one waiting, and an open month")
    func reports() async throws {
        try await withTestApp(clock: FixedClock(Date(timeIntervalSince1970: 1_796_180_400))) { app in
            try await DemoProvince.loadIfEmpty(app: app)
            let now = app.clock.now()
            let monthly = try #require(try await ReportRegime.query(on: app.db).filter(\.$frequency == .month).first())
            let periods = try await ReportPeriod.query(on: app.db).filter(\.$regime.$id == monthly.id!).all()
            #expect(periods.count >= 13)
            let requests = try await ReportRequest.query(on: app.db).all()
            let timeliness = requests.map { Timeliness.of($0, now: now) }
            #expect(timeliness.contains(.missing) && timeliness.contains(.returned) && timeliness.contains(.onTime))
            #expect(timeliness.contains { if case .late = $0 { true } else { false } })
            #expect(requests.contains { $0.status == .submitted })
            #expect(requests.contains { $0.status == .pending && $0.dueOn >= now })
            // The consolidation of the last closed month has a last-year column.
            let closed = periods.filter { $0.cutoffOn < now }.max { $0.ordinal < $1.ordinal }!
            let specialist = WebClient(app)
            try await specialist.login("chuyenvien", DemoProvince.password)
            let page = try await specialist.get("/reports/periods/\(closed.id!)")
            #expect(page.status == .ok && page.body.contains("class=\"nowrap last-year\">—") == false)
        }
    }
}

@Suite("The demo citizens' work")
struct DemoCitizenTests {
    @Test("submissions in every state (overdue, reopened, mass, a sealed denunciation), an open warning, hot spots, a dialogue whose commitments are tasks, a road whose refusals rise")
    func citizens() async throws {
        try await withTestApp(clock: FixedClock(Date(timeIntervalSince1970: 1_796_180_400))) { app in
            try await DemoProvince.loadIfEmpty(app: app)
            let today = VNFormat.calendar.startOfDay(for: app.clock.now())
            let petitions = try await Petition.query(on: app.db).all()
            #expect(Set(petitions.map(\.status)).isSuperset(of: [.received, .accepted, .resolved]))
            #expect(petitions.contains { $0.isOverdue(today: today) })
            #expect(petitions.contains { $0.reopenCount > 0 } && petitions.contains(where: \.isMass))
            #expect(petitions.contains { $0.kind == .denunciation && $0.senderName.isEmpty })
            #expect(try await PetitionIdentity.query(on: app.db).count() == 1)
            #expect(try await HotSpotWarning.query(on: app.db).filter(\.$status == .open).count() >= 2, "the land cluster and the road's refusals")
            #expect(try await HotSpot.query(on: app.db).count() >= 1)
            let commitments = try await MeetingCommitment.query(on: app.db).all()
            #expect(!commitments.isEmpty && commitments.allSatisfy { $0.followUpType == "task" })
            #expect(try await CitizenMeeting.query(on: app.db).filter(\.$kind == .reception).count() >= 2)
            #expect(try await ClearanceArea.query(on: app.db).count() == 3)
            // The pages a newcomer opens show it.
            let client = WebClient(app)
            try await client.login("chuyenvien", DemoProvince.password)
            for page in ["/citizens", "/citizens/statistics", "/citizens/meetings", "/hotspots", "/citizens/clearance"] {
                #expect(try await client.get(page).status == .ok, "\(page)")
            }
        }
    }
}

@Suite("The demo \"Dân vận khéo\"")
struct DemoEmulationTests {
    @Test("40+ models across fields and years, recognised, commended, replicated (as tasks), one retired; last year's target met and this year's not yet; a year of democracy assessments; a published contest; every page opens")
    func emulation() async throws {
        try await withTestApp(clock: FixedClock(Date(timeIntervalSince1970: 1_796_180_400))) { app in
            try await DemoProvince.loadIfEmpty(app: app)
            let year = VNFormat.calendar.component(.year, from: app.clock.now())
            let models = try await DVKModel.query(on: app.db).all()
            #expect(models.count >= 40)
            #expect(Set(models.map(\.field)).count == EmulationField.allCases.count && Set(models.map(\.year)).count == 5)
            #expect(Set(models.map(\.status)).isSuperset(of: [.building, .proposed, .recognised, .commended, .replicated, .retired, .notRecognised]))
            let replications = try await Replication.query(on: app.db).all()
            #expect(replications.count >= 3 && replications.allSatisfy { $0.followUpType == "task" })
            #expect(try await Appraisal.query(on: app.db).filter(\.$status == .closed).count() >= 8)
            // The target page tells a story: last year met, this year under way.
            let units = try await OrgUnit.query(on: app.db).all()
            let last = try await TargetService.figures(year: year - 1, units: units, on: app.db)
            let now = try await TargetService.figures(year: year, units: units, on: app.db)
            #expect(last.dvk.met && !now.dvk.met && now.dvk.meeting > 0)
            #expect(last.democracy.units == 8 && last.democracy.meeting == 6)
            #expect(now.noSelfAssessment.contains { $0.code == "X-TL" })
            #expect(try await JuriedContest.query(on: app.db).filter(\.$status == .published).count() == 1)
            // The window is open today, so a newcomer can register.
            let settings = try await ModelService.year(year, on: app.db)
            #expect(settings.opensOn <= app.clock.now() && settings.closesOn >= VNFormat.calendar.startOfDay(for: app.clock.now()))
            let client = WebClient(app)
            try await client.login("lanhdao", DemoProvince.password)
            for page in ["/emulation", "/emulation/appraisals", "/emulation/democracy", "/emulation/contests", "/emulation/targets", "/emulation/settings", "/dan-van-kheo"] {
                #expect(try await client.get(page).status == .ok, "\(page)")
            }
        }
    }
}
