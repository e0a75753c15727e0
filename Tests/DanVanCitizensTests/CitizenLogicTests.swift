@testable import DanVanCitizens
import DanVanCore
import DanVanText
import Foundation
import Testing
import Vapor

/// Pure logic: the working calendar, the choice of time limit, codes, likeness, the vault.
@Suite("Citizens logic")
struct CitizenLogicTests {
    init() { L10n.register(CitizensModule().localization) }

    static func day(_ iso: String) -> LunarCalendar.SolarDate { LunarCalendar.SolarDate(iso: iso)! }
    static func date(_ iso: String) -> Date { VNFormat.parseDate(iso)! }

    @Test("Tết 2026 is five days off (16–20/2), so one working day after Friday 13/2 is Monday 23/2")
    func tet() {
        // setup
        let calendar = WorkingCalendar()
        // act, check
        #expect(WorkingCalendar.holidays(2026).filter { $0.value == .tet }.keys.map(\.iso).sorted() == ["2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20"])
        #expect(calendar.addingWorkingDays(1, to: Self.day("2026-02-13")).iso == "2026-02-23")
        #expect(calendar.addingWorkingDays(10, to: Self.day("2026-02-10")).iso == "2026-03-03")
        #expect(calendar.holiday(on: Self.day("2026-04-26")) == .hungKings)
        #expect(WorkingCalendar.weekday(Self.day("2026-12-05")) == 6)
    }

    @Test("a calendar-day limit ending on a holiday or a weekend moves to the next working day")
    func rolling() {
        let calendar = WorkingCalendar()
        // 31/3 + 30 days = 30/4 (holiday), 1/5 (holiday), 2–3/5 weekend → Monday 4/5.
        #expect(calendar.addingCalendarDays(30, to: Self.day("2026-03-31")).iso == "2026-05-04")
        #expect(calendar.addingCalendarDays(3, to: Self.day("2026-11-02")).iso == "2026-11-05")
    }

    @Test("the province's decisions override the computed calendar")
    func overrides() {
        // setup: a Saturday worked in exchange, a Monday given off.
        let calendar = WorkingCalendar(overrides: [Self.day("2026-02-14"): .working, Self.day("2026-02-23"): .off])
        // check
        #expect(calendar.isWorkingDay(Self.day("2026-02-14")))
        #expect(!calendar.isWorkingDay(Self.day("2026-02-23")))
        #expect(calendar.addingWorkingDays(1, to: Self.day("2026-02-13")).iso == "2026-02-14")
        #expect(calendar.addingWorkingDays(2, to: Self.day("2026-02-13")).iso == "2026-02-24")
        #expect(calendar.workingDays(after: Self.day("2026-02-13"), through: Self.day("2026-02-24")) == 2)
    }

    @Test("property: a working-day deadline is a working day, n working days after the start, for every start in 2026–2027")
    func workingDaysProperty() {
        let calendar = WorkingCalendar()
        var start = Self.day("2026-01-01")
        var generator = SeededGenerator(seed: SeededGenerator.testSeed(20261205, environment: ProcessInfo.processInfo.environment))
        while start < Self.day("2027-12-31") {
            let count = Int.random(in: 1...30, using: &generator)
            let due = calendar.addingWorkingDays(count, to: start)
            #expect(calendar.isWorkingDay(due))
            #expect(calendar.workingDays(after: start, through: due) == count)
            start = LunarCalendar.adding(Int.random(in: 1...9, using: &generator), to: start)
        }
    }

    @Test("the rule is the most specific one in force: a remote complex first complaint gets 60 days, an especially complex denunciation two extensions")
    func ruleChoice() {
        // setup
        let rules = TimeLimitDefaults.rules(at: Date())
        let day = Self.date("2026-11-10")
        // act
        let remoteComplex = TimeLimits.rule(kind: .complaint, instance: 1, complexity: .complex, remote: true, on: day, among: rules)
        let second = TimeLimits.rule(kind: .complaint, instance: 2, complexity: .normal, remote: false, on: day, among: rules)
        let especially = TimeLimits.rule(kind: .denunciation, instance: 1, complexity: .especiallyComplex, remote: true, on: day, among: rules)
        let fallback = TimeLimits.rule(kind: .complaint, instance: 1, complexity: .especiallyComplex, remote: false, on: day, among: rules)
        // check
        #expect(remoteComplex?.resolveDays == 60)
        #expect(second?.resolveDays == 45)
        #expect(second?.acceptDays == nil)
        #expect(especially?.maxExtensions == 2)
        #expect(especially?.extensionDays == 30)
        #expect(fallback?.resolveDays == 45)
        #expect(TimeLimits.rule(kind: .denunciation, instance: 1, complexity: .normal, remote: false, on: Self.date("2018-06-01"), among: rules) == nil)
    }

    @Test("an amendment is a row: cases accepted from its date take it, earlier ones keep the old limit")
    func amendment() {
        // setup: the old row ends on 1/7/2026, a new one (say 20 days) starts then.
        let rules = TimeLimitDefaults.rules(at: Date())
        let old = rules.first { $0.kind == .feedback }!
        old.effectiveUntil = Self.date("2026-07-01")
        let amended = TimeLimitRule()
        amended.kind = .feedback
        amended.instance = 0
        amended.resolveDays = 20
        amended.dayType = .working
        amended.maxExtensions = 0
        amended.extensionDays = 0
        amended.basis = "Luật 136/2025/QH15"
        amended.effectiveFrom = Self.date("2026-07-01")
        let all = rules + [amended]
        // check
        #expect(TimeLimits.rule(kind: .feedback, instance: 1, complexity: .normal, remote: false, on: Self.date("2026-06-30"), among: all)?.resolveDays == 30)
        #expect(TimeLimits.rule(kind: .feedback, instance: 1, complexity: .normal, remote: false, on: Self.date("2026-07-01"), among: all)?.resolveDays == 20)
    }

