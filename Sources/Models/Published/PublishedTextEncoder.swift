import Foundation
import Numerics

/// A published text encoder trained into a CLIP's text space (Taiyi-CLIP, M-CLIP), as
/// `training/convert_checkpoint.py` converts it: a BERT-family encoder, a sentence vector and a
/// linear head whose outputs are the text features.
///
/// - taiyi-clip: `classifier(BertPooler(BERT(ids)))`, keys `bert.*` and `classifier.*`
///   (transformers' `BertForSequenceClassification`: the "logits" are the features).
/// - m-clip: `LinearTransformation(mean over the tokens of XLM-R(ids))`, keys `transformer.*`
///   and `LinearTransformation.*` (M-CLIP's `MultilingualCLIP.forward`).
///
/// Immutable and `Sendable`: any number of threads may encode at once.
public struct PublishedTextEncoder: Sendable {
    public let info: PublishedModelInfo
    public let model: BERTModel
    /// `classifier` or `LinearTransformation`: [projection_dim, hidden] with a bias.
    public let head: LinearWeights
    /// The sentence vector the head reads: the pooler (taiyi-clip) or the mean (m-clip).
    public let pooling: BERTPooling

    /// How each format lays out its checkpoint and forms its sentence vector.
    struct Layout {
        let encoderPrefix: String
        let headPrefix: String
        let pooling: BERTPooling
        let positions: BERTPositions
        let modelTypes: String

        init?(_ format: PublishedFormat) {
            switch format {
            case .taiyiCLIP:
                self.init(encoderPrefix: "bert.", headPrefix: "classifier", pooling: .pooler, positions: .fromZero, modelTypes: "bert")
            case .mCLIP:
                self.init(
                    encoderPrefix: "transformer.", headPrefix: "LinearTransformation", pooling: .mean, positions: .afterPadding,
                    modelTypes: "xlm-roberta or roberta")
            case .chineseCLIP:
                return nil
            }
        }

        private init(encoderPrefix: String, headPrefix: String, pooling: BERTPooling, positions: BERTPositions, modelTypes: String) {
            self.encoderPrefix = encoderPrefix
            self.headPrefix = headPrefix
            self.pooling = pooling
            self.positions = positions
            self.modelTypes = modelTypes
        }
    }

    /// The features' width (`adaptclip.projection_dim`, the head's rows).
    public var outputDimension: Int { info.projectionDim }
    /// The longest token sequence it accepts (the position table's, less RoBERTa's offset).
    public var maxPositions: Int { model.configuration.maxSequenceLength }
    /// The precision and kernel its linear layers were loaded with.
    public var options: ModelLoadOptions { model.options }

    /// Loads a converted directory: config.json with its `adaptclip` block (`PublishedModelInfo`)
    /// and model.safetensors. Refused, naming the file, key or tensor: a directory without the
    /// block, a whole-model format (chinese-clip: `CLIPModel.load`), a config of the wrong
    /// model type for the format, a missing encoder tensor, pooler or head, and any tensor whose
    /// shape disagrees with config.json (the head's rows with `adaptclip.projection_dim`).
    public static func load(directory: URL, options: ModelLoadOptions = .standard) throws -> PublishedTextEncoder {
        guard let info = try PublishedModelInfo.read(directory: directory) else {
            throw ModelError.invalidConfig(
                key: PublishedModelInfo.key,
                reason: "config.json in \(directory.path) has no adaptclip block: not a directory written by training/convert_checkpoint.py")
        }
        guard let layout = Layout(info.format) else {
            throw ModelError.unsupported(
                "\(directory.path) holds a \(info.format.rawValue) model, which has its own image tower: load it as the model, not as a text encoder")
        }
        let configuration = try BERTConfiguration.load(contentsOf: directory.appendingPathComponent("config.json"))
        guard configuration.positions == layout.positions else {
            throw ModelError.invalidConfig(
                key: "model_type", reason: "a \(info.format.rawValue) directory needs model_type \(layout.modelTypes)")
        }
        let file = try SafeTensorsFile(path: directory.appendingPathComponent("model.safetensors").path)
        let checkpoint = BERTCheckpoint(file: file, prefix: layout.encoderPrefix)
        let weights = try BERTWeights(from: checkpoint, config: configuration, pooler: layout.pooling == .pooler, options: options)
        let head = try loadHead(from: file, prefix: layout.headPrefix, info: info, hiddenSize: configuration.hiddenSize, options: options)
        return PublishedTextEncoder(
            info: info, model: BERTModel(configuration: configuration, weights: weights), head: head, pooling: layout.pooling)
    }

    /// The head, its rows checked against `adaptclip.projection_dim` first so that a
    /// disagreement names the key rather than only the tensor.
    private static func loadHead(
        from file: SafeTensorsFile, prefix: String, info: PublishedModelInfo, hiddenSize: Int, options: ModelLoadOptions
    ) throws -> LinearWeights {
        let weightName = "\(prefix).weight"
        guard let entry = file.entries[weightName] else {
            throw ModelError.missingTensor(
                "\(weightName) (the \(info.format.rawValue) head into the CLIP text space, [\(info.projectionDim), \(hiddenSize)])")
        }
        if entry.shape.count == 2, entry.shape[0] != info.projectionDim {
            throw ModelError.invalidConfig(
                key: "\(PublishedModelInfo.key).projection_dim",
                reason: "is \(info.projectionDim) but \(weightName) has shape \(entry.shape) (\(entry.shape[0]) outputs)")
        }
        return try LinearWeights(
            from: file, prefix: prefix, inFeatures: hiddenSize, outFeatures: info.projectionDim, bias: true, options: options)
    }

    /// Raw text features (not normalised), one row per sequence.
    ///
    ///     tokenIDs:   one array per text, each 1...maxPositions long, unpadded, as the format's
    ///                 tokenizer gives them (with its special tokens)
    ///     result:     [texts, outputDimension]
    ///     shouldStop: asked before every layer; true abandons the pass (`ModelError.stopped`)
    ///
    /// Each text is computed as if alone (no padding), which equals transformers' padded batch
    /// under the attention mask.
    public func encode(tokenIDs: [[Int]], shouldStop: () -> Bool = { false }) throws -> Tensor {
        guard !tokenIDs.isEmpty else { return try Tensor(zeros: [0, outputDimension]) }
        let vectors = TensorBuffer(try model.encode(tokenIDs: tokenIDs, shouldStop: shouldStop).vectors(pooling))
        let out = try TensorBuffer(shape: [tokenIDs.count, outputDimension])
        withExtendedLifetime(vectors) { head.apply(vectors.pointer, rows: tokenIDs.count, into: out.pointer) }
        return out.tensor
    }
}
