/// Everything that can go wrong between untrusted bytes and a preprocessed tensor.
/// Each case carries what a client needs to understand the refusal.
public enum ImageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes start like no format we know (first bytes shown in hex).
    case unknownFormat(leadingBytes: String)
    /// A format we recognise but do not decode (GIF, BMP, TIFF ...).
    case unsupportedFormat(String)
    /// The header announces more pixels than `ImageLimits.maxPixels` allows (checked before any allocation).
    case tooManyPixels(width: Int, height: Int, limit: Int)
    case invalidDimensions(width: Int, height: Int)
    /// The file ends before the image data does.
    case truncated(format: ImageFormat, detail: String)
    /// The bytes violate the format (bad header, bad checksum, bad compressed stream ...).
    case malformed(format: ImageFormat, detail: String)
    /// Valid file, but a feature we do not decode (12-bit JPEG, animated WebP ...).
    case unsupportedFeature(format: ImageFormat, detail: String)
    case pixelBufferSizeMismatch(expected: Int, actual: Int)
    /// The preprocessor configuration cannot be honoured.
    case invalidPreprocessorConfig(String)
    /// The caller's output buffer does not have room for the tensor.
    case outputBufferTooSmall(needed: Int, actual: Int)
    /// The header announces more pixels than the `dataBytes` of image data present can describe,
    /// found before any pixel buffer exists. `detail` names the bound: one the format imposes
    /// (DEFLATE expands at most 1,032:1; a Huffman-coded JPEG spends at least a bit per 8×8 block)
    /// or `ImageLimits.maxWebPPixelsPerByte`.
    case dimensionsExceedData(format: ImageFormat, width: Int, height: Int, dataBytes: Int, detail: String)
    /// A JPEG with more scans than `ImageLimits.maxJPEGScans` (every scan of a progressive JPEG
    /// walks the whole image again, so scans multiply the decoding time). When TurboJPEG's own
    /// guard stopped the decode, `count` is 501: it stops counting there.
    case tooManyScans(count: Int, limit: Int)
    /// The caller's `shouldStop` said stop (its deadline passed or its client left) at a safe point
    /// of decoding or preprocessing.
    case cancelled

    public var description: String {
        switch self {
        case .unknownFormat(let bytes): "unknown image format (first bytes: \(bytes))"
        case .unsupportedFormat(let name): "unsupported image format: \(name) (JPEG, PNG and WebP are decoded)"
        case .tooManyPixels(let w, let h, let limit): "image of \(w)x\(h) pixels exceeds the limit of \(limit) pixels"
        case .invalidDimensions(let w, let h): "invalid image dimensions \(w)x\(h)"
        case .truncated(let format, let detail): "truncated \(format) file: \(detail)"
        case .malformed(let format, let detail): "malformed \(format) file: \(detail)"
        case .unsupportedFeature(let format, let detail): "unsupported \(format) feature: \(detail)"
        case .pixelBufferSizeMismatch(let e, let a): "pixel buffer holds \(a) bytes, expected \(e)"
        case .invalidPreprocessorConfig(let why): "invalid preprocessor config: \(why)"
        case .outputBufferTooSmall(let needed, let actual): "output buffer holds \(actual) floats, needs \(needed)"
        case .dimensionsExceedData(let format, let w, let h, let bytes, let detail):
            "\(format) header announces \(w)x\(h) pixels, more than its \(bytes) bytes of image data can hold: \(detail)"
        case .tooManyScans(let count, let limit): "JPEG has \(count) scans, more than the limit of \(limit)"
        case .cancelled: "image decoding was stopped before it finished (deadline passed or request cancelled)"
        }
    }
}
