import Foundation
import HTTPServer
import Logging

/// Builds the HTTP surface of the service. Every route goes through `handle`, which times it,
/// records metrics under the route *pattern* (bounded label cardinality) and turns thrown
/// errors into problem documents, so no handler repeats that plumbing.
public enum ServiceRouter {
    public static func make(_ context: ServiceContext) -> Router {
        var router = Router()
        let limits = context.configuration.limits

        add(&router, .get, "/healthz", context) { _ in try HealthRoutes.health() }
        add(&router, .get, "/readyz", context) { _ in try HealthRoutes.ready(context) }
        add(&router, .get, "/metrics", context) { _ in HealthRoutes.metrics(context) }
        add(&router, .post, "/v1/embeddings", context, bodyLimit: limits.maxBodyBytes) { request in
            try await EmbeddingsRoute.handle(request, context)
        }
        add(&router, .post, "/v1/classify", context, bodyLimit: limits.maxBodyBytes) { request in
            try await ClassifyRoute.handle(request, context)
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
