import Foundation
import TestSupport
import Testing
@testable import HTTPServer

/// Connection-level behaviour: pipelining, half-close, timeouts, connection limits.
@Suite struct HTTPServerConnectionTests {
    static func routes(_ router: inout Router) {
        router.add(.get, "/hello") { _ in .text("hello") }
        // A handler that takes the time it is asked for: the tests using it are about order and
        // half-closing while a handler is still busy, which no timing can change.
        router.add(.get, "/sleep/{ms}") { request in
            let ms = Int(request.pathParameters["ms"] ?? "") ?? 0
            try await Task.sleep(for: .milliseconds(ms))
            return .text("slept \(ms)")
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await withServer(routes: Self.routes) { _, port in
            let bodies = try await offPool {
                let client = try SocketTestClient(port: port)
                // The first is the slowest: order must come from the requests, not from timing.
                try client.send(get("/sleep/150") + get("/sleep/1") + get("/hello"))
                return try (0..<3).map { _ in try client.readResponse().bodyText }
            }
            #expect(bodies == ["slept 150", "slept 1", "hello"])
        }
    }

    @Test func halfClosedClientStillGetsItsResponses() async throws {
        try await withServer(routes: Self.routes) { _, port in
            let (bodies, closed) = try await offPool {
                let client = try SocketTestClient(port: port)
                try client.send(get("/sleep/50") + get("/hello"))
                client.shutdownWrite()
                let bodies = try (0..<2).map { _ in try client.readResponse().bodyText }
                return (bodies, client.readsEndOfStream())
            }
            #expect(bodies == ["slept 50", "hello"])
            #expect(closed)
        }
    }

    @Test func clientLeavingDuringTheHandlerIsANormalEnd() async throws {
        let recorder = LogRecorder()
        try await withServer(recorder: recorder, routes: Self.routes) { server, port in
            try await offPool {
                let client = try SocketTestClient(port: port)
                try client.send(get("/sleep/100"))
            }  // the client is released here: its socket closes while the handler sleeps
            try await waitUntil("every connection closed") { server.connectionCount == 0 }
            #expect(server.connectionCount == 0)
            let response = try await offPool {
                let client = try SocketTestClient(port: port)
                try client.send(get("/hello"))
                return try client.readResponse()
            }
            #expect(response.bodyText == "hello")
        }
        #expect(!recorder.all.contains { $0.level >= .error }, "\(recorder.all.filter { $0.level >= .error }.map(\.message))")
    }

    @Test func slowlorisIsAnswered408AtTheHeaderTimeoutAndCounted() async throws {
        let configuration = HTTPServerConfiguration(headerTimeout: .milliseconds(300))
        try await withServer(configuration, routes: Self.routes) { server, port in
            // One header byte every 50 ms: each byte is progress, but the head never completes.
            let (response, sent, closed) = try await offPool {
                try SocketTestClient.dripUntilAnswered(
                    port: port, start: "GET /hello HTTP/1.1\r\nHost: t\r\n", drip: "X", every: .milliseconds(50), atMost: 200)
            }
            #expect(response.status == 408)
            #expect(response.headers["content-type"] == "application/problem+json")
            #expect(response.bodyText.contains("header timeout"))
            #expect(sent < 200, "the server let the head grow for \(sent) bytes")
            #expect(closed)
            #expect(server.statistics.headerTimeouts == 1)
            #expect(server.statistics.requestReadTimeouts == 0)
        }
    }

    @Test func idleKeepAliveConnectionIsClosedSilentlyAfterTheIdleTimeout() async throws {
        let configuration = HTTPServerConfiguration(idleTimeout: .milliseconds(200))
        try await withServer(configuration, routes: Self.routes) { server, port in
            let closed = try await offPool {
                let client = try SocketTestClient(port: port)
                try client.send(get("/hello"))
                _ = try client.readResponse()
                return client.readsEndOfStream()
            }
            #expect(closed)
            try await waitUntil("every connection closed") { server.connectionCount == 0 }
            #expect(server.connectionCount == 0)
            #expect(server.statistics.idleTimeouts == 1)
            #expect(server.statistics.requestTimeouts == 0)
        }
    }

    @Test func stalledBodyIsAnswered408AtTheBodyTimeoutAndCounted() async throws {
        let configuration = HTTPServerConfiguration(bodyTimeout: .milliseconds(200))
        try await withServer(configuration, routes: { router in
            router.add(.post, "/upload") { request in .text("\(request.body.count)") }
        }) { server, port in
            let (response, closed) = try await offPool {
                let client = try SocketTestClient(port: port)
                try client.send("POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nabc")
                return (try client.readResponse(), client.readsEndOfStream())
            }
            #expect(response.status == 408)
            #expect(response.bodyText.contains("body timeout"))
            #expect(closed)
            #expect(server.statistics.bodyTimeouts == 1)
            #expect(server.statistics.requestReadTimeouts == 0)
        }
    }

    @Test func manyIdleConnectionsDoNotBlockANewClient() async throws {
        try await withServer(routes: Self.routes) { server, port in
            let idle = try await offPool { try (0..<300).map { _ in try SocketTestClient(port: port) } }
            // A few of the idle ones send half a head, the worst kind of idle.
            for client in idle.prefix(20) { try client.send("GET /hello HTTP/1.1\r\n") }
            // The client's receive timeout bounds the wait: a server busy with the idle ones fails.
            let response = try await offPool {
                let client = try SocketTestClient(port: port)
                try client.send(get("/hello"))
                return try client.readResponse()
            }
            #expect(response.bodyText == "hello")
            #expect(server.connectionCount >= 300)
            withExtendedLifetime(idle) {}
        }
    }

    @Test func connectionsBeyondTheLimitGet503() async throws {
        let configuration = HTTPServerConfiguration(maxConnections: 2)
        try await withServer(configuration, routes: Self.routes) { server, port in
            let held = try await offPool { try (0..<2).map { _ in try SocketTestClient(port: port) } }
            // Wait until the server has admitted both before knocking a third time.
            try await waitUntil("both connections admitted") { server.connectionCount >= 2 }
            let (rejected, closed) = try await offPool {
                let client = try SocketTestClient(port: port)
                let response = try client.readResponse()
                return (response, client.readsEndOfStream())
            }
            #expect(rejected.status == 503)
            #expect(closed)
            #expect(server.statistics.connectionsRejectedOverCapacity == 1)
            #expect(server.statistics.connectionsAccepted == 2)
            let served = try await offPool {
                try held[0].send(get("/hello"))
                return try held[0].readResponse()
            }
            #expect(served.bodyText == "hello")
        }
    }
}
