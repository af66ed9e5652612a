import Foundation
import Testing
import Imaging

/// Every fixture image, decoded and preprocessed in Swift, against the tensors that
/// `Image.open → exif_transpose → convert("RGB") → CLIPImageProcessor` produced in Python.
@Suite struct CLIPPixelParityTests {
    static let tolerance: Float = 0.02

    @Test func fixtureSetCoversTheRequiredVariety() throws {
        let entries = try ImageFixtures.entries()
        #expect(entries.count >= 24)
        let formats = Set(entries.map { $0.file.split(separator: ".").last.map(String.init) ?? "" })
        #expect(formats == ["jpg", "png", "webp"])
        #expect(Set(entries.map(\.config)).count >= 4)
    }

    @Test func pixelTensorsMatchCLIPImageProcessor() throws {
        var worst: (diff: Float, id: String) = (0, "")
        var failures: [String] = []
        for entry in try ImageFixtures.entries() {
            let image = try ImageDecoder.decode(try ImageFixtures.bytes(entry.file))
            #expect([image.width, image.height] == entry.rgb_size, "\(entry.id): decoded size")
            let preprocessor = CLIPImagePreprocessor(config: try ImageFixtures.config(entry.config))
            let (h, w) = preprocessor.outputSize(width: image.width, height: image.height)
            #expect([3, h, w] == entry.shape, "\(entry.id): tensor shape")
            let actual = preprocessor.preprocess(image)
            let expected = try ImageFixtures.float16s(entry.golden)
            guard actual.count == expected.count else {
                failures.append("\(entry.id): \(actual.count) values, golden has \(expected.count)")
                continue
            }
            var maxDiff: Float = 0, at = 0, beyondHalfPrecision = 0
            for i in 0..<actual.count {
                let d = abs(actual[i] - expected[i])
                if d > maxDiff { (maxDiff, at) = (d, i) }
                // The golden is stored as float16: count values that differ even after that rounding.
                if Float(Float16(actual[i])) != expected[i] { beyondHalfPrecision += 1 }
            }
            let (c, y, x) = (at / (h * w), at / w % h, at % w)
            print("pixel parity \(entry.id) [\(entry.config)]: max abs \(maxDiff) at c=\(c) y=\(y) x=\(x)"
                + " (swift \(actual[at]), reference \(expected[at])); \(beyondHalfPrecision) of \(actual.count)"
                + " values differ beyond float16 rounding")
            if maxDiff > worst.diff { worst = (maxDiff, entry.id) }
            if maxDiff > Self.tolerance { failures.append("\(entry.id): max abs \(maxDiff) at c=\(c) y=\(y) x=\(x)") }
        }
        print("pixel parity worst max abs over all images: \(worst.diff) (\(worst.id))")
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    /// Decoded RGB against Pillow's, before any resampling (small images only). PNG and lossless
    /// WebP must be identical; JPEG and lossy WebP may differ by the codec libraries' versions.
    @Test func decodedPixelsMatchPillow() throws {
        for entry in try ImageFixtures.entries() {
            guard let decodedPath = entry.decoded else { continue }
            let image = try ImageDecoder.decode(try ImageFixtures.bytes(entry.file))
            let expected = [UInt8](try ImageFixtures.bytes(decodedPath))
            guard image.pixels.count == expected.count else {
                Issue.record("\(entry.id): \(image.pixels.count) bytes, Pillow has \(expected.count)")
                continue
            }
            var maxDiff = 0, at = 0, differing = 0
            for i in 0..<expected.count {
                let d = abs(Int(image.pixels[i]) - Int(expected[i]))
                if d > 0 { differing += 1 }
                if d > maxDiff { (maxDiff, at) = (d, i) }
            }
            let exact = entry.file.hasSuffix(".png") || entry.category == "webp-lossless"
            print("decoded \(entry.id) (\(entry.pil_mode)): max abs \(maxDiff) levels, \(differing) bytes differ"
                + (maxDiff > 0 ? ", first worst at pixel \(at / 3) channel \(at % 3)" : ""))
            #expect(maxDiff <= (exact ? 0 : 2), "\(entry.id): max abs \(maxDiff) levels at byte \(at)")
        }
    }
}
