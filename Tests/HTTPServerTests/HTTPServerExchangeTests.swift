import Foundation
import Synchronization
import Testing
@testable import HTTPServer

/// Request → handler → response over real loopback sockets.
@Suite struct HTTPServerExchangeTests {
    static func routes(_ router: inout Router) {
        router.add(.get, "/hello") { _ in .text("hello") }
        router.add(.post, "/echo", bodyLimit: 64) { request in
            HTTPResponse(status: .ok, headers: ["Content-Type": "application/octet-stream"], body: request.body)
        }
        router.add(.get, "/v1/images/{id}/tags/{tag}") { request in
            try .json(["id": request.pathParameters["id"] ?? "", "tag": request.pathParameters["tag"] ?? "",
                       "q": request.queryValue("q") ?? ""])
        }
        router.add(.delete, "/v1/images/{id}/tags/{tag}") { _ in HTTPResponse(status: .noContent) }
        router.add(.get, "/fail") { _ in throw CancellationError() }
        router.add(.get, "/teapot") { _ in throw HTTPError(HTTPStatus(code: 418), detail: "short and stout") }
        router.add(.get, "/stream") { _ in
            HTTPResponse(headers: ["Content-Type": "text/plain"]) { writer in
                for i in 0..<3 { try await writer.write("part \(i);") }
            }
        }
    }

    @Test func servesARouteOverIPv4WithDateLengthAndRequestID() async throws {
        try await withServer(routes: Self.routes) { _, port in
            let response = try await offPool {
                let client = try SocketTestClient(port: port)
                try client.send(get("/hello"))
                return try client.readResponse()
            }
            #expect(response.status == 200)
            #expect(response.bodyText == "hello")
            #expect(response.headers["content-length"] == "5")
            #expect(response.headers["date"]?.hasSuffix(" GMT") == true)
            #expect(response.headers["x-request-id"]?.isEmpty == false)
            #expect(response.headers["connection"] == nil)
        }
    }

    @Test func listensOnIPv6Loopback() async throws {
        try await withServer(HTTPServerConfiguration(host: "::1", port: 0), routes: Self.routes) { _, port in
            let response = try await offPool {
                let client = try SocketTestClient(port: port, host: "::1")
                try client.send(get("/hello"))
                return try client.readResponse()
            }
            #expect(response.bodyText == "hello")
        }
    }

    @Test func dualStackListenerAcceptsIPv4AndIPv6() async throws {
        try await withServer(HTTPServerConfiguration(host: "::", port: 0), routes: Self.routes) { _, port in
            for host in ["127.0.0.1", "::1"] {
                let response = try await offPool {
                    let client = try SocketTestClient(port: port, host: host)
                    try client.send(get("/hello"))
                    return try client.readResponse()
                }
                #expect(response.status == 200, "via \(host)")
            }
        }
    }

