import Foundation

/// A small upright JPEG of an encoded image, for showing a collection in a browser instead of
/// its full photos: decoded as the model sees it (EXIF orientation applied), resized with the
/// same bicubic resampler so the longest side is at most `longestSide` (aspect kept; a smaller
/// picture is not enlarged), then encoded with TurboJPEG.
public enum ThumbnailMaker {
    /// JPEG quality of thumbnails: small files with no visible blocking at a few hundred pixels.
    public static let quality = 82

    public struct Thumbnail: Sendable {
        public let jpeg: Data
        public let width: Int
        public let height: Int
    }

    /// `data` (JPEG, PNG or WebP) as a thumbnail. `limits` bounds the decode as for any untrusted
    /// image; a JPEG larger than needed is decoded straight to a smaller size with the DCT.
    public static func make(
        _ data: Data, longestSide: Int, limits: ImageLimits = .default, shouldStop: (@Sendable () -> Bool)? = nil
    ) throws(ImageError) -> Thumbnail {
        var decodeLimits = limits
        decodeLimits.scaledDecodeFloor = scaledDecodeFloor(longestSide: longestSide)
        let image = try ImageDecoder.decode(data, limits: decodeLimits, shouldStop: shouldStop)
        let (width, height) = size(width: image.width, height: image.height, longestSide: longestSide)
        var stop = StopCheck(shouldStop)
        let small: RGBImage
        if width == image.width, height == image.height {
            small = image
        } else {
            let pixels = try BicubicResampler.resize(
                image, outWidth: width, outHeight: height, columns: 0..<width, rows: 0..<height, stop: &stop)
            small = RGBImage(validatedWidth: width, height: height, pixels: pixels)
        }
        try stop.now()
        return Thumbnail(jpeg: try TurboJPEGCompressor().compress(small, quality: quality), width: width, height: height)
    }

    /// The floor a thumbnail's JPEG decode scales to: the smallest DCT scale whose shortest edge
    /// reaches `longestSide` keeps the longest one at least as long too, so the resize after it
    /// only ever shrinks.
    public static func scaledDecodeFloor(longestSide: Int) -> ScaledDecodeFloor {
        .shortestEdge(max(1, longestSide))
    }

    /// The thumbnail size of a `width` × `height` picture: the longest side `longestSide` (never
    /// enlarged), the other scaled to keep the aspect, rounded, at least one pixel.
    public static func size(width: Int, height: Int, longestSide: Int) -> (width: Int, height: Int) {
        let longest = max(width, height)
        guard longest > longestSide, longestSide > 0 else { return (width, height) }
        let scale = Double(longestSide) / Double(longest)
        let scaled = { (side: Int) in max(1, Int((Double(side) * scale).rounded())) }
        return width >= height ? (longestSide, scaled(height)) : (scaled(width), longestSide)
    }
}
