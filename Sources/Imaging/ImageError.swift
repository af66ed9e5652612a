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
        }
    }
}
