import DanVanCore
import DanVanText
import Foundation

/// What a template version asks for: sections of text and indicators (chỉ tiêu) with their
/// rules. Stored as JSON on the template row; a version is never changed once a period uses it.
public struct ReportDefinition: Codable, Sendable, Equatable {
    /// A text section of the outline (mẫu đề cương).
    public struct Section: Codable, Sendable, Equatable {
        public var key: String
        public var title: String
        public var guidance: String
        public var required: Bool
        /// Whatever a unit writes here is a pressing issue (bức xúc, nổi cộm): it reaches the
        /// receiving unit's inbox when the report is submitted.
        public var pressing: Bool

        public init(key: String, title: String, guidance: String = "", required: Bool = false, pressing: Bool = false) {
            self.key = key
            self.title = title
            self.guidance = guidance
            self.required = required
            self.pressing = pressing
        }
    }

    /// The value type of an indicator.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case integer, decimal, percentage, yesNo
        public var label: String { L10n.text("reports.kind.\(rawValue)") }
    }

    /// How unit values combine up the tree.
    public enum Combine: String, Codable, Sendable, CaseIterable {
        case sum, weightedAverage, min, max, latest, countYes, shareYes
        public var label: String { L10n.text("reports.combine.\(rawValue)") }
    }

    /// An indicator (chỉ tiêu).
    public struct Indicator: Codable, Sendable, Equatable {
        public var key: String
        public var name: String
        public var kind: Kind
        /// Unit of measure ("mô hình", "cuộc", "%").
        public var measure: String
        public var minimum: Double?
        public var maximum: Double?
        public var combine: Combine
        /// For `weightedAverage`: the indicator whose value weighs each unit's.
        public var weightKey: String?
        /// A value another module computes (`ReportSources`), prefilled and marked as such.
        public var source: String?

        public init(key: String, name: String, kind: Kind, measure: String = "", minimum: Double? = nil, maximum: Double? = nil, combine: Combine = .sum, weightKey: String? = nil, source: String? = nil) {
            self.key = key
            self.name = name
            self.kind = kind
            self.measure = measure
            self.minimum = minimum
            self.maximum = maximum
            self.combine = combine
            self.weightKey = weightKey
            self.source = source
        }

        /// Over the periods of a year: flows add up (sum, count of yes), states take the latest.
        public var addsOverTime: Bool { combine == .sum || combine == .countYes }

        /// How a combined value is written: a count of yes is a whole number, a share of yes a
        /// percentage, the rest as the indicator's own kind.
        public var combinedKind: Kind {
            switch combine {
            case .shareYes: .percentage
            case .countYes: .integer
            default: kind == .yesNo ? .integer : kind
            }
        }
    }

    /// A rule between two indicators ("resolved ≤ received").
    public struct Rule: Codable, Sendable, Equatable {
        public enum Comparison: String, Codable, Sendable { case lessOrEqual, greaterOrEqual, equal }
        public var left: String
        public var comparison: Comparison
        public var right: String
        public var message: String

        public init(left: String, comparison: Comparison, right: String, message: String) {
            self.left = left
            self.comparison = comparison
            self.right = right
            self.message = message
        }

        func holds(_ a: Double, _ b: Double) -> Bool {
            switch comparison {
            case .lessOrEqual: a <= b + 1e-9
            case .greaterOrEqual: a + 1e-9 >= b
            case .equal: abs(a - b) < 1e-9
            }
        }
    }

    public var sections: [Section]
    public var indicators: [Indicator]
    public var rules: [Rule]

    public init(sections: [Section], indicators: [Indicator], rules: [Rule] = []) {
        self.sections = sections
        self.indicators = indicators
        self.rules = rules
    }

    /// The indicator with `key`.
    public func indicator(_ key: String) -> Indicator? { indicators.first { $0.key == key } }

    /// Problems of the definition itself (duplicate keys, a weight or rule naming no indicator).
    public var problems: [String] {
        var found: [String] = []
        let keys = indicators.map(\.key)
        if Set(keys).count != keys.count { found.append(L10n.text("reports.definition.duplicate_indicator")) }
        let sectionKeys = sections.map(\.key)
        if Set(sectionKeys).count != sectionKeys.count { found.append(L10n.text("reports.definition.duplicate_section")) }
        for indicator in indicators where indicator.combine == .weightedAverage {
            if indicator.weightKey.flatMap(self.indicator) == nil { found.append(L10n.format("reports.definition.no_weight", [indicator.name])) }
        }
        for rule in rules where indicator(rule.left) == nil || indicator(rule.right) == nil {
            found.append(L10n.format("reports.definition.rule_unknown", [rule.message]))
        }
        return found
    }

    // MARK: Values

    /// Parses what a unit typed for each indicator. Accepts a Vietnamese decimal comma, a
    /// thousands dot ("1.234"), a trailing "%"; yes/no as "1"/"0"/"co"/"khong". Returns the
    /// values and the message per indicator key of each one that cannot be accepted.
    public func parse(_ typed: [String: String]) -> (values: [String: Double], errors: [String: String]) {
        var values: [String: Double] = [:]
        var errors: [String: String] = [:]
        for indicator in indicators {
            let raw = VietnameseText.nfc(typed[indicator.key] ?? "").trimmingCharacters(in: .whitespaces)
            if raw.isEmpty { continue }
            guard let value = Self.number(raw, kind: indicator.kind) else {
                errors[indicator.key] = L10n.format(indicator.kind == .yesNo ? "reports.value.not_yes_no" : "reports.value.not_number", [indicator.name])
                continue
            }
            if indicator.kind == .integer, value != value.rounded() {
                errors[indicator.key] = L10n.format("reports.value.not_integer", [indicator.name])
                continue
            }
            if indicator.kind == .percentage, !(0...100).contains(value) {
                errors[indicator.key] = L10n.format("reports.value.percentage", [indicator.name])
                continue
            }
            if let minimum = indicator.minimum, value < minimum {
                errors[indicator.key] = L10n.format("reports.value.below", [indicator.name, Self.format(minimum, kind: indicator.kind)])
                continue
            }
            if let maximum = indicator.maximum, value > maximum {
                errors[indicator.key] = L10n.format("reports.value.above", [indicator.name, Self.format(maximum, kind: indicator.kind)])
                continue
            }
            values[indicator.key] = value
        }
        for rule in rules {
            guard let a = values[rule.left], let b = values[rule.right], !rule.holds(a, b) else { continue }
            if errors[rule.left] == nil { errors[rule.left] = rule.message }
        }
        return (values, errors)
    }

    /// Indicators with no value (a submitted report gives every indicator).
    public func missing(_ values: [String: Double]) -> [Indicator] {
        indicators.filter { values[$0.key] == nil }
    }

    /// A typed number in Vietnamese or plain notation.
    static func number(_ raw: String, kind: Kind) -> Double? {
        if kind == .yesNo {
            switch VietnameseText.fold(raw) {
            case "1", "co", "yes", "true", "x": return 1
            case "0", "khong", "no", "false": return 0
            default: return nil
            }
        }
        var text = raw.replacingOccurrences(of: " ", with: "")
        if text.hasSuffix("%") { text.removeLast() }
        let dots = text.filter { $0 == "." }.count, commas = text.filter { $0 == "," }.count
        if commas == 1 {
            text = text.replacingOccurrences(of: ".", with: "").replacingOccurrences(of: ",", with: ".")
        } else if dots > 1 || (dots == 1 && commas == 0 && text.split(separator: ".").last?.count == 3 && kind == .integer) {
            text = text.replacingOccurrences(of: ".", with: "")
        } else if commas > 1 {
            return nil
        }
        guard !text.isEmpty, text.allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" }), let value = Double(text), value.isFinite else { return nil }
        return value
    }

    /// A value as the form and the tables show it.
    public static func format(_ value: Double, kind: Kind) -> String {
        switch kind {
        case .integer: return VNFormat.integer(Int(value.rounded()))
        case .yesNo: return value >= 0.5 ? L10n.text("reports.yes") : L10n.text("reports.no")
        case .decimal, .percentage:
            let places = value == value.rounded() ? 0 : (abs(value * 10 - (value * 10).rounded()) < 1e-9 ? 1 : 2)
            return VNFormat.decimal(value, places: places) + (kind == .percentage ? "%" : "")
        }
    }

    /// The raw form of a value for an input field (decimal comma, no thousands dot).
    public static func input(_ value: Double, kind: Kind) -> String {
        if kind == .yesNo { return value >= 0.5 ? "1" : "0" }
        if value == value.rounded() { return String(Int(value)) }
        return String(value).replacingOccurrences(of: ".", with: ",")
    }
}

