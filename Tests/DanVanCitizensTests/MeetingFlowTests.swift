@testable import DanVanCitizens
import DanVanCore
import DanVanText
import DanVanTasks
import DanVanTestSupport
import Fluent
import Foundation
import Testing
import Vapor

/// Reception days and dialogues, their commitments followed to the end; the statistics; the
/// settings that make the law and the calendar data.
@Suite("Citizens: meetings, statistics, settings")
struct MeetingFlowTests {
    static let start = PetitionFlowTests.start

    @Test("a dialogue's commitment becomes a task; when the task is done the commitment is kept, and the citizen's status page shows it")
    func commitments() async throws {
        try await withTestApp(clock: FixedClock(Self.start)) { app in
            // setup
            let units = try await TestProvince.load(app)
            let clerk = WebClient(app)
            try await clerk.login("chuyenvien")
            let petition = try await PetitionFlowTests.intake(clerk, PetitionFlowTests.form(units))
            let reference = try #require(try await Petition.find(petition.id, on: app.db)).reference
            // A commitment due on a holiday (1/1/2027) is refused with its reason, every typed field kept.
            try await clerk.get("/citizens/meetings/new")
            var fields: [String: String] = [
                "kind": "dialogue", "status": "held", "host_name": "Đặng Quốc Cường", "host_role": "communeSecretary", "unit": units["X-TL"]!.id!.uuidString,
                "commune": units["X-TL"]!.id!.uuidString, "held_on": "2026-11-10", "place": "Hội trường UBND xã Tân Lập", "participants": "45",
                "groups": "Các hộ bị thu hồi đất", "topics": "Bồi thường đường liên xã", "petitions": reference, "minutes": "Biên bản đối thoại",
                "commitment.0.content": "Chi trả tiền bồi thường cho 12 hộ", "commitment.0.unit": units["X-TL"]!.id!.uuidString, "commitment.0.due": "2027-01-01",
                "commitment.1.content": "", "commitment.1.due": "",
            ]
            let refused = try await clerk.post("/citizens/meetings/create", form: fields)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.contains("id=\"error-commitment-0\""))
            #expect(refused.body.contains("Chi trả tiền bồi thường cho 12 hộ") && refused.body.contains("Hội trường UBND xã Tân Lập"))
            #expect(try await CitizenMeeting.query(on: app.db).count() == 0)
            // act: a working day
            fields["commitment.0.due"] = "2026-12-15"
            let saved = try await clerk.post("/citizens/meetings/create", form: fields)
            #expect(saved.status == .seeOther)
            let commitment = try #require(try await MeetingCommitment.query(on: app.db).first())
            #expect(commitment.followUpType == "task")
            let task = try #require(try await WorkTask.find(commitment.followUpID, on: app.db))
            #expect(task.$leadUnit.id == units["X-TL"]!.id && VNFormat.isoDate(task.dueOn) == "2026-12-15")
            #expect(try await MeetingPetition.query(on: app.db).count() == 1)
            let page = try await clerk.get(try #require(saved.location))
            #expect(page.body.contains("id=\"followup-\(commitment.id!.uuidString)\""))
            // The dialogue is linked to a hot spot of the same commune.
            let spot = try await clerk.post("/hotspots/create", form: ["title": "Bồi thường đường liên xã Tân Lập", "commune": units["X-TL"]!.id!.uuidString, "field": "compensation", "severity": "2", "people": "12"])
            let spotPage = try await clerk.get(try #require(spot.location))
            #expect(spotPage.body.contains("id=\"link-meeting\""))
            let meetingID = try #require(try await CitizenMeeting.query(on: app.db).first()?.id)
            #expect(try await clerk.post(try #require(spot.location) + "/links", form: ["meeting": meetingID.uuidString]).status == .seeOther)
            #expect(try await HotSpotLink.query(on: app.db).filter(\.$targetType == "meeting").filter(\.$targetID == meetingID).count() == 1)
            // The host's record: one dialogue, no reception day, two needed this month.
            let meetings = try await clerk.get("/citizens/meetings")
            #expect(meetings.body.contains("id=\"host-record\""))
            // The task is done: the commitment is kept, on the citizen's page too.
            task.status = .done
            task.progress = 100
            task.completedOn = VNFormat.parseDate("2026-12-10")
            try await task.update(on: app.db)
            let states = try await MeetingService.states([commitment], followUps: app.followUps, today: Self.start, on: app.db)
            #expect(states[commitment.id!] == .kept)
            let citizen = WebClient(app)
            try await citizen.get("/tra-cuu")
            let status = try await citizen.post("/tra-cuu/ket-qua", form: ["code": petition.code])
            #expect(status.body.contains("id=\"public-promises\"") && status.body.contains("Chi trả tiền bồi thường cho 12 hộ"))
            #expect(status.body.contains("status-commitment-kept"))
        }
    }

    @Test("without a follow-up module a commitment is kept on the meeting itself: open, late after its due date, kept once")
    func commitmentWithoutTasks() async throws {
        try await withTestApp(clock: FixedClock(Self.start)) { app in
            let units = try await TestProvince.load(app)
            var input = MeetingInput()
            input.kind = .dialogue
            input.hostName = "Chủ tịch UBND xã"
            input.hostRole = .communeChair
            input.unitID = units["X-TL"]!.id
            input.heldOn = Self.start
            input.place = "Hội trường xã"
            input.commitments = [.init(content: "Nạo vét mương thôn Tân Hòa", unitID: units["X-TL"]!.id, dueOn: VNFormat.parseDate("2026-11-20"))]
            let meeting = try await MeetingService.create(input, petitionIDs: [], followUps: FollowUps(), actor: .system, at: Self.start, on: app.db)
            let commitment = try #require(try await MeetingCommitment.query(on: app.db).filter(\.$meeting.$id == meeting.id!).first())
            #expect(commitment.followUpID == nil)
            #expect(try await MeetingService.states([commitment], followUps: FollowUps(), today: Self.start, on: app.db)[commitment.id!] == .open)
            #expect(try await MeetingService.states([commitment], followUps: FollowUps(), today: VNFormat.parseDate("2026-11-23")!, on: app.db)[commitment.id!] == .late)
            try await MeetingService.keep(commitment, on: VNFormat.parseDate("2026-11-24")!, actor: .system, at: Self.start, on: app.db)
            #expect(try await MeetingService.states([commitment], followUps: FollowUps(), today: VNFormat.parseDate("2026-11-25")!, on: app.db)[commitment.id!] == .keptLate)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$entityType == "citizen_commitment").count() == 1)
        }
    }

    @Test("reception days against the minimum: a commune secretary with one day this month is short, with two is not")
    func minimum() async throws {
        try await withTestApp(clock: FixedClock(Self.start)) { app in
            let units = try await TestProvince.load(app)
            let leader = WebClient(app)
            try await leader.login("lanhdao.xa")
            for day in ["2026-11-03", "2026-11-09"] {
                try await leader.get("/citizens/meetings/new")
                let reply = try await leader.post("/citizens/meetings/create", form: [
                    "kind": "reception", "status": "held", "host_name": "Đặng Quốc Cường", "host_role": "communeSecretary",
                    "unit": units["X-TL"]!.id!.uuidString, "held_on": day, "place": "Trụ sở Đảng ủy xã", "participants": "6",
                ])
                #expect(reply.status == .seeOther)
                let page = try await leader.get("/citizens/meetings")
                #expect(page.body.contains("class=\"lagging\"") == (day == "2026-11-03"))
            }
            // A planned day cannot be in the past as held, nor a held one in the future.
            try await leader.get("/citizens/meetings/new")
            let future = try await leader.post("/citizens/meetings/create", form: [
                "kind": "reception", "status": "held", "host_name": "Đặng Quốc Cường", "host_role": "communeSecretary",
                "unit": units["X-TL"]!.id!.uuidString, "held_on": "2026-11-20", "place": "Trụ sở",
            ])
            #expect(future.status == .unprocessableEntity && future.body.contains("id=\"error-held\""))
            // Another commune's unit is outside the leader's scope.
            let outside = try await leader.post("/citizens/meetings/create", form: [
                "kind": "reception", "status": "held", "host_name": "X", "host_role": "other", "unit": units["X-DT"]!.id!.uuidString, "held_on": "2026-11-09", "place": "Y",
            ])
            #expect(outside.status == .unprocessableEntity && outside.body.contains("id=\"error-unit\""))
        }
    }

    @Test("statistics count by kind, field, status and unit inside the scope; the API pages them; the Excel file opens")
    func statistics() async throws {
        try await withTestApp(clock: FixedClock(Self.start)) { app in
            let units = try await TestProvince.load(app)
            let clerk = WebClient(app)
            try await clerk.login("chuyenvien")
            for (commune, field) in [("X-TL", "land"), ("X-TL", "environment"), ("X-DT", "land")] {
                _ = try await PetitionFlowTests.intake(clerk, PetitionFlowTests.form(units, commune: commune, field: field, sender: "Người \(commune) \(field)",
                                                                                     extra: ["unit": units[commune]!.id!.uuidString]))
            }
            let page = try await clerk.get("/citizens/statistics?from=2026-11-01&to=2026-11-30")
            #expect(page.status == .ok && page.body.contains("id=\"total-received\">3<"))
            // A commune leader counts only the commune's own.
            let leader = WebClient(app)
            try await leader.login("lanhdao.xa")
            #expect(try await leader.get("/citizens/statistics?from=2026-11-01&to=2026-11-30").body.contains("id=\"total-received\">2<"))
            let api = try await clerk.get("/api/v1/citizens/statistics?from=2026-11-01&to=2026-11-30")
            #expect(api.status == .ok)
            let json = try JSONDecoder().decode(CitizenAPI.StatisticsDTO.self, from: api.bytes)
            #expect(json.total.received == 3)
            #expect(json.byField.first { $0.key == "land" }?.received == 2)
            let list = try await clerk.get("/api/v1/citizens/petitions?limit=2")
            #expect(list.body.contains("\"total_count\":3"))
            #expect(try await clerk.get("/api/v1/citizens/petitions?limit=0").status == .badRequest)
            #expect(try await clerk.get("/citizens/statistics?from=2026-12-01&to=2026-11-01").status == .unprocessableEntity)
            let xlsx = try await clerk.get("/citizens/statistics.xlsx?from=2026-11-01&to=2026-11-30")
            #expect(xlsx.status == .ok && xlsx.bytes.starts(with: [0x50, 0x4B]))
            #expect(try officeText(xlsx.bytes, extension: "xlsx").contains("Đất đai"))
            // The month's summary in the board's Party layout, as Word renders it.
            let word = try await clerk.get("/citizens/statistics.docx?from=2026-11-01&to=2026-11-30")
            #expect(word.status == .ok)
            let text = try officeText(word.bytes, extension: "docx")
            for expected in ["BAN TUYÊN GIÁO VÀ DÂN", "BÁO CÁO", "tiếp nhận 3 đơn thư", "KẾT QUẢ GIẢI QUYẾT", "TRƯỞNG BAN"] {
                #expect(text.contains(expected), "the summary lacks \(expected)")
            }
        }
    }

    @Test("settings: a substitute day off moves an acknowledgement due date; an amendment row ends the old one and applies to cases accepted from its date")
    func settings() async throws {
        try await withTestApp(clock: FixedClock(Self.start)) { app in
            let units = try await TestProvince.load(app)
            let admin = WebClient(app)
            try await admin.login("admin")
            try await admin.get("/citizens/settings")
            // A day off without its basis is refused.
            #expect(try await admin.post("/citizens/settings/calendar", form: ["day": "2026-11-16", "decision": "off", "note": ""]).status == .unprocessableEntity)
            #expect(try await admin.post("/citizens/settings/calendar", form: ["day": "2026-11-16", "decision": "off", "note": "Nghỉ bù theo thông báo"]).status == .seeOther)
            let calendar = try await WorkingCalendarStore.load(on: app.db)
            #expect(!calendar.isWorkingDay(LunarCalendar.SolarDate(VNFormat.parseDate("2026-11-16")!)))
            // Every module reads the same calendar (Reports' deadline warning among them).
            #expect(try await !app.workingCalendar.load(app.db).isWorkingDay(LunarCalendar.SolarDate(VNFormat.parseDate("2026-11-16")!)))
            // Received 5/11 (Thu): 10 working days would end on 19/11; with 16/11 off, on 20/11.
            let clerk = WebClient(app)
            try await clerk.login("chuyenvien")
            let feedback = try await PetitionFlowTests.intake(clerk, PetitionFlowTests.form(units, kind: "feedback", extra: ["received_on": "2026-11-05"]))
            #expect(VNFormat.isoDate(try await Petition.find(feedback.id, on: app.db)?.ackDueOn) == "2026-11-20")
            // The amendment: feedback answered within 15 working days from 1/12/2026.
            try await admin.get("/citizens/settings")
            let rule = try await admin.post("/citizens/settings/time-limits", form: [
                "kind": "feedback", "instance": "0", "complexity": "", "remote": "", "resolve_days": "15", "day_type": "working",
                "effective_from": "2026-12-01", "basis": "Luật 136/2025/QH15 (giả định để thử)", "max_extensions": "0", "extension_days": "0",
            ])
            #expect(rule.status == .seeOther)
            let rules = try await TimeLimitRule.query(on: app.db).filter(\.$kind == .feedback).all()
            #expect(rules.count == 2)
            #expect(rules.first { $0.resolveDays == 30 }?.effectiveUntil == VNFormat.parseDate("2026-12-01"))
            #expect(TimeLimits.rule(kind: .feedback, instance: 1, complexity: .normal, remote: false, on: VNFormat.parseDate("2026-12-02")!, among: rules)?.resolveDays == 15)
            // Only administrators and specialists change the settings.
            let focal = WebClient(app)
            try await focal.login("daumoi.tanlap")
            #expect(try await focal.get("/citizens/settings").status == .forbidden)
            #expect(try await AuditEntry.query(on: app.db).filter(\.$entityType ~~ ["working_calendar", "time_limit"]).count() == 2)
        }
    }
}
