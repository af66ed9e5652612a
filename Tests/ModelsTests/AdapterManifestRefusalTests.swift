import Digests
import Foundation
import TestSupport
import Testing
@testable import Models
@testable import Numerics

/// broken/cases.json of Tests/Fixtures/language-adapter, written by make_bert_fixtures.py:
/// checkpoints Python's `validate_checkpoint` refuses, with its message.
struct BrokenAdapterCases: Decodable {
    struct LoadedModels: Decodable {
        let base_encoder_id: String
        let base_encoder_hidden_size: Int
        let clip_id: String
        let clip_projection_dim: Int
        let language: String
    }

    struct Case: Decodable {
        let directory: String
        let file: String
        let field: String
        let message: String
        let why: String
    }

    let loaded_models: LoadedModels
    let cases: [Case]

    static func load() throws -> BrokenAdapterCases {
        try JSONDecoder().decode(
            BrokenAdapterCases.self, from: Data(contentsOf: languageAdapterFixture("broken").appendingPathComponent("cases.json")))
    }

    var host: LanguageAdapterHost {
        let m = loaded_models
        return LanguageAdapterHost(
            language: m.language, baseEncoderID: m.base_encoder_id, baseEncoderHiddenSize: m.base_encoder_hidden_size,
            clipID: m.clip_id, clipProjectionDim: m.clip_projection_dim)
    }
}

/// Every refusal of docs/adapters.md ("Validation"), named by file and field.
@Suite struct AdapterManifestRefusalTests {
    static let host = LanguageAdapterHost(
        baseEncoderID: "bert-tiny-a", baseEncoderHiddenSize: 64, clipID: "tiny-quickgelu-p8", clipProjectionDim: 32)

    /// The refusal of `LanguageAdapter.load`, or nil (with an issue recorded) when it loads.
    static func refusal(_ directory: URL, host: LanguageAdapterHost = host) -> AdapterCheckpointError? {
        do {
            _ = try LanguageAdapter.load(directory: directory, host: host)
            Issue.record("\(directory.lastPathComponent) was accepted")
        } catch let error as AdapterCheckpointError {
            return error
        } catch {
            Issue.record("\(directory.lastPathComponent): not an AdapterCheckpointError: \(error)")
        }
        return nil
    }

    /// A copy of the valid fixture adapter zh-tiny-a-n1-pre-cls.
    static func copyOfValidAdapter() throws -> URL {
        let directory = try TemporaryDirectory.make().appendingPathComponent("adapter")
        try FileManager.default.copyItem(at: languageAdapterFixture("zh-tiny-a-n1-pre-cls"), to: directory)
        return directory
    }

    /// Replaces the weights file and rewrites weights.sha256 to match, so the defect under test is the only one.
    static func replaceWeights(in directory: URL, with bytes: Data) throws {
        try bytes.write(to: directory.appendingPathComponent("adapter.safetensors"))
        let manifestURL = directory.appendingPathComponent("adapter.json")
        let manifest = try String(contentsOf: manifestURL, encoding: .utf8)
        let old = try LanguageAdapterManifest.load(directory: directory).weights.sha256
        let new = bytes.withUnsafeBytes { SHA256.hexDigest(of: $0) }
        try manifest.replacingOccurrences(of: old, with: new).write(to: manifestURL, atomically: true, encoding: .utf8)
    }

    @Test func everyBrokenFixtureIsRefusedForPythonsReason() throws {
        let broken = try BrokenAdapterCases.load()
        #expect(broken.cases.count == 16)
        for item in broken.cases {
            guard let error = Self.refusal(languageAdapterFixture("broken/\(item.directory)"), host: broken.host) else { continue }
            #expect("\(error)".hasPrefix("\(item.file): \(item.field): "), "\(item.directory) (\(item.why)): \(error)")
            #expect(error.file == item.file && error.field == item.field)
            // The details follow Python's wording too, so the whole message matches.
            #expect("\(error)" == item.message, "\(item.directory): Swift \"\(error)\" vs Python \"\(item.message)\"")
        }
    }

