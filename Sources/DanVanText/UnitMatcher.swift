import Foundation

/// Matches a unit as a directive prints it ("BCS đảng UBND tỉnh", "các huyện ủy",
/// "Ban Dân vận Tỉnh ủy") to units of the organisation tree, each with a confidence.
/// Pure: the caller passes the candidate units.
public struct UnitMatcher: Sendable {
    /// A unit that can be matched.
    public struct Candidate: Sendable, Equatable {
        public let id: UUID
        public let name: String
        public let shortName: String?
        /// Kind code as the tree stores it (`department`, `commune`…).
        public let kind: String

        /// Creates a candidate.
        public init(id: UUID, name: String, shortName: String?, kind: String) {
            self.id = id
            self.name = name
            self.shortName = shortName
            self.kind = kind
        }
    }

    /// One proposed unit.
    public struct Match: Sendable, Equatable {
        public let id: UUID
        public let name: String
        /// 0…1.
        public let confidence: Double
    }

    /// What a printed unit matched: one unit, or (for plurals such as "các sở") a set.
    public struct Result: Sendable, Equatable {
        /// Best first.
        public let matches: [Match]
        /// The phrase names a group ("các huyện ủy"): every match is meant.
        public let isGroup: Bool
    }

    struct Prepared {
        let candidate: Candidate
        let words: [String]
        let shortWords: [String]
    }

    let prepared: [Prepared]

    /// Prepares the candidates once; matching many phrases is then cheap.
    public init(candidates: [Candidate]) {
        prepared = candidates.map {
            Prepared(candidate: $0, words: Self.words($0.name), shortWords: $0.shortName.map(Self.words) ?? [])
        }
    }

    /// Abbreviations users and documents write, expanded word by word.
    static let abbreviations: [String: String] = [
        "ubnd": "uy ban nhan dan", "hdnd": "hoi dong nhan dan", "mttq": "mat tran to quoc", "ubmttq": "uy ban mat tran to quoc",
        "bcs": "ban can su", "llvt": "luc luong vu trang", "bdv": "ban dan van", "btv": "ban thuong vu", "tu": "tinh uy",
        "hu": "huyen uy", "bdvtu": "ban dan van tinh uy", "btgdv": "ban tuyen giao va dan van", "btgtu": "ban tuyen giao tinh uy",
        "btctu": "ban to chuc tinh uy", "bnctu": "ban noi chinh tinh uy", "vptu": "van phong tinh uy", "ldld": "lien doan lao dong",
        "hnd": "hoi nong dan", "hlhpn": "hoi lien hiep phu nu", "hccb": "hoi cuu chien binh", "tncs": "thanh nien cong san",
        "bchqs": "bo chi huy quan su", "bdbp": "bo doi bien phong", "ubkt": "uy ban kiem tra", "sxd": "so xay dung", "snv": "so noi vu",
        "tw": "trung uong", "cp": "chinh phu", "ctxh": "chinh tri xa hoi", "dang uy": "dang uy",
    ]

    /// Words that carry no identity ("các", "của").
    static let fillers: Set<String> = ["cac", "tung", "moi", "nhung", "cua", "va", "voi"]

    static func words(_ text: String) -> [String] {
        let folded = VietnameseText.fold(text)
        var result: [String] = []
        for raw in folded.split(whereSeparator: { !$0.isLetter && !$0.isNumber }) {
            let word = String(raw)
            if let expansion = abbreviations[word] { result += expansion.split(separator: " ").map(String.init) } else { result.append(word) }
        }
        return result.filter { !fillers.contains($0) }
    }

