import Foundation
import Models
import TestSupport
import Testing
@testable import Engine

/// Published checkpoints through the engine: Taiyi-type and M-CLIP-type encoders as the Chinese
/// path of a CLIP (hot-swapped like trained adapters), Chinese-CLIP as a whole model. Vectors
/// are compared with transformers' features of the same fixtures, normalised.
@Suite struct PublishedPathTests {
    /// The demo CLIP: its 128-dimensional text space is what the Taiyi-type and M-CLIP-type
    /// fixtures project into.
    static let demoCLIP = RepositoryPaths.root.appendingPathComponent("models/demo/clip")

    static func engine(clip directory: URL, chinese: ChineseEncoder? = nil) throws -> EmbeddingEngine {
        EmbeddingEngine(
            clip: try CLIPBundle.load(directory: directory), chinese: chinese,
            batching: BatchLimits(maxBatchSize: 8, maxWait: .milliseconds(2), queueDepth: 256),
            imageLimits: .init(maxPixels: 10_000_000))
    }

    @Test(arguments: ["taiyi-type", "mclip-type"])
    func aPublishedEncoderIsTheChinesePathWithTransformersFeatures(shape: String) async throws {
        let goldens = try PublishedGoldenFile.load(shape)
        let engine = try Self.engine(clip: Self.demoCLIP)
        let path = try engine.loadLanguagePath(directory: publishedFixture(shape))
        guard case .encoder(let encoder) = path else {
            Issue.record("\(shape) loaded as a trained adapter")
            return
        }
        engine.activate(path)
        let embeddings = try await engine.embedTexts(goldens.texts.map(\.text), language: .zh, deadline: .now + .seconds(60))
        var worst: Float = 1
        for (text, embedding) in zip(goldens.texts, embeddings) {
            #expect(embedding.language == .zh && embedding.producer == encoder.identity.id)
            #expect(encoder.tokenizer.encode(text.text) == text.token_ids, "\(text.text)")
            worst = min(worst, cosine(embedding.vector, normalized(try text.features())))
        }
        #expect(worst >= 0.99999, "worst cosine \(worst)")
        print("\(shape) through the engine: \(goldens.texts.count) texts, worst cosine \(worst)")
    }

    @Test func anEncoderForAnotherTextSpaceIsRefusedNamingBothDimensions() throws {
        let engine = try Self.engine(clip: EngineFixtures.tinyCLIP)
        #expect {
            try engine.loadLanguagePath(directory: publishedFixture("taiyi-type"))
        } throws: { error in
            "\(error)".contains("128 dimensions") && "\(error)".contains("has 32")
        }
        #expect(engine.languagePaths.active == nil)
    }

    @Test func hotSwappingBetweenATrainedAdapterAndAPublishedEncoderKeepsEachRequestsPath() async throws {
        let engine = try EngineFixtures.chineseEngine()
        // The tiny fixture CLIP has 32 dimensions; the published fixtures project into 128, so
        // the swap itself is tested on the demo bundle over HTTP. Here: a batch mixing
        // activations of both kinds, each item answered by its own path.
        let v1 = try engine.loadLanguageAdapter(directory: EngineFixtures.adapterV1)
        let demo = try Self.engine(clip: Self.demoCLIP)
        guard case .encoder(let taiyi) = try demo.loadLanguagePath(directory: publishedFixture("taiyi-type")) else {
            Issue.record("taiyi-type loaded as a trained adapter")
            return
        }
        let goldens = try PublishedGoldenFile.load("taiyi-type")
        let chineseGoldens = try EngineFixtures.chineseGoldens()
        let chinese = try #require(engine.chinese)
        let jobs = [
            EmbeddingEngine.ChineseJob(ids: chineseGoldens.texts[0].ids, path: .adapter(v1), generation: 1),
            EmbeddingEngine.ChineseJob(ids: goldens.texts[0].token_ids, path: .encoder(taiyi), generation: 2),
            EmbeddingEngine.ChineseJob(ids: chineseGoldens.texts[1].ids, path: .adapter(v1), generation: 1),
        ]
        let vectors = try EmbeddingEngine.encodeChinese(jobs, bert: chinese.model)
        #expect(cosine(vectors[0], normalized(chineseGoldens.texts[0].embedding_v1)) >= 0.99999)
        #expect(cosine(vectors[1], normalized(try goldens.texts[0].features())) >= 0.99999)
        #expect(cosine(vectors[2], normalized(chineseGoldens.texts[1].embedding_v1)) >= 0.99999)
    }

    @Test func withNoChinesePathAutoChineseGoesToCLIPsOwnTokenizerAndExplicitZhIsRefused() async throws {
        let engine = try EngineFixtures.engine()
        let raw = try await engine.embedTexts(["两只红色的圆形"], language: .auto, deadline: EngineFixtures.farDeadline)[0]
        #expect(raw.language == .zhRaw && raw.producer == engine.textProducer)
        await #expect(throws: EngineError.self) {
            _ = try await engine.embedTexts(["两只红色的圆形"], language: .zh, deadline: EngineFixtures.farDeadline)
        }
    }

    @Test func chineseCLIPServesChineseTextAndImagesNatively() async throws {
        let goldens = try PublishedGoldenFile.load("chinese-clip-type")
        let engine = try Self.engine(clip: publishedFixture("chinese-clip-type"))
        #expect(engine.clip.model.textTower == .bert)
        let embeddings = try await engine.embedTexts(goldens.texts.map(\.text), language: .auto, deadline: EngineFixtures.farDeadline)
        var worstText: Float = 1
        for (text, embedding) in zip(goldens.texts, embeddings) {
            #expect(embedding.producer == engine.textProducer)
            #expect(engine.clip.tokenizer.encode(text.text) == text.token_ids, "\(text.text)")
            worstText = min(worstText, cosine(embedding.vector, normalized(try text.features())))
        }
        let zh = try await engine.embedTexts(["两只猫"], language: .auto, deadline: EngineFixtures.farDeadline)[0]
        #expect(zh.language == .zh)
        let images = try goldens.images.map { try Data(contentsOf: publishedFixture("chinese-clip-type").appendingPathComponent($0.file)) }
        let vectors = try await engine.embedImages(images, deadline: EngineFixtures.farDeadline)
        var worstImage: Float = 1
        for (image, vector) in zip(goldens.images, vectors) {
            worstImage = min(worstImage, cosine(vector, normalized(try image.features())))
        }
        #expect(worstText >= 0.99999, "worst text cosine \(worstText)")
        #expect(worstImage >= 0.9999, "worst image cosine \(worstImage)")
        print("chinese-clip-type through the engine: texts worst cosine \(worstText), images worst cosine \(worstImage)")
    }
}
