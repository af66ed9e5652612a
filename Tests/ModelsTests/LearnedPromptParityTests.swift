import Foundation
import TestSupport
import Testing
@testable import Models
@testable import Numerics

/// Learned prompts in Swift against the PyTorch reference (training/adaptclip_training/
/// prompt_learner.py) on two CLIP shapes: tiny-clip (Wt = Wv = 64, 77 positions) and
/// tiny-gelu-p16 (Wt 64, Wv 96: the instance attention changes width; 32 positions).
@Suite(.kernelUnderTest) struct LearnedPromptParityTests {
    static let clips = ["tiny-clip", "tiny-gelu-p16"]
    static let minimumCosine = 0.99999
    static let maximumAbs = 1e-4

    struct Loaded {
        let model: CLIPModel
        let golden: PromptGoldenFile
        let host: PromptHost

        init(_ clip: String) throws {
            model = try CLIPModel.load(directory: promptClipDirectory(clip), options: .underTest)
            golden = try PromptGoldenFile.load(clip)
            host = PromptHost(clip: model, clipID: clip)
        }

        func prompt(_ variant: String) throws -> LearnedPrompt {
            try LearnedPrompt.load(directory: promptFixture(golden.clip, variant), host: host, options: .underTest)
        }

        var pixels: [Float] { decodeFloats(base64: golden.pixels_f32) ?? [] }
    }

    @Test(arguments: clips) func coopClassFeaturesMatchPyTorch(clip: String) throws {
        let c = try Loaded(clip)
        let features = try c.prompt("coop").textFeatures(
            model: c.model, classes: c.golden.labels.map(\.tokens), start: c.golden.bos_id, end: c.golden.eos_id)
        let expected = try #require(decodeFloats(base64: c.golden.coop.text_features_f32))
        #expect(features.shape == c.golden.coop.text_features_shape)
        let worst = compareRows(features, expected, width: c.model.projectionDim)
        print("parity \(clip) coop class features: worst cosine \(worst.cosine), worst max abs \(worst.maxAbs)")
        #expect(worst.cosine >= Self.minimumCosine && worst.maxAbs <= Self.maximumAbs, "\(clip): \(worst.report)")
    }

    @Test(arguments: clips) func visionLastHiddenStatesMatchTransformers(clip: String) throws {
        let c = try Loaded(clip)
        let (features, hidden) = try c.model.encodeImagesKeepingHiddenStates(pixels: c.pixels, count: c.golden.imageCount)
        let expectedHidden = try #require(decodeFloats(base64: c.golden.structured.vision_hidden_f32))
        let width = c.model.configuration.vision.hiddenSize
        #expect(hidden.shape == [c.golden.imageCount * c.model.configuration.vision.numPositions, width])
        let worstHidden = compareRows(hidden, expectedHidden, width: width)
        print("parity \(clip) vision last hidden state: worst cosine \(worstHidden.cosine), worst max abs \(worstHidden.maxAbs)")
        #expect(worstHidden.cosine >= Self.minimumCosine && worstHidden.maxAbs <= Self.maximumAbs, "\(worstHidden.report)")
        let expectedFeatures = try #require(decodeFloats(base64: c.golden.image_features_f32))
        let worstFeatures = compareRows(features, expectedFeatures, width: c.model.projectionDim)
        #expect(worstFeatures.maxAbs <= Self.maximumAbs, "\(worstFeatures.report)")
        // The plain entry (whose last layer runs for the class tokens alone where the kernel
        // allows) gives the same features bit for bit, on every kernel and CPU.
        #expect(try c.model.encodeImages(pixels: c.pixels, count: c.golden.imageCount) == features)
    }

