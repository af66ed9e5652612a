import Testing
@testable import HTTPServer

@Suite struct RouterTests {
    static func router() -> Router {
        var router = Router()
        router.add(.get, "/v1/images/latest") { _ in .text("latest") }
        router.add(.get, "/v1/images/{id}") { _ in .text("by id") }
        router.add(.post, "/v1/images/{id}", bodyLimit: 5) { _ in .text("post") }
        router.add(.get, "/") { _ in .text("root") }
        router.addImmediate(.get, "/healthz") { _ in .text("healthy") }
        return router
    }

    private func routeName(_ match: Router.Match) async throws -> String? {
        guard case .found(let route, let parameters) = match else { return nil }
        let request = HTTPRequest(method: .get, path: "/", pathParameters: parameters)
        let response: HTTPResponse
        switch route.execution {
        case .async(let handler): response = try await handler(request)
        case .immediate(let handler): response = try handler(request)
        }
        return response.bodyBytes.map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func firstAddedRouteWinsAndParametersAreCaptured() async throws {
        let router = Self.router()
        #expect(try await routeName(router.match(method: .get, path: "/v1/images/latest")) == "latest")
        guard case .found(let route, let parameters) = router.match(method: .get, path: "/v1/images/a%2Fb") else {
            Issue.record("no match")
            return
        }
        #expect(route.pattern.text == "/v1/images/{id}")
        #expect(parameters == ["id": "a/b"])  // decoded after splitting: %2F stays inside the segment
    }

    @Test func immediateRoutesMatchLikeAnyOtherAndKeepTheirExecution() async throws {
        let match = Self.router().match(method: .get, path: "/healthz")
        #expect(try await routeName(match) == "healthy")
        guard case .found(let route, _) = match, case .immediate = route.execution else {
            Issue.record("/healthz is not an immediate route")
            return
        }
        guard case .found(let other, _) = Self.router().match(method: .get, path: "/"), case .async = other.execution else {
            Issue.record("/ is not an async route")
            return
        }
    }

    @Test func routeBodyLimitIsKept() {
        guard case .found(let route, _) = Self.router().match(method: .post, path: "/v1/images/7") else {
            Issue.record("no match")
            return
        }
        #expect(route.bodyLimit == 5)
    }

    @Test func emptySegmentsAndTrailingSlashesDoNotMatchParameters() {
        let router = Self.router()
        if case .found = router.match(method: .get, path: "/v1/images/") { Issue.record("empty id matched") }
        if case .found = router.match(method: .get, path: "/v1/images/1/") { Issue.record("trailing slash matched") }
        if case .found = router.match(method: .get, path: "/") {} else { Issue.record("root did not match") }
    }

    @Test func headFallsBackToGet() async throws {
        #expect(try await routeName(Self.router().match(method: .head, path: "/v1/images/3")) == "by id")
    }

    @Test func wrongMethodListsTheAllowedOnesWithHeadForGet() {
        guard case .methodNotAllowed(let allowed) = Self.router().match(method: .delete, path: "/v1/images/3") else {
            Issue.record("expected 405")
            return
        }
        #expect(allowed == [.get, .post, .head])
    }

    @Test func unknownPathIsNotFound() {
        guard case .notFound = Self.router().match(method: .get, path: "/v2/x") else {
            Issue.record("expected 404")
            return
        }
    }
}

@Suite struct ResponseSerializerTests {
    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func headCarriesStatusDateLengthAndRequestID() {
        let head = text(ResponseSerializer.head(
            status: .ok, headers: ["Content-Type": "text/plain"], framing: .contentLength(5), keepAlive: true,
            clientVersion: .http1_1, requestID: "r1"))
        #expect(head.hasPrefix("HTTP/1.1 200 OK\r\nDate: "))
        #expect(head.contains("\r\nContent-Type: text/plain\r\n"))
        #expect(head.contains("\r\nX-Request-Id: r1\r\n"))
        #expect(head.contains("\r\nContent-Length: 5\r\n"))
        #expect(!head.contains("Connection"))
        #expect(head.hasSuffix("\r\n\r\n"))
    }

    @Test func fieldsThatCouldSplitTheResponseAreDropped() {
        let head = text(ResponseSerializer.head(
            status: .ok, headers: ["X-Evil": "a\r\nSet-Cookie: x=1", "Bad Name": "v", "X-Good": "ok"],
            framing: .contentLength(0), keepAlive: true, clientVersion: .http1_1, requestID: nil))
        #expect(!head.contains("Set-Cookie"))
        #expect(!head.contains("Bad Name"))
        #expect(head.contains("X-Good: ok"))
    }

    @Test func serverOwnsFramingAndConnectionFields() {
        let head = text(ResponseSerializer.head(
            status: .ok, headers: ["Content-Length": "999", "Connection": "keep-alive", "Transfer-Encoding": "gzip"],
            framing: .chunked, keepAlive: false, clientVersion: .http1_1, requestID: nil))
        #expect(!head.contains("999"))
        #expect(!head.contains("gzip"))
        #expect(head.contains("Transfer-Encoding: chunked\r\n"))
        #expect(head.contains("Connection: close\r\n"))
    }

    @Test func http10KeepAliveIsAnnounced() {
        let head = text(ResponseSerializer.head(
            status: .noContent, headers: HTTPHeaders(), framing: .noBody, keepAlive: true, clientVersion: .http1_0, requestID: nil))
        #expect(head.contains("Connection: keep-alive\r\n"))
        #expect(!head.contains("Content-Length"))
    }

    @Test func chunkFraming() {
        #expect(text(ResponseSerializer.chunk(Array("hello world, 17 b".utf8))) == "11\r\nhello world, 17 b\r\n")
    }
}

@Suite struct RequestValuesTests {
    @Test func requestIDsFromClientsAreAcceptedOnlyWhenSafe() {
        #expect(RequestIDGenerator.sanitized("abc-123_x.y:z") == "abc-123_x.y:z")
        #expect(RequestIDGenerator.sanitized("") == nil)
        #expect(RequestIDGenerator.sanitized("a b") == nil)
        #expect(RequestIDGenerator.sanitized("a\u{7F}") == nil)
        #expect(RequestIDGenerator.sanitized(String(repeating: "a", count: 129)) == nil)
    }

    @Test func generatedRequestIDsAreUnique() {
        let generator = RequestIDGenerator()
        let ids = (0..<1000).map { _ in generator.next() }
        #expect(Set(ids).count == 1000)
    }

    @Test func queryItemsAreFormDecoded() {
        let request = HTTPRequest(method: .get, path: "/", query: "q=caf%C3%A9+au+lait&flag&k=%zz&empty=")
        #expect(request.queryItems == [
            HTTPQueryItem(name: "q", value: "café au lait"), HTTPQueryItem(name: "flag", value: nil),
            HTTPQueryItem(name: "k", value: "%zz"), HTTPQueryItem(name: "empty", value: ""),
        ])
        #expect(request.queryValue("q") == "café au lait")
        #expect(request.queryValue("missing") == nil)
    }

    @Test func problemDocumentHasTheRFC9457Members() throws {
        let response = HTTPResponse.problem(status: .notFound, detail: "No route for /x.", requestID: "r9")
        #expect(response.status == .notFound)
        #expect(response.headers["content-type"] == "application/problem+json")
        let body = String(decoding: response.bodyBytes ?? [], as: UTF8.self)
        #expect(body == #"{"detail":"No route for /x.","requestId":"r9","status":404,"title":"Not Found","type":"about:blank"}"#)
    }
}
