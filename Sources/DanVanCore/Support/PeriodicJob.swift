import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Background work repeated in a server process (`config.runScheduler`): `body` runs
/// `firstDelay` after boot, then every `interval`, until the app shuts down — the loop is
/// cancelled and awaited then, so no job touches a database that is being closed. A failing
/// run is logged and the next one still comes.
public final class PeriodicJob: LifecycleHandler, Sendable {
    private let name: String
    private let firstDelay: Duration
    private let interval: Duration
    private let body: @Sendable (Application) async throws -> Void
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    /// A job named `name` (used in its error log line).
    public init(_ name: String, firstDelay: Duration, every interval: Duration, _ body: @escaping @Sendable (Application) async throws -> Void) {
        self.name = name
        self.firstDelay = firstDelay
        self.interval = interval
        self.body = body
    }

    public func didBootAsync(_ application: Application) async throws {
        guard application.config.runScheduler else { return }
        let app = application
        let (name, firstDelay, interval, body) = (self.name, self.firstDelay, self.interval, self.body)
        let task = Task.detached {
            try? await Task.sleep(for: firstDelay)
            while !Task.isCancelled {
                let start = DispatchTime.now().uptimeNanoseconds
                var failed = false
                do {
                    try await body(app)
                } catch {
                    failed = true
                    app.logger.error("\(name) failed: \(String(reflecting: error))")
                }
                app.metrics.job(name, failed: failed, nanoseconds: Int64(DispatchTime.now().uptimeNanoseconds - start))
                try? await Task.sleep(for: interval)
            }
        }
        self.task.withLockedValue { $0 = task }
    }

    public func shutdownAsync(_ application: Application) async {
        let task = self.task.withLockedValue { $0 }
        task?.cancel()
        await task?.value
    }
}