    /// Edits of a valid adapter.json (old text → new text) and the message Python's
    /// validate_checkpoint gives for each (run once with training/adaptclip_training when
    /// these cases were written; the fixtures' cases.json covers the rest).
    static let manifestEdits: [(String, String, String)] = [
        ("\"hidden_size\": 64", "\"hidden_size\": 64.0", "adapter.json: base_encoder.hidden_size: must be an integer > 0, got 64.0"),
        ("\"final_layer_norm\": true", "\"final_layer_norm\": 1", "adapter.json: architecture.final_layer_norm: must be true or false, got 1"),
        ("\"pooling\": \"cls\"", "\"pooling\": \"max\"", "adapter.json: architecture.pooling: unknown value \"max\" (one of cls, mean)"),
        ("\"layer_norm_eps\": 1e-05", "\"layer_norm_eps\": 1.5", "adapter.json: architecture.layer_norm_eps: must be a number in (0, 1), got 1.5"),
        ("\"num_layers\": 1", "\"num_layers\": true", "adapter.json: architecture.num_layers: must be an integer >= 0, got true"),
        ("\"name\": \"zh-tiny-a-n1-pre-cls\"", "\"name\": \"\"", "adapter.json: name: must be a non-empty string, got \"\""),
        ("\"kind\": \"language\"", "\"kind\": \"vision\"", "adapter.json: kind: unknown kind \"vision\" (expected \"language\")"),
        ("\"format_version\": 1", "\"format_version\": 1.0", "adapter.json: format_version: unsupported value 1.0 (this loader reads 1)"),
        ("\"file\": \"adapter.safetensors\"", "\"file\": \"../adapter.safetensors\"", "adapter.json: weights.file: must be \"adapter.safetensors\" (a file beside adapter.json), got \"../adapter.safetensors\""),
        ("\"sha256\": \"1c7d", "\"sha256\": \"1C7D", "adapter.json: weights.sha256: must be 64 lower-case hex digits"),
        ("\"dtype\": \"F16\"", "\"dtype\": \"F64\"", "adapter.json: weights.dtype: unknown value \"F64\" (one of F32, F16, BF16)"),
        ("\"version\": \"1.0.0\",", "\"version\": \"1.0.0\", \"versoin\": 1,", "adapter.json: versoin: unknown field"),
        ("\"language\": \"zh\",", "", "adapter.json: language: missing"),
        ("\"num_layers\": 1", "\"num_layers\": 0", "adapter.json: architecture.num_heads: must be 0 when architecture.num_layers is 0, got 4"),
        ("\"intermediate_size\": 80", "\"intermediate_size\": 0", "adapter.json: architecture.intermediate_size: must be > 0 when architecture.num_layers is 1"),
        ("\"projection_dim\": 32", "\"projection_dim\": 0", "adapter.json: clip.projection_dim: must be an integer > 0, got 0"),
        ("\"activation\": \"gelu\"", "\"activation\": \"quick_gelu\"", "adapter.json: architecture.activation: unknown value \"quick_gelu\" (one of gelu)"),
        ("\"norm_position\": \"pre\"", "\"norm_position\": \"sandwich\"", "adapter.json: architecture.norm_position: unknown value \"sandwich\" (one of pre, post)"),
        ("\"language\": \"zh\"", "\"language\": \"中文\"", "adapter.json: language: \"\\u4e2d\\u6587\" does not match the language this adapter slot serves (\"zh\")"),
        ("\"id\": \"bert-tiny-a\"", "\"id\": 7", "adapter.json: base_encoder.id: must be a non-empty string, got 7"),
        ("\"format_version\": 1,", "", "adapter.json: format_version: missing"),
        ("\"base_encoder\": {", "\"base_encoder\": {\"extra\": 1, ", "adapter.json: base_encoder.extra: unknown field"),
        ("\"training\": {", "\"training\": 5, \"_\": {", "adapter.json: _: unknown field"),
        ("\"num_heads\": 4", "\"num_heads\": -4", "adapter.json: architecture.num_heads: must be an integer >= 0, got -4"),
        ("\"clip\": {", "\"clip\": [], \"clip_\": {", "adapter.json: clip_: unknown field"),
    ]

