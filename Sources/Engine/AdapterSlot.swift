import Foundation
import Models
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
        public let identity: AdapterIdentity
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
    public func activate(_ adapter: Adapter, identity: AdapterIdentity) -> Lease? {
        state.withLock { state in
            let previous = state.current
            state.generation += 1
            state.current = Lease(adapter: adapter, identity: identity, generation: state.generation, activatedAt: Date())
            return previous
        }
    }

    /// What the slot serves now and how much, for listings: one read under the lock, so the
    /// request count belongs to the activation it is shown with.
    public var snapshot: AdapterSlotSnapshot {
        state.withLock { state in
            AdapterSlotSnapshot(
                slotName: slotName, active: state.current?.identity, generation: state.current?.generation,
                activatedAt: state.current?.activatedAt,
                requests: state.current.map { state.leasesByGeneration[$0.generation] ?? 0 } ?? 0)
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

/// A slot as seen from outside at one moment, whatever adapter type it holds.
public struct AdapterSlotSnapshot: Sendable {
    public let slotName: String
    public let active: AdapterIdentity?
    public let generation: Int?
    public let activatedAt: Date?
    /// Requests served by the current activation (0 when the slot is empty).
    public let requests: Int
}
