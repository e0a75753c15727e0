import DanVanCore
@testable import DanVanEmulation
import DanVanText
import Foundation
import Testing

/// The engine's pure rules: points in range, weighted totals, average and median, the spread
/// that sends a subject to discussion, classes by thresholds, conflicts, progress, prizes.
@Suite("Emulation: the assessment engine")
struct AssessmentEngineTests {
    init() { L10n.register(EmulationModule().localization) }

    static let a = UUID(), b = UUID(), c = UUID()
    static let items = [AssessmentEngine.Item(id: a, maxPoints: 10, weight: 1), AssessmentEngine.Item(id: b, maxPoints: 20, weight: 1), AssessmentEngine.Item(id: c, maxPoints: 5, weight: 2)]

    @Test("points are read with a comma or a point; missing, non-numeric and out-of-range points get a message each, keyed by criterion")
    func parse() {
        var errors = FormErrors()
        let values = AssessmentEngine.parse([Self.a: "8,5", Self.b: "21", Self.c: "abc"], items: Self.items, prefix: "points.", into: &errors)
        #expect(values == [Self.a: 8.5])
        #expect(errors["points.\(Self.b.uuidString)"] != nil)
        #expect(errors["points.\(Self.c.uuidString)"] != nil)
        var none = FormErrors()
        _ = AssessmentEngine.parse([Self.a: "-1", Self.b: "", Self.c: "5"], items: Self.items, prefix: "p.", into: &none)
        #expect(none["p.\(Self.a.uuidString)"] != nil && none["p.\(Self.b.uuidString)"] != nil && none["p.\(Self.c.uuidString)"] == nil)
    }

    @Test("a total is the sum of points times weights; the maximum likewise")
    func totals() {
        #expect(AssessmentEngine.total([Self.a: 10, Self.b: 15, Self.c: 4], items: Self.items) == 33)
        #expect(AssessmentEngine.maximum(Self.items) == 40)
    }

    @Test("average and median of the council's totals; the spread beyond the limit flags a discussion")
    func combine() {
        #expect(AssessmentEngine.combine([70, 80, 90, 100], method: .average) == 85)
        #expect(AssessmentEngine.combine([70, 80, 90, 100], method: .median) == 85)
        #expect(AssessmentEngine.combine([60, 80, 95], method: .median) == 80)
        #expect(AssessmentEngine.combine([], method: .average) == nil)
        #expect(AssessmentEngine.disagrees([70, 86], limit: 15))
        #expect(!AssessmentEngine.disagrees([70, 85], limit: 15))
        #expect(!AssessmentEngine.disagrees([70], limit: 0))
    }

    @Test("the class is the highest whose minimum the result reaches; the passing class and those above it pass")
    func classes() {
        let classes = EmulationDefaults.democracyClasses
        #expect(AssessmentEngine.classify(85, classes: classes)?.key == "tot")
        #expect(AssessmentEngine.classify(84.99, classes: classes)?.key == "kha")
        #expect(AssessmentEngine.classify(0, classes: classes)?.key == "yeu")
        let set = CriteriaSet()
        set.classes = EmulationDefaults.modelClasses
        set.passClass = "dat"
        #expect(set.passingKeys == ["dat", "tieu_bieu"])
    }

    @Test("an appraiser from the proposing unit or below it, or the subject's contact, is in conflict; others are not")
    func conflicts() {
        let me = UUID()
        #expect(AssessmentEngine.inConflict(appraiserID: me, appraiserUnitPath: "/p/x/", proposingUnitPath: "/p/x/", contactUserID: nil))
        #expect(AssessmentEngine.inConflict(appraiserID: me, appraiserUnitPath: "/p/x/y/", proposingUnitPath: "/p/x/", contactUserID: nil))
        #expect(!AssessmentEngine.inConflict(appraiserID: me, appraiserUnitPath: "/p/", proposingUnitPath: "/p/x/", contactUserID: nil))
        #expect(AssessmentEngine.inConflict(appraiserID: me, appraiserUnitPath: "/p/", proposingUnitPath: "/p/x/", contactUserID: me))
    }

    @Test("progress counts members who may score: conflicted and recused ones are out; complete when all have")
    func progress() {
        let m = (0..<4).map { _ in UUID() }
        let progress = AssessmentEngine.progress(members: m, conflicted: [m[0]], recused: [m[1]], scored: [m[2]])
        #expect(progress.eligible == 2 && progress.scored == 1 && !progress.complete)
        #expect(AssessmentEngine.progress(members: m, conflicted: [m[0]], recused: [m[1]], scored: [m[2], m[3], m[0]]).complete)
        #expect(!AssessmentEngine.progress(members: [m[0]], conflicted: [m[0]], recused: [], scored: []).complete)
    }

    @Test("prizes are read from lines and awarded down the ranking; entries past the last prize get none")
    func prizes() {
        let prizes = AssessmentEngine.prizes("Giải Nhất: 1\nGiải Nhì: 2\n\nKhuyến khích")
        #expect(prizes.map(\.name) == ["Giải Nhất", "Giải Nhì", "Khuyến khích"] && prizes.map(\.count) == [1, 2, 1])
        let ranked = (0..<6).map { _ in UUID() }
        let awarded = AssessmentEngine.award(ranked, prizes: prizes)
        #expect(awarded[ranked[0]] == "Giải Nhất" && awarded[ranked[2]] == "Giải Nhì" && awarded[ranked[3]] == "Khuyến khích" && awarded[ranked[4]] == nil)
    }

    @Test("criteria and classes typed in the settings are parsed; a malformed line is named")
    func typedSets() {
        let parsed = EmulationDefaults.parseCriteria("Nhóm 1 | Công khai | 15 | 1 | Niêm yết\nNhóm 1 | Bàn và quyết định | 10,5 | 2\n")
        #expect(parsed.badLine == nil && parsed.lines.count == 2 && parsed.lines[1].max == 10.5 && parsed.lines[1].weight == 2)
        #expect(EmulationDefaults.parseCriteria("Nhóm | Tiêu chí\n").badLine == 1)
        #expect(EmulationDefaults.parseCriteria("a | b | 5\n | | x").badLine == 2)
        let classes = EmulationDefaults.parseClasses("tot | Tốt | 85\nkha | Khá | 70")
        #expect(classes.badLine == nil && classes.classes.map(\.key) == ["tot", "kha"])
        #expect(EmulationDefaults.parseClasses("tot | Tốt").badLine == 1)
    }

    @Test("a unit meets the year's rule with enough recognitions at the floor level or above")
    func meets() {
        let settings = EmulationYear()
        settings.meetsModels = 1
        settings.meetsLevel = "commune"
        #expect(TargetService.meets(["commune": 1], settings: settings))
        #expect(!TargetService.meets([:], settings: settings))
        settings.meetsLevel = "province"
        #expect(!TargetService.meets(["commune": 3], settings: settings))
        #expect(TargetService.meets(["province": 1], settings: settings))
        settings.meetsModels = 2
        settings.meetsLevel = "commune"
        #expect(TargetService.meets(["province": 1, "commune": 1], settings: settings))
    }
}
