/// Maps method and path to a handler. Built once before the server starts, then read-only
/// (a value type, so it is shared across connections without locks).
///
///     var router = Router()
///     router.add(.post, "/v1/images/{id}", bodyLimit: 20 << 20) { request in ... }
public struct Router: Sendable {
    public typealias Handler = @Sendable (HTTPRequest) async throws -> HTTPResponse

    struct Route: Sendable {
        let method: HTTPMethod
        let pattern: RoutePattern
        let bodyLimit: Int?
        let handler: Handler
    }

    enum Match {
        case found(Route, parameters: [String: String])
        case methodNotAllowed(allowed: [HTTPMethod])
        case notFound
    }

    private var routes: [Route] = []

    public init() {}

    /// Adds a route. `bodyLimit` overrides `HTTPLimits.maxBodyBytes` for this route (413 beyond
    /// it, sent before the body is read). The first route added wins when several match.
    public mutating func add(
        _ method: HTTPMethod, _ pattern: String, bodyLimit: Int? = nil, _ handler: @escaping Handler
    ) {
        routes.append(Route(method: method, pattern: RoutePattern(pattern), bodyLimit: bodyLimit, handler: handler))
    }

    /// HEAD falls back to the GET route (the server then drops the body, RFC 9110 §9.3.2).
    func match(method: HTTPMethod, path: String) -> Match {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        let pathSegments = Array(segments)
        var allowed: [HTTPMethod] = []
        var headFallback: (Route, [String: String])?
        for route in routes {
            guard let parameters = route.pattern.match(pathSegments) else { continue }
            if route.method == method { return .found(route, parameters: parameters) }
            if method == .head, route.method == .get, headFallback == nil { headFallback = (route, parameters) }
            if !allowed.contains(route.method) { allowed.append(route.method) }
        }
        if let (route, parameters) = headFallback { return .found(route, parameters: parameters) }
        if allowed.isEmpty { return .notFound }
        if allowed.contains(.get), !allowed.contains(.head) { allowed.append(.head) }
        return .methodNotAllowed(allowed: allowed)
    }
}
