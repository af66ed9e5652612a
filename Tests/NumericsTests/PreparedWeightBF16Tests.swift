import CPackedGEMM
import Testing
@testable import Numerics

/// The bf16 kernel (`Precision.bf16`, AVX512-BF16) on the fp32 kernel's shape grid, against the
/// Double reference over inputs rounded to bf16 the way the kernel rounds them: the products of
/// two bf16 values are exact in fp32, so what is left is fp32 accumulation order, under the same
/// tolerance as the fp32 kernel. Skipped (`.needsBF16`, which says why) on CPUs without AVX512-BF16.
extension PreparedWeightTests {
    /// The grid (its inner dimensions 513, 600 and 3000 cross the bf16 kernel's 256-pair block as
    /// 255...257 cross the fp32 kernel's 256 steps), plus a shape whose converted activations need
    /// several M blocks (1501 pairs of 4 bytes leave room for 84 rows per block: 200 rows take three).
    static let bf16Shapes = shapes + [Shape(rows: 200, inFeatures: 3001, outFeatures: 40)]

    /// fp32 → bf16 by definition: the nearer of the two bf16 values around `value` (the
    /// significand cut to 8 bits, and one step away from zero), ties to the even one; subnormals
    /// become zero of their sign, as VCVTNE2PS2BF16 treats them.
    static func bf16Rounded(_ value: Float) -> Float {
        guard value.isFinite || value.isInfinite else { return value }
        if value.isSubnormal || value == 0 { return value.sign == .minus ? -0.0 : 0 }
        let bits = value.bitPattern
        let towardZero = bits & 0xFFFF_0000
        let remainder = bits & 0xFFFF
        let awayFromZero = towardZero &+ 0x1_0000
        let nearer: UInt32 =
            remainder > 0x8000 ? awayFromZero : remainder < 0x8000 ? towardZero : (towardZero & 0x1_0000 == 0 ? towardZero : awayFromZero)
        return Float(bitPattern: nearer)
    }

    @Test(.needsBF16, arguments: bf16Shapes)
    func bf16ProductsMatchTheReferenceOverBF16RoundedInputs(_ s: Shape) throws {
        try checkAgainstTheReference(s, layouts: [.packedBF16], rounded: Self.bf16Rounded)
    }

    /// The promise `computesRowsIndependently` makes, for bf16: every activation is rounded by
    /// itself and every output element's dot products run in one fixed order, so a row alone, in
    /// a short block, or in any of three M blocks of a long call gives the same bits.
    @Test(.needsBF16) func aBF16RowIsTheSameBitsWhateverRowsShareTheCall() throws {
        try expectRowsIndependent(
            Shape(rows: 200, inFeatures: 3001, outFeatures: 40), layout: .packedBF16,
            subsets: [0..<1, 7..<8, 199..<200, 3..<16, 60..<130, 10..<190], "bf16")
    }

