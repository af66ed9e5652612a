import Foundation
import TestSupport
import Testing
@testable import Engine
@testable import Models

extension EngineFixtures {
    static let domainBoth = root.appendingPathComponent("engine/domain-both-v1")
    static let domainText = root.appendingPathComponent("engine/domain-text-v1")

    /// engine/domain-goldens.json (make_domain_adapter_fixtures.py): the engine goldens' texts
    /// and images end to end in PyTorch with each adapter attached.
    struct DomainGoldens: Decodable {
        struct Adapter: Decodable {
            let texts: [Text]
            let images: [Image]
        }
        struct Text: Decodable {
            let id: String
            let embedding: [Float]
        }
        struct Image: Decodable {
            let file: String
            let embedding: [Float]
        }
        let adapters: [String: Adapter]
    }

    static func domainGoldens(_ name: String) throws -> DomainGoldens.Adapter {
        let all = try JSONDecoder().decode(
            DomainGoldens.self, from: Data(contentsOf: root.appendingPathComponent("engine/domain-goldens.json")))
        return try #require(all.adapters[name])
    }
}

/// A domain adapter through the engine: batched text and image paths against PyTorch end to
/// end, hot-swap and deactivation, the query cache and the image embedding space.
@Suite struct DomainAdapterEngineTests {
    static func expectMatches(_ actual: [[Float]], _ expected: [[Float]], what: String) {
        var worstCosine: Float = 1, worstAbs: Float = 0
        for (a, e) in zip(actual, expected) {
            let unit = normalized(e)
            worstCosine = min(worstCosine, cosine(a, unit))
            worstAbs = max(worstAbs, maxAbsDifference(a, unit))
        }
        print("engine domain parity \(what): \(actual.count) items, worst cosine \(worstCosine), worst max abs \(worstAbs)")
        #expect(actual.count == expected.count)
        #expect(worstCosine >= 0.99999, "\(what)")
        #expect(worstAbs <= 1e-4, "\(what)")
    }

    static func imageData() throws -> [Data] {
        try EngineFixtures.goldens().images.map { try Data(contentsOf: EngineFixtures.root.appendingPathComponent($0.file)) }
    }

    @Test(arguments: ["domain-both-v1", "domain-text-v1"])
    func embeddingsMatchThePyTorchPipelineEndToEnd(name: String) async throws {
        let goldens = try EngineFixtures.goldens()
        let expected = try EngineFixtures.domainGoldens(name)
        let engine = try EngineFixtures.engine()
        engine.activate(try engine.loadDomainAdapter(directory: EngineFixtures.root.appendingPathComponent("engine/\(name)")))
        let texts = try await engine.embedTexts(goldens.texts.map(\.text), language: .en, deadline: EngineFixtures.farDeadline)
        Self.expectMatches(texts.map(\.vector), expected.texts.map(\.embedding), what: "\(name) texts")
        let images = try await engine.embedImages(try Self.imageData(), deadline: EngineFixtures.farDeadline)
        Self.expectMatches(images, expected.images.map(\.embedding), what: "\(name) images")
    }

    @Test func deactivatingRestoresTheFrozenModel() async throws {
        let goldens = try EngineFixtures.goldens()
        let engine = try EngineFixtures.engine()
        let text = [goldens.texts[0].text]
        let image = [try Self.imageData()[0]]
        engine.activate(try engine.loadDomainAdapter(directory: EngineFixtures.domainBoth))
        let adaptedText = try #require(try await engine.embedTexts(text, language: .en, deadline: EngineFixtures.farDeadline).first).vector
        let adaptedImage = try #require(try await engine.embedImages(image, deadline: EngineFixtures.farDeadline).first)
        #expect(engine.deactivateDomainAdapter()?.identity.name == "domain-both")
        let frozenText = try #require(try await engine.embedTexts(text, language: .en, deadline: EngineFixtures.farDeadline).first).vector
        let frozenImage = try #require(try await engine.embedImages(image, deadline: EngineFixtures.farDeadline).first)
        Self.expectMatches([frozenText, frozenImage], [goldens.texts[0].embedding, goldens.images[0].embedding], what: "frozen")
        #expect(maxAbsDifference(adaptedText, frozenText) > 1e-2)
        #expect(maxAbsDifference(adaptedImage, frozenImage) > 1e-2)
    }

