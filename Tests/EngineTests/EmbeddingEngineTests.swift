import Foundation
import TestSupport
import Testing
@testable import Engine

/// End to end against transformers: text → CLIPTokenizerFast → CLIPModel, and image file →
/// PIL → CLIPImageProcessor → CLIPModel, on the tiny fixture model.
@Suite struct EmbeddingEngineTests {
    @Test func textEmbeddingsMatchTransformersEndToEnd() async throws {
        let goldens = try EngineFixtures.goldens()
        let engine = try EngineFixtures.engine()
        let results = try await engine.embedTexts(goldens.texts.map(\.text), language: .en, deadline: EngineFixtures.farDeadline)
        var worstCosine: Float = 1
        var worstAbs: Float = 0
        for (golden, result) in zip(goldens.texts, results) {
            #expect(result.tokenCount == golden.ids.count, "\(golden.id)")
            #expect(result.truncated == golden.truncated, "\(golden.id) truncated")
            let expected = normalized(golden.embedding)
            let cosine = TestSupport.cosine(result.vector, expected)
            let maxAbs = maxAbsDifference(result.vector, expected)
            worstCosine = min(worstCosine, cosine)
            worstAbs = max(worstAbs, maxAbs)
            #expect(cosine >= 0.99999, "\(golden.id) \(golden.text.prefix(30).debugDescription): cosine \(cosine)")
            #expect(maxAbs <= 1e-4, "\(golden.id): max abs \(maxAbs), first values \(result.vector.prefix(4)) vs \(expected.prefix(4))")
        }
        print("engine text parity: \(goldens.texts.count) texts, worst cosine \(worstCosine), worst max abs \(worstAbs)")
        #expect(goldens.texts.contains { $0.truncated }, "the goldens must include a truncated text")
    }

    @Test func imageEmbeddingsMatchTransformersEndToEnd() async throws {
        let goldens = try EngineFixtures.goldens()
        let engine = try EngineFixtures.engine()
        let data = try goldens.images.map { try Data(contentsOf: EngineFixtures.root.appendingPathComponent($0.file)) }
        let vectors = try await engine.embedImages(data, deadline: EngineFixtures.farDeadline)
        var worstCosine: Float = 1
        for (golden, vector) in zip(goldens.images, vectors) {
            let cosine = TestSupport.cosine(vector, golden.embedding)
            worstCosine = min(worstCosine, cosine)
            #expect(cosine >= 0.9999, "\(golden.file): cosine \(cosine)")
        }
        print("engine image parity: \(goldens.images.count) images, worst cosine \(worstCosine)")
    }

    @Test func logitScaleIsTheCheckpoints() throws {
        let engine = try EngineFixtures.engine()
        #expect(abs(engine.logitScale - (try EngineFixtures.goldens().logit_scale)) <= 1e-3)
        #expect(engine.dimension == 32)
        // Named by what its files declare (the fixture passes its name) plus its weights' digest.
        #expect(engine.modelName == "tiny-clip@" + engine.clip.identity.digest.prefix(12))
    }

    /// Batching must not change any result: concurrent requests coalesced into batches give the
    /// same vectors as the same texts run one at a time.
    @Test func batchedAndUnbatchedResultsAreIdentical() async throws {
        let texts = try EngineFixtures.goldens().texts.map(\.text)
        let single = try EngineFixtures.engine(maxBatchSize: 1, maxWait: .zero)
        let batched = try EngineFixtures.engine(maxBatchSize: 32, maxWait: .milliseconds(20))
        var one: [[Float]] = []
        for text in texts {
            one.append(try #require(try await single.embedTexts([text], language: .en, deadline: EngineFixtures.farDeadline).first).vector)
        }
        let many = try await batched.embedTexts(texts, language: .en, deadline: EngineFixtures.farDeadline).map(\.vector)
        let worst = zip(one, many).map { maxAbsDifference($0, $1) }.max() ?? 0
        #expect(worst <= 1e-6, "max abs diff batched vs unbatched \(worst)")

        let imageFiles = try EngineFixtures.goldens().images.map { try Data(contentsOf: EngineFixtures.root.appendingPathComponent($0.file)) }
        var oneImage: [[Float]] = []
        for data in imageFiles { oneImage.append(try #require(try await single.embedImages([data], deadline: EngineFixtures.farDeadline).first)) }
        let manyImages = try await batched.embedImages(imageFiles, deadline: EngineFixtures.farDeadline)
        let worstImage = zip(oneImage, manyImages).map { maxAbsDifference($0, $1) }.max() ?? 0
        #expect(worstImage <= 1e-6, "max abs diff batched vs unbatched images \(worstImage)")
    }

    @Test func aBadImageFailsWithItsIndexAndLeavesOthersAlone() async throws {
        let engine = try EngineFixtures.engine()
        let good = try Data(contentsOf: EngineFixtures.root.appendingPathComponent("images/png_rgb_256x192.png"))
        do {
            _ = try await engine.embedImages([good, Data("not an image".utf8)], deadline: EngineFixtures.farDeadline)
            Issue.record("accepted a non-image")
        } catch let error as EngineError {
            guard case .image(let index, _) = error else { Issue.record("\(error)"); return }
            #expect(index == 1)
        }
        #expect(try await engine.embedImages([good], deadline: EngineFixtures.farDeadline).count == 1)
    }

    @Test func chineseWithoutAnAdapterIsUnavailableNotSilentlyEnglish() async throws {
        let engine = try EngineFixtures.engine()
        await #expect(throws: EngineError.self) {
            _ = try await engine.embedTexts(["两个红色的圆形"], language: .zh, deadline: EngineFixtures.farDeadline)
        }
        let raw = try await engine.embedTexts(["两个红色的圆形"], language: .zhRaw, deadline: EngineFixtures.farDeadline)
        #expect(try #require(raw.first).language == .zhRaw)
    }

    @Test func missingOrMismatchedDirectoriesAreRefusedAtLoad() throws {
        #expect(throws: EngineError.self) {
            try CLIPBundle.load(directory: EngineFixtures.root.appendingPathComponent("does-not-exist"))
        }
        // The per-layer fixture has weights but no tokenizer files.
        #expect(throws: EngineError.self) {
            try CLIPBundle.load(directory: EngineFixtures.root.appendingPathComponent("clip/tiny-quickgelu-p8"))
        }
    }
}

@Suite struct EmbeddingEngineCacheTests {
    @Test func repeatedQueriesAreServedFromTheCacheWithIdenticalResults() async throws {
        let bundle = try CLIPBundle.load(directory: EngineFixtures.tinyCLIP, name: "tiny-clip")
        let cache = EmbeddingCache(capacity: 8)
        let engine = EmbeddingEngine(
            clip: bundle, batching: BatchLimits(maxBatchSize: 4, maxWait: .milliseconds(1), queueDepth: 16),
            imageLimits: .init(maxPixels: 1_000_000), queryCache: cache)
        let first = try await engine.embedTexts(["a red car"], language: .en, deadline: EngineFixtures.farDeadline)
        let second = try await engine.embedTexts(["a red car"], language: .en, deadline: EngineFixtures.farDeadline)
        #expect(first == second)
        #expect(cache.statistics.hits == 1)
        #expect(cache.statistics.misses == 1)
        // zh-raw is another path: it must not reuse the English entry.
        _ = try await engine.embedTexts(["a red car"], language: .zhRaw, deadline: EngineFixtures.farDeadline)
        #expect(cache.statistics.misses == 2)
    }
}
