import Foundation
import Testing
@testable import HTTPServer

/// Immediate routes answer on the connection's own queue: they need no thread of Swift's
/// cooperative pool, so health checks answer while handlers hold every one of them.
@Suite struct HTTPServerImmediateRouteTests {
    @Test func immediateRouteAnswersWhileEveryCooperativeThreadIsBlocked() async throws {
        let blocker = CooperativePoolBlocker()
        try await withServer(routes: { router in
            blocker.addRoute(to: &router)
            router.addImmediate(.get, "/healthz") { _ in .text("ok") }
        }) { _, port in
            let (health, enteredWhenAnswered, blockedBodies) = try await offPool {
                defer { blocker.release() }  // never leave the pool blocked, even on failure
                let blocked = try blocker.saturate(port: port)
                let client = try SocketTestClient(port: port, receiveTimeout: 30)
                try client.send(get("/healthz"))
                let health = try client.readResponse()
                let entered = blocker.enteredCount
                blocker.release()
                return (health, entered, try blocked.map { try $0.readResponse().bodyText })
            }
            #expect(health.status == 200)
            #expect(health.bodyText == "ok")
            // Some blocking requests were still waiting for a cooperative thread when /healthz
            // answered: the pool had none free.
            #expect(enteredWhenAnswered < CooperativePoolBlocker.requestCount)
            #expect(blockedBodies == Array(repeating: "released", count: CooperativePoolBlocker.requestCount))
        }
    }

    @Test func immediateHandlerErrorsBecomeProblemsAndHeadDropsTheBody() async throws {
        try await withServer(routes: { router in
            router.addImmediate(.get, "/teapot") { _ in throw HTTPError(HTTPStatus(code: 418), detail: "short and stout") }
            router.addImmediate(.get, "/fail") { _ in throw CancellationError() }
            router.addImmediate(.get, "/hello") { _ in .text("hello") }
        }) { _, port in
            let (teapot, failure, head, hello) = try await offPool {
                let client = try SocketTestClient(port: port)
                try client.send(get("/teapot") + get("/fail") + "HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n" + get("/hello"))
                return (try client.readResponse(), try client.readResponse(), try client.readResponse(headRequest: true), try client.readResponse())
            }
            #expect(teapot.status == 418)
            #expect(teapot.bodyText.contains("short and stout"))
            #expect(failure.status == 500)
            #expect(head.status == 200 && head.body.isEmpty && head.headers["content-length"] == "5")
            #expect(hello.bodyText == "hello")
        }
    }

    @Test func longPipelineOfImmediateRequestsIsAnsweredInOrder() async throws {
        let count = 3000
        try await withServer(routes: { router in
            router.addImmediate(.get, "/id") { request in .text(request.requestID) }
        }) { server, port in
            let ids = try await offPool {
                let client = try SocketTestClient(port: port, receiveTimeout: 30)
                let requests = (0..<count).map { get("/id", "X-Request-Id: p\($0)\r\n") }.joined()
                // Written from another thread while this one reads: the server stops reading when
                // its answers are not read, so one thread doing both would deadlock.
                let writer = Thread { try? client.send(requests) }
                writer.start()
                return try (0..<count).map { _ in try client.readResponse().bodyText }
            }
            #expect(ids == (0..<count).map { "p\($0)" })
            #expect(server.statistics.requests == count)
        }
    }
}
