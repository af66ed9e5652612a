import Foundation
import Testing
@testable import Numerics

@Suite struct SoftmaxTests {
    /// Softmax in Double over each row's first `length` entries; the rest of the row unchanged.
    static func reference(_ x: [Float], rows: Int, length: Int, stride: Int) -> [Double] {
        var expected = x.map(Double.init)
        for r in 0..<rows {
            let row = (0..<length).map { Double(x[r * stride + $0]) }
            let m = row.max() ?? 0
            let sum = row.map { exp($0 - m) }.reduce(0, +)
            for i in 0..<length { expected[r * stride + i] = exp(row[i] - m) / sum }
        }
        return expected
    }

    @Test func matchesNaiveSoftmaxAndLeavesTheRestOfTheRowAlone() {
        let rows = 3, stride = 24, length = 19  // two SIMD blocks and a scalar tail
        var x = seededValues(rows * stride, seed: 21, scale: 20)
        let original = x
        Softmax.apply(&x, rows: rows, length: length, stride: stride)
        let expected = Self.reference(original, rows: rows, length: length, stride: stride)
        expectClose(x, expected, tolerance: 1e-6, "softmax")
    }

    /// Row lengths around the sixteen-lane width, including the attention lengths 50 and 77;
    /// entries past `length` (masked keys) must come back untouched.
    @Test(arguments: [1, 2, 7, 16, 17, 50, 77])
    func matchesNaiveSoftmaxAtEdgeLengths(length: Int) {
        let rows = 2, stride = length + 5
        var x = seededValues(rows * stride, seed: UInt64(length), scale: 10)
        let original = x
        Softmax.apply(&x, rows: rows, length: length, stride: stride)
        let expected = Self.reference(original, rows: rows, length: length, stride: stride)
        expectClose(x, expected, tolerance: 1e-6, "softmax length \(length)")
    }

    @Test func largeLogitsDoNotOverflow() {
        var x: [Float] = [1000, 1000, -1000]
        Softmax.apply(&x, rows: 1, length: 3, stride: 3)
        expectClose(x, [0.5, 0.5, 0], tolerance: 1e-7, "softmax of large logits")
    }
}
