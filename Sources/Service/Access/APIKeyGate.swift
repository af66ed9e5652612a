import HTTPServer
import Synchronization

/// Guards the user routes (`/v1/*`) when `auth.api_keys` lists keys: a request must present one
/// (`Authorization: Bearer <key>` or `X-API-Key: <key>`), within that key's rate. The presented
/// key is hashed and compared with every stored digest in constant time; it is never kept,
/// logged or echoed. With no keys configured every request is admitted.
final class APIKeyGate: Sendable {
    let entries: [APIKeyEntry]
    /// One bucket per entry, same order.
    private let buckets: Mutex<[TokenBucket]>

    init(entries: [APIKeyEntry], now: ContinuousClock.Instant = .now) {
        self.entries = entries
        buckets = Mutex(entries.map { TokenBucket(perMinute: $0.requestsPerMinute, now: now) })
    }

    var isEnabled: Bool { !entries.isEmpty }

    /// Which entry a request's key belongs to, or the refusal to answer with.
    enum Decision: Equatable {
        /// No keys are configured.
        case open
        case admitted(name: String)
        case refused(APIError, retryAfterSeconds: Int?)
    }

    func decide(_ request: HTTPRequest, now: ContinuousClock.Instant = .now) -> Decision {
        guard isEnabled else { return .open }
        guard let presented = Self.presentedKey(request.headers) else {
            return .refused(Self.unauthorized("this route needs an API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'"), retryAfterSeconds: nil)
        }
        guard let index = match(presented) else {
            return .refused(Self.unauthorized("the API key is not valid"), retryAfterSeconds: nil)
        }
        if let wait = buckets.withLock({ $0[index].take(now: now) }) {
            let entry = entries[index]
            return .refused(
                APIError(status: 429, code: "rate-limited", title: "Too many requests",
                         detail: "API key '\(entry.name)' is limited to \(entry.requestsPerMinute) requests per minute; retry in \(wait) s"),
                retryAfterSeconds: wait)
        }
        return .admitted(name: entries[index].name)
    }

    /// The refusal as a problem response with its `WWW-Authenticate` or `Retry-After`.
    static func response(_ error: APIError, retryAfterSeconds: Int?, requestID: String) -> HTTPResponse {
        var response = error.response(requestID: requestID)
        if error.status == 401 { response.headers.set("WWW-Authenticate", #"Bearer realm="adaptclip""#) }
        if let retryAfterSeconds { response.headers.set("Retry-After", String(retryAfterSeconds)) }
        return response
    }

    /// The entry whose digest equals the key's, checking every entry whatever matches, so the
    /// time taken says nothing about which digest came close.
    private func match(_ key: String) -> Int? {
        let digest = Array(APIKeyEntry.hexDigest(ofKey: key).utf8)
        var found: Int?
        for (index, entry) in entries.enumerated() where AdminAuthorization.constantTimeEquals(digest, entry.digest) {
            found = index
        }
        return found
    }

    /// The key from `X-API-Key`, else from `Authorization: Bearer`. X-API-Key comes first so a
    /// client can send both an API key and, on the same connection, the admin token.
    static func presentedKey(_ headers: HTTPHeaders) -> String? {
        if let key = headers["X-API-Key"]?.trimmingCharacters(in: .whitespaces), !key.isEmpty { return key }
        guard let authorization = headers["Authorization"] else { return nil }
        let prefix = "bearer "
        guard authorization.count > prefix.count, authorization.prefix(prefix.count).lowercased() == prefix else { return nil }
        let key = authorization.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        return key.isEmpty ? nil : key
    }

    private static func unauthorized(_ detail: String) -> APIError {
        APIError(status: 401, code: "unauthorized", title: "Unauthorized", detail: detail)
    }
}
