import Foundation
import TestSupport
@testable import Engine

/// The end-to-end fixture written by training/fixtures/make_engine_fixtures.py.
enum EngineFixtures {
    static let root = RepositoryPaths.fixtures
    static let tinyCLIP = root.appendingPathComponent("engine/tiny-clip")

    struct Goldens: Decodable {
        struct Text: Decodable {
            let id: String
            let text: String
            let ids: [Int]
            let truncated: Bool
            let embedding: [Float]
        }
        struct Image: Decodable {
            let file: String
            let embedding: [Float]
        }
        let logit_scale: Float
        let texts: [Text]
        let images: [Image]
    }

    static func goldens() throws -> Goldens {
        try JSONDecoder().decode(Goldens.self, from: Data(contentsOf: root.appendingPathComponent("engine/goldens.json")))
    }

    static func engine(
        maxBatchSize: Int = 16, maxWait: Duration = .milliseconds(2), queryCache: EmbeddingCache? = nil
    ) throws -> EmbeddingEngine {
        let bundle = try CLIPBundle.load(directory: tinyCLIP, name: "tiny-clip")
        return EmbeddingEngine(
            clip: bundle, batching: BatchLimits(maxBatchSize: maxBatchSize, maxWait: maxWait, queueDepth: 256),
            imageLimits: .init(maxPixels: 10_000_000), queryCache: queryCache)
    }

    static var farDeadline: ContinuousClock.Instant { .now + .seconds(60) }
}

extension EngineFixtures {
    static let bertTinyA = root.appendingPathComponent("bert/bert-tiny-a")
    static let adapterV1 = root.appendingPathComponent("engine/zh-adapter-v1")
    static let adapterV2 = root.appendingPathComponent("engine/zh-adapter-v2")

    struct ChineseGoldens: Decodable {
        struct Text: Decodable {
            let text: String
            let ids: [Int]
            let embedding_v1: [Float]
            let embedding_v2: [Float]
        }
        let texts: [Text]
    }

    static func chineseGoldens() throws -> ChineseGoldens {
        struct Root: Decodable { let zh: ChineseGoldens }
        return try JSONDecoder().decode(Root.self, from: Data(contentsOf: root.appendingPathComponent("engine/goldens.json"))).zh
    }

    /// The tiny CLIP plus bert-tiny-a, with adapter v1 active.
    static func chineseEngine(maxBatchSize: Int = 16, cache: EmbeddingCache? = nil) throws -> EmbeddingEngine {
        let engine = EmbeddingEngine(
            clip: try CLIPBundle.load(directory: tinyCLIP, name: "tiny-clip"),
            chinese: try ChineseEncoder.load(directory: bertTinyA),
            batching: BatchLimits(maxBatchSize: maxBatchSize, maxWait: .milliseconds(2), queueDepth: 256),
            imageLimits: .init(maxPixels: 10_000_000), queryCache: cache)
        engine.activate(try engine.loadLanguageAdapter(directory: adapterV1))
        return engine
    }
}
