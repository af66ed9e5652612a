import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Numerics

/// The packed kernel (both micro-kernels the CPU can run) and the plain OpenBLAS path of
/// `PreparedWeight` against a Double triple loop, on shapes chosen to hit every edge of the
/// kernel's blocking: partial panels and half panels (out not a multiple of 32 or 16), every
/// row-block height 1...12, inner dimensions across the 256-step block, and enough rows × inner
/// size to need several M blocks. Each weight names its micro-kernel in its layout, so weights
/// for both micro-kernels coexist and the tests need no process-wide setting.
@Suite struct PreparedWeightTests {
    struct Shape: CustomStringConvertible, Sendable {
        let rows: Int, inFeatures: Int, outFeatures: Int
        var description: String { "\(rows)×\(inFeatures)→\(outFeatures)" }
    }

    static let shapes: [Shape] = [
        Shape(rows: 1, inFeatures: 1, outFeatures: 1),
        Shape(rows: 1, inFeatures: 7, outFeatures: 15),
        Shape(rows: 2, inFeatures: 16, outFeatures: 16),
        Shape(rows: 3, inFeatures: 33, outFeatures: 17),
        Shape(rows: 5, inFeatures: 64, outFeatures: 31),
        Shape(rows: 7, inFeatures: 255, outFeatures: 32),
        Shape(rows: 11, inFeatures: 256, outFeatures: 33),
        Shape(rows: 12, inFeatures: 257, outFeatures: 47),
        Shape(rows: 13, inFeatures: 100, outFeatures: 64),
        Shape(rows: 25, inFeatures: 513, outFeatures: 100),
        Shape(rows: 50, inFeatures: 600, outFeatures: 200),
        // 3000 inner floats leave room for 36 rows per M block: 80 rows take three blocks.
        Shape(rows: 80, inFeatures: 3000, outFeatures: 40),
        // Above 512 rows the AVX-512 kernel reads packed row blocks instead of the rows themselves;
        // 300 inner floats leave room for 432 rows per M block, so 530 rows take two.
        Shape(rows: 530, inFeatures: 300, outFeatures: 40),
    ]

    /// The fp32 packed layouts this machine can run, one per micro-kernel, best first.
    static var packedFP32Layouts: [PreparedWeight.Layout] {
        switch PreparedWeight.detectedInstructionSet {
        case .avx512: [.packed(.avx512), .packed(.avx2)]
        case .avx2: [.packed(.avx2)]
        case .none: []
        }
    }

    /// Every fp32 layout this machine can run (plain always; packed with AVX-512F or AVX2 + FMA).
    static var layouts: [PreparedWeight.Layout] { packedFP32Layouts + [.plain] }

    /// The packed layouts this machine can run: fp32 panels with AVX-512F or AVX2 + FMA, bf16
    /// panels with AVX512-BF16.
    static var packedLayouts: [PreparedWeight.Layout] {
        packedFP32Layouts + (Precision.bf16.isAvailable ? [.packedBF16] : [])
    }

    static func reference(_ x: [Float], _ w: [Float], _ b: [Float]?, _ s: Shape) -> [Double] {
        var out = [Double](repeating: 0, count: s.rows * s.outFeatures)
        for r in 0..<s.rows {
            for o in 0..<s.outFeatures {
                var sum = b.map { Double($0[o]) } ?? 0
                for i in 0..<s.inFeatures { sum += Double(x[r * s.inFeatures + i]) * Double(w[o * s.inFeatures + i]) }
                out[r * s.outFeatures + o] = sum
            }
        }
        return out
    }

    static func prepared(_ w: [Float], _ s: Shape, layout: PreparedWeight.Layout) throws -> PreparedWeight {
        PreparedWeight(
            TensorBuffer(try Tensor(shape: [s.outFeatures, s.inFeatures], scalars: w)), outFeatures: s.outFeatures,
            inFeatures: s.inFeatures, layout: layout)
    }

    /// Float error grows with the inner dimension; the bound is a few hundred ulp of the sums.
    static func tolerance(_ s: Shape) -> Double { 2e-6 * Double(max(16, s.inFeatures)) }

    @Test(arguments: shapes)
    func applyAndAccumulateMatchTheReference(_ s: Shape) throws {
        try checkAgainstTheReference(s)
    }

