import Foundation
import Testing
import TestSupport
@testable import Imaging

/// Decoding a large JPEG straight to 1/2, 1/4 or 1/8 of its size: only when a floor is set, only
/// as far as the floor allows (on the upright picture), with every limit still applied to the
/// stored size.
@Suite struct ScaledJPEGDecodeTests {
    /// A photo-like JPEG of `width` × `height`, with `orientation` in EXIF when given.
    static func photo(width: Int, height: Int, seed: UInt64, orientation: Int? = nil) throws -> Data {
        let pixels = PhotoLikePicture.rgb(width: width, height: height, seed: seed)
        let jpeg = try TurboJPEGCompressor().compress(RGBImage(validatedWidth: width, height: height, pixels: pixels), quality: 90)
        return orientation.map { PhotoLikePicture.withOrientation(jpeg, $0) } ?? jpeg
    }

    @Test func shortestEdgeFloorTakesTheSmallestScaleAtOrAboveIt() {
        // 4032 × 3024: 1/8 is 504 × 378, 1/4 is 1008 × 756, 1/2 is 2016 × 1512.
        #expect(JPEGDecoder.scaledSize(width: 4032, height: 3024, floor: .shortestEdge(224)) == (504, 378))
        #expect(JPEGDecoder.scaledSize(width: 4032, height: 3024, floor: .shortestEdge(378)) == (504, 378))
        #expect(JPEGDecoder.scaledSize(width: 4032, height: 3024, floor: .shortestEdge(379)) == (1008, 756))
        #expect(JPEGDecoder.scaledSize(width: 4032, height: 3024, floor: .shortestEdge(757)) == (2016, 1512))
        #expect(JPEGDecoder.scaledSize(width: 4032, height: 3024, floor: .shortestEdge(1513)) == (4032, 3024))
        // Portrait is the same: orientation cannot change which side is shorter.
        #expect(JPEGDecoder.scaledSize(width: 3024, height: 4032, floor: .shortestEdge(378), swapsAxes: true) == (378, 504))
        // TJSCALED rounds up: 1001 / 8 is 126.
        #expect(JPEGDecoder.scaledSize(width: 1001, height: 1001, floor: .shortestEdge(126)) == (126, 126))
        #expect(JPEGDecoder.scaledSize(width: 1001, height: 1001, floor: .shortestEdge(127)) == (251, 251))
        #expect(JPEGDecoder.scaledSize(width: 4032, height: 3024, floor: nil) == (4032, 3024))
    }

    @Test func uprightFloorFollowsTheExifQuarterTurn() {
        // Stored 4000 × 1000. Upright as stored: at least 200 wide and 400 tall needs 1/2
        // (2000 × 500; 1/4 is only 250 tall). Turned a quarter the upright picture is 1000 wide
        // and 4000 tall, so 1/4 (upright 250 × 1000) is enough.
        let floor = ScaledDecodeFloor.upright(width: 200, height: 400)
        #expect(JPEGDecoder.scaledSize(width: 4000, height: 1000, floor: floor, swapsAxes: false) == (2000, 500))
        #expect(JPEGDecoder.scaledSize(width: 4000, height: 1000, floor: floor, swapsAxes: true) == (1000, 250))
        // Exact boundary: 1/4 gives upright width 250, so a floor of 250 admits it and 251 does not.
        #expect(JPEGDecoder.scaledSize(width: 4000, height: 1000, floor: .upright(width: 250, height: 1000), swapsAxes: true) == (1000, 250))
        #expect(JPEGDecoder.scaledSize(width: 4000, height: 1000, floor: .upright(width: 251, height: 1000), swapsAxes: true) == (2000, 500))
    }

