/// The parsed request line and header section of one request (RFC 9112 §3, §5), with the
/// framing and connection decisions already derived from its fields.
public struct HTTPRequestHead: Hashable, Sendable {
    /// How the body that follows the head is delimited (RFC 9112 §6.3).
    public enum BodyFraming: Hashable, Sendable {
        case none
        case contentLength(Int)
        case chunked
    }

    public var method: HTTPMethod
    /// The request-target exactly as sent.
    public var target: String
    /// The path of the target, still percent-encoded ("*" for OPTIONS' asterisk-form; for an
    /// absolute-form target, the path after the authority, "/" when empty).
    public var path: String
    /// The query of the target without "?", still encoded; nil when the target has none.
    public var query: String?
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var bodyFraming: BodyFraming
    /// Whether the connection may carry another request after this one (RFC 9112 §9.3).
    public var keepAlive: Bool
    /// The client sent `Expect: 100-continue` over HTTP/1.1 and waits before sending its body.
    public var expectsContinue: Bool
}
