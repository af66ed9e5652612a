import Testing
@testable import Numerics

@Suite struct MatmulTests {
    /// A naive triple loop is the reference; the shapes are odd on purpose (no padding luck).
    @Test func linearMatchesNaiveProductWithTransposedWeight() {
        let m = 7, n = 5, k = 13
        let a = (0..<(m * k)).map { Float(($0 * 37) % 11) - 5 }
        let w = (0..<(n * k)).map { Float(($0 * 17) % 7) - 3 }
        var c = [Float](repeating: 0, count: m * n)
        Matmul.linear(a, w, &c, m: m, n: n, k: k)
        var maxAbs: Float = 0
        for i in 0..<m {
            for j in 0..<n {
                var s: Float = 0
                for p in 0..<k { s += a[i * k + p] * w[j * k + p] }
                maxAbs = max(maxAbs, abs(s - c[i * n + j]))
            }
        }
        #expect(maxAbs <= 1e-4, "max abs diff \(maxAbs)")
    }

    @Test func productMatchesNaiveProduct() {
        let m = 3, n = 4, k = 6
        let a = (0..<(m * k)).map { Float($0 % 5) - 2 }
        let b = (0..<(k * n)).map { Float($0 % 3) - 1 }
        var c = [Float](repeating: 1, count: m * n)
        Matmul.product(a, b, &c, m: m, n: n, k: k, beta: 0)
        for i in 0..<m {
            for j in 0..<n {
                var s: Float = 0
                for p in 0..<k { s += a[i * k + p] * b[p * n + j] }
                #expect(abs(s - c[i * n + j]) <= 1e-5)
            }
        }
    }

    @Test func backendReportsOpenBLASConfiguration() {
        #expect(BLASBackend.configuration.hasPrefix("OpenBLAS"))
    }
}
