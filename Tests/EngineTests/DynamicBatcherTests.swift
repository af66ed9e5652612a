import Synchronization
import TestSupport
import Testing
@testable import Engine

@Suite struct DynamicBatcherTests {
    private static func far() -> ContinuousClock.Instant { .now + .seconds(30) }

    /// A deterministic per-item function: batching must not change any result.
    private static func square(_ xs: [Int]) -> [Int] { xs.map { $0 * $0 } }

    @Test func concurrentRequestsAreCoalescedAndResultsUnchanged() async throws {
        let sizes = Mutex<[Int]>([])
        let batcher = DynamicBatcher<Int, Int>(
            label: "test", limits: .init(maxBatchSize: 8, maxWait: .milliseconds(50), queueDepth: 100)
        ) { batch, _ in
            sizes.withLock { $0.append(batch.count) }
            return Self.square(batch)
        }
        let results = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for i in 0..<32 { group.addTask { (i, try await batcher.submit(i, deadline: Self.far())) } }
            var out: [Int: Int] = [:]
            for try await (i, r) in group { out[i] = r }
            return out
        }
        for i in 0..<32 { #expect(results[i] == i * i) }
        let seen = sizes.withLock { $0 }
        #expect(seen.reduce(0, +) == 32)
        #expect(seen.allSatisfy { $0 <= 8 })
        #expect(seen.count < 32, "expected coalescing, got batch sizes \(seen)")
        #expect(batcher.statistics.largestBatch > 1)
    }

    @Test func aLoneRequestRunsAfterTheWaitWithoutCompany() async throws {
        let batcher = DynamicBatcher<Int, Int>(
            label: "alone", limits: .init(maxBatchSize: 8, maxWait: .milliseconds(5), queueDepth: 4)
        ) { batch, _ in Self.square(batch) }
        #expect(try await batcher.submit(7, deadline: Self.far()) == 49)
        #expect(try await batcher.submit(3, deadline: Self.far()) == 9)
        #expect(batcher.statistics.batches == 2)
    }

    @Test func fullQueueIsRefusedAtOnce() async throws {
        let running = Gate("first batch running"), release = Gate("release the batches")
        let batcher = DynamicBatcher<Int, Int>(
            label: "full", limits: .init(maxBatchSize: 1, maxWait: .milliseconds(0), queueDepth: 2)
        ) { batch, _ in
            // Hold the first batch so later submissions pile up in the queue.
            running.open()
            try release.waitBlocking()
            return Self.square(batch)
        }
        let first = Task { try await batcher.submit(1, deadline: Self.far()) }
        try await running.wait()
        let second = Task { try await batcher.submit(2, deadline: Self.far()) }
        let third = Task { try await batcher.submit(3, deadline: Self.far()) }
        try await waitUntil("two requests queued") { batcher.queueDepth == 2 }
        await #expect(throws: BatcherError.queueFull(depth: 2)) {
            try await batcher.submit(4, deadline: Self.far())
        }
        release.open()
        #expect(try await first.value == 1)
        #expect(try await second.value == 4)
        #expect(try await third.value == 9)
        #expect(batcher.statistics.rejectedQueueFull == 1)
    }

    @Test func requestWhoseDeadlinePassesInTheQueueIsNotRun() async throws {
        let running = Gate("first batch running"), release = Gate("release the batches")
        let ran = Mutex<[Int]>([])
        let batcher = DynamicBatcher<Int, Int>(
            label: "deadline", limits: .init(maxBatchSize: 1, maxWait: .milliseconds(0), queueDepth: 8)
        ) { batch, _ in
            running.open()
            try release.waitBlocking()
            ran.withLock { $0.append(contentsOf: batch) }
            return batch
        }
        let first = Task { try await batcher.submit(1, deadline: Self.far()) }
        try await running.wait()
        let lateDeadline = ContinuousClock.now + .milliseconds(20)
        let late = Task { try await batcher.submit(2, deadline: lateDeadline) }
        try await waitUntil("the late request queued") { batcher.queueDepth == 1 }
        // The deadline passing is what this test is about: wait for that instant itself.
        try await Task.sleep(until: lateDeadline)
        release.open()
        #expect(try await first.value == 1)
        await #expect(throws: BatcherError.deadlineExceeded) { try await late.value }
        #expect(ran.withLock { $0 } == [1])
    }

    @Test func aThrowingBatchFailsEachOfItsRequestsAndTheBatcherGoesOn() async throws {
        struct Boom: Error {}
        let batcher = DynamicBatcher<Int, Int>(
            label: "throws", limits: .init(maxBatchSize: 4, maxWait: .milliseconds(1), queueDepth: 8)
        ) { batch, _ in
            if batch.contains(13) { throw Boom() }
            return batch
        }
        await #expect(throws: Boom.self) { try await batcher.submit(13, deadline: Self.far()) }
        #expect(try await batcher.submit(5, deadline: Self.far()) == 5)
    }

    /// A running batch whose every member's deadline has passed is told to stop (the model
    /// checks between layers) and its members get `deadlineExceeded`; while one member still
    /// waits for it, it is not told to stop.
    @Test func aRunningBatchStopsOnceNoMemberWaitsForIt() async throws {
        struct Stopped: Error {}
        let steps = Mutex(0)
        let batcher = DynamicBatcher<Int, Int>(
            label: "stops", limits: .init(maxBatchSize: 4, maxWait: .milliseconds(1), queueDepth: 8)
        ) { batch, shouldStop in
            // A "model" of many layers that checks between them; it would run for ~10 s.
            for _ in 0..<10_000 {
                if shouldStop() { throw Stopped() }
                steps.withLock { $0 += 1 }
                usleepShort()
            }
            return batch
        }
        await #expect(throws: BatcherError.deadlineExceeded) {
            try await batcher.submit(1, deadline: .now + .milliseconds(100))
        }
        #expect(steps.withLock { $0 } < 10_000)
        #expect(batcher.statistics.stoppedRunning == 1)

        let quick = DynamicBatcher<Int, Int>(
            label: "keeps", limits: .init(maxBatchSize: 1, maxWait: .milliseconds(1), queueDepth: 8)
        ) { batch, shouldStop in
            for _ in 0..<20 where shouldStop() { throw Stopped() }
            return batch
        }
        #expect(try await quick.submit(3, deadline: Self.far()) == 3)
    }
}

/// One "layer" of a model that takes time: the test that uses it is about a deadline passing
/// while a batch runs, so time is the thing under test there.
private func usleepShort() {
    var ts = timespec(tv_sec: 0, tv_nsec: 1_000_000)
    nanosleep(&ts, nil)
}

#if canImport(Glibc)
import Glibc
#endif
