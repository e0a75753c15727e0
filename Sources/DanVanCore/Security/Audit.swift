import Fluent
import Foundation
import Vapor

/// Who did something: a user, or the system (a command or a scheduled job).
public struct AuditActor: Sendable {
    /// The user's id, nil for the system.
    public let id: UUID?
    /// The name recorded.
    public let name: String
    /// The client address, when it came over HTTP.
    public let address: String?

    /// Creates an audit actor.
    public init(id: UUID?, name: String, address: String?) {
        self.id = id
        self.name = name
        self.address = address
    }

    /// The system itself (commands, demo loader, jobs).
    public static let system = AuditActor(id: nil, name: L10n.text("core.he_thong"), address: nil)
}

/// Records writes. Call it on the same database handle (transaction) as the write itself, so
/// the record and its audit entry are committed together or not at all.
public enum AuditLog {
    /// Appends one entry.
    public static func record(
        on db: any Database, actor: AuditActor, at: Date, action: String, entityType: String, entityID: UUID?,
        summary: String, before: [String: String]? = nil, after: [String: String]? = nil
    ) async throws {
        try await AuditEntry(
            at: at, actorID: actor.id, actorName: actor.name, action: action, entityType: entityType,
            entityID: entityID?.uuidString, summary: summary, beforeJSON: before.map(json), afterJSON: after.map(json),
            address: actor.address
        ).create(on: db)
    }

    static func json(_ value: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "{}"
    }
}

extension Request {
    /// The signed-in user as an audit actor (the system if nobody is signed in).
    public var actor: AuditActor {
        let address = clientAddress
        guard let user = currentUser else { return AuditActor(id: nil, name: L10n.text("core.khach"), address: address) }
        return AuditActor(id: user.id, name: user.username, address: address)
    }

    /// The client's address (`ClientAddress.resolve` with the configured trusted proxies).
    public var clientAddress: String {
        ClientAddress.resolve(
            peer: remoteAddress?.ipAddress, forwardedFor: headers[canonicalForm: "X-Forwarded-For"].map(String.init),
            trusted: application.config.trustedProxies
        )
    }

    /// Records one write by the signed-in user at the request's "now".
    public func audit(
        on db: (any Database)? = nil, _ action: String, _ entityType: String, id: UUID?, summary: String,
        before: [String: String]? = nil, after: [String: String]? = nil
    ) async throws {
        try await AuditLog.record(
            on: db ?? self.db, actor: actor, at: now, action: action, entityType: entityType, entityID: id,
            summary: summary, before: before, after: after
        )
    }
}

/// Which address a request is counted under (limits, throttling, audit).
public enum ClientAddress {
    /// The peer's address, unless the peer is a trusted proxy: then the nearest hop of
    /// `X-Forwarded-For` (all its headers, in order) that is not itself a trusted proxy,
    /// read from the right — the hops left of it were written by the client and prove nothing.
    public static func resolve(peer: String?, forwardedFor: [String], trusted: Set<String>) -> String {
        guard let peer else { return "?" }
        guard trusted.contains(peer) else { return peer }
        let hops = forwardedFor.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return hops.last { !trusted.contains($0) } ?? hops.first ?? peer
    }
}
