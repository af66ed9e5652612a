import Dispatch
import Glibc

/// What a stop signal does to a running service: first it leaves the rotation (`/readyz`
/// answers 503 "draining" to whatever still reaches it), then `stop` drains the server.
///
/// One handler per signal does both, in that order: libdispatch on Linux delivers a signal to
/// one of the sources registered for it, not to each, so readiness cannot listen beside the
/// server's own `shutdownOnSignals`.
final class StopSignals {
    private let sources: [any DispatchSourceSignal]

    /// Installs the handlers; they are registered with the kernel when this returns. `stop`
    /// runs on a Dispatch queue (never waiting for a cooperative thread, which request work
    /// may hold) with the signal's number.
    init(_ signals: [Int32] = [SIGTERM, SIGINT], readiness: ServiceReadiness, stop: @escaping @Sendable (Int32) -> Void) {
        let queue = DispatchQueue(label: "adaptclip.stop-signals")
        let registered = DispatchGroup()
        sources = signals.map { number in
            // Delivered to the source instead of ending the process.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { Self.received(number, readiness: readiness, stop: stop) }
            registered.enter()
            source.setRegistrationHandler { registered.leave() }
            source.resume()
            return source
        }
        _ = registered.wait(timeout: .now() + .seconds(2))
    }

    /// What a stop signal does, in this order: out of the rotation, then drain.
    static func received(_ number: Int32, readiness: ServiceReadiness, stop: (Int32) -> Void) {
        readiness.beginDraining()
        stop(number)
    }

    /// Stops listening (the signals stay ignored: whoever installed these decides what next).
    func cancel() {
        for source in sources { source.cancel() }
    }
}
