import DanVanCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// A versioned report template: outline sections and data indicators (mẫu đề cương, biểu mẫu
/// số liệu). A change makes a new version; a period keeps the version it opened with, so what
/// was submitted is always read against the form it was filled in.
public final class ReportTemplate: Model, @unchecked Sendable {
    public static let schema = "report_templates"

    @ID(key: .id) public var id: UUID?
    /// Groups the versions of one template.
    @Field(key: "code") public var code: String
    @Field(key: "version") public var version: Int
    @Field(key: "name") public var name: String
    /// The kind line of the exported document ("BÁO CÁO").
    @Field(key: "document_kind") public var documentKind: String
    /// `ReportDefinition` as JSON.
    @Field(key: "definition") public var definitionJSON: String
    @Field(key: "created_at") public var createdAt: Date

    public init() {}

    public init(code: String, version: Int, name: String, documentKind: String, definition: ReportDefinition, at: Date) throws {
        id = UUID()
        self.code = code
        self.version = version
        self.name = name
        self.documentKind = documentKind
        definitionJSON = try ReportJSON.encode(definition)
        createdAt = at
    }

    /// The sections, indicators and rules.
    public var definition: ReportDefinition {
        get throws { try ReportJSON.decode(ReportDefinition.self, definitionJSON) }
    }
}

/// A reporting regime (chế độ báo cáo) with the elements of NĐ 09/2019.
public final class ReportRegime: Model, @unchecked Sendable {
    public static let schema = "report_regimes"

    /// Which units report.
    public enum Audience: String, Codable, Sendable, CaseIterable {
        /// The units listed in `unitIDs`.
        case list
        /// Every active unit of `unitKind` (or of `unitLevel`) under `rootUnit`, resolved when a period opens.
        case kindUnder
    }

    @ID(key: .id) public var id: UUID?
    @Field(key: "name") public var name: String
    /// Nội dung yêu cầu báo cáo.
    @Field(key: "content") public var content: String
    @Field(key: "frequency") public var frequency: ReportFrequency
    @Field(key: "window") public var window: ReportWindow
    @Parent(key: "receiving_unit_id") public var receivingUnit: OrgUnit
    @Field(key: "audience") public var audience: Audience
    /// JSON array of unit ids (audience `list`).
    @Field(key: "unit_ids") public var unitIDsJSON: String
    @OptionalField(key: "unit_kind") public var unitKind: OrgUnit.Kind?
    @OptionalField(key: "unit_level") public var unitLevel: OrgUnit.Level?
    @OptionalParent(key: "root_unit_id") public var rootUnit: OrgUnit?
    /// JSON object: unit level → days after the cut-off.
    @Field(key: "deadlines") public var deadlinesJSON: String
    /// Phương thức gửi, nhận.
    @Field(key: "method") public var method: String
    /// The template's code; each period takes the newest version when it opens.
    @Field(key: "template_code") public var templateCode: String
    /// How many periods are kept open ahead.
    @Field(key: "open_ahead") public var openAhead: Int
    @Field(key: "active") public var active: Bool
    @Field(key: "version") public var version: Int
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    public init() {}

    /// Listed units.
    public var unitIDs: [UUID] {
        get { (try? ReportJSON.decode([UUID].self, unitIDsJSON)) ?? [] }
        set { unitIDsJSON = (try? ReportJSON.encode(newValue)) ?? "[]" }
    }

    /// Days after the cut-off, by level.
    public var deadlines: [OrgUnit.Level: Int] {
        get {
            let raw = (try? ReportJSON.decode([String: Int].self, deadlinesJSON)) ?? [:]
            return Dictionary(uniqueKeysWithValues: raw.compactMap { key, value in OrgUnit.Level(rawValue: key).map { ($0, value) } })
        }
        set { deadlinesJSON = (try? ReportJSON.encode(Dictionary(uniqueKeysWithValues: newValue.map { ($0.key.rawValue, $0.value) }))) ?? "{}" }
    }

    /// Days after the cut-off for a unit at `level` (the nearest level below that has a value,
    /// then the largest given).
    public func deadlineDays(for level: OrgUnit.Level) -> Int {
        let table = deadlines
        if let days = table[level] { return days }
        return table.values.max() ?? 5
    }

