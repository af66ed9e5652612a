import Foundation
import TestSupport
import Testing
@testable import Models
@testable import Numerics

/// Models loaded in bf16 (`ModelLoadOptions(precision: .bf16)`) against the same directories
/// loaded in fp32 (`PrecisionParity`, the gate a bf16 model passes before it serves) and against
/// transformers' goldens, on the fp32 kernel under test. Every test that runs bf16 is skipped
/// (`.needsBF16`, which says why) on CPUs without AVX512-BF16.
@Suite(.kernelUnderTest) struct BF16ParityTests {
    static let models = ["clip/tiny-quickgelu-p8", "clip/tiny-gelu-p16", "engine/tiny-clip"]
    static let bf16 = ModelLoadOptions.underTestBF16

    static func directory(_ model: String) -> URL { RepositoryPaths.fixture("\(model)") }

    @Test(.needsBF16, arguments: models) func bf16FeaturesPassTheGateAgainstTheirFP32Twin(model: String) throws {
        let parity = try PrecisionParity.measure(
            candidate: CLIPModel.load(directory: Self.directory(model), options: Self.bf16),
            reference: CLIPModel.load(directory: Self.directory(model), options: .underTest))
        print("parity \(model) bf16 vs fp32: \(parity)")
        #expect(parity.passes, "\(model): \(parity)")
        // bf16 really ran: the features moved (by rounding, not more).
        #expect(parity.worstCosine < 1)
    }

