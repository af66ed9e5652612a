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

    /// 200 with the model once every component is ready; before that, and while draining,
    /// 503 problem+json whose `not_ready` names each component that is not and why.
    static func ready(_ request: HTTPRequest, _ slot: ServiceContextSlot) throws -> HTTPResponse {
        guard slot.readiness.isReady, let context = slot.context else { return notStarted(request, slot) }
        return try .encoded(Ready(
            status: "ready", model: context.engine.modelName, model_source: context.modelLabel,
            test_model: context.isTestModel, dimension: context.engine.dimension, version: ServiceInfo.version))
    }

    /// The problem document of `/readyz` while not ready; also what every other route answers
    /// before start-up has finished (`notStarted`).
    static func notReady(_ request: HTTPRequest, _ waiting: [(component: ServiceReadiness.Component, reason: String)]) -> HTTPResponse {
        let detail = waiting.map { "\($0.component.rawValue): \($0.reason)" }.joined(separator: "; ")
        // The components as a member too, so a probe or a dashboard need not parse `detail`.
        let components = Dictionary(uniqueKeysWithValues: waiting.map { ($0.component.rawValue, $0.reason) })
        return APIError(status: 503, code: "not-ready", title: "Not ready", detail: detail)
            .response(requestID: request.requestID, members: ["not_ready": components])
    }

    /// What is not ready, or "starting" when start-up has not yet filled the context: the
    /// answer of `/readyz` until ready and of every route but the probes until started.
    static func notStarted(_ request: HTTPRequest, _ slot: ServiceContextSlot) -> HTTPResponse {
        let waiting = slot.readiness.notReady
        return notReady(request, waiting.isEmpty ? [(.server, "starting")] : waiting)
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
