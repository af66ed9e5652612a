import Foundation
import TestSupport
import Testing
@testable import Models
@testable import Numerics

/// A float32 safetensors file from named tensors (name, shape, values), for hand-made checkpoints.
func safeTensorsBytes(_ tensors: [(name: String, shape: [Int], values: [Float])]) -> Data {
    var header: [String] = []
    var body = Data()
    for (name, shape, values) in tensors {
        let begin = body.count
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { body.append(contentsOf: $0) } }
        header.append("\"\(name)\":{\"dtype\":\"F32\",\"shape\":\(shape),\"data_offsets\":[\(begin),\(body.count)]}")
    }
    let json = Data("{\(header.joined(separator: ","))}".utf8)
    var out = Data()
    withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
    return out + json + body
}

/// A temporary copy of the model directory `source` (config.json and model.safetensors only),
/// its tensors and config edited.
func editedModelCopy(
    of source: URL,
    tensors edit: (inout [(name: String, shape: [Int], values: [Float])]) -> Void = { _ in },
    config: ((inout [String: Any]) -> Void)? = nil
) throws -> URL {
    let directory = try TemporaryDirectory.make()
    var configObject = try #require(
        try JSONSerialization.jsonObject(with: Data(contentsOf: source.appendingPathComponent("config.json"))) as? [String: Any])
    config?(&configObject)
    try JSONSerialization.data(withJSONObject: configObject).write(to: directory.appendingPathComponent("config.json"))
    var tensors = try fixtureTensors(SafeTensorsFile(path: source.appendingPathComponent("model.safetensors").path))
    edit(&tensors)
    try safeTensorsBytes(tensors).write(to: directory.appendingPathComponent("model.safetensors"))
    return directory
}

/// Every tensor of a fixture checkpoint as float32, in name order.
func fixtureTensors(_ file: SafeTensorsFile) throws -> [(name: String, shape: [Int], values: [Float])] {
    try file.entries.keys.sorted().map { name in
        let tensor = try file.tensor(named: name)
        return (name, tensor.shape, tensor.scalars)
    }
}

@Suite struct BERTLoadingTests {
    /// A copy of bert-tiny-a whose tensors went through `edit`.
    static func editedCopy(
        of shape: String = "bert-tiny-a",
        tensors edit: (inout [(name: String, shape: [Int], values: [Float])]) -> Void = { _ in },
        config: ((inout [String: Any]) -> Void)? = nil
    ) throws -> URL {
        try editedModelCopy(of: bertFixture(shape), tensors: edit, config: config)
    }

    @Test func bothCheckpointLayoutsLoad() throws {
        let plain = try BERTModel.load(directory: bertFixture("bert-tiny-a"))
        #expect(plain.configuration.hiddenSize == 64 && plain.weights.layers.count == 2 && plain.weights.pooler != nil)
        #expect(plain.configuration.layerNormEps == 1e-12 && plain.configuration.hiddenAct == .gelu)
        // bert.-prefixed, LayerNorm.gamma/beta, cls.* heads present.
        let pretraining = try BERTModel.load(directory: bertFixture("bert-tiny-b"))
        #expect(pretraining.configuration.hiddenSize == 48 && pretraining.weights.layers.count == 3)
        #expect(pretraining.configuration.numAttentionHeads == 3 && pretraining.configuration.maxPositionEmbeddings == 40)
        #expect(pretraining.weights.pooler != nil)
        let checkpoint = try BERTCheckpoint(
            file: SafeTensorsFile(path: bertFixture("bert-tiny-b").appendingPathComponent("model.safetensors").path))
        #expect(checkpoint.prefix == "bert.")
        #expect(checkpoint.storedName(of: "embeddings.LayerNorm.weight") == "bert.embeddings.LayerNorm.gamma")
        #expect(checkpoint.storedName(of: "encoder.layer.2.output.LayerNorm.bias") == "bert.encoder.layer.2.output.LayerNorm.beta")
    }

