import Foundation
import TestSupport
import Testing
@testable import Models
@testable import Numerics

/// One model shared by many threads: each call owns its activations, so results are identical.
@Suite struct CLIPConcurrencyTests {
    @Test func concurrentEncodesMatchSequentialOnes() async throws {
        let model = try CLIPModel.load(directory: clipFixture("tiny-quickgelu-p8"))
        let golden = try GoldenFile.load("tiny-quickgelu-p8")
        let ids = golden.texts[0].token_ids
        let pixels = try #require(decodeFloats(base64: golden.images.pixels_f32))
        let count = golden.images.pixel_shape[0]
        let expectedTexts = try model.encodeTexts(tokenIDs: ids)
        let expectedImages = try model.encodeImages(pixels: pixels, count: count)

        let agreeing = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<8 {
                group.addTask {
                    i % 2 == 0
                        ? (try? model.encodeTexts(tokenIDs: ids)) == expectedTexts
                        : (try? model.encodeImages(pixels: pixels, count: count)) == expectedImages
                }
            }
            return await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(agreeing == 8)
    }
}
