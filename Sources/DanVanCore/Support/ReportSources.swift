import Fluent
import Foundation
import Vapor

/// A value a module knows about a unit over a period (tasks done, quiz participants…), which a
/// report form can prefill. Modules register theirs in `register(on:)`
/// (`app.reportSources.register(…)`); Reports reads them by key and imports no other module.
public struct ReportSource: Sendable {
    /// Stable key a template's indicator names (`tasks.done`).
    public let key: String
    /// Localisation key of the label shown next to a prefilled value.
    public let labelKey: String
    /// The value for the unit's own records (not its subtree) from `start` to `end` (whole days, `end` included).
    public let compute: @Sendable (_ unitID: UUID, _ start: Date, _ end: Date, _ db: any Database) async throws -> Double

    /// Creates a source.
    public init(key: String, labelKey: String, compute: @escaping @Sendable (_ unitID: UUID, _ start: Date, _ end: Date, _ db: any Database) async throws -> Double) {
        self.key = key
        self.labelKey = labelKey
        self.compute = compute
    }
}

/// The registered report sources, by key.
public struct ReportSources: Sendable {
    private var sources: [String: ReportSource] = [:]

    /// Adds (or replaces) a source.
    public mutating func register(_ source: ReportSource) { sources[source.key] = source }

    /// The source with `key`.
    public subscript(key: String) -> ReportSource? { sources[key] }

    /// Every source, by key order.
    public var all: [ReportSource] { sources.values.sorted { $0.key < $1.key } }
}

extension Application {
    private struct ReportSourcesKey: StorageKey { typealias Value = ReportSources }

    /// Values modules offer to report forms.
    public var reportSources: ReportSources {
        get { storage[ReportSourcesKey.self] ?? ReportSources() }
        set { storage[ReportSourcesKey.self] = newValue }
    }
}
