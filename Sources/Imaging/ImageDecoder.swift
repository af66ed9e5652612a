import Foundation

/// Untrusted bytes in, an upright RGB picture out: the reference pipeline
/// `PIL.Image.open` → `ImageOps.exif_transpose` → `convert("RGB")`, which is what transformers'
/// `image_utils.load_image` does before `CLIPImageProcessor` sees an image.
/// Stateless and thread-safe: call it from any number of tasks at once.
public enum ImageDecoder {
    /// Sniffs the format from magic bytes, checks the header's size against `limits` before
    /// allocating pixels, decodes, and applies the EXIF orientation (JPEG APP1, PNG eXIf, WebP EXIF).
    public static func decode(_ data: Data, limits: ImageLimits = .default) throws(ImageError) -> RGBImage {
        let result = data.withUnsafeBytes { bytes in
            Result { () throws(ImageError) in try decode(bytes: bytes, limits: limits) }
        }
        return try result.get()
    }

    /// Same as `decode(_:limits:)` over raw memory the caller owns.
    public static func decode(bytes: UnsafeRawBufferPointer, limits: ImageLimits = .default) throws(ImageError) -> RGBImage {
        let format = try ImageFormat.sniff(bytes)
        let (image, exif): (RGBImage, [UInt8]?)
        switch format {
        case .jpeg: (image, exif) = try JPEGDecoder.decode(bytes, limits: limits)
        case .png: (image, exif) = try PNGDecoder.decode(bytes, limits: limits)
        case .webp: (image, exif) = try WebPDecoder.decode(bytes, limits: limits)
        }
        guard let exif else { return image }
        let orientation = exif.withUnsafeBytes { ExifOrientation.parse(exif: $0) }
        return image.applying(orientation)
    }

    /// The format of `data`, from its magic bytes alone.
    public static func format(of data: Data) throws(ImageError) -> ImageFormat {
        let result = data.withUnsafeBytes { bytes in
            Result { () throws(ImageError) in try ImageFormat.sniff(bytes) }
        }
        return try result.get()
    }
}
