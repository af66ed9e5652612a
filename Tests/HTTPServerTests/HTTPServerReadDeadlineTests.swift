import Foundation
import Testing
@testable import HTTPServer

/// The request read deadline: a request must be in, head and body, within `requestReadTimeout`
/// of its first byte, however steadily its bytes trickle in.
@Suite struct HTTPServerReadDeadlineTests {
    static func routes(_ router: inout Router) {
        router.add(.post, "/upload") { request in .text("\(request.body.count)") }
    }

    @Test func clientDrippingItsBodyGets408AtTheReadDeadlineAndIsCounted() async throws {
        // The body timeout (30 s by default) never fires: every drip re-arms it.
        let configuration = HTTPServerConfiguration(requestReadTimeout: .seconds(1))
        try await withServer(configuration, routes: Self.routes) { server, port in
            let (response, dripped, closed) = try await offPool {
                try SocketTestClient.dripUntilAnswered(
                    port: port, start: "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n", drip: "x",
                    every: .milliseconds(200), atMost: 100)
            }
            #expect(response.status == 408)
            #expect(response.headers["content-type"] == "application/problem+json")
            #expect(response.bodyText.contains("request read timeout"))
            #expect(dripped < 100, "the whole body went through")
            #expect(closed)
            let statistics = server.statistics
            #expect(statistics.requestReadTimeouts == 1)
            #expect(statistics.bodyTimeouts == 0)
            #expect(statistics.headerTimeouts == 0)
            #expect(statistics.requests == 1)
        }
    }

    @Test func theReadDeadlineAlsoBoundsAHeadThatKeepsComing() async throws {
        let configuration = HTTPServerConfiguration(headerTimeout: .seconds(30), requestReadTimeout: .milliseconds(500))
        try await withServer(configuration, routes: Self.routes) { server, port in
            let (response, dripped, closed) = try await offPool {
                try SocketTestClient.dripUntilAnswered(
                    port: port, start: "POST /upload HTTP/1.1\r\nHost: t\r\n", drip: "X", every: .milliseconds(100), atMost: 200)
            }
            #expect(response.status == 408)
            #expect(dripped < 200)
            #expect(closed)
            #expect(server.statistics.requestReadTimeouts == 1)
            #expect(server.statistics.headerTimeouts == 0)
        }
    }

    @Test func promptClientsAreUnaffectedByTheReadDeadline() async throws {
        let configuration = HTTPServerConfiguration(requestReadTimeout: .seconds(1))
        try await withServer(configuration, routes: Self.routes) { server, port in
            let bodies = try await offPool {
                let client = try SocketTestClient(port: port, receiveTimeout: 10)
                let request = "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n" + String(repeating: "x", count: 100)
                try client.send(request)
                let first = try client.readResponse().bodyText
                // Idle on the kept-alive connection for longer than the read deadline: it bounds
                // reading a request, not the time between requests.
                usleep(1_500_000)
                try client.send(request)
                return [first, try client.readResponse().bodyText]
            }
            #expect(bodies == ["100", "100"])
            #expect(server.statistics.requestReadTimeouts == 0)
            #expect(server.statistics.requests == 2)
        }
    }
}
