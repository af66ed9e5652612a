import Numerics

/// `CLIPAttention`: `self_attn.{q,k,v,out}_proj`, each [width, width] with a bias.
public struct CLIPAttentionWeights: Sendable {
    public let qProj: LinearWeights
    public let kProj: LinearWeights
    public let vProj: LinearWeights
    public let outProj: LinearWeights

    init(from source: some WeightSource, prefix: String, width: Int) throws {
        qProj = try LinearWeights(from: source, prefix: "\(prefix).q_proj", inFeatures: width, outFeatures: width, bias: true)
        kProj = try LinearWeights(from: source, prefix: "\(prefix).k_proj", inFeatures: width, outFeatures: width, bias: true)
        vProj = try LinearWeights(from: source, prefix: "\(prefix).v_proj", inFeatures: width, outFeatures: width, bias: true)
        outProj = try LinearWeights(from: source, prefix: "\(prefix).out_proj", inFeatures: width, outFeatures: width, bias: true)
    }
}

/// `CLIPMLP`: `mlp.fc1` [intermediate, width] and `mlp.fc2` [width, intermediate].
public struct CLIPMLPWeights: Sendable {
    public let fc1: LinearWeights
    public let fc2: LinearWeights

    init(from source: some WeightSource, prefix: String, width: Int, intermediate: Int) throws {
        fc1 = try LinearWeights(from: source, prefix: "\(prefix).fc1", inFeatures: width, outFeatures: intermediate, bias: true)
        fc2 = try LinearWeights(from: source, prefix: "\(prefix).fc2", inFeatures: intermediate, outFeatures: width, bias: true)
    }
}

/// `CLIPEncoderLayer` (`<tower>.encoder.layers.<i>`): pre-norm attention then pre-norm MLP.
public struct CLIPEncoderLayerWeights: Sendable {
    public let selfAttn: CLIPAttentionWeights
    public let layerNorm1: LayerNormWeights
    public let mlp: CLIPMLPWeights
    public let layerNorm2: LayerNormWeights

    init(from source: some WeightSource, prefix: String, width: Int, intermediate: Int, eps: Float) throws {
        selfAttn = try CLIPAttentionWeights(from: source, prefix: "\(prefix).self_attn", width: width)
        layerNorm1 = try LayerNormWeights(from: source, prefix: "\(prefix).layer_norm1", width: width, eps: eps)
        mlp = try CLIPMLPWeights(from: source, prefix: "\(prefix).mlp", width: width, intermediate: intermediate)
        layerNorm2 = try LayerNormWeights(from: source, prefix: "\(prefix).layer_norm2", width: width, eps: eps)
    }
}
