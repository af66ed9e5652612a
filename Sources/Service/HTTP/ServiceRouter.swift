import Foundation
import HTTPServer
import Logging

/// Builds the HTTP surface of the service. Every route goes through `handle`, which times it,
/// records metrics under the route *pattern* (bounded label cardinality) and turns thrown
/// errors into problem documents, so no handler repeats that plumbing.
public enum ServiceRouter {
    /// One route of the public surface: the single list that registers handlers and that the
    /// OpenAPI test compares with docs/openapi.yaml.
    struct Route: Sendable {
        enum Handler: Sendable {
            case async(@Sendable (HTTPRequest, ServiceContext) async throws -> HTTPResponse)
            /// Answered at once on the connection's I/O queue, never waiting for a cooperative
            /// thread: what load balancers and Prometheus poll must answer while every handler
            /// is busy. Such a handler must not block or wait for request work.
            case immediate(@Sendable (HTTPRequest, ServiceContext) throws -> HTTPResponse)
            /// Answered at once like `immediate`, from the moment the server listens: the probes,
            /// which must answer while start-up is still loading the context.
            case probe(@Sendable (HTTPRequest, ServiceContextSlot) throws -> HTTPResponse)
        }

        let method: HTTPMethod
        let pattern: String
        let handler: Handler
        /// The route's own body limit, replacing `limits.max_body_bytes` (nil: that one).
        var bodyLimit: (@Sendable (AdaptCLIPConfiguration) -> Int)?

        init(
            method: HTTPMethod, pattern: String, bodyLimit: (@Sendable (AdaptCLIPConfiguration) -> Int)? = nil,
            handler: @escaping @Sendable (HTTPRequest, ServiceContext) async throws -> HTTPResponse
        ) {
            (self.method, self.pattern, self.handler, self.bodyLimit) = (method, pattern, .async(handler), bodyLimit)
        }

        private init(method: HTTPMethod, pattern: String, handler: Handler) {
            (self.method, self.pattern, self.handler) = (method, pattern, handler)
        }

        static func immediate(
            _ method: HTTPMethod, _ pattern: String, _ handler: @escaping @Sendable (HTTPRequest, ServiceContext) throws -> HTTPResponse
        ) -> Route {
            Route(method: method, pattern: pattern, handler: .immediate(handler))
        }

        static func probe(
            _ method: HTTPMethod, _ pattern: String, _ handler: @escaping @Sendable (HTTPRequest, ServiceContextSlot) throws -> HTTPResponse
        ) -> Route {
            Route(method: method, pattern: pattern, handler: .probe(handler))
        }
    }

    static let routes: [Route] = [
        .immediate(.get, "/") { request, _ in SearchPageRoutes.page(request) },
        .immediate(.get, "/assets/app.css") { request, _ in SearchPageRoutes.stylesheet(request) },
        .immediate(.get, "/assets/app.js") { request, _ in SearchPageRoutes.script(request) },
        .immediate(.get, "/assets/icon.svg") { request, _ in SearchPageRoutes.favicon(request) },
        .probe(.get, "/healthz") { _, _ in try HealthRoutes.health() },
        .probe(.get, "/readyz") { request, slot in try HealthRoutes.ready(request, slot) },
        .immediate(.get, "/metrics") { _, context in HealthRoutes.metrics(context) },
        .immediate(.get, "/openapi.json") { request, _ in OpenAPIRoutes.json(request) },
        .immediate(.get, "/openapi.yaml") { request, _ in OpenAPIRoutes.yaml(request) },
        .immediate(.get, "/v1/models") { _, context in try ModelsRoute.list(context) },
        .immediate(.get, "/v1/models/{id}") { request, context in try ModelsRoute.get(request, context) },
        Route(method: .post, pattern: "/v1/embeddings") { try await EmbeddingsRoute.handle($0, $1) },
        Route(method: .post, pattern: "/v1/classify") { try await ClassifyRoute.handle($0, $1) },
        Route(method: .post, pattern: "/v1/score") { try await ScoreRoute.handle($0, $1) },
        Route(method: .post, pattern: "/v1/search") { try await SearchRoute.handle($0, $1) },
        Route(method: .post, pattern: "/v1/images") { try await ImagesRoutes.add($0, $1) },
        Route(method: .post, pattern: "/v1/images:batch", bodyLimit: { $0.ingest.batchMaxBytes }) {
            try await ImagesBatchRoute.handle($0, $1)
        },
        Route(method: .get, pattern: "/v1/images") { try ImagesRoutes.list($0, $1) },
        Route(method: .get, pattern: "/v1/images/{id}") { try ImagesRoutes.get($0, $1) },
        Route(method: .get, pattern: "/v1/images/{id}/content") { try ImagesRoutes.content($0, $1) },
        Route(method: .get, pattern: "/v1/images/{id}/thumbnail") { try await ThumbnailRoute.handle($0, $1) },
        Route(method: .delete, pattern: "/v1/images/{id}") { try ImagesRoutes.delete($0, $1) },
        Route(method: .get, pattern: "/admin/adapters") { try AdapterRoutes.list($0, $1) },
        Route(method: .post, pattern: "/admin/adapters") { try await AdapterRoutes.load($0, $1) },
        Route(method: .post, pattern: "/admin/adapters/{name}/activate") { try AdapterRoutes.activate($0, $1) },
        Route(method: .post, pattern: "/admin/adapters/{name}/deactivate") { try AdapterRoutes.deactivate($0, $1) },
        Route(method: .delete, pattern: "/admin/adapters/{name}") { try AdapterRoutes.unload($0, $1) },
        Route(method: .post, pattern: "/admin/reindex") { try ReindexRoutes.startReindex($0, $1) },
        Route(method: .get, pattern: "/admin/reindex") { try ReindexRoutes.reindexStatus($0, $1) },
        Route(method: .post, pattern: "/admin/ingest") { try IngestRoutes.start($0, $1) },
        Route(method: .get, pattern: "/admin/ingest") { try IngestRoutes.list($0, $1) },
        Route(method: .get, pattern: "/admin/ingest/{id}") { try IngestRoutes.status($0, $1) },
        Route(method: .delete, pattern: "/admin/ingest/{id}") { try IngestRoutes.cancel($0, $1) },
        Route(method: .post, pattern: "/admin/ingest/{id}/cancel") { try IngestRoutes.cancel($0, $1) },
    ]