    @Test func manifestEditsAreRefusedAsPythonRefusesThem() throws {
        let template = try String(contentsOf: languageAdapterFixture("zh-tiny-a-n1-pre-cls/adapter.json"), encoding: .utf8)
        for (old, new, message) in Self.manifestEdits {
            let directory = try Self.copyOfValidAdapter()
            guard let range = template.range(of: old) else {
                Issue.record("fixture manifest has no \(old)")
                continue
            }
            try template.replacingCharacters(in: range, with: new)
                .write(to: directory.appendingPathComponent("adapter.json"), atomically: true, encoding: .utf8)
            guard let error = Self.refusal(directory) else { continue }
            #expect("\(error)" == message, "\(old) → \(new)")
        }
    }

    @Test func duplicateKeysKeepTheLastValueAsPythonDoes() throws {
        let directory = try Self.copyOfValidAdapter()
        let url = directory.appendingPathComponent("adapter.json")
        let text = try String(contentsOf: url, encoding: .utf8)
            .replacingOccurrences(of: "\"kind\": \"language\",", with: "\"kind\": \"domain\", \"kind\": \"language\",")
        try text.write(to: url, atomically: true, encoding: .utf8)
        #expect(try LanguageAdapter.load(directory: directory, host: Self.host).manifest.kind == .language)
    }

    @Test func unreadableManifestsAreRefusedAsFileProblems() throws {
        let empty = try TemporaryDirectory.make()
        #expect(Self.refusal(empty) == .init(file: "adapter.json", field: "file", detail: "not found in \(empty.path)"))

        for (text, detailPrefix) in [
            ("[1, 2]", "top level is not a JSON object"), ("{\"format_version\": 1", "not valid UTF-8 JSON ("),
            ("{} {}", "not valid UTF-8 JSON ("), ("{\"a\": 01}", "not valid UTF-8 JSON ("),
        ] {
            let directory = try Self.copyOfValidAdapter()
            try Data(text.utf8).write(to: directory.appendingPathComponent("adapter.json"))
            let error = Self.refusal(directory)
            #expect(error?.file == "adapter.json" && error?.field == "file" && error?.detail.hasPrefix(detailPrefix) == true, "\(text): \(String(describing: error))")
        }
        let latin1 = try Self.copyOfValidAdapter()
        try Data([0x7B, 0x22, 0xE9, 0x22, 0x3A, 0x31, 0x7D]).write(to: latin1.appendingPathComponent("adapter.json"))
        #expect(Self.refusal(latin1)?.detail.hasPrefix("not valid UTF-8 JSON (") == true)
    }

    @Test func missingWeightsFileIsNamed() throws {
        let directory = try Self.copyOfValidAdapter()
        try FileManager.default.removeItem(at: directory.appendingPathComponent("adapter.safetensors"))
        #expect(Self.refusal(directory) == .init(file: "adapter.safetensors", field: "file", detail: "not found in \(directory.path)"))
    }

