import Numerics

/// Hyper-parameters of CLIP's vision tower (`vision_config` in config.json).
/// Defaults are those of transformers' `CLIPVisionConfig` (configuration_clip.py), which
/// applies them to keys a config.json omits.
public struct CLIPVisionConfiguration: Sendable, Equatable {
    public var imageSize: Int
    public var patchSize: Int
    public var hiddenSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var intermediateSize: Int
    public var hiddenAct: Activation
    public var layerNormEps: Float
    public var numChannels: Int

    public init(
        imageSize: Int, patchSize: Int, hiddenSize: Int, numHiddenLayers: Int, numAttentionHeads: Int,
        intermediateSize: Int, hiddenAct: Activation, layerNormEps: Float, numChannels: Int
    ) {
        self.imageSize = imageSize
        self.patchSize = patchSize
        self.hiddenSize = hiddenSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.intermediateSize = intermediateSize
        self.hiddenAct = hiddenAct
        self.layerNormEps = layerNormEps
        self.numChannels = numChannels
    }

    /// Patches per side: the stride-`patchSize` convolution floors, as `nn.Conv2d` does.
    public var gridSize: Int { imageSize / patchSize }
    public var numPatches: Int { gridSize * gridSize }
    /// Tokens per image: the class token then one per patch.
    public var numPositions: Int { numPatches + 1 }
    public var headDim: Int { hiddenSize / numAttentionHeads }

    init(reading config: ConfigReader) throws {
        imageSize = try config.positiveInt("image_size", default: 224)
        patchSize = try config.positiveInt("patch_size", default: 32)
        hiddenSize = try config.positiveInt("hidden_size", default: 768)
        numHiddenLayers = try config.int("num_hidden_layers", default: 12)
        numAttentionHeads = try config.positiveInt("num_attention_heads", default: 12)
        intermediateSize = try config.positiveInt("intermediate_size", default: 3072)
        hiddenAct = try readActivation(config, default: .quickGELU)
        layerNormEps = Float(try config.double("layer_norm_eps", default: 1e-5))
        numChannels = try config.positiveInt("num_channels", default: 3)
        guard numHiddenLayers >= 0 else {
            throw ModelError.invalidConfig(key: config.path("num_hidden_layers"), reason: "must not be negative")
        }
        guard hiddenSize % numAttentionHeads == 0 else {
            throw ModelError.invalidConfig(
                key: config.path("num_attention_heads"),
                reason: "hidden_size \(hiddenSize) is not divisible by \(numAttentionHeads) heads")
        }
        guard patchSize <= imageSize else {
            throw ModelError.invalidConfig(key: config.path("patch_size"), reason: "\(patchSize) exceeds image_size \(imageSize)")
        }
    }
}

func readActivation(_ config: ConfigReader, default fallback: Activation) throws -> Activation {
    let name = try config.string("hidden_act", default: fallback.rawValue) ?? fallback.rawValue
    guard let activation = Activation(rawValue: name) else {
        throw ModelError.invalidConfig(
            key: config.path("hidden_act"),
            reason: "unsupported activation '\(name)' (supported: \(Activation.allCases.map(\.rawValue).joined(separator: ", ")))")
    }
    return activation
}