    @Test(arguments: clips) func instanceContextMatchesPyTorch(clip: String) throws {
        let c = try Loaded(clip)
        let hidden = try Tensor(
            shape: [c.golden.structured.vision_hidden_shape[0] * c.golden.structured.vision_hidden_shape[1],
                    c.golden.structured.vision_hidden_shape[2]],
            scalars: try #require(decodeFloats(base64: c.golden.structured.vision_hidden_f32)))
        let instance = try c.prompt("structured").instanceContext(visionHiddenStates: hidden, images: c.golden.imageCount)
        let expected = try #require(decodeFloats(base64: c.golden.structured.instance_f32))
        let worst = compareRows(instance, expected, width: c.model.configuration.text.hiddenSize)
        print("parity \(clip) instance context: worst cosine \(worst.cosine), worst max abs \(worst.maxAbs)")
        #expect(worst.cosine >= Self.minimumCosine && worst.maxAbs <= Self.maximumAbs, "\(clip): \(worst.report)")
    }

    @Test(arguments: clips) func structuredClassFeaturesAndLogitsMatchPyTorch(clip: String) throws {
        let c = try Loaded(clip)
        let prompt = try c.prompt("structured")
        let (images, hidden) = try c.model.encodeImagesKeepingHiddenStates(pixels: c.pixels, count: c.golden.imageCount, normalized: true)
        let classes = c.golden.labels.map(\.tokens)
        let features = try prompt.textFeatures(
            model: c.model, classes: classes, start: c.golden.bos_id, end: c.golden.eos_id, visionHiddenStates: hidden,
            images: c.golden.imageCount)
        let expected = try #require(decodeFloats(base64: c.golden.structured.text_features_f32))
        let worst = compareRows(features, expected, width: c.model.projectionDim)
        print("parity \(clip) structured class features: worst cosine \(worst.cosine), worst max abs \(worst.maxAbs)")
        #expect(worst.cosine >= Self.minimumCosine && worst.maxAbs <= Self.maximumAbs, "\(clip): \(worst.report)")

        // logits[b, c] = logit_scale · cos(image b, class c of image b)
        var normalized = features
        normalized.scalars.withUnsafeMutableBufferPointer { L2Normalize.apply($0.baseAddress!, rows: features.shape[0], width: c.model.projectionDim) }
        let p = c.model.projectionDim
        var logits: [Float] = []
        for b in 0..<c.golden.imageCount {
            for k in 0..<classes.count {
                var dot: Float = 0
                for i in 0..<p { dot += images.scalars[b * p + i] * normalized.scalars[(b * classes.count + k) * p + i] }
                logits.append(Foundation.exp(c.model.logitScale) * dot)  // logit_scale is stored as its log
            }
        }
        let expectedLogits = try #require(decodeFloats(base64: c.golden.structured.logits_f32))
        let worstLogit = zip(logits, expectedLogits).map { abs(Double($0 - $1)) }.max() ?? .infinity
        print("parity \(clip) structured logits: worst abs \(worstLogit)")
        #expect(worstLogit <= 1e-3, "\(clip): logits \(logits) vs \(expectedLogits)")
    }

    @Test func tokenOnlySegmentsEqualTheTokenIDEntry() throws {
        let c = try Loaded("tiny-clip")
        let texts = c.golden.labels.map { [c.golden.bos_id] + $0.coop_ids + [c.golden.eos_id] }
        let byIDs = try c.model.encodeTexts(tokenIDs: texts)
        let bySegments = try c.model.encodeTexts(segments: texts.map { [.tokens($0)] })
        #expect(byIDs == bySegments)
    }

    @Test func aPromptLongerThanThePositionTableIsAnErrorNotACut() throws {
        let c = try Loaded("tiny-gelu-p16")  // 32 positions: 1 + 4 ctx + 30 + 1 = 36
        let long = PromptClassTokens(name: Array(repeating: 10, count: 30), nameWithSuffix: Array(repeating: 10, count: 30), suffix: [])
        #expect {
            try c.prompt("coop").textFeatures(model: c.model, classes: [long], start: c.golden.bos_id, end: c.golden.eos_id)
        } throws: { error in
            "\(error)".contains("36 positions; must be 1...32 (max_position_embeddings)")
        }
    }

    @Test func eachVariantRefusesTheOtherVariantsEntry() throws {
        let c = try Loaded("tiny-clip")
        let classes = c.golden.labels.map(\.tokens)
        #expect(throws: ModelError.self) {
            try c.prompt("structured").textFeatures(model: c.model, classes: classes, start: c.golden.bos_id, end: c.golden.eos_id)
        }
        let hidden = try Tensor(zeros: [10, 64])
        #expect(throws: ModelError.self) {
            try c.prompt("coop").textFeatures(
                model: c.model, classes: classes, start: c.golden.bos_id, end: c.golden.eos_id, visionHiddenStates: hidden, images: 1)
        }
    }
}
