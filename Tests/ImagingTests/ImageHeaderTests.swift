import Foundation
import Testing
@testable import Imaging

/// `ImageDecoder.header(of:)` reads the format and stored size without decoding or allocating.
@Suite struct ImageHeaderTests {
    @Test func headerAgreesWithTheDecodedSizeOfEveryFixture() throws {
        for entry in try ImageFixtures.entries() {
            let data = try ImageFixtures.bytes(entry.file)
            var header: ImageHeader? = nil
            let run = AllocationLog.run { header = try ImageDecoder.header(of: data) }
            #expect(run.sizes.isEmpty, "\(entry.id)")
            let h = try #require(header)
            #expect(h.format == (try ImageDecoder.format(of: data)))
            // EXIF orientations 5...8 swap the decoded image's axes; the pixel count stays.
            let decoded = entry.rgb_size
            #expect([h.width, h.height] == decoded || [h.height, h.width] == decoded, "\(entry.id)")
            #expect(h.pixelCount == decoded[0] * decoded[1])
        }
    }

    @Test func headerReportsWhatABombAnnouncesWithoutLimits() throws {
        let png = TinyPNG.file(width: 7000, height: 7000, bitDepth: 8, colorType: 2, zlib: [0x78, 0x01])
        #expect(try ImageDecoder.header(of: png) == ImageHeader(format: .png, width: 7000, height: 7000))
        let webp = DimensionsExceedDataTests.solidLosslessWebP(width: 7000, height: 7000)
        #expect(try ImageDecoder.header(of: webp) == ImageHeader(format: .webp, width: 7000, height: 7000))
    }

    @Test func headerRefusesWhatDecodingRefusesFirst() throws {
        #expect(throws: ImageError.unknownFormat(leadingBytes: "(empty)")) { try ImageDecoder.header(of: Data()) }
        #expect(throws: ImageError.invalidDimensions(width: 0, height: 1)) {
            try ImageDecoder.header(of: TinyPNG.file(width: 0, height: 1, bitDepth: 8, colorType: 0, rows: [0]))
        }
        let jpeg = try ImageFixtures.bytes("jpeg_tiny_7x5.jpg")
        for cut in [3, 20, 100] {
            #expect(throws: ImageError.self) { try ImageDecoder.header(of: jpeg.prefix(cut)) }
        }
        let webp = try ImageFixtures.bytes("webp_exif8_60x40.webp")
        #expect(throws: ImageError.self) { try ImageDecoder.header(of: webp.prefix(16)) }
    }
}
