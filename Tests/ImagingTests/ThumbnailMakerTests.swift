import Foundation
import Testing
@testable import Imaging

/// Thumbnails are real JPEGs of the upright picture, never enlarged, with the aspect kept.
@Suite struct ThumbnailMakerTests {
    @Test(arguments: [
        (640, 480, 256, 256, 192), (480, 640, 256, 192, 256), (1000, 50, 256, 256, 13), (3, 1500, 256, 1, 256),
        (200, 100, 256, 200, 100), (256, 256, 256, 256, 256), (7, 5, 64, 7, 5),
    ])
    func sizeKeepsTheAspectAndNeverEnlarges(_ width: Int, _ height: Int, _ side: Int, _ expectedWidth: Int, _ expectedHeight: Int) {
        let size = ThumbnailMaker.size(width: width, height: height, longestSide: side)
        #expect(size.width == expectedWidth && size.height == expectedHeight, "\(width)x\(height) → \(size)")
    }

    @Test func aLargeJPEGBecomesASmallJPEGOfTheSamePicture() throws {
        let source = try ImageFixtures.bytes("jpeg_big_1024x768.jpg")
        let thumbnail = try ThumbnailMaker.make(source, longestSide: 256)
        #expect((thumbnail.width, thumbnail.height) == (256, 192))
        #expect(try ImageDecoder.format(of: thumbnail.jpeg) == .jpeg)
        let decoded = try ImageDecoder.decode(thumbnail.jpeg)
        #expect((decoded.width, decoded.height) == (256, 192))
        #expect(thumbnail.jpeg.count < source.count / 4, "\(thumbnail.jpeg.count) bytes from \(source.count)")
        // The same picture: the mean colour of the thumbnail is the original's, within JPEG's loss.
        let original = try ImageDecoder.decode(source)
        for channel in 0..<3 {
            let difference = abs(Self.mean(original, channel) - Self.mean(decoded, channel))
            #expect(difference < 3, "channel \(channel) moved by \(difference) levels")
        }
    }

    /// The stored image is 180×120 with EXIF orientation 6 (rotate 90°): upright it is 120×180.
    @Test func exifOrientationIsApplied() throws {
        let thumbnail = try ThumbnailMaker.make(try ImageFixtures.bytes("jpeg_exif6_180x120.jpg"), longestSide: 64)
        #expect((thumbnail.width, thumbnail.height) == (43, 64))
        let decoded = try ImageDecoder.decode(thumbnail.jpeg)
        #expect((decoded.width, decoded.height) == (43, 64))
    }

    @Test func pngAndWebPAreThumbnailedToo() throws {
        for (file, size) in [("png_rgba_200x150.png", (64, 48)), ("webp_lossy_320x240.webp", (64, 48))] {
            let thumbnail = try ThumbnailMaker.make(try ImageFixtures.bytes(file), longestSide: 64)
            #expect((thumbnail.width, thumbnail.height) == size, "\(file)")
            #expect(try ImageDecoder.format(of: thumbnail.jpeg) == .jpeg)
        }
    }

    @Test func theDecodeLimitsStillApply() throws {
        let source = try ImageFixtures.bytes("jpeg_big_1024x768.jpg")
        #expect(throws: ImageError.self) { try ThumbnailMaker.make(source, longestSide: 256, limits: ImageLimits(maxPixels: 1000)) }
        #expect(throws: ImageError.cancelled) { try ThumbnailMaker.make(source, longestSide: 256, shouldStop: { true }) }
    }

    private static func mean(_ image: RGBImage, _ channel: Int) -> Double {
        var sum = 0
        for index in stride(from: channel, to: image.pixels.count, by: 3) { sum += Int(image.pixels[index]) }
        return Double(sum) / Double(image.width * image.height)
    }
}
