import Foundation
import Testing
@testable import Models

/// broken/cases.json of Tests/Fixtures/domain-adapter, written by
/// make_domain_adapter_fixtures.py: checkpoints Python's `validate_domain_checkpoint` refuses,
/// with its message.
struct BrokenDomainCases: Decodable {
    struct LoadedCLIP: Decodable {
        let clip_id: String
        let projection_dim: Int
        let vision_width: Int
        let vision_layers: Int
        let text_width: Int
        let text_layers: Int
    }

    let loaded_clip: LoadedCLIP
    let cases: [BrokenAdapterCases.Case]

    static func load() throws -> BrokenDomainCases {
        try JSONDecoder().decode(
            BrokenDomainCases.self, from: Data(contentsOf: domainAdapterFixture("broken").appendingPathComponent("cases.json")))
    }

    var host: DomainAdapterHost {
        let c = loaded_clip
        return DomainAdapterHost(
            clipID: c.clip_id, projectionDim: c.projection_dim, visionWidth: c.vision_width, visionLayers: c.vision_layers,
            textWidth: c.text_width, textLayers: c.text_layers)
    }
}

/// Every refusal of a domain checkpoint names its file and field, as Python's does.
@Suite struct DomainAdapterRefusalTests {
    static func refusal(_ directory: URL, host: DomainAdapterHost) -> AdapterCheckpointError? {
        do {
            _ = try DomainAdapter.load(directory: directory, host: host)
            Issue.record("\(directory.lastPathComponent) was accepted")
        } catch let error as AdapterCheckpointError {
            return error
        } catch {
            Issue.record("\(directory.lastPathComponent): not an AdapterCheckpointError: \(error)")
        }
        return nil
    }

    @Test func everyBrokenFixtureIsRefusedForPythonsReason() throws {
        let summary = try BrokenDomainCases.load()
        #expect(summary.cases.count >= 10)
        for c in summary.cases {
            let error = Self.refusal(domainAdapterFixture("broken").appendingPathComponent(c.directory), host: summary.host)
            #expect(error?.description == c.message, "\(c.directory) (\(c.why))")
        }
    }

    /// Manifest edits beyond the fixtures, each refused with Python's file, field and wording
    /// (training/tests/test_domain_adapter.py, REFUSALS, holds the same cases).
    @Test func manifestEditsAreRefusedByField() throws {
        let valid = try Data(contentsOf: domainAdapterFixture("both-gelu-p16").appendingPathComponent("adapter.json"))
        let edits: [(String, String, (inout [String: Any]) -> Void)] = [
            ("format_version", "unsupported value 2 (this loader reads 1)", { $0["format_version"] = 2 }),
            ("kind", "\"prompt\" is not a domain adapter (expected \"domain\")", { $0["kind"] = "prompt" }),
            ("kind", "unknown kind \"style\" (expected \"domain\")", { $0["kind"] = "style" }),
            ("language", "unknown field", { $0["language"] = "zh" }),
            ("architecture.adapter", "unknown value \"lora\" (one of parallel-bottleneck)", { Self.arch(&$0) { $0["adapter"] = "lora" } }),
            ("architecture.activation", "unknown value \"gelu\" (one of relu)", { Self.arch(&$0) { $0["activation"] = "gelu" } }),
            ("architecture.activation", "missing", { Self.arch(&$0) { $0["activation"] = nil } }),
            ("architecture.audio", "unknown field", { Self.arch(&$0) { $0["audio"] = [String: Any]() } }),
            ("architecture.text.layers", "must be a non-empty list of integers >= 0, got []",
             { Self.side(&$0, "text") { $0["layers"] = [Int]() } }),
            ("architecture.text.layers", "must be a non-empty list of integers >= 0, got [0, -1]",
             { Self.side(&$0, "text") { $0["layers"] = [0, -1] } }),
            ("architecture.vision.bottleneck", "must be an integer > 0, got 4.5",
             { Self.side(&$0, "vision") { $0["bottleneck"] = 4.5 } }),
            ("architecture.vision.scale", "must be a finite number, got \"1\"", { Self.side(&$0, "vision") { $0["scale"] = "1" } }),
            ("architecture.vision", "must be a JSON object", { Self.arch(&$0) { $0["vision"] = [1] } }),
            ("clip.projection_dim", "must be an integer > 0, got 0",
             { var c = $0["clip"] as? [String: Any] ?? [:]; c["projection_dim"] = 0; $0["clip"] = c }),
        ]
        for (field, detail, edit) in edits {
            var object = try #require(try JSONSerialization.jsonObject(with: valid) as? [String: Any])
            edit(&object)
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            #expect(throws: AdapterCheckpointError(file: "adapter.json", field: field, detail: detail)) {
                _ = try DomainAdapterManifest(json: data)
            }
        }
    }

    @Test func checkpointsForAnotherCLIPAreRefusedByField() throws {
        let directory = domainAdapterFixture("both-gelu-p16")
        let fits = DomainAdapterHost(
            clipID: "tiny-gelu-p16", projectionDim: 40, visionWidth: 96, visionLayers: 3, textWidth: 64, textLayers: 2)
        _ = try DomainAdapter.load(directory: directory, host: fits)
        var shallow = fits
        shallow.visionLayers = 1
        #expect(Self.refusal(directory, host: shallow)?.description
            == "adapter.json: architecture.vision.layers: layer 1 is out of range for the loaded CLIP model's vision encoder (1 layers)")
        var narrow = fits
        narrow.textWidth = 48
        #expect(Self.refusal(directory, host: narrow)?.description
            == "adapter.json: architecture.text.width: 64 does not match the loaded CLIP model's text hidden_size (48)")
        var renamed = fits
        renamed.clipID = "other"
        #expect(Self.refusal(directory, host: renamed)?.field == "clip.id")
    }

    /// The language loader refuses a domain checkpoint by its kind, and the other way round.
    @Test func eachKindsLoaderRefusesTheOtherKind() throws {
        let domainManifest = try Data(contentsOf: domainAdapterFixture("both-gelu-p16").appendingPathComponent("adapter.json"))
        #expect(throws: AdapterCheckpointError(
            file: "adapter.json", field: "kind", detail: "\"domain\" is not a language adapter (expected \"language\")")) {
            _ = try LanguageAdapterManifest(json: domainManifest)
        }
        let languageManifest = try Data(contentsOf: languageAdapterFixture("zh-tiny-a-n1-pre-cls").appendingPathComponent("adapter.json"))
        #expect(throws: AdapterCheckpointError(
            file: "adapter.json", field: "kind", detail: "\"language\" is not a domain adapter (expected \"domain\")")) {
            _ = try DomainAdapterManifest(json: languageManifest)
        }
    }

    private static func arch(_ m: inout [String: Any], _ edit: (inout [String: Any]) -> Void) {
        var a = m["architecture"] as? [String: Any] ?? [:]
        edit(&a)
        m["architecture"] = a
    }

    private static func side(_ m: inout [String: Any], _ name: String, _ edit: (inout [String: Any]) -> Void) {
        arch(&m) { a in
            var s = a[name] as? [String: Any] ?? [:]
            edit(&s)
            a[name] = s
        }
    }
}
