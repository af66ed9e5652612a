import HTTPServer

/// Which browser origins may call the API from their pages (`cors.allowed_origins`). Origins
/// are compared exactly (scheme, host and port, as browsers send them); `"*"` allows any.
/// An origin not on the list gets no CORS headers, so the browser withholds the answer; the
/// request itself is served as for any other client, since CORS protects browsers' users, not
/// the server. `/admin/*` never answers cross-origin: the admin token belongs to operators'
/// tools and the page served from this same origin, not to other sites' scripts.
struct CORSPolicy: Sendable {
    let allowedOrigins: Set<String>

    /// How long a browser may cache a preflight answer.
    static let preflightMaxAgeSeconds = 600
    /// Methods and request headers a preflight allows: what the user routes read.
    static let allowedMethods = "GET, POST, DELETE, OPTIONS"
    static let allowedHeaders = "Authorization, X-API-Key, Content-Type, X-Request-Id"

    init(allowedOrigins: [String]) {
        self.allowedOrigins = Set(allowedOrigins)
    }

    var isEnabled: Bool { !allowedOrigins.isEmpty }

    /// The `Access-Control-Allow-Origin` value for `origin`, or nil when it is not allowed.
    func allowOrigin(_ origin: String?, path: String) -> String? {
        guard let origin, isEnabled, !path.hasPrefix("/admin/") else { return nil }
        if allowedOrigins.contains("*") { return "*" }
        return allowedOrigins.contains(origin) ? origin : nil
    }

    /// Adds the headers of an actual (non-preflight) answer. `Vary: Origin` goes on every
    /// answer once CORS is on, so a cache never hands one origin's answer to another.
    func decorate(_ response: inout HTTPResponse, request: HTTPRequest) {
        guard isEnabled, !request.path.hasPrefix("/admin/") else { return }
        response.headers.add("Vary", "Origin")
        if let allowed = allowOrigin(request.headers["Origin"], path: request.path) {
            response.headers.set("Access-Control-Allow-Origin", allowed)
            response.headers.set("Access-Control-Expose-Headers", "X-Request-Id, Retry-After, WWW-Authenticate")
        }
    }

    /// The answer to `OPTIONS` on a route: 204 with `Allow`, and the preflight headers when
    /// the request's origin is allowed.
    func preflight(_ request: HTTPRequest, allow: [HTTPMethod]) -> HTTPResponse {
        var response = HTTPResponse(status: .noContent)
        response.headers.set("Allow", allow.map(\.rawValue).joined(separator: ", "))
        guard isEnabled, !request.path.hasPrefix("/admin/") else { return response }
        response.headers.add("Vary", "Origin")
        guard let allowed = allowOrigin(request.headers["Origin"], path: request.path) else { return response }
        response.headers.set("Access-Control-Allow-Origin", allowed)
        response.headers.set("Access-Control-Allow-Methods", Self.allowedMethods)
        response.headers.set("Access-Control-Allow-Headers", Self.allowedHeaders)
        response.headers.set("Access-Control-Max-Age", String(Self.preflightMaxAgeSeconds))
        return response
    }

    /// Why a `cors.allowed_origins` value is invalid, or nil.
    static func check(_ value: ConfigValue) -> String? {
        guard case .list(let items) = value else { return "must be a JSON array of origins" }
        for item in items {
            guard case .string(let origin) = item else { return "every origin must be a string" }
            if origin == "*" { continue }
            guard origin.hasPrefix("http://") || origin.hasPrefix("https://"), !origin.hasSuffix("/"),
                  origin.dropFirst(origin.hasPrefix("https://") ? 8 : 7).allSatisfy({ $0 != "/" }), origin.count > 8
            else { return "'\(origin)' is not an origin (scheme://host[:port], no path, no trailing slash) or \"*\"" }
        }
        return nil
    }
}
