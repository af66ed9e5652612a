import Engine
import Foundation
import Imaging

/// Builds the engine the configuration asks for; shared by `serve` and the one-shot commands.
public enum EngineFactory {
    public struct Loaded: Sendable {
        public let engine: EmbeddingEngine
        /// Human-readable origin of the models ("demo bundle", a path, or the test-model warning).
        public let modelLabel: String
        public let isTestModel: Bool
        /// The language adapter activated at start, if any.
        public let languageAdapterPath: String?
        /// The embedded default's own classification templates (language → template), if any.
        public var classificationTemplates: [String: String] = [:]
        /// The precision the models serve in and the gate's figure (`engine.precision`).
        public let precision: PrecisionGate.Outcome
    }

    /// Configured paths win; whatever is not configured comes from the embedded default, which
    /// is only consulted when the CLIP itself is not configured (a user's CLIP never gets the
    /// demo's Chinese adapter, which was trained for another CLIP).
    public static func make(
        configuration: AdaptCLIPConfiguration, observer: EmbeddingEngine.BatchObserver? = nil
    ) throws -> Loaded {
        let models = configuration.models
        let fallback = models.clip == nil ? EmbeddedDefault.locate() : nil
        let clipDirectory: URL
        let label: String
        if let path = models.clip {
            clipDirectory = URL(fileURLWithPath: path)
            label = path
        } else if let fallback {
            clipDirectory = fallback.clipDirectory
            label = fallback.label
        } else {
            throw EngineError.modelLoad(directory: "(embedded default)", reason: "no models/demo bundle found; pass --model DIR")
        }
        var encoderDirectory = models.zhEncoder.map { URL(fileURLWithPath: $0) } ?? fallback?.chineseEncoderDirectory
        let adapterDirectory = models.zhAdapter.map { URL(fileURLWithPath: $0) } ?? fallback?.languageAdapterDirectory
        // A published encoder (Taiyi-CLIP, M-CLIP) carries its own projection: it is the whole
        // Chinese path, served from the language slot, with no frozen encoder beside it.
        var publishedEncoder: URL?
        if let directory = encoderDirectory, PublishedLanguageEncoder.isPublishedEncoder(directory) {
            if let zhAdapter = models.zhAdapter {
                throw EngineError.modelLoad(
                    directory: zhAdapter,
                    reason: "\(directory.path) carries its own projection into CLIP's text space; a language adapter is not used with it (drop --zh-adapter)")
            }
            publishedEncoder = directory
            encoderDirectory = nil
        }
        if adapterDirectory != nil, encoderDirectory == nil, publishedEncoder == nil {
            throw EngineError.modelLoad(
                directory: models.zhAdapter ?? "(embedded default)",
                reason: "a language adapter needs its Chinese encoder: set models.zh_encoder (--zh-encoder)")
        }

        if configuration.engineThreads > 0 { MathThreads.set(configuration.engineThreads) }
        // Every model loads with the options the CLIP's gate settled on: the Chinese path and
        // the adapters and prompts loaded later (they take their host model's) run alike.
        let (clip, precision) = try PrecisionGate.loadCLIP(
            directory: clipDirectory, name: fallback?.clipName, choice: configuration.precision, gemm: configuration.gemm,
            minimumCosine: configuration.precisionMinimumCosine)
        let batching = configuration.batching
        let engine = EmbeddingEngine(
            clip: clip,
            chinese: try encoderDirectory.map { url throws(EngineError) in
                try ChineseEncoder.load(
                    directory: url, name: models.zhEncoder == nil ? fallback?.chineseEncoderName : nil, options: clip.options)
            },
            batching: BatchLimits(
                maxBatchSize: batching.maxBatchSize, maxWait: .milliseconds(batching.maxWaitMilliseconds),
                queueDepth: batching.queueDepth),
            imageLimits: ImageLimits(
                maxPixels: configuration.limits.maxImagePixels, maxJPEGScans: configuration.limits.maxJPEGScans,
                maxWebPPixelsPerByte: configuration.limits.maxWebPPixelsPerByte,
                webPPixelsFreeOfRatio: configuration.limits.webPPixelsFreeOfRatio),
            jpegDCTScaling: configuration.jpegDCTScaling,
            maxImagePixelsPerRequest: configuration.limits.maxImagePixelsPerRequest,
            decodingPixelsInFlight: configuration.decodingPixelsInFlight,
            requestWork: RequestWorkPool(
                workers: configuration.requestWorkThreads > 0 ? configuration.requestWorkThreads : ProcessInfo.processInfo.activeProcessorCount,
                queueDepth: configuration.requestWorkQueueDepth),
            queryCache: configuration.queryCacheEntries > 0 ? EmbeddingCache(capacity: configuration.queryCacheEntries) : nil,
            observer: observer)
        if let publishedEncoder {
            engine.activate(try engine.loadLanguagePath(directory: publishedEncoder))
        } else if let adapterDirectory {
            engine.activate(try engine.loadLanguageAdapter(directory: adapterDirectory))
        }
        return Loaded(
            engine: engine, modelLabel: label, isTestModel: fallback?.isTestModel ?? false,
            languageAdapterPath: publishedEncoder?.path ?? adapterDirectory?.path, classificationTemplates: fallback?.classificationTemplates ?? [:],
            precision: precision)
    }
}
