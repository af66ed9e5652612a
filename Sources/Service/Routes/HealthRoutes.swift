import HTTPServer

/// Liveness, readiness and metrics: what load balancers and Prometheus poll.
enum HealthRoutes {
    struct Health: Encodable { let status = "alive" }

    struct Ready: Encodable {
        let status: String
        let model: String
        let model_source: String
        /// True when serving the random fixture model: results are plumbing, not meaning.
        let test_model: Bool
        let dimension: Int
        let version: String
    }

    static func health() throws -> HTTPResponse { try .encoded(Health()) }

    static func ready(_ context: ServiceContext) throws -> HTTPResponse {
        try .encoded(Ready(
            status: "ready", model: context.engine.modelName, model_source: context.modelLabel,
            test_model: context.isTestModel, dimension: context.engine.dimension, version: ServiceInfo.version))
    }

    static func metrics(_ context: ServiceContext) -> HTTPResponse {
        context.metrics.setQueueDepth(context.engine.queueDepth)
        context.metrics.refresh(requestWorkWaiting: context.engine.requestWork.statistics.waiting)
        if let cache = context.engine.queryCache { context.metrics.setCacheHitRatio(cache.statistics.hitRate) }
        return HTTPResponse(
            status: .ok, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"],
            body: context.metrics.exposition())
    }
}