    public var auditSnapshot: [String: String] {
        ["name": name, "active": active ? "1" : "0", "frequency": frequency.rawValue, "window": window.rawValue, "audience": audience.rawValue, "deadlines": deadlinesJSON, "template": templateCode]
    }
}

/// One period of a regime (kỳ báo cáo): its window, the template version it uses.
public final class ReportPeriod: Model, @unchecked Sendable {
    public static let schema = "report_periods"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "regime_id") public var regime: ReportRegime
    @Parent(key: "template_id") public var template: ReportTemplate
    @Field(key: "key") public var key: String
    @Field(key: "label") public var label: String
    @Field(key: "year") public var year: Int
    /// Place in the year (month 1–12, quarter 1–4, half 1–2; 1 for a year).
    @Field(key: "period_index") public var index: Int
    @Field(key: "starts_on") public var startsOn: Date
    /// The data cut-off day (thời gian chốt số liệu).
    @Field(key: "cutoff_on") public var cutoffOn: Date
    /// Questions of an ad hoc request, one per line (empty for periodic ones).
    @Field(key: "questions") public var questions: String
    @Field(key: "opened_at") public var openedAt: Date

    public init() {}

    public var ordinal: Int { year * 100 + index }

    /// An ad hoc request sent on the regime (free dates, its own questions), outside the
    /// regime's periodic series: no year to date, no last year.
    public var isAdHoc: Bool { key.hasPrefix(Self.adHocPrefix) }

    static let adHocPrefix = "adhoc-"

    /// "T11/26": the label of chart axes.
    public func shortLabel(_ frequency: ReportFrequency) -> String {
        ReportPeriodSlot(year: year, index: index, start: startsOn, end: cutoffOn).shortLabel(isAdHoc ? .adHoc : frequency)
    }
}

/// What one unit owes for one period (yêu cầu báo cáo), with its current draft or submission.
public final class ReportRequest: Model, @unchecked Sendable {
    public static let schema = "report_requests"

    /// Where the request stands.
    public enum Status: String, Codable, Sendable, CaseIterable {
        case pending, draft, submitted, returned, accepted
        public var label: String { L10n.text("reports.status.\(rawValue)") }
    }

    @ID(key: .id) public var id: UUID?
    @Parent(key: "period_id") public var period: ReportPeriod
    @Parent(key: "unit_id") public var unit: OrgUnit
    @Field(key: "due_on") public var dueOn: Date
    @Field(key: "status") public var status: Status
    /// Indicator values by key, JSON (numbers).
    @Field(key: "values") public var valuesJSON: String
    /// Section texts by key, JSON.
    @Field(key: "texts") public var textsJSON: String
    /// Prefilled values changed by the unit: key → reason, JSON.
    @Field(key: "overrides") public var overridesJSON: String
    @Field(key: "version") public var version: Int
    @OptionalField(key: "first_submitted_at") public var firstSubmittedAt: Date?
    @OptionalField(key: "submitted_at") public var submittedAt: Date?
    @OptionalField(key: "accepted_at") public var acceptedAt: Date?
    @OptionalField(key: "review_comment") public var reviewComment: String?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    public init() {}

    public var values: [String: Double] {
        get { ReportJSON.numbers(valuesJSON) }
        set { valuesJSON = (try? ReportJSON.encode(newValue)) ?? "{}" }
    }

    public var texts: [String: String] {
        get { (try? ReportJSON.decode([String: String].self, textsJSON)) ?? [:] }
        set { textsJSON = (try? ReportJSON.encode(newValue)) ?? "{}" }
    }

    public var overrides: [String: String] {
        get { (try? ReportJSON.decode([String: String].self, overridesJSON)) ?? [:] }
        set { overridesJSON = (try? ReportJSON.encode(newValue)) ?? "{}" }
    }

    public var auditSnapshot: [String: String] {
        ["status": status.rawValue, "values": valuesJSON, "version": String(version)]
    }
}

