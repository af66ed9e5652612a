import Foundation
import TestSupport
import Testing
@testable import Engine

/// Chinese text → WordPiece → BERT → language adapter, through the engine, against the
/// PyTorch pipeline (training/adaptclip_training) end to end.
@Suite struct ChinesePathTests {
    @Test func chineseEmbeddingsMatchThePyTorchPipelineEndToEnd() async throws {
        let goldens = try EngineFixtures.chineseGoldens()
        let engine = try EngineFixtures.chineseEngine()
        let results = try await engine.embedTexts(goldens.texts.map(\.text), language: .zh, deadline: EngineFixtures.farDeadline)
        var worstCosine: Float = 1
        var worstAbs: Float = 0
        for (golden, result) in zip(goldens.texts, results) {
            #expect(result.tokenCount == golden.ids.count, "\(golden.text.prefix(10))")
            let expected = normalized(golden.embedding_v1)
            worstCosine = min(worstCosine, cosine(result.vector, expected))
            worstAbs = max(worstAbs, maxAbsDifference(result.vector, expected))
            #expect(result.language == .zh)
            #expect(result.producer.contains("zh@1"))
        }
        print("engine zh parity: \(goldens.texts.count) texts, worst cosine \(worstCosine), worst max abs \(worstAbs)")
        #expect(worstCosine >= 0.99999)
        #expect(worstAbs <= 1e-4)
        #expect(results.last?.truncated == true, "the 80-character text exceeds bert-tiny-a's 64 positions")
    }

    @Test func autoRoutesChineseToTheAdapterAndEnglishToCLIP() async throws {
        let engine = try EngineFixtures.chineseEngine()
        let out = try await engine.embedTexts(["两个红色的圆形", "a red circle"], language: .auto, deadline: EngineFixtures.farDeadline)
        #expect(out.map(\.language) == [.zh, .en])
    }

    /// A swap changes what new requests get, and a lease taken before it keeps the old adapter.
    @Test func swappingTheAdapterChangesNewRequestsToTheNewWeights() async throws {
        let goldens = try EngineFixtures.chineseGoldens()
        let engine = try EngineFixtures.chineseEngine()
        let text = goldens.texts[0]
        let before = try #require(try await engine.embedTexts([text.text], language: .zh, deadline: EngineFixtures.farDeadline).first)
        let previous = engine.activate(try engine.loadLanguageAdapter(directory: EngineFixtures.adapterV2))
        #expect(previous?.identity.version == "1")
        let after = try #require(try await engine.embedTexts([text.text], language: .zh, deadline: EngineFixtures.farDeadline).first)
        #expect(cosine(before.vector, normalized(text.embedding_v1)) >= 0.99999)
        #expect(cosine(after.vector, normalized(text.embedding_v2)) >= 0.99999)
        #expect(after.producer.contains("zh@2"))
    }

    /// During a swap one model batch can hold items of two activations; each item must still
    /// get its own adapter's answer.
    @Test func aBatchMixingTwoActivationsGivesEachItemItsOwnAdapter() throws {
        let goldens = try EngineFixtures.chineseGoldens()
        let engine = try EngineFixtures.chineseEngine()
        let v1 = try engine.loadLanguageAdapter(directory: EngineFixtures.adapterV1)
        let v2 = try engine.loadLanguageAdapter(directory: EngineFixtures.adapterV2)
        let chinese = try #require(engine.chinese)
        let texts = Array(goldens.texts.prefix(4))
        let jobs = texts.enumerated().map { i, t in
            EmbeddingEngine.ChineseJob(ids: t.ids, path: .adapter(i.isMultiple(of: 2) ? v1 : v2), generation: i % 2)
        }
        let vectors = try EmbeddingEngine.encodeChinese(jobs, bert: chinese.model)
        for (i, (text, vector)) in zip(texts, vectors).enumerated() {
            let expected = normalized(i.isMultiple(of: 2) ? text.embedding_v1 : text.embedding_v2)
            #expect(cosine(vector, expected) >= 0.99999, "item \(i)")
        }
    }

    @Test func mismatchedCheckpointsAreRefusedBeforeAnySwap() throws {
        let engine = try EngineFixtures.chineseEngine()
        // Built for another CLIP (tiny-quickgelu-p8): refused, and v1 stays active.
        let foreign = EngineFixtures.root.appendingPathComponent("language-adapter/zh-tiny-a-n1-pre-cls")
        do {
            _ = try engine.loadLanguageAdapter(directory: foreign)
            Issue.record("accepted an adapter for another CLIP")
        } catch {
            #expect("\(error)".contains("clip.id"), "\(error)")
        }
        #expect(engine.languagePaths.active?.identity.version == "1")
    }

    @Test func zhWithoutAnActiveAdapterSaysSo() async throws {
        let engine = EmbeddingEngine(
            clip: try CLIPBundle.load(directory: EngineFixtures.tinyCLIP),
            chinese: try ChineseEncoder.load(directory: EngineFixtures.bertTinyA),
            batching: BatchLimits(maxBatchSize: 4, maxWait: .zero, queueDepth: 8), imageLimits: .init(maxPixels: 1000))
        do {
            _ = try await engine.embedTexts(["红色"], language: .zh, deadline: EngineFixtures.farDeadline)
            Issue.record("embedded without an adapter")
        } catch let error as EngineError {
            #expect("\(error)".contains("no Chinese language adapter is active"))
        }
    }
}
