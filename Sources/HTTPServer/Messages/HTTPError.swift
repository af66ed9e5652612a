/// An error a handler throws to answer with a given status; the server turns it into a problem
/// response. Any other thrown error becomes a 500 whose detail does not leak the error text.
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    public var status: HTTPStatus
    public var detail: String
    /// A URI identifying the problem type (RFC 9457 §3.1.1).
    public var type: String
    /// Extra response fields, e.g. `Retry-After` with a 503.
    public var headers: HTTPHeaders

    public init(_ status: HTTPStatus, detail: String, type: String = "about:blank", headers: HTTPHeaders = HTTPHeaders()) {
        self.status = status
        self.detail = detail
        self.type = type
        self.headers = headers
    }

    public var description: String { "\(status): \(detail)" }
}
