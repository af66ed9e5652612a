import Foundation
import TestSupport
import Testing
@testable import Models
@testable import Numerics

/// The published formats against transformers' goldens (random weights scaled up so errors
/// show): Taiyi-type and M-CLIP-type text encoders, and Chinese-CLIP's text and image towers,
/// in fp32 on the kernel under test and in bf16 (skipped, saying why, without AVX512-BF16).
@Suite(.kernelUnderTest) struct PublishedParityTests {
    static let textEncoders = ["taiyi-type", "mclip-type"]
    /// Texts: cosine to transformers' float32 features; images (a longer product chain through
    /// the patch embedding and the vision tower) a decade looser.
    static let textCosine = 0.99999
    static let imageCosine = 0.9999
    /// Features are O(1) with these weights; float32 reordering leaves errors far below this.
    static let maximumAbs = 1e-3

    @Test(arguments: textEncoders) func textEncoderMatchesTransformers(shape: String) throws {
        let encoder = try PublishedTextEncoder.load(directory: publishedFixture(shape), options: .underTest)
        let goldens = try PublishedGoldenFile.load(shape)
        try #require(goldens.texts.count >= 24 && goldens.dimension == encoder.outputDimension)
        #expect(goldens.texts.contains { $0.token_ids.count == encoder.maxPositions }, "a text truncated at the maximum length")
        let features = try encoder.encode(tokenIDs: goldens.texts.map(\.token_ids))
        #expect(features.shape == [goldens.texts.count, goldens.dimension])
        expectRowsMatch(
            features.scalars, try goldens.textFeatures(), width: goldens.dimension, what: "\(shape) texts fp32",
            minimumCosine: Self.textCosine, maximumAbs: Self.maximumAbs)
    }

    /// One text alone gives what it gives in a batch: each sequence is computed unpadded. Up to
    /// rounding: OpenBLAS (ADAPTCLIP_ENGINE_GEMM=openblas) blocks a one-row product differently
    /// from a 25-row one, so the last bits may differ; the packed kernels give equal bits.
    @Test(arguments: textEncoders) func textFeaturesDoNotDependOnTheBatch(shape: String) throws {
        let encoder = try PublishedTextEncoder.load(directory: publishedFixture(shape), options: .underTest)
        let ids = try PublishedGoldenFile.load(shape).texts.map(\.token_ids)
        let batch = try encoder.encode(tokenIDs: ids).scalars
        let width = encoder.outputDimension
        for index in [0, ids.count / 2, ids.count - 1] {
            let alone = try encoder.encode(tokenIDs: [ids[index]]).scalars
            let inBatch = Array(batch[(index * width)..<((index + 1) * width)])
            #expect(maxAbsDifference(alone, inBatch) <= 1e-5, "text \(index)")
        }
    }

    /// `shouldStop` is asked before every layer, as in the other encoders, and abandons the pass.
    @Test func aStopBetweenLayersAbandonsThePass() throws {
        let encoder = try PublishedTextEncoder.load(directory: publishedFixture("taiyi-type"), options: .underTest)
        var asked = 0
        #expect(throws: ModelError.stopped) {
            try encoder.encode(tokenIDs: [[101, 2769, 102]], shouldStop: { asked += 1; return asked == 2 })
        }
        #expect(asked == 2)
        let chinese = try CLIPModel.load(directory: publishedFixture("chinese-clip-type"), options: .underTest)
        #expect(throws: ModelError.stopped) { try chinese.encodeTexts(tokenIDs: [[101, 2769, 102]], shouldStop: { true }) }
    }

    @Test func chineseCLIPTextsMatchTransformers() throws {
        let model = try CLIPModel.load(directory: publishedFixture("chinese-clip-type"), options: .underTest)
        #expect(model.textTower == .bert)
        let goldens = try PublishedGoldenFile.load("chinese-clip-type")
        try #require(goldens.texts.count >= 24 && goldens.dimension == model.projectionDim)
        let features = try model.encodeTexts(tokenIDs: goldens.texts.map(\.token_ids))
        expectRowsMatch(
            features.scalars, try goldens.textFeatures(), width: goldens.dimension, what: "chinese-clip-type texts fp32",
            minimumCosine: Self.textCosine, maximumAbs: Self.maximumAbs)
    }

    @Test func chineseCLIPImagesMatchTransformers() throws {
        let model = try CLIPModel.load(directory: publishedFixture("chinese-clip-type"), options: .underTest)
        let goldens = try PublishedGoldenFile.load("chinese-clip-type")
        try #require(goldens.images.count >= 4)
        let features = try model.encodeImages(pixels: try goldens.pixels(), count: goldens.images.count)
        expectRowsMatch(
            features.scalars, try goldens.imageFeatures(), width: goldens.dimension, what: "chinese-clip-type images fp32",
            minimumCosine: Self.imageCosine, maximumAbs: Self.maximumAbs)
    }

    @Test(.needsBF16, arguments: textEncoders) func bf16TextEncoderMatchesTransformers(shape: String) throws {
        let encoder = try PublishedTextEncoder.load(directory: publishedFixture(shape), options: .underTestBF16)
        #expect(encoder.head.weight.layout == .packedBF16)
        let goldens = try PublishedGoldenFile.load(shape)
        let features = try encoder.encode(tokenIDs: goldens.texts.map(\.token_ids))
        let cosine = PrecisionParity.worstCosine(features, try Tensor(shape: features.shape, scalars: try goldens.textFeatures()))
        print("parity \(shape) bf16 vs transformers: worst cosine texts \(cosine) over \(goldens.texts.count)")
        #expect(cosine >= PrecisionParity.minimumCosine)
    }

    @Test(.needsBF16) func bf16ChineseCLIPMatchesTransformers() throws {
        let model = try CLIPModel.load(directory: publishedFixture("chinese-clip-type"), options: .underTestBF16)
        #expect(model.weights.textProjection.weight.layout == .packedBF16)
        #expect(model.weights.text.bert?.layers.first?.intermediateDense.weight.layout == .packedBF16)
        let goldens = try PublishedGoldenFile.load("chinese-clip-type")
        let texts = try model.encodeTexts(tokenIDs: goldens.texts.map(\.token_ids))
        let images = try model.encodeImages(pixels: try goldens.pixels(), count: goldens.images.count)
        let textCosine = PrecisionParity.worstCosine(texts, try Tensor(shape: texts.shape, scalars: try goldens.textFeatures()))
        let imageCosine = PrecisionParity.worstCosine(images, try Tensor(shape: images.shape, scalars: try goldens.imageFeatures()))
        print("parity chinese-clip-type bf16 vs transformers: worst cosine texts \(textCosine), images \(imageCosine)")
        #expect(textCosine >= PrecisionParity.minimumCosine && imageCosine >= PrecisionParity.minimumCosine)
        // The gate a bf16 model passes before it serves works on a BERT text tower too.
        let parity = try PrecisionParity.measure(
            candidate: model, reference: CLIPModel.load(directory: publishedFixture("chinese-clip-type"), options: .underTest))
        print("parity chinese-clip-type bf16 vs fp32: \(parity)")
        #expect(parity.passes && parity.worstCosine < 1)
    }
}
