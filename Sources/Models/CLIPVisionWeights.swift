import Numerics

/// `vision_model.*` of a CLIP checkpoint (modeling_clip.py, `CLIPVisionTransformer`).
public struct CLIPVisionWeights: Sendable {
    /// `embeddings.class_embedding` [width]
    public let classEmbedding: TensorBuffer
    /// `embeddings.patch_embedding.weight` [width, channels, patch, patch] — a bias-free
    /// stride-`patch` convolution, applied as one GEMM over im2col rows [channels·patch·patch],
    /// so prepared as a linear weight [width, channels·patch·patch].
    public let patchEmbedding: PreparedWeight
    /// `embeddings.position_embedding.weight` [patches + 1, width]
    public let positionEmbedding: TensorBuffer
    /// `pre_layrnorm` (sic: the checkpoint's spelling).
    public let preLayrnorm: LayerNormWeights
    public let layers: [CLIPEncoderLayerWeights]
    public let postLayernorm: LayerNormWeights

    init(from source: some WeightSource, config c: CLIPVisionConfiguration, options: ModelLoadOptions) throws {
        let width = c.hiddenSize
        classEmbedding = try source.load("vision_model.embeddings.class_embedding", shape: [width])
        patchEmbedding = try options.prepared(
            try source.load(
                "vision_model.embeddings.patch_embedding.weight", shape: [width, c.numChannels, c.patchSize, c.patchSize]),
            outFeatures: width, inFeatures: c.numChannels * c.patchSize * c.patchSize)
        positionEmbedding = try source.load("vision_model.embeddings.position_embedding.weight", shape: [c.numPositions, width])
        preLayrnorm = try LayerNormWeights(from: source, prefix: "vision_model.pre_layrnorm", width: width, eps: c.layerNormEps)
        layers = try (0..<c.numHiddenLayers).map { i in
            try CLIPEncoderLayerWeights(
                from: source, prefix: "vision_model.encoder.layers.\(i)", width: width, intermediate: c.intermediateSize,
                eps: c.layerNormEps, options: options)
        }
        postLayernorm = try LayerNormWeights(from: source, prefix: "vision_model.post_layernorm", width: width, eps: c.layerNormEps)
    }
}