    @Test func pathParametersAndQueryReachTheHandler() async throws {
        try await withServer(routes: Self.routes) { _, port in
            let response = try await offPool {
                let client = try SocketTestClient(port: port)
                try client.send(get("/v1/images/a%20b/tags/red?q=x+y"))
                return try client.readResponse()
            }
            let json = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: String]
            #expect(json == ["id": "a b", "tag": "red", "q": "x y"])
        }
    }

    @Test func unknownPathIs404AndWrongMethodIs405WithAllow() async throws {
        try await withServer(routes: Self.routes) { _, port in
            let (missing, wrong) = try await offPool {
                let client = try SocketTestClient(port: port)
                try client.send(get("/nope"))
                let missing = try client.readResponse()
                try client.send("PUT /v1/images/1/tags/2 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
                return (missing, try client.readResponse())
            }
            #expect(missing.status == 404)
            #expect(missing.headers["content-type"] == "application/problem+json")
            #expect(wrong.status == 405)
            #expect(wrong.headers["allow"] == "GET, DELETE, HEAD")
        }
    }

    @Test func thrownErrorIsA500ProblemAndTheConnectionLivesOn() async throws {
        let recorder = LogRecorder()
        try await withServer(recorder: recorder, routes: Self.routes) { _, port in
            let (failed, next) = try await offPool {
                let client = try SocketTestClient(port: port)
                try client.send(get("/fail", "X-Request-Id: req-42\r\n"))
                let failed = try client.readResponse()
                try client.send(get("/hello"))
                return (failed, try client.readResponse())
            }
            #expect(failed.status == 500)
            #expect(failed.headers["content-type"] == "application/problem+json")
            let problem = try JSONSerialization.jsonObject(with: Data(failed.body)) as? [String: Any]
            #expect(problem?["status"] as? Int == 500)
            #expect(problem?["title"] as? String == "Internal Server Error")
            #expect(problem?["requestId"] as? String == "req-42")
            #expect(problem?["type"] as? String == "about:blank")
            #expect(problem?["detail"] is String)
            #expect(next.bodyText == "hello")
            #expect(recorder.all.contains { $0.level == .error && $0.metadata["request_id"] == "req-42" })
        }
    }

    @Test func httpErrorChoosesTheStatus() async throws {
        try await withServer(routes: Self.routes) { _, port in
            let response = try await offPool {
                let client = try SocketTestClient(port: port)
                try client.send(get("/teapot"))
                return try client.readResponse()
            }
            #expect(response.status == 418)
            #expect(response.bodyText.contains("short and stout"))
        }
    }

    @Test func headGetsTheHeadersOfGetWithoutABody() async throws {
        try await withServer(routes: Self.routes) { _, port in
            let (head, after) = try await offPool {
                let client = try SocketTestClient(port: port)
                try client.send("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n")
                let head = try client.readResponse(headRequest: true)
                try client.send(get("/hello"))
                return (head, try client.readResponse())
            }
            #expect(head.status == 200)
            #expect(head.headers["content-length"] == "5")
            #expect(head.body.isEmpty)
            #expect(after.bodyText == "hello")  // no stray body bytes were sent after the HEAD response
        }
    }

    @Test func requestIDIsTakenWhenSaneAndGeneratedOtherwise() async throws {
        try await withServer(routes: Self.routes) { _, port in
            let (sane, insane) = try await offPool {
                let client = try SocketTestClient(port: port)
                try client.send(get("/hello", "X-Request-Id: abc-123.x\r\n"))
                let sane = try client.readResponse()
                try client.send(get("/hello", "X-Request-Id: has space;\r\n"))
                return (sane, try client.readResponse())
            }
            #expect(sane.headers["x-request-id"] == "abc-123.x")
            #expect(insane.headers["x-request-id"] != "has space;")
            #expect(insane.headers["x-request-id"]?.isEmpty == false)
        }
    }

    @Test func oneAccessLogLinePerRequest() async throws {
        let recorder = LogRecorder()
        try await withServer(recorder: recorder, routes: Self.routes) { _, port in
            try await offPool {
                let client = try SocketTestClient(port: port)
                try client.send(get("/hello", "X-Request-Id: log-1\r\n") + get("/nope", "X-Request-Id: log-2\r\n"))
                _ = try client.readResponse()
                _ = try client.readResponse()
            }
        }
        let lines = recorder.accessLines
        #expect(lines.count == 2)
        #expect(lines.first?.metadata["method"] == "GET")
        #expect(lines.first?.metadata["path"] == "/hello")
        #expect(lines.first?.metadata["status"] == "200")
        #expect(lines.first?.metadata["bytes"] == "5")
        #expect(lines.first?.metadata["request_id"] == "log-1")
        #expect(lines.first?.metadata["duration_ms"] != nil)
        #expect(lines.last?.metadata["status"] == "404")
    }

    @Test func observerSeesEveryAnsweredRequestWithItsRoutePattern() async throws {
        let records = Mutex<[HTTPAccessRecord]>([])
        var router = Router()
        Self.routes(&router)
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(port: 0), router: router, logger: LogRecorder().logger,
            observer: { record in records.withLock { $0.append(record) } })
        let port = try server.start()
        try await offPool {
            let client = try SocketTestClient(port: port)
            try client.send(get("/v1/images/9/tags/x") + get("/missing"))
            _ = try client.readResponse()
            _ = try client.readResponse()
        }
        await server.shutdown(gracePeriod: .milliseconds(200))
        let seen = records.withLock { $0 }
        #expect(seen.map(\.status) == [200, 404])
        #expect(seen.map(\.route) == ["/v1/images/{id}/tags/{tag}", nil])
        #expect(seen.first?.path == "/v1/images/9/tags/x")
        #expect(seen.first?.bytes ?? 0 > 0)
    }

    @Test func chunkedRequestBodyIsReassembled() async throws {
        try await withServer(routes: Self.routes) { _, port in
            let response = try await offPool {
                let client = try SocketTestClient(port: port)
                try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
                return try client.readResponse()
            }
            #expect(response.bodyText == "abcde")
        }
    }

    @Test func streamedResponseIsChunked() async throws {
        try await withServer(routes: Self.routes) { _, port in
            let (streamed, next) = try await offPool {
                let client = try SocketTestClient(port: port)
                try client.send(get("/stream"))
                let streamed = try client.readResponse()
                try client.send(get("/hello"))
                return (streamed, try client.readResponse())
            }
            #expect(streamed.headers["transfer-encoding"] == "chunked")
            #expect(streamed.bodyText == "part 0;part 1;part 2;")
            #expect(next.bodyText == "hello")
        }
    }

    @Test func streamedResponseToHTTP10EndsWithClose() async throws {
        try await withServer(routes: Self.routes) { _, port in
            let response = try await offPool {
                let client = try SocketTestClient(port: port)
                try client.send("GET /stream HTTP/1.0\r\n\r\n")
                return try client.readResponse()
            }
            #expect(response.headers["transfer-encoding"] == nil)
            #expect(response.bodyText == "part 0;part 1;part 2;")
        }
    }

    @Test func expectContinueGetsAnInterim100ThenTheAnswer() async throws {
        try await withServer(routes: Self.routes) { _, port in
            let (interim, final) = try await offPool {
                let client = try SocketTestClient(port: port)
                try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
                let interim = try client.readResponse()
                try client.send("ping")
                return (interim, try client.readResponse())
            }
            #expect(interim.status == 100)
            #expect(final.bodyText == "ping")
        }
    }

    @Test func bodyOverTheRouteLimitIs413BeforeTheBodyIsSent() async throws {
        try await withServer(routes: Self.routes) { _, port in
            let (response, closed) = try await offPool {
                let client = try SocketTestClient(port: port)
                try client.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 1000\r\n\r\n")
                let response = try client.readResponse()
                return (response, client.readsEndOfStream())
            }
            #expect(response.status == 413)
            #expect(response.headers["connection"] == "close")
            #expect(closed)
        }
    }

    @Test func malformedRequestIs400ProblemAndClose() async throws {
        try await withServer(routes: Self.routes) { server, port in
            let (response, closed) = try await offPool {
                let client = try SocketTestClient(port: port)
                try client.send("GET /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")
                let response = try client.readResponse()
                return (response, client.readsEndOfStream())
            }
            #expect(response.status == 400)
            #expect(response.headers["content-type"] == "application/problem+json")
            #expect(response.bodyText.contains("Content-Length"))
            #expect(response.bodyText.contains("requestId"))
            #expect(closed)
            #expect(server.statistics.refusedRequests == 1)
            #expect(server.statistics.requests == 1)
        }
    }

    /// The parser's refusals reach the wire with their status, as problem documents, then close.
    @Test(arguments: [
        ("GET /\(String(repeating: "a", count: 200)) HTTP/1.1\r\nHost: t\r\n\r\n", 414),
        ("GET / HTTP/1.1\r\nHost: t\r\nX-Big: \(String(repeating: "b", count: 600))\r\n\r\n", 431),
        ("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
        ("GET / HTTP/3.0\r\nHost: t\r\n\r\n", 505),
        ("GET / HTTP/1.1\r\nHost: t\r\nX: a\r\n b\r\n\r\n", 400),
    ])
    func refusalsGoOnTheWireWithTheirStatus(raw: String, status: Int) async throws {
        let limits = HTTPLimits(maxRequestLineBytes: 128, maxHeaderBytes: 512)
        try await withServer(HTTPServerConfiguration(limits: limits), routes: Self.routes) { _, port in
            let (response, closed) = try await offPool {
                let client = try SocketTestClient(port: port)
                try client.send(raw)
                let response = try client.readResponse()
                return (response, client.readsEndOfStream())
            }
            #expect(response.status == status)
            #expect(response.headers["content-type"] == "application/problem+json")
            #expect(response.headers["connection"] == "close")
            #expect(closed)
        }
    }

    @Test func http10RequestIsAnsweredAndClosed() async throws {
        try await withServer(routes: Self.routes) { _, port in
            let (response, closed) = try await offPool {
                let client = try SocketTestClient(port: port)
                try client.send("GET /hello HTTP/1.0\r\n\r\n")
                let response = try client.readResponse()
                return (response, client.readsEndOfStream())
            }
            #expect(response.bodyText == "hello")
            #expect(response.headers["connection"] == "close")
            #expect(closed)
        }
    }
}