/// One step in a request's history: a submission (with what was sent), a return with its
/// comment, an acceptance.
public final class ReportRevision: Model, @unchecked Sendable {
    public static let schema = "report_revisions"

    public enum Action: String, Codable, Sendable {
        case submitted, returned, accepted
        public var label: String { L10n.text("reports.action.\(rawValue)") }
    }

    @ID(key: .id) public var id: UUID?
    @Parent(key: "request_id") public var request: ReportRequest
    @Field(key: "number") public var number: Int
    @Field(key: "action") public var action: Action
    @Field(key: "values") public var valuesJSON: String
    @Field(key: "texts") public var textsJSON: String
    @Field(key: "comment") public var comment: String
    @Field(key: "actor_name") public var actorName: String
    @Field(key: "at") public var at: Date

    public init() {}
}

/// A file attached to a report (evidence, minutes, photos), stored in the shared `FileStore`.
public final class ReportAttachment: Model, @unchecked Sendable {
    public static let schema = "report_attachments"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "request_id") public var request: ReportRequest
    @Field(key: "filename") public var filename: String
    @Field(key: "content_type") public var contentType: String
    @Field(key: "size") public var size: Int
    @Field(key: "sha256") public var sha256: String
    @Field(key: "storage_key") public var storageKey: String
    @Field(key: "uploaded_by") public var uploadedBy: String
    @Field(key: "created_at") public var createdAt: Date

    public init() {}

    public init(requestID: UUID, filename: String, stored: FileStore.Stored, uploadedBy: String, at: Date) {
        $request.id = requestID
        self.filename = filename
        contentType = stored.contentType
        size = stored.size
        sha256 = stored.sha256
        storageKey = stored.key
        self.uploadedBy = uploadedBy
        createdAt = at
    }
}

/// JSON columns, encoded the same way everywhere (sorted keys, so equal data is equal text).
enum ReportJSON {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    /// Where each indicator's value goes in a vector: the keys in byte order with their
    /// position in the definition.
    struct Layout {
        let keys: [[UInt8]]
        let positions: [Int]
        let count: Int

        init(_ keys: [String]) {
            let sorted = keys.enumerated().map { (Array($0.element.utf8), $0.offset) }.sorted { $0.0.lexicographicallyPrecedes($1.0) }
            self.keys = sorted.map(\.0)
            positions = sorted.map(\.1)
            count = keys.count
        }
    }

