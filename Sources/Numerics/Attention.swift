import COpenBLAS

/// One sequence inside a packed batch: rows `start ..< start + length` of the token matrix.
/// Keys at positions `validKeys...` are padding and masked out (HF's `attention_mask` = 0).
public struct AttentionSequence: Sendable, Equatable {
    public var start: Int
    public var length: Int
    public var validKeys: Int

    public init(start: Int, length: Int, validKeys: Int? = nil) {
        self.start = start
        self.length = length
        self.validKeys = min(validKeys ?? length, length)
    }
}

extension AttentionSequence {
    /// Sequences of these lengths laid out back to back in one token matrix (no padding).
    public static func packed(lengths: [Int]) -> [AttentionSequence] {
        var sequences: [AttentionSequence] = []
        sequences.reserveCapacity(lengths.count)
        var start = 0
        for length in lengths {
            sequences.append(AttentionSequence(start: start, length: length))
            start += length
        }
        return sequences
    }
}

/// Multi-head scaled dot-product attention over sequences packed row after row.
///
///     q, k, v: [tokens, rowStride] — head h of a token is columns h·d ..< (h+1)·d, d = width / heads
///     out:     [tokens, width]
///     per sequence s and head h:  out_h = softmax(q_h · k_hᵀ / √d + mask) · v_h
///
/// Reference: transformers/models/clip/modeling_clip.py, `CLIPAttention.forward` with
/// `eager_attention_forward` (scale = head_dim^-0.5, causal mask for the text encoder).
/// Every head is two strided GEMMs reading q/k/v in place (leading dimension `rowStride`), so
/// a fused [tokens, 3·width] QKV buffer needs no copies; `scores` is the only scratch, one
/// [longest, longest rounded up to whole vectors] slice per worker thread, reused for every
/// sequence and head (the padded row stride lets softmax work in whole vectors).
public enum Attention {
    /// Floats of `scores` scratch that let every worker thread run its own heads.
    public static func scoresCapacity(longestSequence: Int) -> Int {
        Parallel.workers * scoresPerWorker(longestSequence: longestSequence)
    }

    private static func scoresPerWorker(longestSequence: Int) -> Int {
        longestSequence * Softmax.paddedLength(longestSequence)
    }

    /// `scores` must hold at least `scoresCapacity(...) / Parallel.workers` floats; with
    /// `scoresCapacity(...)` of them the (sequence, head) pairs are spread over the worker threads.
    public static func multiHead(
        query q: UnsafePointer<Float>, key k: UnsafePointer<Float>, value v: UnsafePointer<Float>,
        rowStride: Int, sequences: [AttentionSequence], width: Int, heads: Int, causal: Bool,
        scores: UnsafeMutablePointer<Float>, scoresCapacity: Int, into out: UnsafeMutablePointer<Float>
    ) {
        let longest = sequences.map(\.length).max() ?? 0
        guard longest > 0 else { return }
        let perWorker = scoresPerWorker(longestSequence: longest)
        let workers = max(1, min(Parallel.workers, scoresCapacity / perWorker))
        let jobs = sequences.count * heads
        // One job is one (sequence, head) pair; each worker owns a disjoint slice of `scores`.
        Parallel.forEachChunk(count: jobs, minimumChunk: 1, maximumChunks: workers) { worker, range in
            for job in range {
                head(
                    job % heads, of: sequences[job / heads], query: q, key: k, value: v, rowStride: rowStride,
                    width: width, heads: heads, causal: causal, scores: scores + worker * perWorker, into: out)
            }
        }
    }

    /// GEMMs in one query block stay below OpenBLAS's threading threshold (m·n·k ≤ 4·65536 in
    /// interface/gemm.c), so a worker's GEMMs run on the worker alone instead of every worker
    /// waking OpenBLAS's whole thread pool at once.
    static let blockVolume = 200_000

    /// One head of one sequence, in blocks of query rows. Under the causal mask a block of rows
    /// r0..<r1 sees keys 0..<r1 only, so the masked upper triangle is mostly never computed.
    private static func head(
        _ h: Int, of sequence: AttentionSequence,
        query q: UnsafePointer<Float>, key k: UnsafePointer<Float>, value v: UnsafePointer<Float>,
        rowStride: Int, width: Int, heads: Int, causal: Bool,
        scores: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>
    ) {
        let headWidth = width / heads
        let scale = 1 / Float(headWidth).squareRoot()
        let n = sequence.length
        guard n > 0 else { return }
        let keys = max(1, sequence.validKeys)
        let base = sequence.start * rowStride
        let column = h * headWidth
        let blockRows = max(1, min(n, blockVolume / max(1, keys * headWidth)))
        var first = 0
        while first < n {
            let rows = min(blockRows, n - first)
            let visibleKeys = causal ? min(keys, first + rows) : keys
            let scoresStride = Softmax.paddedLength(visibleKeys)
            // scores[rows, visibleKeys] = scale · q_h[first..<first+rows, d] · k_h[visibleKeys, d]ᵀ
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(visibleKeys), Int32(headWidth),
                scale, q + base + first * rowStride + column, Int32(rowStride), k + base + column, Int32(rowStride),
                0, scores, Int32(scoresStride))
            for i in 0..<rows {
                let row = scores + i * scoresStride
                let visible = causal ? min(first + i + 1, visibleKeys) : visibleKeys
                Softmax.applyToPaddedRow(row, length: visible)
                // Masked keys weigh zero in the product with v below.
                let zeroed = Softmax.paddedLength(visible)
                if zeroed < visibleKeys { (row + zeroed).update(repeating: 0, count: visibleKeys - zeroed) }
            }
            // out_h[first..<first+rows, d] = scores[rows, visibleKeys] · v_h[visibleKeys, d]
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(headWidth), Int32(visibleKeys),
                1, scores, Int32(scoresStride), v + base + column, Int32(rowStride),
                0, out + (sequence.start + first) * width + column, Int32(width))
            first += rows
        }
    }
}
