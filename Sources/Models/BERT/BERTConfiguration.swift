import Foundation

/// A BERT model's `config.json`: `model_type: bert` (bert-base-chinese, chinese-roberta-wwm-ext —
/// a BERT despite its name) or `roberta` / `xlm-roberta` (the same encoder with positions counted
/// after the padding id, `BERTPositions.afterPadding`). Defaults are those of transformers'
/// `BertConfig` (models/bert/configuration_bert.py) for keys a file leaves out, except
/// `pad_token_id`, which is 1 for the RoBERTa types (`RobertaConfig`, `XLMRobertaConfig`).
public struct BERTConfiguration: Sendable, Equatable {
    public var vocabSize: Int
    public var hiddenSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var intermediateSize: Int
    public var hiddenAct: BERTActivation
    public var maxPositionEmbeddings: Int
    public var typeVocabSize: Int
    public var layerNormEps: Float
    public var padTokenID: Int
    public var positions: BERTPositions

    /// The model types read as this configuration, and how each counts positions.
    static let modelTypes: [String: BERTPositions] = ["bert": .fromZero, "roberta": .afterPadding, "xlm-roberta": .afterPadding]

    public init(
        vocabSize: Int, hiddenSize: Int, numHiddenLayers: Int, numAttentionHeads: Int, intermediateSize: Int,
        hiddenAct: BERTActivation, maxPositionEmbeddings: Int, typeVocabSize: Int, layerNormEps: Float, padTokenID: Int,
        positions: BERTPositions = .fromZero
    ) {
        self.vocabSize = vocabSize
        self.hiddenSize = hiddenSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.intermediateSize = intermediateSize
        self.hiddenAct = hiddenAct
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.typeVocabSize = typeVocabSize
        self.layerNormEps = layerNormEps
        self.padTokenID = padTokenID
        self.positions = positions
    }

    /// The longest token sequence the position table serves: `max_position_embeddings`, less
    /// the `pad_token_id + 1` rows RoBERTa-type models skip.
    public var maxSequenceLength: Int {
        switch positions {
        case .fromZero: maxPositionEmbeddings
        case .afterPadding: maxPositionEmbeddings - padTokenID - 1
        }
    }

    public var headDim: Int { hiddenSize / numAttentionHeads }

    public static func load(contentsOf url: URL) throws -> BERTConfiguration {
        try BERTConfiguration(json: try ConfigReader.data(contentsOf: url))
    }

    public init(json data: Data) throws {
        let (config, modelType) = try ConfigReader.modelConfig(data, modelTypes: Self.modelTypes.keys.sorted())
        try self.init(reading: config, positions: Self.modelTypes[modelType] ?? .fromZero)
    }

    /// Reads the keys of `config` (the root, or a nested `text_config`); errors name them by path.
    init(reading config: ConfigReader, positions: BERTPositions) throws {
        self.positions = positions
        // Relative position embeddings add learned distance terms to the attention scores;
        // this port computes absolute positions only and says so rather than diverge silently.
        let embeddingType = try config.string("position_embedding_type", default: "absolute") ?? "absolute"
        guard embeddingType == "absolute" else {
            throw ModelError.invalidConfig(
                key: config.path("position_embedding_type"), reason: "\"\(embeddingType)\" is not supported (only \"absolute\")")
        }
        if let decoder = config.object["is_decoder"] as? Bool, decoder {
            throw ModelError.invalidConfig(key: config.path("is_decoder"), reason: "a decoder (causal) BERT is not supported")
        }
        vocabSize = try config.positiveInt("vocab_size", default: 30522)
        hiddenSize = try config.positiveInt("hidden_size", default: 768)
        numHiddenLayers = try config.int("num_hidden_layers", default: 12)
        numAttentionHeads = try config.positiveInt("num_attention_heads", default: 12)
        intermediateSize = try config.positiveInt("intermediate_size", default: 3072)
        let act = try config.string("hidden_act", default: BERTActivation.gelu.rawValue) ?? BERTActivation.gelu.rawValue
        guard let activation = BERTActivation(rawValue: act) else {
            throw ModelError.invalidConfig(
                key: config.path("hidden_act"),
                reason: "unsupported activation '\(act)' (supported: \(BERTActivation.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        hiddenAct = activation
        maxPositionEmbeddings = try config.positiveInt("max_position_embeddings", default: 512)
        typeVocabSize = try config.positiveInt("type_vocab_size", default: 2)
        let eps = try config.double("layer_norm_eps", default: 1e-12)
        guard eps > 0 else { throw ModelError.invalidConfig(key: config.path("layer_norm_eps"), reason: "must be positive, got \(eps)") }
        layerNormEps = Float(eps)
        padTokenID = try config.int("pad_token_id", default: positions == .afterPadding ? 1 : 0)
        guard numHiddenLayers >= 0 else {
            throw ModelError.invalidConfig(key: config.path("num_hidden_layers"), reason: "must not be negative")
        }
        if positions == .afterPadding {
            guard padTokenID >= 0, maxSequenceLength >= 1 else {
                throw ModelError.invalidConfig(
                    key: config.path("max_position_embeddings"),
                    reason: "\(maxPositionEmbeddings) leaves no position after pad_token_id \(padTokenID) (positions start at pad_token_id + 1)")
            }
        }
        guard hiddenSize % numAttentionHeads == 0 else {
            throw ModelError.invalidConfig(
                key: config.path("num_attention_heads"),
                reason: "hidden_size \(hiddenSize) is not divisible by \(numAttentionHeads) heads")
        }
    }
}
