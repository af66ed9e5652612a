import CImageCodecs

/// WebP (lossy, lossless, with or without alpha) through libwebp, decoded straight to RGB.
/// Pillow opens WebP with alpha as RGBA (colours not premultiplied) and `convert("RGB")` drops the
/// alpha, so decoding to libwebp's MODE_RGB gives the same pixels. Animated WebP is refused.
enum WebPDecoder {
    static func decode(_ bytes: UnsafeRawBufferPointer, limits: ImageLimits) throws(ImageError) -> (RGBImage, exif: [UInt8]?) {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            throw .truncated(format: .webp, detail: "empty input")
        }
        var config = WebPDecoderConfig()
        guard WebPInitDecoderConfig(&config) != 0 else {
            throw .malformed(format: .webp, detail: "libwebp version mismatch")
        }
        let featureStatus = WebPGetFeatures(base, bytes.count, &config.input)
        if featureStatus != VP8_STATUS_OK { throw error(for: featureStatus, stage: "header") }
        try limits.check(width: Int(config.input.width), height: Int(config.input.height))
        if config.input.has_animation != 0 {
            throw .unsupportedFeature(format: .webp, detail: "animated WebP")
        }
        let w = Int(config.input.width), h = Int(config.input.height)
        var pixels = [UInt8](repeating: 0, count: w * h * 3)
        let status = pixels.withUnsafeMutableBufferPointer { out in
            config.output.colorspace = MODE_RGB
            config.output.is_external_memory = 1
            config.output.u.RGBA.rgba = out.baseAddress
            config.output.u.RGBA.stride = Int32(w * 3)
            config.output.u.RGBA.size = out.count
            return WebPDecode(base, bytes.count, &config)
        }
        WebPFreeDecBuffer(&config.output)
        if status != VP8_STATUS_OK { throw error(for: status, stage: "data") }
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
