/// Row-wise softmax in place over the first `length` entries of each row.
///
///     x: [rows, stride]   each row i: x[i, 0..<length] ← exp(x - max) / Σ exp(x - max)
///
/// `length` below `stride` lets attention skip masked keys without writing -inf into them.
/// Sixteen lanes at a time through `VectorExp`; a row's tail is one partial vector whose
/// padding lanes are kept out of the max (-∞) and of the sum (zeroed). The final step divides
/// by the sum, as PyTorch does, rather than multiplying by its reciprocal (one rounding, not two).
public enum Softmax {
    public static func apply(_ x: UnsafeMutablePointer<Float>, rows: Int, length: Int, stride: Int) {
        guard length > 0 else { return }
        for r in 0..<rows { applyToRow(x + r * stride, length: length, tailIsPadded: false) }
    }

    /// `length` rounded up to whole vectors: the row stride `applyToPaddedRow` needs.
    static func paddedLength(_ length: Int) -> Int {
        (length + Lanes.scalarCount - 1) / Lanes.scalarCount * Lanes.scalarCount
    }

    /// One row whose memory runs to `paddedLength(length)`: the tail is read and written as a
    /// whole vector (masked), with no lane-by-lane loads — attention's rows are short (50 keys
    /// for ViT-B/32), so the tail is a large share of each row. Entries `length..<paddedLength`
    /// come back as zeros.
    static func applyToPaddedRow(_ row: UnsafeMutablePointer<Float>, length: Int) {
        applyToRow(row, length: length, tailIsPadded: true)
    }

    @inline(__always)
    private static func applyToRow(_ row: UnsafeMutablePointer<Float>, length: Int, tailIsPadded: Bool) {
        let n = Lanes.scalarCount
        let whole = length - length % n
        let tail = length - whole
        // The tail's lanes past `length` are -∞ here, so they never win the max.
        let tailLanes = tail == 0 ? Lanes() : tailIsPadded
            ? row.lanes(at: whole).keepingFirst(tail, replacingOthersWith: -.infinity)
            : row.lanes(at: whole, count: tail, padding: -.infinity)

        var maxima = Lanes(repeating: -.infinity)
        for i in Swift.stride(from: 0, to: whole, by: n) { maxima = maxima.lanesMax(row.lanes(at: i)) }
        if tail > 0 { maxima = maxima.lanesMax(tailLanes) }
        let maximum = maxima.horizontalMax()

        var sums = Lanes()
        for i in Swift.stride(from: 0, to: whole, by: n) {
            let e = VectorExp.exp(row.lanes(at: i) - maximum)
            row.storeLanes(e, at: i)
            sums += e
        }
        // VectorExp clamps, so exp(-∞) is tiny rather than 0: zero the padding lanes explicitly.
        let tailExp = tail == 0 ? Lanes() : VectorExp.exp(tailLanes - maximum).keepingFirst(tail, replacingOthersWith: 0)
        sums += tailExp

        let sum = sums.horizontalSum()
        for i in Swift.stride(from: 0, to: whole, by: n) { row.storeLanes(row.lanes(at: i) / sum, at: i) }
        if tail > 0 {
            if tailIsPadded {
                row.storeLanes(tailExp / sum, at: whole)
            } else {
                row.storeLanes(tailExp / sum, at: whole, count: tail)
            }
        }
    }
}
