import CImageCodecs

/// WebP (lossy, lossless, with or without alpha) through libwebp, decoded straight to RGB.
/// Pillow opens WebP with alpha as RGBA (colours not premultiplied) and `convert("RGB")` drops the
/// alpha, so decoding to libwebp's MODE_RGB gives the same pixels. Animated WebP is refused.
///
/// WebP has no floor on bits per pixel (a lossless image whose prefix codes have one symbol each
/// costs nothing per pixel), so the pixels a file may announce per byte are a policy:
/// `ImageLimits.maxWebPPixelsPerByte`, checked before anything is allocated.
///
/// Decoding is one call to libwebp's one-shot decoder, which is what Pillow uses (through its
/// demuxer). Its incremental decoder would give stop points between slices of input, but fuzzing
/// showed it decides differently from the one-shot decoder on some malformed files, depending
/// on where the slices end; so a WebP's time is bounded by `maxPixels` and the ratio instead,
/// and the caller's stop request is asked before decoding.
enum WebPDecoder {
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
        _ bytes: UnsafeRawBufferPointer, limits: ImageLimits, stop: inout StopCheck
    ) throws(ImageError) -> (RGBImage, exif: [UInt8]?) {
        let features = try features(bytes)
        let w = Int(features.width), h = Int(features.height)
        try limits.check(width: w, height: h)
        if features.has_animation != 0 {
            throw .unsupportedFeature(format: .webp, detail: "animated WebP")
        }
        let freePixels = limits.webPPixelsFreeOfRatio, perByte = limits.maxWebPPixelsPerByte
        let (allowed, overflow) = bytes.count.multipliedReportingOverflow(by: perByte)
        if w * h > freePixels && !overflow && w * h > allowed {
            throw .dimensionsExceedData(
                format: .webp, width: w, height: h, dataBytes: bytes.count,
                detail: "beyond \(freePixels) pixels a WebP may announce at most \(perByte) pixels per byte of file"
                    + " (ImageLimits.maxWebPPixelsPerByte)")
        }
        try stop.now()
        let pixels = try PixelBuffer.make(count: w * h * 3) { (out) throws(ImageError) in
            var config = WebPDecoderConfig()
            guard WebPInitDecoderConfig(&config) != 0 else {
                throw .malformed(format: .webp, detail: "libwebp version mismatch")
            }
            config.output.colorspace = MODE_RGB
            config.output.is_external_memory = 1
            config.output.u.RGBA.rgba = out.baseAddress
            config.output.u.RGBA.stride = Int32(w * 3)
            config.output.u.RGBA.size = out.count
            let status = WebPDecode(bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), bytes.count, &config)
            WebPFreeDecBuffer(&config.output)
            if status != VP8_STATUS_OK { throw error(for: status, stage: "data") }
        }
        return (RGBImage(validatedWidth: w, height: h, pixels: pixels), exifChunk(bytes))
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
