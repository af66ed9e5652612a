import Testing
@testable import HTTPServer

@Suite struct HTTPRequestParserTests {
    @Test func parsesRequestLineHeadersAndQuery() throws {
        let requests = try ParserDriver.parse("GET /v1/items?limit=5&q=a%20b HTTP/1.1\r\nHost: example.com\r\nX-Trace:  abc \r\n\r\n")
        let head = try #require(requests.first?.head)
        #expect(requests.count == 1)
        #expect(head.method == .get)
        #expect(head.target == "/v1/items?limit=5&q=a%20b")
        #expect(head.path == "/v1/items")
        #expect(head.query == "limit=5&q=a%20b")
        #expect(head.version == .http1_1)
        #expect(head.headers["x-trace"] == "abc")
        #expect(head.headers["HOST"] == "example.com")
        #expect(head.bodyFraming == .none)
        #expect(head.keepAlive)
        #expect(!head.expectsContinue)
    }

    @Test func incompleteHeadYieldsNoEventUntilTheEmptyLine() throws {
        var parser = HTTPRequestParser()
        parser.append(Array("GET / HTTP/1.1\r\nHost: a\r\n".utf8))
        #expect(try parser.next() == nil)
        parser.append(Array("\r".utf8))
        #expect(try parser.next() == nil)
        parser.append(Array("\n".utf8))
        guard case .head(let head) = try parser.next() else {
            Issue.record("expected a head")
            return
        }
        #expect(head.path == "/")
        #expect(try parser.next() == .end(trailers: HTTPHeaders()))
        #expect(parser.isAtRequestBoundary)
    }

    @Test func contentLengthBodyIsDelivered() throws {
        let requests = try ParserDriver.parse("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world")
        #expect(requests.first?.head.bodyFraming == .contentLength(11))
        #expect(requests.first?.body == Array("hello world".utf8))
    }

    @Test func repeatedIdenticalContentLengthsAreOneLength() throws {
        let requests = try ParserDriver.parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc")
        #expect(requests.first?.body == Array("abc".utf8))
    }

    /// The chunked example of RFC 9112 §7.1 with an extension and a trailer field.
    @Test func chunkedBodyWithExtensionsAndTrailers() throws {
        let raw = "POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "4;name=value\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nExpires: never\r\n\r\n"
        let request = try #require(try ParserDriver.parse(raw).first)
        #expect(request.head.bodyFraming == .chunked)
        #expect(String(decoding: request.body, as: UTF8.self) == "Wikipedia in\r\n\r\nchunks.")
        #expect(request.trailers["expires"] == "never")
    }

    @Test func chunkedBodyWithoutTrailersEndsAtTheLastChunk() throws {
        let raw = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n"
        let requests = try ParserDriver.parse(raw)
        try #require(requests.map(\.head.path) == ["/", "/next"])
        #expect(requests[0].body == Array("abc".utf8))
        #expect(requests[0].trailers.isEmpty)
    }

    @Test func pipelinedRequestsComeOutInOrder() throws {
        let raw = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhiGET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        let requests = try ParserDriver.parse(raw)
        try #require(requests.map(\.head.path) == ["/a", "/b", "/c"])
        #expect(requests[1].body == Array("hi".utf8))
        #expect(requests.map(\.head.keepAlive) == [true, true, false])
    }

    @Test func emptyLinesBeforeARequestLineAreIgnored() throws {
        let requests = try ParserDriver.parse("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(requests.count == 1)
    }

    @Test func http10DefaultsToCloseAndNeedsNoHost() throws {
        let plain = try ParserDriver.parse("GET / HTTP/1.0\r\n\r\n")
        #expect(plain.first?.head.version == .http1_0)
        #expect(plain.first?.head.keepAlive == false)
        let kept = try ParserDriver.parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")
        #expect(kept.first?.head.keepAlive == true)
    }

    @Test func http10ExpectationsAreIgnored() throws {
        let requests = try ParserDriver.parse("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx")
        #expect(requests.first?.head.expectsContinue == false)
    }

    @Test func expectContinueIsReportedWhenABodyFollows() throws {
        let requests = try ParserDriver.parse("PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\nok")
        #expect(requests.first?.head.expectsContinue == true)
    }

    @Test func absoluteFormAndAsteriskFormTargets() throws {
        let absolute = try ParserDriver.parse("GET http://example.com:8080/p/q?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n")
        #expect(absolute.first?.head.path == "/p/q")
        #expect(absolute.first?.head.query == "x=1")
        let bare = try ParserDriver.parse("GET http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n")
        #expect(bare.first?.head.path == "/")
        let asterisk = try ParserDriver.parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n")
        #expect(asterisk.first?.head.path == "*")
    }

    @Test func aRouteLimitBelowTheAnnouncedLengthRefusesBeforeTheBody() throws {
        var parser = HTTPRequestParser()
        parser.append(Array("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n".utf8))
        guard case .head = try parser.next() else {
            Issue.record("expected a head")
            return
        }
        #expect(throws: HTTPParseError.contentTooLarge(limit: 10)) { try parser.setBodyLimit(10) }
        #expect(throws: HTTPParseError.contentTooLarge(limit: 10)) { try parser.next() }
    }

    @Test func aRouteLimitAboveTheDefaultAdmitsALargerBody() throws {
        var parser = HTTPRequestParser(limits: HTTPLimits(maxBodyBytes: 4))
        parser.append(Array("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 8\r\n\r\n12345678".utf8))
        guard case .head = try parser.next() else {
            Issue.record("expected a head")
            return
        }
        try parser.setBodyLimit(8)
        #expect(try parser.next() == .body(Array("12345678".utf8)))
        #expect(try parser.next() == .end(trailers: HTTPHeaders()))
    }

    @Test func aFailedParserStaysFailed() {
        var parser = HTTPRequestParser()
        parser.append(Array("GET / HTTP/1.1\nHost: a\r\n\r\n".utf8))
        #expect(throws: HTTPParseError.bareLineFeed) { try parser.next() }
        parser.append(Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8))
        #expect(throws: HTTPParseError.bareLineFeed) { try parser.next() }
    }

    @Test func limitsAreExactBoundaries() throws {
        let line = "GET /\(String(repeating: "a", count: 9)) HTTP/1.1"
        let limits = HTTPLimits(maxRequestLineBytes: line.utf8.count)
        #expect(try ParserDriver.parse("\(line)\r\nHost: a\r\n\r\n", limits: limits).count == 1)
        let longer = "GET /\(String(repeating: "a", count: 10)) HTTP/1.1"
        #expect(ParserDriver.error("\(longer)\r\nHost: a\r\n\r\n", limits: limits) == .requestLineTooLong(limit: line.utf8.count))

        let head = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
        #expect(try ParserDriver.parse(head, limits: HTTPLimits(maxHeaderBytes: head.utf8.count)).count == 1)
        #expect(ParserDriver.error(head, limits: HTTPLimits(maxHeaderBytes: head.utf8.count - 1))
            == .headerSectionTooLarge(limit: head.utf8.count - 1))
    }
}