/// Combining indicator values over units and periods (the consolidation's arithmetic).
public enum ReportCombination {
    /// One unit's values in one period, with when they were accepted (for `latest`).
    public struct Entry: Sendable, Equatable {
        public var values: [String: Double]
        public var at: Date

        public init(values: [String: Double], at: Date) {
            self.values = values
            self.at = at
        }
    }

    /// `indicator` combined over `entries` (the units of a subtree in one period); nil when
    /// no entry has a value.
    public static func combine(_ indicator: ReportDefinition.Indicator, _ entries: [Entry]) -> Double? {
        combine(
            indicator.combine, weighted: indicator.weightKey != nil, count: entries.count,
            value: { entries[$0].values[indicator.key] }, weight: { index in indicator.weightKey.flatMap { entries[index].values[$0] } }, at: { entries[$0].at }
        )
    }

    /// The rule itself over `count` entries read through accessors (a dictionary per report
    /// here; value vectors in the consolidation, which reads thousands of reports).
    static func combine(
        _ rule: ReportDefinition.Combine, weighted: Bool, count: Int, value: (Int) -> Double?, weight: (Int) -> Double?, at: (Int) -> Date
    ) -> Double? {
        var found = 0, sum = 0.0, low = Double.infinity, high = -Double.infinity, yes = 0
        var latest: (Date, Double)?
        var total = 0.0, weights = 0.0
        for index in 0..<count {
            guard let v = value(index) else { continue }
            found += 1
            sum += v
            low = Swift.min(low, v)
            high = Swift.max(high, v)
            if v >= 0.5 { yes += 1 }
            if rule == .latest {
                let when = at(index)
                if latest == nil || when > latest!.0 { latest = (when, v) }
            }
            if rule == .weightedAverage, weighted, let w = weight(index), w > 0 {
                total += v * w
                weights += w
            }
        }
        guard found > 0 else { return nil }
        switch rule {
        case .sum: return sum
        case .min: return low
        case .max: return high
        case .latest: return latest?.1
        case .countYes: return Double(yes)
        case .shareYes: return Double(yes) / Double(found) * 100
        case .weightedAverage:
            guard weighted else { return sum / Double(found) }
            return weights > 0 ? total / weights : nil
        }
    }

    /// Over periods in time order (year to date), from each period's combined value: flows
    /// (sum, count of yes) add up, min and max take the lowest and highest, latest the last
    /// period's. A weighted average is not an average of averages: the consolidation combines
    /// it over every report of the year instead (`combine` on all the year's entries); given
    /// only per-period values, the last one stands.
    public static func overTime(_ indicator: ReportDefinition.Indicator, _ values: [Double?]) -> Double? {
        let present = values.compactMap { $0 }
        guard !present.isEmpty else { return nil }
        switch indicator.combine {
        case .sum, .countYes: return present.reduce(0, +)
        case .min: return present.min()
        case .max: return present.max()
        case .latest, .weightedAverage, .shareYes: return present.last
        }
    }

    /// Outliers against a unit's own history (min–max): a value outside the range of the
    /// unit's earlier values, widened by half the range (at least 1), with at least three
    /// earlier values. Flagged to the reviewer, never blocked.
    public static func isOutlier(_ value: Double, history: [Double]) -> Bool {
        guard history.count >= 3, let low = history.min(), let high = history.max() else { return false }
        let margin = max(1, (high - low) / 2)
        return value < low - margin || value > high + margin
    }
}
