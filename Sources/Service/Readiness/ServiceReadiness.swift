import Synchronization

/// What `/readyz` answers: ready only once every component is, and never again once the server
/// drains. A load balancer or Kubernetes sends traffic to a replica only while it is ready, so
/// "ready" must mean a request would be served now, not merely that the process answers
/// (`/healthz`).
public final class ServiceReadiness: Sendable {
    /// The parts a request needs, in the order `/readyz` lists them.
    public enum Component: String, Sendable, CaseIterable, Comparable {
        /// The models loaded and warmed up (one text and one image through the engine).
        case model
        /// The store open and its index recovered (or connected, for a shared database).
        case store
        /// The server itself: not ready while it drains for a stop.
        case server

        public static func < (a: Component, b: Component) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    /// Not-ready components and why (shown to operators as is).
    private let waiting: Mutex<[Component: String]>

    /// - Parameter waitingFor: the components not ready yet, with what they are doing.
    public init(waitingFor: [Component: String] = [:]) {
        waiting = Mutex(waitingFor)
    }

    /// `component` is not ready (again), for `reason` ("loading", "recovering the index").
    public func waiting(for component: Component, _ reason: String) {
        waiting.withLock { $0[component] = reason }
    }

    public func markReady(_ component: Component) {
        waiting.withLock { _ = $0.removeValue(forKey: component) }
    }

    /// From the stop signal on: a draining replica must leave its load balancer's rotation
    /// even though it still answers the requests it has.
    public func beginDraining() {
        waiting(for: .server, "draining: shutting down")
    }

    /// The components not ready and why, in `Component` order; empty when ready.
    public var notReady: [(component: Component, reason: String)] {
        waiting.withLock { $0.map { (component: $0.key, reason: $0.value) } }.sorted { $0.component < $1.component }
    }

    public var isReady: Bool { waiting.withLock { $0.isEmpty } }
}
