/// exp(x) sixteen lanes at a time, for the loops that call it per element (softmax, quick_gelu),
/// where a libm call per scalar would cost more than the surrounding arithmetic.
///
///     x: Lanes → exp(x), relative error ≈ 1e-7 (within 2 ulp of expf) on [-87, 88]
///
/// Method: Cephes `expf` — x = n·ln2 + r with |r| ≤ ln2/2 (n rounded to nearest) (ln2 split in two for an exact
/// reduction), a degree-6 polynomial for e^r, then 2^n built in the exponent bits. Inputs are
/// clamped to the finite range, so exp(-∞) gives ≈1e-38 rather than 0: harmless where it is used.
public enum VectorExp {
    @inline(__always)
    public static func exp(_ input: Lanes) -> Lanes {
        let x0 = input.lanesMin(Lanes(repeating: 88.3)).lanesMax(Lanes(repeating: -87.3))
        // n = round(x·log2 e) without a float→int conversion (Swift's generic SIMD conversion
        // runs lane by lane): adding 1.5·2²³ leaves n in the low mantissa bits of `shifted`.
        let magic: Float = 12_582_912
        let shifted = x0 * 1.44269504088896341 + magic
        let n = shifted - magic
        var r = x0 - n * 0.693359375
        r -= n * -2.12194440e-4
        let z = r * r
        var p = Lanes(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        let er = p * z + r + 1
        let integer = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- 0x4B40_0000
        return er * unsafeBitCast((integer &+ 127) &<< 23, to: Lanes.self)
    }
}
