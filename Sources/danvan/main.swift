import DanVanApp
import DanVanCore
import Foundation
import Logging
import Vapor

// The `danvan` executable: builds the app, then runs Vapor's command line
// (serve, migrate, demo, create-admin, routes).
var environment = try Environment.detect()
try LoggingSystem.bootstrap(from: &environment)
let app = try await Application.make(environment)
do {
    let root = ProcessInfo.processInfo.environment["DANVAN_ROOT"] ?? FileManager.default.currentDirectoryPath
    app.directory = DirectoryConfiguration(workingDirectory: root)
    try await configure(app, config: try AppConfig.fromEnvironment(workingDirectory: root))
    let command = environment.arguments.dropFirst().first
    if command == nil || command == "serve" {
        try await app.autoMigrate()
    }
    try await app.execute()
} catch {
    app.logger.report(error: error)
    try? await app.asyncShutdown()
    throw error
}
try await app.asyncShutdown()
