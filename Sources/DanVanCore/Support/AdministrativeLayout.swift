import DanVanText
import Foundation

/// How a unit's documents look (LEGAL.md §3): the family of its layout, who signs, the place
/// of the date line. Every module that writes a Word document in a unit's name uses this.
public enum AdministrativeLayout {
    /// Party bodies write in the Party layout (HD 36-HD/VPTW); the others in the State one (NĐ 30/2020).
    public static func family(of unit: OrgUnit) -> AdministrativeDocument.Family {
        [.partyCommittee, .partyBoard, .partyDelegation].contains(unit.kind) ? .party : .state
    }

    /// Who signs for the unit: a collective body signs "T/M" (Party) or "TM." (State) and its
    /// head's title; an advisory board or a department, its head directly.
    public static func signature(of unit: OrgUnit) -> AdministrativeDocument.Signature {
        switch unit.kind {
        case .partyCommittee: return .init(authority: L10n.text("layout.sign.standing_party"), title: L10n.text("layout.sign.secretary"), name: "")
        case .partyDelegation: return .init(authority: "T/M " + unit.name, title: L10n.text("layout.sign.secretary"), name: "")
        case .partyBoard: return .init(authority: "", title: L10n.text("layout.sign.head_board"), name: "")
        case .government, .peoplesCouncil: return .init(authority: "TM. " + unit.name, title: L10n.text("layout.sign.chair"), name: "")
        case .fatherlandFront, .socioPolitical: return .init(authority: L10n.text("layout.sign.standing_front"), title: L10n.text("layout.sign.chair"), name: "")
        case .department: return .init(authority: "", title: L10n.text("layout.sign.director"), name: "")
        default: return .init(authority: "", title: L10n.text("layout.sign.head"), name: "")
        }
    }

    /// The place of the date line: the province at the top of `unit`'s tree.
    public static func place(of unit: OrgUnit, units: [UUID: OrgUnit]) -> String {
        AdministrativeDocument.place(fromProvince: unit.ancestorIDs.first.flatMap { units[$0] }?.name ?? unit.name)
    }

    /// A report (BC) of `issuer` (its parent is the superior body), numbered by hand after printing.
    public static func report(issuer: OrgUnit, parent: OrgUnit?, place: String, kind: String, title: String, date: Date, blocks: [AdministrativeDocument.Block], recipients: [String]) -> AdministrativeDocument {
        document(issuer: issuer, parent: parent, place: place, kindCode: "BC", kind: kind, title: title, date: date, blocks: blocks, recipients: recipients)
    }

    /// A document of `issuer` whose kind abbreviates to `kindCode` ("BC" a report, "QĐ" a
    /// decision), numbered by hand after printing.
    public static func document(issuer: OrgUnit, parent: OrgUnit?, place: String, kindCode: String, kind: String, title: String, date: Date, blocks: [AdministrativeDocument.Block], recipients: [String]) -> AdministrativeDocument {
        let family = family(of: issuer)
        let code = issuer.shortName ?? issuer.code
        let symbol = family == .party ? "    -\(kindCode)/\(code)" : "    /\(kindCode)-\(code)"
        return AdministrativeDocument(
            family: family, superior: parent?.name, issuer: issuer.name, symbol: symbol, place: place, date: date,
            kind: kind, title: title, blocks: blocks, recipients: recipients, signature: signature(of: issuer)
        )
    }

    /// 1 → I, 4 → IV, 14 → XIV (section numerals of a report).
    public static func roman(_ number: Int) -> String {
        var rest = number, text = ""
        for (value, letters) in [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")] {
            while rest >= value { text += letters; rest -= value }
        }
        return text
    }
}
