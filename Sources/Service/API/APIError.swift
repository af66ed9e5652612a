/// A refusal to show the client as `application/problem+json` (RFC 9457). `field` names the
/// request member at fault (`labels[3]`, `input`), so clients can fix the request without
/// guessing.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    public let status: Int
    /// A short slug; the problem `type` is `https://adaptclip.dev/problems/<code>`.
    public let code: String
    public let title: String
    public let detail: String
    public let field: String?
    /// `Retry-After` of a refusal that will pass once the server has caught up; nil gives a 503
    /// one second (a full model or work queue drains in milliseconds).
    public let retryAfterSeconds: Int?

    public init(status: Int, code: String, title: String, detail: String, field: String? = nil, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.field = field
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { "\(status) \(code): \(detail)" }

    public static func invalidField(_ field: String, _ detail: String) -> APIError {
        APIError(status: 400, code: "invalid-field", title: "Invalid request field", detail: detail, field: field)
    }

    public static func missingField(_ field: String) -> APIError {
        APIError(status: 400, code: "missing-field", title: "Missing request field",
                 detail: "'\(field)' is required", field: field)
    }

    public static func malformedJSON(_ detail: String) -> APIError {
        APIError(status: 400, code: "malformed-json", title: "Request body is not valid JSON", detail: detail)
    }

    public static func tooMany(_ field: String, count: Int, limit: Int) -> APIError {
        APIError(status: 413, code: "too-many-items", title: "Too many items",
                 detail: "'\(field)' has \(count) items; the limit is \(limit)", field: field)
    }

    public static func unsupportedMediaType(_ type: String?) -> APIError {
        APIError(status: 415, code: "unsupported-media-type", title: "Unsupported media type",
                 detail: "expected application/json or multipart/form-data, got \(type ?? "no Content-Type")")
    }
}
