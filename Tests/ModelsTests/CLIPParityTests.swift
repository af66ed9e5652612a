import Foundation
import TestSupport
import Testing
@testable import Models
@testable import Numerics

/// Embeddings of the random fixture models against transformers' `get_image_features` /
/// `get_text_features` (goldens computed from the same F16-rounded weights).
@Suite(.kernelUnderTest) struct CLIPParityTests {
    static let shapes = ["tiny-quickgelu-p8", "tiny-gelu-p16"]
    static let minimumCosine = 0.99999
    static let maximumAbs = 1e-4

    func expectRowsMatch(_ actual: Tensor, _ expected: [Float], rows: Int, what: String) {
        let width = actual.shape[1]
        #expect(actual.shape == [rows, expected.count / max(rows, 1)], "\(what): shape \(actual.shape)")
        guard actual.count == expected.count else { return }
        var worstCosine = 1.0, worstAbs = 0.0
        for r in 0..<rows {
            let comparison = RowComparison(actual.row(r), expected[(r * width)..<((r + 1) * width)])
            worstCosine = min(worstCosine, comparison.cosine)
            worstAbs = max(worstAbs, comparison.maxAbs)
            #expect(
                comparison.cosine >= Self.minimumCosine && comparison.maxAbs <= Self.maximumAbs,
                "\(what) row \(r): \(comparison.report)")
        }
        print("parity \(what): worst cosine \(worstCosine), worst max abs \(worstAbs)")
    }

    @Test(arguments: shapes) func imageEmbeddingsMatchTransformers(shape: String) throws {
        let model = try CLIPModel.load(directory: clipFixture(shape), options: .underTest)
        let golden = try GoldenFile.load(shape)
        let pixels = try #require(decodeFloats(base64: golden.images.pixels_f32))
        let expected = try #require(decodeFloats(base64: golden.images.image_embeds_f32))
        let count = golden.images.pixel_shape[0]
        let embeddings = try model.encodeImages(pixels: pixels, count: count)
        expectRowsMatch(embeddings, expected, rows: count, what: "\(shape) images")
    }

    @Test(arguments: shapes) func textEmbeddingsMatchTransformers(shape: String) throws {
        let model = try CLIPModel.load(directory: clipFixture(shape), options: .underTest)
        let golden = try GoldenFile.load(shape)
        for batch in golden.texts {
            let expected = try #require(decodeFloats(base64: batch.text_embeds_f32))
            let embeddings = try model.encodeTexts(tokenIDs: batch.token_ids)
            expectRowsMatch(
                embeddings, expected, rows: batch.token_ids.count,
                what: "\(shape) texts '\(batch.name)' lengths \(batch.token_ids.map(\.count))")
        }
    }

    /// With packed weights a row's product does not depend on the batch around it, and
    /// attention runs per sequence with the same shapes batched or alone: embeddings are equal
    /// bit for bit. With plain weights (cblas_sgemm) batched and one-by-one results may differ by
    /// rounding: the BLAS blocks a GEMM differently for different row counts, which moves
    /// embeddings of magnitude ~1.5 by a few ulp (1 ulp = 1.2e-7 there); 1.07e-6 has been seen.
    /// 4e-6 (~32 ulp) leaves room for that and is still 25× below the parity tolerance, while a
    /// batching bug (a token attending across texts or images, a wrong pooling row) moves values
    /// by 1e-3 or more.
    static func batchedVersusAloneMaximumAbs(_ model: CLIPModel) -> Float {
        model.weights.visionModel.layers[0].mlp.fc1.weight.computesRowsIndependently ? 0 : 4e-6
    }

    @Test(arguments: shapes) func batchedEqualsOneByOne(shape: String) throws {
        let model = try CLIPModel.load(directory: clipFixture(shape), options: .underTest)
        let golden = try GoldenFile.load(shape)
        let tolerance = Self.batchedVersusAloneMaximumAbs(model)
        let ids = golden.texts.flatMap(\.token_ids)
        let batched = try model.encodeTexts(tokenIDs: ids)
        for (index, text) in ids.enumerated() {
            let single = try model.encodeTexts(tokenIDs: [text])
            let maxAbs = zip(single.scalars, batched.row(index)).map { abs($0 - $1) }.max() ?? .infinity
            #expect(maxAbs <= tolerance, "text \(index) (length \(text.count)): batched vs alone max abs \(maxAbs)")
        }

        let pixels = try #require(decodeFloats(base64: golden.images.pixels_f32))
        let count = golden.images.pixel_shape[0]
        let images = try model.encodeImages(pixels: pixels, count: count)
        let perImage = pixels.count / count
        for index in 0..<count {
            let single = try model.encodeImages(pixels: Array(pixels[(index * perImage)..<((index + 1) * perImage)]), count: 1)
            let maxAbs = zip(single.scalars, images.row(index)).map { abs($0 - $1) }.max() ?? .infinity
            #expect(maxAbs <= tolerance, "image \(index): batched vs alone max abs \(maxAbs)")
        }
    }

    @Test(arguments: shapes) func normalisedEmbeddingsHaveUnitLengthAndSameDirection(shape: String) throws {
        let model = try CLIPModel.load(directory: clipFixture(shape), options: .underTest)
        let golden = try GoldenFile.load(shape)
        let ids = golden.texts[0].token_ids
        let raw = try model.encodeTexts(tokenIDs: ids)
        let unit = try model.encodeTexts(tokenIDs: ids, normalized: true)
        for r in 0..<ids.count {
            let norm = unit.row(r).map { Double($0) * Double($0) }.reduce(0, +).squareRoot()
            #expect(abs(norm - 1) <= 1e-6, "row \(r) norm \(norm)")
            #expect(RowComparison(unit.row(r), raw.row(r)).cosine >= 0.999999)
        }
    }

    @Test func checkpointLogitScaleIsLoaded() throws {
        for shape in Self.shapes {
            let model = try CLIPModel.load(directory: clipFixture(shape), options: .underTest)
            let golden = try GoldenFile.load(shape)
            // The checkpoint value (stored F16), not config.json's logit_scale_init_value.
            #expect(abs(Double(model.logitScale) - golden.logit_scale) <= 1e-6)
            #expect(model.logitScale != model.configuration.logitScaleInitValue)
        }
    }

    @Test func poolingFollowsTransformersRule() throws {
        let legacy = try CLIPModel.load(directory: clipFixture("tiny-quickgelu-p8"), options: .underTest)
        #expect(legacy.configuration.text.clip?.poolsAtLargestTokenID == true)
        #expect(legacy.poolingPosition([998, 5, 999, 999, 3]) == 2)
        #expect(legacy.poolingPosition([7]) == 0)
        let current = try CLIPModel.load(directory: clipFixture("tiny-gelu-p16"), options: .underTest)
        #expect(current.configuration.text.clip?.poolsAtLargestTokenID == false)
        #expect(current.poolingPosition([4, 600, 5, 9, 5]) == 2)
        #expect(current.poolingPosition([4, 600, 9]) == 0)
    }

    @Test func invalidInputsAreRejectedWithReasons() throws {
        let model = try CLIPModel.load(directory: clipFixture("tiny-gelu-p16"), options: .underTest)
        #expect(throws: ModelError.invalidInput("text 1 has 0 tokens; must be 1...32")) {
            try model.encodeTexts(tokenIDs: [[4, 5], []])
        }
        #expect(throws: ModelError.invalidInput("text 0 has token id 700, outside the vocabulary 0..<700")) {
            try model.encodeTexts(tokenIDs: [[4, 700, 5]])
        }
        #expect(throws: ModelError.self) { try model.encodeTexts(tokenIDs: [[Int](repeating: 6, count: 33)]) }
        #expect(throws: ModelError.invalidInput("expected 2 images of 3×48×48 = 13824 floats, got 100")) {
            try model.encodeImages(pixels: [Float](repeating: 0, count: 100), count: 2)
        }
        #expect(throws: ModelError.invalidInput("expected \(Int.max) images of 3×48×48 = too many floats, got 0")) {
            try model.encodeImages(pixels: [], count: .max)
        }
        #expect(try model.encodeTexts(tokenIDs: []).shape == [0, 40])
        #expect(try model.encodeImages(pixels: [], count: 0).shape == [0, 40])
    }
}