    @Test func missingTensorIsNamed() throws {
        let directory = try Self.editedCopy { $0.removeAll { $0.name == "encoder.layer.1.attention.self.key.bias" } }
        #expect(throws: ModelError.missingTensor("encoder.layer.1.attention.self.key.bias")) {
            try BERTModel.load(directory: directory)
        }
        let prefixed = try Self.editedCopy(of: "bert-tiny-b") { $0.removeAll { $0.name == "bert.encoder.layer.2.output.LayerNorm.gamma" } }
        #expect(throws: ModelError.missingTensor("bert.encoder.layer.2.output.LayerNorm.weight")) {
            try BERTModel.load(directory: prefixed)
        }
    }

    @Test func misShapedTensorIsNamedWithBothShapes() throws {
        let directory = try Self.editedCopy { tensors in
            guard let i = tensors.firstIndex(where: { $0.name == "encoder.layer.0.intermediate.dense.weight" }) else { return }
            tensors[i].shape = [64, 128]
        }
        #expect(throws: ModelError.tensorShapeMismatch(
            tensor: "encoder.layer.0.intermediate.dense.weight", expected: [128, 64], actual: [64, 128])) {
            try BERTModel.load(directory: directory)
        }
        let legacy = try Self.editedCopy(of: "bert-tiny-b") { tensors in
            guard let i = tensors.firstIndex(where: { $0.name == "bert.embeddings.LayerNorm.beta" }) else { return }
            tensors[i] = (tensors[i].name, [47], Array(tensors[i].values.prefix(47)))
        }
        #expect(throws: ModelError.tensorShapeMismatch(tensor: "bert.embeddings.LayerNorm.beta", expected: [48], actual: [47])) {
            try BERTModel.load(directory: legacy)
        }
    }

    @Test func fileWithoutWordEmbeddingsIsNotABERT() throws {
        let directory = try Self.editedCopy { $0.removeAll { $0.name == "embeddings.word_embeddings.weight" } }
        #expect(throws: ModelError.self) { try BERTModel.load(directory: directory) }
        do {
            _ = try BERTModel.load(directory: directory)
        } catch {
            #expect("\(error)".contains(
                "looked for embeddings.word_embeddings.weight, bert.embeddings.word_embeddings.weight, "
                    + "transformer.embeddings.word_embeddings.weight, text_model.embeddings.word_embeddings.weight"))
        }
    }

    @Test func checkpointWithoutPoolerHasNoPoolerVector() throws {
        let directory = try Self.editedCopy { $0.removeAll { $0.name.hasPrefix("pooler.") } }
        let model = try BERTModel.load(directory: directory)
        #expect(model.weights.pooler == nil)
        let output = try model.encode(tokenIDs: [[101, 300, 102]])
        #expect(output.pooler == nil)
        #expect(try output.vectors(BERTPooling.cls) == output.cls)
        #expect(throws: ModelError.self) { try output.vectors(BERTPooling.pooler) }

        let half = try Self.editedCopy { $0.removeAll { $0.name == "pooler.dense.bias" } }
        #expect(throws: ModelError.missingTensor("pooler.dense.bias")) { try BERTModel.load(directory: half) }
    }

    @Test func unsupportedConfigurationsAreRefusedByKey() throws {
        let cases: [(String, Any, String)] = [
            ("model_type", "distilbert", "model_type"),
            ("hidden_act", "silu", "hidden_act"),
            ("position_embedding_type", "relative_key", "position_embedding_type"),
            ("num_attention_heads", 5, "num_attention_heads"),
            ("is_decoder", true, "is_decoder"),
        ]
        for (key, value, named) in cases {
            let directory = try Self.editedCopy(config: { $0[key] = value })
            do {
                _ = try BERTModel.load(directory: directory)
                Issue.record("config \(key) = \(value) was accepted")
            } catch let error as ModelError {
                guard case .invalidConfig(let reportedKey, _) = error else {
                    Issue.record("config \(key): \(error)")
                    continue
                }
                #expect(reportedKey == named, "\(error)")
            }
        }
    }

    @Test func configDefaultsAreBertConfigs() throws {
        let configuration = try BERTConfiguration(json: Data(#"{"model_type": "bert"}"#.utf8))
        #expect(configuration == BERTConfiguration(
            vocabSize: 30522, hiddenSize: 768, numHiddenLayers: 12, numAttentionHeads: 12, intermediateSize: 3072,
            hiddenAct: .gelu, maxPositionEmbeddings: 512, typeVocabSize: 2, layerNormEps: 1e-12, padTokenID: 0))
    }

    /// Values from transformers.activations.ACT2FN (torch 2.13, float32).
    @Test func activationsMatchTransformers() {
        let x: [Float] = [-3.0, -1.5, -0.5, 0.0, 0.25, 1.0, 2.5]
        let expected: [BERTActivation: [Float]] = [
            .gelu: [-0.004050225019454956, -0.10021086037158966, -0.1542687714099884, 0.0, 0.14967657625675201, 0.8413447141647339, 2.48447585105896],
            .geluNew: [-0.0036374330520629883, -0.10042843222618103, -0.1542859971523285, 0.0, 0.14967535436153412, 0.8411920070648193, 2.4849157333374023],
            .geluPyTorchTanh: [-0.0036374330520629883, -0.10042843222618103, -0.1542859971523285, 0.0, 0.14967535436153412, 0.8411920070648193, 2.4849157333374023],
            .relu: [0, 0, 0, 0, 0.25, 1.0, 2.5],
        ]
        for activation in BERTActivation.allCases {
            var y = x
            y.withUnsafeMutableBufferPointer { activation.apply($0.baseAddress!, count: $0.count) }
            let reference = expected[activation] ?? []
            let maxAbs = zip(y, reference).map { abs($0 - $1) }.max() ?? .infinity
            #expect(reference.count == x.count && maxAbs <= 1e-6, "\(activation): \(y) vs \(reference)")
        }
    }
}
