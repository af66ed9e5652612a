import HTTPServer
import Prometheus
import Retrieval
import Synchronization

/// The service's Prometheus metrics, served at `GET /metrics` in the text exposition format.
/// Names follow Prometheus conventions: `_total` counters, `_seconds` durations, base units.
public final class ServiceMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry

    private static let latencyBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]
    private static let batchBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128]

    private let modelSeconds: DurationHistogram
    private let batchSize: ValueHistogram
    private let queueDepth: Gauge
    private let indexVectors: Gauge
    private let cacheHitRatio: Gauge
    private let openConnections: Gauge
    private let requestWorkWaiting: Gauge
    private let ingestJobsRunning: Gauge
    private let ingestJobsQueued: Gauge
    private let ingestRate: Gauge
    private let ingestRemaining: Gauge
    /// Where the server's own counters come from once it is listening, and what was exported
    /// last (Prometheus counters only go up: each scrape adds what is new).
    private let http = Mutex<(read: (@Sendable () -> HTTPServerStatistics)?, exported: [String: Int])>((nil, [:]))

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        modelSeconds = registry.makeDurationHistogram(
            descriptor: Self.metric("model", unit: "seconds", "Time of one model batch."), buckets: Self.latencyBuckets)
        batchSize = registry.makeValueHistogram(
            descriptor: Self.metric("batch_size", unit: "", "Items per model batch."), buckets: Self.batchBuckets)
        queueDepth = registry.makeGauge(descriptor: Self.metric("queue_depth", unit: "", "Model requests waiting for a batch."))
        indexVectors = registry.makeGauge(descriptor: Self.metric("index_vectors", unit: "", "Vectors in the search index."))
        cacheHitRatio = registry.makeGauge(
            descriptor: Self.metric("query_cache_hit", unit: "ratio", "Share of query embeddings served from the cache."))
        openConnections = registry.makeGauge(descriptor: Self.metric("http_open_connections", unit: "", "Client connections open now."))
        registry.makeGauge(descriptor: Self.metric("build", unit: "info", "Always 1; the labels say what runs."), labels: BuildInfo.labels)
            .set(1.0)
        requestWorkWaiting = registry.makeGauge(
            descriptor: Self.metric("request_work_waiting", unit: "", "Requests waiting for a request-work thread (tokenising, decoding, parsing, search)."))
        ingestJobsRunning = registry.makeGauge(descriptor: Self.metric("ingest_jobs_running", unit: "", "Background ingest jobs running now."))
        ingestJobsQueued = registry.makeGauge(
            descriptor: Self.metric("ingest_jobs_queued", unit: "", "Background ingest jobs waiting for a running slot (ingest.max_running_jobs)."))
        ingestRate = registry.makeGauge(
            descriptor: Self.metric("ingest_rate", unit: "items_per_second", "Work items the running ingest jobs finish per second (over their current run)."))
        ingestRemaining = registry.makeGauge(descriptor: Self.metric("ingest_remaining", unit: "items", "Work items the running ingest jobs have left."))
    }

    /// Called once the server listens: its counters are exported at every scrape from then on.
    public func readHTTPStatistics(_ read: @escaping @Sendable () -> HTTPServerStatistics) {
        http.withLock { $0.read = read }
    }

    /// Brings the server's counters and the request-work pool's into the registry (at scrape).
    func refresh(requestWorkWaiting waiting: Int) {
        requestWorkWaiting.set(Double(waiting))
        let increments: [(name: String, labels: [(String, String)], help: String, by: Int)] = http.withLock { state in
            guard let read = state.read else { return [] }
            let s = read()
            openConnections.set(Double(s.openConnections))
            let totals: [(String, [(String, String)], String, Int)] = [
                ("http_request_timeouts", [("phase", "header")], "Requests cut with 408 by phase (header, body pause, whole read).", s.headerTimeouts),
                ("http_request_timeouts", [("phase", "body")], "Requests cut with 408 by phase (header, body pause, whole read).", s.bodyTimeouts),
                ("http_request_timeouts", [("phase", "read")], "Requests cut with 408 by phase (header, body pause, whole read).", s.requestReadTimeouts),
                ("http_connections_rejected", [], "Connections refused because server.max_connections were open.", s.connectionsRejectedOverCapacity),
                ("http_idle_timeouts", [], "Keep-alive connections closed after limits.idle_timeout_seconds.", s.idleTimeouts),
                ("access_log_dropped", [], "Access-log lines dropped because the log could not keep up.", s.accessLogLinesDropped),
            ]
            return totals.compactMap { name, labels, help, value in
                let key = name + labels.map { "\($0.0)=\($0.1)" }.joined()
                let delta = value - (state.exported[key] ?? 0)
                state.exported[key] = value
                return delta > 0 ? (name, labels, help, delta) : nil
            }
        }
        for item in increments {
            registry.makeCounter(descriptor: Self.metric(item.name, unit: "total", item.help), labels: item.labels)
                .increment(by: Int64(item.by))
        }
    }

    /// `adaptclip_<name>_<unit>`, the Prometheus naming convention (`_total`, `_seconds`).
    private static func metric(_ name: String, unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "adaptclip", metricName: name, unitName: unit, helpText: help)
    }

    /// The route label of answers no route matched (404, 405, requests refused before routing):
    /// fixed, so unknown paths cannot grow the label set.
    public static let unmatchedRoute = "unmatched"

    /// For `HTTPServer(observer:)`: counts every answer the server sends, routed or not.
    public var requestObserver: @Sendable (HTTPAccessRecord) -> Void {
        { [self] record in
            recordRequest(route: record.route ?? Self.unmatchedRoute, method: record.method.rawValue, status: record.status,
                          duration: record.duration)
        }
    }

    /// One finished HTTP request. `route` is the route pattern (`/v1/images/{id}`), never the raw
    /// path, so label cardinality stays bounded.
    public func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        registry.makeCounter(
            descriptor: Self.metric("http_requests", unit: "total", "HTTP requests by route, method and status."), labels: [("route", route), ("method", method), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: Self.metric("http_request_duration", unit: "seconds", "HTTP request latency by route."), labels: [("route", route)],
            buckets: Self.latencyBuckets
        ).record(duration)
    }

    public func recordBatch(size: Int, duration: Duration) {
        batchSize.record(Double(size))
        modelSeconds.record(duration)
    }

    public func recordError(kind: String) {
        registry.makeCounter(
            descriptor: Self.metric("errors", unit: "total", "Errors by kind."), labels: [("kind", kind)]
        ).increment()
    }

    public func recordAdapterSwap(slot: String) {
        registry.makeCounter(
            descriptor: Self.metric("adapter_swaps", unit: "total", "Adapter activations by slot."), labels: [("slot", slot)]
        ).increment()
    }

    /// Items an ingest finished, by outcome (stored, duplicate, skipped, failed).
    public func recordIngest(outcome: String, count: Int) {
        guard count > 0 else { return }
        registry.makeCounter(descriptor: Self.metric("ingest_items", unit: "total", "Ingested items by outcome (jobs and batch uploads)."),
                             labels: [("outcome", outcome)]).increment(by: Int64(count))
    }

    public func setIngestJobs(running: Int, rate: Double, remaining: Int) {
        ingestJobsRunning.set(Double(running))
        ingestRate.set(rate)
        ingestRemaining.set(Double(remaining))
    }

    public func setIngestJobsQueued(_ count: Int) { ingestJobsQueued.set(Double(count)) }

    public func setQueueDepth(_ depth: Int) { queueDepth.set(Double(depth)) }
    public func setIndexVectors(_ count: Int) { indexVectors.set(Double(count)) }
    /// The embedded index's vector count. A shared store's count changes under every replica
    /// (and costs a query), so the gauge is left to the embedded store.
    func recordIndexSize(of collection: ImageLibrary) {
        if let store = collection.embedded { setIndexVectors(store.indexState.vectors) }
    }
    public func setCacheHitRatio(_ ratio: Double) { cacheHitRatio.set(ratio) }

    /// The exposition text for `GET /metrics` (content type `text/plain; version=0.0.4`).
    public func exposition() -> [UInt8] { registry.emitToBuffer() }
}
