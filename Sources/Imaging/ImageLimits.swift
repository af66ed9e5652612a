/// Limits applied to untrusted images before any pixel buffer is allocated.
public struct ImageLimits: Sendable, Equatable {
    /// Largest width × height accepted. The default, 50 megapixels (~150 MB of RGB), is above any
    /// camera photo in common use and well below what a decompression bomb announces; Pillow's own
    /// guard (`Image.MAX_IMAGE_PIXELS`, 89,478,485) warns at a similar order of magnitude.
    public var maxPixels: Int

    public init(maxPixels: Int = 50_000_000) {
        self.maxPixels = maxPixels
    }

    public static let `default` = ImageLimits()

    /// A ceiling no configuration can lift (4 gigapixels, 12 GB of RGB), so that buffer-size
    /// arithmetic in the decoders (up to 8 bytes a pixel) can never overflow.
    public static let absoluteMaxPixels = 1 << 32

    /// Throws unless `width`×`height` is a positive size within `maxPixels`.
    func check(width: Int, height: Int) throws(ImageError) {
        guard width > 0, height > 0 else { throw .invalidDimensions(width: width, height: height) }
        let limit = min(maxPixels, Self.absoluteMaxPixels)
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, pixels <= limit else {
            throw .tooManyPixels(width: width, height: height, limit: limit)
        }
    }
}
