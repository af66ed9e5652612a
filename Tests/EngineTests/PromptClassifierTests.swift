import Foundation
import TestSupport
import Testing
@testable import Engine
@testable import Models

/// Classification with learned prompts through the engine: the prompt fixtures of
/// training/fixtures/make_prompt_fixtures.py on tiny-clip, from image files to logits.
@Suite struct PromptClassifierTests {
    struct Goldens: Decodable {
        struct Label: Decodable {
            let name: String
            let ids: [Int]
            let suffix_ids: [Int]
            let coop_ids: [Int]
        }
        struct Variant: Decodable { let logits_f32: String }
        let logit_scale: Float
        let labels: [Label]
        let images: [String]
        let coop: Variant
        let structured: Variant
    }

    static let prompts = EngineFixtures.root.appendingPathComponent("prompts/tiny-clip")

    static func goldens() throws -> Goldens {
        try JSONDecoder().decode(Goldens.self, from: Data(contentsOf: prompts.appendingPathComponent("goldens.json")))
    }

    static func floats(_ base64: String) -> [Float] {
        guard let data = Data(base64Encoded: base64) else { return [] }
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
    }

    static func logits(_ c: PromptClassifier.Classification, scale: Float) -> [Float] {
        c.classes.map { scale * zip($0, c.image).reduce(0) { $0 + $1.0 * $1.1 } }
    }

    @Test(arguments: ["coop", "structured"]) func logitsFromImageFilesMatchPyTorch(variant: String) async throws {
        let engine = try EngineFixtures.engine()
        let golden = try Self.goldens()
        let prompt = try engine.loadPrompt(directory: Self.prompts.appendingPathComponent(variant))
        engine.activate(prompt)
        let entry = try #require(engine.prompts.registry.entry(named: "tiny-clip-\(variant)"))
        let labels = golden.labels.map(\.name)
        let expected = Self.floats(variant == "coop" ? golden.coop.logits_f32 : golden.structured.logits_f32)
        var worst: Float = 0
        for (index, file) in golden.images.enumerated() {
            let data = try Data(contentsOf: EngineFixtures.root.appendingPathComponent(file))
            let result = try await engine.classify(image: data, labels: labels, prompt: entry, deadline: EngineFixtures.farDeadline)
            let logits = Self.logits(result, scale: engine.logitScale)
            let row = Array(expected[(index * labels.count)..<((index + 1) * labels.count)])
            worst = max(worst, maxAbsDifference(logits, row))
        }
        print("engine \(variant) prompt logits from image files: worst abs \(worst) (logit scale \(engine.logitScale))")
        #expect(worst <= 1e-4)
    }

    @Test func labelTokensAreTheTokenizersWithoutBoundaries() throws {
        let engine = try EngineFixtures.engine()
        let golden = try Self.goldens()
        let prompt = try engine.loadPrompt(directory: Self.prompts.appendingPathComponent("coop"))
        let tokens = try engine.prompts.classTokens(golden.labels.map(\.name), prompt: prompt)
        #expect(tokens == golden.labels.map { PromptClassTokens(name: $0.ids, nameWithSuffix: $0.coop_ids, suffix: $0.suffix_ids) })
    }

    @Test func coopClassFeaturesAreCachedPerPromptAndLabel() async throws {
        let engine = try EmbeddingEngine(
            clip: CLIPBundle.load(directory: EngineFixtures.tinyCLIP, name: "tiny-clip"),
            batching: BatchLimits(maxBatchSize: 8, maxWait: .milliseconds(1), queueDepth: 64),
            imageLimits: .init(maxPixels: 10_000_000), queryCache: EmbeddingCache(capacity: 100))
        let cache = try #require(engine.queryCache)
        engine.activate(try engine.loadPrompt(directory: Self.prompts.appendingPathComponent("coop")))
        let entry = try #require(engine.prompts.registry.entry(named: "tiny-clip-coop"))
        let image = try Data(contentsOf: EngineFixtures.root.appendingPathComponent(try Self.goldens().images[0]))
        let first = try await engine.classify(image: image, labels: ["cat", "dog"], prompt: entry, deadline: EngineFixtures.farDeadline)
        let before = cache.statistics
        let second = try await engine.classify(image: image, labels: ["dog", "cat"], prompt: entry, deadline: EngineFixtures.farDeadline)
        #expect(cache.statistics.hits == before.hits + 2)
        try #require(first.classes.count == 2)
        #expect(second.classes == [first.classes[1], first.classes[0]])
    }

    @Test func activatingUnderATakenNameReplacesItAndLeasesKeepTheirs() throws {
        let engine = try EngineFixtures.engine()
        let coop = try engine.loadPrompt(directory: Self.prompts.appendingPathComponent("coop"))
        let structured = try engine.loadPrompt(directory: Self.prompts.appendingPathComponent("structured"))
        engine.activate(coop)
        let leased = try #require(engine.prompts.registry.entry(named: "tiny-clip-coop"))
        // The same name, other weights (what a new version of a prompt is).
        let renamed = LearnedPrompt(manifest: coop.manifest, weights: structured.weights)
        let replaced = engine.activate(renamed)
        #expect(replaced.map { !$0.prompt.isImageConditioned } == true)
        #expect(engine.prompts.registry.entry(named: "tiny-clip-coop")?.prompt.isImageConditioned == true)
        #expect(!leased.prompt.isImageConditioned)
        #expect(engine.prompts.registry.all.count == 1)
    }

    @Test func aLabelTooLongForThePromptIsRefusedByIndex() async throws {
        let engine = try EngineFixtures.engine()
        let prompt = try engine.loadPrompt(directory: Self.prompts.appendingPathComponent("coop"))
        #expect(throws: EngineError.label(index: 1, reason: "is longer than the text encoder's 77 tokens")) {
            _ = try engine.prompts.classTokens(["cat", String(repeating: "cat ", count: 100)], prompt: prompt)
        }
    }

    @Test func aPromptForAnotherCLIPIsRefusedAtLoad() throws {
        let engine = try EngineFixtures.engine()
        #expect(throws: AdapterCheckpointError.self) {
            _ = try engine.loadPrompt(directory: EngineFixtures.root.appendingPathComponent("prompts/tiny-gelu-p16/coop"))
        }
    }
}
