import Testing
@testable import Numerics

@Suite struct LinearTests {
    /// x · wᵀ + b as a Double triple loop.
    static func reference(
        _ x: [Float], rows: Int, inFeatures: Int, weight w: [Float], bias b: [Float], outFeatures: Int
    ) -> [Double] {
        var expected = [Double](repeating: 0, count: rows * outFeatures)
        for r in 0..<rows {
            for o in 0..<outFeatures {
                var s = Double(b[o])
                for i in 0..<inFeatures { s += Double(x[r * inFeatures + i]) * Double(w[o * inFeatures + i]) }
                expected[r * outFeatures + o] = s
            }
        }
        return expected
    }

    /// y = x · wᵀ + b on odd shapes, against a Double triple loop.
    @Test func matchesNaiveAffineMap() {
        let rows = 9, inFeatures = 37, outFeatures = 23
        let x = seededValues(rows * inFeatures, seed: 1)
        let w = seededValues(outFeatures * inFeatures, seed: 2, scale: 0.2)
        let b = seededValues(outFeatures, seed: 3)
        var y = [Float](repeating: .nan, count: rows * outFeatures)
        Linear.apply(x, rows: rows, inFeatures: inFeatures, weight: w, bias: b, outFeatures: outFeatures, into: &y)
        let expected = Self.reference(x, rows: rows, inFeatures: inFeatures, weight: w, bias: b, outFeatures: outFeatures)
        expectClose(y, expected, tolerance: 1e-5, "linear with bias")
    }

    @Test func withoutBiasOverwritesTheOutput() {
        let rows = 4, inFeatures = 5, outFeatures = 3
        let x = seededValues(rows * inFeatures, seed: 4)
        let w = seededValues(outFeatures * inFeatures, seed: 5)
        var y = [Float](repeating: .nan, count: rows * outFeatures)
        Linear.apply(x, rows: rows, inFeatures: inFeatures, weight: w, bias: nil, outFeatures: outFeatures, into: &y)
        var expected = [Double](repeating: 0, count: rows * outFeatures)
        for r in 0..<rows {
            for o in 0..<outFeatures {
                for i in 0..<inFeatures {
                    expected[r * outFeatures + o] += Double(x[r * inFeatures + i]) * Double(w[o * inFeatures + i])
                }
            }
        }
        expectClose(y, expected, tolerance: 1e-5, "linear without bias")
    }

    /// Enough rows that the bias passes split across workers; accumulate adds onto what is there.
    @Test func largeApplyAndAccumulateMatchNaiveAffineMap() {
        let rows = 90, inFeatures = 19, outFeatures = 517
        let x = seededValues(rows * inFeatures, seed: 6)
        let w = seededValues(outFeatures * inFeatures, seed: 7, scale: 0.2)
        let b = seededValues(outFeatures, seed: 8)
        let start = seededValues(rows * outFeatures, seed: 9)
        var applied = [Float](repeating: .nan, count: rows * outFeatures)
        var accumulated = start
        Linear.apply(x, rows: rows, inFeatures: inFeatures, weight: w, bias: b, outFeatures: outFeatures, into: &applied)
        Linear.accumulate(x, rows: rows, inFeatures: inFeatures, weight: w, bias: b, outFeatures: outFeatures, into: &accumulated)
        let expected = Self.reference(x, rows: rows, inFeatures: inFeatures, weight: w, bias: b, outFeatures: outFeatures)
        expectClose(applied, expected, tolerance: 1e-5, "large linear")
        expectClose(accumulated, zip(expected, start).map { $0 + Double($1) }, tolerance: 1e-5, "large accumulate")
    }
}
