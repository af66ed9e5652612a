import Foundation
import Testing
@testable import Numerics

@Suite struct ActivationTests {
    static let inputs = seededValues(257, seed: 31, scale: 6) + [0, -10, 10]

    @Test func quickGELUIsXTimesSigmoidOf1702X() {
        var x = Self.inputs
        Activation.quickGELU.apply(&x, count: x.count)
        let expected = Self.inputs.map { v in Double(v) / (1 + exp(-1.702 * Double(v))) }
        expectClose(x, expected, tolerance: 2e-6, "quick_gelu")
    }

    @Test func geluIsExactThroughErf() {
        var x = Self.inputs
        Activation.gelu.apply(&x, count: x.count)
        let expected = Self.inputs.map { v in 0.5 * Double(v) * (1 + erf(Double(v) / 2.0.squareRoot())) }
        expectClose(x, expected, tolerance: 2e-6, "gelu")
    }

    @Test func namesAreTheConfigSpellings() {
        #expect(Activation(rawValue: "quick_gelu") == .quickGELU)
        #expect(Activation(rawValue: "gelu") == .gelu)
        #expect(Activation(rawValue: "gelu_new") == nil)
    }
}

@Suite struct VectorExpTests {
    /// Relative error against Double exp over the range softmax and quick_gelu feed it.
    @Test func matchesExpWithinTwoUlp() {
        let inputs = seededValues(4096, seed: 71, scale: 87) + [0, -0.5, 0.5, 88, -87, 1e-8, -1e-8, 20.25]
        var worst = 0.0
        for start in stride(from: 0, to: inputs.count - 7, by: 8) {
            let lanes = SIMD8<Float>(inputs[start..<(start + 8)])
            let result = VectorExp.exp(lanes)
            for lane in 0..<8 {
                let exact = Foundation.exp(Double(lanes[lane]))
                worst = max(worst, abs(Double(result[lane]) - exact) / exact)
            }
        }
        #expect(worst <= 2.5e-7, "worst relative error \(worst)")
    }
}
