import Foundation
import Testing
@testable import Models
@testable import Numerics

@Suite struct CLIPConfigurationTests {
    @Test func readsEveryFieldOfTheFixtureConfigs() throws {
        let a = try CLIPConfiguration.load(contentsOf: clipFixture("tiny-quickgelu-p8").appendingPathComponent("config.json"))
        #expect(a.vision == CLIPVisionConfiguration(
            imageSize: 32, patchSize: 8, hiddenSize: 64, numHiddenLayers: 2, numAttentionHeads: 4, intermediateSize: 256,
            hiddenAct: .quickGELU, layerNormEps: 1e-5, numChannels: 3))
        #expect(a.text == .clip(CLIPTextConfiguration(
            vocabSize: 1000, maxPositionEmbeddings: 77, hiddenSize: 48, numHiddenLayers: 2, numAttentionHeads: 4,
            intermediateSize: 192, hiddenAct: .quickGELU, layerNormEps: 1e-5, bosTokenID: 998, eosTokenID: 2, padTokenID: 1)))
        #expect(a.projectionDim == 32)
        #expect(a.logitScaleInitValue == 2.6592)
        #expect(a.vision.numPositions == 17 && a.text.clip?.headDim == 12)

        let b = try CLIPConfiguration.load(contentsOf: clipFixture("tiny-gelu-p16").appendingPathComponent("config.json"))
        #expect(b.vision.hiddenAct == .gelu && b.vision.gridSize == 3 && b.vision.intermediateSize == 200)
        #expect(b.vision.layerNormEps == 1e-6 && b.text.clip?.eosTokenID == 5 && b.projectionDim == 40)
    }

    /// ViT-B/32's config written the way transformers dumps it, minus keys it leaves at defaults.
    @Test func missingKeysTakeTransformersDefaults() throws {
        let json = #"{"model_type": "clip", "text_config": {}, "vision_config": {"patch_size": 16}}"#
        let config = try CLIPConfiguration(json: Data(json.utf8))
        #expect(config.vision.imageSize == 224 && config.vision.patchSize == 16 && config.vision.hiddenSize == 768)
        #expect(config.vision.numPositions == 197)
        #expect(config.text.vocabSize == 49408 && config.text.clip?.eosTokenID == 49407 && config.text.hiddenSize == 512)
        #expect(config.projectionDim == 512)
    }

    @Test func badValuesNameTheKey() throws {
        func error(_ json: String) -> ModelError? {
            do {
                _ = try CLIPConfiguration(json: Data(json.utf8))
                return nil
            } catch {
                return error as? ModelError
            }
        }
        #expect(error(#"{"model_type": "bert"}"#) == .invalidConfig(key: "model_type", reason: "expected \"clip\", got \"bert\""))
        #expect(error(#"{"model_type": "clip", "vision_config": {"hidden_act": "relu"}}"#)
            == .invalidConfig(key: "vision_config.hidden_act", reason: "unsupported activation 'relu' (supported: quick_gelu, gelu)"))
        #expect(error(#"{"model_type": "clip", "text_config": {"hidden_size": 50, "num_attention_heads": 8}}"#)
            == .invalidConfig(key: "text_config.num_attention_heads", reason: "hidden_size 50 is not divisible by 8 heads"))
        #expect(error(#"{"model_type": "clip", "vision_config": {"patch_size": 0}}"#)
            == .invalidConfig(key: "vision_config.patch_size", reason: "must be positive, got 0"))
        #expect(error(#"{"model_type": "clip", "projection_dim": "512"}"#)
            == .invalidConfig(key: "projection_dim", reason: "expected an integer, got 512"))
        #expect(error(#"{"model_type": "clip", "text_config": 3}"#) == .invalidConfig(key: "text_config", reason: "expected an object"))
        #expect(error("not json") == .invalidConfig(key: "", reason: "config.json is not valid JSON"))
    }
}
