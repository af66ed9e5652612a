import Foundation
import Numerics
import TestSupport
import Testing
@testable import Engine
@testable import Models

/// `engine.precision` at load: what each choice resolves to on this CPU, the gate that bf16
/// passes before it serves, and what happens when it does not.
@Suite struct PrecisionGateTests {
    static func load(_ choice: PrecisionChoice, gemm: GEMMKernel = .auto, minimumCosine: Double = PrecisionParity.minimumCosine)
        throws(EngineError) -> (bundle: CLIPBundle, outcome: PrecisionGate.Outcome)
    {
        try PrecisionGate.loadCLIP(
            directory: EngineFixtures.tinyCLIP, name: "tiny-clip", choice: choice, gemm: gemm, minimumCosine: minimumCosine)
    }

    /// `auto` depends on the CPU and on `engine.gemm` alone, the same on every call: bf16 exactly
    /// where the CPU reports AVX512-BF16 and no fp32 kernel is forced.
    @Test func autoResolvesFromTheCPUAndTheKernelChoiceAlone() throws {
        #if os(Linux) && arch(x86_64)
        let hasBF16 = CPUDescription.current.flags.contains("avx512_bf16")
        #expect(try PrecisionGate.candidate(for: .auto, gemm: .auto) == (hasBF16 ? .bf16 : .fp32))
        #endif
        for gemm in GEMMKernel.allCases {
            let first = try PrecisionGate.candidate(for: .auto, gemm: gemm)
            #expect(try PrecisionGate.candidate(for: .auto, gemm: gemm) == first)
            if gemm != .auto { #expect(first == .fp32, "a forced \(gemm) is a request for that fp32 kernel") }
            #expect(try PrecisionGate.candidate(for: .fp32, gemm: gemm) == .fp32)
        }
    }

    @Test func fp32LoadsWithoutAGate() throws {
        let (bundle, outcome) = try Self.load(.fp32, gemm: .openblas)
        #expect(bundle.options == ModelLoadOptions(precision: .fp32, gemm: .openblas))
        #expect(outcome.parity == nil && outcome.fallback == nil)
        #expect(LoadOptionsTests.layouts(bundle.model) == [.plain])
    }

    /// bf16 on this CPU: the gate measures it against fp32 and it passes; the served model's
    /// embeddings of the engine goldens' texts stay within the gate of the fp32 model's.
    @Test(.needsBF16) func bf16PassesTheGateAndServesBF16() async throws {
        let (bundle, outcome) = try Self.load(.bf16)
        print("precision gate, engine/tiny-clip: \(outcome)")
        #expect(bundle.options.precision == .bf16)
        #expect(LoadOptionsTests.layouts(bundle.model) == [.packedBF16])
        let parity = try #require(outcome.parity)
        #expect(parity.passes(minimumCosine: outcome.minimumCosine) && parity.worstCosine < 1)
        #expect(outcome.fallback == nil)

        let fp32 = try CLIPBundle.load(directory: EngineFixtures.tinyCLIP, name: "tiny-clip")
        let batching = BatchLimits(maxBatchSize: 16, maxWait: .milliseconds(2), queueDepth: 256)
        let engines = [bundle, fp32].map { EmbeddingEngine(clip: $0, batching: batching, imageLimits: .init(maxPixels: 10_000_000)) }
        let texts = try EngineFixtures.goldens().texts.map(\.text)
        let bf16Vectors = try await engines[0].embedTexts(texts, language: .en, deadline: EngineFixtures.farDeadline)
        let fp32Vectors = try await engines[1].embedTexts(texts, language: .en, deadline: EngineFixtures.farDeadline)
        try #require(bf16Vectors.count == texts.count && fp32Vectors.count == texts.count)
        for (a, b) in zip(bf16Vectors, fp32Vectors) {
            #expect(Double(cosine(a.vector, b.vector)) >= PrecisionParity.minimumCosine)
        }
    }

    /// A gate no rounding can pass (cosine 1) refuses bf16 asked for by name, saying which
    /// setting it fell under.
    @Test(.needsBF16) func bf16UnderAnImpossibleGateIsRefused() throws {
        #expect {
            try Self.load(.bf16, minimumCosine: 1)
        } throws: { error in
            "\(error)".contains("engine.precision_min_cosine = 1.0") && "\(error)".contains("bf16 features fall to cosine")
        }
    }

    /// Under `auto` the same failure serves fp32 (the twin it was measured against), and says why.
    @Test(.needsBF16) func autoUnderAnImpossibleGateFallsBackToFP32() throws {
        let (bundle, outcome) = try Self.load(.auto, minimumCosine: 1)
        #expect(bundle.options == ModelLoadOptions(precision: .fp32, gemm: .auto))
        #expect(LoadOptionsTests.layouts(bundle.model) == [.bestAvailable])
        #expect(outcome.parity.map { !$0.passes(minimumCosine: 1) } == true)
        #expect(outcome.fallback?.contains("serving fp32") == true)
        #expect(outcome.description.hasPrefix("fp32 (engine.precision = auto); bf16 vs fp32 worst cosine"))
    }

    @Test(.enabled(if: !Precision.bf16.isAvailable, "only a CPU without AVX512-BF16 can show the refusal"))
    func bf16IsRefusedWhereTheCPUCannotRunIt() throws {
        #expect(throws: Precision.Unavailable(precision: .bf16)) { try PrecisionGate.candidate(for: .bf16, gemm: .auto) }
        #expect { try Self.load(.bf16) } throws: { "\($0)".contains("engine.precision = bf16") && "\($0)".contains("AVX512-BF16") }
        #expect(try Self.load(.auto).outcome.options.precision == .fp32)
    }
}
