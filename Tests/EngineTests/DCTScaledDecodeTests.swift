import Foundation
import Testing
import TestSupport
@testable import Engine
@testable import Imaging

/// `jpegDCTScaling`: the engine decodes a large JPEG at the smallest DCT scale its preprocessor
/// admits, charges the decoding budget that scaled size, and embeds it as the full decode does.
@Suite struct DCTScaledDecodeTests {
    /// The demo CLIP, loaded once for the suite (its 16 MB take seconds in a debug build).
    static let demoCLIP = Result { () throws(EngineError) in
        try CLIPBundle.load(directory: RepositoryPaths.root.appendingPathComponent("models/demo/clip"))
    }

    static func engine(scaling: Bool) throws -> EmbeddingEngine {
        EmbeddingEngine(
            clip: try demoCLIP.get(), batching: BatchLimits(maxBatchSize: 8, maxWait: .milliseconds(2), queueDepth: 64),
            imageLimits: ImageLimits(maxPixels: 20_000_000), jpegDCTScaling: scaling)
    }

    static func photo(width: Int, height: Int, seed: UInt64, orientation: Int? = nil) throws -> Data {
        let pixels = PhotoLikePicture.rgb(width: width, height: height, seed: seed)
        let jpeg = try TurboJPEGCompressor().compress(RGBImage(validatedWidth: width, height: height, pixels: pixels), quality: 90)
        return orientation.map { PhotoLikePicture.withOrientation(jpeg, $0) } ?? jpeg
    }

    @Test func floorIsThePreprocessorsResizeTargetOnlyWhenAsked() throws {
        #expect(try Self.engine(scaling: true).imageLimits.scaledDecodeFloor == .shortestEdge(64))
        #expect(try Self.engine(scaling: false).imageLimits.scaledDecodeFloor == nil)
    }

    @Test func decodingBudgetIsChargedTheScaledSize() throws {
        let header = ImageHeader(format: .jpeg, width: 4032, height: 3024)
        // 1/8 is 504 × 378, still above the demo CLIP's 64.
        #expect(try Self.engine(scaling: true).imagePreparation.decodedPixels(header) == 504 * 378)
        #expect(try Self.engine(scaling: false).imagePreparation.decodedPixels(header) == 4032 * 3024)
    }

    /// On photo-like pictures, some turned by EXIF, the scaled decode's embeddings keep cosine
    /// ≥ 0.999 to the full decode's (the bound `engine.jpeg_dct_scaling` is chosen by;
    /// scripts/bench-decode measures 2-12 MP photos in a release build).
    @Test func scaledEmbeddingsStayWithinTheBoundOfTheFullDecode() async throws {
        let photos = [
            try Self.photo(width: 1600, height: 1200, seed: 11),
            try Self.photo(width: 1536, height: 2048, seed: 12, orientation: 6),
            try Self.photo(width: 1280, height: 720, seed: 13, orientation: 3),
        ]
        let deadline = ContinuousClock.now + .seconds(120)
        let scaled = try await Self.engine(scaling: true).embedImages(photos, deadline: deadline)
        let full = try await Self.engine(scaling: false).embedImages(photos, deadline: deadline)
        for (index, (a, b)) in zip(scaled, full).enumerated() {
            let cosine = zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) }  // both L2-normalised
            #expect(cosine >= 0.999, "photo \(index): cosine \(cosine)")
            #expect(cosine < 1 - 1e-9, "photo \(index): identical, so the scaled path did not run")
        }
    }
}