    /// The load-time rounding of weights (portable C) is the instruction's rounding of
    /// activations: on ties, near the largest finite value, on subnormals, NaN and infinities.
    @Test func weightRoundingIsTheDefinitionOfRoundToNearestEven() {
        let edges: [UInt32] = [
            0x3F80_8000, 0x3F81_8000, 0x3F80_7FFF, 0x3F80_8001, 0xBF80_8000, 0xBF81_8000, 0x7F7F_FFFF, 0x7F7F_7FFF,
            0x0000_0001, 0x8070_0000, 0x0080_0000, 0x0080_8000, 0x7F80_0000, 0xFF80_0000, 0, 0x8000_0000,
        ]
        var state: UInt32 = 12345
        let random = (0..<10_000).map { _ -> UInt32 in
            state = state &* 1_664_525 &+ 1_013_904_223
            return state
        }
        for bits in edges + random {
            let value = Float(bitPattern: bits)
            let converted = Float(bitPattern: UInt32(adaptclip_bf16_from_float(value)) << 16)
            if value.isNaN {
                #expect(converted.isNaN, "NaN \(String(bits, radix: 16)) became \(converted)")
            } else {
                #expect(
                    converted.bitPattern == Self.bf16Rounded(value).bitPattern,
                    "\(String(bits, radix: 16)): \(converted) instead of \(Self.bf16Rounded(value))")
            }
        }
    }

    /// Activations (rounded per call by VCVTNE2PS2BF16) and weights (rounded at load in C) round
    /// alike: multiplying rounding edge cases by an identity gives each one rounded, whichever side
    /// of the product holds them.
    @Test(.needsBF16) func activationsAndWeightsRoundAlike() throws {
        let edges = [
            Float(bitPattern: 0x3F80_8000), Float(bitPattern: 0x3F81_8000), Float(bitPattern: 0xBF80_8000),
            Float(bitPattern: 0x3F80_7FFF), Float(bitPattern: 0x4049_0FDB), 1e-3, -7.5e4, Float(bitPattern: 0x0000_0001),
            Float(bitPattern: 0x8070_0000), 0.1, -0.3, 12345.678, 0, 3.3e-5, -1, Float(bitPattern: 0x7F7F_7FFF), 2.5,
        ]
        let n = edges.count  // odd: the pad pair is in play
        var identity = [Float](repeating: 0, count: n * n)
        for i in 0..<n { identity[i * n + i] = 1 }
        let expected = edges.map(Self.bf16Rounded)
        for (weights, input, what) in [(identity, edges, "activations"), (edges, [Float](repeating: 1, count: 1), "weights")] {
            let s = weights.count == n * n ? Shape(rows: 1, inFeatures: n, outFeatures: n) : Shape(rows: 1, inFeatures: 1, outFeatures: n)
            let weight = try Self.prepared(weights, s, layout: .packedBF16)
            var y = [Float](repeating: .nan, count: n)
            input.withUnsafeBufferPointer { weight.apply($0.baseAddress!, rows: 1, bias: nil, into: &y) }
            // Compared as values: a sum that starts at +0 turns the −0 of a subnormal into +0.
            #expect(y == expected, "\(what): \(y) instead of \(expected)")
        }
    }

    /// No inputs: the product is the bias alone in bf16 too (the weight stays plain).
    @Test(.needsBF16) func anEmptyBF16WeightGivesTheBias() throws {
        let weight = PreparedWeight(try TensorBuffer(shape: [3, 0]), outFeatures: 3, inFeatures: 0, layout: .packedBF16)
        #expect(weight.layout == .plain)
        var y = [Float](repeating: .nan, count: 3)
        let (bias, x): ([Float], [Float]) = ([1, 2, 3], [0])
        x.withUnsafeBufferPointer { x in bias.withUnsafeBufferPointer { weight.apply(x.baseAddress!, rows: 1, bias: $0.baseAddress!, into: &y) } }
        #expect(y == [1, 2, 3])
    }

    /// `auto` is bf16 exactly where the CPU reports AVX512-BF16, and asking for bf16 elsewhere is
    /// refused by name rather than quietly served in fp32.
    @Test func autoPrecisionIsBF16ExactlyWhereTheCPUHasAVX512BF16() throws {
        #if os(Linux) && arch(x86_64)
        let hasBF16 = CPUDescription.current.flags.contains("avx512_bf16")
        #expect(Precision.bf16.isAvailable == hasBF16)
        #expect(Precision.auto == (hasBF16 ? .bf16 : .fp32))
        #expect(try PrecisionChoice.auto.resolved() == Precision.auto)
        #expect(try PrecisionChoice.fp32.resolved() == .fp32)
        if hasBF16 {
            #expect(try PrecisionChoice.bf16.resolved() == .bf16)
            #expect(PreparedWeight.kernelReport(layout: try GEMMKernel.auto.layout(for: .bf16)).contains("AVX512-BF16"))
        } else {
            #expect(throws: Precision.Unavailable(precision: .bf16)) { try PrecisionChoice.bf16.resolved() }
        }
        #endif
        #expect(Precision.fp32.isAvailable)
    }

    /// The precision a weight is prepared in picks its layout, and fp32 keeps the fp32 kernel's.
    @Test func precisionPicksTheLayout() throws {
        let s = Shape(rows: 1, inFeatures: 8, outFeatures: 4)
        let buffer = TensorBuffer(try Tensor(shape: [s.outFeatures, s.inFeatures], scalars: seededValues(32, seed: 5)))
        let expected: [GEMMKernel: PreparedWeight.Layout] = [
            .auto: .bestAvailable, .openblas: .plain, .avx2: .packed(.avx2), .avx512: .packed(.avx512),
        ]
        for kernel in GEMMKernel.allCases where kernel.isAvailable {
            let fp32 = PreparedWeight(buffer, outFeatures: 4, inFeatures: 8, layout: try kernel.layout(for: .fp32))
            #expect(fp32.layout == expected[kernel], "\(kernel)")
            #expect(fp32.precision == .fp32)
        }
        guard Precision.bf16.isAvailable else { return }
        // bf16 has one kernel, whatever fp32 kernel is named beside it.
        #expect(try GEMMKernel.allCases.map { try $0.layout(for: .bf16) } == [.packedBF16, .packedBF16, .packedBF16, .packedBF16])
        let bf16 = PreparedWeight(buffer, outFeatures: 4, inFeatures: 8, layout: try GEMMKernel.openblas.layout(for: .bf16))
        #expect(bf16.layout == .packedBF16)
        #expect(bf16.precision == .bf16)
        #expect(bf16.computesRowsIndependently)
    }
}
