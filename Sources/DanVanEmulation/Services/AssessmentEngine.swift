import DanVanCore
import DanVanText
import Foundation

/// The pure rules of an appraisal, shared by models, grassroots democracy and contest entries:
/// points checked against each criterion's maximum, totals weighted, a council's totals
/// combined by average or median, the spread that sends a subject to discussion, the class by
/// thresholds, the conflict rule and the progress.
public enum AssessmentEngine {
    /// A criterion as the engine needs it.
    public struct Item: Sendable, Equatable {
        public let id: UUID
        public let maxPoints: Double
        public let weight: Double

        public init(id: UUID, maxPoints: Double, weight: Double) {
            self.id = id
            self.maxPoints = maxPoints
            self.weight = weight
        }
    }

    /// The typed points (one text per criterion, "8,5" or "8.5") as numbers; a missing, non-numeric
    /// or out-of-range value gets a message under `prefix + criterion id`.
    public static func parse(_ typed: [UUID: String], items: [Item], prefix: String, into errors: inout FormErrors) -> [UUID: Double] {
        var values: [UUID: Double] = [:]
        for item in items {
            let text = (typed[item.id] ?? "").trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")
            guard !text.isEmpty else {
                errors.add(prefix + item.id.uuidString, "emulation.error.score_missing")
                continue
            }
            guard let value = Double(text), value.isFinite else {
                errors.add(prefix + item.id.uuidString, "emulation.error.score_number")
                continue
            }
            guard value >= 0, value <= item.maxPoints else {
                errors.add(prefix + item.id.uuidString, "emulation.error.score_range", VNFormat.decimal(item.maxPoints, places: item.maxPoints == item.maxPoints.rounded() ? 0 : 1))
                continue
            }
            values[item.id] = value
        }
        return values
    }

    /// Σ points × weight.
    public static func total(_ points: [UUID: Double], items: [Item]) -> Double {
        items.reduce(0) { $0 + (points[$1.id] ?? 0) * $1.weight }
    }

    /// The largest total possible.
    public static func maximum(_ items: [Item]) -> Double {
        items.reduce(0) { $0 + $1.maxPoints * $1.weight }
    }

    /// The council's result from each appraiser's total.
    public static func combine(_ totals: [Double], method: AssessmentMethod) -> Double? {
        guard !totals.isEmpty else { return nil }
        switch method {
        case .average:
            return totals.reduce(0, +) / Double(totals.count)
        case .median:
            let sorted = totals.sorted()
            let middle = sorted.count / 2
            return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        }
    }

    /// Highest total minus lowest.
    public static func spread(_ totals: [Double]) -> Double {
        guard let low = totals.min(), let high = totals.max() else { return 0 }
        return high - low
    }

    /// Whether the totals disagree beyond `limit` points (the council must discuss).
    public static func disagrees(_ totals: [Double], limit: Double) -> Bool {
        totals.count > 1 && spread(totals) > limit + 1e-9
    }

    /// The class of `result`: the one with the highest minimum not above it.
    public static func classify(_ result: Double, classes: [AssessmentClass]) -> AssessmentClass? {
        classes.sorted { $0.minimum > $1.minimum }.first { result + 1e-9 >= $0.minimum }
    }

    /// An appraiser may not score a subject proposed by their own unit (or a unit under it, or
    /// the unit above that proposed it for one of its parts — the proposing unit's subtree), nor
    /// one whose contact they are.
    public static func inConflict(appraiserID: UUID, appraiserUnitPath: String, proposingUnitPath: String, contactUserID: UUID?) -> Bool {
        if let contactUserID, contactUserID == appraiserID { return true }
        return appraiserUnitPath.hasPrefix(proposingUnitPath)
    }

    /// "2 of 4 scored": the appraisers who may score (members, less those in conflict or
    /// recused) and how many of them have.
    public struct Progress: Sendable, Equatable {
        public let eligible: Int
        public let scored: Int
        public var complete: Bool { eligible > 0 && scored >= eligible }
    }

    /// The progress of an appraisal.
    public static func progress(members: [UUID], conflicted: Set<UUID>, recused: Set<UUID>, scored: Set<UUID>) -> Progress {
        let eligible = members.filter { !conflicted.contains($0) && !recused.contains($0) }
        return Progress(eligible: eligible.count, scored: eligible.filter(scored.contains).count)
    }

    /// Parses "Giải Nhất: 1" lines into prizes and how many of each.
    public static func prizes(_ text: String) -> [(name: String, count: Int)] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard let name = parts.first, !name.isEmpty else { return nil }
            let count = parts.count > 1 ? Int(parts[1]) ?? 1 : 1
            return (name, max(0, count))
        }
    }

    /// Prizes for entries ranked by result (highest first, ties keep their order): the first
    /// prize's count go first, and so on; entries past the last prize get none.
    public static func award(_ ranked: [UUID], prizes: [(name: String, count: Int)]) -> [UUID: String] {
        var result: [UUID: String] = [:]
        var index = 0
        for prize in prizes {
            for _ in 0..<prize.count where index < ranked.count {
                result[ranked[index]] = prize.name
                index += 1
            }
        }
        return result
    }
}
