import Digests
import Foundation
import Testing
@testable import Models

/// What a checkpoint directory may hold (regular files, a bounded manifest, a header whose
/// offsets fit the file) and that the redacted form of every refusal quotes nothing from it.
@Suite struct AdapterCheckpointFileTests {
    typealias Refusals = AdapterManifestRefusalTests

    static func manifest(_ directory: URL) -> URL { directory.appendingPathComponent("adapter.json") }
    static func weights(_ directory: URL) -> URL { directory.appendingPathComponent("adapter.safetensors") }

    // MARK: - What the files may be

    /// The link's target is the file that was there (valid): following the link would load it.
    @Test(arguments: ["adapter.json", "adapter.safetensors"])
    func aSymlinkedCheckpointFileIsRefused(name: String) throws {
        let directory = try Refusals.copyOfValidAdapter()
        let file = directory.appendingPathComponent(name)
        let target = directory.deletingLastPathComponent().appendingPathComponent("elsewhere-\(name)")
        try FileManager.default.moveItem(at: file, to: target)
        try FileManager.default.createSymbolicLink(at: file, withDestinationURL: target)
        let error = Refusals.refusal(directory)
        #expect(error?.file == name && error?.field == "file")
        #expect(error?.detail == "is a symbolic link; a checkpoint's files must be regular files", "\(String(describing: error))")
    }

    /// A directory or a FIFO under the manifest's name: refused, and the FIFO does not block the open.
    @Test func aManifestThatIsNotARegularFileIsRefused() throws {
        let directory = try Refusals.copyOfValidAdapter()
        try FileManager.default.removeItem(at: Self.manifest(directory))
        try FileManager.default.createDirectory(at: Self.manifest(directory), withIntermediateDirectories: false)
        #expect(Refusals.refusal(directory)?.detail == "is not a regular file")
        try FileManager.default.removeItem(at: Self.manifest(directory))
        #expect(mkfifo(Self.manifest(directory).path, 0o600) == 0)
        #expect(Refusals.refusal(directory)?.detail == "is not a regular file")
    }

    /// A manifest larger than the limit is refused from its size: this one is a sparse 8 GiB
    /// file, which reading whole would not survive.
    @Test func anOversizedManifestIsRefusedBeforeItIsRead() throws {
        let directory = try Refusals.copyOfValidAdapter()
        let handle = try FileHandle(forWritingTo: Self.manifest(directory))
        try handle.truncate(atOffset: 8 << 30)
        try handle.close()
        let error = Refusals.refusal(directory)
        #expect(error?.field == "file")
        #expect(error?.detail == "is \(8 << 30) bytes; the limit is \(AdapterCheckpointFile.maximumManifestBytes)")
        #expect(AdapterManifestFile.declaredKind(directory: directory) == nil)
    }

    @Test func aManifestAtTheLimitIsRead() throws {
        let directory = try Refusals.copyOfValidAdapter()
        var text = try Data(contentsOf: Self.manifest(directory))
        text.append(Data(repeating: 0x20, count: AdapterCheckpointFile.maximumManifestBytes - text.count))
        try text.write(to: Self.manifest(directory))
        #expect(try LanguageAdapter.load(directory: directory, host: Refusals.host).manifest.kind == .language)
        #expect(AdapterManifestFile.declaredKind(directory: directory) == .language)
    }

