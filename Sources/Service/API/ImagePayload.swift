import Foundation

/// An image sent inside a JSON request: a `data:` URI (`data:image/png;base64,...`) or bare
/// base64. The bytes are decoded here; whether they are an image is Imaging's call.
public enum ImagePayload {
    /// Decodes `text` into image bytes, refusing anything over `maxBytes` before decoding it.
    public static func decode(_ text: String, field: String, maxBytes: Int) throws(APIError) -> Data {
        var payload = Substring(text)
        if payload.hasPrefix("data:") {
            guard let comma = payload.firstIndex(of: ",") else {
                throw APIError.invalidField(field, "'\(field)' is a data: URI without a comma before its data")
            }
            let header = payload[payload.index(payload.startIndex, offsetBy: 5)..<comma]
            let parameters = header.split(separator: ";").map { $0.lowercased() }
            guard parameters.contains("base64") else {
                throw APIError.invalidField(field, "'\(field)' must be a base64 data: URI (data:image/...;base64,...)")
            }
            if let mediaType = parameters.first, !mediaType.isEmpty, mediaType != "base64",
               !mediaType.hasPrefix("image/"), mediaType != "application/octet-stream" {
                throw APIError.invalidField(field, "'\(field)' has media type \(mediaType); expected image/*")
            }
            payload = payload[payload.index(after: comma)...]
        }
        // 4 base64 characters carry 3 bytes: refuse oversized payloads before decoding them.
        let estimated = payload.utf8.count / 4 * 3
        guard estimated <= maxBytes + 3 else {
            throw APIError(status: 413, code: "image-too-large", title: "Image too large",
                           detail: "'\(field)' holds about \(estimated) bytes; the limit is \(maxBytes)", field: field)
        }
        guard let data = Data(base64Encoded: String(payload), options: .ignoreUnknownCharacters), !data.isEmpty else {
            throw APIError.invalidField(field, "'\(field)' is not valid base64 image data")
        }
        guard data.count <= maxBytes else {
            throw APIError(status: 413, code: "image-too-large", title: "Image too large",
                           detail: "'\(field)' holds \(data.count) bytes; the limit is \(maxBytes)", field: field)
        }
        return data
    }
}
