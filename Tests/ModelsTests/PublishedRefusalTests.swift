import Foundation
import TestSupport
import Testing
@testable import Models

/// A published directory that does not hold what its config.json declares is refused at load,
/// naming the key or tensor; and Chinese-CLIP's BERT text tower refuses what only CLIP's text
/// transformer can run (text-side domain adapters, learned prompts).
@Suite struct PublishedRefusalTests {
    static func taiyi(
        tensors: (inout [(name: String, shape: [Int], values: [Float])]) -> Void = { _ in },
        config: ((inout [String: Any]) -> Void)? = nil
    ) throws -> URL {
        try editedModelCopy(of: publishedFixture("taiyi-type"), tensors: tensors, config: config)
    }

    static func setAdaptCLIP(_ key: String, _ value: Any?) -> (inout [String: Any]) -> Void {
        { config in
            var block = config[PublishedModelInfo.key] as? [String: Any] ?? [:]
            block[key] = value
            config[PublishedModelInfo.key] = block
        }
    }

    @Test func theFixturesDeclareTheirFormats() throws {
        let expected: [(String, PublishedFormat, [String]?, Int)] = [
            ("taiyi-type", .taiyiCLIP, ["zh"], 128), ("mclip-type", .mCLIP, nil, 128),
            ("chinese-clip-type", .chineseCLIP, ["zh", "en"], 24),
        ]
        for (shape, format, languages, dimension) in expected {
            let info = try #require(try PublishedModelInfo.read(directory: publishedFixture(shape)))
            #expect(info.format == format && info.name == shape && info.projectionDim == dimension)
            #expect(info.languages == languages ?? info.languages && info.languages.contains("zh"))
        }
        // A directory the converter did not write has no block.
        #expect(try PublishedModelInfo.read(directory: clipFixture("tiny-gelu-p16")) == nil)
    }

