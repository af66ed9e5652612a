import Foundation
import TestSupport
import Testing
@testable import Models

/// A prompt checkpoint is refused with `<file>: <field>: <detail>` naming the first problem, in
/// the order and wording of training/adaptclip_training/prompt_checkpoint.py (its tests refuse
/// the same edits: training/tests/test_prompt_checkpoint.py).
@Suite struct PromptCheckpointRefusalTests {
    static let host = PromptHost(clipID: "tiny-clip", projectionDim: 32, textHiddenSize: 64, visionHiddenSize: 64)

    /// A copy of the structured tiny-clip fixture with `edit` applied to its manifest.
    static func edited(_ variant: String = "structured", _ edit: (inout [String: Any]) -> Void) throws -> URL {
        let source = promptFixture("tiny-clip", variant)
        let directory = try TemporaryDirectory.make()
        try FileManager.default.removeItem(at: directory)
        try FileManager.default.copyItem(at: source, to: directory)
        let url = directory.appendingPathComponent("adapter.json")
        var manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        edit(&manifest)
        try JSONSerialization.data(withJSONObject: manifest).write(to: url)
        return directory
    }

    static func refusal(_ directory: URL, host: PromptHost = host) -> AdapterCheckpointError? {
        do {
            _ = try PromptCheckpoint(directory: directory, host: host)
            return nil
        } catch {
            return error
        }
    }

    static func architecture(_ m: inout [String: Any], _ key: String, _ value: Any) {
        var a = m["architecture"] as? [String: Any] ?? [:]
        a[key] = value
        m["architecture"] = a
    }

    @Test func theFixturesAreAccepted() throws {
        for variant in ["coop", "structured"] {
            let checkpoint = try PromptCheckpoint(directory: promptFixture("tiny-clip", variant), host: Self.host)
            #expect(checkpoint.manifest.architecture.variantName == variant)
            #expect(checkpoint.manifest.task?.labels.first == "cat")
        }
    }

    static let cases: [(String, String, @Sendable (inout [String: Any]) -> Void)] = [
        ("kind", "\"language\" is not a prompt (expected \"prompt\")", { $0["kind"] = "language" }),
        ("kind", "unknown kind \"vision\" (expected \"prompt\")", { $0["kind"] = "vision" }),
        ("task", "missing", { $0["task"] = nil }),
        ("clip.text_hidden_size", "must be an integer > 0, got 0", { $0["clip"] = ["id": "tiny-clip", "projection_dim": 32, "text_hidden_size": 0, "vision_hidden_size": 64] }),
        ("architecture.variant", "unknown value \"cocoop\" (one of coop, structured)", { architecture(&$0, "variant", "cocoop") }),
        ("architecture.n_ctx", "unknown field", { architecture(&$0, "n_ctx", 4) }),
        ("architecture.num_heads", "5 does not divide clip.text_hidden_size 64", { architecture(&$0, "num_heads", 5) }),
        ("architecture.class_suffix", "must be a string, got 1", { architecture(&$0, "class_suffix", 1) }),
        ("task.labels", "must be a non-empty list of non-empty strings, got []", { $0["task"] = ["name": "t", "labels": [String]()] }),
        ("task.labels", "must be a non-empty list of non-empty strings, got [\"a\", \"\"]", { $0["task"] = ["name": "t", "labels": ["a", ""]] }),
    ]

    @Test(arguments: 0..<cases.count) func aWrongManifestIsRefusedNamingItsField(index: Int) throws {
        let (field, detail, edit) = Self.cases[index]
        let error = try #require(Self.refusal(try Self.edited("structured", edit)))
        #expect(error.file == "adapter.json" && error.field == field && error.detail == detail, "\(error)")
    }

    @Test func aPromptForAnotherCLIPIsRefused() throws {
        var host = Self.host
        host.visionHiddenSize = 96
        let error = try #require(Self.refusal(promptFixture("tiny-clip", "structured"), host: host))
        #expect(error.description == "adapter.json: clip.vision_hidden_size: 64 does not match the loaded CLIP model's vision hidden_size (96)")
    }

    @Test func tensorsOfTheOtherVariantAreRefused() throws {
        let directory = try Self.edited("coop") {
            $0["architecture"] = ["variant": "structured", "n_general": 3, "n_instance": 2, "num_heads": 4, "layer_norm_eps": 1e-5, "class_suffix": "."]
        }
        let error = try #require(Self.refusal(directory))
        #expect(error.description == "adapter.safetensors: tensor attn.k_proj.bias: missing (architecture needs it, shape [64])")
    }

    @Test func aLanguageAdapterIsNotAPrompt() throws {
        let error = try #require(Self.refusal(RepositoryPaths.fixture("engine/zh-adapter-v1")))
        #expect(error.field == "kind")
    }
}