    /// Hand-made weights files (sha256 rewritten to match) for the layout rules no fixture covers.
    @Test func safetensorsLayoutRulesNameThePart() throws {
        let valid = try Data(contentsOf: languageAdapterFixture("zh-tiny-a-n1-pre-cls/adapter.safetensors"))
        let headerLength = Int(valid.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
        let dataLength = valid.count - 8 - headerLength
        func header(_ json: String) -> Data {
            var out = Data()
            withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { out.append(contentsOf: $0) }
            return out + Data(json.utf8)
        }
        let cases: [(Data, String)] = [
            (Data([1, 2, 3, 4, 5]), "adapter.safetensors: header: file is 5 bytes, shorter than the 8-byte header length"),
            (valid + Data(count: 8), "adapter.safetensors: data: data section is \(dataLength + 8) bytes but the tensors cover \(dataLength)"),
            (header("[]"), "adapter.safetensors: header: is not a JSON object"),
            (header(#"{"a": [1]}"#), "adapter.safetensors: tensor a: header entry is not an object"),
            (header(#"{"a": {"dtype": "F64", "shape": [1], "data_offsets": [0, 8]}}"#) + Data(count: 8),
             "adapter.safetensors: tensor a: dtype \"F64\" is not one of [BF16, F16, F32]"),
            (header(#"{"a": {"dtype": "F32", "shape": [2.0], "data_offsets": [0, 8]}}"#) + Data(count: 8),
             "adapter.safetensors: tensor a: shape [2.0] is not a list of non-negative integers"),
            (header(#"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}}"#) + Data(count: 8),
             "adapter.safetensors: tensor a: data_offsets [8, 0] is not [begin, end] with begin <= end"),
            (header(#"{"a": {"dtype": "F16", "shape": [32], "data_offsets": [0, 10]}}"#) + Data(count: 10),
             "adapter.safetensors: tensor a: data_offsets span 10 bytes but F16 [32] needs 64"),
            (header(#"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}"#)
                + Data(count: 8), "adapter.safetensors: tensor b: data_offsets overlap tensor a"),
            (header(#"{"__metadata__": {"format": "pt"}, "down_proj.bias": {"dtype": "F32", "shape": [32], "data_offsets": [0, 128]}}"#)
                + Data(count: 128), "adapter.safetensors: tensor down_proj.bias: dtype F32 differs from weights.dtype F16 in adapter.json"),
        ]
        for (bytes, message) in cases {
            let directory = try Self.copyOfValidAdapter()
            try Self.replaceWeights(in: directory, with: bytes)
            #expect(Self.refusal(directory).map { "\($0)" } == message)
        }
    }

    @Test func extraTensorIsRefusedAsUnexpected() throws {
        // The F32 adapter (N = 0), re-serialised with one tensor more.
        let source = languageAdapterFixture("zh-tiny-a-n0-mean")
        let file = try SafeTensorsFile(path: source.appendingPathComponent("adapter.safetensors").path)
        var tensors = try fixtureTensors(file)
        tensors.append((name: "layers.0.layer_norm1.bias", shape: [24], values: [Float](repeating: 0, count: 24)))
        let directory = try TemporaryDirectory.make().appendingPathComponent("adapter")
        try FileManager.default.copyItem(at: source, to: directory)
        try Self.replaceWeights(in: directory, with: safeTensorsBytes(tensors))
        let host = LanguageAdapterHost(
            baseEncoderID: "bert-tiny-a", baseEncoderHiddenSize: 64, clipID: "tiny-gelu-p16", clipProjectionDim: 40)
        #expect(Self.refusal(directory, host: host).map { "\($0)" }
            == "adapter.safetensors: tensor layers.0.layer_norm1.bias: unexpected (not part of this architecture)")
        // Without the extra tensor the same re-serialised file loads and computes as the fixture does.
        tensors.removeLast()
        try Self.replaceWeights(in: directory, with: safeTensorsBytes(tensors))
        let reloaded = try LanguageAdapter.load(directory: directory, host: host)
        let original = try LanguageAdapter.load(directory: source, host: host)
        let hidden = try Tensor(shape: [3, 64], scalars: (0..<192).map { Float($0 % 17) * 0.1 - 0.8 })
        #expect(try reloaded.encode(hiddenStates: hidden, sequenceLengths: [1, 2]) == original.encode(hiddenStates: hidden, sequenceLengths: [1, 2]))
    }
}
