import Foundation
import TestSupport
import Testing
@testable import Models
@testable import Numerics

/// `goldens.json` of a Tests/Fixtures/domain-adapter/<name>/ checkpoint, written by
/// training/fixtures/make_domain_adapter_fixtures.py: the CLIP goldens' inputs through
/// transformers with the adapter's hooks attached, and without (`plain_*`).
struct DomainGoldenFile: Decodable {
    struct Images: Decodable {
        let embed_shape: [Int]
        let image_embeds_f32: String
        let plain_image_embeds_f32: String
    }

    struct TextBatch: Decodable {
        let name: String
        let embed_shape: [Int]
        let text_embeds_f32: String
        let plain_text_embeds_f32: String
    }

    /// "clip/<shape>"
    let clip: String
    let images: Images
    let texts: [TextBatch]

    static func load(_ name: String) throws -> DomainGoldenFile {
        try JSONDecoder().decode(
            DomainGoldenFile.self, from: Data(contentsOf: domainAdapterFixture(name).appendingPathComponent("goldens.json")))
    }
}

func domainAdapterFixture(_ name: String) -> URL {
    RepositoryPaths.fixture("domain-adapter/\(name)")
}

/// A domain adapter inside CLIP's encoders against the PyTorch reference (forward hooks on
/// `encoder.layers[l].mlp`, training/adaptclip_training/domain_adapter.py), for every fixture.
@Suite(.kernelUnderTest) struct DomainAdapterParityTests {
    static let fixtures = ["vision-gelu-p16", "text-quickgelu-p8", "both-gelu-p16"]
    static let minimumCosine = 0.99999
    static let maximumAbs = 1e-4

    struct Loaded {
        let model: CLIPModel
        let adapter: DomainAdapter
        let inputs: GoldenFile
        let golden: DomainGoldenFile
    }

    static func load(_ name: String) throws -> Loaded {
        let golden = try DomainGoldenFile.load(name)
        let shape = String(golden.clip.dropFirst("clip/".count))
        let model = try CLIPModel.load(directory: clipFixture(shape), options: .underTest)
        let adapter = try DomainAdapter.load(
            directory: domainAdapterFixture(name), host: DomainAdapterHost(clip: model, clipID: shape), options: .underTest)
        return Loaded(model: model, adapter: adapter, inputs: try GoldenFile.load(shape), golden: golden)
    }

    /// Worst cosine and max abs over the rows of `actual` against `expected` ([rows, width] flat).
    static func compare(_ actual: Tensor, _ expected: [Float]) -> (cosine: Double, maxAbs: Double, report: String) {
        let rows = actual.shape[0], width = actual.shape[1]
        guard actual.count == expected.count else { return (0, .infinity, "shape \(actual.shape) vs \(expected.count) floats") }
        var worst = (cosine: 1.0, maxAbs: 0.0, report: "")
        for r in 0..<rows {
            let c = RowComparison(actual.row(r), expected[(r * width)..<((r + 1) * width)])
            if c.cosine < worst.cosine || c.maxAbs > worst.maxAbs { worst.report = "row \(r): \(c.report)" }
            worst.cosine = min(worst.cosine, c.cosine)
            worst.maxAbs = max(worst.maxAbs, c.maxAbs)
        }
        return worst
    }

    func expectParity(_ actual: Tensor, _ expected: [Float], what: String) {
        let c = Self.compare(actual, expected)
        #expect(c.cosine >= Self.minimumCosine && c.maxAbs <= Self.maximumAbs, "\(what): \(c.report)")
        print("parity \(what): worst cosine \(c.cosine), worst max abs \(c.maxAbs)")
    }

    @Test(arguments: fixtures) func imageEmbeddingsMatchPyTorch(name: String) throws {
        let l = try Self.load(name)
        let pixels = try #require(decodeFloats(base64: l.inputs.images.pixels_f32))
        let count = l.inputs.images.pixel_shape[0]
        let expected = try #require(decodeFloats(base64: l.golden.images.image_embeds_f32))
        let plain = try #require(decodeFloats(base64: l.golden.images.plain_image_embeds_f32))
        let adapted = try l.model.encodeImages(pixels: pixels, count: count, adapter: l.adapter)
        expectParity(adapted, expected, what: "\(name) images")
        let frozen = try l.model.encodeImages(pixels: pixels, count: count)
        expectParity(frozen, plain, what: "\(name) images, no adapter")
        if l.adapter.vision != nil {
            #expect(Self.compare(adapted, plain).maxAbs > 1e-2, "\(name): the vision side must change image embeddings")
        } else {
            #expect(adapted == frozen, "\(name): a text-only adapter must leave images exactly alone")
        }
    }

