import Numerics

/// Every tensor of a `CLIPModel` checkpoint, checked against the configuration's shapes.
/// Loading is separate from computing: the forward passes only read these.
public struct CLIPWeights: Sendable {
    /// The configuration these tensors were loaded (and shape-checked) against; the forward
    /// passes take their sizes from it, so weights and sizes can never disagree.
    public let configuration: CLIPConfiguration
    public let visionModel: CLIPVisionWeights
    /// `text_model.*`: CLIP's text transformer, or Chinese-CLIP's BERT.
    public let text: CLIPTextTowerWeights
    /// `visual_projection.weight` [projection_dim, vision width], no bias.
    public let visualProjection: LinearWeights
    /// `text_projection.weight` [projection_dim, text width], no bias.
    public let textProjection: LinearWeights
    /// `logit_scale` (a scalar, log of the temperature's inverse): the trained value.
    public let logitScale: Float
    /// What every linear layer was prepared for; what the model's adapters and prompts load with.
    public let options: ModelLoadOptions

    /// CLIP's text transformer; nil when the text tower is a BERT.
    public var textModel: CLIPTextWeights? { text.clip }

    /// Every linear layer (the patch embedding too) is prepared as `options` says.
    public init(from source: some WeightSource, configuration c: CLIPConfiguration, options: ModelLoadOptions = .standard) throws {
        try c.validate()
        configuration = c
        self.options = options
        visionModel = try CLIPVisionWeights(from: source, config: c.vision, options: options)
        switch c.text {
        case .clip(let t):
            text = .clip(try CLIPTextWeights(from: source, config: t, options: options))
        case .bert(let t):
            // Chinese-CLIP builds its text model with add_pooling_layer=False: there is no pooler.
            text = .bert(
                try BERTWeights(from: PrefixedWeightSource(base: source, prefix: "text_model."), config: t, pooler: false, options: options))
        }
        visualProjection = try LinearWeights(
            from: source, prefix: "visual_projection", inFeatures: c.vision.hiddenSize, outFeatures: c.projectionDim,
            bias: false, options: options)
        textProjection = try LinearWeights(
            from: source, prefix: "text_projection", inFeatures: c.text.hiddenSize, outFeatures: c.projectionDim, bias: false, options: options)
        logitScale = try source.load("logit_scale", shape: []).tensor.scalars[0]
    }
}
