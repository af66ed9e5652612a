import Dispatch
import Foundation
import Synchronization
@testable import HTTPServer

/// An async route whose handler blocks the cooperative thread it runs on until `release()`:
/// more such requests than the pool has threads leave Swift concurrency with no free thread,
/// the state in which a service's CPU-bound handlers put it. Waiting here happens off the pool.
final class CooperativePoolBlocker: Sendable {
    /// More blocked handlers than the pool has threads, so some stay queued behind the others.
    static let requestCount = ProcessInfo.processInfo.activeProcessorCount + 2
    static let path = "/block"

    private let gate = DispatchSemaphore(value: 0)
    private let entered = Atomic<Int>(0)
    /// Signalled once per handler that enters, so `saturate` waits on the entries themselves.
    private let entries = DispatchSemaphore(value: 0)

    /// Handlers running (and blocked) so far.
    var enteredCount: Int { entered.load(ordering: .relaxed) }

    func addRoute(to router: inout Router) {
        router.add(.get, Self.path) { [self] _ in
            entered.add(1, ordering: .relaxed)
            entries.signal()
            gate.wait()
            return .text("released")
        }
    }

    /// Opens `requestCount` connections, each with a blocking request, and returns once every
    /// cooperative thread is held (as many handlers entered as the pool has threads), or throws
    /// after `timeout` seconds. Call off the pool.
    func saturate(port: Int, timeout: Double = 20) throws -> [SocketTestClient] {
        let clients = try (0..<Self.requestCount).map { _ in try SocketTestClient(port: port, receiveTimeout: 30) }
        for client in clients { try client.send(get(Self.path)) }
        let giveUp = DispatchTime.now() + timeout
        for _ in 0..<ProcessInfo.processInfo.activeProcessorCount where entries.wait(timeout: giveUp) == .timedOut {
            throw SocketTestClient.ClientError(description: "only \(enteredCount) blocking handlers started")
        }
        return clients
    }

    /// Lets every blocked and queued handler return.
    func release() {
        for _ in 0..<Self.requestCount { gate.signal() }
    }
}
