import Foundation
import Testing
@testable import Imaging

/// Every scan of a progressive JPEG walks the image again; a file of thousands of (empty) scans
/// is refused from its layout, before TurboJPEG decodes or allocates anything.
@Suite struct JPEGScanBombTests {
    /// The progressive fixture with `extraScans` more scans before its EOI: each an AC scan of the
    /// first component coded as end-of-band runs, under a one-symbol AC table (EOBRUN 2^14 + 14 bits).
    static func scanBomb(extraScans: Int) throws -> Data {
        var bytes = [UInt8](try ImageFixtures.bytes("jpeg_progressive_200x300.jpg"))
        let sof = try #require((0..<(bytes.count - 11)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC2 })
        let component = bytes[sof + 10]
        #expect(bytes.suffix(2) == [0xFF, 0xD9])
        bytes.removeLast(2)
        let table: [UInt8] = [0xFF, 0xC4, 0x00, 20, 0x10, 1] + [UInt8](repeating: 0, count: 15) + [0xE0]
        // Code "0" then 14 one bits: a run of 32,767 blocks, enough for the whole component.
        let scan: [UInt8] = [0xFF, 0xDA, 0x00, 0x08, 0x01, component, 0x00, 1, 63, 0x00, 0x7F, 0xFF, 0x00]
        bytes += table
        for _ in 0..<extraScans { bytes += scan }
        return Data(bytes + [0xFF, 0xD9])
    }

    @Test func layoutCountsTheScansOfARealProgressiveJPEG() throws {
        let data = try ImageFixtures.bytes("jpeg_progressive_200x300.jpg")
        let layout = data.withUnsafeBytes { JPEGLayout($0) }
        #expect(layout.frameMarker == 0xC2)
        #expect(layout.scanCount == 10)  // libjpeg's progression script for YCbCr
        let bomb = try Self.scanBomb(extraScans: 3)
        #expect(bomb.withUnsafeBytes { JPEGLayout($0) }.scanCount == 13)
    }

    @Test func thousandsOfEmptyScansAreRefusedBeforeDecoding() throws {
        let bomb = try Self.scanBomb(extraScans: 5000)
        let run = AllocationLog.run { _ = try ImageDecoder.decode(bomb) }
        #expect(run.error == .tooManyScans(count: 5010, limit: ImageLimits.default.maxJPEGScans))
        #expect(run.sizes.isEmpty)
    }

    @Test func scanLimitIsConfigurableButNeverAboveTurboJPEGs() throws {
        let bomb = try Self.scanBomb(extraScans: 90)
        #expect(throws: ImageError.tooManyScans(count: 100, limit: 50)) {
            try ImageDecoder.decode(bomb, limits: ImageLimits(maxJPEGScans: 50))
        }
        // Under the default limit the extra scans decode (libjpeg only warns about their order).
        #expect(try ImageDecoder.decode(bomb).width == 200)
        let big = try Self.scanBomb(extraScans: 600)
        #expect(throws: ImageError.tooManyScans(count: 610, limit: TurboJPEGDecompressor.scanLimit)) {
            try ImageDecoder.decode(big, limits: ImageLimits(maxJPEGScans: 10_000))
        }
    }

    @Test func turboJPEGStopsAfterFiveHundredScansOnItsOwn() throws {
        // The library's guard, reached only if the layout walk ever undercounted.
        let bomb = try Self.scanBomb(extraScans: 600)
        let decompressor = try TurboJPEGDecompressor()
        let result = bomb.withUnsafeBytes { bytes in
            Result { () throws(ImageError) in
                let (w, h) = try decompressor.header(bytes)
                var out = [UInt8](repeating: 0, count: w * h * 3)
                try out.withUnsafeMutableBufferPointer { (buffer) throws(ImageError) in
                    try decompressor.decompress(bytes, into: buffer, width: w, height: h, cmyk: false)
                }
            }
        }
        #expect(throws: ImageError.tooManyScans(count: 501, limit: 500)) { try result.get() }
    }
}
