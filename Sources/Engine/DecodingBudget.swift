import Synchronization

/// Pixels being decoded at once, across every request: a decoded picture costs 3 bytes a pixel
/// (more inside the codecs) until it is preprocessed down to the model's input, so concurrent
/// decodes of large photos are what sets the service's peak memory. A decode takes its pixel
/// count from this budget before it starts and gives it back when it ends; one larger than the
/// whole budget takes all of it (it runs alone). Waiters are served first come, first served,
/// and give up at their deadline.
final class DecodingBudget: Sendable {
    private struct Waiter {
        let id: Int
        let pixels: Int
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var available: Int
        var waiting: [Waiter] = []
        var nextID = 0
    }

    let capacity: Int
    private let state: Mutex<State>

    init(pixels capacity: Int) {
        self.capacity = max(1, capacity)
        state = Mutex(State(available: max(1, capacity)))
    }

    /// Runs `body` holding `pixels` of the budget (at most the whole budget).
    func withPixels<T: Sendable>(
        _ pixels: Int, deadline: ContinuousClock.Instant, _ body: () async throws -> T
    ) async throws -> T {
        let charge = min(max(1, pixels), capacity)
        try await acquire(charge, deadline: deadline)
        defer { release(charge) }
        return try await body()
    }

    private func acquire(_ pixels: Int, deadline: ContinuousClock.Instant) async throws {
        let id: Int? = state.withLock { state in
            if state.waiting.isEmpty, state.available >= pixels {
                state.available -= pixels
                return nil
            }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return }
        // Wake at the deadline to give up; a release before then resumes the waiter instead.
        let timeout = Task {
            try await Task.sleep(until: deadline, clock: .continuous)
            self.abandon(id)
        }
        defer { timeout.cancel() }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            state.withLock { $0.waiting.append(Waiter(id: id, pixels: pixels, continuation: continuation)) }
            grantWaiting()
        }
    }

    private func release(_ pixels: Int) {
        state.withLock { $0.available += pixels }
        grantWaiting()
    }

    /// Resumes waiters in order while the oldest fits.
    private func grantWaiting() {
        let granted: [Waiter] = state.withLock { state in
            var granted: [Waiter] = []
            while let first = state.waiting.first, first.pixels <= state.available {
                state.available -= first.pixels
                granted.append(state.waiting.removeFirst())
            }
            return granted
        }
        for waiter in granted { waiter.continuation.resume() }
    }

    private func abandon(_ id: Int) {
        let dropped: Waiter? = state.withLock { state in
            guard let index = state.waiting.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiting.remove(at: index)
        }
        dropped?.continuation.resume(throwing: RequestWorkError.deadlineExceeded)
        // The next waiter may fit now that the head is gone.
        if dropped != nil { grantWaiting() }
    }
}
