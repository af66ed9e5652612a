/// A decoded picture: `pixels` is `[height, width, 3]`, interleaved 8-bit R, G, B, rows top to bottom.
/// This is what `PIL.Image.convert("RGB")` holds, and what CLIP preprocessing starts from.
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    /// Wraps pixels already laid out as `[height, width, 3]`; the count must match.
    public init(width: Int, height: Int, pixels: [UInt8]) throws(ImageError) {
        guard width > 0, height > 0 else { throw .invalidDimensions(width: width, height: height) }
        let (count, overflow) = width.multipliedReportingOverflow(by: height * 3)
        guard !overflow, count == pixels.count else {
            throw .pixelBufferSizeMismatch(expected: overflow ? -1 : count, actual: pixels.count)
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// For decoders that have validated the size already.
    init(validatedWidth width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 3, "decoder produced a buffer of the wrong size")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The colour at column `x`, row `y` (for tests and diagnostics; hot paths index `pixels` directly).
    public func pixel(x: Int, y: Int) -> (r: UInt8, g: UInt8, b: UInt8) {
        let i = (y * width + x) * 3
        return (pixels[i], pixels[i + 1], pixels[i + 2])
    }
}
