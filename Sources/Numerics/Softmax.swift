import Foundation

/// Row-wise softmax in place over the first `length` entries of each row.
///
///     x: [rows, stride]   each row i: x[i, 0..<length] ← exp(x - max) / Σ exp(x - max)
///
/// `length` below `stride` lets attention skip masked keys without writing -inf into them.
public enum Softmax {
    public static func apply(_ x: UnsafeMutablePointer<Float>, rows: Int, length: Int, stride: Int) {
        guard length > 0 else { return }
        for r in 0..<rows {
            let row = x + r * stride
            var maximum = row[0]
            for i in 1..<length where row[i] > maximum { maximum = row[i] }
            // Eight lanes through VectorExp, then the tail through expf.
            var i = 0
            var lanes = SIMD8<Float>()
            while i + 8 <= length {
                let e = VectorExp.exp(UnsafeRawPointer(row + i).loadUnaligned(as: SIMD8<Float>.self) - maximum)
                UnsafeMutableRawPointer(row + i).storeBytes(of: e, as: SIMD8<Float>.self)
                lanes += e
                i += 8
            }
            var sum = lanes.sum()
            for i in i..<length {
                let e = expf(row[i] - maximum)
                row[i] = e
                sum += e
            }
            let inverse = 1 / sum
            for i in 0..<length { row[i] *= inverse }
        }
    }
}
