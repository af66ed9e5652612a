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
        let method: HTTPMethod
        let pattern: String
        /// Routes that take uploads use `limits.max_body_bytes`; the rest the server's default.
        let takesBody: Bool
        let handler: @Sendable (HTTPRequest, ServiceContext) async throws -> HTTPResponse
    }

    static let routes: [Route] = [
        Route(method: .get, pattern: "/healthz", takesBody: false) { _, _ in try HealthRoutes.health() },
        Route(method: .get, pattern: "/readyz", takesBody: false) { _, context in try HealthRoutes.ready(context) },
        Route(method: .get, pattern: "/metrics", takesBody: false) { _, context in HealthRoutes.metrics(context) },
        Route(method: .post, pattern: "/v1/embeddings", takesBody: true) { try await EmbeddingsRoute.handle($0, $1) },
        Route(method: .post, pattern: "/v1/classify", takesBody: true) { try await ClassifyRoute.handle($0, $1) },
        Route(method: .post, pattern: "/v1/score", takesBody: true) { try await ScoreRoute.handle($0, $1) },
        Route(method: .post, pattern: "/v1/search", takesBody: true) { try await SearchRoute.handle($0, $1) },
        Route(method: .post, pattern: "/v1/images", takesBody: true) { try await ImagesRoutes.add($0, $1) },
        Route(method: .get, pattern: "/v1/images", takesBody: false) { try ImagesRoutes.list($0, $1) },
        Route(method: .get, pattern: "/v1/images/{id}", takesBody: false) { try ImagesRoutes.get($0, $1) },
        Route(method: .get, pattern: "/v1/images/{id}/content", takesBody: false) { try ImagesRoutes.content($0, $1) },
        Route(method: .delete, pattern: "/v1/images/{id}", takesBody: false) { try ImagesRoutes.delete($0, $1) },
        Route(method: .get, pattern: "/admin/adapters", takesBody: false) { try AdminRoutes.list($0, $1) },
        Route(method: .post, pattern: "/admin/adapters", takesBody: true) { try await AdminRoutes.load($0, $1) },
        Route(method: .post, pattern: "/admin/adapters/{name}/activate", takesBody: false) { try AdminRoutes.activate($0, $1) },
        Route(method: .delete, pattern: "/admin/adapters/{name}", takesBody: false) { try AdminRoutes.unload($0, $1) },
        Route(method: .post, pattern: "/admin/reindex", takesBody: false) { try AdminRoutes.startReindex($0, $1) },
        Route(method: .get, pattern: "/admin/reindex", takesBody: false) { try AdminRoutes.reindexStatus($0, $1) },
    ]

    public static func make(_ context: ServiceContext) -> Router {
        var router = Router()
        for route in routes {
            let bodyLimit = route.takesBody ? context.configuration.limits.maxBodyBytes : nil
            add(&router, route.method, route.pattern, context, bodyLimit: bodyLimit) { request in
                try await route.handler(request, context)
            }
        }
        return router
    }

    private static func add(
        _ router: inout Router, _ method: HTTPMethod, _ pattern: String, _ context: ServiceContext,
        bodyLimit: Int? = nil, _ handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse
    ) {
        router.add(method, pattern, bodyLimit: bodyLimit) { request in
            let start = ContinuousClock.now
            let response: HTTPResponse
            do {
                response = try await handler(request)
            } catch {
                if let problem = APIError.from(error) {
                    response = problem.response(requestID: request.requestID)
                    context.metrics.recordError(kind: problem.code)
                } else {
                    context.logger.error("handler failed", metadata: [
                        "request_id": "\(request.requestID)", "route": "\(pattern)", "error": "\(error)",
                    ])
                    context.metrics.recordError(kind: "internal")
                    response = APIError(status: 500, code: "internal", title: "Internal error",
                                        detail: "the server failed to handle the request; see its log for request \(request.requestID)")
                        .response(requestID: request.requestID)
                }
            }
            context.metrics.recordRequest(
                route: pattern, method: method.rawValue, status: response.status.code, duration: ContinuousClock.now - start)
            return response
        }
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
