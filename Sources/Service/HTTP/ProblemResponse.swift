import Engine
import Foundation
import HTTPServer
import Imaging
import PostgresStore
import Retrieval

extension APIError {
    /// The problem document (RFC 9457) with the request id and, when known, the field at fault;
    /// `members` are extension members of the problem type (RFC 9457 §3.2).
    func response(requestID: String, members: [String: any Sendable] = [:]) -> HTTPResponse {
        var object: [String: Any] = members
        object.merge([
            "type": "https://adaptclip.dev/problems/\(code)", "title": title, "status": status,
            "detail": detail, "requestId": requestID,
        ]) { _, standard in standard }
        if let field { object["field"] = field }
        let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        var headers: HTTPHeaders = ["Content-Type": "application/problem+json"]
        if let retryAfterSeconds { headers.set("Retry-After", "\(retryAfterSeconds)") } else if status == 503 { headers.set("Retry-After", "1") }
        return HTTPResponse(status: HTTPStatus(code: status), headers: headers, body: Array(body))
    }

    /// Maps what the lower layers throw onto the client-facing refusal. `imageField` names the
    /// request member that held image `index` (`input[2]`, `image`). nil means "a bug": the
    /// caller answers 500 and logs it.
    static func from(_ error: any Error, imageField: (Int) -> String = { "input[\($0)]" }) -> APIError? {
        switch error {
        case let error as APIError:
            return error
        case BatcherError.queueFull(let depth):
            return APIError(status: 503, code: "overloaded", title: "Service overloaded",
                            detail: "the model queue is full (\(depth) requests waiting); retry shortly")
        case RequestWorkError.queueFull(let depth):
            return APIError(status: 503, code: "overloaded", title: "Service overloaded",
                            detail: "the request-work queue is full (\(depth) requests waiting); retry shortly")
        case RequestWorkError.deadlineExceeded:
            return APIError(status: 504, code: "deadline-exceeded", title: "Request deadline exceeded",
                            detail: "the request's deadline passed before its work could start")
        case BatcherError.deadlineExceeded:
            return APIError(status: 504, code: "deadline-exceeded", title: "Request deadline exceeded",
                            detail: "the request did not reach the model before its deadline")
        case EngineError.imagePixelBudget(let index, let pixels, let limit):
            return APIError(status: 413, code: "images-too-large", title: "Images too large",
                            detail: "the images up to \(imageField(index)) announce \(pixels) pixels together; one request may decode \(limit) (limits.max_image_pixels_per_request)",
                            field: imageField(index))
        case EngineError.image(let index, let imageError):
            return imageProblem(imageError, field: imageField(index))
        case EngineError.languageUnavailable(let language, let reason):
            return APIError.invalidField("lang", "language '\(language.rawValue)' is not available: \(reason)")
        case let mismatch as EmbeddingSpaceMismatch:
            return APIError(status: 409, code: "embedding-space-mismatch", title: "Embedding space mismatch",
                            detail: "\(mismatch); run POST /admin/reindex first")
        default:
            guard let reason = PostgresUnavailability.reason(error) else { return nil }
            return APIError(status: 503, code: "store-unavailable", title: "Store unavailable",
                            detail: "\(reason); retry shortly", retryAfterSeconds: 1)
        }
    }

    private static func imageProblem(_ error: ImageError, field: String) -> APIError {
        switch error {
        case .tooManyPixels:
            return APIError(status: 413, code: "image-too-large", title: "Image too large", detail: "\(error)", field: field)
        case .unknownFormat:
            // Not ImageError's text: it quotes the first bytes, and the bytes may have been
            // fetched from an image_url host (a server that must not be read through us).
            return APIError(status: 415, code: "unsupported-image", title: "Unsupported image",
                            detail: "unknown image format (not JPEG, PNG or WebP)", field: field)
        case .tooManyScans:
            return APIError(status: 413, code: "image-too-complex", title: "Image too complex", detail: "\(error)", field: field)
        case .cancelled:
            return APIError(status: 504, code: "deadline-exceeded", title: "Request deadline exceeded",
                            detail: "\(field) was still being decoded when the request's deadline passed", field: field)
        case .unsupportedFormat, .unsupportedFeature:
            return APIError(status: 415, code: "unsupported-image", title: "Unsupported image", detail: "\(error)", field: field)
        default:
            return APIError(status: 400, code: "undecodable-image", title: "Undecodable image", detail: "\(error)", field: field)
        }
    }
}
