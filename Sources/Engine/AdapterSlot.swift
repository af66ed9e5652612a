import Foundation
import Synchronization

/// One pluggable position (e.g. "language:zh", "domain:image") holding the active adapter.
///
/// Hot-swap is a single pointer exchange under a lock: a request takes one `Lease` at its
/// start and uses that adapter to the end, so requests in flight finish on the old adapter
/// while new ones get the new one, and no request ever sees two.
public final class AdapterSlot<Adapter: Sendable>: Sendable {
    /// An adapter as activated: the value plus what identifies it in responses and metrics.
    public struct Lease: Sendable {
        public let adapter: Adapter
        public let name: String
        public let version: String
        /// Increases by one on every activation in this slot.
        public let generation: Int
        public let activatedAt: Date
    }

    private struct State {
        var current: Lease?
        var generation = 0
        var leasesByGeneration: [Int: Int] = [:]
    }

    public let slotName: String
    private let state: Mutex<State>

    public init(slotName: String) {
        self.slotName = slotName
        self.state = Mutex(State())
    }

    /// The active adapter for one request, or nil when the slot is empty.
    public func lease() -> Lease? {
        state.withLock { state in
            guard let current = state.current else { return nil }
            state.leasesByGeneration[current.generation, default: 0] += 1
            return current
        }
    }

    /// The active adapter without counting a request (for listings).
    public var active: Lease? { state.withLock { $0.current } }

    /// Requests served by the activation with this generation.
    public func requestCount(generation: Int) -> Int {
        state.withLock { $0.leasesByGeneration[generation] ?? 0 }
    }

    /// Makes `adapter` active and returns the lease that was active before. The caller has
    /// already validated and warmed it up: this call cannot fail, so a failed load can never
    /// leave the slot half-switched.
    @discardableResult
    public func activate(_ adapter: Adapter, name: String, version: String) -> Lease? {
        state.withLock { state in
            let previous = state.current
            state.generation += 1
            state.current = Lease(adapter: adapter, name: name, version: version,
                                  generation: state.generation, activatedAt: Date())
            return previous
        }
    }

    /// Empties the slot; returns what was active.
    @discardableResult
    public func clear() -> Lease? {
        state.withLock { state in
            defer { state.current = nil }
            return state.current
        }
    }
}
