import Dispatch
import Synchronization

/// How requests are grouped into model batches.
public struct BatchLimits: Sendable, Equatable {
    public var maxBatchSize: Int
    public var maxWait: Duration
    /// Requests waiting (not yet in a running batch) at most; beyond it `submit` fails at once.
    public var queueDepth: Int

    public init(maxBatchSize: Int, maxWait: Duration, queueDepth: Int) {
        self.maxBatchSize = max(1, maxBatchSize)
        self.maxWait = maxWait
        self.queueDepth = max(1, queueDepth)
    }
}

/// Coalesces concurrent single requests into model batches.
///
/// Model math is long, CPU-bound and already multi-threaded inside BLAS, so batches run one
/// at a time on a dedicated serial queue — never on Swift's cooperative pool, whose few
/// threads must stay free for I/O and request handling. The first request of a batch waits
/// at most `maxWait` for company; a full batch starts at once.
///
/// Deadlines: an item whose deadline passes while it waits never enters a batch, and a
/// running batch is handed `shouldStop`, true once every member's deadline has passed, which
/// the model checks between layers — a batch nobody waits for any more stops early.
public final class DynamicBatcher<Input: Sendable, Output: Sendable>: Sendable {
    /// What the batcher observed, for metrics.
    public struct Statistics: Sendable, Equatable {
        public var batches = 0
        public var items = 0
        public var largestBatch = 0
        public var rejectedQueueFull = 0
        public var expiredBeforeRun = 0
        /// Batches abandoned between layers because every member's deadline had passed.
        public var stoppedRunning = 0
    }

    private struct Pending {
        let input: Input
        let deadline: ContinuousClock.Instant
        let continuation: CheckedContinuation<Output, any Error>
    }

    private struct State {
        var pending: [Pending] = []
        /// A drain is scheduled or running; new arrivals only join the queue.
        var drainScheduled = false
        /// Bumped when a scheduled delayed drain is superseded by an immediate one.
        var generation = 0
        var statistics = Statistics()
    }

    public let limits: BatchLimits
    private let state = Mutex(State())
    private let queue: DispatchQueue
    private let process: @Sendable ([Input], _ shouldStop: () -> Bool) throws -> [Output]

    /// - Parameter process: runs one batch; must return one output per input, in order. It may
    ///   stop early (throwing anything) once `shouldStop()` is true: every member then gets
    ///   `BatcherError.deadlineExceeded`.
    public init(
        label: String, limits: BatchLimits, process: @escaping @Sendable ([Input], _ shouldStop: () -> Bool) throws -> [Output]
    ) {
        self.limits = limits
        self.queue = DispatchQueue(label: "adaptclip.batcher.\(label)", qos: .userInitiated)
        self.process = process
    }

    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// Requests waiting for a batch right now.
    public var queueDepth: Int { state.withLock { $0.pending.count } }

    /// Runs `input` in some batch and returns its output. Throws `BatcherError.queueFull` when
    /// the queue is full and `.deadlineExceeded` when the deadline passes before its batch starts.
    public func submit(_ input: Input, deadline: ContinuousClock.Instant) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            let action: ScheduleAction? = state.withLock { state in
                guard state.pending.count < limits.queueDepth else {
                    state.statistics.rejectedQueueFull += 1
                    return nil
                }
                state.pending.append(Pending(input: input, deadline: deadline, continuation: continuation))
                if !state.drainScheduled {
                    state.drainScheduled = true
                    state.generation += 1
                    return state.pending.count >= limits.maxBatchSize ? .now : .after(state.generation)
                }
                if state.pending.count == limits.maxBatchSize {
                    // A full batch need not wait out the delay of the scheduled drain.
                    state.generation += 1
                    return .nowSuperseding
                }
                return .joinQueue
            }
            switch action {
            case nil:
                continuation.resume(throwing: BatcherError.queueFull(depth: limits.queueDepth))
            case .now?, .nowSuperseding?:
                queue.async { self.drain(generation: nil) }
            case .after(let generation)?:
                let delay = limits.maxWait.components
                let nanoseconds = Int(delay.seconds) * 1_000_000_000 + Int(delay.attoseconds / 1_000_000_000)
                queue.asyncAfter(deadline: .now() + .nanoseconds(nanoseconds)) {
                    self.drain(generation: generation)
                }
            case .joinQueue?:
                break
            }
        }
    }

    private enum ScheduleAction {
        case now, nowSuperseding, after(Int), joinQueue
    }

    /// Runs batches on the serial queue until nothing is waiting. A delayed drain whose
    /// generation was superseded does nothing: an immediate one already ran.
    private func drain(generation: Int?) {
        while true {
            let taken: (batch: [Pending], expired: [Pending])? = state.withLock { state in
                if let generation, generation != state.generation { return nil }
                let now = ContinuousClock.now
                var batch: [Pending] = []
                var expired: [Pending] = []
                var rest: [Pending] = []
                for item in state.pending {
                    if item.deadline <= now {
                        expired.append(item)
                    } else if batch.count < limits.maxBatchSize {
                        batch.append(item)
                    } else {
                        rest.append(item)
                    }
                }
                state.pending = rest
                state.statistics.expiredBeforeRun += expired.count
                if batch.isEmpty && expired.isEmpty {
                    state.drainScheduled = false
                    return nil
                }
                if !batch.isEmpty {
                    state.statistics.batches += 1
                    state.statistics.items += batch.count
                    state.statistics.largestBatch = max(state.statistics.largestBatch, batch.count)
                }
                return (batch, expired)
            }
            guard let taken else { return }
            for item in taken.expired { item.continuation.resume(throwing: BatcherError.deadlineExceeded) }
            if !taken.batch.isEmpty { run(taken.batch) }
        }
    }

    private func run(_ batch: [Pending]) {
        let latest = batch.map(\.deadline).max() ?? .now
        let shouldStop = { ContinuousClock.now >= latest }
        do {
            let outputs = try process(batch.map(\.input), shouldStop)
            guard outputs.count == batch.count else {
                let error = BatcherError.wrongOutputCount(expected: batch.count, got: outputs.count)
                for item in batch { item.continuation.resume(throwing: error) }
                return
            }
            for (item, output) in zip(batch, outputs) { item.continuation.resume(returning: output) }
        } catch {
            let stopped = shouldStop()
            if stopped { state.withLock { $0.statistics.stoppedRunning += 1 } }
            for item in batch { item.continuation.resume(throwing: stopped ? BatcherError.deadlineExceeded : error) }
        }
    }
}

/// Why a batched request did not run.
public enum BatcherError: Error, Equatable, CustomStringConvertible {
    case queueFull(depth: Int)
    case deadlineExceeded
    case wrongOutputCount(expected: Int, got: Int)

    public var description: String {
        switch self {
        case .queueFull(let depth): "the model queue is full (\(depth) requests waiting)"
        case .deadlineExceeded: "the request's deadline passed before the model could run it"
        case .wrongOutputCount(let expected, let got): "a batch of \(expected) produced \(got) outputs"
        }
    }
}
