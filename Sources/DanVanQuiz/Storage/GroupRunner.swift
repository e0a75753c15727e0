import Foundation
import NIOConcurrencyHelpers

/// Runs what many concurrent callers ask for in groups: callers queue an input and wait; one
/// drain loop takes everything queued while the previous group ran (at most `maxGroup`) and
/// hands it to `process` at once, which answers each input in order. A caller's input is
/// never served by a group that started before it was queued.
///
/// The quiz uses it twice: the group-commit writer (one transaction, one disk flush, for
/// dozens of submissions) and the submission's read (one query for every attempt asked for
/// meanwhile, instead of one round trip each).
public final class GroupRunner<Input: Sendable, Output: Sendable>: @unchecked Sendable {
    private struct Waiting {
        let input: Input
        let continuation: CheckedContinuation<Output, any Error>
    }

    private let lock = NIOLock()
    private var queue: [Waiting] = []
    private var running = false
    private let process: @Sendable ([Input]) async throws -> [Output]
    private let maxGroup: Int

    /// A runner calling `process` with groups of at most `maxGroup` inputs; `process` must
    /// return one output per input, in the same order.
    public init(maxGroup: Int, process: @escaping @Sendable ([Input]) async throws -> [Output]) {
        self.maxGroup = max(1, maxGroup)
        self.process = process
    }

    /// Queues `input` and returns its output once its group has run; a failing group fails
    /// each of its callers with the same error.
    public func run(_ input: Input) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            let startDrain: Bool = lock.withLock {
                queue.append(Waiting(input: input, continuation: continuation))
                if running { return false }
                running = true
                return true
            }
            if startDrain { Task.detached { await self.drain() } }
        }
    }

    private func drain() async {
        while true {
            let group: [Waiting] = lock.withLock {
                if queue.isEmpty {
                    running = false
                    return []
                }
                let taken = Array(queue.prefix(maxGroup))
                queue.removeFirst(taken.count)
                return taken
            }
            if group.isEmpty { return }
            do {
                let outputs = try await process(group.map(\.input))
                guard outputs.count == group.count else { throw GroupSizeError(inputs: group.count, outputs: outputs.count) }
                for (waiting, output) in zip(group, outputs) { waiting.continuation.resume(returning: output) }
            } catch {
                for waiting in group { waiting.continuation.resume(throwing: error) }
            }
        }
    }

    /// `process` answered a group with the wrong number of outputs (a programming error).
    public struct GroupSizeError: Error {
        /// Inputs in the group.
        public let inputs: Int
        /// Outputs returned.
        public let outputs: Int
    }
}
