import Numerics

extension CLIPEncoderLayerWeights {
    /// One pre-norm transformer block over all tokens of a batch, in place.
    ///
    ///     hidden: [tokens, width]   (sequences packed row after row, see `AttentionSequence`)
    ///     hidden += out_proj(attention(layer_norm1(hidden)))
    ///     hidden += fc2(act(fc1(layer_norm2(hidden))))
    ///
    /// Reference: transformers/models/clip/modeling_clip.py, `CLIPEncoderLayer.forward`,
    /// `CLIPAttention.forward`, `CLIPMLP.forward`. Every projection is one GEMM over all tokens.
    /// `branch`, a domain adapter's bottleneck, runs beside the MLP on the same input.
    func forward(
        _ hidden: UnsafeMutablePointer<Float>, tokens: Int, sequences: [AttentionSequence], heads: Int,
        activation: Activation, causal: Bool, scratch s: EncoderScratch, branch: DomainBottleneckBranch? = nil
    ) {
        let width = layerNorm1.weight.count
        layerNorm1.apply(hidden, rows: tokens, into: s.normed.pointer)
        // One GEMM writes [tokens, 3·width]: each row is q | k | v, read in place by attention.
        selfAttn.qkvProj.apply(s.normed.pointer, rows: tokens, into: s.projections.pointer)
        let qkv = s.projections.pointer
        Attention.multiHead(
            query: qkv, key: qkv + width, value: qkv + 2 * width, rowStride: 3 * width, sequences: sequences,
            width: width, heads: heads, causal: causal, scores: s.scores.pointer, scoresCapacity: s.scores.count,
            into: s.context.pointer)
        selfAttn.outProj.accumulate(s.context.pointer, rows: tokens, into: hidden)

        layerNorm2.apply(hidden, rows: tokens, into: s.normed.pointer)
        mlp.fc1.apply(s.normed.pointer, rows: tokens, into: s.intermediate.pointer)
        activation.apply(s.intermediate.pointer, count: tokens * mlp.fc1.outFeatures)
        mlp.fc2.accumulate(s.intermediate.pointer, rows: tokens, into: hidden)
        // s.normed still holds ln2(h), the MLP's input, which the parallel bottleneck reads.
        branch?.accumulate(s.normed.pointer, rows: tokens, into: hidden)
    }
}
