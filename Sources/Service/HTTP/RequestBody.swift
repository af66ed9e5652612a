import HTTPServer

/// A request body as the API reads it: JSON (whatever the declared type, since `curl -d`
/// labels JSON as a form), or multipart/form-data for file uploads.
enum RequestBody: Sendable {
    case json(FieldReader)
    case multipart(MultipartFormData)

    /// Most parts a multipart request may carry (files plus fields).
    static let maxMultipartParts = 1024

    static func parse(_ request: HTTPRequest, json limits: JSONLimits) throws(APIError) -> RequestBody {
        let contentType = request.headers["Content-Type"] ?? ""
        if contentType.lowercased().hasPrefix("multipart/") {
            guard let boundary = MultipartFormData.boundary(fromContentType: contentType) else {
                throw APIError(status: 400, code: "malformed-multipart", title: "Malformed multipart/form-data body",
                               detail: "Content-Type \(contentType) has no valid boundary parameter")
            }
            return .multipart(try MultipartFormData.parse(request.body, boundary: boundary, maxParts: maxMultipartParts))
        }
        return .json(try FieldReader.parseBody(request.body, limits: limits))
    }
}

extension MultipartFormData {
    /// A text field's value, or a 400 naming it when it is not UTF-8.
    func text(_ name: String) throws(APIError) -> String? {
        guard let part = first(named: name) else { return nil }
        guard let text = part.text else { throw APIError.invalidField(name, "'\(name)' is not valid UTF-8 text") }
        return text
    }

    /// Refuses parts whose names the endpoint does not know.
    func rejectUnknown(_ known: Set<String>) throws(APIError) {
        if let unknown = parts.map(\.name).first(where: { !known.contains($0) }) {
            throw APIError.invalidField(
                unknown, "unknown form field '\(unknown)'; known fields: \(known.sorted().joined(separator: ", "))")
        }
    }
}
