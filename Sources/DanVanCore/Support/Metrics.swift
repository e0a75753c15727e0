import CoreMetrics
import Foundation
import NIOConcurrencyHelpers
import Prometheus
import Vapor

/// The app's metrics (issue 16, item 7): swift-metrics' counters and timers over a Prometheus
/// registry of the app's own (not the process-wide `MetricsSystem`, so every app — and every
/// test — counts apart), shown at `/metrics` in Prometheus' text format to the addresses in
/// `DANVAN_METRICS_ALLOW` or to a bearer of `DANVAN_METRICS_TOKEN`.
public final class AppMetrics: Sendable {
    /// Where the values are kept.
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory

    /// An empty set of metrics.
    public init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Seconds: a page in milliseconds, a job or a PDF in seconds.
        factory.defaultDurationHistogramBuckets = [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                                                   .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10)]
        self.registry = registry
        self.factory = factory
    }

    private struct RequestKey: Hashable {
        let route: String
        let method: String
        let status: UInt
    }

    /// The request series made so far: making one through the factory names, sanitises and
    /// registers it, too much to do on every request of a busy server.
    private let requestSeries = NIOLockedValueBox<[RequestKey: (CoreMetrics.Counter, CoreMetrics.Timer)]>([:])

    /// One answered request: its route pattern (never the path itself, so ids do not make a
    /// series each), method and status.
    public func request(route: String, method: String, status: UInt, nanoseconds: Int64) {
        let key = RequestKey(route: route, method: method, status: status)
        let (counter, timer) = requestSeries.withLockedValue { series in
            if let known = series[key] { return known }
            let made = (
                CoreMetrics.Counter(label: "danvan_http_requests_total", dimensions: [("route", route), ("method", method), ("status", String(status))], factory: factory),
                CoreMetrics.Timer(label: "danvan_http_request_duration_seconds", dimensions: [("route", route), ("method", method)], factory: factory)
            )
            series[key] = made
            return made
        }
        counter.increment()
        timer.recordNanoseconds(nanoseconds)
    }

    /// One run of a periodic job.
    public func job(_ name: String, failed: Bool, nanoseconds: Int64) {
        CoreMetrics.Counter(label: "danvan_job_runs_total", dimensions: [("job", name), ("result", failed ? "failed" : "ok")], factory: factory).increment()
        CoreMetrics.Timer(label: "danvan_job_duration_seconds", dimensions: [("job", name)], factory: factory).recordNanoseconds(nanoseconds)
    }

    private let counters = NIOLockedValueBox<[String: CoreMetrics.Counter]>([:])

    /// A counter of the caller's (e.g. the quiz writer's batches and the rows they carried),
    /// made once like the request series.
    public func count(_ label: String, by amount: Int = 1, dimensions: [(String, String)] = []) {
        let key = ([label] + dimensions.map { $0.0 + "=" + $0.1 }).joined(separator: "\u{1F}")
        let counter = counters.withLockedValue { known in
            if let counter = known[key] { return counter }
            let made = CoreMetrics.Counter(label: label, dimensions: dimensions, factory: factory)
            known[key] = made
            return made
        }
        counter.increment(by: amount)
    }

    /// The text Prometheus scrapes.
    public func exposition() -> String { registry.emitToString() }
}

extension Application {
    private struct MetricsKey: StorageKey { typealias Value = AppMetrics }

    /// The app's metrics, made when CoreModule registers.
    public var metrics: AppMetrics {
        get {
            guard let metrics = storage[MetricsKey.self] else { fatalError("CoreModule is not registered") }
            return metrics
        }
        set { storage[MetricsKey.self] = newValue }
    }
}

/// Counts every request by route pattern, status and time. It stands outside the error page
/// middleware, so a refused or failed request is counted with the status its user saw.
public struct MetricsMiddleware: AsyncMiddleware {
    /// Creates the middleware.
    public init() {}

    public func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        func record(_ status: UInt) {
            let route = request.route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? "unmatched"
            let elapsed = Int64(DispatchTime.now().uptimeNanoseconds - start)
            request.application.metrics.request(route: route, method: request.method.rawValue, status: status, nanoseconds: elapsed)
        }
        do {
            let response = try await next.respond(to: request)
            record(response.status.code)
            return response
        } catch {
            record((error as? any AbortError)?.status.code ?? 500)
            throw error
        }
    }
}

/// Who may read `/metrics`: an address inside one of the configured ranges (CIDR, IPv4 or
/// IPv6; by default the machine itself), or a request carrying the configured token.
public struct MetricsAccess: Sendable {
    /// The ranges, parsed: address bytes and prefix length.
    let ranges: [([UInt8], Int)]
    /// `Authorization: Bearer …` that opens `/metrics` from anywhere; empty means none.
    let token: String

    /// Parses `allow` ("127.0.0.1/32,::1/128,10.0.0.0/8"); entries that do not parse are left out.
    public init(allow: String = "127.0.0.1/32,::1/128", token: String = "") {
        ranges = allow.split(separator: ",").compactMap { entry in
            let parts = entry.trimmingCharacters(in: .whitespaces).split(separator: "/", maxSplits: 1)
            guard let first = parts.first, let bytes = Self.bytes(String(first)) else { return nil }
            let prefix = parts.count == 2 ? Int(parts[1]) ?? -1 : bytes.count * 8
            guard (0...(bytes.count * 8)).contains(prefix) else { return nil }
            return (bytes, prefix)
        }
        self.token = token
    }

    /// The bytes of an IPv4 or IPv6 address, or nil.
    static func bytes(_ address: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, address, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, address, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    /// Whether `address` lies in one of the ranges.
    public func allows(address: String) -> Bool {
        guard let bytes = Self.bytes(address) else { return false }
        return ranges.contains { range, prefix in
            guard range.count == bytes.count else { return false }
            var bits = prefix
            for index in 0..<bytes.count where bits > 0 {
                let mask: UInt8 = bits >= 8 ? 0xFF : ~(0xFF >> UInt8(bits))
                if bytes[index] & mask != range[index] & mask { return false }
                bits -= 8
            }
            return true
        }
    }

    /// Whether `request` may read the metrics: its client address (after the trusted
    /// proxies) or its bearer token. Compared in constant time.
    public func allows(_ request: Request) -> Bool {
        if !token.isEmpty, let bearer = request.headers.bearerAuthorization?.token {
            let given = Array(bearer.utf8), wanted = Array(token.utf8)
            var difference = UInt8(given.count == wanted.count ? 0 : 1)
            for index in 0..<min(given.count, wanted.count) { difference |= given[index] ^ wanted[index] }
            if difference == 0 { return true }
        }
        return allows(address: request.clientAddress)
    }
}
