import Dispatch
import Synchronization

/// A request's CPU-bound work outside model batches — parsing a large JSON body, tokenising
/// texts, decoding and preprocessing images, searching the vector index — on threads of its own.
///
/// Why a pool of its own: request handlers run on Swift's cooperative pool, which has one
/// thread per core (two here). Work that holds one of those threads for milliseconds to
/// seconds stalls every other request, health checks and shutdown included. Model batches
/// already run on the batchers' queues; this is the same for the rest of a request's work.
///
/// At most `workers` jobs run at once and at most `queueDepth` wait, first come first served.
/// A job whose deadline passes (or whose task is cancelled) while it waits never starts; a
/// running job is handed `shouldStop`, which turns true at its deadline or when its task is
/// cancelled, for the decoders and loops that can stop at a safe point.
public final class RequestWorkPool: Sendable {
    public struct Statistics: Sendable, Equatable {
        public var completed = 0
        public var expiredBeforeStart = 0
        public var rejectedQueueFull = 0
        public var running = 0
        public var waiting = 0
    }

    private struct Job: Sendable {
        let deadline: ContinuousClock.Instant
        let cancellation: CancellationFlag
        /// Does the work and returns what hands its result to the waiting task.
        let run: @Sendable () -> @Sendable () -> Void
        let expire: @Sendable () -> Void

        var isAbandoned: Bool { ContinuousClock.now >= deadline || cancellation.isSet }
    }

    /// Set when the waiting task is cancelled (e.g. a sibling image of its request failed).
    private final class CancellationFlag: Sendable {
        private let flag = Atomic(false)
        var isSet: Bool { flag.load(ordering: .relaxed) }
        func set() { flag.store(true, ordering: .relaxed) }
    }

    private struct State {
        var waiting: [Job] = []
        /// Index of the oldest waiting job (a FIFO without shifting the array on every pop).
        var head = 0
        var running = 0
        var statistics = Statistics()

        var waitingCount: Int { waiting.count - head }

        mutating func popOldest() -> Job? {
            guard head < waiting.count else { return nil }
            let job = waiting[head]
            head += 1
            if head > 64, head * 2 > waiting.count {
                waiting.removeFirst(head)
                head = 0
            }
            return job
        }
    }

    public let workers: Int
    public let queueDepth: Int
    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "adaptclip.request-work", qos: .userInitiated, attributes: .concurrent)

    public init(workers: Int, queueDepth: Int) {
        self.workers = max(1, workers)
        self.queueDepth = max(0, queueDepth)
    }

    public var statistics: Statistics {
        state.withLock { state in
            var statistics = state.statistics
            statistics.running = state.running
            statistics.waiting = state.waitingCount
            return statistics
        }
    }

    /// Runs `work` on a pool thread and returns its result. Throws `RequestWorkError.queueFull`
    /// when `queueDepth` jobs already wait, `RequestWorkError.deadlineExceeded` when the deadline
    /// passes before the job starts, and `CancellationError` when the task was cancelled first.
    public func run<T: Sendable>(
        deadline: ContinuousClock.Instant, _ work: @escaping @Sendable (_ shouldStop: @escaping @Sendable () -> Bool) throws -> T
    ) async throws -> T {
        let cancellation = CancellationFlag()
        return try await withTaskCancellationHandler {
            try await submit(deadline: deadline, cancellation: cancellation, work)
        } onCancel: {
            cancellation.set()
        }
    }

    private func submit<T: Sendable>(
        deadline: ContinuousClock.Instant, cancellation: CancellationFlag,
        _ work: @escaping @Sendable (_ shouldStop: @escaping @Sendable () -> Bool) throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let job = Job(
                deadline: deadline, cancellation: cancellation,
                run: {
                    let result = Result { try work { ContinuousClock.now >= deadline || cancellation.isSet } }
                    return { continuation.resume(with: result) }
                },
                expire: {
                    continuation.resume(throwing: cancellation.isSet ? CancellationError() : RequestWorkError.deadlineExceeded)
                })
            let start: Bool? = state.withLock { state in
                if state.running < workers {
                    state.running += 1
                    return true
                }
                guard state.waitingCount < queueDepth else {
                    state.statistics.rejectedQueueFull += 1
                    return nil
                }
                state.waiting.append(job)
                return false
            }
            switch start {
            case true?: queue.async { self.drain(startingWith: job) }
            case false?: break
            case nil: continuation.resume(throwing: RequestWorkError.queueFull(depth: queueDepth))
            }
        }
    }

    /// One pool thread: runs its job, then the oldest waiting ones, until none is left.
    private func drain(startingWith first: Job) {
        var next: Job? = first
        while let job = next {
            // Statistics are counted before the waiting task resumes, so it sees its own job counted.
            if job.isAbandoned {
                state.withLock { $0.statistics.expiredBeforeStart += 1 }
                job.expire()
            } else {
                let resume = job.run()
                state.withLock { $0.statistics.completed += 1 }
                resume()
            }
            next = state.withLock { state in
                if let job = state.popOldest() { return job }
                state.running -= 1
                return nil
            }
        }
    }
}

/// Why a request's work did not run on the pool.
public enum RequestWorkError: Error, Equatable, CustomStringConvertible {
    case queueFull(depth: Int)
    case deadlineExceeded

    public var description: String {
        switch self {
        case .queueFull(let depth): "the request-work queue is full (\(depth) requests waiting)"
        case .deadlineExceeded: "the request's deadline passed before its work could start"
        }
    }
}
