import Foundation
import Testing
@testable import Imaging

/// Decompression bombs are refused from the header, before the pixel buffer exists.
@Suite struct ImageLimitsTests {
    @Test(arguments: ["jpeg_exif2_60x40.jpg", "png_noresize_60x40.png", "webp_exif8_60x40.webp"])
    func imagesOverTheLimitAreRefused(file: String) throws {
        let data = try ImageFixtures.bytes(file)
        #expect(throws: ImageError.tooManyPixels(width: 60, height: 40, limit: 2399)) {
            try ImageDecoder.decode(data, limits: ImageLimits(maxPixels: 2399))
        }
        #expect(try ImageDecoder.decode(data, limits: ImageLimits(maxPixels: 2400)).pixels.count == 2400 * 3)
    }

    @Test func pngBombIsRefusedFromItsHeader() throws {
        // A real PNG whose IHDR now announces 100,000 × 100,000 pixels (30 GB of RGB).
        var bytes = [UInt8](try ImageFixtures.bytes("png_pad_30x20.png"))
        for (offset, value) in [(16, 100_000), (20, 100_000)] {
            for k in 0..<4 { bytes[offset + k] = UInt8(truncatingIfNeeded: value >> (24 - 8 * k)) }
        }
        let bomb = HostileBytes.withFixedPNGChecksums(Data(bytes))
        #expect(throws: ImageError.tooManyPixels(width: 100_000, height: 100_000, limit: ImageLimits.default.maxPixels)) {
            try ImageDecoder.decode(bomb)
        }
    }

    @Test func jpegBombIsRefusedFromItsHeader() throws {
        var bytes = [UInt8](try ImageFixtures.bytes("jpeg_tiny_7x5.jpg"))
        let sof = try #require((0..<(bytes.count - 9)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        bytes[sof + 5] = 0xEA; bytes[sof + 6] = 0x60  // height 60,000
        bytes[sof + 7] = 0xEA; bytes[sof + 8] = 0x60  // width 60,000
        #expect(throws: ImageError.tooManyPixels(width: 60_000, height: 60_000, limit: ImageLimits.default.maxPixels)) {
            try ImageDecoder.decode(Data(bytes))
        }
    }

    @Test func webpBombIsRefusedFromItsHeader() throws {
        var bytes = [UInt8](try ImageFixtures.bytes("webp_lossless_150x100.webp"))
        // Simple lossless layout: "VP8L" chunk, signature 0x2f, then 14-bit width-1 and height-1.
        let chunk = try #require((12..<(bytes.count - 4)).first { bytes[$0..<($0 + 4)].elementsEqual(Array("VP8L".utf8)) })
        let p = chunk + 9
        var bits = UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16 | UInt32(bytes[p + 3]) << 24
        bits |= 0x0FFF_FFFF  // width and height 16,384
        for k in 0..<4 { bytes[p + k] = UInt8(truncatingIfNeeded: bits >> (8 * UInt32(k))) }
        #expect(throws: ImageError.tooManyPixels(width: 16_384, height: 16_384, limit: ImageLimits.default.maxPixels)) {
            try ImageDecoder.decode(Data(bytes))
        }
    }

    @Test func defaultLimitIsFiftyMegapixels() {
        #expect(ImageLimits().maxPixels == 50_000_000)
    }

    @Test func defaultsOfTheEvidenceLimits() {
        let limits = ImageLimits()
        #expect(limits.maxJPEGScans == 100)
        #expect(limits.maxWebPPixelsPerByte == 16_384)
        #expect(limits.webPPixelsFreeOfRatio == 1 << 20)
        #expect(limits.scaledDecodeFloor == nil)
    }

    @Test func noConfigurationLiftsTheAbsoluteCeiling() throws {
        var bytes = [UInt8](try ImageFixtures.bytes("png_pad_30x20.png"))
        for offset in [16, 20] { bytes.replaceSubrange(offset..<(offset + 4), with: [0x7F, 0xFF, 0xFF, 0xFF]) }
        let huge = HostileBytes.withFixedPNGChecksums(Data(bytes))
        #expect(throws: ImageError.tooManyPixels(width: Int(Int32.max), height: Int(Int32.max), limit: 1 << 32)) {
            try ImageDecoder.decode(huge, limits: ImageLimits(maxPixels: .max))
        }
    }
}
