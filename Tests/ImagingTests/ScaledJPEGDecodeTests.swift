import Foundation
import Testing
@testable import Imaging

/// Decoding a large JPEG straight to 1/2, 1/4 or 1/8 of its size, only when asked and only while
/// the shortest edge stays at or above the floor.
@Suite struct ScaledJPEGDecodeTests {
    @Test func scaleIsTheSmallestPowerOfTwoKeepingTheShortestEdge() {
        #expect(JPEGDecoder.scaledSize(width: 4032, height: 3024, shortestEdge: 448) == (1008, 756))
        #expect(JPEGDecoder.scaledSize(width: 6000, height: 4000, shortestEdge: 448) == (750, 500))
        #expect(JPEGDecoder.scaledSize(width: 3000, height: 4000, shortestEdge: 448) == (750, 1000))
        // TJSCALED rounds up: 1001 / 2 is 501.
        #expect(JPEGDecoder.scaledSize(width: 1001, height: 1001, shortestEdge: 500) == (501, 501))
        #expect(JPEGDecoder.scaledSize(width: 1024, height: 768, shortestEdge: 448) == (1024, 768))
        #expect(JPEGDecoder.scaledSize(width: 4032, height: 3024, shortestEdge: nil) == (4032, 3024))
    }

    @Test func scaledDecodeIsOffByDefault() throws {
        #expect(ImageLimits.default.jpegScaledDecodeShortestEdge == nil)
        let data = try ImageFixtures.bytes("jpeg_big_1024x768.jpg")
        let run = AllocationLog.run { _ = try ImageDecoder.decode(data) }
        #expect(run.sizes == [1024 * 768 * 3])
    }

    @Test func scaledDecodeAllocatesOnlyTheScaledImage() throws {
        let data = try ImageFixtures.bytes("jpeg_big_1024x768.jpg")
        var image: RGBImage? = nil
        let run = AllocationLog.run {
            image = try ImageDecoder.decode(data, limits: ImageLimits(jpegScaledDecodeShortestEdge: 300))
        }
        #expect(run.sizes == [512 * 384 * 3])
        let scaled = try #require(image)
        #expect(scaled.width == 512 && scaled.height == 384)
        // The picture is the same one, filtered differently: close to a bicubic half of the full decode.
        let full = try ImageDecoder.decode(data)
        let preprocessor = CLIPImagePreprocessor()
        let a = preprocessor.preprocess(full), b = preprocessor.preprocess(scaled)
        let meanAbs = zip(a, b).map { abs($0 - $1) }.reduce(0, +) / Float(a.count)
        print("scaled JPEG decode: mean abs tensor difference \(meanAbs)")
        #expect(meanAbs < 0.02)
    }

    @Test func floorComesFromThePreprocessorsTarget() throws {
        #expect(CLIPImagePreprocessor().scaledDecodeShortestEdge() == 448)
        #expect(CLIPImagePreprocessor().scaledDecodeShortestEdge(factor: 3) == 672)
        let noResize = CLIPImagePreprocessor(config: try CLIPPreprocessorConfig(json: Data(#"{"do_resize": false}"#.utf8)))
        #expect(noResize.scaledDecodeShortestEdge() == nil)
        let fixed = CLIPImagePreprocessor(config: try CLIPPreprocessorConfig(json: Data(#"{"size": {"height": 100, "width": 300}}"#.utf8)))
        #expect(fixed.scaledDecodeShortestEdge() == 600)
    }
}