    @Test(arguments: fixtures) func textEmbeddingsMatchPyTorch(name: String) throws {
        let l = try Self.load(name)
        for (batch, golden) in zip(l.inputs.texts, l.golden.texts) {
            let expected = try #require(decodeFloats(base64: golden.text_embeds_f32))
            let plain = try #require(decodeFloats(base64: golden.plain_text_embeds_f32))
            let adapted = try l.model.encodeTexts(tokenIDs: batch.token_ids, adapter: l.adapter)
            expectParity(adapted, expected, what: "\(name) texts '\(batch.name)' lengths \(batch.token_ids.map(\.count))")
            if l.adapter.text != nil {
                #expect(Self.compare(adapted, plain).maxAbs > 1e-2, "\(name): the text side must change text embeddings")
            } else {
                let frozen = try l.model.encodeTexts(tokenIDs: batch.token_ids)
                #expect(adapted == frozen, "\(name): a vision-only adapter must leave texts exactly alone")
            }
        }
    }

    /// Packing several texts (or images) into one batch gives each the values it gets alone.
    @Test func batchedEqualsOneByOne() throws {
        let l = try Self.load("both-gelu-p16")
        let ids = l.inputs.texts.flatMap(\.token_ids)
        let batched = try l.model.encodeTexts(tokenIDs: ids, adapter: l.adapter)
        for (index, text) in ids.enumerated() {
            let single = try l.model.encodeTexts(tokenIDs: [text], adapter: l.adapter)
            let maxAbs = zip(single.scalars, batched.row(index)).map { abs($0 - $1) }.max() ?? .infinity
            #expect(maxAbs <= 1e-6, "text \(index): batched vs alone max abs \(maxAbs)")
        }
        let pixels = try #require(decodeFloats(base64: l.inputs.images.pixels_f32))
        let count = l.inputs.images.pixel_shape[0]
        let images = try l.model.encodeImages(pixels: pixels, count: count, adapter: l.adapter)
        let perImage = pixels.count / count
        for index in 0..<count {
            let one = Array(pixels[(index * perImage)..<((index + 1) * perImage)])
            let single = try l.model.encodeImages(pixels: one, count: 1, adapter: l.adapter)
            let maxAbs = zip(single.scalars, images.row(index)).map { abs($0 - $1) }.max() ?? .infinity
            #expect(maxAbs <= 1e-6, "image \(index): batched vs alone max abs \(maxAbs)")
        }
    }

    @Test func manifestDescribesSidesLayersAndIdentity() throws {
        let l = try Self.load("both-gelu-p16")
        let a = l.adapter.manifest.architecture
        #expect(a.vision?.layers == [1] && a.vision?.bottleneck == 4 && a.vision?.scale == 2.0)
        #expect(a.text?.layers == [0, 1] && a.text?.width == 64 && a.text?.bottleneck == 16 && a.text?.scale == 0.25)
        #expect(l.adapter.sides == "vision+text")
        #expect(l.adapter.manifest.identity.fingerprint == "both-gelu-p16@1.0.0:\(l.adapter.manifest.weights.sha256.prefix(12))")
        #expect(l.adapter.vision?.bottleneck(atLayer: 0) == nil && l.adapter.vision?.bottleneck(atLayer: 1) != nil)
    }

    /// An adapter validated against one CLIP, handed to another: refused, never read out of bounds.
    @Test func anAdapterForAnotherCLIPIsRefusedByTheForwardPass() throws {
        let l = try Self.load("text-quickgelu-p8")
        let other = try CLIPModel.load(directory: clipFixture("tiny-gelu-p16"), options: .underTest)
        #expect(throws: ModelError.self) { try other.encodeTexts(tokenIDs: [[4, 5]], adapter: l.adapter) }
    }
}
