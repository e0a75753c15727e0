import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

// Database handles by role. On an SQLite file Fluent keeps one connection per event loop,
// and a query holds it until its loop has taken the result back: under a rush of requests
// the two connections of a 2-core machine, not the CPU, capped the hot read. Extra pools on
// the same file give hot read paths connections of their own, and the group-commit writer
// has its own, on an event loop of its own.

extension Application {
    private struct WriterDatabaseKey: StorageKey { typealias Value = WriterDatabase }
    private struct ReadDatabasesKey: StorageKey { typealias Value = [DatabaseID] }

    /// The database of batched writers (group commit): a connection of its own on an event
    /// loop of its own, a thread no request runs on. Sharing a pool with the requests, the
    /// PostgreSQL writer waited 17 ms of every 29 ms batch for a connection; with its own
    /// connection on a request loop, a batch's BEGIN still waited 6 ms behind the requests
    /// queued on that loop; on its own loop about 1 ms.
    public final class WriterDatabase: Sendable {
        /// The database id of the writer's pool.
        public let id: DatabaseID
        /// The loop the writer's connection runs on.
        public let loop: any EventLoop
        private let databases: Databases
        private let group: MultiThreadedEventLoopGroup

        /// Starts the writer's loop and configures its pool with `configuration`; the loop and
        /// the pool stop when `app` shuts down.
        public init(_ app: Application, id: DatabaseID, configuration: DatabaseConfigurationFactory) {
            group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            loop = group.next()
            databases = Databases(threadPool: app.threadPool, on: group)
            databases.use(configuration, as: id, isDefault: false)
            self.id = id
            app.lifecycle.use(Stopper(writer: self))
        }

        /// A handle on the writer's connection.
        public func database(logger: Logger) -> any Database {
            databases.database(id, logger: logger, on: loop)!
        }

        private struct Stopper: LifecycleHandler {
            let writer: WriterDatabase
            func shutdownAsync(_ application: Application) async {
                await writer.databases.shutdownAsync()
                try? await writer.group.shutdownGracefully()
            }
        }
    }

    /// Set by the database configuration when a dedicated writer connection exists.
    public var writerDatabase: WriterDatabase? {
        get { storage[WriterDatabaseKey.self] }
        set { storage[WriterDatabaseKey.self] = newValue }
    }

    /// Set by the database configuration when extra read-only pools exist (SQLite file).
    public var readDatabases: [DatabaseID] {
        get { storage[ReadDatabasesKey.self] ?? [] }
        set { storage[ReadDatabasesKey.self] = newValue }
    }

    /// `Request.readDB` outside a request (grouped reads), on any loop.
    public var readDB: any Database {
        readDatabase(logger: logger, on: eventLoopGroup.any()) ?? db
    }

    /// One of the read pools in turn, or nil when there are none.
    fileprivate func readDatabase(logger: Logger, on loop: any EventLoop) -> (any Database)? {
        let pools = readDatabases
        guard !pools.isEmpty else { return nil }
        let index = readRotation.withLockedValue { value -> Int in
            value = (value + 1) % pools.count
            return value
        }
        return databases.database(pools[index], logger: logger, on: loop)
    }

    /// The handle batched writers use.
    public var writerDB: any Database {
        writerDatabase?.database(logger: logger) ?? db
    }
}

private let readRotation = NIOLockedValueBox(0)

extension Request {
    /// A database for a hot read-only query: one of the read pools in turn when the
    /// configuration made some (SQLite file), otherwise `db`. Never write through it.
    public var readDB: any Database {
        application.readDatabase(logger: logger, on: eventLoop) ?? db
    }
}