    /// `apply` (with and without a bias) and `accumulate` of every layout in `layouts` against
    /// the Double reference over the inputs as the layouts round them (`rounded`: none for fp32).
    func checkAgainstTheReference(
        _ s: Shape, layouts: [PreparedWeight.Layout] = Self.layouts,
        rounded: (Float) -> Float = { $0 }
    ) throws {
        let x = seededValues(s.rows * s.inFeatures, seed: 11)
        let w = seededValues(s.outFeatures * s.inFeatures, seed: 12, scale: 0.5)
        let b = seededValues(s.outFeatures, seed: 13)
        let start = seededValues(s.rows * s.outFeatures, seed: 14)
        let expected = Self.reference(x.map(rounded), w.map(rounded), b, s)
        let expectedWithoutBias = Self.reference(x.map(rounded), w.map(rounded), nil, s)
        for layout in layouts {
            let weight = try Self.prepared(w, s, layout: layout)
            #expect(weight.layout == layout)
            // NaN in the output proves `apply` never reads it; the guard past the end proves the
            // last, partial panel's masked stores stay inside the matrix.
            let guardCount = 40
            var applied = [Float](repeating: .nan, count: s.rows * s.outFeatures + guardCount)
            var unbiased = applied
            var accumulated = start + [Float](repeating: 12345, count: guardCount)
            x.withUnsafeBufferPointer { x in
                b.withUnsafeBufferPointer { b in
                    weight.apply(x.baseAddress!, rows: s.rows, bias: b.baseAddress!, into: &applied)
                    weight.apply(x.baseAddress!, rows: s.rows, bias: nil, into: &unbiased)
                    weight.accumulate(x.baseAddress!, rows: s.rows, bias: b.baseAddress!, into: &accumulated)
                }
            }
            let n = s.rows * s.outFeatures
            expectClose(Array(applied[..<n]), expected, tolerance: Self.tolerance(s), "\(layout) apply \(s)")
            expectClose(Array(unbiased[..<n]), expectedWithoutBias, tolerance: Self.tolerance(s), "\(layout) no bias \(s)")
            expectClose(
                Array(accumulated[..<n]), zip(expected, start).map { $0 + Double($1) }, tolerance: Self.tolerance(s),
                "\(layout) accumulate \(s)")
            #expect(applied[n...].allSatisfy { $0.isNaN }, "\(layout) apply wrote past the end for \(s)")
            #expect(accumulated[n...].allSatisfy { $0 == 12345 }, "\(layout) accumulate wrote past the end for \(s)")
        }
    }

    /// No inputs (a zero-width layer): the product is the bias alone, whatever layout was asked.
    @Test func anEmptyInnerDimensionGivesTheBias() throws {
        for layout in Self.layouts {
            let weight = PreparedWeight(try TensorBuffer(shape: [3, 0]), outFeatures: 3, inFeatures: 0, layout: layout)
            #expect(weight.layout == .plain)
            var y = [Float](repeating: .nan, count: 6)
            let bias: [Float] = [1, 2, 3]
            let x: [Float] = [0]
            x.withUnsafeBufferPointer { x in
                bias.withUnsafeBufferPointer { weight.apply(x.baseAddress!, rows: 2, bias: $0.baseAddress!, into: &y) }
            }
            #expect(y == [1, 2, 3, 1, 2, 3])
        }
    }

    /// A product big enough to be split across workers by panels gives the same floats as one
    /// worker doing every panel (each output column's sum runs in the same order either way),
    /// in fp32 and in bf16 (where every worker converts the activations itself).
    @Test(arguments: packedLayouts) func splittingPanelsAcrossWorkersChangesNothing(layout: PreparedWeight.Layout) throws {
        let s = Shape(rows: 50, inFeatures: 768, outFeatures: 320)
        let x = seededValues(s.rows * s.inFeatures, seed: 21)
        let weight = try Self.prepared(seededValues(s.outFeatures * s.inFeatures, seed: 22, scale: 0.1), s, layout: layout)
        func product(workers: Int) -> [Float] {
            Parallel.setWorkers(workers)
            var y = [Float](repeating: 0, count: s.rows * s.outFeatures)
            x.withUnsafeBufferPointer { weight.apply($0.baseAddress!, rows: s.rows, bias: nil, into: &y) }
            return y
        }
        let before = Parallel.workers
        defer { Parallel.setWorkers(before) }
        let one = product(workers: 1)
        #expect(product(workers: 2) == one)
        #expect(product(workers: 3) == one)
    }

    /// The packed kernel computes a row the same way whatever rows share the call (the promise
    /// `computesRowsIndependently` makes, on which the pooled last layer's exactness rests): a
    /// row alone, in a short block or inside a long call (with rows read directly up to 512 and
    /// from packed row blocks above) gives the same bits, on every micro-kernel.
    @Test(.enabled(if: !packedFP32Layouts.isEmpty, "the packed kernel needs AVX-512F or AVX2 + FMA, which this CPU lacks"))
    func aPackedRowIsTheSameBitsWhateverRowsShareTheCall() throws {
        for layout in Self.packedFP32Layouts {
            try expectRowsIndependent(
                Shape(rows: 530, inFeatures: 300, outFeatures: 40), layout: layout,
                subsets: [0..<1, 7..<8, 529..<530, 3..<16, 100..<150, 0..<512, 10..<523], "\(layout)")
        }
    }