    @Test func floorComesFromThePreprocessorsResizeTarget() throws {
        #expect(CLIPImagePreprocessor().scaledDecodeFloor() == .shortestEdge(224))
        #expect(CLIPImagePreprocessor().scaledDecodeFloor(margin: 2) == .shortestEdge(448))
        let noResize = CLIPImagePreprocessor(config: try CLIPPreprocessorConfig(json: Data(#"{"do_resize": false}"#.utf8)))
        #expect(noResize.scaledDecodeFloor() == nil)
        let fixed = CLIPImagePreprocessor(config: try CLIPPreprocessorConfig(json: Data(#"{"size": {"height": 100, "width": 300}}"#.utf8)))
        #expect(fixed.scaledDecodeFloor() == .upright(width: 300, height: 100))
    }

    @Test func scaledDecodeIsOffByDefault() throws {
        #expect(ImageLimits.default.scaledDecodeFloor == nil)
        let data = try ImageFixtures.bytes("jpeg_big_1024x768.jpg")
        let run = AllocationLog.run { _ = try ImageDecoder.decode(data) }
        #expect(run.sizes == [1024 * 768 * 3])
    }

    @Test func scaledDecodeAllocatesOnlyTheScaledImage() throws {
        let data = try ImageFixtures.bytes("jpeg_big_1024x768.jpg")
        var image: RGBImage? = nil
        let run = AllocationLog.run { image = try ImageDecoder.decode(data, limits: ImageLimits(scaledDecodeFloor: .shortestEdge(300))) }
        #expect(run.sizes == [512 * 384 * 3])
        let scaled = try #require(image)
        #expect(scaled.width == 512 && scaled.height == 384)
        let header = try ImageDecoder.header(of: data)
        #expect(header.decodedPixelCount(floor: .shortestEdge(300)) == 512 * 384)
        #expect(header.decodedPixelCount(floor: nil) == 1024 * 768)
    }

    /// The budget is charged before the EXIF block is read, so it takes the larger of the sizes
    /// either orientation could choose.
    @Test func decodedPixelCountCoversEitherOrientation() throws {
        let header = ImageHeader(format: .jpeg, width: 4000, height: 1000)
        #expect(header.decodedPixelCount(floor: .upright(width: 200, height: 400)) == 2000 * 500)
        let png = ImageHeader(format: .png, width: 4000, height: 1000)
        #expect(png.decodedPixelCount(floor: .shortestEdge(100)) == 4000 * 1000)
    }

    @Test func rotatedPhotoDecodesScaledAndUpright() throws {
        // Stored 1600 × 1200 landscape, EXIF 6: upright 1200 wide and 1600 tall.
        let data = try Self.photo(width: 1600, height: 1200, seed: 6, orientation: 6)
        let floor = ScaledDecodeFloor.upright(width: 300, height: 150)
        // Upright width 300 needs stored height ≥ 300: 1/4 (400 × 300).
        let scaled = try ImageDecoder.decode(data, limits: ImageLimits(scaledDecodeFloor: floor))
        #expect(scaled.width == 300 && scaled.height == 400)
        let full = try ImageDecoder.decode(data)
        #expect(full.width == 1200 && full.height == 1600)
    }

    /// When no scale fits under the floor the decode is the full one, byte for byte, so the
    /// parity with transformers (CLIPPixelParityTests) holds for such images whatever the setting.
    @Test func belowTwiceTheFloorNothingIsScaled() throws {
        let data = try Self.photo(width: 440, height: 330, seed: 2)
        let scaled = try ImageDecoder.decode(data, limits: ImageLimits(scaledDecodeFloor: .shortestEdge(224)))
        let full = try ImageDecoder.decode(data)
        #expect(scaled.width == 440 && scaled.height == 330)
        #expect(scaled.pixels == full.pixels)
    }

    @Test func headerLimitsStillApplyToTheStoredSize() throws {
        var bytes = [UInt8](try ImageFixtures.bytes("jpeg_tiny_7x5.jpg"))
        let sof = try #require((0..<(bytes.count - 9)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        bytes[sof + 5] = 0xEA; bytes[sof + 6] = 0x60  // height 60,000
        bytes[sof + 7] = 0xEA; bytes[sof + 8] = 0x60  // width 60,000
        // Scaled to 1/8 this would be 7,500 × 7,500, within the limit; the stored size is not.
        let limits = ImageLimits(scaledDecodeFloor: .shortestEdge(224))
        let run = AllocationLog.run { _ = try ImageDecoder.decode(Data(bytes), limits: limits) }
        #expect(run.error == .tooManyPixels(width: 60_000, height: 60_000, limit: limits.maxPixels))
        #expect(run.sizes.isEmpty)
    }

    @Test func dataFloorStillAppliesToTheStoredSize() throws {
        // A real 1600 × 1200 photo cut to its first kilobyte after the scan header: far fewer
        // bits than its 8×8 blocks need, refused before anything is allocated.
        let data = try Self.photo(width: 1600, height: 1200, seed: 3)
        let sos = try #require((0..<(data.count - 1)).first { data[$0] == 0xFF && data[$0 + 1] == 0xDA })
        let cut = data.prefix(sos + 1024) + Data([0xFF, 0xD9])
        let run = AllocationLog.run { _ = try ImageDecoder.decode(cut, limits: ImageLimits(scaledDecodeFloor: .shortestEdge(64))) }
        guard case .dimensionsExceedData? = run.error else {
            Issue.record("expected dimensionsExceedData, got \(String(describing: run.error))")
            return
        }
        #expect(run.sizes.isEmpty)
    }

    @Test func scaledDecodeStillStopsWhenAsked() throws {
        let data = try Self.photo(width: 800, height: 600, seed: 4)
        let run = AllocationLog.run {
            _ = try ImageDecoder.decode(data, limits: ImageLimits(scaledDecodeFloor: .shortestEdge(64)), shouldStop: { true })
        }
        #expect(run.error == .cancelled)
        #expect(run.sizes.isEmpty)
    }
}
