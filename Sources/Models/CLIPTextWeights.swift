import Numerics

/// `text_model.*` of a CLIP checkpoint (modeling_clip.py, `CLIPTextTransformer`).
public struct CLIPTextWeights: Sendable {
    /// `embeddings.token_embedding.weight` [vocab, width]
    public let tokenEmbedding: TensorBuffer
    /// `embeddings.position_embedding.weight` [max_position_embeddings, width]
    public let positionEmbedding: TensorBuffer
    public let layers: [CLIPEncoderLayerWeights]
    public let finalLayerNorm: LayerNormWeights

    init(from source: some WeightSource, config c: CLIPTextConfiguration, options: ModelLoadOptions) throws {
        let width = c.hiddenSize
        tokenEmbedding = try source.load("text_model.embeddings.token_embedding.weight", shape: [c.vocabSize, width])
        positionEmbedding = try source.load(
            "text_model.embeddings.position_embedding.weight", shape: [c.maxPositionEmbeddings, width])
        layers = try (0..<c.numHiddenLayers).map { i in
            try CLIPEncoderLayerWeights(
                from: source, prefix: "text_model.encoder.layers.\(i)", width: width, intermediate: c.intermediateSize,
                eps: c.layerNormEps, options: options)
        }
        finalLayerNorm = try LayerNormWeights(from: source, prefix: "text_model.final_layer_norm", width: width, eps: c.layerNormEps)
    }
}
