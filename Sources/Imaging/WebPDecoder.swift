import CImageCodecs

/// WebP (lossy, lossless, with or without alpha) through libwebp, decoded straight to RGB.
/// Pillow opens WebP with alpha as RGBA (colours not premultiplied) and `convert("RGB")` drops the
/// alpha, so decoding to libwebp's MODE_RGB gives the same pixels. Animated WebP is refused.
///
/// WebP has no floor on bits per pixel (a lossless image whose prefix codes have one symbol each
/// costs nothing per pixel), so the pixels a file may announce per byte are a policy:
/// `ImageLimits.maxWebPPixelsPerByte`. Decoding is incremental: the input is handed to libwebp in
/// slices and the caller's stop request is asked between them.
enum WebPDecoder {
    /// At most this many slices (each at least `minimumSlice` bytes): libwebp's lossless decoder
    /// re-decodes up to 16 rows when a slice ends mid-row, so fewer, larger slices keep that
    /// repeated work a small fraction of the image while still giving regular stop points.
    static let maximumSlices = 32
    static let minimumSlice = 1 << 16

    /// The size the bitstream header announces.
    static func header(_ bytes: UnsafeRawBufferPointer) throws(ImageError) -> (width: Int, height: Int) {
        let features = try features(bytes)
        return (Int(features.width), Int(features.height))
    }

    private static func features(_ bytes: UnsafeRawBufferPointer) throws(ImageError) -> WebPBitstreamFeatures {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            throw .truncated(format: .webp, detail: "empty input")
        }
        var features = WebPBitstreamFeatures()
        let status = WebPGetFeatures(base, bytes.count, &features)
        if status != VP8_STATUS_OK { throw error(for: status, stage: "header") }
        return features
    }

    static func decode(
        _ bytes: UnsafeRawBufferPointer, limits: ImageLimits, stop: inout StopCheck, sliceBytes: Int? = nil
    ) throws(ImageError) -> (RGBImage, exif: [UInt8]?) {
        let features = try features(bytes)
        let w = Int(features.width), h = Int(features.height)
        try limits.check(width: w, height: h)
        if features.has_animation != 0 {
            throw .unsupportedFeature(format: .webp, detail: "animated WebP")
        }
        // The incremental decoder finishes as soon as it has the image data, so a file cut
        // after it (in a trailing EXIF chunk, say) would pass; libwebp's one-shot decoder and
        // Pillow refuse a RIFF container shorter than it says, and so does this.
        let riffSize = Int(bytes[4]) | Int(bytes[5]) << 8 | Int(bytes[6]) << 16 | Int(bytes[7]) << 24
        if riffSize + 8 > bytes.count {
            throw .truncated(format: .webp, detail: "RIFF container holds \(bytes.count) of \(riffSize + 8) bytes")
        }
        let freePixels = limits.webPPixelsFreeOfRatio, perByte = limits.maxWebPPixelsPerByte
        let (allowed, overflow) = bytes.count.multipliedReportingOverflow(by: perByte)
        if w * h > freePixels && !overflow && w * h > allowed {
            throw .dimensionsExceedData(
                format: .webp, width: w, height: h, dataBytes: bytes.count,
                detail: "beyond \(freePixels) pixels a WebP may announce at most \(perByte) pixels per byte of file"
                    + " (ImageLimits.maxWebPPixelsPerByte)")
        }
        let slice = sliceBytes ?? max(minimumSlice, bytes.count / maximumSlices + 1)
        try stop.now()
        let pixels = try PixelBuffer.make(count: w * h * 3) { (out) throws(ImageError) in
            try decodeIncrementally(bytes, into: out, width: w, slice: slice, stop: &stop)
        }
        return (RGBImage(validatedWidth: w, height: h, pixels: pixels), exifChunk(bytes))
    }

    /// Feeds libwebp growing prefixes of the input (it reads them in place, without copying) and
    /// asks the stop request between slices.
    private static func decodeIncrementally(
        _ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<UInt8>, width: Int, slice: Int,
        stop: inout StopCheck
    ) throws(ImageError) {
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        // The decoder keeps a pointer to its output description between calls, so it lives in
        // memory of its own rather than in a Swift variable (whose address is only lent per call).
        let output = UnsafeMutablePointer<WebPDecBuffer>.allocate(capacity: 1)
        output.initialize(to: WebPDecBuffer())
        defer { output.deallocate() }
        guard WebPInitDecBuffer(output) != 0 else {
            throw .malformed(format: .webp, detail: "libwebp version mismatch")
        }
        output.pointee.colorspace = MODE_RGB
        output.pointee.is_external_memory = 1
        output.pointee.u.RGBA.rgba = out.baseAddress
        output.pointee.u.RGBA.stride = Int32(width * 3)
        output.pointee.u.RGBA.size = out.count
        guard let decoder = WebPINewDecoder(output) else {
            throw .malformed(format: .webp, detail: "libwebp could not allocate a decoder")
        }
        defer {
            WebPIDelete(decoder)
            WebPFreeDecBuffer(output)
        }
        var available = 0
        while true {
            available = min(bytes.count, available + slice)
            let status = WebPIUpdate(decoder, base, available)
            if status == VP8_STATUS_OK { return }
            if status != VP8_STATUS_SUSPENDED { throw error(for: status, stage: "data") }
            if available == bytes.count { throw .truncated(format: .webp, detail: "data ends early") }
            try stop.now()
        }
    }

    private static func error(for status: VP8StatusCode, stage: String) -> ImageError {
        switch status {
        case VP8_STATUS_NOT_ENOUGH_DATA, VP8_STATUS_SUSPENDED:
            .truncated(format: .webp, detail: "\(stage) ends early")
        case VP8_STATUS_UNSUPPORTED_FEATURE:
            .unsupportedFeature(format: .webp, detail: "libwebp cannot decode this \(stage)")
        case VP8_STATUS_OUT_OF_MEMORY:
            .malformed(format: .webp, detail: "\(stage): decoder ran out of memory")
        default:
            .malformed(format: .webp, detail: "\(stage): bitstream error (status \(status.rawValue))")
        }
    }

    /// The payload of the RIFF `EXIF` chunk (extended format), where Pillow reads orientation from.
    static func exifChunk(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        var i = 12
        while i + 8 <= bytes.count {
            let fourCC = String(decoding: bytes[i..<(i + 4)], as: UTF8.self)
            let size = Int(bytes[i + 4]) | Int(bytes[i + 5]) << 8 | Int(bytes[i + 6]) << 16 | Int(bytes[i + 7]) << 24
            let start = i + 8
            guard size >= 0, start + size <= bytes.count else { return nil }
            if fourCC == "EXIF" { return Array(bytes[start..<(start + size)]) }
            i = start + size + (size & 1)
        }
        return nil
    }
}
