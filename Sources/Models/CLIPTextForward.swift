import Numerics

extension CLIPModel {
    /// Text embeddings in the joint space.
    ///
    ///     tokenIDs: one array of ids per text, each 1...max_position_embeddings long, unpadded
    ///     result:   [texts, projection_dim] — `CLIPModel.get_text_features`, L2-normalised if asked
    ///
    /// Reference: modeling_clip.py, `CLIPTextEmbeddings.forward` and `CLIPTextTransformer.forward`.
    /// Texts are packed row after row with no padding: every projection is one GEMM over the
    /// batch's real tokens, and attention runs per text under the causal mask — exactly what
    /// transformers computes for each text alone, since causal attention never looks ahead.
    public func encodeTexts(tokenIDs: [[Int]], normalized: Bool = false) throws -> Tensor {
        let c = configuration.text
        for (index, ids) in tokenIDs.enumerated() {
            guard (1...c.maxPositionEmbeddings).contains(ids.count) else {
                throw ModelError.invalidInput(
                    "text \(index) has \(ids.count) tokens; must be 1...\(c.maxPositionEmbeddings)")
            }
            if let bad = ids.first(where: { !(0..<c.vocabSize).contains($0) }) {
                throw ModelError.invalidInput("text \(index) has token id \(bad), outside the vocabulary 0..<\(c.vocabSize)")
            }
        }
        let count = tokenIDs.count
        let out = try TensorBuffer(shape: [count, projectionDim])
        guard count > 0 else { return out.tensor }

        let text = weights.textModel
        let width = c.hiddenSize
        let sequences = AttentionSequence.packed(lengths: tokenIDs.map(\.count))
        let tokens = tokenIDs.reduce(0) { $0 + $1.count }
        let longest = tokenIDs.map(\.count).max() ?? 1

        let hidden = try TensorBuffer(shape: [tokens, width])
        let scratch = try EncoderScratch(tokens: tokens, width: width, intermediate: c.intermediateSize, longestSequence: longest)
        // The buffers' raw pointers are used below; keep every owner alive until the end.
        withExtendedLifetime((hidden, scratch)) {
            // Token + position embeddings.
            for (ids, sequence) in zip(tokenIDs, sequences) {
                for (position, id) in ids.enumerated() {
                    let target = hidden.pointer + (sequence.start + position) * width
                    let token = text.tokenEmbedding.pointer + id * width
                    let place = text.positionEmbedding.pointer + position * width
                    for i in 0..<width { target[i] = token[i] + place[i] }
                }
            }

            for layer in text.layers {
                layer.forward(
                    hidden.pointer, tokens: tokens, sequences: sequences, heads: c.numAttentionHeads, activation: c.hiddenAct,
                    causal: true, scratch: scratch)
            }

            // final_layer_norm is per row, so applying it to the pooled rows alone gives the same values.
            let pooled = scratch.normed.pointer
            for (index, (ids, sequence)) in zip(tokenIDs, sequences).enumerated() {
                let position = poolingPosition(ids)
                (pooled + index * width).update(from: hidden.pointer + (sequence.start + position) * width, count: width)
            }
            text.finalLayerNorm.apply(pooled, rows: count, into: pooled)
            weights.textProjection.apply(pooled, rows: count, into: out.pointer)
            if normalized { L2Normalize.apply(out.pointer, rows: count, width: projectionDim) }
        }
        return out.tensor
    }

    /// Where a text is pooled, by transformers' rule (`CLIPTextTransformer.forward`): with the
    /// legacy `eos_token_id == 2`, the first position of the largest id (torch.argmax); otherwise
    /// the first position of `eos_token_id`, or 0 when the text has none.
    func poolingPosition(_ ids: [Int]) -> Int {
        let c = configuration.text
        if c.poolsAtLargestTokenID {
            var best = 0
            for (position, id) in ids.enumerated() where id > ids[best] { best = position }
            return best
        }
        return ids.firstIndex(of: c.eosTokenID) ?? 0
    }
}