    /// The goldens' own pixels and token ids, through the bf16 model, against transformers' fp32
    /// features (computed from the same F16-rounded weights).
    @Test(.needsBF16, arguments: ["tiny-quickgelu-p8", "tiny-gelu-p16"]) func bf16FeaturesMatchTransformers(shape: String) throws {
        let model = try CLIPModel.load(directory: clipFixture(shape), options: Self.bf16)
        let golden = try GoldenFile.load(shape)
        let pixels = try #require(decodeFloats(base64: golden.images.pixels_f32))
        let images = try model.encodeImages(pixels: pixels, count: golden.images.pixel_shape[0])
        let imageCosine = worstCosine(images, try #require(decodeFloats(base64: golden.images.image_embeds_f32)))
        var textCosine = 1.0
        for batch in golden.texts {
            let texts = try model.encodeTexts(tokenIDs: batch.token_ids)
            textCosine = min(textCosine, worstCosine(texts, try #require(decodeFloats(base64: batch.text_embeds_f32))))
        }
        print("parity \(shape) bf16 vs transformers: worst cosine images \(imageCosine), texts \(textCosine)")
        #expect(imageCosine >= PrecisionParity.minimumCosine && textCosine >= PrecisionParity.minimumCosine)
    }

    /// engine/tiny-clip's goldens hold texts only as token ids (its images are files, which the
    /// Imaging layer decodes; the engine's suites cover them).
    @Test(.needsBF16) func bf16TinyCLIPTextsMatchTransformers() throws {
        struct Goldens: Decodable {
            struct Text: Decodable {
                let ids: [Int]
                let embedding: [Float]
            }
            let texts: [Text]
        }
        let goldens = try JSONDecoder().decode(
            Goldens.self, from: Data(contentsOf: Self.directory("engine").appendingPathComponent("goldens.json")))
        let model = try CLIPModel.load(directory: Self.directory("engine/tiny-clip"), options: Self.bf16)
        let features = try model.encodeTexts(tokenIDs: goldens.texts.map(\.ids))
        let cosine = worstCosine(features, goldens.texts.flatMap(\.embedding))
        print("parity engine/tiny-clip bf16 vs transformers: worst cosine texts \(cosine) over \(goldens.texts.count)")
        #expect(cosine >= PrecisionParity.minimumCosine)
    }

    /// The bf16 kernel is row-independent too, so the pooled last layer's shortcut stays exact:
    /// a text or image alone gives the bits it gets in a batch.
    @Test(.needsBF16) func bf16FeaturesDoNotDependOnTheBatch() throws {
        let model = try CLIPModel.load(directory: clipFixture("tiny-gelu-p16"), options: Self.bf16)
        #expect(model.weights.visionModel.layers[0].mlp.fc1.weight.computesRowsIndependently)
        let inputs = PrecisionParity.Inputs.standard(for: model.configuration)
        let texts = try model.encodeTexts(tokenIDs: inputs.tokenIDs)
        for (index, ids) in inputs.tokenIDs.enumerated() {
            #expect(try model.encodeTexts(tokenIDs: [ids]).scalars == Array(texts.row(index)), "text \(index) alone")
        }
        let images = try model.encodeImages(pixels: inputs.pixels, count: inputs.images)
        let perImage = inputs.pixels.count / inputs.images
        for index in 0..<inputs.images {
            let alone = try model.encodeImages(pixels: Array(inputs.pixels[(index * perImage)..<((index + 1) * perImage)]), count: 1)
            #expect(alone.scalars == Array(images.row(index)), "image \(index) alone")
        }
    }

    /// The load's precision reaches every linear layer of every kind of model: CLIP (patch
    /// embedding, both towers, projections), BERT, language and domain adapters, learned prompts.
    @Test(.needsBF16) func everyLinearLayerIsPreparedInThePrecisionOfItsLoad() throws {
        let clip = try CLIPModel.load(directory: clipFixture("tiny-gelu-p16"), options: Self.bf16)
        let w = clip.weights
        var prepared = [w.visionModel.patchEmbedding, w.visualProjection.weight, w.textProjection.weight]
        for layer in w.visionModel.layers + (try #require(w.textModel)).layers {
            prepared += [layer.selfAttn.qkvProj.weight, layer.selfAttn.outProj.weight, layer.mlp.fc1.weight, layer.mlp.fc2.weight]
        }

        let bert = try BERTModel.load(directory: bertFixture("bert-tiny-a"), options: Self.bf16)
        for layer in bert.weights.layers {
            let a = layer.attention
            prepared += [a.query.weight, a.key.weight, a.value.weight, a.outputDense.weight, layer.intermediateDense.weight, layer.outputDense.weight]
        }
        prepared += bert.weights.pooler.map { [$0.weight] } ?? []

        let languageName = "zh-tiny-a-n1-pre-cls"
        let manifest = try LanguageAdapterManifest.load(directory: languageAdapterFixture(languageName))
        let language = try LanguageAdapter.load(
            directory: languageAdapterFixture(languageName),
            host: LanguageAdapterHost(
                baseEncoderID: "bert-tiny-a", baseEncoderHiddenSize: 64, clipID: manifest.clip.id,
                clipProjectionDim: manifest.clip.projectionDim),
            options: Self.bf16)
        prepared += [language.weights.downProj.weight, language.weights.upProj.weight]
        prepared += language.weights.layers.flatMap { [$0.qProj.weight, $0.kProj.weight, $0.vProj.weight, $0.outProj.weight, $0.fc1.weight, $0.fc2.weight] }

        let domain = try DomainAdapter.load(
            directory: domainAdapterFixture("both-gelu-p16"), host: DomainAdapterHost(clip: clip, clipID: "tiny-gelu-p16"),
            options: Self.bf16)
        for tower in [domain.vision, domain.text].compactMap({ $0 }) {
            prepared += tower.layers.compactMap { $0 }.flatMap { [$0.down.weight, $0.up.weight] }
        }

        let prompt = try LearnedPrompt.load(
            directory: promptFixture("tiny-gelu-p16", "structured"), host: PromptHost(clip: clip, clipID: "tiny-gelu-p16"),
            options: Self.bf16)
        guard case .structured(_, _, let attention) = prompt.weights else {
            Issue.record("the structured prompt fixture loaded as CoOp")
            return
        }
        prepared += [attention.kProj.weight, attention.vProj.weight, attention.outProj.weight]

        #expect(prepared.count > 40)
        #expect(prepared.allSatisfy { $0.layout == .packedBF16 })
        // The same loads without options stay fp32.
        #expect(try CLIPModel.load(directory: clipFixture("tiny-gelu-p16")).weights.visualProjection.weight.precision == .fp32)
    }

    /// The gate is not a formality: a model against itself scores exactly 1, and a model whose
    /// weights are each moved by up to 20% (far more than bf16's 0.4%) fails it.
    @Test func theGateFailsAModelThatIsNotItsTwin() throws {
        let directory = clipFixture("tiny-gelu-p16")
        let reference = try CLIPModel.load(directory: directory)
        #expect(try PrecisionParity.measure(candidate: reference, reference: reference).worstCosine == 1)

        let configuration = try CLIPConfiguration.load(contentsOf: directory.appendingPathComponent("config.json"))
        let checkpoint = try SafeTensorsFile(path: directory.appendingPathComponent("model.safetensors").path)
        let perturbed = CLIPModel(weights: try CLIPWeights(from: PerturbedWeights(base: checkpoint), configuration: configuration))
        let parity = try PrecisionParity.measure(candidate: perturbed, reference: reference)
        print("gate on a perturbed tiny-gelu-p16: \(parity)")
        #expect(!parity.passes)
    }

    @Test func theGateRefusesModelsOfDifferentShapes() throws {
        let a = try CLIPModel.load(directory: clipFixture("tiny-gelu-p16"))
        let b = try CLIPModel.load(directory: clipFixture("tiny-quickgelu-p8"))
        #expect(throws: ModelError.invalidInput("the candidate and reference models have different configurations")) {
            try PrecisionParity.measure(candidate: a, reference: b)
        }
    }

    /// Asking for bf16 where the CPU has no bf16 kernel is refused at load, by name.
    @Test(.enabled(if: !Precision.bf16.isAvailable, "only a CPU without AVX512-BF16 can show the refusal"))
    func bf16IsRefusedAtLoadWhereTheCPUCannotRunIt() throws {
        #expect(throws: Precision.Unavailable(precision: .bf16)) {
            try CLIPModel.load(directory: clipFixture("tiny-gelu-p16"), options: Self.bf16)
        }
    }

    /// Lowest cosine of each row of `features` to the same row of `expected` (row-major, same width).
    func worstCosine(_ features: Tensor, _ expected: [Float]) -> Double {
        #expect(features.count == expected.count, "\(features.count) features, \(expected.count) expected")
        guard features.count == expected.count else { return 0 }
        return PrecisionParity.worstCosine(features, Tensor(validatedShape: features.shape, scalars: expected))
    }
}

/// A checkpoint whose every tensor is multiplied, element by element, by a factor in [0.8, 1.2).
private struct PerturbedWeights<Base: WeightSource>: WeightSource {
    let base: Base

    func tensor(named name: String, expectedShape: [Int]) throws -> Tensor {
        var tensor = try base.tensor(named: name, expectedShape: expectedShape)
        var state = UInt64(truncatingIfNeeded: name.utf8.count) &+ 0x2545_F491_4F6C_DD1D
        for i in tensor.scalars.indices {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            tensor.scalars[i] *= 0.8 + 0.4 * Float(state >> 40) / Float(1 << 24)
        }
        return tensor
    }
}
