import Foundation
import Testing
@testable import Imaging

/// A header cannot announce more pixels than the data present can describe: such images are
/// refused before any pixel buffer exists, and accepted ones allocate only their own size.
@Suite struct DimensionsExceedDataTests {
    /// A lossless WebP whose five prefix codes each hold one symbol: every pixel costs no bits.
    static func solidLosslessWebP(width: Int, height: Int) -> Data {
        var bits = DeflateBits()  // VP8L is LSB-first too
        bits.put(0x2F, 8)
        bits.put(width - 1, 14); bits.put(height - 1, 14); bits.put(0, 1); bits.put(0, 3)
        bits.put(0, 1); bits.put(0, 1); bits.put(0, 1)  // no transform, no colour cache, no meta codes
        for _ in 0..<5 { bits.put(1, 1); bits.put(0, 1); bits.put(0, 1); bits.put(0, 1) }  // simple: one symbol, 0
        var payload = bits.finished()
        let size = payload.count
        if size % 2 == 1 { payload.append(0) }
        let chunk = Array("VP8L".utf8) + littleEndian(size) + payload
        return Data(Array("RIFF".utf8) + littleEndian(4 + chunk.count) + Array("WEBP".utf8) + chunk)
    }

    static func littleEndian(_ v: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    /// A zlib stream of `count` zero bytes: one literal, then length-258 matches at distance 1
    /// (fixed code: 13 bits per 258 bytes), so it is small but honest.
    static func zlibZeros(_ count: Int) -> [UInt8] {
        var bits = DeflateBits()
        bits.put(1, 1); bits.put(1, 2)
        bits.putCode(0x30, length: 8)
        var left = count - 1
        while left >= 258 {
            bits.putCode(0xC5, length: 8); bits.putCode(0, length: 5)
            left -= 258
        }
        for _ in 0..<left { bits.putCode(0x30, length: 8) }
        bits.putCode(0, length: 7)
        return [0x78, 0x01] + bits.finished() + [0, 0, 0, 0]
    }

    /// The data size and detail of `error` if it is `dimensionsExceedData` for this format and
    /// size; records an issue and returns nil otherwise.
    static func refusal(
        _ error: ImageError?, _ format: ImageFormat, _ width: Int, _ height: Int
    ) -> (dataBytes: Int, detail: String)? {
        guard case .dimensionsExceedData(let f, let w, let h, let bytes, let detail) = error,
              f == format, w == width, h == height else {
            Issue.record("expected dimensionsExceedData(\(format), \(width)x\(height)), got \(String(describing: error))")
            return nil
        }
        return (bytes, detail)
    }

    /// Files whose headers announce far more pixels than their bytes can describe.
    enum Bomb: String, CaseIterable, Sendable {
        /// 69 bytes: a PNG header announcing 7,000 × 7,000 RGB and 10 bytes of DEFLATE data.
        case png69Bytes
        /// 28 bytes: a lossless WebP announcing 7,000 × 7,000 at no bits per pixel.
        case webp28Bytes
        /// A real 300 × 200 baseline JPEG whose frame header now says 3,000 × 2,000.
        case jpegWithInflatedHeader

        func bytes() throws -> Data {
            switch self {
            case .png69Bytes:
                return TinyPNG.file(width: 7000, height: 7000, bitDepth: 8, colorType: 2, zlib: [0x78, 0x01] + [UInt8](repeating: 0, count: 10))
            case .webp28Bytes:
                return DimensionsExceedDataTests.solidLosslessWebP(width: 7000, height: 7000)
            case .jpegWithInflatedHeader:
                var bytes = [UInt8](try ImageFixtures.bytes("jpeg_q50_300x200.jpg"))
                let sof = try #require((0..<(bytes.count - 9)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
                bytes.replaceSubrange((sof + 5)..<(sof + 9), with: [0x07, 0xD0, 0x0B, 0xB8])  // height 2,000, width 3,000
                return Data(bytes)
            }
        }

        /// Format, announced size, the image data counted against it, and the bound named.
        var expected: (format: ImageFormat, width: Int, height: Int, dataBytes: Int?, bound: String) {
            switch self {
            case .png69Bytes: (.png, 7000, 7000, 10, "1032:1")
            case .webp28Bytes: (.webp, 7000, 7000, 28, "maxWebPPixelsPerByte")
            case .jpegWithInflatedHeader: (.jpeg, 3000, 2000, nil, "at least one bit")
            }
        }
    }

    @Test(arguments: Bomb.allCases)
    func tinyFilesAnnouncingHugeImagesAreRefusedBeforeAllocating(bomb: Bomb) throws {
        let data = try bomb.bytes()
        let expected = bomb.expected
        let run = AllocationLog.run { _ = try ImageDecoder.decode(data) }
        let refusal = try #require(Self.refusal(run.error, expected.format, expected.width, expected.height))
        print("\(bomb.rawValue) (\(data.count) bytes): \(run.error!)")
        #expect(refusal.dataBytes == expected.dataBytes ?? refusal.dataBytes && refusal.dataBytes <= data.count)
        #expect(refusal.detail.contains(expected.bound))
        #expect(run.sizes.isEmpty)
    }

    @Test func pngIsRefusedExactlyWhenItsRowsExceedDeflatesMaximumExpansion() {
        let zlib = Self.zlibZeros(1001 * 1000)
        let deflateBytes = zlib.count - 2
        // Grey 8-bit rows of width 1000 take 1001 bytes each with the filter byte.
        let mostRows = deflateBytes * InflateStream.maximumExpansion / 1001
        for (rows, refused) in [(mostRows, false), (mostRows + 1, true)] {
            let png = TinyPNG.file(width: 1000, height: rows, bitDepth: 8, colorType: 0, zlib: zlib)
            let run = AllocationLog.run { _ = try ImageDecoder.decode(png) }
            if refused {
                #expect(Self.refusal(run.error, .png, 1000, rows)?.dataBytes == deflateBytes)
                #expect(run.sizes.isEmpty)
            } else {
                // Allowed by the bound, then found short of data after decoding what there is.
                #expect(run.error == .truncated(format: .png, detail: "image data holds 1001000 of \(1001 * rows) bytes"))
            }
        }
    }

    @Test func honestHighlyCompressedPNGDecodesIntoABufferOfItsOwnSize() throws {
        let png = TinyPNG.file(width: 1000, height: 1000, bitDepth: 8, colorType: 0, zlib: Self.zlibZeros(1001 * 1000))
        var image: RGBImage? = nil
        let run = AllocationLog.run { image = try ImageDecoder.decode(png) }
        #expect(run.error == nil)
        #expect(run.sizes == [1000 * 1000 * 3])
        #expect(image?.pixels.allSatisfy { $0 == 0 } == true)
    }

    @Test func smallPlainWebPIsFreeOfTheRatio() throws {
        let webp = Self.solidLosslessWebP(width: 1000, height: 1000)
        var image: RGBImage? = nil
        let run = AllocationLog.run { image = try ImageDecoder.decode(webp) }
        #expect(run.error == nil)
        #expect(run.sizes == [3_000_000])
        #expect(image?.pixels.allSatisfy { $0 == 0 } == true)
    }

    @Test func webPRatioIsAConfigurableLimit() throws {
        let webp = Self.solidLosslessWebP(width: 2000, height: 2000)
        let refused = AllocationLog.run { _ = try ImageDecoder.decode(webp) }
        #expect(Self.refusal(refused.error, .webp, 2000, 2000) != nil)
        let lenient = ImageLimits(maxWebPPixelsPerByte: 4_000_000 / 28 + 1)
        #expect(try ImageDecoder.decode(webp, limits: lenient).width == 2000)
        let strict = ImageLimits(webPPixelsFreeOfRatio: 0)
        let small = Self.solidLosslessWebP(width: 1000, height: 1000)
        #expect(throws: ImageError.self) { try ImageDecoder.decode(small, limits: strict) }
    }

    @Test func everyFixtureHoldsEnoughDataForItsHeader() throws {
        for entry in try ImageFixtures.entries() {
            let data = try ImageFixtures.bytes(entry.file)
            let run = AllocationLog.run { _ = try ImageDecoder.decode(data) }
            #expect(run.error == nil, "\(entry.id): \(String(describing: run.error))")
        }
    }
}