    /// Only a vision side changes the image space; a text side changes the text producer, which
    /// keys the query cache, so a swap never answers from the old adapter's cache entries.
    @Test func spaceAndProducerFollowTheAdaptersSides() async throws {
        let cache = EmbeddingCache(capacity: 16)
        let engine = try EngineFixtures.engine(queryCache: cache)
        let both = try engine.loadDomainAdapter(directory: EngineFixtures.domainBoth)
        let textOnly = try engine.loadDomainAdapter(directory: EngineFixtures.domainText)
        #expect(engine.imageSpaceAdapterID == nil)
        let frozen = try #require(try await engine.embedTexts(["a photo of a cat"], language: .en, deadline: EngineFixtures.farDeadline).first)
        #expect(frozen.producer == "tiny-clip")

        engine.activate(textOnly)
        #expect(engine.imageSpaceAdapterID == nil)
        let viaText = try #require(try await engine.embedTexts(["a photo of a cat"], language: .en, deadline: EngineFixtures.farDeadline).first)
        #expect(viaText.producer == "tiny-clip+domain:\(textOnly.manifest.identity.fingerprint)")
        #expect(viaText.vector != frozen.vector)

        engine.activate(both)
        #expect(engine.imageSpaceAdapterID == "domain:\(both.manifest.identity.fingerprint)")
        let viaBoth = try #require(try await engine.embedTexts(["a photo of a cat"], language: .en, deadline: EngineFixtures.farDeadline).first)
        #expect(viaBoth.producer == "tiny-clip+domain:\(both.manifest.identity.fingerprint)")
        #expect(viaBoth.vector != viaText.vector)
        #expect(cache.statistics.hits == 0 && cache.statistics.misses == 3)
        engine.deactivateDomainAdapter()
        let again = try #require(try await engine.embedTexts(["a photo of a cat"], language: .en, deadline: EngineFixtures.farDeadline).first)
        #expect(again == frozen && cache.statistics.hits == 1)
    }

    /// During a swap one model batch can hold items of two activations (and of none); each item
    /// still gets its own adapter's answer.
    @Test func aBatchMixingActivationsGivesEachItemItsOwnAdapter() async throws {
        let goldens = try EngineFixtures.goldens()
        let both = try EngineFixtures.domainGoldens("domain-both-v1")
        let textOnly = try EngineFixtures.domainGoldens("domain-text-v1")
        // A long wait so that the three requests below share one model batch.
        let engine = try EngineFixtures.engine(maxBatchSize: 64, maxWait: .milliseconds(200))
        engine.activate(try engine.loadDomainAdapter(directory: EngineFixtures.domainBoth))
        let bothLease = engine.domainAdapters.lease()
        engine.activate(try engine.loadDomainAdapter(directory: EngineFixtures.domainText))
        let textLease = engine.domainAdapters.lease()
        let texts = goldens.texts.prefix(4).map(\.text)
        let images = Array(try Self.imageData().prefix(3))
        async let viaBoth = engine.embedTexts(texts, language: .en, domain: bothLease, deadline: EngineFixtures.farDeadline)
        async let viaText = engine.embedTexts(texts, language: .en, domain: textLease, deadline: EngineFixtures.farDeadline)
        async let frozen = engine.embedTexts(texts, language: .en, domain: nil, deadline: EngineFixtures.farDeadline)
        async let imagesBoth = engine.embedImages(images, domain: bothLease, deadline: EngineFixtures.farDeadline)
        async let imagesFrozen = engine.embedImages(images, domain: nil, deadline: EngineFixtures.farDeadline)
        Self.expectMatches(try await viaBoth.map(\.vector), both.texts.prefix(4).map(\.embedding), what: "mixed batch, both")
        Self.expectMatches(try await viaText.map(\.vector), textOnly.texts.prefix(4).map(\.embedding), what: "mixed batch, text")
        Self.expectMatches(try await frozen.map(\.vector), goldens.texts.prefix(4).map(\.embedding), what: "mixed batch, none")
        Self.expectMatches(try await imagesBoth, both.images.prefix(3).map(\.embedding), what: "mixed image batch, both")
        Self.expectMatches(try await imagesFrozen, goldens.images.prefix(3).map(\.embedding), what: "mixed image batch, none")
    }

    @Test func aCheckpointForAnotherCLIPIsRefusedBeforeAnySwap() throws {
        let engine = try EngineFixtures.engine()
        engine.activate(try engine.loadDomainAdapter(directory: EngineFixtures.domainText))
        let foreign = EngineFixtures.root.appendingPathComponent("domain-adapter/both-gelu-p16")
        #expect(throws: AdapterCheckpointError.self) { try engine.loadDomainAdapter(directory: foreign) }
        do {
            _ = try engine.loadDomainAdapter(directory: foreign)
        } catch {
            #expect("\(error)".hasPrefix("adapter.json: clip.id:"), "\(error)")
        }
        #expect(engine.domainAdapters.active?.identity.name == "domain-text")
    }
}
