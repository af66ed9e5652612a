import Foundation
import Glibc
import Synchronization
import TestSupport
import Testing
@testable import Service

/// `/readyz` means "a request would be served now": 503 naming what is not ready while the
/// server starts (it listens before it loads) and while it drains; `/healthz` answers throughout.
@Suite(.serialized) struct ReadinessTests {
    /// Replies collected on the start-up task, read after start returns.
    final class Replies: Sendable {
        private let replies = Mutex<[String: LiveService.Reply]>([:])
        private let failures = Mutex<[String]>([])
        func record(_ name: String, _ reply: () async throws -> LiveService.Reply) async {
            do {
                let reply = try await reply()
                replies.withLock { $0[name] = reply }
            } catch {
                failures.withLock { $0.append("\(name): \(error)") }
            }
        }
        subscript(name: String) -> LiveService.Reply? { replies.withLock { $0[name] } }
        var errors: [String] { failures.withLock { $0 } }
    }

    @Test func whileStartingOnlyTheProbesAnswerAndReadinessNamesWhatItWaitsFor() async throws {
        let seen = Replies()
        let service = try await LiveService.start { port in
            // Called once the socket listens and before anything loads: the models are not
            // loaded and the store is not open for these requests, whatever the machine's speed.
            await seen.record("health") { try await LiveService.request(port: port, "GET", "/healthz") }
            await seen.record("ready") { try await LiveService.request(port: port, "GET", "/readyz") }
            await seen.record("models") { try await LiveService.request(port: port, "GET", "/v1/models") }
            await seen.record("embed") {
                try await LiveService.request(port: port, "POST", "/v1/embeddings", body: Data(#"{"input":"a cat"}"#.utf8))
            }
        }
        // Start-up returned: warmed up, store open, every route served.
        let after = try await service.request("GET", "/readyz")
        let embedded = try await service.post("/v1/embeddings", json: ["input": "a cat"])
        let readyAfterStart = service.running.readiness.isReady
        await service.stop()
        #expect(after.status == 200)
        #expect(after.json["status"] as? String == "ready")
        #expect(readyAfterStart)
        #expect(embedded.status == 200)

        #expect(seen.errors.isEmpty, "\(seen.errors)")

        #expect(seen["health"]?.status == 200)
        let ready = try #require(seen["ready"])
        expectProblem(ready, status: 503, field: nil)
        #expect(ready.headers["retry-after"] == "1")
        #expect(ready.json["type"] as? String == "https://adaptclip.dev/problems/not-ready")
        #expect(ready.json["not_ready"] as? [String: String] == ["model": "loading", "store": "opens after the model"])
        #expect(ready.json["detail"] as? String == "model: loading; store: opens after the model")
        for name in ["models", "embed"] {
            let reply = try #require(seen[name])
            expectProblem(reply, status: 503, field: nil)
            #expect(reply.json["type"] as? String == "https://adaptclip.dev/problems/not-ready")
        }
    }

    @Test func drainingIsNotReadyWhileRequestsAreStillServed() async throws {
        try await withService { service in
            #expect(try await service.request("GET", "/readyz").status == 200)
            service.running.readiness.beginDraining()
            let draining = try await service.request("GET", "/readyz")
            expectProblem(draining, status: 503, field: nil)
            #expect(draining.json["not_ready"] as? [String: String] == ["server": "draining: shutting down"])
            // Leaving the rotation is not refusing work: what still arrives is served.
            #expect(try await service.post("/v1/embeddings", json: ["input": "a cat"]).status == 200)
            #expect(try await service.request("GET", "/healthz").status == 200)
        }
    }

    @Test func aComponentThatFallsBehindMakesTheServiceNotReadyAgain() async throws {
        // What a shared store that loses its database reports, through the same readiness.
        try await withService { service in
            service.running.readiness.waiting(for: .store, "reconnecting")
            let reply = try await service.request("GET", "/readyz")
            expectProblem(reply, status: 503, field: nil)
            #expect(reply.json["not_ready"] as? [String: String] == ["store": "reconnecting"])
            service.running.readiness.markReady(.store)
            #expect(try await service.request("GET", "/readyz").status == 200)
        }
    }

    @Test func aStopSignalLeavesTheRotationBeforeTheServerDrains() {
        // What the signal handler runs (raising a real signal in the test process proves only
        // libdispatch's delivery, which depends on every thread's signal mask).
        let readiness = ServiceReadiness()
        var readyWhenStopping: [Bool] = []
        StopSignals.received(SIGTERM, readiness: readiness) { number in
            #expect(number == SIGTERM)
            readyWhenStopping.append(readiness.isReady)
        }
        #expect(readyWhenStopping == [false])
        #expect(readiness.notReady.map(\.component) == [.server])
    }

    @Test func aStartThatFailsAfterListeningClosesItsPort() async throws {
        let empty = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(empty) }
        let port = Mutex<Int?>(nil)
        await #expect(throws: (any Error).self) {
            _ = try await LiveService.start(["models.clip": empty.path]) { bound in port.withLock { $0 = bound } }
        }
        let bound = try #require(port.withLock { $0 })
        try await waitUntil("the port is closed") {
            (try? await LiveService.request(port: bound, "GET", "/healthz")) == nil
        }
    }
}
