import DanVanQuiz
import Foundation
import NIOConcurrencyHelpers
import Testing

@Suite("The group runner behind the quiz's group commit and grouped reads")
struct GroupRunnerTests {
    @Test("a group runner answers each caller from the group its input went into; a failing group fails each of its callers")
    func groupRunner() async throws {
        let sizes = NIOLockedValueBox<[Int]>([])
        let active = NIOLockedValueBox((now: 0, most: 0))
        let runner = GroupRunner<Int, String>(maxGroup: 20) { inputs in
            sizes.withLockedValue { $0.append(inputs.count) }
            active.withLockedValue { $0.now += 1; $0.most = max($0.most, $0.now) }
            defer { active.withLockedValue { $0.now -= 1 } }
            try await Task.sleep(for: .milliseconds(30))
            if inputs.contains(-1) { throw CancellationError() }
            return inputs.map { "n\($0)" }
        }
        let outputs = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for number in 0..<60 { group.addTask { (number, try await runner.run(number)) } }
            var all: [Int: String] = [:]
            for try await (number, output) in group { all[number] = output }
            return all
        }
        #expect(outputs.count == 60 && outputs.allSatisfy { $0.value == "n\($0.key)" })
        // Callers that came while a group ran went into the next ones, never more than 20 at once.
        let seen = sizes.withLockedValue { $0 }
        #expect(seen.reduce(0, +) == 60 && seen.allSatisfy { $0 <= 20 } && seen.count < 60, "\(seen)")
        // One lane: never two groups at once (the writer relies on it).
        #expect(active.withLockedValue { $0.most } == 1)
        // A failing group fails each of its callers, and the runner goes on.
        await #expect(throws: CancellationError.self) { try await runner.run(-1) }
        #expect(try await runner.run(7) == "n7")
        // An answer of the wrong size is an error for the callers, not a hang.
        let short = GroupRunner<Int, Int>(maxGroup: 5) { _ in [] }
        await #expect(throws: GroupRunner<Int, Int>.GroupSizeError.self) { try await short.run(1) }
    }
}
