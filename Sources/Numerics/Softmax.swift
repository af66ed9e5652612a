/// Row-wise softmax in place over the first `length` entries of each row.
///
///     x: [rows, stride]   each row i: x[i, 0..<length] ← exp(x - max) / Σ exp(x - max)
///
/// `length` below `stride` lets attention skip masked keys without writing -inf into them.
/// Sixteen lanes at a time through `VectorExp`; a row's tail is one partial vector whose
/// padding lanes are kept out of the max (padded with -∞) and of the sum (zeroed). The final
/// step divides by the sum, as PyTorch does, rather than multiplying by its reciprocal (one
/// rounding instead of two).
public enum Softmax {
    public static func apply(_ x: UnsafeMutablePointer<Float>, rows: Int, length: Int, stride: Int) {
        guard length > 0 else { return }
        for r in 0..<rows { applyToRow(x + r * stride, length: length) }
    }

    @inline(__always)
    static func applyToRow(_ row: UnsafeMutablePointer<Float>, length: Int) {
        let n = Lanes.scalarCount
        let whole = length - length % n
        let tail = length - whole
        var maxima = Lanes(repeating: -.infinity)
        for i in Swift.stride(from: 0, to: whole, by: n) { maxima = maxima.lanesMax(row.lanes(at: i)) }
        if tail > 0 { maxima = maxima.lanesMax(row.lanes(at: whole, count: tail, padding: -.infinity)) }
        let maximum = maxima.max()

        var sums = Lanes()
        for i in Swift.stride(from: 0, to: whole, by: n) {
            let e = VectorExp.exp(row.lanes(at: i) - maximum)
            row.storeLanes(e, at: i)
            sums += e
        }
        var tailExp = Lanes()
        if tail > 0 {
            tailExp = VectorExp.exp(row.lanes(at: whole, count: tail, padding: 0) - maximum)
            for lane in tail..<n { tailExp[lane] = 0 }
            sums += tailExp
        }
        let sum = sums.sum()
        for i in Swift.stride(from: 0, to: whole, by: n) { row.storeLanes(row.lanes(at: i) / sum, at: i) }
        if tail > 0 { row.storeLanes(tailExp / sum, at: whole, count: tail) }
    }
}
