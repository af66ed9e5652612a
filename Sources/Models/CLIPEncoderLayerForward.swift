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

        mlpBlock(
            hidden, rows: tokens, activation: activation, normed: s.normed.pointer, intermediate: s.intermediate.pointer,
            branch: branch)
    }

    /// hidden[rows] += fc2(act(fc1(ln2(hidden)))), plus the domain bottleneck beside the MLP.
    private func mlpBlock(
        _ hidden: UnsafeMutablePointer<Float>, rows: Int, activation: Activation, normed: UnsafeMutablePointer<Float>,
        intermediate: UnsafeMutablePointer<Float>, branch: DomainBottleneckBranch?
    ) {
        layerNorm2.apply(hidden, rows: rows, into: normed)
        mlp.fc1.apply(normed, rows: rows, into: intermediate)
        activation.apply(intermediate, count: rows * mlp.fc1.outFeatures)
        mlp.fc2.accumulate(intermediate, rows: rows, into: hidden)
        // `normed` still holds ln2(h), the MLP's input, which the parallel bottleneck reads.
        branch?.accumulate(normed, rows: rows, into: hidden)
    }

    /// The last block when only one row of each sequence is read afterwards (an image's class
    /// token, a text's pooled token), writing the block's output at those rows into `output`
    /// ([sequences, width]). `hidden` may be overwritten.
    ///
    /// Where every linear layer of the block computes each output row alone
    /// (`PreparedWeight.computesRowsIndependently`), out_proj and the MLP run for the pooled rows
    /// only — about 7% of a 12-layer pass saved — and give exactly `forward`'s values at those
    /// rows. Otherwise (cblas_sgemm, whose result for a row depends on how many rows the call
    /// has on some cores) the whole block runs and the rows are read from it, so the pooled
    /// features never depend on which entry computed them.
    func forwardReadingPooledRows(
        _ hidden: UnsafeMutablePointer<Float>, tokens: Int, sequences: [AttentionSequence], pooled: [Int], heads: Int,
        activation: Activation, causal: Bool, scratch s: EncoderScratch, branch: DomainBottleneckBranch? = nil,
        into output: UnsafeMutablePointer<Float>
    ) {
        precondition(pooled.count == sequences.count, "one pooled position per sequence")
        let width = layerNorm1.weight.count
        guard computesRowsIndependently(branch: branch) else {
            forward(
                hidden, tokens: tokens, sequences: sequences, heads: heads, activation: activation, causal: causal,
                scratch: s, branch: branch)
            for (index, (sequence, position)) in zip(sequences, pooled).enumerated() {
                (output + index * width).update(from: hidden + (sequence.start + position) * width, count: width)
            }
            return
        }
        layerNorm1.apply(hidden, rows: tokens, into: s.normed.pointer)
        selfAttn.qkvProj.apply(s.normed.pointer, rows: tokens, into: s.projections.pointer)
        let qkv = s.projections.pointer
        // Attention runs for every query, as in `forward`: its GEMMs go to cblas_sgemm, and a
        // one-row call there may round differently from the full one (OpenBLAS's edge kernels
        // for fewer rows than the unroll, e.g. on its Prescott kernels for recent Intel CPUs).
        // One layer's attention is about 1% of a pass.
        Attention.multiHead(
            query: qkv, key: qkv + width, value: qkv + 2 * width, rowStride: 3 * width, sequences: sequences,
            width: width, heads: heads, causal: causal, scores: s.scores.pointer, scoresCapacity: s.scores.count,
            into: s.context.pointer)
        // Gather the pooled rows: attention outputs into `normed` (free once q, k, v exist), the
        // residual stream into `output`.
        for (index, (sequence, position)) in zip(sequences, pooled).enumerated() {
            let row = sequence.start + position
            (s.normed.pointer + index * width).update(from: s.context.pointer + row * width, count: width)
            (output + index * width).update(from: hidden + row * width, count: width)
        }
        let rows = sequences.count
        selfAttn.outProj.accumulate(s.normed.pointer, rows: rows, into: output)

        mlpBlock(
            output, rows: rows, activation: activation, normed: s.context.pointer, intermediate: s.intermediate.pointer,
            branch: branch)
    }

    /// Whether out_proj, the MLP and the branch give a row the same bits however many rows run.
    private func computesRowsIndependently(branch: DomainBottleneckBranch?) -> Bool {
        var linear = [selfAttn.outProj, mlp.fc1, mlp.fc2]
        if let branch { linear += [branch.weights.down, branch.weights.up] }
        return linear.allSatisfy(\.weight.computesRowsIndependently)
    }
}
