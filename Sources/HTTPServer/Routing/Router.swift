/// Maps method and path to a handler. Built once before the server starts, then read-only
/// (a value type, so it is shared across connections without locks).
///
///     var router = Router()
///     router.add(.post, "/v1/images/{id}", bodyLimit: 20 << 20) { request in ... }
///     router.addImmediate(.get, "/healthz") { _ in .text("ok") }
public struct Router: Sendable {
    public typealias Handler = @Sendable (HTTPRequest) async throws -> HTTPResponse
    /// A handler the connection calls on its own I/O queue, without a Task: its answer never
    /// waits for a free thread of Swift's cooperative pool, which CPU-heavy handlers may hold.
    /// Throwing works as for `Handler` (`HTTPError` chooses the status, anything else is a 500).
    public typealias ImmediateHandler = @Sendable (HTTPRequest) throws -> HTTPResponse

    /// How a route's handler runs.
    enum Execution: Sendable {
        /// In a Task on Swift's cooperative pool.
        case async(Handler)
        /// Synchronously on the connection's queue.
        case immediate(ImmediateHandler)
    }

    struct Route: Sendable {
        let method: HTTPMethod
        let pattern: RoutePattern
        let bodyLimit: Int?
        let execution: Execution
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
        routes.append(Route(method: method, pattern: RoutePattern(pattern), bodyLimit: bodyLimit, execution: .async(handler)))
    }

    /// Adds a route whose handler answers at once on the connection's I/O queue: for cheap,
    /// non-blocking answers (health, readiness, metrics) that must come back in milliseconds
    /// even while every cooperative thread is busy. The handler must not block or compute for
    /// long: it holds one of the few I/O threads while it runs. A streamed response still runs
    /// its producer in a Task, so immediate routes should answer with bytes.
    public mutating func addImmediate(
        _ method: HTTPMethod, _ pattern: String, bodyLimit: Int? = nil, _ handler: @escaping ImmediateHandler
    ) {
        routes.append(Route(method: method, pattern: RoutePattern(pattern), bodyLimit: bodyLimit, execution: .immediate(handler)))
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
