import Foundation
import TestSupport
import Testing
@testable import HTTPServer

@Suite struct HTTPServerShutdownTests {
    /// A route whose handler opens `entered` and answers once `release` opens: a request held
    /// in flight for exactly as long as the test needs.
    static func heldRoute(_ router: inout Router, entered: Gate, release: Gate) {
        router.add(.get, "/held") { _ in
            entered.open()
            try await release.wait()
            return .text("released")
        }
    }

    @Test func shutdownFinishesInFlightRequestsClosesIdleOnesAndStopsAccepting() async throws {
        let entered = Gate("the request is in its handler"), release = Gate("let the handler answer")
        var router = Router()
        Self.heldRoute(&router, entered: entered, release: release)
        let server = HTTPServer(configuration: HTTPServerConfiguration(port: 0), router: router, logger: LogRecorder().logger)
        let port = try server.start()
        let busy = try await offPool { try SocketTestClient(port: port) }
        let idle = try await offPool { try SocketTestClient(port: port) }
        try await offPool { try busy.send(get("/held")) }
        try await entered.wait()
        // The draining has begun when this call returns; only then may the handler answer.
        let drained = Gate("the shutdown completed")
        server.shutdown(gracePeriod: .seconds(3)) { drained.open() }
        release.open()
        let (response, busyClosed, idleClosed) = try await offPool {
            let response = try busy.readResponse()
            return (response, busy.readsEndOfStream(), idle.readsEndOfStream())
        }
        try await drained.wait()
        #expect(response.bodyText == "released")
        #expect(response.headers["connection"] == "close")
        #expect(busyClosed)
        #expect(idleClosed)
        #expect(server.connectionCount == 0)
        #expect(throws: SocketTestClient.ClientError.self) { try SocketTestClient(port: port) }
    }

    @Test func shutdownClosesStragglersAtTheDeadline() async throws {
        let entered = Gate("the request is in its handler"), release = Gate("let the handler answer")
        defer { release.open() }
        var router = Router()
        Self.heldRoute(&router, entered: entered, release: release)
        let server = HTTPServer(configuration: HTTPServerConfiguration(port: 0), router: router, logger: LogRecorder().logger)
        let port = try server.start()
        let client = try await offPool { try SocketTestClient(port: port) }
        try await offPool { try client.send(get("/held")) }
        try await entered.wait()
        await server.shutdown(gracePeriod: .milliseconds(200))
        // Closed without an answer: cut at the deadline while the handler still waits.
        #expect(try await offPool { client.readsEndOfStream() })
    }

    /// SIGUSR2 stands in for SIGTERM so the test process keeps its own SIGTERM behaviour.
    @Test func aSignalStartsTheGracefulShutdown() async throws {
        let server = HTTPServer(configuration: HTTPServerConfiguration(port: 0), router: Router(), logger: LogRecorder().logger)
        let port = try server.start()
        server.shutdownOnSignals([SIGUSR2], gracePeriod: .milliseconds(200))
        let stopped = Gate("the server stopped")
        Task {
            await server.waitUntilStopped()
            stopped.open()
        }
        kill(getpid(), SIGUSR2)
        let stoppedBySignal = (try? await stopped.wait()) != nil
        if !stoppedBySignal { await server.shutdown(gracePeriod: .zero) }  // unblock the waiting task
        #expect(stoppedBySignal, "the signal did not stop the server")
        #expect(throws: SocketTestClient.ClientError.self) { try SocketTestClient(port: port) }
    }

    /// SIGUSR1 (not the SIGUSR2 of the test above, so the two cannot stop each other's server)
    /// stands in for SIGTERM. Every cooperative thread is held by a handler that will not
    /// return: the shutdown must drain, force-close and report on Dispatch alone.
    @Test func signalShutdownCompletesWhileEveryCooperativeThreadIsBlocked() async throws {
        let blocker = CooperativePoolBlocker()
        var router = Router()
        blocker.addRoute(to: &router)
        let server = HTTPServer(configuration: HTTPServerConfiguration(port: 0), router: router, logger: LogRecorder().logger)
        let port = try server.start()
        let stopped = DispatchSemaphore(value: 0)
        server.shutdownOnSignals([SIGUSR1], gracePeriod: .milliseconds(300)) { stopped.signal() }
        let (completed, enteredAtStop, closedClients, refused) = try await offPool {
            defer { blocker.release() }
            let clients = try blocker.saturate(port: port)
            kill(getpid(), SIGUSR1)
            // Generous: the grace period is 0.3 s; this only keeps a broken shutdown from hanging.
            let completed = stopped.wait(timeout: .now() + 20) == .success
            let entered = blocker.enteredCount
            let closed = clients.filter { $0.readsEndOfStream() }.count
            let refused = (try? SocketTestClient(port: port)) == nil
            return (completed, entered, closed, refused)
        }
        #expect(completed, "the shutdown did not complete with the cooperative pool blocked")
        #expect(enteredAtStop < CooperativePoolBlocker.requestCount, "the pool was not saturated")
        #expect(closedClients == CooperativePoolBlocker.requestCount)
        #expect(refused)
        #expect(server.connectionCount == 0)
    }

    @Test func shutdownCompletionIsCalledOnceForEveryCaller() async throws {
        let server = HTTPServer(configuration: HTTPServerConfiguration(port: 0), router: Router(), logger: LogRecorder().logger)
        try server.start()
        let calls = DispatchSemaphore(value: 0)
        server.shutdown(gracePeriod: .milliseconds(100)) { calls.signal() }
        server.shutdown(gracePeriod: .milliseconds(100)) { calls.signal() }  // during the first
        let both = try await offPool {
            calls.wait(timeout: .now() + 10) == .success && calls.wait(timeout: .now() + 10) == .success
        }
        #expect(both)
        let afterwards = try await offPool {
            server.shutdown { calls.signal() }  // after it: called at once
            return calls.wait(timeout: .now() + 10) == .success
        }
        #expect(afterwards)
        await server.waitUntilStopped()
    }

    @Test func waitUntilStoppedReturnsAfterShutdown() async throws {
        let server = HTTPServer(configuration: HTTPServerConfiguration(port: 0), router: Router(), logger: LogRecorder().logger)
        try server.start()
        #expect(throws: HTTPServer.LifecycleError.self) { try server.start() }
        async let stopped: Void = server.waitUntilStopped()
        await server.shutdown(gracePeriod: .milliseconds(100))
        await stopped
        await server.shutdown()  // a second call returns at once
    }
}
