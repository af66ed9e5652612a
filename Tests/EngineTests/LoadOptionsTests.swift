import Foundation
import Numerics
import TestSupport
import Testing
@testable import Engine
@testable import Models

/// The kernel and precision a model was loaded with stay its own: models loaded with other
/// options in the same process (before or after) change nothing of it, and the adapters and
/// prompts an engine loads take its options.
@Suite struct LoadOptionsTests {
    /// Every linear layer's layout in a CLIP, its adapters and prompts aside.
    static func layouts(_ model: CLIPModel) -> Set<PreparedWeight.Layout> {
        let w = model.weights
        var prepared = [w.visionModel.patchEmbedding, w.visualProjection.weight, w.textProjection.weight]
        for layer in w.visionModel.layers + (w.textModel?.layers ?? []) {
            prepared += [layer.selfAttn.qkvProj.weight, layer.selfAttn.outProj.weight, layer.mlp.fc1.weight, layer.mlp.fc2.weight]
        }
        return Set(prepared.map(\.layout))
    }

    static func engine(_ options: ModelLoadOptions) throws -> EmbeddingEngine {
        EmbeddingEngine(
            clip: try CLIPBundle.load(directory: EngineFixtures.tinyCLIP, name: "tiny-clip", options: options),
            chinese: try ChineseEncoder.load(directory: EngineFixtures.bertTinyA, options: options),
            batching: BatchLimits(maxBatchSize: 16, maxWait: .milliseconds(2), queueDepth: 256),
            imageLimits: .init(maxPixels: 10_000_000))
    }

    /// The layouts of every linear layer the engine loaded on top of its CLIP: a language
    /// adapter, a domain adapter and a learned prompt.
    static func adapterLayouts(_ engine: EmbeddingEngine) throws -> Set<PreparedWeight.Layout> {
        let language = try engine.loadLanguageAdapter(directory: EngineFixtures.adapterV1)
        let domain = try engine.loadDomainAdapter(directory: EngineFixtures.domainBoth)
        let prompt = try engine.prompts.load(directory: EngineFixtures.root.appendingPathComponent("prompts/tiny-clip/structured"))
        var prepared = [language.weights.downProj.weight, language.weights.upProj.weight]
        for tower in [domain.vision, domain.text].compactMap({ $0 }) {
            prepared += tower.layers.compactMap { $0 }.flatMap { [$0.down.weight, $0.up.weight] }
        }
        guard case .structured(_, _, let attention) = prompt.weights else {
            Issue.record("the structured prompt fixture loaded as CoOp")
            return []
        }
        prepared += [attention.kProj.weight, attention.vProj.weight, attention.outProj.weight]
        return Set(prepared.map(\.layout))
    }

    @Test(.enabled(if: GEMMKernel.avx2.isAvailable, "the AVX2 micro-kernel needs AVX2 and FMA, which this CPU lacks"))
    func enginesLoadedWithTheAVX2KernelAndWithOpenBLASCoexist() async throws {
        let avx2 = try Self.engine(ModelLoadOptions(gemm: .avx2))
        let openblas = try Self.engine(ModelLoadOptions(gemm: .openblas))
        // Loaded second, the OpenBLAS engine left the AVX2 one as it was, and the reverse.
        #expect(Self.layouts(avx2.clip.model) == [.packed(.avx2)])
        #expect(Self.layouts(openblas.clip.model) == [.plain])
        #expect(try Self.adapterLayouts(avx2) == [.packed(.avx2)])
        #expect(try Self.adapterLayouts(openblas) == [.plain])
        #expect(avx2.chinese?.model.weights.layers.first?.intermediateDense.weight.layout == .packed(.avx2))
        #expect(openblas.chinese?.model.weights.layers.first?.intermediateDense.weight.layout == .plain)

        // Each reports its own kernel.
        #expect(avx2.clip.options.kernelReport.contains("linear layers: fp32, packed kernel (AVX2 + FMA)"))
        #expect(openblas.clip.options.kernelReport.contains("linear layers: fp32, OpenBLAS cblas_sgemm"))

        // And both embed alike, batched side by side.
        let texts = ["a photo of a cat", "two red circles", ""]
        async let a = avx2.embedTexts(texts, language: .en, deadline: EngineFixtures.farDeadline)
        async let b = openblas.embedTexts(texts, language: .en, deadline: EngineFixtures.farDeadline)
        let (x, y) = try await (a, b)
        try #require(x.count == texts.count && y.count == texts.count)
        for (p, q) in zip(x, y) {
            #expect(cosine(p.vector, q.vector) >= 0.99999, "the two kernels disagree")
        }
    }

    /// bf16 reaches the Chinese encoder and everything the engine loads beside its CLIP.
    @Test(.needsBF16) func aBF16EngineLoadsItsAdaptersAndPromptsInBF16() throws {
        let engine = try Self.engine(ModelLoadOptions(precision: .bf16))
        #expect(Self.layouts(engine.clip.model) == [.packedBF16])
        #expect(engine.chinese?.model.weights.layers.first?.intermediateDense.weight.layout == .packedBF16)
        #expect(try Self.adapterLayouts(engine) == [.packedBF16])
        #expect(engine.clip.options.kernelReport.contains("linear layers: bf16, packed bf16 kernel (AVX512-BF16)"))
    }
}
