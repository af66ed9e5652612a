import Numerics

/// `layers.<i>` of a language adapter: one transformer encoder layer of width d.
/// Field names mirror the tensor names (training/adaptclip_training/language_adapter.py,
/// `AdapterLayer`, `SelfAttention`, `MLP`).
public struct LanguageAdapterLayerWeights: Sendable {
    /// `self_attn.{q,k,v,out}_proj` [d, d] + [d]
    public let qProj: LinearWeights
    public let kProj: LinearWeights
    public let vProj: LinearWeights
    public let outProj: LinearWeights
    /// `layer_norm1` [d]: around attention (before it when pre-norm, after the residual when post-norm).
    public let layerNorm1: LayerNormWeights
    /// `mlp.fc1` [F, d], `mlp.fc2` [d, F]
    public let fc1: LinearWeights
    public let fc2: LinearWeights
    /// `layer_norm2` [d]: around the MLP.
    public let layerNorm2: LayerNormWeights

    init(
        from source: some WeightSource, prefix p: String, width d: Int, intermediate f: Int, eps: Float, options: ModelLoadOptions
    ) throws {
        qProj = try LinearWeights(from: source, prefix: "\(p).self_attn.q_proj", inFeatures: d, outFeatures: d, bias: true, options: options)
        kProj = try LinearWeights(from: source, prefix: "\(p).self_attn.k_proj", inFeatures: d, outFeatures: d, bias: true, options: options)
        vProj = try LinearWeights(from: source, prefix: "\(p).self_attn.v_proj", inFeatures: d, outFeatures: d, bias: true, options: options)
        outProj = try LinearWeights(from: source, prefix: "\(p).self_attn.out_proj", inFeatures: d, outFeatures: d, bias: true, options: options)
        layerNorm1 = try LayerNormWeights(from: source, prefix: "\(p).layer_norm1", width: d, eps: eps)
        fc1 = try LinearWeights(from: source, prefix: "\(p).mlp.fc1", inFeatures: d, outFeatures: f, bias: true, options: options)
        fc2 = try LinearWeights(from: source, prefix: "\(p).mlp.fc2", inFeatures: f, outFeatures: d, bias: true, options: options)
        layerNorm2 = try LayerNormWeights(from: source, prefix: "\(p).layer_norm2", width: d, eps: eps)
    }
}

/// Every tensor of a language adapter (docs/adapters.md, "Tensors"), as Float32.
public struct LanguageAdapterWeights: Sendable {
    /// `down_proj` [d, H] + [d]
    public let downProj: LinearWeights
    /// `layers.<i>` for i in 0..<N
    public let layers: [LanguageAdapterLayerWeights]
    /// `final_layer_norm` [d], when the architecture has one
    public let finalLayerNorm: LayerNormWeights?
    /// `up_proj` [P, d] + [P]
    public let upProj: LinearWeights

    init(from source: some WeightSource, manifest m: LanguageAdapterManifest, options: ModelLoadOptions) throws {
        let a = m.architecture
        let d = a.adapterWidth
        let eps = Float(a.layerNormEps)
        downProj = try LinearWeights(from: source, prefix: "down_proj", inFeatures: m.baseEncoder.hiddenSize, outFeatures: d, bias: true, options: options)
        layers = try (0..<a.numLayers).map { i in
            try LanguageAdapterLayerWeights(
                from: source, prefix: "layers.\(i)", width: d, intermediate: a.intermediateSize, eps: eps, options: options)
        }
        finalLayerNorm = a.finalLayerNorm ? try LayerNormWeights(from: source, prefix: "final_layer_norm", width: d, eps: eps) : nil
        upProj = try LinearWeights(from: source, prefix: "up_proj", inFeatures: d, outFeatures: m.clip.projectionDim, bias: true, options: options)
    }
}
