import Foundation

/// What the directive reader found in one document. Keys follow the fixtures' contract
/// (`shared/fixtures/directives/*.expected.json`); extra keys add detail.
public struct DirectiveParse: Codable, Sendable, Equatable {
    /// The file name, when read from a file.
    public var file: String?
    /// Document kind in words: "Kế hoạch", "Chỉ thị", "Công văn"…
    public var kind: String?
    /// The document's own symbol when its header survived (`06-KH/BDVTW`).
    public var symbol: String?
    /// The document's own date (ISO) when its header survived.
    public var date: String?
    /// The subject line(s) under the kind word, joined.
    public var title: String?
    /// Who signed.
    public var signer: Signer
    /// "Nơi nhận" and "Đồng kính gửi" lists.
    public var recipients: [String]
    /// "Kính gửi" list.
    public var addressees: [String]
    /// Every cited document with a symbol, once, in order of first mention.
    public var references: [Reference]
    /// Laws cited by name only.
    public var namedLaws: [String]
    /// Who must do what.
    public var assignments: [Assignment]
    /// The numbered outline.
    public var sections: [Section]
    /// Things the reader could not make sense of (empty when all went well).
    public var warnings: [String]

    /// The signature block.
    public struct Signer: Codable, Sendable, Equatable {
        public var name: String?
        public var title: String?
        public var onBehalfOf: String?
    }

    /// A cited document.
    public struct Reference: Codable, Sendable, Equatable {
        /// Canonical symbol: spaces removed, hyphen restored, case as first printed.
        public var symbol: String
        /// The kind word before it ("Nghị quyết"), or one derived from the kind code.
        public var kind: String?
        /// ISO date from any mention, else nil.
        public var date: String?
        /// The number (`43`).
        public var number: String
        /// The kind code (`KL`, `CT`, `NĐ`).
        public var kindCode: String?
        /// The issuer code (`TW`, `TU`, `CP`, `BDVTU-UBND`).
        public var issuer: String?
        /// The year inside a State symbol (`59/2023/NĐ-CP`).
        public var year: Int?
        /// `party` (N-KIND/ISSUER) or `state` (N/KIND-ISSUER).
        public var family: String
    }

    /// When an assignment is due.
    public struct Due: Codable, Sendable, Equatable {
        /// `quarter`, `year`, `date` or `recurring`.
        public var kind: String
        public var quarter: Int?
        public var year: Int?
        public var date: String?
        /// `year`, `month`, `quarter`, `6months`, `6months+year` for recurring work.
        public var every: String?

        /// A deadline or recurrence.
        public init(kind: String, quarter: Int? = nil, year: Int? = nil, date: String? = nil, every: String? = nil) {
            self.kind = kind
            self.quarter = quarter
            self.year = year
            self.date = date
            self.every = every
        }

        /// The last day on which it is due (ISO), for one-off deadlines.
        public var endDate: String? {
            switch kind {
            case "quarter":
                guard let quarter, let year else { return nil }
                let month = quarter * 3
                return String(format: "%04d-%02d-%02d", year, month, Self.daysIn(month: month, year: year))
            case "year":
                return year.map { String(format: "%04d-12-31", $0) }
            case "date":
                return date
            default:
                return nil
            }
        }

        static func daysIn(month: Int, year: Int) -> Int {
            switch month {
            case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
            case 4, 6, 9, 11: return 30
            default: return 31
            }
        }

        /// Encodes only the keys its kind uses, as the contract does.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(kind, forKey: .kind)
            try container.encodeIfPresent(quarter, forKey: .quarter)
            try container.encodeIfPresent(year, forKey: .year)
            try container.encodeIfPresent(date, forKey: .date)
            try container.encodeIfPresent(every, forKey: .every)
        }
    }

    /// Who must do what.
    public struct Assignment: Codable, Sendable, Equatable {
        /// The lead unit, as printed.
        public var lead: String
        /// Coordinating units, as printed, in order, without repeats.
        public var coordinators: [String]
        /// When it is due, if the text says.
        public var due: Due?
        /// The concrete last day (ISO) for one-off deadlines.
        public var dueDate: String?
        /// First 80 characters of the sentence or heading, list markers removed.
        public var quote: String
        /// The whole sentence(s), or the heading with the items under it.
        public var text: String
        /// The outline position, e.g. `III.2`; rows of an annex's table are `PL.<group>.<number>`.
        public var section: String?
        /// The title of the person named as the subject ("Bí thư", "Giám đốc"), whose unit is
        /// the lead.
        public var role: String? = nil
        /// The expected output, from an assignment table's "Sản phẩm" column.
        public var output: String? = nil
        /// A time the text gives that is no date ("trước kỳ họp", "đầu năm"): the preview
        /// asks for one.
        public var needsDate: String? = nil
    }

    /// One item of the outline.
    public struct Section: Codable, Sendable, Equatable {
        /// Position, e.g. `III.2.1`; bullets get their parent's id and a `-n` suffix.
        public var id: String
        /// The marker as printed (`III.`, `2-`, `1.1.`, `a)`, `-`, `+`).
        public var marker: String
        /// Nesting level from 1.
        public var level: Int
        /// The heading text (first 160 characters).
        public var heading: String
    }

    /// An empty result.
    public init() {
        signer = Signer()
        recipients = []
        addressees = []
        references = []
        namedLaws = []
        assignments = []
        sections = []
        warnings = []
    }

    enum CodingKeys: String, CodingKey {
        case file, kind, symbol, date, title, signer, recipients, addressees, references, namedLaws, assignments, sections, warnings
    }

    /// Always writes every contract key, `null` included.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(file, forKey: .file)
        try container.encode(kind, forKey: .kind)
        try container.encode(symbol, forKey: .symbol)
        try container.encode(date, forKey: .date)
        try container.encode(title, forKey: .title)
        try container.encode(signer, forKey: .signer)
        try container.encode(recipients, forKey: .recipients)
        try container.encode(addressees, forKey: .addressees)
        try container.encode(references, forKey: .references)
        try container.encode(namedLaws, forKey: .namedLaws)
        try container.encode(assignments, forKey: .assignments)
        try container.encode(sections, forKey: .sections)
        try container.encode(warnings, forKey: .warnings)
    }
}

extension DirectiveParse.Signer {
    /// Always writes the three keys.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(title, forKey: .title)
        try container.encode(onBehalfOf, forKey: .onBehalfOf)
    }
}

extension DirectiveParse.Reference {
    /// Always writes symbol, kind and date (null included).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(symbol, forKey: .symbol)
        try container.encode(kind, forKey: .kind)
        try container.encode(date, forKey: .date)
        try container.encode(number, forKey: .number)
        try container.encode(kindCode, forKey: .kindCode)
        try container.encode(issuer, forKey: .issuer)
        try container.encodeIfPresent(year, forKey: .year)
        try container.encode(family, forKey: .family)
    }
}

extension DirectiveParse.Assignment {
    /// Always writes due (null included).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(lead, forKey: .lead)
        try container.encode(coordinators, forKey: .coordinators)
        try container.encode(due, forKey: .due)
        try container.encode(dueDate, forKey: .dueDate)
        try container.encode(quote, forKey: .quote)
        try container.encode(text, forKey: .text)
        try container.encode(section, forKey: .section)
        try container.encodeIfPresent(role, forKey: .role)
        try container.encodeIfPresent(output, forKey: .output)
        try container.encodeIfPresent(needsDate, forKey: .needsDate)
    }
}
