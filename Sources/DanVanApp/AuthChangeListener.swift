import DanVanCore
import FluentPostgresDriver
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Listens on PostgreSQL's `danvan_auth` channel (see `AddAuthChangeNotify`) and tells the
/// session cache what changed elsewhere: a session's key, or everything. The cache trusts its
/// entries only while this connection listens; when it drops, the cache forgets everything and
/// asks the database until the listener is back (it retries every second).
public final class AuthChangeListener: LifecycleHandler, Sendable {
    private let configuration: PostgresConnection.Configuration
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    /// A listener connecting with `configuration` (the app's own database settings).
    public init(configuration: PostgresConnection.Configuration) {
        self.configuration = configuration
    }

    public func didBootAsync(_ application: Application) async throws {
        start(application)
    }

    /// Starts listening (a server does it at boot; tests call it).
    public func start(_ application: Application) {
        let cache = application.sessionCache, logger = application.logger, configuration = self.configuration
        let eventLoop = application.eventLoopGroup.any()
        let task = Task.detached {
            var connectionID = 0
            while !Task.isCancelled {
                connectionID += 1
                do {
                    let connection = try await PostgresConnection.connect(on: eventLoop, configuration: configuration, id: connectionID, logger: logger).get()
                    do {
                        try await connection.listen(on: "danvan_auth") { notifications in
                            cache.setHearsChanges(true)
                            for try await notification in notifications {
                                if notification.payload.isEmpty { cache.forgetAll() } else { cache.forget(notification.payload) }
                            }
                        }
                    } catch {
                        if !Task.isCancelled { logger.warning("Session change listener stopped: \(String(reflecting: error))") }
                    }
                    try? await connection.close()
                } catch {
                    if !Task.isCancelled { logger.warning("Session change listener cannot connect: \(String(reflecting: error))") }
                }
                cache.setHearsChanges(false)
                try? await Task.sleep(for: .seconds(1))
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
