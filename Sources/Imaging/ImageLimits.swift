/// Limits applied to untrusted images before any pixel buffer is allocated.
public struct ImageLimits: Sendable, Equatable {
    /// Largest width × height accepted. The default, 50 megapixels (~150 MB of RGB), is above any
    /// camera photo in common use and well below what a decompression bomb announces; Pillow's own
    /// guard (`Image.MAX_IMAGE_PIXELS`, 89,478,485) warns at a similar order of magnitude.
    public var maxPixels: Int

    /// Most scans a JPEG may have. Each scan of a progressive JPEG walks every block of the
    /// components it covers, so an image with thousands of (nearly empty) scans costs thousands
    /// of image-sized passes while its file stays small. Encoders write far fewer: libjpeg's
    /// progressive script has 10 scans for colour and 6 for grey, mozjpeg's optimised scripts a
    /// dozen or two, baseline files one per component at most. The default, 100, leaves a wide
    /// margin. TurboJPEG's own guard (TJFLAG_LIMITSCANS, always set) stops at 500 scans, so a
    /// larger value acts as 500.
    public var maxJPEGScans: Int

    /// Most pixels a WebP may announce per byte of its file, above `webPPixelsFreeOfRatio`.
    /// PNG and Huffman-coded JPEG cannot describe many more pixels than their bytes allow (DEFLATE
    /// expands at most 1,032:1; JPEG spends at least a bit per 8×8 block), but WebP can: a lossless
    /// image whose prefix codes each have a single symbol spends no bits at all per pixel, so 28
    /// bytes announce 7,000 × 7,000 pixels (147 MB of RGB, more inside libwebp). Measured with
    /// libwebp's encoder: a lossy photo holds ~13 pixels a byte, a lossless text page ~1,200, a
    /// flat lossless screenshot ~7,500, a solid 12-megapixel colour ~22,700. The default, 16,384,
    /// refuses only near-uniform images larger than the free allowance below, and any bomb that
    /// announces its pixels from fewer bytes.
    public var maxWebPPixelsPerByte: Int

    /// Pixels any WebP may have whatever its size in bytes, so that small plain images (a blank
    /// 1,000 × 1,000 canvas is 86 bytes) are never refused. The default, 1,048,576 (3 MB of RGB),
    /// bounds what a tiny file can make the decoder allocate.
    public var webPPixelsFreeOfRatio: Int

    /// When set, a JPEG larger than needed is decoded straight to a smaller size with TurboJPEG's
    /// DCT scaling (1/2, 1/4 or 1/8): the smallest scale the floor admits (see
    /// `CLIPImagePreprocessor.scaledDecodeFloor()`). A 12-megapixel photo then decodes to 1/8 of
    /// its sides, 1/64 of its pixels, in a fraction of the time. The other limits still apply to
    /// the stored size the header announces: the work of a scaled decode (every coefficient is
    /// still entropy-decoded) grows with it. nil (the default here) decodes at full size, as
    /// transformers does; the service chooses with `engine.jpeg_dct_scaling`.
    public var scaledDecodeFloor: ScaledDecodeFloor?

    public init(
        maxPixels: Int = 50_000_000, maxJPEGScans: Int = 100, maxWebPPixelsPerByte: Int = 16_384,
        webPPixelsFreeOfRatio: Int = 1 << 20, scaledDecodeFloor: ScaledDecodeFloor? = nil
    ) {
        self.maxPixels = maxPixels
        self.maxJPEGScans = maxJPEGScans
        self.maxWebPPixelsPerByte = maxWebPPixelsPerByte
        self.webPPixelsFreeOfRatio = webPPixelsFreeOfRatio
        self.scaledDecodeFloor = scaledDecodeFloor
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
