import Engine
import Foundation
import HTTPServer
import Logging
import Retrieval

/// What every route handler may use: configuration, the engine and the observability sinks.
public struct ServiceContext: Sendable {
    public let configuration: AdaptCLIPConfiguration
    public let engine: EmbeddingEngine
    /// Where the model came from; says "TEST MODEL" for the random fixture.
    public let modelLabel: String
    public let isTestModel: Bool
    public let metrics: ServiceMetrics
    public let logger: Logger
    /// Guards `/admin/*` with `ADAPTCLIP_ADMIN_TOKEN`.
    let admin: AdminAuthorization
    /// Guards `/v1/*` with `auth.api_keys` and their rate limits.
    let apiKeys: APIKeyGate
    /// `cors.allowed_origins`.
    let cors: CORSPolicy
    /// Adapter checkpoints of every kind: loaded, active or staged, remembered across restarts.
    let adapters: AdapterLifecycle
    /// Re-embeds the collection after a change of embedding space.
    let reindexer = Reindexer()
    /// Background ingest jobs (`/admin/ingest`).
    let ingestJobs: IngestJobs
    /// The searchable photo collection (nil when the service runs without a data directory).
    public let collection: ImageLibrary?
    /// `/v1/classify`'s template per language when the request names none: the model's own
    /// where it declares them (the demo bundle), else ClassifyRoute.standardTemplates.
    let defaultTemplates: [QueryLanguage: String]

    public init(
        configuration: AdaptCLIPConfiguration, engine: EmbeddingEngine, modelLabel: String, isTestModel: Bool,
        metrics: ServiceMetrics, logger: Logger, collection: ImageLibrary? = nil,
        adapterCatalog: AdapterCatalog? = nil, classificationTemplates: [String: String] = [:]
    ) {
        self.init(
            configuration: configuration, engine: engine, modelLabel: modelLabel, isTestModel: isTestModel, metrics: metrics,
            logger: logger, collection: collection,
            adapters: AdapterLifecycle(engine: engine, catalog: adapterCatalog, logger: logger, metrics: metrics),
            classificationTemplates: classificationTemplates)
    }

    /// With the adapter lifecycle the service restored before the collection opened.
    init(
        configuration: AdaptCLIPConfiguration, engine: EmbeddingEngine, modelLabel: String, isTestModel: Bool,
        metrics: ServiceMetrics, logger: Logger, collection: ImageLibrary?, adapters: AdapterLifecycle,
        classificationTemplates: [String: String]
    ) {
        var templates = ClassifyRoute.standardTemplates
        if let en = classificationTemplates["en"] { templates[.en] = en }
        if let zh = classificationTemplates["zh"] { templates[.zh] = zh; templates[.zhRaw] = zh }
        self.defaultTemplates = templates
        self.collection = collection
        self.configuration = configuration
        self.engine = engine
        self.modelLabel = modelLabel
        self.isTestModel = isTestModel
        self.metrics = metrics
        self.logger = logger
        self.admin = AdminAuthorization(token: configuration.adminToken)
        self.apiKeys = APIKeyGate(entries: configuration.apiKeys)
        self.cors = configuration.cors
        self.adapters = adapters
        self.ingestJobs = IngestJobs(settings: configuration.ingest, imageURL: configuration.imageURL, metrics: metrics, logger: logger)
    }

    func requireCollection() throws(APIError) -> ImageLibrary {
        guard let collection else {
            throw APIError(status: 503, code: "no-collection", title: "No image collection",
                           detail: "this server runs without an image collection")
        }
        return collection
    }

    /// The collection, when it is an embedded data directory: what `feature` (ingest jobs,
    /// re-index) is built on. The shared PostgreSQL store does not run them yet: 501 naming why.
    func requireEmbeddedCollection(for feature: String) throws(APIError) -> ImageLibrary {
        let collection = try requireCollection()
        guard collection.embedded != nil else {
            throw APIError(status: 501, code: "not-on-shared-store", title: "Not available on the shared store",
                           detail: "\(feature) run on the embedded store only (store.backend sqlite); this server uses store.backend postgres")
        }
        return collection
    }

    /// `limits.max_json_values` and `limits.max_json_depth`.
    var jsonLimits: JSONLimits {
        JSONLimits(maxValues: configuration.limits.maxJSONValues, maxDepth: configuration.limits.maxJSONDepth)
    }

    /// Bodies up to this size are read where the request is handled; larger ones on the
    /// preparation pool, since parsing megabytes holds a thread for milliseconds or more.
    static let inlineParseBytes = 64 * 1024

    /// Runs `parse` (reading `http`'s body) off the threads that serve HTTP when the body is
    /// large, within the request's deadline.
    func parsing<T: Sendable>(
        _ http: HTTPRequest, deadline: ContinuousClock.Instant, _ parse: @escaping @Sendable () throws -> T
    ) async throws -> T {
        if http.body.count <= Self.inlineParseBytes { return try parse() }
        return try await engine.requestWork.run(deadline: deadline) { _ in try parse() }
    }

    /// When a request arriving now must be answered by (`limits.request_timeout_seconds`).
    func deadline() -> ContinuousClock.Instant {
        .now + .milliseconds(Int(configuration.limits.requestTimeoutSeconds * 1000))
    }
}
