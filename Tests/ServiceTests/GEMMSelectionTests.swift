import Engine
import Foundation
import Numerics
import Testing
@testable import Service

/// `engine.gemm` decides what the linear layers of the loaded model run on, and both choices
/// embed alike. Each engine keeps the kernel it was loaded with, whatever loads after it.
@Suite struct GEMMSelectionTests {
    static func engine(gemm: String) throws -> EmbeddingEngine {
        let configuration = try ConfigurationLoader(overrides: [
            "models.clip": LiveService.fixtures.appendingPathComponent("engine/tiny-clip").path,
            "engine.gemm": gemm,
        ]).load()
        return try EngineFactory.make(configuration: configuration).engine
    }

    static func layouts(_ engine: EmbeddingEngine) -> Set<PreparedWeight.Layout> {
        let weights = engine.clip.model.weights
        let layers = weights.visionModel.layers + (weights.textModel?.layers ?? [])
        return Set(layers.flatMap { [$0.selfAttn.qkvProj.weight.layout, $0.mlp.fc2.weight.layout] }
            + [weights.visionModel.patchEmbedding.layout, weights.textProjection.weight.layout])
    }

    @Test func openblasKeepsEveryWeightPlainAndAutoTakesTheBestKernel() async throws {
        let openblas = try Self.engine(gemm: "openblas")
        #expect(Self.layouts(openblas) == [.plain])
        let auto = try Self.engine(gemm: "auto")
        #expect(Self.layouts(auto) == [.bestAvailable])
        // Loading the second changed nothing of the first.
        #expect(Self.layouts(openblas) == [.plain])
        #expect(openblas.clip.options.kernelReport.contains("OpenBLAS cblas_sgemm"))

        let texts = ["a photo of a cat", "two red circles", ""]
        let deadline = ContinuousClock.now + .seconds(30)
        let a = try await openblas.embedTexts(texts, language: .en, deadline: deadline)
        let b = try await auto.embedTexts(texts, language: .en, deadline: deadline)
        for (x, y) in zip(a, b) {
            var (dot, xx, yy) = (0.0, 0.0, 0.0)
            for (p, q) in zip(x.vector, y.vector) {
                dot += Double(p) * Double(q)
                xx += Double(p) * Double(p)
                yy += Double(q) * Double(q)
            }
            let cosine = dot / (xx * yy).squareRoot()
            #expect(cosine >= 0.999999, "the two kernels disagree: cosine \(cosine)")
        }
        #expect(a.count == texts.count && b.count == texts.count)
    }

    /// Each micro-kernel can be forced where the CPU has it, and one it lacks is refused at
    /// configuration time, naming the key.
    @Test func aForcedMicroKernelIsUsedOrRefused() async throws {
        for kernel in [GEMMKernel.avx512, .avx2] {
            if kernel.isAvailable {
                let instructionSet: PreparedWeight.InstructionSet = kernel == .avx512 ? .avx512 : .avx2
                let engine = try Self.engine(gemm: kernel.rawValue)
                #expect(Self.layouts(engine) == [.packed(instructionSet)])
                #expect(engine.clip.options.kernelReport.contains("packed kernel (\(instructionSet))"))
            } else {
                #expect {
                    try ConfigurationLoader(overrides: ["engine.gemm": kernel.rawValue]).load()
                } throws: { "\($0)".contains("engine.gemm") && "\($0)".contains("lacks") }
            }
        }
    }

    @Test func anUnknownChoiceIsRefusedByName() {
        #expect(throws: (any Error).self) {
            try ConfigurationLoader(overrides: ["engine.gemm": "mkl"]).load()
        }
        do {
            _ = try ConfigurationLoader(overrides: ["engine.gemm": "mkl"]).load()
        } catch {
            #expect("\(error)".contains("engine.gemm"), "\(error)")
        }
    }
}
