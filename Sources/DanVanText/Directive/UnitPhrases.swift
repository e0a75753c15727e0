import Foundation

/// Recognises the names of agencies and bodies that Vietnamese directives assign work to, and
/// the verbs that start what they must do. Rules about the language, not lists of one
/// province's units: a unit is a head noun ("Ban", "Đảng đoàn", "Sở", "chính quyền",
/// "các đoàn thể" …) followed by its modifiers, up to an obligation verb.
enum UnitPhrases {
    struct Head {
        let words: [String]
        /// Lower-case use needs a determiner before it ("các cơ quan"), capitalised does not.
        let needsCapitalOrDeterminer: Bool
        /// Next words that turn the head into something else ("Ban hành", "Hội nghị").
        let notFollowedBy: Set<String>
    }

    static let heads: [Head] = {
        func h(_ phrase: String, capital: Bool = false, not: Set<String> = []) -> Head {
            Head(words: phrase.split(separator: " ").map(String.init), needsCapitalOrDeterminer: capital, notFollowedBy: not)
        }
        let list = [
            h("ban can su dang"), h("ban can su"), h("ban chi dao"), h("ban thuong vu"), h("ban chap hanh"),
            h("ban", not: ["hanh", "dau", "ngay", "dem", "be", "bo", "than"]),
            h("dang doan"), h("dang uy"), h("dang bo"), h("chi bo"),
            h("uy ban"), h("ubnd"), h("ubmttq"), h("ubkt"), h("hdnd"), h("mttq"), h("bcs"), h("btv"), h("bdv"), h("llvt"),
            h("hoi dong nhan dan"), h("hoi dong", capital: true),
            h("mat tran to quoc"), h("mat tran", capital: true),
            h("so", capital: true, not: ["luong", "do", "lieu", "phan", "huu"]), h("van phong", capital: true),
            h("truong", capital: true, not: ["hop", "hoc"]), h("bao", capital: true, not: ["cao", "dam", "ve", "ton", "chi"]),
            h("dai", capital: true, not: ["hoi", "dien", "bieu", "tu"]),
            h("cong an"), h("bo chi huy"), h("bo doi bien phong"), h("bo doi"), h("canh sat"),
            h("tinh doan"), h("tinh uy"), h("huyen uy"), h("thi uy"), h("thanh uy"), h("quan uy"),
            h("lien doan lao dong"), h("lien doan", capital: true), h("cong doan"),
            h("hoi", capital: true, not: ["nghi", "thao", "thi", "dien", "vien", "nhap", "tu", "cho", "du", "dong"]),
            h("doan", capital: true, not: ["ket", "vien", "the"]), h("doan the"),
            h("thanh tra", capital: true), h("toa an"), h("vien kiem sat"), h("vien", capital: true), h("cuc", capital: true), h("chi cuc"),
            h("tong cuc"), h("bo", capital: true, not: ["may", "phan", "tieu", "luat"]), h("kho bac"), h("ngan hang", capital: true),
            h("to cong tac"), h("thuong truc", capital: true), h("nguoi dung dau"), h("thu truong"),
            h("cap uy dang"), h("cap uy"), h("chinh quyen"), h("luc luong vu trang"), h("don vi luc luong vu trang"),
            h("to chuc chinh tri"), h("to chuc", capital: true), h("co quan", capital: true), h("don vi", capital: true),
            h("dia phuong", capital: true), h("nganh", capital: true), h("ban dang"), h("hoi quan chung"),
            h("bao chi", capital: true), h("co quan bao chi"),
            h("xa", capital: true, not: ["hoi"]), h("phuong", capital: true), h("thi tran", capital: true), h("thon", capital: true),
            h("khu pho", capital: true), h("ap", capital: true), h("buon", capital: true), h("to dan pho"),
        ]
        return list.sorted { $0.words.count > $1.words.count }
    }()

