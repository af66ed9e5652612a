import Foundation

/// An image as a request gives it: inline bytes (data URI, base64, upload) or a URL to fetch
/// under the server's `image_url` policy.
enum ImageInput: Sendable {
    case bytes(Data)
    case url(String)

    /// A JSON string member: URLs for http(s), inline data otherwise.
    static func parse(_ text: String, field: String, maxBytes: Int) throws(APIError) -> ImageInput {
        let lower = text.prefix(8).lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") { return .url(text) }
        return .bytes(try ImagePayload.decode(text, field: field, maxBytes: maxBytes))
    }

    /// The request member that held it: `image_url` for URLs given as their own member.
    func member(inline: String, url: String) -> String {
        if case .url = self { return url }
        return inline
    }

    /// The image's bytes; a URL is fetched within `deadline` (the request's) and the policy's own limit.
    func load(_ context: ServiceContext, field: String, deadline: ContinuousClock.Instant) async throws(APIError) -> Data {
        switch self {
        case .bytes(let data): data
        case .url(let url): try await ImageFetcher(policy: context.configuration.imageURL).fetch(url, field: field, deadline: deadline)
        }
    }
}
