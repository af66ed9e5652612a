import Numerics

extension BERTLayerWeights {
    /// One post-norm BERT layer over all tokens of a batch, in place.
    ///
    ///     hidden: [tokens, hidden]   (sequences packed row after row, unpadded)
    ///     hidden = LayerNorm(hidden + dense(attention(hidden)))            BertAttention
    ///     hidden = LayerNorm(hidden + dense(act(dense(hidden))))           BertIntermediate, BertOutput
    ///
    /// Reference: transformers/models/bert/modeling_bert.py, `BertLayer.forward`,
    /// `BertSelfAttention.forward` (eager: scores / √head_dim, extended mask, softmax),
    /// `BertSelfOutput.forward`, `BertIntermediate.forward`, `BertOutput.forward`.
    /// Padding keys need no mask here: each sequence is packed without padding and attends only
    /// within its own rows (`AttentionSequence`), which gives the real positions exactly the
    /// values transformers computes with the key-padding mask.
    func forward(
        _ hidden: UnsafeMutablePointer<Float>, tokens: Int, sequences: [AttentionSequence], heads: Int,
        activation: BERTActivation, scratch s: EncoderScratch
    ) {
        let width = outputLayerNorm.weight.count
        attention.query.apply(hidden, rows: tokens, into: s.query.pointer)
        attention.key.apply(hidden, rows: tokens, into: s.key.pointer)
        attention.value.apply(hidden, rows: tokens, into: s.value.pointer)
        Attention.multiHead(
            query: s.query.pointer, key: s.key.pointer, value: s.value.pointer, rowStride: width, sequences: sequences,
            width: width, heads: heads, causal: false, scores: s.scores.pointer, scoresCapacity: s.scores.count,
            into: s.context.pointer)
        attention.outputDense.accumulate(s.context.pointer, rows: tokens, into: hidden)
        attention.outputLayerNorm.apply(hidden, rows: tokens, into: hidden)

        intermediateDense.apply(hidden, rows: tokens, into: s.intermediate.pointer)
        activation.apply(s.intermediate.pointer, count: tokens * intermediateDense.outFeatures)
        outputDense.accumulate(s.intermediate.pointer, rows: tokens, into: hidden)
        outputLayerNorm.apply(hidden, rows: tokens, into: hidden)
    }
}