    /// Heads that, after "các", name a group of units, with the kinds they cover.
    static let groupHeads: [([String], Set<String>)] = [
        (["huyen", "uy"], ["partyCommittee"]), (["thanh", "uy"], ["partyCommittee"]), (["thi", "uy"], ["partyCommittee"]),
        (["dang", "uy"], ["partyCommittee"]), (["so"], ["department"]), (["xa"], ["commune"]), (["phuong"], ["commune"]),
        (["doan", "the"], ["socioPolitical"]), (["to", "chuc", "chinh", "tri", "xa", "hoi"], ["socioPolitical"]),
        (["ban", "dang"], ["partyBoard"]), (["dang", "doan"], ["partyDelegation"]), (["thon"], ["village"]),
        (["dia", "phuong"], ["commune"]), (["don", "vi", "luc", "luong", "vu", "trang"], ["armedForces"]),
        (["luc", "luong", "vu", "trang"], ["armedForces"]),
    ]

    /// Generic bodies that name every unit of some kinds, whatever the units are called
    /// ("chính quyền các cấp" is every People's Committee, "các địa phương" every commune).
    static let genericGroups: [([String], Set<String>)] = [
        (["cap", "uy", "dang"], ["partyCommittee"]), (["cap", "uy"], ["partyCommittee"]),
        (["chinh", "quyen"], ["government", "commune"]), (["dia", "phuong"], ["commune"]),
        (["don", "vi", "luc", "luong", "vu", "trang"], ["armedForces"]), (["luc", "luong", "vu", "trang"], ["armedForces"]),
    ]

    /// Matches one printed unit.
    public func match(_ phrase: String, limit: Int = 5) -> Result {
        let folded = VietnameseText.fold(VietnameseText.clean(phrase))
        let isPlural = folded.hasPrefix("cac ") || folded.hasPrefix("tung ") || folded.contains(" cac cap") || folded.hasPrefix("luc luong vu trang")
        var query = Self.words(phrase)
        guard !query.isEmpty else { return Result(matches: [], isGroup: false) }
        if isPlural {
            // "Các cấp ủy đảng", "Cấp ủy đảng các cấp": drop "cấp" used as "levels".
            if query.first == "cap", query.count > 1, query[1] != "uy" { query.removeFirst() }
            for (head, kinds) in Self.genericGroups where Array(query.prefix(head.count)) == head || Array(query.dropFirst().prefix(head.count)) == head {
                let members = prepared.filter { kinds.contains($0.candidate.kind) }
                if !members.isEmpty {
                    return Result(matches: members.map { Match(id: $0.candidate.id, name: $0.candidate.name, confidence: 0.8) }, isGroup: true)
                }
            }
            for (head, kinds) in Self.groupHeads where Array(query.prefix(head.count)) == head {
                let members = prepared.filter { kinds.contains($0.candidate.kind) && Array($0.words.prefix(head.count)) == head }
                if !members.isEmpty {
                    return Result(matches: members.map { Match(id: $0.candidate.id, name: $0.candidate.name, confidence: 0.9) }, isGroup: true)
                }
            }
        }
        var scored: [Match] = []
        for unit in prepared {
            let score = max(Self.similarity(query, unit.words), Self.similarity(query, unit.shortWords))
            if score > 0.3 { scored.append(Match(id: unit.candidate.id, name: unit.candidate.name, confidence: score)) }
        }
        scored.sort { $0.confidence != $1.confidence ? $0.confidence > $1.confidence : $0.name.count < $1.name.count }
        return Result(matches: Array(scored.prefix(limit)), isGroup: false)
    }

    /// Word overlap (Dice), with full credit for an exact match and a bonus when one
    /// starts with the other (documents often drop "tỉnh" or add it).
    static func similarity(_ a: [String], _ b: [String]) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        if a == b { return 1 }
        let setA = Set(a), setB = Set(b)
        let common = Double(setA.intersection(setB).count)
        var score = 2 * common / Double(setA.count + setB.count)
        let shorter = a.count < b.count ? a : b
        let longer = a.count < b.count ? b : a
        if Array(longer.prefix(shorter.count)) == shorter {
            score = max(score, 0.75 + 0.2 * Double(shorter.count) / Double(longer.count))
        }
        // The first word is the kind of body ("sở", "ban", "hội"): a different one is a
        // different unit however many words agree.
        if a.first != b.first { score *= 0.6 }
        return min(score, 0.99)
    }
}
