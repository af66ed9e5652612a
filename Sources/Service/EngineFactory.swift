import Engine
import Foundation
import Imaging

/// Builds the engine the configuration asks for; shared by `serve` and the one-shot commands.
public enum EngineFactory {
    public struct Loaded: Sendable {
        public let engine: EmbeddingEngine
        /// Human-readable origin of the model ("demo bundle", a path, or the test-model warning).
        public let modelLabel: String
        public let isTestModel: Bool
    }

    public static func make(
        configuration: AdaptCLIPConfiguration, observer: EmbeddingEngine.BatchObserver? = nil
    ) throws -> Loaded {
        let directory: URL
        let label: String
        let isTestModel: Bool
        if let path = configuration.models.clip {
            directory = URL(fileURLWithPath: path)
            label = path
            isTestModel = false
        } else if let fallback = EmbeddedDefault.locate() {
            directory = fallback.clipDirectory
            label = fallback.label
            isTestModel = fallback.isTestModel
        } else {
            throw EngineError.modelLoad(
                directory: "(embedded default)", reason: "no models/demo bundle found; pass --model DIR")
        }
        if configuration.engineThreads > 0 { MathThreads.set(configuration.engineThreads) }
        let bundle = try CLIPBundle.load(directory: directory)
        let batching = configuration.batching
        let engine = EmbeddingEngine(
            clip: bundle,
            batching: BatchLimits(
                maxBatchSize: batching.maxBatchSize, maxWait: .milliseconds(batching.maxWaitMilliseconds),
                queueDepth: batching.queueDepth),
            imageLimits: ImageLimits(maxPixels: configuration.limits.maxImagePixels),
            queryCache: configuration.queryCacheEntries > 0 ? EmbeddingCache(capacity: configuration.queryCacheEntries) : nil,
            observer: observer)
        return Loaded(engine: engine, modelLabel: label, isTestModel: isTestModel)
    }
}
