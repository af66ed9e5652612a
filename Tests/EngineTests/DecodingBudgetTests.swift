import Synchronization
import TestSupport
import Testing
@testable import Engine

@Suite struct DecodingBudgetTests {
    final class Peak: Sendable {
        let state = Mutex((now: 0, most: 0))
        func enter(_ n: Int) { state.withLock { $0.now += n; $0.most = max($0.most, $0.now) } }
        func leave(_ n: Int) { state.withLock { $0.now -= n } }
        var most: Int { state.withLock { $0.most } }
    }

    /// However many decodes are asked for, the pixels held at once never pass the budget, and
    /// one image larger than the whole budget still runs (alone).
    @Test func pixelsHeldAtOnceStayWithinTheBudget() async throws {
        let budget = DecodingBudget(pixels: 100)
        let peak = Peak()
        let sizes = [60, 30, 50, 100, 250, 10, 40, 70]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for size in sizes {
                group.addTask {
                    try await budget.withPixels(size, deadline: .now + .seconds(30)) {
                        let charged = min(size, 100)
                        peak.enter(charged)
                        // Holds its pixels across a suspension of a few milliseconds, a decode's
                        // worth, so the other decodes contend for the budget meanwhile.
                        try await Task.sleep(for: .milliseconds(5))
                        peak.leave(charged)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(peak.most <= 100)
    }

    @Test func aWaiterGivesUpAtItsDeadline() async throws {
        let budget = DecodingBudget(pixels: 10)
        let holding = Gate("the budget is held"), release = Gate("release the budget")
        let holder = Task {
            try await budget.withPixels(10, deadline: .now + .seconds(30)) {
                holding.open()
                try await release.wait()
            }
        }
        try await holding.wait()
        await #expect(throws: RequestWorkError.deadlineExceeded) {
            try await budget.withPixels(5, deadline: .now + .milliseconds(30)) {}
        }
        release.open()
        try await holder.value
        // Released: the budget is whole again.
        try await budget.withPixels(10, deadline: .now + .seconds(1)) {}
    }
}