    @Test func missingHeadsAreNamed() throws {
        let noClassifier = try Self.taiyi(tensors: { $0.removeAll { $0.name == "classifier.weight" } })
        #expect(throws: ModelError.missingTensor("classifier.weight (the taiyi-clip head into the CLIP text space, [128, 36])")) {
            try PublishedTextEncoder.load(directory: noClassifier)
        }
        let noPooler = try Self.taiyi(tensors: { $0.removeAll { $0.name == "bert.pooler.dense.bias" } })
        #expect(throws: ModelError.missingTensor("bert.pooler.dense.bias")) { try PublishedTextEncoder.load(directory: noPooler) }
        let noLinear = try editedModelCopy(of: publishedFixture("mclip-type"), tensors: { $0.removeAll { $0.name.hasPrefix("LinearTransformation.") } })
        #expect(throws: ModelError.missingTensor("LinearTransformation.weight (the m-clip head into the CLIP text space, [128, 40])")) {
            try PublishedTextEncoder.load(directory: noLinear)
        }
    }

    @Test func shapesThatDisagreeWithTheConfigAreNamed() throws {
        let directory = try Self.taiyi(tensors: { tensors in
            guard let i = tensors.firstIndex(where: { $0.name == "bert.encoder.layer.1.intermediate.dense.weight" }) else { return }
            tensors[i].shape = [36, 50]
        })
        #expect(throws: ModelError.tensorShapeMismatch(
            tensor: "bert.encoder.layer.1.intermediate.dense.weight", expected: [50, 36], actual: [36, 50])) {
            try PublishedTextEncoder.load(directory: directory)
        }
        let head = try Self.taiyi(tensors: { tensors in
            guard let i = tensors.firstIndex(where: { $0.name == "classifier.bias" }) else { return }
            tensors[i] = (tensors[i].name, [127], Array(tensors[i].values.dropLast()))
        })
        #expect(throws: ModelError.tensorShapeMismatch(tensor: "classifier.bias", expected: [128], actual: [127])) {
            try PublishedTextEncoder.load(directory: head)
        }
    }

    @Test func projectionDimDisagreeingWithTheHeadNamesTheKey() throws {
        let directory = try Self.taiyi(config: Self.setAdaptCLIP("projection_dim", 64))
        #expect(throws: ModelError.invalidConfig(
            key: "adaptclip.projection_dim", reason: "is 64 but classifier.weight has shape [128, 36] (128 outputs)")) {
            try PublishedTextEncoder.load(directory: directory)
        }
    }

    @Test func theAdaptCLIPBlockIsValidatedByKey() throws {
        let cases: [(String, Any?, String)] = [
            ("format", "clip-en", "adaptclip.format"), ("format", nil, "adaptclip.format"), ("name", "", "adaptclip.name"),
            ("languages", [String](), "adaptclip.languages"), ("languages", "zh", "adaptclip.languages"),
            ("projection_dim", 0, "adaptclip.projection_dim"), ("projection_dim", nil, "adaptclip.projection_dim"),
            ("projection_dim", "128", "adaptclip.projection_dim"),
        ]
        for (key, value, named) in cases {
            let directory = try Self.taiyi(config: Self.setAdaptCLIP(key, value))
            do {
                _ = try PublishedTextEncoder.load(directory: directory)
                Issue.record("\(key) = \(String(describing: value)) was accepted")
            } catch let ModelError.invalidConfig(reportedKey, reason) {
                #expect(reportedKey == named, "\(key) = \(String(describing: value)): \(reason)")
            }
        }
        let unknown = try Self.taiyi(config: Self.setAdaptCLIP("format", "clip-en"))
        #expect(throws: ModelError.invalidConfig(
            key: "adaptclip.format", reason: "\"clip-en\" is not a known format (known: taiyi-clip, m-clip, chinese-clip)")) {
            try PublishedTextEncoder.load(directory: unknown)
        }
    }

    @Test func aDirectoryOfTheWrongKindIsRefused() throws {
        let plain = try Self.taiyi(config: { $0[PublishedModelInfo.key] = nil })
        #expect(performing: { try PublishedTextEncoder.load(directory: plain) }, throws: { error in
            guard case ModelError.invalidConfig(let key, _) = error else { return false }
            return key == "adaptclip"
        })
        #expect(performing: { try PublishedTextEncoder.load(directory: publishedFixture("chinese-clip-type")) }, throws: { error in
            guard case ModelError.unsupported(let reason) = error else { return false }
            return reason.contains("chinese-clip")
        })
        // A taiyi-clip block on an XLM-R config: the format decides the encoder, and they disagree.
        let mismatched = try editedModelCopy(of: publishedFixture("mclip-type"), config: Self.setAdaptCLIP("format", "taiyi-clip"))
        #expect(throws: ModelError.invalidConfig(key: "model_type", reason: "a taiyi-clip directory needs model_type bert")) {
            try PublishedTextEncoder.load(directory: mismatched)
        }
    }

    @Test func chineseCLIPRefusesTextSideAdaptersAndPrompts() throws {
        let chinese = try CLIPModel.load(directory: publishedFixture("chinese-clip-type"), options: .underTest)
        let clip = try CLIPModel.load(directory: clipFixture("tiny-gelu-p16"), options: .underTest)
        var host = DomainAdapterHost(clip: clip, clipID: "tiny-gelu-p16")
        #expect(DomainAdapterHost(clip: chinese, clipID: "x").textTower == .bert && host.textTower == .clip)
        host.textTower = .bert
        #expect(performing: { try DomainAdapter.load(directory: domainAdapterFixture("both-gelu-p16"), host: host) }, throws: { error in
            (error as? AdapterCheckpointError)?.field == "architecture.text"
        })
        // A vision-only adapter fits a BERT text tower.
        _ = try DomainAdapter.load(directory: domainAdapterFixture("vision-gelu-p16"), host: host)

        // Handed a text-side adapter anyway, the BERT tower says why it cannot run it.
        let both = try DomainAdapter.load(
            directory: domainAdapterFixture("both-gelu-p16"), host: DomainAdapterHost(clip: clip, clipID: "tiny-gelu-p16"))
        let ids = [try #require(try PublishedGoldenFile.load("chinese-clip-type").texts.first?.token_ids)]
        #expect(performing: { try chinese.encodeTexts(tokenIDs: ids, adapter: both) }, throws: { error in
            guard case ModelError.unsupported = error else { return false }
            return true
        })
        #expect(performing: { try chinese.encodeTexts(segments: [[.tokens(ids[0])]]) }, throws: { error in
            guard case ModelError.unsupported = error else { return false }
            return true
        })

        let promptHost = PromptHost(clip: chinese, clipID: "chinese-clip-type")
        #expect(promptHost.textTower == .bert)
        #expect(performing: { try PromptCheckpoint(directory: promptFixture("tiny-clip", "structured"), host: promptHost) }, throws: { error in
            (error as? AdapterCheckpointError)?.field == "kind"
        })
    }
}
