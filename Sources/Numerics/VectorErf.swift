/// The standard normal CDF Φ(x) = ½ (1 + erf(x / √2)) sixteen lanes at a time, for the exact
/// GELU (`GELUActivation` in transformers), where a libm `erff` per element dominated the MLP.
///
///     x: Lanes → Φ(x), absolute error ≤ 3e-7 (Double reference; 1.5e-7 from the formula, the rest float rounding)
///
/// Method: Abramowitz & Stegun 7.1.26, erf(a) = 1 - t·P(t)·e^(-a²) with t = 1 / (1 + p·a),
/// a = |x| / √2 ≥ 0 (absolute error 1.5e-7). The tail q = ½ t·P(t)·e^(-a²) is computed directly
/// and Φ is q for negative x, 1 - q otherwise, so negative inputs keep their small values
/// without cancellation.
public enum VectorErf {
    @inline(__always)
    public static func normalCDF(_ x: Lanes) -> Lanes {
        let inverseSqrt2: Float = 0.70710678118654752440
        var a = x * inverseSqrt2
        a.replace(with: -a, where: a .< 0)
        let t = 1 / (1 + 0.3275911 * a)
        var p = Lanes(repeating: 1.061405429)
        p = p * t - 1.453152027
        p = p * t + 1.421413741
        p = p * t - 0.284496736
        p = p * t + 0.254829592
        let q = 0.5 * p * t * VectorExp.exp(-(a * a))
        var phi = 1 - q
        phi.replace(with: q, where: x .< 0)
        return phi
    }
}
