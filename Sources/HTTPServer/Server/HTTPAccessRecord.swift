/// One answered request, as the access log reports it; also handed to the server's observer so
/// a service can count requests without wrapping every handler (404, 405 and refusals included).
public struct HTTPAccessRecord: Sendable {
    public var method: HTTPMethod
    public var path: String
    /// The matched route's pattern (e.g. "/v1/images/{id}"); nil when no route matched. A
    /// low-cardinality label for metrics, unlike `path`.
    public var route: String?
    public var status: Int
    /// Body bytes sent; nil for a streamed body.
    public var bytes: Int?
    /// From the request's first byte to the response being handed to the socket.
    public var duration: Duration
    public var requestID: String
}