    /// Set phrases that contain commas but name one group ("các sở, ban, ngành").
    static let setPhrases: [[String]] = [
        ["co", "quan", "chuyen", "trach", "tham", "muu", ",", "giup", "viec"],
        ["so", ",", "ban", ",", "nganh"],
        ["ban", ",", "nganh", ",", "doan", "the"],
        ["ban", ",", "nganh"],
        ["co", "quan", ",", "don", "vi"],
        ["cap", ",", "cac", "nganh"],
    ].sorted { $0.count > $1.count }

    static let determiners: [[String]] = [["tat", "ca", "cac"], ["cac", "cap"], ["toan", "the"], ["cac"], ["tung"], ["moi"], ["nhung"]]

    /// Verbs (and adverbs) that start what a unit must do.
    static let verbs: [[String]] = {
        let phrases = [
            "chu tri", "phoi hop", "tham muu", "chi dao", "lanh dao", "tang cuong", "tiep tuc", "trien khai", "to chuc",
            "thuc hien", "theo doi", "huong dan", "xay dung", "nang cao", "tap trung", "chu dong", "day manh", "phat huy",
            "ban hanh", "quan triet", "nghien cuu", "kiem tra", "giam sat", "don doc", "tich cuc", "can", "phai",
            "co trach nhiem", "tiep thu", "ra soat", "bao dam", "dam bao", "quan tam", "dinh ky", "thuong xuyen", "doi moi",
            "lua chon", "danh", "phan anh", "bao cao", "so ket", "tong ket", "xem xet", "tuyen truyen", "van dong",
            "phat hien", "nhan rong", "khao sat", "danh gia", "tham gia", "ho tro", "giai quyet", "uu tien", "kip thoi",
            "khan truong", "nghiem tuc", "cung co", "kien toan", "phan cong", "de xuat", "tong hop", "cap nhat", "bo tri",
            "hoan thien", "dua", "lam tot", "phat dong", "tiep nhan", "duy tri", "nam chac", "nam bat", "chuan bi",
            "cung cap", "can cu", "hoan thanh", "tien hanh", "thong nhat", "chiu trach nhiem", "giup", "tranh thu",
            "mo", "soan thao", "tham dinh", "thanh lap", "xu ly", "cu", "huy dong", "bo sung", "sua doi", "nghiem tuc",
        ]
        return phrases.map { $0.split(separator: " ").map(String.init) }.sorted { $0.count > $1.count }
    }()

    /// Prepositions that open an adjunct after a unit's name ("… có liên quan trong công tác …").
    static let adjunctStarts: Set<String> = ["trong", "ve", "theo", "tai", "de", "nham", "doi", "tren", "khi", "thong"]

    /// Words before a verb that make the sentence a report of what was done, not an order.
    static let pastMarkers: Set<String> = ["da", "dang", "duoc", "van", "con", "chua", "se"]

    /// Length of the obligation verb phrase at `index`, or nil.
    static func verb(_ tokens: [Token], at index: Int) -> Int? {
        guard index < tokens.count, tokens[index].isWord, !tokens[index].isCapitalized || index == 0 else { return nil }
        for phrase in verbs where tokens.matches(phrase, at: index) {
            // "tổ chức chính trị", "bảo đảm" as nouns after a determiner are handled by the caller.
            return phrase.count
        }
        return nil
    }

    /// Length of a determiner at `index`.
    static func determiner(_ tokens: [Token], at index: Int) -> Int {
        for phrase in determiners where tokens.matches(phrase, at: index) { return phrase.count }
        return 0
    }

    /// Reads one unit starting at `index`; returns the end (exclusive) of the printed unit.
    /// At the start of a sentence every word is capitalised, so a head that needs a capital
    /// ("Sở", "Tổ chức") must there be followed by a capitalised name ("Sở Nội vụ").
    static func unit(_ tokens: [Token], at index: Int) -> Int? {
        if let title = personTitle(tokens, at: index) { return unitWithoutTitle(tokens, at: index + title) }
        return unitWithoutTitle(tokens, at: index)
    }

