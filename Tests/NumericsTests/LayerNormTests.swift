import Testing
@testable import Numerics

@Suite struct LayerNormTests {
    /// Layer norm in Double, the textbook two-pass way.
    static func reference(_ x: [Float], rows: Int, width: Int, gamma: [Float], beta: [Float], eps: Float) -> [Double] {
        var expected = [Double](repeating: 0, count: rows * width)
        for r in 0..<rows {
            let row = x[(r * width)..<((r + 1) * width)].map(Double.init)
            let mean = row.reduce(0, +) / Double(width)
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(width)
            for i in 0..<width {
                expected[r * width + i] =
                    (row[i] - mean) / (variance + Double(eps)).squareRoot() * Double(gamma[i]) + Double(beta[i])
            }
        }
        return expected
    }

    /// Rows with a large offset stress the two-pass variance (a one-pass E[x²]-E[x]² would lose digits).
    @Test func matchesNaiveNormalisationWithOffsetRows() {
        let rows = 5, width = 67
        var x = seededValues(rows * width, seed: 11, scale: 3)
        for i in 0..<width { x[2 * width + i] += 100 }
        let gamma = seededValues(width, seed: 12).map { 1 + 0.1 * $0 }
        let beta = seededValues(width, seed: 13, scale: 0.05)
        let eps: Float = 1e-5
        var y = [Float](repeating: .nan, count: rows * width)
        LayerNorm.apply(x, rows: rows, width: width, gamma: gamma, beta: beta, eps: eps, into: &y)
        let expected = Self.reference(x, rows: rows, width: width, gamma: gamma, beta: beta, eps: eps)
        expectClose(y, expected, tolerance: 2e-5, "layer norm")
    }

    /// Widths around the sixteen-lane width (all tail, vector plus tail) and model widths.
    @Test(arguments: [1, 7, 16, 17, 33, 512, 768])
    func matchesNaiveNormalisationAtEdgeWidths(width: Int) {
        let rows = 3
        let x = seededValues(rows * width, seed: UInt64(width), scale: 4).map { $0 + 2 }
        let gamma = seededValues(width, seed: 14).map { 1 + 0.1 * $0 }
        let beta = seededValues(width, seed: 15, scale: 0.05)
        var y = [Float](repeating: .nan, count: rows * width)
        LayerNorm.apply(x, rows: rows, width: width, gamma: gamma, beta: beta, eps: 1e-5, into: &y)
        let expected = Self.reference(x, rows: rows, width: width, gamma: gamma, beta: beta, eps: 1e-5)
        expectClose(y, expected, tolerance: 2e-5, "layer norm width \(width)")
    }

    @Test func epsDominatesAConstantRow() {
        let width = 8
        let x = [Float](repeating: 3, count: width)
        let gamma = [Float](repeating: 2, count: width), beta = [Float](repeating: 0.5, count: width)
        var y = [Float](repeating: .nan, count: width)
        LayerNorm.apply(x, rows: 1, width: width, gamma: gamma, beta: beta, eps: 1e-6, into: &y)
        expectClose(y, [Double](repeating: 0.5, count: width), tolerance: 0, "constant row")
    }
}
