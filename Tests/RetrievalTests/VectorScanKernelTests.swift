import CVectorScan
import Testing

/// The exact-scan kernels (CVectorScan) against a double-precision reference, on every kernel this
/// CPU can run: the SIMD kernels must find the same ids as the scalar one, with scores within
/// float rounding, for dimensions that are and are not multiples of the vector widths and row
/// counts that are and are not multiples of the 4-row and 64-row blocks.
@Suite struct VectorScanKernelTests {
    static let detected = adaptclip_scan_detected_kernel()
    /// Every kernel up to the detected one (the scalar kernel always).
    static let kernels: [Int32] = Array(ADAPTCLIP_SCAN_SCALAR...detected)

    struct Generator {
        var state: UInt64
        mutating func next() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2_000_001 - 1_000_000) / 1_000_000
        }
    }

    static func rows(_ count: Int, _ dimension: Int, seed: UInt64) -> [Float] {
        var generator = Generator(state: seed)
        return (0..<count * dimension).map { _ in generator.next() }
    }

    /// Top-k by double-precision dot products (ties: lower position first).
    static func reference(_ query: [Float], _ rows: [Float], dimension: Int, k: Int) -> [(Int64, Double)] {
        let count = rows.count / dimension
        let scored = (0..<count).map { r -> (Int64, Double) in
            var sum = 0.0
            for i in 0..<dimension { sum += Double(query[i]) * Double(rows[r * dimension + i]) }
            return (Int64(r), sum)
        }
        return Array(scored.sorted { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }.prefix(k))
    }

    static func scan(kernel: Int32, _ query: [Float], _ rows: [Float], dimension: Int, k: Int, half: [UInt16]? = nil,
                     labels: [Int64]? = nil, firstLabel: Int64 = 0) -> [(Int64, Float)] {
        var scores = [Float](repeating: 0, count: k)
        var ids = [Int64](repeating: 0, count: k)
        let count = rows.count / dimension
        scores.withUnsafeMutableBufferPointer { s in
            ids.withUnsafeMutableBufferPointer { l in
                var best = adaptclip_topk()
                adaptclip_topk_init(&best, s.baseAddress, l.baseAddress, k)
                if let half {
                    adaptclip_scan_f16(kernel, query, dimension, half, count, labels, firstLabel, &best)
                } else {
                    adaptclip_scan_f32(kernel, query, dimension, rows, count, labels, firstLabel, &best)
                }
                adaptclip_topk_finish(&best)
            }
        }
        return zip(ids, scores).map { ($0, $1) }
    }

    /// Ids must match; a pair of rows whose reference scores are within `tie` may swap places.
    static func expectSame(_ got: [(Int64, Float)], _ want: [(Int64, Double)], tolerance: Double, _ label: String) {
        #expect(got.count == want.count, "\(label)")
        for (j, (g, w)) in zip(got, want).enumerated() {
            #expect(abs(Double(g.1) - w.1) <= tolerance, "\(label) slot \(j): score \(g.1) vs \(w.1)")
            if g.0 != w.0 {
                let swapped = want.contains { $0.0 == g.0 && abs($0.1 - w.1) <= tolerance }
                #expect(swapped, "\(label) slot \(j): id \(g.0) vs \(w.0)")
            }
        }
    }

    @Test(arguments: kernels)
    func float32ScanFindsTheReferenceTopK(kernel: Int32) {
        for dimension in [1, 7, 16, 33, 128, 130] {
            for count in [0, 3, 4, 65, 301] {
                let rows = Self.rows(count, dimension, seed: UInt64(dimension * 1000 + count))
                let query = Self.rows(1, dimension, seed: 7)
                let k = 10
                let want = Self.reference(query, rows, dimension: dimension, k: k)
                let got = Self.scan(kernel: kernel, query, rows, dimension: dimension, k: k)
                Self.expectSame(Array(got.prefix(want.count)), want, tolerance: 1e-4 * Double(dimension), "kernel \(kernel) d \(dimension) n \(count)")
                // Slots past the rows are FAISS's "missing" hits.
                for slot in got.dropFirst(want.count) { #expect(slot.0 == -1 && slot.1 == -.infinity) }
            }
        }
    }

    @Test(arguments: kernels)
    func halfPrecisionScanFindsTheReferenceTopKOfTheRoundedRows(kernel: Int32) {
        for dimension in [5, 16, 24, 128, 131] {
            let count = 203
            let rows = Self.rows(count, dimension, seed: UInt64(dimension))
            let half = rows.map { adaptclip_f16_from_float($0) }
            // The reference scores the rounded rows: what the kernel reads.
            let rounded = half.map { adaptclip_float_from_f16($0) }
            let query = Self.rows(1, dimension, seed: 11)
            let want = Self.reference(query, rounded, dimension: dimension, k: 20)
            let got = Self.scan(kernel: kernel, query, rows, dimension: dimension, k: 20, half: half)
            Self.expectSame(got, want, tolerance: 1e-4 * Double(dimension), "kernel \(kernel) d \(dimension)")
        }
    }

    @Test(arguments: kernels)
    func explicitLabelsAndFirstLabelNameTheRows(kernel: Int32) {
        let dimension = 8, count = 70
        let rows = Self.rows(count, dimension, seed: 3)
        let query = Array(rows[(42 * dimension)..<(43 * dimension)])
        let labels = (0..<count).map { Int64(1_000 + 3 * $0) }
        #expect(Self.scan(kernel: kernel, query, rows, dimension: dimension, k: 1, labels: labels)[0].0
                == Self.reference(query, rows, dimension: dimension, k: 1)[0].0 * 3 + 1_000)
        #expect(Self.scan(kernel: kernel, query, rows, dimension: dimension, k: 1, firstLabel: 500)[0].0
                == Self.reference(query, rows, dimension: dimension, k: 1)[0].0 + 500)
    }

    @Test func equalScoresKeepTheEarlierRow() {
        let dimension = 4
        // Rows 0..9 repeat the same two vectors: the best score is shared by rows 1, 3, 5, 7, 9.
        let rows: [Float] = (0..<10).flatMap { (r: Int) -> [Float] in r % 2 == 0 ? [0, 0, 0, 1] : [1, 0, 0, 0] }
        for kernel in Self.kernels {
            let got = Self.scan(kernel: kernel, [1, 0, 0, 0], rows, dimension: dimension, k: 3)
            #expect(got.map { $0.0 } == [1, 3, 5], "kernel \(kernel)")
        }
    }

    @Test func halfPrecisionConversionMatchesSwiftFloat16() {
        // Every half converts to a float and back to itself (NaNs stay NaNs).
        for bits in UInt16.min...UInt16.max {
            let value = adaptclip_float_from_f16(bits)
            #expect(value.bitPattern == Float(Float16(bitPattern: bits)).bitPattern || value.isNaN)
            if !value.isNaN { #expect(adaptclip_f16_from_float(value) == bits) }
        }
        // Rounding of floats between halves, around subnormals and overflow, as Swift rounds.
        var generator = Generator(state: 99)
        let specials: [Float] = [65504, 65519.99, 65520, 1e6, 5.96e-8, 2.98e-8, 2.99e-8, 6.1e-5, -0.0, .infinity, -.infinity]
        let samples = specials + (0..<20_000).map { i in generator.next() * Float(sign: .plus, exponent: i % 40 - 26, significand: 1) }
        for value in samples {
            #expect(adaptclip_f16_from_float(value) == Float16(value).bitPattern, "\(value)")
        }
    }
}
