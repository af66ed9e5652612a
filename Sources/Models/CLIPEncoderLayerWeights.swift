import Numerics

/// `CLIPAttention`: `self_attn.{q,k,v,out}_proj`, each [width, width] with a bias.
///
/// q, k and v are stacked at load into one [3·width, width] projection: they read the same
/// input, and one GEMM with three times the output columns replaces three calls, each of
/// which packs its input and, at few rows (one image is 50 tokens), synchronises the
/// threads for little work. Attention reads the [tokens, 3·width] result in place.
public struct CLIPAttentionWeights: Sendable {
    /// Rows 0..<width are q_proj, width..<2·width k_proj, 2·width..<3·width v_proj.
    public let qkvProj: LinearWeights
    public let outProj: LinearWeights

    init(from source: some WeightSource, prefix: String, width: Int, options: ModelLoadOptions) throws {
        qkvProj = try LinearWeights(
            stacking: ["q_proj", "k_proj", "v_proj"].map { "\(prefix).\($0)" }, from: source, inFeatures: width,
            outFeatures: width, bias: true, options: options)
        outProj = try LinearWeights(from: source, prefix: "\(prefix).out_proj", inFeatures: width, outFeatures: width, bias: true, options: options)
    }
}

/// `CLIPMLP`: `mlp.fc1` [intermediate, width] and `mlp.fc2` [width, intermediate].
public struct CLIPMLPWeights: Sendable {
    public let fc1: LinearWeights
    public let fc2: LinearWeights

    init(from source: some WeightSource, prefix: String, width: Int, intermediate: Int, options: ModelLoadOptions) throws {
        fc1 = try LinearWeights(from: source, prefix: "\(prefix).fc1", inFeatures: width, outFeatures: intermediate, bias: true, options: options)
        fc2 = try LinearWeights(from: source, prefix: "\(prefix).fc2", inFeatures: intermediate, outFeatures: width, bias: true, options: options)
    }
}

/// `CLIPEncoderLayer` (`<tower>.encoder.layers.<i>`): pre-norm attention then pre-norm MLP.
public struct CLIPEncoderLayerWeights: Sendable {
    public let selfAttn: CLIPAttentionWeights
    public let layerNorm1: LayerNormWeights
    public let mlp: CLIPMLPWeights
    public let layerNorm2: LayerNormWeights

    init(
        from source: some WeightSource, prefix: String, width: Int, intermediate: Int, eps: Float, options: ModelLoadOptions
    ) throws {
        selfAttn = try CLIPAttentionWeights(from: source, prefix: "\(prefix).self_attn", width: width, options: options)
        layerNorm1 = try LayerNormWeights(from: source, prefix: "\(prefix).layer_norm1", width: width, eps: eps)
        mlp = try CLIPMLPWeights(from: source, prefix: "\(prefix).mlp", width: width, intermediate: intermediate, options: options)
        layerNorm2 = try LayerNormWeights(from: source, prefix: "\(prefix).layer_norm2", width: width, eps: eps)
    }
}
