import Numerics

/// `attn.*` of a structured prompt: learned queries attend over an image's vision tokens and
/// give the prompt's instance context.
///
///     vision: [Tv, Wv] one image's last hidden states (before post_layernorm)
///     z = layer_norm(vision);  K = k_proj(z), V = v_proj(z)          [Tv, Wt]
///     Q = queries [nI, Wt] (learned, no projection)
///     per head h (hd = Wt / heads): softmax(Q_h · K_hᵀ / √hd) · V_h, heads side by side
///     out_proj                                                       [nI, Wt]
///
/// Reference: training/adaptclip_training/prompt_learner.py, `VisualGuidedAttention.forward`.
public struct VisualGuidedAttention: Sendable {
    /// `attn.layer_norm` [Wv]
    public let layerNorm: LayerNormWeights
    /// `attn.k_proj`, `attn.v_proj`: [Wt, Wv] + [Wt]
    public let kProj: LinearWeights
    public let vProj: LinearWeights
    /// `attn.out_proj`: [Wt, Wt] + [Wt]
    public let outProj: LinearWeights
    public let heads: Int

    init(
        from source: some WeightSource, textWidth wt: Int, visionWidth wv: Int, heads: Int, eps: Float, options: ModelLoadOptions
    ) throws {
        layerNorm = try LayerNormWeights(from: source, prefix: "attn.layer_norm", width: wv, eps: eps)
        kProj = try LinearWeights(from: source, prefix: "attn.k_proj", inFeatures: wv, outFeatures: wt, bias: true, options: options)
        vProj = try LinearWeights(from: source, prefix: "attn.v_proj", inFeatures: wv, outFeatures: wt, bias: true, options: options)
        outProj = try LinearWeights(from: source, prefix: "attn.out_proj", inFeatures: wt, outFeatures: wt, bias: true, options: options)
        self.heads = heads
    }

    /// Instance context for `images` images at once.
    ///
    ///     queries: [nI, Wt];  vision: [images · Tv, Wv] (images one after the other)
    ///     result:  [images · nI, Wt]
    func forward(queries: TensorBuffer, vision: Tensor, images: Int) throws -> Tensor {
        let (wt, wv) = (outProj.outFeatures, kProj.inFeatures)
        let nI = queries.shape[0]
        let rows = vision.shape.first ?? 0
        guard vision.rank == 2, vision.shape[1] == wv, images > 0, rows % images == 0, rows > 0 else {
            throw ModelError.invalidInput(
                "vision hidden states of shape \(vision.shape) are not \(images) images of [tokens, \(wv)]")
        }
        let tokens = rows / images
        let input = TensorBuffer(vision)
        let normed = try TensorBuffer(shape: [rows, wv])
        let key = try TensorBuffer(shape: [rows, wt])
        let value = try TensorBuffer(shape: [rows, wt])
        let context = try TensorBuffer(shape: [images * nI, wt])
        let out = try TensorBuffer(shape: [images * nI, wt])
        let scores = try TensorBuffer(shape: [nI * tokens])
        let hd = wt / heads
        let scale = 1 / Float(hd).squareRoot()
        withExtendedLifetime((input, normed, key, value, context, scores, queries)) {
            layerNorm.apply(input.pointer, rows: rows, into: normed.pointer)
            kProj.apply(normed.pointer, rows: rows, into: key.pointer)
            vProj.apply(normed.pointer, rows: rows, into: value.pointer)
            // Queries are not part of the key sequence (cross-attention), so Attention.multiHead,
            // which attends within one packed sequence, does not apply; these are small GEMMs.
            for image in 0..<images {
                for h in 0..<heads {
                    let column = h * hd
                    let k = key.pointer + image * tokens * wt + column
                    let v = value.pointer + image * tokens * wt + column
                    for i in 0..<nI {
                        let q = queries.pointer + i * wt + column
                        let row = scores.pointer + i * tokens
                        for t in 0..<tokens {
                            var dot: Float = 0
                            for j in 0..<hd { dot += q[j] * k[t * wt + j] }
                            row[t] = dot * scale
                        }
                    }
                    Softmax.apply(scores.pointer, rows: nI, length: tokens, stride: tokens)
                    for i in 0..<nI {
                        let target = context.pointer + (image * nI + i) * wt + column
                        let row = scores.pointer + i * tokens
                        for j in 0..<hd { target[j] = 0 }
                        for t in 0..<tokens {
                            let weight = row[t]
                            let source = v + t * wt
                            for j in 0..<hd { target[j] += weight * source[j] }
                        }
                    }
                }
            }
            outProj.apply(context.pointer, rows: images * nI, into: out.pointer)
        }
        return out.tensor
    }
}
