import CImageCodecs

/// JPEG through libjpeg-turbo's TurboJPEG API, producing what Pillow's `Image.open(...).convert("RGB")`
/// produces: accurate integer IDCT (JDCT_ISLOW) and fancy upsampling, both libjpeg's defaults and
/// Pillow's; greyscale replicated to R=G=B; CMYK/YCCK read as Adobe-inverted CMYK ("CMYK;I", as
/// Pillow's JpegImagePlugin assumes) and converted with Pillow's `cmyk2rgb`.
enum JPEGDecoder {
    static func decode(_ bytes: UnsafeRawBufferPointer, limits: ImageLimits) throws(ImageError) -> (RGBImage, exif: [UInt8]?) {
        guard let handle = tjInitDecompress() else {
            throw .malformed(format: .jpeg, detail: "could not create a TurboJPEG decompressor")
        }
        defer { tjDestroy(handle) }
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count <= Int(UInt32.max) else {
            throw .truncated(format: .jpeg, detail: "empty input")
        }
        let size = UInt(bytes.count)
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        if tjDecompressHeader3(handle, base, size, &width, &height, &subsampling, &colorspace) != 0 {
            throw classify(handle, stage: "header")
        }
        // TurboJPEG reports an incomplete header as success with a zero size.
        if width == 0 || height == 0 { throw .truncated(format: .jpeg, detail: "file ends before the frame header") }
        try limits.check(width: Int(width), height: Int(height))
        let w = Int(width), h = Int(height)
        let (exif, scanStart) = markers(bytes)
        // libjpeg completes a truncated file with a fake EOI and only warns, sometimes with a
        // message that hides the cause; Pillow refuses such files ("image file is truncated").
        // Entropy-coded data stuffs every 0xFF, so FF D9 after the first scan is the real end.
        guard let scanStart, hasEndOfImage(bytes, after: scanStart) else {
            throw .truncated(format: .jpeg, detail: "no end-of-image marker after the scan data")
        }

        let isCMYK = colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
        let channels = isCMYK ? 4 : 3
        var decoded = [UInt8](repeating: 0, count: w * h * channels)
        let format = isCMYK ? TJPF_CMYK : TJPF_RGB
        let status = decoded.withUnsafeMutableBufferPointer { out in
            tjDecompress2(handle, base, size, out.baseAddress, width, 0, height, Int32(format.rawValue), 0)
        }
        if status != 0 {
            // Warnings (e.g. extraneous bytes) still produce the whole image, as in Pillow; a premature
            // end does not: Pillow refuses it as "image file is truncated", and so do we.
            let message = String(cString: tjGetErrorStr2(handle))
            if tjGetErrorCode(handle) != Int32(TJERR_WARNING.rawValue) || message.lowercased().contains("premature end") {
                throw classify(handle, stage: "data")
            }
        }
        if !isCMYK { return (RGBImage(validatedWidth: w, height: h, pixels: decoded), exif) }
        var rgb = [UInt8](repeating: 0, count: w * h * 3)
        decoded.withUnsafeBufferPointer { cmyk in
            rgb.withUnsafeMutableBufferPointer { out in
                for i in 0..<(w * h) {
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
        return (RGBImage(validatedWidth: w, height: h, pixels: rgb), exif)
    }

    /// Pillow's MULDIV255: a*b/255 rounded, in integers.
    @inline(__always) private static func mulDiv255(_ a: Int, _ b: Int) -> Int {
        let t = a * b + 128
        return ((t >> 8) + t) >> 8
    }

    @inline(__always) private static func clampToByte(_ v: Int) -> UInt8 { UInt8(max(0, min(255, v))) }

    private static func classify(_ handle: tjhandle, stage: String) -> ImageError {
        let message = String(cString: tjGetErrorStr2(handle))
        let lower = message.lowercased()
        if lower.contains("premature end") || lower.contains("empty input") || lower.contains("insufficient data") {
            return .truncated(format: .jpeg, detail: message)
        }
        if lower.contains("unsupported") || lower.contains("not implemented") {
            return .unsupportedFeature(format: .jpeg, detail: message)
        }
        return .malformed(format: .jpeg, detail: "\(stage): \(message)")
    }

    /// Whether FF D9 occurs at or after `offset` (searched from the end, where it normally is).
    private static func hasEndOfImage(_ bytes: UnsafeRawBufferPointer, after offset: Int) -> Bool {
        var i = bytes.count - 2
        while i >= offset {
            if bytes[i] == 0xFF && bytes[i + 1] == 0xD9 { return true }
            i -= 1
        }
        return false
    }

    /// Walks the markers up to the first scan. Returns the EXIF APP1 payloads concatenated the way
    /// Pillow's JpegImagePlugin does (the first with its `Exif\0\0` header, later ones without; nil
    /// if none), and the offset of the first SOS marker (nil if the walk never reaches one).
    static func markers(_ bytes: UnsafeRawBufferPointer) -> (exif: [UInt8]?, scanStart: Int?) {
        var exif: [UInt8]? = nil
        var i = 2  // after SOI
        let header: [UInt8] = Array("Exif".utf8) + [0, 0]
        while i + 4 <= bytes.count {
            guard bytes[i] == 0xFF else { return (exif, nil) }
            let marker = bytes[i + 1]
            if marker == 0xFF { i += 1; continue }  // fill byte
            if marker == 0xD8 || (0xD0...0xD7).contains(marker) || marker == 0x01 { i += 2; continue }
            if marker == 0xDA { return (exif, i) }
            if marker == 0xD9 { return (exif, nil) }
            let length = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3])
            guard length >= 2, i + 2 + length <= bytes.count else { return (exif, nil) }
            let payload = UnsafeRawBufferPointer(rebasing: bytes[(i + 4)..<(i + 2 + length)])
            if marker == 0xE1, payload.count >= 6, payload.prefix(6).elementsEqual(header) {
                if exif == nil { exif = Array(payload) } else { exif?.append(contentsOf: payload[6...]) }
            }
            i += 2 + length
        }
        return (exif, nil)
    }
}
