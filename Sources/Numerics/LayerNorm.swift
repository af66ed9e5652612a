/// Layer normalisation over the last dimension, as `torch.nn.LayerNorm(width, eps)`.
///
///     x: [rows, width]   gamma, beta: [width]   y: [rows, width]
///     y = (x - mean(x)) / sqrt(var(x) + eps) * gamma + beta   (biased variance, per row)
///
/// Two passes over each row (mean, then centred squares) keep float32 accuracy close to
/// PyTorch's; `x` and `y` may be the same buffer.
public enum LayerNorm {
    public static func apply(
        _ x: UnsafePointer<Float>, rows: Int, width: Int,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, eps: Float,
        into y: UnsafeMutablePointer<Float>
    ) {
        guard width > 0 else { return }
        Parallel.forEachChunk(count: rows, minimumChunk: max(1, (1 << 14) / width)) { _, range in
            applySerially(x, rows: range, width: width, gamma: gamma, beta: beta, eps: eps, into: y)
        }
    }

    private static func applySerially(
        _ x: UnsafePointer<Float>, rows: Range<Int>, width: Int,
        gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, eps: Float,
        into y: UnsafeMutablePointer<Float>
    ) {
        let inverseWidth = 1 / Float(width)
        for r in rows {
            let row = x + r * width
            let out = y + r * width
            var sum: Float = 0
            for i in 0..<width { sum += row[i] }
            let mean = sum * inverseWidth
            var squares: Float = 0
            for i in 0..<width {
                let d = row[i] - mean
                squares += d * d
            }
            let inverseDeviation = 1 / (squares * inverseWidth + eps).squareRoot()
            for i in 0..<width {
                out[i] = (row[i] - mean) * inverseDeviation * gamma[i] + beta[i]
            }
        }
    }
}
