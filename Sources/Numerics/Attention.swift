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
/// [longest, longest] slice per worker thread, reused for every sequence and head.
public enum Attention {
    /// Floats of `scores` scratch that let every worker thread run its own heads.
    public static func scoresCapacity(longestSequence: Int) -> Int {
        Parallel.workers * longestSequence * longestSequence
    }

    /// `scores` must hold at least `longestSequence²` floats; with `scoresCapacity(...)` of
    /// them the (sequence, head) pairs are spread over the worker threads.
    public static func multiHead(
        query q: UnsafePointer<Float>, key k: UnsafePointer<Float>, value v: UnsafePointer<Float>,
        rowStride: Int, sequences: [AttentionSequence], width: Int, heads: Int, causal: Bool,
        scores: UnsafeMutablePointer<Float>, scoresCapacity: Int, into out: UnsafeMutablePointer<Float>
    ) {
        let longest = sequences.map(\.length).max() ?? 0
        guard longest > 0 else { return }
        let perWorker = longest * longest
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
        // scores[n, keys] = scale · q_h[n, d] · k_h[keys, d]ᵀ
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(keys), Int32(headWidth),
            scale, q + base + column, Int32(rowStride), k + base + column, Int32(rowStride),
            0, scores, Int32(keys))
        for i in 0..<n {
            let row = scores + i * keys
            let visible = causal ? min(i + 1, keys) : keys
            Softmax.apply(row, rows: 1, length: visible, stride: keys)
            if visible < keys { (row + visible).update(repeating: 0, count: keys - visible) }
        }
        // out_h[n, d] = scores[n, keys] · v_h[keys, d]
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(headWidth), Int32(keys),
            1, scores, Int32(keys), v + base + column, Int32(rowStride),
            0, out + sequence.start * width + column, Int32(width))
    }
}
