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
/// a fused [tokens, 3·width] QKV buffer needs no copies; `scores` (≥ maxLength² floats) is the
/// only scratch and is reused for every sequence and head.
public enum Attention {
    public static func multiHead(
        query q: UnsafePointer<Float>, key k: UnsafePointer<Float>, value v: UnsafePointer<Float>,
        rowStride: Int, sequences: [AttentionSequence], width: Int, heads: Int, causal: Bool,
        scores: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>
    ) {
        let headWidth = width / heads
        let scale = 1 / Float(headWidth).squareRoot()
        for sequence in sequences where sequence.length > 0 {
            let n = sequence.length
            let keys = max(1, sequence.validKeys)
            let base = sequence.start * rowStride
            for h in 0..<heads {
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
    }
}
