import Engine
import Foundation
import Models
import Numerics
import Testing
@testable import Service

/// `engine.precision` and `engine.precision_min_cosine` from the configuration to every model the
/// service loads: checked by the loader, resolved and gated by `EngineFactory`.
@Suite struct PrecisionSelectionTests {
    static func configuration(_ overrides: [String: String]) throws -> AdaptCLIPConfiguration {
        let fixtures = LiveService.fixtures
        return try ConfigurationLoader(overrides: [
            "models.clip": fixtures.appendingPathComponent("engine/tiny-clip").path,
            "models.zh_encoder": fixtures.appendingPathComponent("bert/bert-tiny-a").path,
            "models.zh_adapter": fixtures.appendingPathComponent("engine/zh-adapter-v1").path,
        ].merging(overrides) { _, new in new }).load()
    }

    @Test func theDefaultIsFP32UnderTheDocumentedGate() throws {
        let configuration = try ConfigurationLoader().load()
        #expect(configuration.precision == .fp32)
        #expect(configuration.precisionMinimumCosine == PrecisionParity.minimumCosine)
        let loaded = try EngineFactory.make(configuration: try Self.configuration([:]))
        #expect(loaded.precision.options == .standard && loaded.precision.parity == nil)
    }

    @Test(arguments: [
        ("engine.precision", "fp16", "must be one of auto, fp32, bf16"),
        ("engine.precision", "", "must be one of auto, fp32, bf16"),
        ("engine.precision_min_cosine", "1.5", "must be a cosine in (0, 1]"),
        ("engine.precision_min_cosine", "0", "must be a cosine in (0, 1]"),
        ("engine.precision_min_cosine", "high", "engine.precision_min_cosine"),
    ])
    func aBadValueIsRefusedNamingTheKey(key: String, value: String, says: String) {
        #expect {
            try ConfigurationLoader(overrides: [key: value]).load()
        } throws: { "\($0)".contains(key) && "\($0)".contains(says) }
    }

    /// bf16 on this CPU: the CLIP passes its gate, and the Chinese encoder and the language
    /// adapter activated at start load in bf16 too.
    @Test(.needsBF16) func bf16ReachesEveryModelTheFactoryLoads() throws {
        let loaded = try EngineFactory.make(configuration: try Self.configuration(["engine.precision": "bf16"]))
        let outcome = loaded.precision
        #expect(outcome.options.precision == .bf16 && outcome.fallback == nil)
        #expect(try #require(outcome.parity).passes(minimumCosine: PrecisionParity.minimumCosine))
        let engine = loaded.engine
        #expect(engine.clip.model.weights.textProjection.weight.layout == .packedBF16)
        #expect(engine.chinese?.model.weights.layers.first?.attention.query.weight.layout == .packedBF16)
        guard case .adapter(let adapter)? = engine.languagePaths.active?.adapter else {
            Issue.record("the demo's language path is not its trained adapter")
            return
        }
        #expect(adapter.weights.downProj.weight.layout == .packedBF16)
    }

    /// Asked for by name, a bf16 that fails the configured gate stops the start, naming the key.
    @Test(.needsBF16) func bf16UnderAGateItFailsStopsTheStart() throws {
        let configuration = try Self.configuration(["engine.precision": "bf16", "engine.precision_min_cosine": "1"])
        #expect { try EngineFactory.make(configuration: configuration) } throws: { "\($0)".contains("engine.precision_min_cosine") }
    }

    @Test(.enabled(if: !Precision.bf16.isAvailable, "only a CPU without AVX512-BF16 can show the refusal"))
    func bf16IsRefusedByTheLoaderWhereTheCPUCannotRunIt() {
        #expect {
            try ConfigurationLoader(overrides: ["engine.precision": "bf16"]).load()
        } throws: { "\($0)".contains("engine.precision") && "\($0)".contains("AVX512-BF16") }
    }
}
