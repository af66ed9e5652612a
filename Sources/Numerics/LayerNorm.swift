/// Layer normalisation over the last dimension, as `torch.nn.LayerNorm(width, eps)`.
///
///     x: [rows, width]   gamma, beta: [width]   y: [rows, width]
///     y = (x - mean(x)) / sqrt(var(x) + eps) * gamma + beta   (biased variance, per row)
///
/// Two passes over each row (mean, then centred squares) keep float32 accuracy close to
/// PyTorch's; `x` and `y` may be the same buffer. Each pass runs sixteen lanes at a time; a
/// row's tail is read as one partial vector, with zero padding where a sum must not see it.
public enum LayerNorm {
    public static func apply(
        _ x: UnsafePointer<Float>, rows: Int, width: Int,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, eps: Float,
        into y: UnsafeMutablePointer<Float>
    ) {
        guard width > 0 else { return }
        Parallel.forEachChunk(count: rows, minimumChunk: max(1, (1 << 14) / width)) { _, range in
            for r in range {
                normalizeRow(x + r * width, width: width, gamma: gamma, beta: beta, eps: eps, into: y + r * width)
            }
        }
    }

    @inline(__always)
    private static func normalizeRow(
        _ row: UnsafePointer<Float>, width: Int, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, eps: Float,
        into out: UnsafeMutablePointer<Float>
    ) {
        let n = Lanes.scalarCount
        let whole = width - width % n
        let tail = width - whole
        var sum = Lanes()
        for i in stride(from: 0, to: whole, by: n) { sum += row.lanes(at: i) }
        if tail > 0 { sum += row.lanes(at: whole, count: tail, padding: 0) }
        let mean = sum.horizontalSum() / Float(width)

        var squares = Lanes()
        for i in stride(from: 0, to: whole, by: n) {
            let d = row.lanes(at: i) - mean
            squares += d * d
        }
        if tail > 0 {
            // Padding with the mean makes the padded lanes' centred squares exactly zero.
            let d = row.lanes(at: whole, count: tail, padding: mean) - mean
            squares += d * d
        }
        let inverseDeviation = 1 / (squares.horizontalSum() / Float(width) + eps).squareRoot()

        for i in stride(from: 0, to: whole, by: n) {
            let normalized = (row.lanes(at: i) - mean) * inverseDeviation
            out.storeLanes(normalized * gamma.lanes(at: i) + beta.lanes(at: i), at: i)
        }
        if tail > 0 {
            let normalized = (row.lanes(at: whole, count: tail, padding: 0) - mean) * inverseDeviation
            let affine = normalized * gamma.lanes(at: whole, count: tail, padding: 0) + beta.lanes(at: whole, count: tail, padding: 0)
            out.storeLanes(affine, at: whole, count: tail)
        }
    }
}
