import Foundation
import Testing
@testable import Imaging

/// PNG corner cases, each checked against what Pillow 12 does with the same bytes.
@Suite struct PNGDecodingTests {
    @Test func sixteenBitGreyClipsAt255LikePillowsI16Conversion() throws {
        // Pillow opens 16-bit grey as "I;16"; convert("RGB") clips: [0, 100, 255, 256, 1000, 65535] -> [0, 100, 255, 255, 255, 255].
        let samples: [UInt16] = [0, 100, 255, 256, 1000, 65535]
        let row: [UInt8] = [0] + samples.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        let image = try ImageDecoder.decode(TinyPNG.file(width: 6, height: 1, bitDepth: 16, colorType: 0, rows: row))
        #expect(image.pixels == [0, 100, 255, 255, 255, 255].flatMap { [UInt8($0), UInt8($0), UInt8($0)] })
    }

    @Test func paletteIndicesPastThePaletteReadBlackLikePillow() throws {
        let png = TinyPNG.file(
            width: 5, height: 1, bitDepth: 8, colorType: 3, extra: [TinyPNG.chunk("PLTE", [10, 20, 30, 40, 50, 60])],
            rows: [0, 0, 1, 2, 3, 200])
        let image = try ImageDecoder.decode(png)
        #expect(image.pixels == [10, 20, 30, 40, 50, 60, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test func rgbaDropsAlphaInsteadOfCompositing() throws {
        let image = try ImageDecoder.decode(TinyPNG.file(width: 2, height: 1, bitDepth: 8, colorType: 6, rows: [0, 200, 100, 50, 0, 1, 2, 3, 128]))
        #expect(image.pixels == [200, 100, 50, 1, 2, 3])
    }

    @Test func storedBlocksAndEveryFilterDecode() throws {
        // Two rows of 2 RGB pixels; row 0 "Sub", row 1 "Paeth".
        let rows: [UInt8] = [1, 10, 20, 30, 5, 5, 5, 4, 1, 1, 1, 2, 2, 2]
        let image = try ImageDecoder.decode(TinyPNG.file(width: 2, height: 2, bitDepth: 8, colorType: 2, rows: rows))
        // Row 0: (10,20,30), (15,25,35). Row 1 Paeth: first pixel predicts from above -> (11,21,31);
        // second: a=(11,21,31) b=(15,25,35) c=(10,20,30): p=a+b-c=(16,26,36), nearest is b -> (17,27,37).
        #expect(image.pixels == [10, 20, 30, 15, 25, 35, 11, 21, 31, 17, 27, 37])
    }

    /// On the first row the row above reads as zeros (PNG spec §9.2).
    @Test(arguments: [(1, [5, 11, 18]), (2, [5, 6, 7]), (3, [5, 8, 11]), (4, [5, 11, 18])])
    func firstRowFiltersSeeZerosAbove(filter: Int, expected: [Int]) throws {
        let image = try ImageDecoder.decode(TinyPNG.file(width: 3, height: 1, bitDepth: 8, colorType: 0, rows: [UInt8(filter), 5, 6, 7]))
        #expect(image.pixels == expected.flatMap { [UInt8($0), UInt8($0), UInt8($0)] })
    }

    @Test func unknownFilterTypeIsMalformed() {
        #expect(throws: ImageError.malformed(format: .png, detail: "row filter type 5")) {
            try ImageDecoder.decode(TinyPNG.file(width: 1, height: 1, bitDepth: 8, colorType: 0, rows: [5, 7]))
        }
    }

    @Test func missingImageDataIsTruncated() {
        #expect(throws: ImageError.truncated(format: .png, detail: "image data holds 2 of 4 bytes")) {
            try ImageDecoder.decode(TinyPNG.file(width: 1, height: 2, bitDepth: 8, colorType: 0, rows: [0, 7]))
        }
    }

    @Test func unknownCriticalChunksAreRefusedAndAncillaryOnesIgnored() throws {
        #expect(throws: ImageError.unsupportedFeature(format: .png, detail: "critical chunk ZZZZ")) {
            try ImageDecoder.decode(TinyPNG.file(width: 1, height: 1, bitDepth: 8, colorType: 0, extra: [TinyPNG.chunk("ZZZZ", [])], rows: [0, 7]))
        }
        let image = try ImageDecoder.decode(TinyPNG.file(
            width: 1, height: 1, bitDepth: 8, colorType: 0, extra: [TinyPNG.chunk("zzZz", [1, 2])], rows: [0, 7]))
        #expect(image.pixels == [7, 7, 7])
    }

    @Test func invalidHeadersAreMalformed() {
        #expect(throws: ImageError.malformed(format: .png, detail: "bit depth 16 with colour type 3")) {
            try ImageDecoder.decode(TinyPNG.file(width: 1, height: 1, bitDepth: 16, colorType: 3, rows: [0, 0, 0]))
        }
        #expect(throws: ImageError.invalidDimensions(width: 0, height: 1)) {
            try ImageDecoder.decode(TinyPNG.file(width: 0, height: 1, bitDepth: 8, colorType: 0, rows: [0]))
        }
        let noHeader = Data(TinyPNG.signature + TinyPNG.chunk("IDAT", TinyPNG.zlibStored([0, 0])) + TinyPNG.chunk("IEND", []))
        #expect(throws: ImageError.malformed(format: .png, detail: "first chunk is IDAT, not IHDR")) { try ImageDecoder.decode(noHeader) }
    }
}
