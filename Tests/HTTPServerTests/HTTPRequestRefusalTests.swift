import Testing
@testable import HTTPServer

/// Every refusal the server makes from bytes alone, each with its status. Each case is also
/// fed one byte at a time: a refusal must not depend on how the bytes were split.
@Suite struct HTTPRequestRefusalTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let raw: String
        let error: HTTPParseError
        let status: Int
        var limits = HTTPLimits()
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "Content-Length with Transfer-Encoding",
             raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
             error: .contentLengthWithTransferEncoding, status: 400),
        Case(name: "two different Content-Length fields",
             raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
             error: .conflictingContentLengths, status: 400),
        Case(name: "different values in one Content-Length list",
             raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 4\r\n\r\nabcd",
             error: .conflictingContentLengths, status: 400),
        Case(name: "non-numeric Content-Length",
             raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3a\r\n\r\n", error: .invalidContentLength, status: 400),
        Case(name: "signed Content-Length",
             raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +3\r\n\r\n", error: .invalidContentLength, status: 400),
        Case(name: "empty Content-Length",
             raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n", error: .invalidContentLength, status: 400),
        Case(name: "overflowing Content-Length",
             raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n",
             error: .invalidContentLength, status: 400),
        Case(name: "non-hex chunk size",
             raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", error: .invalidChunkSize, status: 400),
        Case(name: "overflowing chunk size",
             raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1ffffffffffffffff\r\n",
             error: .invalidChunkSize, status: 400),
        Case(name: "negative chunk size",
             raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n", error: .invalidChunkSize, status: 400),
        Case(name: "chunk data longer than its size",
             raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n",
             error: .missingChunkTerminator, status: 400),
        Case(name: "chunk-size line beyond its limit",
             raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1;\(String(repeating: "x", count: 40))\r\n",
             error: .chunkLineTooLong(limit: 16), status: 400, limits: HTTPLimits(maxChunkLineBytes: 16)),
        Case(name: "unknown transfer coding",
             raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
             error: .unsupportedTransferCoding("gzip"), status: 501),
        Case(name: "chunked twice",
             raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
             error: .transferEncodingNotChunkedLast, status: 400),
        Case(name: "Transfer-Encoding in HTTP/1.0",
             raw: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", error: .transferEncodingInHTTP10, status: 400),
        Case(name: "obs-fold",
             raw: "GET / HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n two\r\n\r\n", error: .obsoleteLineFolding, status: 400),
        Case(name: "whitespace before the colon",
             raw: "GET / HTTP/1.1\r\nHost : a\r\n\r\n", error: .whitespaceBeforeColon, status: 400),
        Case(name: "control character in a field value",
             raw: "GET / HTTP/1.1\r\nHost: a\r\nX-Bad: a\u{01}b\r\n\r\n", error: .invalidFieldValue(name: "X-Bad"), status: 400),
        Case(name: "bare CR in a field value",
             raw: "GET / HTTP/1.1\r\nHost: a\r\nX-Bad: a\rb\r\n\r\n", error: .invalidFieldValue(name: "X-Bad"), status: 400),
        Case(name: "NUL in a field value",
             raw: "GET / HTTP/1.1\r\nHost: a\r\nX-Bad: a\u{00}b\r\n\r\n", error: .invalidFieldValue(name: "X-Bad"), status: 400),
        Case(name: "field name that is not a token",
             raw: "GET / HTTP/1.1\r\nHost: a\r\nX(y): 1\r\n\r\n", error: .invalidFieldName, status: 400),
        Case(name: "bare LF line ending",
             raw: "GET / HTTP/1.1\nHost: a\n\n", error: .bareLineFeed, status: 400),
        Case(name: "relative request target",
             raw: "GET index.html HTTP/1.1\r\nHost: a\r\n\r\n", error: .invalidTarget, status: 400),
        Case(name: "space inside the target",
             raw: "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", error: .invalidVersion, status: 400),
        Case(name: "bad percent-encoding in the target",
             raw: "GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n", error: .invalidTarget, status: 400),
        Case(name: "fragment in the target",
             raw: "GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n", error: .invalidTarget, status: 400),
        Case(name: "non-ASCII byte in the target",
             raw: "GET /caf\u{e9} HTTP/1.1\r\nHost: a\r\n\r\n", error: .invalidTarget, status: 400),
        Case(name: "asterisk-form outside OPTIONS",
             raw: "GET * HTTP/1.1\r\nHost: a\r\n\r\n", error: .invalidTarget, status: 400),
        Case(name: "authority-form (CONNECT)",
             raw: "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n", error: .invalidTarget, status: 400),
        Case(name: "method that is not a token",
             raw: "GE(T / HTTP/1.1\r\nHost: a\r\n\r\n", error: .invalidMethod, status: 400),
        Case(name: "missing version",
             raw: "GET /\r\nHost: a\r\n\r\n", error: .invalidRequestLine, status: 400),
        Case(name: "lowercase version",
             raw: "GET / http/1.1\r\nHost: a\r\n\r\n", error: .invalidVersion, status: 400),
        Case(name: "HTTP/2.0 on an HTTP/1 connection",
             raw: "GET / HTTP/2.0\r\nHost: a\r\n\r\n", error: .unsupportedVersion(HTTPVersion(major: 2, minor: 0)), status: 505),
        Case(name: "HTTP/1.1 without Host",
             raw: "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", error: .missingHost, status: 400),
        Case(name: "two Host fields",
             raw: "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", error: .multipleHosts, status: 400),
        Case(name: "unknown expectation",
             raw: "POST / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\nx",
             error: .unsupportedExpectation("200-ok"), status: 417),
        Case(name: "request line beyond its limit",
             raw: "GET /\(String(repeating: "a", count: 100)) HTTP/1.1\r\nHost: a\r\n\r\n",
             error: .requestLineTooLong(limit: 64), status: 414, limits: HTTPLimits(maxRequestLineBytes: 64)),
        Case(name: "unterminated request line beyond its limit",
             raw: "GET /\(String(repeating: "a", count: 100))",
             error: .requestLineTooLong(limit: 64), status: 414, limits: HTTPLimits(maxRequestLineBytes: 64)),
        Case(name: "header section beyond its limit",
             raw: "GET / HTTP/1.1\r\nHost: a\r\nX-Big: \(String(repeating: "b", count: 200))\r\n\r\n",
             error: .headerSectionTooLarge(limit: 128), status: 431, limits: HTTPLimits(maxHeaderBytes: 128)),
        Case(name: "too many header fields",
             raw: "GET / HTTP/1.1\r\nHost: a\r\n" + (0..<5).map { "X-\($0): v\r\n" }.joined() + "\r\n",
             error: .tooManyHeaderFields(limit: 4), status: 431, limits: HTTPLimits(maxHeaderCount: 4)),
        Case(name: "trailer section beyond the field count",
             raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nA: 1\r\nB: 2\r\n\r\n",
             error: .tooManyHeaderFields(limit: 1), status: 431, limits: HTTPLimits(maxHeaderCount: 1)),
        Case(name: "Content-Length beyond the body limit",
             raw: "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n",
             error: .contentTooLarge(limit: 10), status: 413, limits: HTTPLimits(maxBodyBytes: 10)),
        Case(name: "chunked body beyond the body limit",
             raw: "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n",
             error: .contentTooLarge(limit: 10), status: 413, limits: HTTPLimits(maxBodyBytes: 10)),
    ]

    @Test(arguments: cases) func refusesWithItsStatus(_ c: Case) {
        let whole = ParserDriver.error(c.raw, limits: c.limits)
        #expect(whole == c.error, "whole: got \(String(describing: whole))")
        #expect(whole?.status.code == c.status)
        let bytewise = ParserDriver.error(c.raw, limits: c.limits, bytewise: true)
        #expect(bytewise == c.error, "bytewise: got \(String(describing: bytewise))")
    }
}
