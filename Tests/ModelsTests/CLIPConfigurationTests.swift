import Foundation
import TestSupport
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

    @Test func chineseCLIPHasABERTTextTower() throws {
        let c = try CLIPConfiguration.load(contentsOf: publishedFixture("chinese-clip-type").appendingPathComponent("config.json"))
        let text = try #require(c.text.bert)
        #expect(c.text.tower == .bert && c.text.clip == nil && text.positions == .fromZero && text.vocabSize == 21128)
        #expect(text.hiddenSize == 44 && text.numAttentionHeads == 4 && text.numHiddenLayers == 2 && text.intermediateSize == 60)
        #expect(text.maxPositionEmbeddings == 64 && text.layerNormEps == 1e-12 && text.typeVocabSize == 2)
        #expect(c.vision.imageSize == 40 && c.vision.patchSize == 8 && c.vision.hiddenSize == 48 && c.vision.hiddenAct == .quickGELU)
        #expect(c.projectionDim == 24)
        // ChineseCLIPTextConfig's defaults are BertConfig's.
        let defaults = try CLIPConfiguration(json: Data(#"{"model_type": "chinese_clip"}"#.utf8))
        #expect(defaults.text == .bert(try BERTConfiguration(json: Data(#"{"model_type": "bert"}"#.utf8))))
        #expect(defaults.projectionDim == 512 && defaults.vision.patchSize == 32)
        // Its checkpoint: a text model without a pooler, both projections bias-free, the trained scale.
        let model = try CLIPModel.load(directory: publishedFixture("chinese-clip-type"))
        #expect(model.textTower == .bert && model.weights.text.bert?.pooler == nil && model.weights.textModel == nil)
        #expect(model.weights.textProjection.bias == nil && model.weights.textProjection.inFeatures == 44)
        #expect(model.logitScale.isFinite)
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
        #expect(error(#"{"model_type": "bert"}"#)
            == .invalidConfig(key: "model_type", reason: "expected \"clip\" or \"chinese_clip\", got \"bert\""))
        // Chinese-CLIP's text_config is a BERT's: its keys are named under text_config.
        #expect(error(#"{"model_type": "chinese_clip", "text_config": {"hidden_act": "silu"}}"#)?.description.contains("'text_config.hidden_act'") == true)
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
