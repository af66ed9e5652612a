import Numerics

extension CLIPModel {
    /// Text embeddings in the joint space.
    ///
    ///     tokenIDs: one array of ids per text, each 1...max_position_embeddings long, unpadded,
    ///               from the tokenizer of `textTower`
    ///     result:   [texts, projection_dim] — `CLIPModel.get_text_features`, L2-normalised if asked
    ///     adapter:  a domain adapter whose text side runs inside the encoder (none: the frozen model);
    ///               a BERT tower refuses one with a text side (`ModelError.unsupported`)
    ///     shouldStop: asked before every layer; true abandons the pass (`ModelError.stopped`)
    ///
    /// Reference: modeling_clip.py, `CLIPTextEmbeddings.forward` and `CLIPTextTransformer.forward`;
    /// a BERT tower: `encodeBERTTexts`.
    /// Texts are packed row after row with no padding: every projection is one GEMM over the
    /// batch's real tokens, and attention runs per text under the causal mask — exactly what
    /// transformers computes for each text alone, since causal attention never looks ahead.
    public func encodeTexts(
        tokenIDs: [[Int]], normalized: Bool = false, adapter: DomainAdapter? = nil, shouldStop: () -> Bool = { false }
    ) throws -> Tensor {
        if case .bert(let bert) = weights.text, case .bert(let c) = configuration.text {
            return try encodeBERTTexts(
                tokenIDs: tokenIDs, configuration: c, weights: bert, normalized: normalized, adapter: adapter, shouldStop: shouldStop)
        }
        let (c, text) = try clipTextTower(for: "encoding texts")
        for (index, ids) in tokenIDs.enumerated() {
            guard (1...c.maxPositionEmbeddings).contains(ids.count) else {
                throw ModelError.invalidInput(
                    "text \(index) has \(ids.count) tokens; must be 1...\(c.maxPositionEmbeddings)")
            }
            if let bad = ids.first(where: { !(0..<c.vocabSize).contains($0) }) {
                throw ModelError.invalidInput("text \(index) has token id \(bad), outside the vocabulary 0..<\(c.vocabSize)")
            }
        }
        let width = c.hiddenSize
        return try encodeTextInputs(
            lengths: tokenIDs.map(\.count), poolingPositions: tokenIDs.map(poolingPosition), normalized: normalized,
            adapter: adapter, shouldStop: shouldStop
        ) { inputs, sequences in
            for (ids, sequence) in zip(tokenIDs, sequences) {
                for (position, id) in ids.enumerated() {
                    (inputs + (sequence.start + position) * width).update(from: text.tokenEmbedding.pointer + id * width, count: width)
                }
            }
        }
    }

    /// The text tower from its input embeddings on — what every text encoding shares (token ids
    /// here; learned prompt vectors in `encodeTexts(segments:)`).
    ///
    ///     writeInputs: fills [Σ lengths, width] with each sequence's input embeddings (packed)
    ///     result:      [sequences, projection_dim], each pooled at its `poolingPositions` entry
    ///
    /// Position embeddings are added here; `lengths` are 1...max_position_embeddings (checked
    /// by the callers, which know what a too-long input is). `adapter`: a domain adapter whose
    /// text side runs inside the encoder.
    func encodeTextInputs(
        lengths: [Int], poolingPositions: [Int], normalized: Bool, adapter: DomainAdapter? = nil,
        shouldStop: () -> Bool = { false }, writeInputs: (UnsafeMutablePointer<Float>, [AttentionSequence]) -> Void
    ) throws -> Tensor {
        let (c, text) = try clipTextTower(for: adapter?.text == nil ? "learned prompts" : "a domain adapter's text side")
        let count = lengths.count
        let out = try TensorBuffer(shape: [count, projectionDim])
        guard count > 0 else { return out.tensor }

        let width = c.hiddenSize
        let sequences = AttentionSequence.packed(lengths: lengths)
        let tokens = lengths.reduce(0, +)
        let longest = lengths.max() ?? 1

        let hidden = try TensorBuffer(shape: [tokens, width])
        let scratch = try EncoderScratch(
            tokens: tokens, width: width, intermediate: c.intermediateSize, longestSequence: longest, sequences: count)
        let domain = try adapter?.text.map { try DomainAdapterPass(tower: $0, tokens: tokens, width: width, layers: text.layers.count) }
        // The buffers' raw pointers are used below; keep every owner alive until the end.
        let completed = withExtendedLifetime((hidden, scratch, domain)) { () -> Bool in
            writeInputs(hidden.pointer, sequences)
            for sequence in sequences {
                for position in 0..<sequence.length {
                    let target = hidden.pointer + (sequence.start + position) * width
                    let place = text.positionEmbedding.pointer + position * width
                    for i in 0..<width { target[i] += place[i] }
                }
            }

            // Only each text's pooled row is read after the encoder, so the last layer runs for
            // those rows; final_layer_norm is per row, so applying it to them alone is exact.
            let pooled = scratch.pooled.pointer
            let layers = text.layers.count
            for (index, layer) in text.layers.enumerated() where index < layers - 1 {
                if shouldStop() { return false }
                layer.forward(
                    hidden.pointer, tokens: tokens, sequences: sequences, heads: c.numAttentionHeads, activation: c.hiddenAct,
                    causal: true, scratch: scratch, branch: domain?.branch(atLayer: index))
            }
            if layers == 0 {
                for (index, (position, sequence)) in zip(poolingPositions, sequences).enumerated() {
                    (pooled + index * width).update(from: hidden.pointer + (sequence.start + position) * width, count: width)
                }
            } else {
                if shouldStop() { return false }
                text.layers[layers - 1].forwardReadingPooledRows(
                    hidden.pointer, tokens: tokens, sequences: sequences, pooled: poolingPositions, heads: c.numAttentionHeads,
                    activation: c.hiddenAct, causal: true, scratch: scratch, branch: domain?.branch(atLayer: layers - 1),
                    into: pooled)
            }
            text.finalLayerNorm.apply(pooled, rows: count, into: pooled)
            weights.textProjection.apply(pooled, rows: count, into: out.pointer)
            if normalized { L2Normalize.apply(out.pointer, rows: count, width: projectionDim) }
            return true
        }
        guard completed else { throw ModelError.stopped }
        return out.tensor
    }

    /// Where a text is pooled, by transformers' rule (`CLIPTextTransformer.forward`): with the
    /// legacy `eos_token_id == 2`, the first position of the largest id (torch.argmax); otherwise
    /// the first position of `eos_token_id`, or 0 when the text has none.
    func poolingPosition(_ ids: [Int]) -> Int {
        guard let c = configuration.text.clip else { return 0 }
        if c.poolsAtLargestTokenID {
            var best = 0
            for (position, id) in ids.enumerated() where id > ids[best] { best = position }
            return best
        }
        return ids.firstIndex(of: c.eosTokenID) ?? 0
    }
}
