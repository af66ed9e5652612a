import Numerics

/// Hyper-parameters of CLIP's text tower (`text_config` in config.json).
/// Defaults are those of transformers' `CLIPTextConfig` (configuration_clip.py).
public struct CLIPTextConfiguration: Sendable, Equatable {
    public var vocabSize: Int
    public var maxPositionEmbeddings: Int
    public var hiddenSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var intermediateSize: Int
    public var hiddenAct: Activation
    public var layerNormEps: Float
    public var bosTokenID: Int
    public var eosTokenID: Int
    public var padTokenID: Int

    public init(
        vocabSize: Int, maxPositionEmbeddings: Int, hiddenSize: Int, numHiddenLayers: Int, numAttentionHeads: Int,
        intermediateSize: Int, hiddenAct: Activation, layerNormEps: Float, bosTokenID: Int, eosTokenID: Int,
        padTokenID: Int
    ) {
        self.vocabSize = vocabSize
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.hiddenSize = hiddenSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.intermediateSize = intermediateSize
        self.hiddenAct = hiddenAct
        self.layerNormEps = layerNormEps
        self.bosTokenID = bosTokenID
        self.eosTokenID = eosTokenID
        self.padTokenID = padTokenID
    }

    public var headDim: Int { hiddenSize / numAttentionHeads }

    /// Checkpoints saved before transformers PR #24773 carry `eos_token_id: 2`; for them the
    /// text is pooled at the largest token id (CLIP's end-of-text is the last vocabulary entry).
    /// Reference: modeling_clip.py, `CLIPTextTransformer.forward`.
    public var poolsAtLargestTokenID: Bool { eosTokenID == 2 }

    init(reading config: ConfigReader) throws {
        vocabSize = try config.positiveInt("vocab_size", default: 49408)
        maxPositionEmbeddings = try config.positiveInt("max_position_embeddings", default: 77)
        hiddenSize = try config.positiveInt("hidden_size", default: 512)
        numHiddenLayers = try config.int("num_hidden_layers", default: 12)
        numAttentionHeads = try config.positiveInt("num_attention_heads", default: 8)
        intermediateSize = try config.positiveInt("intermediate_size", default: 2048)
        hiddenAct = try readActivation(config, default: .quickGELU)
        layerNormEps = Float(try config.double("layer_norm_eps", default: 1e-5))
        bosTokenID = try config.int("bos_token_id", default: 49406)
        eosTokenID = try config.int("eos_token_id", default: 49407)
        padTokenID = try config.int("pad_token_id", default: 1)
        guard numHiddenLayers >= 0 else {
            throw ModelError.invalidConfig(key: config.path("num_hidden_layers"), reason: "must not be negative")
        }
        guard hiddenSize % numAttentionHeads == 0 else {
            throw ModelError.invalidConfig(
                key: config.path("num_attention_heads"),
                reason: "hidden_size \(hiddenSize) is not divisible by \(numAttentionHeads) heads")
        }
    }
}