    /// The stored values as a vector in the layout's order (`nan` where a value is missing),
    /// read from the bytes without making a string per key: the consolidation reads 14,000
    /// reports of 40 values for one page. Falls back to `numbers` on anything unusual.
    static func vector(_ text: String, _ layout: Layout) -> [Double] {
        var result = [Double](repeating: .nan, count: layout.count)
        var fast = true
        var text = text
        text.withUTF8 { bytes in
            var i = 0, cursor = 0
            let n = bytes.count
            func skip() { while i < n, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 } }
            skip()
            guard i < n, bytes[i] == UInt8(ascii: "{") else { fast = false; return }
            i += 1
            skip()
            if i < n, bytes[i] == UInt8(ascii: "}") { return }
            while i < n {
                skip()
                guard i < n, bytes[i] == UInt8(ascii: "\"") else { fast = false; return }
                i += 1
                let keyStart = i
                while i < n, bytes[i] != UInt8(ascii: "\"") {
                    if bytes[i] == UInt8(ascii: "\\") { fast = false; return }
                    i += 1
                }
                guard i < n else { fast = false; return }
                let key = UnsafeBufferPointer(rebasing: bytes[keyStart..<i])
                i += 1
                skip()
                guard i < n, bytes[i] == UInt8(ascii: ":") else { fast = false; return }
                i += 1
                skip()
                // The number: [-]digits[.digits], exact when the digits fit 2^53 and the
                // fraction has at most 22 places (one correctly rounded division).
                var negative = false
                if i < n, bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 }
                var mantissa: UInt64 = 0, digits = 0, places = 0, seenPoint = false
                while i < n {
                    let c = bytes[i]
                    if c >= 0x30 && c <= 0x39 {
                        if digits >= 18 { fast = false; return }
                        mantissa = mantissa * 10 + UInt64(c - 0x30)
                        digits += 1
                        if seenPoint { places += 1 }
                    } else if c == UInt8(ascii: "."), !seenPoint {
                        seenPoint = true
                    } else { break }
                    i += 1
                }
                guard digits > 0, mantissa < (1 << 53), places <= 22 else { fast = false; return }
                var value = Double(mantissa)
                if places > 0 { value /= Self.powersOfTen[places] }
                if negative { value = -value }
                // The key's place: usually the next in order, since both are sorted.
                var found = -1
                if cursor < layout.keys.count, layout.keys[cursor].elementsEqual(key) { found = cursor } else {
                    for (index, candidate) in layout.keys.enumerated() where candidate.elementsEqual(key) { found = index; break }
                }
                if found >= 0 { result[layout.positions[found]] = value; cursor = found + 1 }
                skip()
                guard i < n else { fast = false; return }
                if bytes[i] == UInt8(ascii: "}") { return }
                guard bytes[i] == UInt8(ascii: ",") else { fast = false; return }
                i += 1
            }
            fast = false
        }
        if fast { return result }
        let values = numbers(text)
        for (index, key) in layout.keys.enumerated() {
            if let value = values[String(decoding: key, as: UTF8.self)] { result[layout.positions[index]] = value }
        }
        return result
    }

    static let powersOfTen: [Double] = (0...22).map { pow(10, Double($0)) }

    /// A flat object of numbers as this module writes it (`{"a":1,"b":2.5}`), read without
    /// Foundation's decoder (the consolidation reads thousands per page). Anything else — an
    /// escape, a nested value — falls back to `JSONDecoder`.
    static func numbers(_ text: String) -> [String: Double] {
        var result: [String: Double] = [:]
        var utf8 = text.utf8[...]
        func skipSpace() { while let c = utf8.first, c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { utf8 = utf8.dropFirst() } }
        func fallback() -> [String: Double] { (try? decode([String: Double].self, text)) ?? [:] }
        skipSpace()
        guard utf8.first == UInt8(ascii: "{") else { return fallback() }
        utf8 = utf8.dropFirst()
        skipSpace()
        if utf8.first == UInt8(ascii: "}") { return [:] }
        while true {
            skipSpace()
            guard utf8.first == UInt8(ascii: "\"") else { return fallback() }
            utf8 = utf8.dropFirst()
            guard let close = utf8.firstIndex(of: UInt8(ascii: "\"")) else { return fallback() }
            let keyBytes = utf8[..<close]
            if keyBytes.contains(UInt8(ascii: "\\")) { return fallback() }
            let key = String(decoding: keyBytes, as: UTF8.self)
            utf8 = utf8[utf8.index(after: close)...]
            skipSpace()
            guard utf8.first == UInt8(ascii: ":") else { return fallback() }
            utf8 = utf8.dropFirst()
            skipSpace()
            let end = utf8.firstIndex { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "}") } ?? utf8.endIndex
            guard let value = Double(String(decoding: utf8[..<end], as: UTF8.self).trimmingCharacters(in: .whitespaces)) else { return fallback() }
            result[key] = value
            utf8 = utf8[end...]
            guard let separator = utf8.first else { return fallback() }
            utf8 = utf8.dropFirst()
            if separator == UInt8(ascii: "}") { return result }
        }
    }
}

/// The module's migrations, in order.
enum ReportMigrations {
    static let all: [any Migration] = [
        CreateReportTables(), CreateReportAttachments(),
        // The home page keeps each user's report lines until one of these is written.
        TrackTableWrites([ReportRequest.schema, ReportPeriod.schema, ReportRegime.schema], name: "reports.0003.track-writes"),
    ]

    struct CreateReportAttachments: AsyncMigration {
        var name: String { "reports.0002.create-report-attachments" }

        func prepare(on database: any Database) async throws {
            try await database.schema("report_attachments")
                .id()
                .field("request_id", .uuid, .required, .references("report_requests", "id", onDelete: .cascade))
                .field("filename", .string, .required)
                .field("content_type", .string, .required)
                .field("size", .int, .required)
                .field("sha256", .string, .required)
                .field("storage_key", .string, .required)
                .field("uploaded_by", .string, .required)
                .field("created_at", .datetime, .required)
                .create()
            if let sql = database as? any SQLDatabase {
                try await sql.create(index: "report_attachments_request_idx").on("report_attachments").column("request_id").run()
            }
        }