    /// Each row of `subsets` multiplied alone gives the bits it gets inside one call over all of
    /// `s.rows` rows (accumulating onto zeros, with a bias: every step of the kernel).
    func expectRowsIndependent(_ s: Shape, layout: PreparedWeight.Layout, subsets: [Range<Int>], _ what: String) throws {
        let x = seededValues(s.rows * s.inFeatures, seed: 31)
        let b = seededValues(s.outFeatures, seed: 33)
        let weight = try Self.prepared(seededValues(s.outFeatures * s.inFeatures, seed: 32, scale: 0.2), s, layout: layout)
        #expect(weight.computesRowsIndependently)
        func product(rows: Range<Int>) -> [Float] {
            var y = [Float](repeating: 0, count: rows.count * s.outFeatures)
            x.withUnsafeBufferPointer { x in
                b.withUnsafeBufferPointer { weight.accumulate(x.baseAddress! + rows.lowerBound * s.inFeatures, rows: rows.count, bias: $0.baseAddress!, into: &y) }
            }
            return y
        }
        let all = product(rows: 0..<s.rows)
        for rows in subsets {
            let expected = Array(all[(rows.lowerBound * s.outFeatures)..<(rows.upperBound * s.outFeatures)])
            #expect(product(rows: rows) == expected, "\(what): rows \(rows) differ from the same rows in a \(s.rows)-row call")
        }
    }

    /// The packed kernel is what runs wherever the CPU can run it, with its best micro-kernel,
    /// so the speed the benchmarks show is the speed served.
    @Test func theBestKernelTheCPUCanRunIsChosen() throws {
        #if os(Linux) && arch(x86_64)
        let flags = CPUDescription.current.flags
        let expected: PreparedWeight.InstructionSet =
            flags.contains("avx512f") ? .avx512 : flags.contains("avx2") && flags.contains("fma") ? .avx2 : .none
        #expect(PreparedWeight.detectedInstructionSet == expected)
        #expect(PreparedWeight.Layout.bestAvailable == (expected == .none ? .plain : .packed(expected)))
        #expect(try GEMMKernel.auto.fp32Layout() == .bestAvailable)
        #else
        #expect(PreparedWeight.Layout.bestAvailable == .plain)
        #endif
    }

    /// Threads that run a packed product and exit (Dispatch's come and go) leave no packed
    /// activations behind. A row block is at least 12 rows, so 12 rows of 40,000 inputs need
    /// 1.9 MB of scratch in fp32 (0.96 MB as bf16 pairs): 40 threads would leak 77 (38) MB.
    @Test(arguments: packedLayouts) func scratchOfExitedThreadsIsFreed(layout: PreparedWeight.Layout) throws {
        #if os(Linux)
        let s = Shape(rows: 12, inFeatures: 40_000, outFeatures: 32)
        let job = ThreadJob(
            x: seededValues(s.rows * s.inFeatures, seed: 31),
            weight: try Self.prepared(seededValues(s.outFeatures * s.inFeatures, seed: 32), s, layout: layout))
        let before = Parallel.workers
        Parallel.setWorkers(1)  // each product runs on the thread that asks for it
        defer { Parallel.setWorkers(before) }
        // Resident bytes: the scratch is written in full by packing, so a leaked one stays resident.
        func residentBytes() throws -> Int {
            let fields = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8).split(separator: " ")
            return (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
        }
        job.runOnNewThread()  // warm-up: one-time allocations of the runtime
        let start = try residentBytes()
        for _ in 0..<40 { job.runOnNewThread() }
        let grown = try residentBytes() - start
        #expect(grown < 16 << 20, "resident memory grew by \(grown) bytes over 40 exited threads")
        #endif
    }
}

#if os(Linux)
/// One packed product on a fresh pthread, joined before returning (so its exit has run).
private final class ThreadJob: @unchecked Sendable {
    let x: [Float]
    let weight: PreparedWeight
    init(x: [Float], weight: PreparedWeight) {
        self.x = x
        self.weight = weight
    }

    func run() {
        var y = [Float](repeating: 0, count: (x.count / weight.inFeatures) * weight.outFeatures)
        x.withUnsafeBufferPointer { weight.apply($0.baseAddress!, rows: x.count / weight.inFeatures, bias: nil, into: &y) }
    }

    func runOnNewThread() {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let created = pthread_create(&thread, nil, { context in
            let job = Unmanaged<ThreadJob>.fromOpaque(context!).takeRetainedValue()
            job.run()
            return nil
        }, context)
        precondition(created == 0, "pthread_create failed")
        pthread_join(thread, nil)
    }
}
#endif