    @Test("the acknowledgement is due at working day 10, or sooner when the law's acceptance time ends first")
    func acknowledgement() {
        let rules = TimeLimitDefaults.rules(at: Date())
        let calendar = WorkingCalendar()
        let received = Self.date("2026-11-02")
        let feedback = TimeLimits.rule(kind: .feedback, instance: 1, complexity: .normal, remote: false, on: received, among: rules)
        let complaint = TimeLimits.rule(kind: .complaint, instance: 1, complexity: .normal, remote: false, on: received, among: rules)
        // 10 working days after Mon 2/11 is Mon 16/11; a complaint's 10 days end on Thu 12/11.
        #expect(VNFormat.isoDate(TimeLimits.acknowledgementDue(received: received, rule: feedback, calendar: calendar)) == "2026-11-16")
        #expect(VNFormat.isoDate(TimeLimits.acknowledgementDue(received: received, rule: complaint, calendar: calendar)) == "2026-11-12")
        #expect(VNFormat.isoDate(TimeLimits.resolutionDue(accepted: Self.date("2026-11-12"), rule: complaint, calendar: calendar)) == "2026-12-14")
    }

    @Test("tracking codes: 12 symbols in groups, typed loosely, hashed under a key; a misread symbol matches nothing")
    func codes() {
        let key = SymmetricKey(size: .bits256)
        var seen = Set<String>()
        for _ in 0..<500 {
            let code = PetitionText.newCode()
            #expect(code.count == 14)
            #expect(PetitionText.normalizedCode(code).count == 12)
            seen.insert(code)
        }
        #expect(seen.count == 500)
        let code = PetitionText.newCode()
        let typed = " " + code.lowercased().replacingOccurrences(of: "-", with: " ") + " "
        #expect(PetitionText.codeHash(typed, key: key) == PetitionText.codeHash(code, key: key))
        #expect(PetitionText.codeHash(code, key: SymmetricKey(size: .bits256)) != PetitionText.codeHash(code, key: key))
        #expect(PetitionText.normalizedCode("ABCD-0OIL-2345").contains("?"))
    }

    @Test("likeness: the same complaint in other words is close, another matter is not; sender keys ignore case and marks")
    func likeness() {
        let a = PetitionText.words("Đề nghị bồi thường đất nông nghiệp bị thu hồi làm đường liên xã Tân Lập")
        let b = PetitionText.words("Kiến nghị về bồi thường đất nông nghiệp thu hồi để làm đường liên xã")
        let c = PetitionText.words("Phản ánh tiếng ồn của quán karaoke ban đêm")
        #expect(PetitionText.likeness(a, b) >= 0.45)
        #expect(PetitionText.likeness(a, c) < 0.2)
        let key = SymmetricKey(size: .bits256)
        #expect(PetitionText.senderKey(name: "Nguyễn Văn Đức", key: key) == PetitionText.senderKey(name: "nguyen van  duc", key: key))
        #expect(PetitionText.senderKey(name: "", key: key) == "")
    }

    @Test("the vault opens what it sealed, and nothing sealed for another submission, under another key or with a changed byte")
    func vault() throws {
        // setup
        let vault = IdentityVault(key: SymmetricKey(size: .bits256))
        let identity = DenouncerIdentity(name: "Trần Văn Kín", address: "Thôn Bãi Giữa", contact: "0912 000 111")
        let id = UUID()
        // act
        let sealed = try vault.seal(identity, petitionID: id)
        // check
        #expect(!sealed.contains("Kín"))
        #expect(try vault.open(sealed, petitionID: id) == identity)
        #expect(throws: (any Error).self) { try vault.open(sealed, petitionID: UUID()) }
        #expect(throws: (any Error).self) { try IdentityVault(key: SymmetricKey(size: .bits256)).open(sealed, petitionID: id) }
        var bytes = Data(base64Encoded: sealed)!
        bytes[bytes.count / 2] ^= 0x01
        #expect(throws: (any Error).self) { try vault.open(bytes.base64EncodedString(), petitionID: id) }
        let file = Data("scanned letter".utf8)
        #expect(try vault.openFile(try vault.sealFile(file)) == file)
    }

    @Test("validation: a mass complaint needs representatives within the law's number; a denunciation needs a handler")
    func validation() {
        var input = PetitionInput()
        input.kind = .complaint
        input.field = .land
        input.summary = "Khiếu nại quyết định thu hồi đất"
        input.content = "Nội dung khiếu nại quyết định thu hồi đất của 12 hộ dân."
        input.senderName = "Nguyễn Văn A"
        input.senderCount = 12
        input.receivedOn = Self.date("2026-11-02")
        let commune = OrgUnit()
        commune.level = .commune
        #expect(PetitionService.validate(input, commune: commune, today: Self.date("2026-11-03"))["representatives"] != nil)
        input.representatives = "A\nB\nC\nD\nE\nF"
        #expect(PetitionService.validate(input, commune: commune, today: Self.date("2026-11-03"))["representatives"] != nil)
        input.representatives = "A\nB\nC"
        #expect(PetitionService.validate(input, commune: commune, today: Self.date("2026-11-03")).isEmpty)
        input.kind = .denunciation
        input.senderCount = 1
        #expect(PetitionService.validate(input, commune: commune, today: Self.date("2026-11-03"))["handler"] != nil)
        #expect(PetitionService.validate(input, commune: commune, today: Self.date("2026-11-03"), public: true)["handler"] == nil)
        #expect(PetitionService.validate(input, commune: commune, today: Self.date("2026-11-01"))["received_on"] != nil)
    }
}
