import DanVanCore
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Group commit for attempt starts and submissions.
///
/// Requests hand their write to the one writer of the process and wait. The writer takes
/// everything that queued up while the previous batch was committing and writes it in one
/// transaction — one multi-row statement per kind, plus the audit entries — so one disk
/// flush (fsync) covers dozens of submissions. Nobody is answered before the commit that
/// holds their write has returned: an acknowledged submission is on disk.
public final class QuizWriter: Sendable {
    /// A new attempt.
    public struct Start: Sendable {
        let id: UUID
        let roundID: UUID
        let participantID: UUID
        let attemptNo: Int
        let startedAt: Date
        let deadlineAt: Date
        let layout: String
        let address: String
        let day: Int
    }

    /// A scored submission.
    public struct Submission: Sendable {
        let attemptID: UUID
        let participantID: UUID
        let submittedAt: Date
        let answers: String
        let correct: Int
        let prediction: Int?
        let timeMs: Int
        let status: QuizAttempt.Status
        let address: String
        /// Raised with the submission when it looks automated.
        let flag: FlagWrite?
    }

    /// A flag raised with a write.
    public struct FlagWrite: Sendable {
        let contestID: UUID
        let roundID: UUID?
        let participantID: UUID?
        let attemptID: UUID?
        let kind: QuizFlag.Kind
        let address: String
        let detail: String
        let dedupeKey: String
        let at: Date
    }

    /// One queued write.
    public enum Operation: Sendable {
        case start(Start)
        case submit(Submission)
    }

    private let runner: GroupRunner<Operation, Bool>

    /// A writer on the database `database()` returns, at most `maxBatch` writes per
    /// transaction; `committed` hears of each batch's size (the metrics).
    public init(maxBatch: Int = 400, database: @escaping @Sendable () -> any Database, committed: (@Sendable (Int) -> Void)? = nil) {
        runner = GroupRunner(maxGroup: maxBatch) { operations in
            let results = try await Self.commit(operations, on: database())
            committed?(operations.count)
            return results
        }
    }

    /// Queues `operation` and returns once it is committed: true if it took effect (a start
    /// inserted; a submission recorded), false if the database refused it as a duplicate or
    /// because the round is no longer open.
    public func write(_ operation: Operation) async throws -> Bool {
        try await runner.run(operation)
    }

    private static func commit(_ operations: [Operation], on database: any Database) async throws -> [Bool] {
        let starts: [Start] = operations.compactMap { if case .start(let start) = $0 { return start } else { return nil } }
        // Two submissions of one attempt in one batch (a double click, two devices): the first
        // is written; the later one is answered as a duplicate, like one arriving after it.
        var firstSubmission: [UUID: Int] = [:]
        for (index, operation) in operations.enumerated() {
            if case .submit(let submission) = operation, firstSubmission[submission.attemptID] == nil { firstSubmission[submission.attemptID] = index }
        }
        let submissions: [Submission] = operations.enumerated().compactMap { index, operation in
            if case .submit(let submission) = operation, firstSubmission[submission.attemptID] == index { return submission } else { return nil }
        }
        let (inserted, updated) = try await database.transaction { db -> (Set<UUID>, Set<UUID>) in
            guard let sql = db as? any SQLDatabase else { throw AppError.unavailable }
            let inserted = try await Self.insert(starts, on: sql)
            let updated = try await Self.update(submissions, on: sql)
            try await Self.audit(starts.filter { inserted.contains($0.id) }, submissions.filter { updated.contains($0.attemptID) }, on: sql)
            let flags = submissions.filter { updated.contains($0.attemptID) }.compactMap(\.flag)
            try await Self.insertFlags(flags, on: sql)
            return (inserted, updated)
        }
        return operations.enumerated().map { index, operation in
            switch operation {
            case .start(let start): return inserted.contains(start.id)
            case .submit(let submission): return updated.contains(submission.attemptID) && firstSubmission[submission.attemptID] == index
            }
        }
    }

    private struct IDRow: Decodable { let id: UUID }

    private static func insert(_ starts: [Start], on sql: any SQLDatabase) async throws -> Set<UUID> {
        guard !starts.isEmpty else { return [] }
        let rows = starts.map { start in
            SQLGroupExpression([
                SQLBind(start.id), SQLBind(start.roundID), SQLBind(start.participantID), SQLBind(start.attemptNo), SQLBind(start.startedAt),
                SQLBind(start.deadlineAt), SQLBind(start.layout), SQLBind(QuizAttempt.Status.started.rawValue), SQLBind(start.address), SQLBind(start.day),
            ] as [any SQLExpression])
        }
        let result = try await sql.raw("""
            INSERT INTO quiz_attempts (id, round_id, participant_id, attempt_no, started_at, deadline_at, layout, status, address, day)
            VALUES \(SQLList(rows)) ON CONFLICT DO NOTHING RETURNING id
            """).all(decoding: IDRow.self)
        return Set(result.map(\.id))
    }

