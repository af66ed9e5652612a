import Foundation
import TestSupport
import Testing
@testable import Imaging

/// Untrusted bytes never crash the decoder: they decode or throw a precise `ImageError`.
@Suite struct ImageDecodingErrorTests {
    static let samples = [
        "jpeg_q85_422_131x97.jpg", "jpeg_progressive_200x300.jpg", "jpeg_cmyk_120x90.jpg", "jpeg_exif6_180x120.jpg",
        "png_rgba16_70x50.png", "png_interlaced_rgb_97x61.png", "png_palette4_53x41.png", "png_exif6_60x40.png",
        "webp_lossy_alpha_120x160.webp", "webp_lossless_alpha_100x100.webp", "webp_exif8_60x40.webp",
    ]

    @Test func emptyInputIsAnUnknownFormat() {
        #expect(throws: ImageError.unknownFormat(leadingBytes: "(empty)")) { try ImageDecoder.decode(Data()) }
    }

    @Test func unknownBytesNameTheirLeadingBytes() {
        #expect(throws: ImageError.unknownFormat(leadingBytes: "68 65 6c 6c 6f")) { try ImageDecoder.decode(Data("hello".utf8)) }
    }

    @Test func recognisedButUnsupportedFormatsSayWhich() {
        #expect(throws: ImageError.unsupportedFormat("GIF")) { try ImageDecoder.decode(Data("GIF89a\u{1}\u{0}".utf8)) }
        #expect(throws: ImageError.unsupportedFormat("BMP")) { try ImageDecoder.decode(Data("BM\u{0}\u{0}".utf8)) }
        #expect(throws: ImageError.unsupportedFormat("TIFF")) { try ImageDecoder.decode(Data([0x49, 0x49, 0x2A, 0x00, 8, 0, 0, 0])) }
    }

    @Test func formatComesFromMagicBytesNotNames() throws {
        #expect(try ImageDecoder.format(of: try ImageFixtures.bytes("png_exif6_60x40.png")) == .png)
        #expect(try ImageDecoder.format(of: try ImageFixtures.bytes("webp_exif8_60x40.webp")) == .webp)
        #expect(try ImageDecoder.format(of: try ImageFixtures.bytes("jpeg_tiny_7x5.jpg")) == .jpeg)
    }

    @Test(arguments: samples)
    func everyTruncationThrowsTruncatedOrMalformed(file: String) throws {
        let data = try ImageFixtures.bytes(file)
        let format = try ImageDecoder.format(of: data)
        // Every length up to 64 bytes (the headers), then 48 evenly spread cut points.
        let cuts = Array(0..<min(64, data.count)) + (1..<48).map { data.count * $0 / 48 }
        for cut in Set(cuts).sorted() where cut < data.count {
            do {
                _ = try ImageDecoder.decode(data.prefix(cut))
                Issue.record("\(file) decoded despite the cut at \(cut) of \(data.count) bytes")
            } catch {
                switch error {
                case .truncated(let f, _), .malformed(let f, _): #expect(f == format, "\(file) cut at \(cut): \(error)")
                case .unknownFormat where cut < 12: break
                default: Issue.record("\(file) cut at \(cut): unexpected \(error)")
                }
            }
        }
    }

    @Test(arguments: samples)
    func bitFlippedFilesDecodeOrThrowButNeverCrash(file: String) throws {
        let data = try ImageFixtures.bytes(file)
        var rng = SplitMix64(seed: UInt64(data.count))
        var outcomes = (decoded: 0, refused: 0)
        for round in 0..<150 {
            // Half the rounds hit the headers, where the parsing in Swift happens.
            let range = round % 2 == 0 ? 0..<min(data.count, 256) : 0..<data.count
            var mutated = HostileBytes.bitFlipped(data, flips: 1 + round % 4, in: range, rng: &rng)
            if file.hasSuffix(".png") { mutated = HostileBytes.withFixedPNGChecksums(mutated) }
            do {
                let image = try ImageDecoder.decode(mutated, limits: ImageLimits(maxPixels: 4_000_000))
                #expect(image.pixels.count == image.width * image.height * 3)
                outcomes.decoded += 1
            } catch {
                outcomes.refused += 1
            }
        }
        print("bit flips \(file): \(outcomes.decoded) decoded, \(outcomes.refused) refused with ImageError")
        #expect(outcomes.decoded + outcomes.refused == 150)
    }

    @Test func corruptCompressedPNGDataIsMalformedOrTruncated() throws {
        let data = try ImageFixtures.bytes("png_rgb_256x192.png")
        let idat = try #require(HostileBytes.pngChunkData(data, type: "IDAT"))
        var rng = SplitMix64(seed: 7)
        var refused = 0
        for _ in 0..<100 {
            let mutated = HostileBytes.withFixedPNGChecksums(HostileBytes.bitFlipped(data, flips: 3, in: idat, rng: &rng))
            do { _ = try ImageDecoder.decode(mutated) } catch {
                switch error {
                case .malformed(.png, _), .truncated(.png, _): refused += 1
                default: Issue.record("unexpected \(error)")
                }
            }
        }
        print("IDAT corruption: \(refused) of 100 refused")
        #expect(refused > 0)
    }

    @Test func pngChecksumMismatchIsReported() throws {
        var bytes = [UInt8](try ImageFixtures.bytes("png_exif6_60x40.png"))
        bytes[20] ^= 0x01  // inside IHDR's width
        #expect(throws: ImageError.malformed(format: .png, detail: "CRC mismatch in IHDR chunk")) {
            try ImageDecoder.decode(Data(bytes))
        }
    }

    @Test func inflateSurvivesRandomStreams() {
        var rng = SplitMix64(seed: 42)
        var output = [UInt8](repeating: 0, count: 4096)
        var failures = 0
        for _ in 0..<2000 {
            let input = (0..<Int.random(in: 0..<200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let result = input.withUnsafeBytes { raw in
                output.withUnsafeMutableBufferPointer { out in
                    Result { () throws(InflateError) in try Inflate.decompress(raw, into: out) }
                }
            }
            if case .failure = result { failures += 1 }
        }
        #expect(failures > 1000)
    }

    @Test func exifParserSurvivesRandomBytes() {
        var rng = SplitMix64(seed: 9)
        for _ in 0..<5000 {
            var bytes = (0..<Int.random(in: 0..<64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if bytes.count >= 4 && Bool.random(using: &rng) { bytes.replaceSubrange(0..<4, with: [0x49, 0x49, 42, 0]) }
            _ = bytes.withUnsafeBytes { ExifOrientation.parse(exif: $0) }
        }
    }
}
