import CImageCodecs

/// JPEG through libjpeg-turbo's TurboJPEG API, producing what Pillow's `Image.open(...).convert("RGB")`
/// produces: accurate integer IDCT (JDCT_ISLOW) and fancy upsampling, both libjpeg's defaults and
/// Pillow's; greyscale replicated to R=G=B; CMYK/YCCK read as Adobe-inverted CMYK ("CMYK;I", as
/// Pillow's JpegImagePlugin assumes) and converted with Pillow's `cmyk2rgb`.
///
/// Before TurboJPEG allocates anything, the layout is checked against the bytes present:
/// - at most `ImageLimits.maxJPEGScans` scans (each progressive scan walks the image again);
/// - at least one bit of scan data per 8×8 block. A Huffman-coded block spends at least one bit
///   on its DC coefficient (the shortest Huffman code is one bit; baseline also spends one on the
///   end of block), in any coding process, so a file with fewer bytes announces pixels it cannot
///   describe. That caps what a file can make the decoder allocate at 64 pixels per bit of input
///   (for one component; 3 × 8 bits per 4:2:0 macroblock of 256 pixels for colour). Arithmetic
///   coding can spend less on a uniform image; the same floor is applied to it, which only
///   refuses near-uniform arithmetic-coded images (a format no browser writes).
/// TurboJPEG's TJFLAG_LIMITSCANS also stops any progressive decode after 500 scans.
enum JPEGDecoder {
    /// The size the frame header announces.
    static func header(_ bytes: UnsafeRawBufferPointer) throws(ImageError) -> (width: Int, height: Int) {
        let decompressor = try TurboJPEGDecompressor()
        return try decompressor.header(bytes)
    }

    static func decode(
        _ bytes: UnsafeRawBufferPointer, limits: ImageLimits, stop: inout StopCheck
    ) throws(ImageError) -> (RGBImage, exif: [UInt8]?) {
        let decompressor = try TurboJPEGDecompressor()
        let (w, h) = try decompressor.header(bytes)
        try limits.check(width: w, height: h)
        let layout = JPEGLayout(bytes)
        // libjpeg completes a truncated file with a fake EOI and only warns, sometimes with a
        // message that hides the cause; Pillow refuses such files ("image file is truncated").
        // Entropy-coded data stuffs every 0xFF, so FF D9 after the first scan is the real end.
        guard let firstScan = layout.firstScan, hasEndOfImage(bytes, after: firstScan) else {
            throw .truncated(format: .jpeg, detail: "no end-of-image marker after the scan data")
        }
        let scanLimit = min(limits.maxJPEGScans, TurboJPEGDecompressor.scanLimit)
        if layout.scanCount > scanLimit { throw .tooManyScans(count: layout.scanCount, limit: scanLimit) }
        let scanBytes = bytes.count - firstScan
        let blocks = layout.components.isEmpty ? (w + 7) / 8 * ((h + 7) / 8) : layout.blockCount
        if blocks > scanBytes * 8 {
            throw .dimensionsExceedData(
                format: .jpeg, width: w, height: h, dataBytes: scanBytes,
                detail: "its \(blocks) blocks of 8x8 need at least one bit each, \((blocks + 7) / 8) bytes of scan data")
        }

        let swapsAxes = layout.exif.map { exif in exif.withUnsafeBytes { ExifOrientation.parse(exif: $0).swapsAxes } } ?? false
        let (outWidth, outHeight) = scaledSize(width: w, height: h, floor: limits.scaledDecodeFloor, swapsAxes: swapsAxes)
        let isCMYK = decompressor.colorspace == Int32(TJCS_CMYK.rawValue) || decompressor.colorspace == Int32(TJCS_YCCK.rawValue)
        try stop.now()
        let pixels = try PixelBuffer.make(count: outWidth * outHeight * (isCMYK ? 4 : 3)) { (out) throws(ImageError) in
            try decompressor.decompress(bytes, into: out, width: outWidth, height: outHeight, cmyk: isCMYK)
        }
        try stop.now()
        if !isCMYK { return (RGBImage(validatedWidth: outWidth, height: outHeight, pixels: pixels), layout.exif) }
        let rgb = try PixelBuffer.make(count: outWidth * outHeight * 3) { (out) throws(ImageError) in
            pixels.withUnsafeBufferPointer { cmyk in
                for i in 0..<(outWidth * outHeight) {
                    // Stored inverted: the ink amount is 255 - byte (Pillow's "CMYK;I" unpacker).
                    let c = 255 - Int(cmyk[i * 4]), m = 255 - Int(cmyk[i * 4 + 1])
                    let y = 255 - Int(cmyk[i * 4 + 2]), k = 255 - Int(cmyk[i * 4 + 3])
                    let nk = 255 - k
                    out[i * 3] = clampToByte(nk - mulDiv255(c, nk))
                    out[i * 3 + 1] = clampToByte(nk - mulDiv255(m, nk))
                    out[i * 3 + 2] = clampToByte(nk - mulDiv255(y, nk))
                }
            }
        }
        return (RGBImage(validatedWidth: outWidth, height: outHeight, pixels: rgb), layout.exif)
    }

    /// The size to decode to: full size, or with a `floor`, the smallest of TurboJPEG's scaling
    /// factors 1/2, 1/4 and 1/8 that the floor admits. Only those three: they use libjpeg-turbo's
    /// reduced IDCTs (2×2, 4×4 and 1×1 of each block's lowest frequencies), while the other
    /// eighths (3/8, 5/8 ...) ring at sharp edges: on a test picture 5/8 moved CLIP pixels by up
    /// to 16 levels against 4 for 1/2. `swapsAxes`: the EXIF orientation turns the picture by a
    /// quarter, which matters to a floor on the upright size.
    static func scaledSize(
        width: Int, height: Int, floor: ScaledDecodeFloor?, swapsAxes: Bool = false
    ) -> (width: Int, height: Int) {
        guard let floor else { return (width, height) }
        var count: Int32 = 0
        guard let factors = tjGetScalingFactors(&count) else { return (width, height) }
        var best = (width: width, height: height)
        for factor in UnsafeBufferPointer(start: factors, count: Int(count)) where factor.num == 1 && factor.denom > 1 {
            // TJSCALED: the scaled size rounds up.
            let num = Int(factor.num), denom = Int(factor.denom)
            let scaled = (width: (width * num + denom - 1) / denom, height: (height * num + denom - 1) / denom)
            if floor.admits(width: scaled.width, height: scaled.height, swapsAxes: swapsAxes)
                && scaled.width * scaled.height < best.width * best.height {
                best = scaled
            }
        }
        return best
    }

    /// Pillow's MULDIV255: a*b/255 rounded, in integers.
    @inline(__always) private static func mulDiv255(_ a: Int, _ b: Int) -> Int {
        let t = a * b + 128
        return ((t >> 8) + t) >> 8
    }

    @inline(__always) private static func clampToByte(_ v: Int) -> UInt8 { UInt8(max(0, min(255, v))) }

    /// Whether FF D9 occurs at or after `offset` (searched from the end, where it normally is).
    private static func hasEndOfImage(_ bytes: UnsafeRawBufferPointer, after offset: Int) -> Bool {
        var i = bytes.count - 2
        while i >= offset {
            if bytes[i] == 0xFF && bytes[i + 1] == 0xD9 { return true }
            i -= 1
        }
        return false
    }
}
