import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

// Database handles by role. On an SQLite file Fluent keeps one connection per event loop,
// and a query holds it until its loop has taken the result back: under a rush of requests
// the two connections of a 2-core machine, not the CPU, capped the hot read. Extra pools on
// the same file give hot read paths connections of their own, and the group-commit writer
// has its own.

extension Application {
    private struct WriterDatabaseKey: StorageKey { typealias Value = WriterDatabase }
    private struct ReadDatabasesKey: StorageKey { typealias Value = [DatabaseID] }

    /// A database handle reserved for batched writers (group commit). On an SQLite file it is
    /// a connection of its own, pinned to one event loop, so a batch being committed never
    /// holds the connection that requests on that loop read through; elsewhere it is `db`.
    public struct WriterDatabase: Sendable {
        /// The database id of the dedicated pool.
        public let id: DatabaseID
        /// The loop its connection lives on.
        public let loop: any EventLoop

        /// Names the pool and its loop.
        public init(id: DatabaseID, loop: any EventLoop) {
            self.id = id
            self.loop = loop
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

    /// The handle batched writers use.
    public var writerDB: any Database {
        guard let writer = writerDatabase,
              let database = databases.database(writer.id, logger: logger, on: writer.loop) else { return db }
        return database
    }
}

private let readRotation = NIOLockedValueBox(0)

extension Request {
    /// A database for a hot read-only query: one of the read pools in turn when the
    /// configuration made some (SQLite file), otherwise `db`. Never write through it.
    public var readDB: any Database {
        let pools = application.readDatabases
        guard !pools.isEmpty else { return db }
        let index = readRotation.withLockedValue { value -> Int in
            value = (value + 1) % pools.count
            return value
        }
        return application.databases.database(pools[index], logger: logger, on: eventLoop) ?? db
    }
}