    /// One statement for the whole batch: only attempts still open in a round still
    /// published are written (a double submission or one racing the close writes nothing).
    private static func update(_ submissions: [Submission], on sql: any SQLDatabase) async throws -> Set<UUID> {
        guard !submissions.isEmpty else { return [] }
        let rows = submissions.map { submission in
            SQLGroupExpression([
                SQLBind(submission.attemptID), SQLBind(submission.submittedAt), SQLBind(submission.answers), SQLBind(submission.correct),
                SQLBind(submission.prediction), SQLBind(submission.timeMs), SQLBind(submission.status.rawValue),
            ] as [any SQLExpression])
        }
        let result = try await sql.raw("""
            WITH v (id, submitted_at, answers, correct, prediction, time_ms, status) AS (VALUES \(SQLList(rows)))
            UPDATE quiz_attempts SET submitted_at = v.submitted_at, answers = v.answers, correct = CAST(v.correct AS BIGINT),
                prediction = CAST(v.prediction AS BIGINT), time_ms = CAST(v.time_ms AS BIGINT), status = v.status
            FROM v
            WHERE quiz_attempts.id = v.id AND quiz_attempts.status = \(bind: QuizAttempt.Status.started.rawValue)
              AND EXISTS (SELECT 1 FROM quiz_rounds r WHERE r.id = quiz_attempts.round_id AND r.status = \(bind: QuizRound.Status.published.rawValue))
            RETURNING quiz_attempts.id
            """).all(decoding: IDRow.self)
        return Set(result.map(\.id))
    }

    private static func audit(_ starts: [Start], _ submissions: [Submission], on sql: any SQLDatabase) async throws {
        var rows: [SQLGroupExpression] = []
        func row(at: Date, action: String, id: UUID, summary: String, after: String, address: String) -> SQLGroupExpression {
            SQLGroupExpression([
                SQLBind(UUID.timeOrdered()), SQLBind(at), SQLBind(L10n.text("quiz.admin.thi_sinh")), SQLBind(action), SQLBind("quizAttempt"), SQLBind(id.uuidString),
                SQLBind(summary), SQLBind(after), SQLBind(address),
            ] as [any SQLExpression])
        }
        for start in starts {
            rows.append(row(
                at: start.startedAt, action: "create", id: start.id, summary: L10n.format("quiz.bat_dau_luot_thi_thu", ["\(start.attemptNo)"]),
                after: "{\"participantID\":\"\(start.participantID.uuidString)\",\"roundID\":\"\(start.roundID.uuidString)\"}", address: start.address
            ))
        }
        for submission in submissions {
            rows.append(row(
                at: submission.submittedAt, action: "update", id: submission.attemptID,
                summary: submission.status == .submitted ? L10n.format("quiz.nop_bai_cau_dung", ["\(submission.correct)"]) : L10n.text("quiz.nop_bai_sau_khi_het_gio"),
                after: "{\"correct\":\(submission.correct),\"participantID\":\"\(submission.participantID.uuidString)\",\"prediction\":\(submission.prediction.map(String.init) ?? "null"),\"status\":\"\(submission.status.rawValue)\",\"timeMs\":\(submission.timeMs)}",
                address: submission.address
            ))
        }
        guard !rows.isEmpty else { return }
        try await sql.raw("""
            INSERT INTO audit_entries (id, at, actor_name, action, entity_type, entity_id, summary, after_json, address)
            VALUES \(SQLList(rows))
            """).run()
    }

    /// Inserts flags, one per dedupe key (a second one with the same key is ignored).
    static func insertFlags(_ flags: [FlagWrite], on sql: any SQLDatabase) async throws {
        guard !flags.isEmpty else { return }
        let rows = flags.map { flag in
            SQLGroupExpression([
                SQLBind(UUID()), SQLBind(flag.contestID), SQLBind(flag.roundID), SQLBind(flag.participantID), SQLBind(flag.attemptID),
                SQLBind(flag.kind.rawValue), SQLBind(flag.address), SQLBind(flag.detail), SQLBind(flag.dedupeKey), SQLBind(flag.at),
            ] as [any SQLExpression])
        }
        try await sql.raw("""
            INSERT INTO quiz_flags (id, contest_id, round_id, participant_id, attempt_id, kind, address, detail, dedupe_key, created_at)
            VALUES \(SQLList(rows)) ON CONFLICT DO NOTHING
            """).run()
    }
}
