import CImageCodecs

/// One TurboJPEG decompressor handle, freed with the object, and the two calls the JPEG decoder
/// makes on it. Every failure becomes an `ImageError` in the call that saw it.
final class TurboJPEGDecompressor {
    /// The scans after which TJFLAG_LIMITSCANS stops a progressive decode (libjpeg-turbo 2.1's
    /// progress monitor; "Progressive JPEG image has more than 500 scans").
    static let scanLimit = 500

    private let handle: tjhandle
    /// TJCS_* of the last header read.
    private(set) var colorspace: Int32 = 0

    init() throws(ImageError) {
        guard let handle = tjInitDecompress() else {
            throw .malformed(format: .jpeg, detail: "could not create a TurboJPEG decompressor")
        }
        self.handle = handle
    }

    deinit { tjDestroy(handle) }

    /// Reads the frame header: the stored width and height.
    func header(_ bytes: UnsafeRawBufferPointer) throws(ImageError) -> (width: Int, height: Int) {
        let (base, size) = try Self.input(bytes)
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        if tjDecompressHeader3(handle, base, size, &width, &height, &subsampling, &colorspace) != 0 {
            throw classify(stage: "header")
        }
        // TurboJPEG reports an incomplete header as success with a zero size.
        if width == 0 || height == 0 { throw .truncated(format: .jpeg, detail: "file ends before the frame header") }
        self.colorspace = colorspace
        return (Int(width), Int(height))
    }

    /// Decodes into `out` (`width` × `height` pixels, RGB or CMYK), scaling with the DCT when that
    /// size is smaller than the frame. TJFLAG_LIMITSCANS makes TurboJPEG give up on a progressive
    /// image after 500 scans, whatever the caller's own limit says.
    func decompress(
        _ bytes: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<UInt8>, width: Int, height: Int, cmyk: Bool
    ) throws(ImageError) {
        let (base, size) = try Self.input(bytes)
        let format = cmyk ? TJPF_CMYK : TJPF_RGB
        let status = tjDecompress2(
            handle, base, size, out.baseAddress, Int32(width), 0, Int32(height), Int32(format.rawValue), TJFLAG_LIMITSCANS)
        guard status != 0 else { return }
        // After a warning libjpeg goes on to the last row, as in Pillow, except after a premature
        // end, which Pillow refuses as "image file is truncated", and so do we. tjGetErrorCode
        // cannot tell: it says "warning" whenever a warning came first, even if a fatal error
        // then stopped the decode half way. The message can: libjpeg shows only its first
        // warning, and a fatal error replaces it.
        let message = String(cString: tjGetErrorStr2(handle))
        let isWarning = Self.warnings.contains { message.hasPrefix($0) }
        if !isWarning || message.lowercased().contains("premature end") { throw classify(stage: "data") }
    }

    /// How libjpeg's warnings (the JWRN_* messages of jerror.h) begin; every other message is fatal.
    private static let warnings = [
        "Corrupt JPEG data:", "Unknown Adobe color transform code", "Inconsistent progression sequence",
        "Invalid SOS parameters for sequential JPEG", "Warning: unknown JFIF revision number",
        "Application transferred too many scanlines", "Premature end of JPEG file",
    ]

    private static func input(_ bytes: UnsafeRawBufferPointer) throws(ImageError) -> (UnsafePointer<UInt8>, UInt) {
        guard let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count <= Int(UInt32.max) else {
            throw .truncated(format: .jpeg, detail: "empty input")
        }
        return (base, UInt(bytes.count))
    }

    private func classify(stage: String) -> ImageError {
        let message = String(cString: tjGetErrorStr2(handle))
        let lower = message.lowercased()
        if lower.contains("more than \(Self.scanLimit) scans") {
            return .tooManyScans(count: Self.scanLimit + 1, limit: Self.scanLimit)
        }
        if lower.contains("premature end") || lower.contains("empty input") || lower.contains("insufficient data") {
            return .truncated(format: .jpeg, detail: message)
        }
        if lower.contains("unsupported") || lower.contains("not implemented") {
            return .unsupportedFeature(format: .jpeg, detail: message)
        }
        return .malformed(format: .jpeg, detail: "\(stage): \(message)")
    }
}