    /// `unit(_:at:)` without a person's title in front.
    static func unitWithoutTitle(_ tokens: [Token], at index: Int) -> Int? {
        guard index < tokens.count, tokens[index].isWord else { return nil }
        let sentenceStart = index == 0
        var headEnd: Int?
        var candidates = determiners.filter { tokens.matches($0, at: index) }.map(\.count)
        candidates.append(0)
        search: for determinerLength in candidates {
            let position = index + determinerLength
            for phrase in setPhrases where tokens.matches(phrase, at: position) {
                headEnd = position + phrase.count
                break search
            }
            for head in heads where tokens.matches(head.words, at: position) {
                let after = position + head.words.count
                if after < tokens.count, head.notFollowedBy.contains(tokens[after].folded) { continue }
                if head.needsCapitalOrDeterminer, determinerLength == 0 {
                    guard tokens[position].isCapitalized else { continue }
                    // "Sở Nội vụ", or an enumerated name "Báo và Phát thanh, Truyền hình …".
                    let namedNext = after < tokens.count && tokens[after].isCapitalized
                    let namedAfterAnd = after + 1 < tokens.count && tokens[after].folded == "va" && tokens[after + 1].isCapitalized
                    if sentenceStart, !(namedNext || namedAfterAnd) { continue }
                }
                headEnd = after
                break search
            }
        }
        guard var end = headEnd else { return nil }
        // Modifiers: everything up to a separator or an obligation verb written in lower case.
        var modifiers = 0
        while end < tokens.count, modifiers < 16 {
            let token = tokens[end]
            if !token.isWord {
                if token.folded == "-" {
                    // "Ban Dân vận Tỉnh ủy - cơ quan thường trực …" is an apposition, not the name.
                    if tokens.matches(["co", "quan"], at: end + 1) { break }
                    end += 1
                    continue
                }
                // A name that enumerates ("Sở Văn hóa, Thể thao và Du lịch") goes on after a
                // comma when a capitalised word that starts no other unit follows.
                if token.folded == ",", end + 1 < tokens.count, tokens[end + 1].isWord, tokens[end + 1].isCapitalized,
                   unit(tokens, at: end + 1) == nil, modifiers > 0,
                   nameEnumerationFollows(tokens, from: end + 1, sawAnd: tokens[index..<end].contains { $0.folded == "va" }) {
                    end += 1
                    continue
                }
                if token.folded == "(" , let close = tokens[end...].firstIndex(where: { $0.folded == ")" }), close - end <= 6 {
                    end = close + 1
                    continue
                }
                break
            }
            if token.folded == "va" {
                if unit(tokens, at: end + 1) != nil { break }
                if end + 1 < tokens.count, tokens[end + 1].isCapitalized { end += 1; continue }
                break
            }
            if !token.isCapitalized, verb(tokens, at: end) != nil { break }
            if !token.isCapitalized, adjunctStarts.contains(token.folded), end > index + 1 {
                // Part of the name only when the name's verb follows shortly
                // ("… được giao nhiệm vụ trong kế hoạch tập trung …").
                var ahead = end + 1
                var verbFollows = false
                while ahead < tokens.count, ahead <= end + 6, tokens[ahead].isWord {
                    if verb(tokens, at: ahead) != nil { verbFollows = true; break }
                    ahead += 1
                }
                if !verbFollows { break }
            }
            if !token.isCapitalized, pastMarkers.contains(token.folded), verb(tokens, at: end) == nil, end + 1 < tokens.count, verb(tokens, at: end + 1) != nil { break }
            end += 1
            modifiers += 1
        }
        return end
    }

    /// Whether capitalised words up to a "và <Capitalised>" follow: the tail of an enumerated
    /// name such as "…, Thể thao và Du lịch".
    /// Also true when the name already had its "và" ("Báo và Phát thanh, Truyền hình …") and
    /// only capitalised words come before the verb.
    static func nameEnumerationFollows(_ tokens: [Token], from: Int, sawAnd: Bool = false) -> Bool {
        var index = from
        while index < tokens.count, index < from + 8 {
            let token = tokens[index]
            if !token.isWord { return false }
            if token.folded == "va" { return index + 1 < tokens.count && tokens[index + 1].isCapitalized && unit(tokens, at: index + 1) == nil }
            if !token.isCapitalized, verb(tokens, at: index) != nil { return sawAnd && index > from }
            index += 1
        }
        return false
    }

