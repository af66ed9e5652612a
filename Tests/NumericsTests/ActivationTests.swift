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

    /// Lengths around the sixteen-lane width: all-tail, one vector plus tail, a model width.
    @Test(arguments: [1, 7, 15, 16, 17, 33, 768, 3072 + 5])
    func bothActivationsMatchTheReferenceAtEdgeLengths(count: Int) {
        let inputs = seededValues(count, seed: UInt64(count), scale: 8)
        var quick = inputs, exact = inputs
        Activation.quickGELU.apply(&quick, count: count)
        Activation.gelu.apply(&exact, count: count)
        expectClose(quick, inputs.map { Double($0) / (1 + exp(-1.702 * Double($0))) }, tolerance: 2e-6, "quick_gelu[\(count)]")
        expectClose(
            exact, inputs.map { 0.5 * Double($0) * (1 + erf(Double($0) / 2.0.squareRoot())) }, tolerance: 2e-6,
            "gelu[\(count)]")
    }

    /// Saturated and non-finite inputs: GELU is x far right and ≈ 0 far left; NaN stays NaN.
    @Test func extremeInputsSaturate() {
        let inputs: [Float] = [-1e30, -200, -40, 40, 200, 1e30, .infinity, .nan]
        for activation in Activation.allCases {
            var y = inputs
            activation.apply(&y, count: y.count)
            #expect(y[0...2].allSatisfy { $0 <= 0 && $0 > -1e-6 }, "\(activation) far left \(y)")
            #expect(Array(y[3...6]) == [40, 200, 1e30, .infinity], "\(activation) far right \(y)")
            #expect(y[7].isNaN, "\(activation) NaN \(y)")
        }
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
        for start in stride(from: 0, to: inputs.count - 15, by: 16) {
            let lanes = Lanes(inputs[start..<(start + 16)])
            let result = VectorExp.exp(lanes)
            for lane in 0..<16 {
                let exact = Foundation.exp(Double(lanes[lane]))
                worst = max(worst, abs(Double(result[lane]) - exact) / exact)
            }
        }
        #expect(worst <= 2.5e-7, "worst relative error \(worst)")
    }
}

@Suite struct VectorErfTests {
    /// Φ(x) = ½(1 + erf(x/√2)) against Double erf, over the range GELU sees and beyond.
    @Test func normalCDFMatchesErfWithinThreeTenthsOfAMillionth() {
        let inputs = seededValues(8192, seed: 73, scale: 12) + [0, -0.5, 0.5, 1e-8, -1e-8, 3, -3, 100, -100]
        var worst = 0.0
        for start in stride(from: 0, to: inputs.count - 15, by: 16) {
            let lanes = Lanes(inputs[start..<(start + 16)])
            let result = VectorErf.normalCDF(lanes)
            for lane in 0..<16 {
                let exact = 0.5 * (1 + erf(Double(lanes[lane]) / 2.0.squareRoot()))
                worst = max(worst, abs(Double(result[lane]) - exact))
            }
        }
        #expect(worst <= 3e-7, "worst absolute error \(worst)")
    }
}