    /// Offsets or a header length past the end of the file are refused from the header alone;
    /// the data section is never read for them.
    @Test func safetensorsWhoseHeaderPointsPastTheFileAreRefused() throws {
        func header(_ json: String, declaring length: UInt64? = nil) -> Data {
            var out = Data()
            withUnsafeBytes(of: (length ?? UInt64(json.utf8.count)).littleEndian) { out.append(contentsOf: $0) }
            return out + Data(json.utf8)
        }
        let terabyte = 1 << 40
        let cases: [(Data, String, String)] = [
            (header(#"{"a": {"dtype": "F32", "shape": [\#(terabyte / 4)], "data_offsets": [0, \#(terabyte)]}}"#) + Data(count: 16),
             "tensor a", "data ends at byte \(terabyte) but the data section has only 16 bytes: file truncated"),
            (header("{}", declaring: UInt64.max), "header",
             "header length \(UInt64.max) runs past the end of the file (10 bytes): file truncated"),
        ]
        for (bytes, field, detail) in cases {
            let directory = try Refusals.copyOfValidAdapter()
            try Refusals.replaceWeights(in: directory, with: bytes)
            let error = Refusals.refusal(directory)
            #expect(error?.file == "adapter.safetensors" && error?.field == field && error?.detail == detail, "\(String(describing: error))")
        }
    }

    @Test func aHeaderLongerThanTheLimitIsRefusedUnparsed() throws {
        let directory = try Refusals.copyOfValidAdapter()
        let length = AdapterSafeTensorsLayout.maximumHeaderBytes + 1
        var bytes = Data()
        withUnsafeBytes(of: UInt64(length).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(Data(repeating: 0x20, count: length))
        try Refusals.replaceWeights(in: directory, with: bytes)
        #expect(Refusals.refusal(directory)?.description
            == "adapter.safetensors: header: header length \(length) exceeds the \(AdapterSafeTensorsLayout.maximumHeaderBytes)-byte limit")
    }

    /// What was hashed must be what is decoded: a weights file that changes between the checks
    /// and reading a tensor is refused.
    @Test func aWeightsFileChangedAfterValidationIsRefusedWhenATensorIsRead() throws {
        let directory = try Refusals.copyOfValidAdapter()
        let checkpoint = try LanguageAdapterCheckpoint(directory: directory, host: Refusals.host)
        let handle = try FileHandle(forWritingTo: Self.weights(directory))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0]))
        try handle.close()
        #expect(throws: AdapterCheckpointError(file: "adapter.safetensors", field: "file", detail: "changed while it was being loaded; load it again")) {
            _ = try checkpoint.tensor(named: "down_proj.bias", expectedShape: [32])
        }
    }

    // MARK: - Refusals quote nothing from the files

    static let hostile = "HOSTILE-" + String(repeating: "h", count: 4096)

    /// Every leaf of the valid manifest replaced by a hostile string, by a hostile number and by
    /// a hostile list, and a hostile key added to every object: each refusal's redacted form
    /// holds none of it (the full form, Python's, may).
    @Test func noRedactedRefusalQuotesTheManifest() throws {
        let valid = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.manifest(Refusals.copyOfValidAdapter()))) as! [String: Any]
        var refusals = 0
        for path in Self.leafPaths(valid) {
            for value: Any in [Self.hostile, 987_654_321.5, [Self.hostile, 4242]] {
                refusals += try Self.checkRedacted(Self.setting(path, to: value, in: valid), label: "\(path) = \(type(of: value))")
            }
        }
        for path in [[]] + Self.objectPaths(valid) {
            refusals += try Self.checkRedacted(Self.setting(path + [Self.hostile], to: 1, in: valid), label: "key in \(path)")
        }
        // Most edits break a rule; free-text fields (name, version, training) take anything.
        #expect(refusals > 40)
    }

    /// Loads `manifest`; when refused, checks its redacted form. 1 when refused, else 0.
    static func checkRedacted(_ manifest: [String: Any], label: String) throws -> Int {
        let directory = try Refusals.copyOfValidAdapter()
        try JSONSerialization.data(withJSONObject: manifest).write(to: Self.manifest(directory))
        do {
            _ = try LanguageAdapter.load(directory: directory, host: Refusals.host)
            return 0
        } catch let error as AdapterCheckpointError {
            let redacted = error.redactedDescription
            #expect(!redacted.contains("HOSTILE") && !redacted.contains("987654321") && !redacted.contains("4242"), "\(label): \(redacted.prefix(300))")
            #expect(redacted.utf8.count < 400, "\(label): \(redacted.prefix(300))")
            return 1
        }
    }

    @Test func theRedactedFormNamesTheFieldAndTheRule() throws {
        let directory = try Refusals.copyOfValidAdapter()
        let text = try String(contentsOf: Self.manifest(directory), encoding: .utf8)
        for (old, new, redacted) in [
            ("\"pooling\": \"cls\"", "\"pooling\": \"SECRET\"", "adapter.json: architecture.pooling: must be one of cls, mean"),
            ("\"hidden_size\": 64", "\"hidden_size\": \"SECRET\"", "adapter.json: base_encoder.hidden_size: must be an integer > 0"),
            ("\"language\": \"zh\"", "\"language\": \"SECRET\"",
             "adapter.json: language: must match the language this adapter slot serves (\"zh\")"),
            ("\"base_encoder\": {", "\"base_encoder\": {\"SECRET\": 1, ",
             "adapter.json: base_encoder: holds a field that is not part of the format (allowed: id, model_type, hidden_size)"),
        ] {
            try text.replacingOccurrences(of: old, with: new).write(to: Self.manifest(directory), atomically: true, encoding: .utf8)
            let error = try #require(Refusals.refusal(directory))
            #expect(error.description.contains("SECRET"))
            #expect(error.redactedDescription == redacted)
        }
    }

    /// Tensor names come from the file's header: the redacted form says "tensor" and the rule.
    @Test func tensorNamesFromTheFileAreNotQuotedInTheRedactedForm() throws {
        let valid = try Data(contentsOf: languageAdapterFixture("zh-tiny-a-n1-pre-cls/adapter.safetensors"))
        let headerLength = Int(valid.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
        var header = try JSONSerialization.jsonObject(with: valid[8..<(8 + headerLength)]) as! [String: Any]
        let data = valid[(8 + headerLength)...]
        func file(_ header: [String: Any]) throws -> Data {
            let json = try JSONSerialization.data(withJSONObject: header)
            var out = Data()
            withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
            return out + json + data
        }
        // An extra zero-length tensor under a hostile name.
        header["SECRET-TENSOR"] = ["dtype": "F16", "shape": [0], "data_offsets": [0, 0]]
        let extra = try Refusals.copyOfValidAdapter()
        try Refusals.replaceWeights(in: extra, with: try file(header))
        let unexpected = try #require(Refusals.refusal(extra))
        #expect(unexpected.field == "tensor SECRET-TENSOR")
        #expect(unexpected.redactedDescription == "adapter.safetensors: tensor: the file holds a tensor that is not part of this architecture")
        // The same name with a dtype the format does not allow.
        header["SECRET-TENSOR"] = ["dtype": "SECRET-DTYPE", "shape": [0], "data_offsets": [0, 0]]
        let badDType = try Refusals.copyOfValidAdapter()
        try Refusals.replaceWeights(in: badDType, with: try file(header))
        let refused = try #require(Refusals.refusal(badDType))
        #expect(refused.description.contains("SECRET-DTYPE"))
        #expect(refused.redactedDescription == "adapter.safetensors: tensor: dtype must be one of [BF16, F16, F32]")
    }

    /// The file's digest is not shown either: it would confirm a guess of the file's bytes.
    @Test func aDigestMismatchDoesNotShowTheFilesDigest() throws {
        let directory = try Refusals.copyOfValidAdapter()
        let actual = try Data(contentsOf: Self.weights(directory)).withUnsafeBytes { SHA256.hexDigest(of: $0) }
        try Data([0, 1, 2]).write(to: Self.weights(directory))
        let error = try #require(Refusals.refusal(directory))
        #expect(error.field == "weights.sha256")
        #expect(error.redactedDescription == "adapter.json: weights.sha256: must be the SHA-256 of adapter.safetensors")
        #expect(!error.redactedDescription.contains(actual.prefix(8)))
    }

    // MARK: - JSON editing

    static func leafPaths(_ object: [String: Any], prefix: [String] = []) -> [[String]] {
        object.keys.sorted().flatMap { key -> [[String]] in
            if let inner = object[key] as? [String: Any], !inner.isEmpty { return leafPaths(inner, prefix: prefix + [key]) }
            return [prefix + [key]]
        }
    }

    static func objectPaths(_ object: [String: Any], prefix: [String] = []) -> [[String]] {
        object.keys.sorted().flatMap { key -> [[String]] in
            guard let inner = object[key] as? [String: Any] else { return [] }
            return [prefix + [key]] + objectPaths(inner, prefix: prefix + [key])
        }
    }

    static func setting(_ path: [String], to value: Any, in object: [String: Any]) -> [String: Any] {
        var copy = object
        guard let first = path.first else { return copy }
        if path.count == 1 {
            copy[first] = value
        } else {
            copy[first] = setting(Array(path.dropFirst()), to: value, in: object[first] as? [String: Any] ?? [:])
        }
        return copy
    }
}
