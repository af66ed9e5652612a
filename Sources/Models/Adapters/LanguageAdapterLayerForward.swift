import Numerics

extension LanguageAdapterLayerWeights {
    /// One adapter layer over all tokens of a batch, in place.
    ///
    ///     x: [tokens, d]   (sequences packed row after row, unpadded)
    ///     pre:  x = x + attn(ln1(x));  x = x + mlp(ln2(x))
    ///     post: x = ln1(x + attn(x));  x = ln2(x + mlp(x))
    ///     attn: out_proj(softmax(q kᵀ / √(d/heads)) v) per head;  mlp: fc2(gelu(fc1(x)))
    ///
    /// Reference: training/adaptclip_training/language_adapter.py, `AdapterLayer.forward`,
    /// `SelfAttention.forward`, `MLP.forward`. Padding keys need no mask: each sequence is
    /// packed without padding and attends only within its own rows.
    func forward(
        _ x: UnsafeMutablePointer<Float>, tokens: Int, sequences: [AttentionSequence], heads: Int,
        normPosition: LanguageAdapterArchitecture.NormPosition, scratch s: EncoderScratch
    ) {
        let width = layerNorm1.weight.count
        let preNorm = normPosition == .pre
        // Attention reads ln1(x) when pre-norm, x itself when post-norm.
        var input = UnsafePointer(x)
        if preNorm {
            layerNorm1.apply(x, rows: tokens, into: s.normed.pointer)
            input = UnsafePointer(s.normed.pointer)
        }
        qProj.apply(input, rows: tokens, into: s.query.pointer)
        kProj.apply(input, rows: tokens, into: s.key.pointer)
        vProj.apply(input, rows: tokens, into: s.value.pointer)
        Attention.multiHead(
            query: s.query.pointer, key: s.key.pointer, value: s.value.pointer, rowStride: width, sequences: sequences,
            width: width, heads: heads, causal: false, scores: s.scores.pointer, scoresCapacity: s.scores.count,
            into: s.context.pointer)
        outProj.accumulate(s.context.pointer, rows: tokens, into: x)
        if !preNorm { layerNorm1.apply(x, rows: tokens, into: x) }

        input = UnsafePointer(x)
        if preNorm {
            layerNorm2.apply(x, rows: tokens, into: s.normed.pointer)
            input = UnsafePointer(s.normed.pointer)
        }
        fc1.apply(input, rows: tokens, into: s.intermediate.pointer)
        Activation.gelu.apply(s.intermediate.pointer, count: tokens * fc1.outFeatures)
        fc2.accumulate(s.intermediate.pointer, rows: tokens, into: x)
        if !preNorm { layerNorm2.apply(x, rows: tokens, into: x) }
    }
}
