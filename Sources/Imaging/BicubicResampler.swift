// Pillow's bicubic resize of 8-bit RGB: a port of Resample.c (precompute_coeffs,
// normalize_coeffs_8bpc, ImagingResampleHorizontal_8bpc / Vertical_8bpc, ImagingResampleInner),
// kept bit-exact: double-precision weights with the support widened by the downscale factor
// (antialiasing), rounded to 22-bit fixed point, a horizontal pass into an 8-bit intermediate
// (clipped), then a vertical pass (clipped). A pass whose size does not change is skipped,
// exactly as Pillow skips it.

/// Keys's cubic convolution with a = -0.5, support 2 (Pillow's `bicubic_filter`).
@inline(__always) private func bicubic(_ t: Double) -> Double {
    let a = -0.5
    let x = abs(t)
    if x < 1.0 { return ((a + 2.0) * x - (a + 3.0)) * x * x + 1 }
    if x < 2.0 { return (((x - 5) * x + 8) * x - 4) * a }
    return 0.0
}

/// Fixed-point fraction bits: 32 - 8 - 2, leaving room for 8-bit values and the filter's overshoot.
private let precisionBits: Int32 = 22

/// The filter taps of one axis: for output index i, input indices `start[i] ..< start[i] + count[i]`
/// weighted by `weights[i * taps ..< i * taps + count[i]]`.
struct ResampleAxis: Sendable {
    let inSize: Int
    let outSize: Int
    let taps: Int
    let start: [Int]
    let count: [Int]
    let weights: [Int32]

    // in: [inSize] samples -> out: [outSize] samples (Pillow precompute_coeffs with box = (0, inSize)).
    init(inSize: Int, outSize: Int) {
        self.inSize = inSize
        self.outSize = outSize
        let support0 = 2.0
        let scale = Double(Float(inSize)) / Double(outSize)
        let filterScale = max(scale, 1.0)
        let support = support0 * filterScale
        let taps = Int(support.rounded(.up)) * 2 + 1
        self.taps = taps
        var start = [Int](repeating: 0, count: outSize)
        var count = [Int](repeating: 0, count: outSize)
        var weights = [Int32](repeating: 0, count: outSize * taps)
        var k = [Double](repeating: 0, count: taps)
        let inverseScale = 1.0 / filterScale
        for xx in 0..<outSize {
            let center = (Double(xx) + 0.5) * scale
            var xmin = Int(center - support + 0.5)
            if xmin < 0 { xmin = 0 }
            var xmax = Int(center + support + 0.5)
            if xmax > inSize { xmax = inSize }
            xmax -= xmin
            var total = 0.0
            for x in 0..<xmax {
                let w = bicubic((Double(x + xmin) - center + 0.5) * inverseScale)
                k[x] = w
                total += w
            }
            for x in 0..<xmax where total != 0.0 { k[x] /= total }
            let one = Double(1 << precisionBits)
            for x in 0..<xmax {
                weights[xx * taps + x] = k[x] < 0 ? Int32(-0.5 + k[x] * one) : Int32(0.5 + k[x] * one)
            }
            start[xx] = xmin
            count[xx] = xmax
        }
        self.start = start
        self.count = count
        self.weights = weights
    }
}

@inline(__always) private func clip8(_ v: Int32) -> UInt8 {
    let shifted = v >> precisionBits
    return shifted <= 0 ? 0 : shifted >= 255 ? 255 : UInt8(shifted)
}

enum BicubicResampler {
    /// Resizes `image` to `outWidth`×`outHeight` as `PIL.Image.resize(size, Image.BICUBIC)` does, and
    /// returns only the window `columns` × `rows` of that result (each output pixel depends only on
    /// its own taps, so computing just the window that a centre crop keeps is exact).
    // image: [H, W, 3] uint8 -> window: [rows.count, columns.count, 3] uint8
    static func resize(
        _ image: RGBImage, outWidth: Int, outHeight: Int, columns: Range<Int>, rows: Range<Int>
    ) -> [UInt8] {
        let needHorizontal = outWidth != image.width
        let needVertical = outHeight != image.height
        let windowWidth = columns.count, windowHeight = rows.count
        if windowWidth == 0 || windowHeight == 0 { return [] }

        let vertical = needVertical ? ResampleAxis(inSize: image.height, outSize: outHeight) : nil
        // The input rows the window needs.
        let firstRow: Int, endRow: Int
        if let vertical {
            firstRow = rows.map { vertical.start[$0] }.min() ?? 0
            endRow = rows.map { vertical.start[$0] + vertical.count[$0] }.max() ?? 0
        } else {
            firstRow = rows.lowerBound
            endRow = rows.upperBound
        }
        let middleRows = endRow - firstRow
        let rowBytes = windowWidth * 3

        // Horizontal pass: [middleRows, W, 3] -> [middleRows, windowWidth, 3].
        var middle = [UInt8](repeating: 0, count: middleRows * rowBytes)
        image.pixels.withUnsafeBufferPointer { src in
            middle.withUnsafeMutableBufferPointer { dst in
                let inRowBytes = image.width * 3
                if !needHorizontal {
                    for r in 0..<middleRows {
                        let s = (firstRow + r) * inRowBytes + columns.lowerBound * 3
                        for i in 0..<rowBytes { dst[r * rowBytes + i] = src[s + i] }
                    }
                    return
                }
                let axis = ResampleAxis(inSize: image.width, outSize: outWidth)
                axis.weights.withUnsafeBufferPointer { weights in
                    let half: Int32 = 1 << (precisionBits - 1)
                    for r in 0..<middleRows {
                        let inRow = (firstRow + r) * inRowBytes
                        let outRow = r * rowBytes
                        for (i, xx) in columns.enumerated() {
                            var s0 = half, s1 = half, s2 = half
                            let taps = xx * axis.taps
                            var p = inRow + axis.start[xx] * 3
                            for x in 0..<axis.count[xx] {
                                let w = weights[taps + x]
                                s0 &+= Int32(src[p]) &* w
                                s1 &+= Int32(src[p + 1]) &* w
                                s2 &+= Int32(src[p + 2]) &* w
                                p += 3
                            }
                            dst[outRow + i * 3] = clip8(s0)
                            dst[outRow + i * 3 + 1] = clip8(s1)
                            dst[outRow + i * 3 + 2] = clip8(s2)
                        }
                    }
                }
            }
        }
        guard let vertical else { return middle }

        // Vertical pass: [middleRows, windowWidth, 3] -> [windowHeight, windowWidth, 3], one
        // accumulator row at a time so the inner loop runs along contiguous memory.
        var out = [UInt8](repeating: 0, count: windowHeight * rowBytes)
        var accumulator = [Int32](repeating: 0, count: rowBytes)
        middle.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                accumulator.withUnsafeMutableBufferPointer { acc in
                    vertical.weights.withUnsafeBufferPointer { weights in
                        for (r, yy) in rows.enumerated() {
                            for i in 0..<rowBytes { acc[i] = 1 << (precisionBits - 1) }
                            let taps = yy * vertical.taps
                            for y in 0..<vertical.count[yy] {
                                let w = weights[taps + y]
                                let inRow = (vertical.start[yy] + y - firstRow) * rowBytes
                                for i in 0..<rowBytes { acc[i] &+= Int32(src[inRow + i]) &* w }
                            }
                            for i in 0..<rowBytes { dst[r * rowBytes + i] = clip8(acc[i]) }
                        }
                    }
                }
            }
        }
        return out
    }
}
