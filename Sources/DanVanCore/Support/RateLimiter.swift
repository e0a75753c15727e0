import Foundation
import NIOConcurrencyHelpers

/// Fixed-window counters for rate limits, per key, in this process's memory. Each app
/// instance counts its own requests; behind a load balancer that spreads clients evenly the
/// effective limit is the per-instance limit times the instance count.
public final class RateLimiter: @unchecked Sendable {
    private let state = NIOLockedValueBox([String: (window: Int, count: Int)]())

    /// Creates an empty limiter.
    public init() {}

    /// Counts one event for `key`; false once more than `limit` fell in the current window
    /// of `window` seconds.
    public func allow(_ key: String, limit: Int, window: Int, now: Date) -> Bool {
        guard limit > 0 else { return true }
        let slot = Int(now.timeIntervalSince1970) / max(1, window)
        return state.withLockedValue { counters in
            if counters.count > 200_000 { counters = counters.filter { $0.value.window >= slot - 1 } }
            var entry = counters[key] ?? (slot, 0)
            if entry.window != slot { entry = (slot, 0) }
            entry.count += 1
            counters[key] = entry
            return entry.count <= limit
        }
    }

    /// How many events `key` has in the current window, without counting one.
    public func count(_ key: String, window: Int, now: Date) -> Int {
        let slot = Int(now.timeIntervalSince1970) / max(1, window)
        return state.withLockedValue { counters in
            guard let entry = counters[key], entry.window == slot else { return 0 }
            return entry.count
        }
    }
}
