import Foundation

/// A response a handler returns. The server adds `Date`, `Connection`, `X-Request-Id` and the
/// framing (`Content-Length`, or `Transfer-Encoding: chunked` for streams); a handler does not.
public struct HTTPResponse: Sendable {
    public enum Body: Sendable {
        case bytes([UInt8])
        /// Produced while it is sent: each `write` waits until the chunk is in the socket, so a
        /// slow client slows the producer instead of filling memory.
        case stream(@Sendable (HTTPBodyWriter) async throws -> Void)
    }

    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: Body

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = .bytes(body)
    }

    public init(
        status: HTTPStatus = .ok, headers: HTTPHeaders = HTTPHeaders(),
        stream: @escaping @Sendable (HTTPBodyWriter) async throws -> Void
    ) {
        self.status = status
        self.headers = headers
        self.body = .stream(stream)
    }

    /// A UTF-8 text response.
    public static func text(_ text: String, status: HTTPStatus = .ok, contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": contentType], body: Array(text.utf8))
    }

    /// Already-encoded JSON.
    public static func json(_ data: Data, status: HTTPStatus = .ok) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": "application/json"], body: Array(data))
    }

    /// `value` encoded with `encoder`.
    public static func json<T: Encodable>(_ value: T, status: HTTPStatus = .ok, encoder: JSONEncoder = JSONEncoder()) throws -> HTTPResponse {
        json(try encoder.encode(value), status: status)
    }

    /// An RFC 9457 problem document (`application/problem+json`).
    public static func problem(_ problem: HTTPProblem, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var all = headers
        all.set("Content-Type", "application/problem+json")
        return HTTPResponse(status: HTTPStatus(code: problem.status), headers: all, body: problem.encoded())
    }

    /// A problem document for `status` with the status' reason phrase as title.
    public static func problem(status: HTTPStatus, detail: String, requestID: String?, type: String = "about:blank") -> HTTPResponse {
        problem(HTTPProblem(type: type, title: status.reasonPhrase, status: status.code, detail: detail, requestID: requestID))
    }

    /// The body bytes when they are known up front.
    var bodyBytes: [UInt8]? {
        if case .bytes(let bytes) = body { return bytes }
        return nil
    }
}
