import Foundation
import Imaging
import TestSupport
import Testing

/// Chinese-CLIP's preprocessor_config.json read as `ChineseCLIPImageProcessor` reads it, and the
/// pixels of the published fixture's images against the ones it produced (goldens.json of
/// Tests/Fixtures/published/chinese-clip-type).
@Suite struct ChineseCLIPPreprocessingTests {
    static let directory = RepositoryPaths.fixture("published/chinese-clip-type")

    private struct Goldens: Decodable {
        struct Image: Decodable {
            let file: String
            let pixel_shape: [Int]
            let pixels_f32: String
        }

        let images: [Image]
    }

    static func config(_ json: String) throws -> CLIPPreprocessorConfig { try CLIPPreprocessorConfig(json: Data(json.utf8)) }

    @Test func theHubFormReadsAsAnExactResize() throws {
        let c = try CLIPPreprocessorConfig(modelDirectory: Self.directory)
        #expect(c.processor == .chineseCLIP && c.size == .fixed(height: 40, width: 40) && !c.doCenterCrop)
        // Exactly 40×40 whatever the aspect ratio: no crop, no shortest-edge scaling.
        let preprocessor = CLIPImagePreprocessor(config: c)
        #expect(preprocessor.outputSize(width: 97, height: 31) == (40, 40))
        #expect(preprocessor.outputSize(width: 31, height: 70) == (40, 40))
    }

    @Test func legacyFormsReadAsTransformersReadsThem() throws {
        let processor = #""image_processor_type": "ChineseCLIPImageProcessor""#
        // A bare integer crop_size is a square; do_center_crop true crops the exact resize.
        let cropped = try Self.config(#"{\#(processor), "size": {"height": 48, "width": 40}, "crop_size": 32, "do_center_crop": true}"#)
        #expect(cropped.size == .fixed(height: 48, width: 40) && cropped.cropHeight == 32 && cropped.cropWidth == 32)
        #expect(CLIPImagePreprocessor(config: cropped).outputSize(width: 100, height: 20) == (32, 32))
        // The older feature-extractor name is the same processor.
        let legacy = try Self.config(#"{"feature_extractor_type": "ChineseCLIPFeatureExtractor", "size": {"height": 24, "width": 24}}"#)
        #expect(legacy.processor == .chineseCLIP)
        // Without resizing, size is never read, as in transformers.
        #expect(try Self.config(#"{\#(processor), "size": 224, "do_resize": false}"#).processor == .chineseCLIP)
        // The same integer size is CLIP's shortest edge.
        #expect(try Self.config(#"{"size": 224}"#).size == .shortestEdge(224))
    }

    /// ChineseCLIPImageProcessor.resize reads size["height"]: a shortest_edge or absent size fails
    /// there (KeyError), so it is refused here rather than read CLIP's way.
    @Test func sizesTransformersCannotResizeToAreRefused() {
        let processor = #""image_processor_type": "ChineseCLIPImageProcessor""#
        for json in [#"{\#(processor), "size": {"shortest_edge": 224}}"#, "{\(processor)}"] {
            #expect("\(json)", performing: { try Self.config(json) }, throws: { error in
                guard case ImageError.invalidPreprocessorConfig(let why) = error else { return false }
                return why.hasPrefix("size must be {\"height\": h, \"width\": w} (or an integer n for n × n) for ChineseCLIPImageProcessor")
            })
        }
    }

    /// A bare integer (files older than image processors) is the N × N resize Chinese-CLIP was
    /// trained with, where transformers' slow processor would raise.
    @Test func aBareIntegerSizeIsTheSquareChineseCLIPWasTrainedOn() throws {
        let processor = #""feature_extractor_type": "ChineseCLIPFeatureExtractor""#
        let config = try Self.config(#"{\#(processor), "size": 224, "crop_size": 224, "do_center_crop": false}"#)
        #expect(config.size == .fixed(height: 224, width: 224))
        #expect(CLIPImagePreprocessor(config: config).outputSize(width: 640, height: 480) == (224, 224))
    }

    @Test func pixelsMatchChineseCLIPImageProcessor() throws {
        let goldens = try JSONDecoder().decode(Goldens.self, from: Data(contentsOf: Self.directory.appendingPathComponent("goldens.json")))
        try #require(goldens.images.count >= 4)
        let preprocessor = CLIPImagePreprocessor(config: try CLIPPreprocessorConfig(modelDirectory: Self.directory))
        var sizes: Set<[Int]> = []
        for golden in goldens.images {
            let image = try ImageDecoder.decode(try Data(contentsOf: Self.directory.appendingPathComponent(golden.file)))
            sizes.insert([image.width, image.height])
            let (h, w) = preprocessor.outputSize(width: image.width, height: image.height)
            #expect([3, h, w] == golden.pixel_shape, "\(golden.file)")
            let expected = try #require(Self.floats(base64: golden.pixels_f32))
            let actual = preprocessor.preprocess(image)
            try #require(actual.count == expected.count, "\(golden.file)")
            let maxAbs = zip(actual, expected).map { abs($0 - $1) }.max() ?? .infinity
            print("pixel parity chinese-clip-type \(golden.file) \(image.width)x\(image.height): max abs \(maxAbs)")
            #expect(maxAbs <= CLIPPixelParityTests.tolerance, "\(golden.file)")
        }
        #expect(sizes.count == goldens.images.count, "images of different sizes")
    }

    static func floats(base64 text: String) -> [Float]? {
        guard let data = Data(base64Encoded: text), data.count % 4 == 0 else { return nil }
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
    }
}
