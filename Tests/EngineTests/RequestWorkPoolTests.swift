import Foundation
import Synchronization
import TestSupport
import Testing
@testable import Engine

#if canImport(Glibc)
import Glibc
#endif

@Suite struct RequestWorkPoolTests {
    private static func far() -> ContinuousClock.Instant { .now + .seconds(30) }

    @Test func workRunsOnThePoolAndReturnsItsResult() async throws {
        let pool = RequestWorkPool(workers: 2, queueDepth: 32)
        let squares = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<20 { group.addTask { try await pool.run(deadline: Self.far()) { _ in i * i } } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(squares.sorted() == (0..<20).map { $0 * $0 })
        #expect(pool.statistics.completed == 20)
    }

    /// Never more than `workers` at once, whatever is submitted.
    @Test func atMostWorkersRunAtOnce() async throws {
        let pool = RequestWorkPool(workers: 2, queueDepth: 64)
        final class Concurrency: Sendable {
            let counts = Mutex((now: 0, most: 0))
        }
        let running = Concurrency()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    try await pool.run(deadline: Self.far()) { _ in
                        running.counts.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
                        // A few milliseconds of "work", so jobs overlap and the limit is tested.
                        usleep(5_000)
                        running.counts.withLock { $0.now -= 1 }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(running.counts.withLock { $0.most } <= 2)
    }

    @Test func aFullQueueIsRefusedAndAnExpiredJobNeverStarts() async throws {
        let pool = RequestWorkPool(workers: 1, queueDepth: 1)
        let running = Gate("the blocker runs"), release = Gate("release the blocker")
        let started = Mutex(0)
        let blocker = Task {
            try await pool.run(deadline: Self.far()) { _ in
                running.open()
                try release.waitBlocking()
            }
        }
        try await running.wait()
        // Waits behind the blocker, and its deadline passes meanwhile.
        let lateDeadline = ContinuousClock.now + .milliseconds(30)
        let late = Task {
            try await pool.run(deadline: lateDeadline) { _ in started.withLock { $0 += 1 } }
        }
        try await waitUntil("the late job waits") { pool.statistics.waiting > 0 }
        await #expect(throws: RequestWorkError.queueFull(depth: 1)) {
            try await pool.run(deadline: Self.far()) { _ in () }
        }
        // The deadline passing is what this test is about: wait for that instant itself.
        try await Task.sleep(until: lateDeadline)
        release.open()
        try await blocker.value
        await #expect(throws: RequestWorkError.deadlineExceeded) { try await late.value }
        #expect(started.withLock { $0 } == 0)
        #expect(pool.statistics.expiredBeforeStart == 1 && pool.statistics.rejectedQueueFull == 1)
    }

    /// A running job sees `shouldStop` turn true when its task is cancelled (a sibling image of
    /// its request failed), and when its deadline passes.
    @Test func runningWorkIsToldToStop() async throws {
        let pool = RequestWorkPool(workers: 1, queueDepth: 4)
        let running = Gate("the job runs")
        // Rounds of a millisecond's "work": the second half is about a deadline passing while the
        // job runs, so time is the thing under test there.
        let task = Task {
            try await pool.run(deadline: Self.far()) { shouldStop in
                running.open()
                var rounds = 0
                while !shouldStop() && rounds < 10_000 { usleep(1_000); rounds += 1 }
                return rounds
            }
        }
        try await running.wait()
        task.cancel()
        #expect(try await task.value < 10_000)
        let timed = try await pool.run(deadline: .now + .milliseconds(50)) { shouldStop in
            var rounds = 0
            while !shouldStop() && rounds < 10_000 { usleep(1_000); rounds += 1 }
            return rounds
        }
        #expect(timed < 10_000)
    }
}
