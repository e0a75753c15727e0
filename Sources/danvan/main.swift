import DanVanApp
import DanVanCore
import Foundation
import Logging
import NIOCore
import NIOPosix
import Vapor

// The `danvan` executable: builds the app, then runs Vapor's command line
// (serve, migrate, demo, create-admin, routes); `parse` and `bench-parse` need no app. A failure prints its message and exits 1;
// it never ends in a crash report.
// Swift Concurrency's jobs run on NIO's event loops instead of a pool of their own: a request
// no longer hops between the two for every await (measured on quiz submissions: fewer thread
// switches, more requests per second). Must run first, on the main thread, before any await.
NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
// SQLite calls block a thread of this pool; a commit waiting for the disk holds one, so the
// pool is larger than the core count to let reads go on meanwhile.
NIOSingletons.blockingPoolThreadCountSuggestion = ProcessInfo.processInfo.environment["DANVAN_BLOCKING_THREADS"].flatMap(Int.init)
    ?? max(4, 2 * System.coreCount)
if DirectiveCLI.handles(CommandLine.arguments.dropFirst().first) {
    exit(DirectiveCLI.run(Array(CommandLine.arguments.dropFirst())))
}
var environment = try Environment.detect()
try LoggingSystem.bootstrap(from: &environment)
let app = try await Application.make(environment)
var failed = false
do {
    let root = ProcessInfo.processInfo.environment["DANVAN_ROOT"] ?? FileManager.default.currentDirectoryPath
    app.directory = DirectoryConfiguration(workingDirectory: root)
    let command = environment.arguments.dropFirst().first
    var config = try AppConfig.fromEnvironment(workingDirectory: root)
    // `DANVAN_JOBS=0` keeps a server from running the periodic jobs (another instance or
    // cron runs them; the browser tests want only the changes they make themselves).
    config.runScheduler = (command == nil || command == "serve" || command == "demo") && ProcessInfo.processInfo.environment["DANVAN_JOBS"] != "0"
    config.servesRequests = command == nil || command == "serve" || command == "demo"
    try await configure(app, config: config)
    if command == nil || command == "serve" {
        try await app.autoMigrate().get()
    }
    try await app.execute()
} catch {
    FileHandle.standardError.write(Data(L10n.format("cli.loi_n_2", ["\(error)"]).utf8))
    failed = true
}
try? await app.asyncShutdown()
if failed { exit(1) }