        func revert(on database: any Database) async throws {
            try await database.schema("report_attachments").delete()
        }
    }

    struct CreateReportTables: AsyncMigration {
        var name: String { "reports.0001.create-report-tables" }

        func prepare(on database: any Database) async throws {
            try await database.schema("report_templates")
                .id()
                .field("code", .string, .required)
                .field("version", .int, .required)
                .field("name", .string, .required)
                .field("document_kind", .string, .required)
                .field("definition", .string, .required)
                .field("created_at", .datetime, .required)
                .unique(on: "code", "version")
                .create()
            try await database.schema("report_regimes")
                .id()
                .field("name", .string, .required)
                .field("content", .string, .required)
                .field("frequency", .string, .required)
                .field("window", .string, .required)
                .field("receiving_unit_id", .uuid, .required, .references("units", "id", onDelete: .restrict))
                .field("audience", .string, .required)
                .field("unit_ids", .string, .required)
                .field("unit_kind", .string)
                .field("unit_level", .string)
                .field("root_unit_id", .uuid, .references("units", "id", onDelete: .restrict))
                .field("deadlines", .string, .required)
                .field("method", .string, .required)
                .field("template_code", .string, .required)
                .field("open_ahead", .int, .required)
                .field("active", .bool, .required)
                .field("version", .int, .required)
                .field("created_at", .datetime)
                .field("updated_at", .datetime)
                .create()
            try await database.schema("report_periods")
                .id()
                .field("regime_id", .uuid, .required, .references("report_regimes", "id", onDelete: .restrict))
                .field("template_id", .uuid, .required, .references("report_templates", "id", onDelete: .restrict))
                .field("key", .string, .required)
                .field("label", .string, .required)
                .field("year", .int, .required)
                .field("period_index", .int, .required)
                .field("starts_on", .datetime, .required)
                .field("cutoff_on", .datetime, .required)
                .field("questions", .string, .required)
                .field("opened_at", .datetime, .required)
                .unique(on: "regime_id", "key")
                .create()
            try await database.schema("report_requests")
                .id()
                .field("period_id", .uuid, .required, .references("report_periods", "id", onDelete: .restrict))
                .field("unit_id", .uuid, .required, .references("units", "id", onDelete: .restrict))
                .field("due_on", .datetime, .required)
                .field("status", .string, .required)
                .field("values", .string, .required)
                .field("texts", .string, .required)
                .field("overrides", .string, .required)
                .field("version", .int, .required)
                .field("first_submitted_at", .datetime)
                .field("submitted_at", .datetime)
                .field("accepted_at", .datetime)
                .field("review_comment", .string)
                .field("updated_at", .datetime)
                .unique(on: "period_id", "unit_id")
                .create()
            try await database.schema("report_revisions")
                .id()
                .field("request_id", .uuid, .required, .references("report_requests", "id", onDelete: .cascade))
                .field("number", .int, .required)
                .field("action", .string, .required)
                .field("values", .string, .required)
                .field("texts", .string, .required)
                .field("comment", .string, .required)
                .field("actor_name", .string, .required)
                .field("at", .datetime, .required)
                .create()
            if let sql = database as? any SQLDatabase {
                try await sql.create(index: "report_requests_unit_idx").on("report_requests").column("unit_id").column("status").run()
                try await sql.create(index: "report_revisions_request_idx").on("report_revisions").column("request_id").column("number").run()
                try await sql.create(index: "report_periods_regime_idx").on("report_periods").column("regime_id").column("year").column("period_index").run()
            }
        }

        func revert(on database: any Database) async throws {
            try await database.schema("report_revisions").delete()
            try await database.schema("report_requests").delete()
            try await database.schema("report_periods").delete()
            try await database.schema("report_regimes").delete()
            try await database.schema("report_templates").delete()
        }
    }
}
