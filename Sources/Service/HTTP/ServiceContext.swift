import Engine
import Foundation
import Logging

/// What every route handler may use: configuration, the engine and the observability sinks.
public struct ServiceContext: Sendable {
    public let configuration: AdaptCLIPConfiguration
    public let engine: EmbeddingEngine
    /// Where the model came from; says "TEST MODEL" for the random fixture.
    public let modelLabel: String
    public let isTestModel: Bool
    public let metrics: ServiceMetrics
    public let logger: Logger

    public init(
        configuration: AdaptCLIPConfiguration, engine: EmbeddingEngine, modelLabel: String, isTestModel: Bool,
        metrics: ServiceMetrics, logger: Logger
    ) {
        self.configuration = configuration
        self.engine = engine
        self.modelLabel = modelLabel
        self.isTestModel = isTestModel
        self.metrics = metrics
        self.logger = logger
    }

    /// When a request arriving now must be answered by (`limits.request_timeout_seconds`).
    func deadline() -> ContinuousClock.Instant {
        .now + .milliseconds(Int(configuration.limits.requestTimeoutSeconds * 1000))
    }
}