    public static func make(_ context: ServiceContext) -> Router { make(ServiceContextSlot(context)) }

    /// The router of a server that listens before start-up has filled `slot`: until then the
    /// probes answer (`/readyz` with what it waits for) and every other route 503 not-ready.
    static func make(_ slot: ServiceContextSlot) -> Router {
        var router = Router()
        // Every route shares the server's body limit, `limits.max_body_bytes` (413 before reading),
        // unless it sets its own (batch uploads: `ingest.batch_max_bytes`).
        for route in routes {
            let (method, pattern) = (route.method, route.pattern)
            switch route.handler {
            case .async(let handler):
                router.add(method, pattern, bodyLimit: route.bodyLimit?(slot.configuration)) { request in
                    guard let context = slot.context else { return HealthRoutes.notStarted(request, slot) }
                    if let refusal = admission(request, route: route, context: context) { return refusal }
                    let outcome: Result<HTTPResponse, any Error>
                    do { outcome = .success(try await handler(request, context)) } catch { outcome = .failure(error) }
                    return finish(request, outcome, route: route, context: context)
                }
            case .immediate(let handler):
                router.addImmediate(method, pattern) { request in
                    guard let context = slot.context else { return HealthRoutes.notStarted(request, slot) }
                    if let refusal = admission(request, route: route, context: context) { return refusal }
                    return finish(request, Result { try handler(request, context) }, route: route, context: context)
                }
            case .probe(let handler):
                router.addImmediate(method, pattern) { request in
                    let outcome = Result { try handler(request, slot) }
                    if let context = slot.context { return finish(request, outcome, route: route, context: context) }
                    return (try? outcome.get()) ?? HealthRoutes.notStarted(request, slot)
                }
            }
        }
        // OPTIONS on every path answers (a CORS preflight, or a plain "what may I do here"),
        // before any key check: browsers send preflights without credentials.
        var methodsByPattern: [(pattern: String, methods: [HTTPMethod])] = []
        for route in routes {
            if let index = methodsByPattern.firstIndex(where: { $0.pattern == route.pattern }) {
                methodsByPattern[index].methods.append(route.method)
            } else {
                methodsByPattern.append((route.pattern, [route.method]))
            }
        }
        for (pattern, methods) in methodsByPattern {
            let allowed = methods + (methods.contains(.get) ? [.head] : []) + [.options]
            router.addImmediate(.options, pattern) { request in slot.configuration.cors.preflight(request, allow: allowed) }
        }
        return router
    }

    /// The user routes (`/v1/*`) need an API key when `auth.api_keys` lists any; health,
    /// metrics, the OpenAPI document and the page stay open, and `/admin/*` has its own token.
    static func needsAPIKey(_ pattern: String) -> Bool { pattern.hasPrefix("/v1/") }

    /// The refusal of a request without a valid key or over its key's rate, else nil.
    private static func admission(_ request: HTTPRequest, route: Route, context: ServiceContext) -> HTTPResponse? {
        guard needsAPIKey(route.pattern), case .refused(let error, let retryAfter) = context.apiKeys.decide(request) else { return nil }
        context.metrics.recordError(kind: error.code)
        var response = APIKeyGate.response(error, retryAfterSeconds: retryAfter, requestID: request.requestID)
        context.cors.decorate(&response, request: request)
        return response
    }

    /// The response of every route: thrown errors become problem documents, CORS headers are
    /// added and JSON is compressed when the client accepts it. Requests are counted by the
    /// server's observer (`ServiceMetrics.observer`), which sees unrouted answers too.
    private static func finish(
        _ request: HTTPRequest, _ outcome: Result<HTTPResponse, any Error>, route: Route, context: ServiceContext
    ) -> HTTPResponse {
        var response: HTTPResponse
        switch outcome {
        case .success(let answer):
            response = answer
        case .failure(let error):
            if let problem = APIError.from(error) {
                response = problem.response(requestID: request.requestID)
                context.metrics.recordError(kind: problem.code)
            } else {
                context.logger.error("handler failed", metadata: [
                    "request_id": "\(request.requestID)", "route": "\(route.pattern)", "error": "\(LogText.bounded(error))",
                ])
                context.metrics.recordError(kind: "internal")
                response = APIError(status: 500, code: "internal", title: "Internal error",
                                    detail: "the server failed to handle the request; see its log for request \(request.requestID)")
                    .response(requestID: request.requestID)
            }
        }
        context.cors.decorate(&response, request: request)
        ResponseCompression.apply(&response, request: request)
        return response
    }
}

extension HTTPResponse {
    /// `value` as compact JSON, keys sorted so identical answers are identical bytes.
    static func encoded<T: Encodable>(_ value: T, status: HTTPStatus = .ok) throws -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        return .json(try encoder.encode(value), status: status)
    }
}
