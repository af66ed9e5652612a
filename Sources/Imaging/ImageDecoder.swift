import Foundation

/// Untrusted bytes in, an upright RGB picture out: the reference pipeline
/// `PIL.Image.open` → `ImageOps.exif_transpose` → `convert("RGB")`, which is what transformers'
/// `image_utils.load_image` does before `CLIPImageProcessor` sees an image.
/// Stateless and thread-safe: call it from any number of tasks at once.
///
/// Bounded work and memory: the header's size is checked against `limits` and against the bytes
/// present (a header cannot announce more pixels than its data can describe) before any pixel
/// buffer exists; buffers are filled as the data is decoded; `shouldStop` is asked at safe
/// points (between rows of PNG, before and after the JPEG and WebP decoders, before EXIF
/// rotation). TurboJPEG and libwebp offer no hook inside a decode, so their time is bounded
/// instead by `maxPixels`, and by `maxJPEGScans` (with TurboJPEG's own scan limit) or
/// `maxWebPPixelsPerByte`.
public enum ImageDecoder {
    /// Sniffs the format from magic bytes, checks the header's size against `limits` before
    /// allocating pixels, decodes, and applies the EXIF orientation (JPEG APP1, PNG eXIf, WebP EXIF).
    /// When `shouldStop` returns true at a safe point, decoding throws `ImageError.cancelled`.
    public static func decode(
        _ data: Data, limits: ImageLimits = .default, shouldStop: (@Sendable () -> Bool)? = nil
    ) throws(ImageError) -> RGBImage {
        let result = data.withUnsafeBytes { bytes in
            Result { () throws(ImageError) in try decode(bytes: bytes, limits: limits, shouldStop: shouldStop) }
        }
        return try result.get()
    }

    /// Same as `decode(_:limits:shouldStop:)` over raw memory the caller owns.
    public static func decode(
        bytes: UnsafeRawBufferPointer, limits: ImageLimits = .default, shouldStop: (@Sendable () -> Bool)? = nil
    ) throws(ImageError) -> RGBImage {
        let format = try ImageFormat.sniff(bytes)
        var stop = StopCheck(shouldStop)
        let (image, exif): (RGBImage, [UInt8]?)
        switch format {
        case .jpeg: (image, exif) = try JPEGDecoder.decode(bytes, limits: limits, stop: &stop)
        case .png: (image, exif) = try PNGDecoder.decode(bytes, limits: limits, stop: &stop)
        case .webp: (image, exif) = try WebPDecoder.decode(bytes, limits: limits, stop: &stop)
        }
        guard let exif else { return image }
        let orientation = exif.withUnsafeBytes { ExifOrientation.parse(exif: $0) }
        if orientation == .up { return image }
        try stop.now()
        return image.applying(orientation)
    }

    /// The format and stored size of an image, read from its header alone: nothing is decoded and
    /// no pixel buffer is allocated, so a caller can charge the pixels to a budget (or refuse them)
    /// before deciding to decode. EXIF orientation may swap width and height of the decoded image;
    /// the pixel count is the same.
    public static func header(of data: Data) throws(ImageError) -> ImageHeader {
        let result = data.withUnsafeBytes { bytes in
            Result { () throws(ImageError) in try header(bytes: bytes) }
        }
        return try result.get()
    }

    /// Same as `header(of:)` over raw memory the caller owns.
    public static func header(bytes: UnsafeRawBufferPointer) throws(ImageError) -> ImageHeader {
        let format = try ImageFormat.sniff(bytes)
        let size: (width: Int, height: Int)
        switch format {
        case .jpeg: size = try JPEGDecoder.header(bytes)
        case .png: size = try PNGDecoder.header(bytes)
        case .webp: size = try WebPDecoder.header(bytes)
        }
        guard size.width > 0, size.height > 0 else { throw .invalidDimensions(width: size.width, height: size.height) }
        return ImageHeader(format: format, width: size.width, height: size.height)
    }

    /// The format of `data`, from its magic bytes alone.
    public static func format(of data: Data) throws(ImageError) -> ImageFormat {
        let result = data.withUnsafeBytes { bytes in
            Result { () throws(ImageError) in try ImageFormat.sniff(bytes) }
        }
        return try result.get()
    }
}

/// What an image's header says, before any decoding.
public struct ImageHeader: Sendable, Equatable {
    public let format: ImageFormat
    /// The stored size (before EXIF orientation, which may swap the two).
    public let width: Int
    public let height: Int

    /// width × height: what decoding at full size allocates, three bytes each.
    public var pixelCount: Int { width * height }

    /// The pixels a decode under `floor` allocates: a JPEG's DCT-scaled size (the larger of the
    /// two an EXIF quarter turn could choose, since only the header has been read), every other
    /// format's full size. What a decode costs in memory, where `pixelCount` is what it costs in work.
    public func decodedPixelCount(floor: ScaledDecodeFloor?) -> Int {
        guard format == .jpeg, floor != nil else { return pixelCount }
        return [false, true].map { swapsAxes in
            let size = JPEGDecoder.scaledSize(width: width, height: height, floor: floor, swapsAxes: swapsAxes)
            return size.width * size.height
        }.max() ?? pixelCount
    }
}
