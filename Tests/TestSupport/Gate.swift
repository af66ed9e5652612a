import Dispatch
import Synchronization

/// A one-way latch: closed until `open()`, then open for good. Tests wait on events through
/// it instead of sleeping and hoping the event has happened: the code under test opens one
/// gate when it reaches a point ("the first batch is running") and waits on another that the
/// test opens when it is ready ("let the batch finish").
///
/// Waits have a ceiling, `Gate.ceiling`, far beyond any healthy wait: it is not a timing
/// assumption, it only turns a gate that never opens into a thrown error instead of a hung run.
public final class Gate: Sendable {
    /// How long a wait may last before it counts as "never".
    public static let ceiling: Duration = .seconds(60)

    private struct State {
        var isOpen = false
        var nextWaiter = 0
        var suspended: [Int: CheckedContinuation<Bool, Never>] = [:]
        var blocked: [DispatchSemaphore] = []
    }

    private let state = Mutex(State())
    public let name: String

    public init(_ name: String) { self.name = name }

    public var isOpen: Bool { state.withLock { $0.isOpen } }

    /// Opens the gate and releases every waiter; opening an open gate does nothing.
    public func open() {
        let (suspended, blocked) = state.withLock { state in
            guard !state.isOpen else { return ([CheckedContinuation<Bool, Never>](), [DispatchSemaphore]()) }
            state.isOpen = true
            defer { state.suspended = [:]; state.blocked = [] }
            return (Array(state.suspended.values), state.blocked)
        }
        for waiter in suspended { waiter.resume(returning: true) }
        for semaphore in blocked { semaphore.signal() }
    }

    /// Suspends until the gate opens (at once when it is open already).
    public func wait(atMost ceiling: Duration = Gate.ceiling) async throws {
        let opened = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let id: Int? = state.withLock { state in
                guard !state.isOpen else { return nil }
                state.nextWaiter += 1
                state.suspended[state.nextWaiter] = continuation
                return state.nextWaiter
            }
            guard let id else { return continuation.resume(returning: true) }
            DispatchQueue.global().asyncAfter(deadline: .now() + Self.dispatchInterval(ceiling)) { [self] in
                state.withLock { $0.suspended.removeValue(forKey: id) }?.resume(returning: false)
            }
        }
        if !opened { throw GateError(gate: name, ceiling: ceiling) }
    }

    /// Blocks the calling thread until the gate opens: for code that runs on threads of its own
    /// (a Dispatch queue, a worker pool, a socket client), never on Swift's cooperative pool.
    public func waitBlocking(atMost ceiling: Duration = Gate.ceiling) throws {
        let semaphore = DispatchSemaphore(value: 0)
        let isOpen = state.withLock { state in
            if !state.isOpen { state.blocked.append(semaphore) }
            return state.isOpen
        }
        if isOpen { return }
        if semaphore.wait(timeout: .now() + Self.dispatchInterval(ceiling)) == .timedOut {
            throw GateError(gate: name, ceiling: ceiling)
        }
    }

    private static func dispatchInterval(_ duration: Duration) -> DispatchTimeInterval {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
    }
}

/// A gate that did not open within its ceiling: the event the test waited for never happened.
public struct GateError: Error, CustomStringConvertible {
    public let gate: String
    public let ceiling: Duration
    public var description: String { "gate '\(gate)' did not open within \(ceiling)" }
}
