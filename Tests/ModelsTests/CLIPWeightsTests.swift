import Foundation
import Testing
@testable import Models
@testable import Numerics

/// Loading against a checkpoint that lacks a tensor or has one of the wrong shape.
@Suite struct CLIPWeightsTests {
    /// The fixture checkpoint with one tensor dropped or replaced.
    struct EditedCheckpoint: WeightSource {
        let base: SafeTensorsFile
        var dropped: String?
        var replaced: (String, Tensor)?

        func tensor(named name: String, expectedShape: [Int]) throws -> Tensor {
            if name == dropped { throw ModelError.missingTensor(name) }
            if let (target, tensor) = replaced, target == name { return tensor }
            return try base.tensor(named: name)
        }
    }

    static func fixture() throws -> (CLIPConfiguration, SafeTensorsFile) {
        let directory = clipFixture("tiny-gelu-p16")
        return (
            try CLIPConfiguration.load(contentsOf: directory.appendingPathComponent("config.json")),
            try SafeTensorsFile(path: directory.appendingPathComponent("model.safetensors").path)
        )
    }

    @Test func everyTensorOfTheFixtureLoadsWithTheExpectedLayerStructure() throws {
        let (config, file) = try Self.fixture()
        let weights = try CLIPWeights(from: file, configuration: config)
        let text = try #require(weights.textModel)
        try #require(weights.visionModel.layers.count == 3 && text.layers.count == 2)
        #expect(weights.visionModel.layers[2].mlp.fc1.outFeatures == 200 && weights.visionModel.layers[2].mlp.fc1.inFeatures == 96)
        #expect(weights.visionModel.patchEmbedding.outFeatures == 96)
        #expect(weights.visionModel.patchEmbedding.inFeatures == 3 * 16 * 16)
        #expect(weights.textProjection.outFeatures == 40 && weights.textProjection.inFeatures == 64)
        #expect(weights.textProjection.bias == nil)
    }

    @Test func missingTensorIsNamed() throws {
        let (config, file) = try Self.fixture()
        let source = EditedCheckpoint(base: file, dropped: "text_model.encoder.layers.1.mlp.fc2.bias")
        #expect(throws: ModelError.missingTensor("text_model.encoder.layers.1.mlp.fc2.bias")) {
            try CLIPWeights(from: source, configuration: config)
        }
    }

    @Test func misShapedTensorIsNamedWithBothShapes() throws {
        let (config, file) = try Self.fixture()
        let wrong = try Tensor(zeros: [96, 95])
        let source = EditedCheckpoint(base: file, replaced: ("vision_model.encoder.layers.0.self_attn.k_proj.weight", wrong))
        #expect(throws: ModelError.tensorShapeMismatch(
            tensor: "vision_model.encoder.layers.0.self_attn.k_proj.weight", expected: [96, 96], actual: [96, 95])) {
            try CLIPWeights(from: source, configuration: config)
        }
    }

    @Test func configurationsBuiltInCodeAreValidatedBeforeLoading() throws {
        var (config, file) = try Self.fixture()
        config.vision.patchSize = 0
        #expect(throws: ModelError.invalidConfig(key: "vision_config.patch_size", reason: "must be positive, got 0")) {
            try CLIPWeights(from: file, configuration: config)
        }
        (config, _) = try Self.fixture()
        var text = try #require(config.text.clip)
        text.numAttentionHeads = 3
        config.text = .clip(text)
        #expect(throws: ModelError.invalidConfig(
            key: "text_config.num_attention_heads", reason: "hidden_size 64 is not divisible by 3 heads")) {
            try CLIPWeights(from: file, configuration: config)
        }
    }

    @Test func configDisagreeingWithTheCheckpointIsCaught() throws {
        var (config, file) = try Self.fixture()
        config.vision.patchSize = 8  // 6×6 grid: 37 positions, but the checkpoint has 10
        #expect(throws: ModelError.tensorShapeMismatch(
            tensor: "vision_model.embeddings.patch_embedding.weight", expected: [96, 3, 8, 8], actual: [96, 3, 16, 16])) {
            try CLIPWeights(from: file, configuration: config)
        }
    }
}
