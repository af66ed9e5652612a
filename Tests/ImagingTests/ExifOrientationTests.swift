import Foundation
import Testing
@testable import Imaging

/// EXIF orientation is read from the TIFF block and applied like `PIL.ImageOps.exif_transpose`.
@Suite struct ExifOrientationTests {
    /// A TIFF block with one IFD0 entry: tag 0x0112, `type`, count 1, `value`.
    static func tiff(orientation value: Int, littleEndian: Bool, type: Int = 3, exifHeader: Bool = true) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { littleEndian ? [UInt8(v & 0xFF), UInt8(v >> 8)] : [UInt8(v >> 8), UInt8(v & 0xFF)] }
        func u32(_ v: Int) -> [UInt8] { littleEndian ? u16(v & 0xFFFF) + u16(v >> 16) : u16(v >> 16) + u16(v & 0xFFFF) }
        let valueField = type == 3 ? u16(value) + [0, 0] : u32(value)
        var bytes = (littleEndian ? Array("II".utf8) : Array("MM".utf8)) + u16(42) + u32(8)
        bytes += u16(2)  // two entries: an unrelated tag first
        bytes += u16(0x010F) + u16(2) + u32(4) + Array("Cam\0".utf8)
        bytes += u16(0x0112) + u16(type) + u32(1) + valueField
        bytes += u32(0)
        return (exifHeader ? Array("Exif".utf8) + [0, 0] : []) + bytes
    }

    static func parse(_ bytes: [UInt8]) -> ExifOrientation { bytes.withUnsafeBytes { ExifOrientation.parse(exif: $0) } }

    @Test(arguments: 1...8)
    func readsEveryOrientationInBothByteOrders(value: Int) {
        let expected = ExifOrientation(rawValue: value)
        #expect(Self.parse(Self.tiff(orientation: value, littleEndian: true)) == expected)
        #expect(Self.parse(Self.tiff(orientation: value, littleEndian: false)) == expected)
        #expect(Self.parse(Self.tiff(orientation: value, littleEndian: false, exifHeader: false)) == expected)
        #expect(Self.parse(Self.tiff(orientation: value, littleEndian: true, type: 4)) == expected)
    }

    @Test func outOfRangeOrMissingOrientationLeavesTheImageAsStored() {
        #expect(Self.parse(Self.tiff(orientation: 0, littleEndian: true)) == .up)
        #expect(Self.parse(Self.tiff(orientation: 9, littleEndian: true)) == .up)
        #expect(Self.parse(Array("Exif".utf8) + [0, 0, 1, 2]) == .up)
        #expect(Self.parse([]) == .up)
    }

    /// A 3×2 image whose pixel (x, y) holds (x, y, 7).
    static let probe: RGBImage = {
        var pixels: [UInt8] = []
        for y in 0..<2 { for x in 0..<3 { pixels += [UInt8(x), UInt8(y), 7] } }
        return RGBImage(validatedWidth: 3, height: 2, pixels: pixels)
    }()

    /// Where output pixel (0, 0) and (1, 0) come from, per Pillow's Transpose methods.
    @Test(arguments: [
        (1, 3, 2, (0, 0), (1, 0)), (2, 3, 2, (2, 0), (1, 0)), (3, 3, 2, (2, 1), (1, 1)), (4, 3, 2, (0, 1), (1, 1)),
        (5, 2, 3, (0, 0), (0, 1)), (6, 2, 3, (0, 1), (0, 0)), (7, 2, 3, (2, 1), (2, 0)), (8, 2, 3, (2, 0), (2, 1)),
    ])
    func transposesLikePillow(value: Int, width: Int, height: Int, first: (Int, Int), second: (Int, Int)) throws {
        let out = Self.probe.applying(try #require(ExifOrientation(rawValue: value)))
        #expect(out.width == width && out.height == height)
        #expect(out.pixel(x: 0, y: 0) == (UInt8(first.0), UInt8(first.1), 7))
        #expect(out.pixel(x: 1, y: 0) == (UInt8(second.0), UInt8(second.1), 7))
        #expect(out.pixels.count == 18)
    }

    /// The fixtures carry orientation in JPEG APP1, PNG eXIf and WebP EXIF; each decodes to exactly
    /// the pixels that `exif_transpose` + `convert("RGB")` gave in Pillow.
    @Test func fixturesWithOrientationMatchPillowExifTranspose() throws {
        let oriented = try ImageFixtures.entries().filter { $0.category.hasSuffix("orientation") }
        #expect(oriented.count >= 9)
        for entry in oriented {
            let image = try ImageDecoder.decode(try ImageFixtures.bytes(entry.file))
            #expect([image.width, image.height] == entry.rgb_size, "\(entry.id)")
            if let decoded = entry.decoded {
                #expect(image.pixels == [UInt8](try ImageFixtures.bytes(decoded)), "\(entry.id): pixels differ from Pillow")
            }
        }
    }

    @Test func rotatedJPEGSwapsItsStoredDimensions() throws {
        // Stored 180×120 with orientation 6: upright it is 120 wide, 180 high.
        let image = try ImageDecoder.decode(try ImageFixtures.bytes("jpeg_exif6_180x120.jpg"))
        #expect(image.width == 120 && image.height == 180)
    }
}
