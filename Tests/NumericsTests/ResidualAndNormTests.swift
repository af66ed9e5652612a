import Testing
@testable import Numerics

@Suite struct ResidualAndNormTests {
    @Test func residualAddsElementwise() {
        var x = seededValues(19, seed: 41)
        let y = seededValues(19, seed: 42)
        let expected = zip(x, y).map { Double($0) + Double($1) }
        Residual.add(y, into: &x, count: x.count)
        expectClose(x, expected, tolerance: 1e-7, "residual")
    }

    @Test(arguments: [1, 7, 16, 17, 768])
    func residualAddsElementwiseAtEdgeLengths(count: Int) {
        var x = seededValues(count, seed: 44)
        let y = seededValues(count, seed: 45)
        let expected = zip(x, y).map { Double($0) + Double($1) }
        Residual.add(y, into: &x, count: count)
        expectClose(x, expected, tolerance: 1e-7, "residual[\(count)]")
    }

    @Test func l2NormaliseGivesUnitRowsAndKeepsZeroRowsZero() {
        let width = 13
        var x = seededValues(2 * width, seed: 43) + [Float](repeating: 0, count: width)
        let original = x
        L2Normalize.apply(&x, rows: 3, width: width)
        var expected = [Double](repeating: 0, count: 3 * width)
        for r in 0..<2 {
            let row = original[(r * width)..<((r + 1) * width)].map(Double.init)
            let norm = row.map { $0 * $0 }.reduce(0, +).squareRoot()
            for i in 0..<width { expected[r * width + i] = row[i] / norm }
        }
        expectClose(x, expected, tolerance: 1e-6, "l2 normalise")
    }
}
