import Foundation
import Vapor

/// Bcrypt hashing off the event loop (a cost-12 hash takes a quarter of a second).
public enum Passwords {
    /// Minimum length of a password chosen by a user.
    public static let minimumLength = 8

    /// Hashes `password` with the app's bcrypt cost.
    public static func hash(_ password: String, on app: Application) async throws -> String {
        let cost = app.config.bcryptCost
        return try await app.threadPool.runIfActive { try Bcrypt.hash(password, cost: cost) }
    }

    /// Whether `password` matches `hash`.
    public static func verify(_ password: String, hash: String, on app: Application) async throws -> Bool {
        try await app.threadPool.runIfActive { (try? Bcrypt.verify(password, created: hash)) ?? false }
    }

    /// Checks a new password; returns the localisation key of the problem, or nil.
    public static func problem(new: String, confirm: String) -> String? {
        if new.count < minimumLength { return "account.tooShort" }
        if new != confirm { return "account.mismatch" }
        return nil
    }
}
