import Foundation
import Testing
import Imaging

@Suite struct CLIPImagePreprocessorTests {
    static func config(_ json: String) throws -> CLIPPreprocessorConfig { try CLIPPreprocessorConfig(json: Data(json.utf8)) }

    @Test func missingKeysTakeCLIPImageProcessorDefaults() throws {
        let c = try Self.config("{}")
        #expect(c == CLIPPreprocessorConfig())
        #expect(c.size == .shortestEdge(224) && c.cropHeight == 224 && c.cropWidth == 224)
        #expect(c.imageMean == [0.48145466, 0.4578275, 0.40821073])
    }

    @Test func configIsReadFromAModelDirectory() throws {
        let c = try CLIPPreprocessorConfig(modelDirectory: ImageFixtures.directory.appendingPathComponent("configs/s48_crop40x56"))
        #expect(c.size == .shortestEdge(48) && c.cropHeight == 40 && c.cropWidth == 56)
        #expect(c.imageMean == [0.5, 0.5, 0.5] && c.imageStd == [0.5, 0.5, 0.5])
        #expect(throws: ImageError.self) { try CLIPPreprocessorConfig(modelDirectory: URL(fileURLWithPath: "/nonexistent")) }
    }

    @Test func legacyIntegerSizesAreRead() throws {
        let c = try Self.config(#"{"size": 336, "crop_size": 336}"#)
        #expect(c.size == .shortestEdge(336) && c.cropHeight == 336 && c.cropWidth == 336)
    }

    @Test func onlyBicubicResamplingIsAccepted() throws {
        #expect(throws: ImageError.invalidPreprocessorConfig(
            "resample 2 is not supported: only 3 (PIL.Image.BICUBIC, CLIP's filter) is implemented")) {
            try Self.config(#"{"resample": 2}"#)
        }
        #expect(try Self.config(#"{"resample": 3}"#).size == .shortestEdge(224))
    }

    @Test func malformedConfigsAreRefusedWithTheKey() {
        #expect(throws: ImageError.invalidPreprocessorConfig("size must contain shortest_edge or height and width")) {
            try Self.config(#"{"size": {"longest_edge": 3}}"#)
        }
        #expect(throws: ImageError.invalidPreprocessorConfig("crop_size must be a positive integer")) {
            try Self.config(#"{"crop_size": -4}"#)
        }
        #expect(throws: ImageError.invalidPreprocessorConfig("image_std must be non-zero and image_mean finite")) {
            try Self.config(#"{"image_std": [0, 1, 1]}"#)
        }
        #expect(throws: ImageError.invalidPreprocessorConfig("do_resize must be true or false")) {
            try Self.config(#"{"do_resize": "yes"}"#)
        }
    }

    @Test func resizeKeepsTheAspectRatioWithTransformersTruncation() {
        let p = CLIPImagePreprocessor()
        #expect(p.resizedSize(width: 7, height: 5) == (224, 313))  // int(224 * 7 / 5) = 313
        #expect(p.resizedSize(width: 480, height: 640) == (298, 224))  // int(298.66)
        #expect(p.resizedSize(width: 100, height: 100) == (224, 224))
        #expect(p.outputSize(width: 1000, height: 50) == (224, 224))
    }

    @Test func extremeAspectRatiosOnlyComputeTheCrop() throws {
        // Resized to 224 × 4,480,000 (a 3 GB image in Pillow); the tensor needs only 224 × 224 of it.
        let strip = try RGBImage(width: 20_000, height: 1, pixels: (0..<60_000).map { UInt8($0 % 251) })
        let tensor = CLIPImagePreprocessor().preprocess(strip)
        #expect(tensor.count == 3 * 224 * 224)
        #expect(tensor.allSatisfy { $0.isFinite })
    }

    @Test func batchIsTheConcatenationOfSingleTensors() throws {
        let preprocessor = CLIPImagePreprocessor(config: try ImageFixtures.config("s32"))
        let images = try ["jpeg_tiny_7x5.jpg", "png_la16_50x70.png", "webp_exif8_60x40.webp"].map {
            try ImageDecoder.decode(try ImageFixtures.bytes($0))
        }
        let batch = try preprocessor.preprocessBatch(images)
        #expect(batch.count == 3 * 3 * 32 * 32)
        #expect(batch == images.flatMap { preprocessor.preprocess($0) })
    }

    @Test func batchOfDifferentTensorSizesIsRefused() throws {
        let preprocessor = CLIPImagePreprocessor(config: try ImageFixtures.config("s40_nocrop"))
        let a = try ImageDecoder.decode(try ImageFixtures.bytes("jpeg_tiny_7x5.jpg"))
        let b = try ImageDecoder.decode(try ImageFixtures.bytes("webp_exif8_60x40.webp"))
        #expect(throws: ImageError.self) { try preprocessor.preprocessBatch([a, b]) }
    }

    @Test func outputBufferMustBeLargeEnough() throws {
        let preprocessor = CLIPImagePreprocessor(config: try ImageFixtures.config("s32"))
        let image = try ImageDecoder.decode(try ImageFixtures.bytes("jpeg_tiny_7x5.jpg"))
        var small = [Float](repeating: 0, count: 100)
        #expect(throws: ImageError.outputBufferTooSmall(needed: 3072, actual: 100)) {
            try small.withUnsafeMutableBufferPointer { try preprocessor.preprocess(image, into: $0) }
        }
    }

    @Test func rgbImageRejectsInconsistentBuffers() {
        #expect(throws: ImageError.pixelBufferSizeMismatch(expected: 6, actual: 5)) {
            try RGBImage(width: 2, height: 1, pixels: [1, 2, 3, 4, 5])
        }
        #expect(throws: ImageError.invalidDimensions(width: 0, height: 3)) { try RGBImage(width: 0, height: 3, pixels: []) }
    }
}