    /// A list of units ("A, B và C") starting at `index`: the units' token ranges and the
    /// position after the list. A person's title before a unit ("Giám đốc Sở Nội vụ") is left
    /// out of the unit's range (`role(_:before:in:)` reads it back).
    static func list(_ tokens: [Token], at index: Int) -> (units: [Range<Int>], end: Int)? {
        guard let first = unit(tokens, at: index) else { return nil }
        var units = [(index + (personTitle(tokens, at: index) ?? 0))..<first]
        var end = first
        while end < tokens.count {
            let separator = tokens[end].folded
            guard separator == "," || separator == ";" || separator == "va" else { break }
            guard let next = unit(tokens, at: end + 1) else { break }
            units.append((end + 1 + (personTitle(tokens, at: end + 1) ?? 0))..<next)
            end = next
        }
        return (units, end)
    }

    /// Titles of the persons directives name as subjects, folded: the unit follows the title.
    static let titles: [[String]] = [
        "bi thu", "pho bi thu thuong truc", "pho bi thu", "chu tich", "pho chu tich thuong truc", "pho chu tich", "giam doc", "pho giam doc",
        "tong giam doc", "truong", "pho truong", "chanh van phong", "pho chanh van phong", "chanh an", "vien truong", "chi huy truong",
        "tong bien tap", "chu nhiem", "cuc truong", "truong phong", "giam doc dieu hanh",
    ].map { $0.split(separator: " ").map(String.init) }.sorted { $0.count > $1.count }

    static let titleStarts: Set<String> = Set(titles.map { $0[0] } + ["dong", "d/c"])

    /// Length of a person's title at `index` ("Đồng chí Bí thư", "Đ/c Chủ tịch", "Giám đốc")
    /// when a unit follows it, or nil.
    static func personTitle(_ tokens: [Token], at index: Int) -> Int? {
        // A title is capitalised ("Bí thư", "Giám đốc") or follows "đồng chí" / "đ/c": most
        // words are neither, and `unit(_:at:)` asks at every position.
        guard index < tokens.count else { return nil }
        let token = tokens[index]
        if !token.isCapitalized, token.folded != "dong", token.folded != "d/c" { return nil }
        guard titleStarts.contains(token.folded) else { return nil }
        var position = index
        if tokens.matches(["dong", "chi"], at: position) { position += 2 } else if tokens.matches(["d/c"], at: position) { position += 1 }
        for title in titles where tokens.matches(title, at: position) {
            // "Trưởng" is a title; "Trường" (a school) is a unit: folding makes them one word.
            if title.first == "truong" || title.last == "truong" {
                let word = tokens[position + title.count - 1].text.lowercased()
                guard word.hasPrefix("trưởng") else { continue }
            }
            let after = position + title.count
            guard after < tokens.count, unitWithoutTitle(tokens, at: after) != nil else { continue }
            return after - index
        }
        return nil
    }

    /// The person's title printed right before a unit that starts at `start` ("Bí thư" before
    /// "Tỉnh ủy"), without "Đồng chí".
    static func role(_ tokens: [Token], before start: Int, in source: Substring) -> String? {
        for length in (1...6).reversed() where start - length >= 0 {
            guard personTitle(tokens, at: start - length) == length else { continue }
            var from = start - length
            if tokens.matches(["dong", "chi"], at: from) { from += 2 } else if tokens.matches(["d/c"], at: from) { from += 1 }
            let text = tokens.text(from, start, in: source)
            return text.isEmpty ? nil : text
        }
        return nil
    }

    /// Whether an obligation (not a report of the past) starts at `index`.
    /// A report of the past ("đã triển khai") starts with a marker that is no obligation verb;
    /// folding makes "vẫn" and "vận" alike, so the verb lexicon, not the marker list, decides.
    static func obligation(_ tokens: [Token], at index: Int) -> Bool {
        guard index < tokens.count else { return false }
        return verb(tokens, at: index) != nil
    }
}
