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

/// The filter taps of one axis for the outputs in `outputs` (a window of `0 ..< outSize`; computing
/// only the window keeps an extreme aspect ratio from allocating taps for pixels the crop drops).
/// Output `outputs.lowerBound + i` reads input indices `start[i] ..< start[i] + count[i]` weighted by
/// `weights[i * taps ..< i * taps + count[i]]`.
struct ResampleAxis: Sendable {
    let inSize: Int
    let outSize: Int
    let outputs: Range<Int>
    let taps: Int
    let start: [Int]
    let count: [Int]
    let weights: [Int32]

    // in: [inSize] samples -> out: [outSize] samples (Pillow precompute_coeffs with box = (0, inSize)).
    init(inSize: Int, outSize: Int, outputs: Range<Int>) {
        self.inSize = inSize
        self.outSize = outSize
        self.outputs = outputs
        let support0 = 2.0
        let scale = Double(Float(inSize)) / Double(outSize)
        let filterScale = max(scale, 1.0)
        let support = support0 * filterScale
        let taps = Int(support.rounded(.up)) * 2 + 1
        self.taps = taps
        var start = [Int](repeating: 0, count: outputs.count)
        var count = [Int](repeating: 0, count: outputs.count)
        var weights = [Int32](repeating: 0, count: outputs.count * taps)
        var k = [Double](repeating: 0, count: taps)
        let inverseScale = 1.0 / filterScale
        for (i, xx) in outputs.enumerated() {
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
                weights[i * taps + x] = k[x] < 0 ? Int32(-0.5 + k[x] * one) : Int32(0.5 + k[x] * one)
            }
            start[i] = xmin
            count[i] = xmax
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
    /// its own taps, so computing just the window that a centre crop keeps is exact). `stop` is
    /// asked between rows of both passes.
    // image: [H, W, 3] uint8 -> window: [rows.count, columns.count, 3] uint8
    static func resize(
        _ image: RGBImage, outWidth: Int, outHeight: Int, columns: Range<Int>, rows: Range<Int>, stop: inout StopCheck
    ) throws(ImageError) -> [UInt8] {
        let needHorizontal = outWidth != image.width
        let needVertical = outHeight != image.height
        let windowWidth = columns.count, windowHeight = rows.count
        if windowWidth == 0 || windowHeight == 0 { return [] }

        let vertical = needVertical ? ResampleAxis(inSize: image.height, outSize: outHeight, outputs: rows) : nil
        // The input rows the window needs.
        let firstRow: Int, endRow: Int
        if let vertical {
            firstRow = vertical.start.min() ?? 0
            endRow = zip(vertical.start, vertical.count).map { $0 + $1 }.max() ?? 0
        } else {
            firstRow = rows.lowerBound
            endRow = rows.upperBound
        }
        let middleRows = endRow - firstRow
        let rowBytes = windowWidth * 3

        // Horizontal pass: [middleRows, W, 3] -> [middleRows, windowWidth, 3].
        var middle = [UInt8](repeating: 0, count: middleRows * rowBytes)
        try image.pixels.withUnsafeBufferPointer { (src) throws(ImageError) in
            try middle.withUnsafeMutableBufferPointer { (dst) throws(ImageError) in
                let inRowBytes = image.width * 3
                if !needHorizontal {
                    for r in 0..<middleRows {
                        let s = (firstRow + r) * inRowBytes + columns.lowerBound * 3
                        for i in 0..<rowBytes { dst[r * rowBytes + i] = src[s + i] }
                    }
                    return
                }
                let axis = ResampleAxis(inSize: image.width, outSize: outWidth, outputs: columns)
                try axis.weights.withUnsafeBufferPointer { (weights) throws(ImageError) in
                    try axis.start.withUnsafeBufferPointer { (start) throws(ImageError) in
                        try axis.count.withUnsafeBufferPointer { (count) throws(ImageError) in
                            try horizontalPass(
                                src: src, dst: dst, inRowBytes: inRowBytes, firstRow: firstRow, rows: middleRows,
                                columns: columns, taps: axis.taps, weights: weights, start: start, count: count, stop: &stop)
                        }
                    }
                }
            }
        }
        guard let vertical else { return middle }
        try stop.now()

        // Vertical pass: [middleRows, windowWidth, 3] -> [windowHeight, windowWidth, 3], one
        // accumulator row at a time so the inner loop runs along contiguous memory.
        var out = [UInt8](repeating: 0, count: windowHeight * rowBytes)
        var accumulator = [Int32](repeating: 0, count: rowBytes)
        try middle.withUnsafeBufferPointer { (src) throws(ImageError) in
            try out.withUnsafeMutableBufferPointer { (dst) throws(ImageError) in
                try accumulator.withUnsafeMutableBufferPointer { (acc) throws(ImageError) in
                    try vertical.weights.withUnsafeBufferPointer { (weights) throws(ImageError) in
                        try vertical.start.withUnsafeBufferPointer { (start) throws(ImageError) in
                            try vertical.count.withUnsafeBufferPointer { (count) throws(ImageError) in
                                try verticalPass(
                                    src: src, dst: dst, acc: acc, rowBytes: rowBytes, firstRow: firstRow, rows: rows,
                                    taps: vertical.taps, weights: weights, start: start, count: count, stop: &stop)
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    // src: [rows, W, 3] starting at input row `firstRow` -> dst: [rows, columns.count, 3]
    private static func horizontalPass(
        src: UnsafeBufferPointer<UInt8>, dst: UnsafeMutableBufferPointer<UInt8>, inRowBytes: Int, firstRow: Int,
        rows: Int, columns: Range<Int>, taps: Int, weights: UnsafeBufferPointer<Int32>,
        start: UnsafeBufferPointer<Int>, count: UnsafeBufferPointer<Int>, stop: inout StopCheck
    ) throws(ImageError) {
        let half: Int32 = 1 << (precisionBits - 1)
        let rowBytes = columns.count * 3
        for r in 0..<rows {
            let inRow = (firstRow + r) * inRowBytes
            var o = r * rowBytes
            for i in 0..<columns.count {
                var s0 = half, s1 = half, s2 = half
                let k = i * taps
                var p = inRow + start[i] * 3
                for x in 0..<count[i] {
                    let w = weights[k + x]
                    s0 &+= Int32(src[p]) &* w
                    s1 &+= Int32(src[p + 1]) &* w
                    s2 &+= Int32(src[p + 2]) &* w
                    p += 3
                }
                dst[o] = clip8(s0)
                dst[o + 1] = clip8(s1)
                dst[o + 2] = clip8(s2)
                o += 3
            }
            try stop.advance(by: rowBytes * taps)
        }
    }

    // src: [middle rows, width, 3] (row 0 = input row `firstRow`) -> dst: [rows.count, width, 3]
    private static func verticalPass(
        src: UnsafeBufferPointer<UInt8>, dst: UnsafeMutableBufferPointer<UInt8>, acc: UnsafeMutableBufferPointer<Int32>,
        rowBytes: Int, firstRow: Int, rows: Range<Int>, taps: Int, weights: UnsafeBufferPointer<Int32>,
        start: UnsafeBufferPointer<Int>, count: UnsafeBufferPointer<Int>, stop: inout StopCheck
    ) throws(ImageError) {
        var o = 0
        for r in 0..<rows.count {
            for i in 0..<rowBytes { acc[i] = 1 << (precisionBits - 1) }
            let k = r * taps
            for y in 0..<count[r] {
                let w = weights[k + y]
                let inRow = (start[r] + y - firstRow) * rowBytes
                for i in 0..<rowBytes { acc[i] &+= Int32(src[inRow + i]) &* w }
            }
            for i in 0..<rowBytes { dst[o + i] = clip8(acc[i]) }
            o += rowBytes
            try stop.advance(by: rowBytes * count[r])
        }
    }
}
