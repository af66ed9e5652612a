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
