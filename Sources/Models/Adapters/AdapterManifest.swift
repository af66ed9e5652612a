import Foundation
import JSON

/// What every adapter kind's `adapter.json` shares (docs/adapters.md): the file names, the
/// format version, the `weights` and `clip` sections, and the rules that read them — reading
/// the file (check 1), `format_version` (check 2), `weights` and `training`. Each kind's
/// manifest type (`LanguageAdapterManifest`, `DomainAdapterManifest`, `PromptManifest`) adds
/// its own sections between them.
/// Reference: training/adaptclip_training/checkpoint.py (`read_manifest`,
/// `check_format_version`, `check_weights_section`, `check_training`).
public enum AdapterManifest {
    public static let fileName = "adapter.json"
    public static let weightsFileName = "adapter.safetensors"
    public static let formatVersion = 1

    /// The CLIP a language or domain adapter was made for (a prompt names more widths:
    /// `PromptManifest.CLIPTarget`).
    public struct CLIPTarget: Sendable, Equatable {
        public let id: String
        /// `P`: must equal the loaded CLIP's projection_dim.
        public let projectionDim: Int
    }

    public struct Weights: Sendable, Equatable {
        /// Always `adapter.safetensors`, beside adapter.json.
        public let file: String
        /// 64 lower-case hex digits: SHA-256 of the whole weights file.
        public let sha256: String
        /// F32, F16 or BF16: the dtype of every tensor.
        public let dtype: SafeTensorsDType
    }

    static let weightDTypes: [SafeTensorsDType] = [.f32, .f16, .bf16]

    /// `<directory>/adapter.json`'s bytes, or `adapter.json: file: not found in <dir>`; a
    /// symbolic link, anything but a regular file, or a file over
    /// `AdapterCheckpointFile.maximumManifestBytes` is refused before it is read.
    static func read(directory: URL) throws(AdapterCheckpointError) -> Data {
        let file = try AdapterCheckpointFile(directory: directory, name: AdapterManifest.fileName)
        return Data(try file.readAll(limit: AdapterCheckpointFile.maximumManifestBytes))
    }

    /// The rest of check 1 (UTF-8 JSON, an object at the top) and check 2 (format_version).
    static func root(json data: Data) throws(AdapterCheckpointError) -> AdapterManifestReader {
        let bytes = [UInt8](data)
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw .manifest("file", "not valid UTF-8 JSON (invalid UTF-8)")
        }
        let document: JSONValue
        do {
            document = try JSONValue.parse(bytes, grammar: .python)
        } catch {
            throw .manifest("file", "not valid UTF-8 JSON (\(error))")
        }
        guard let root = document.object else { throw .manifest("file", "top level is not a JSON object") }
        let m = AdapterManifestReader(fields: root, prefix: "")
        // format_version first: every other rule depends on it.
        let version = try m.value("format_version")
        guard case .integer(AdapterManifest.formatVersion) = version else {
            throw .manifest(
                "format_version", "unsupported value \(version.pythonDescription) (this loader reads \(AdapterManifest.formatVersion))",
                requirement: "must be \(AdapterManifest.formatVersion) (the format this loader reads)")
        }
        return m
    }

    /// The `weights` section: exactly file, sha256, dtype.
    static func weights(_ m: AdapterManifestReader) throws(AdapterCheckpointError) -> AdapterManifest.Weights {
        let w = try m.section("weights", keys: ["file", "sha256", "dtype"])
        let file = try w.nonEmptyString("file")
        guard file == AdapterManifest.weightsFileName else {
            let rule = "must be \"\(AdapterManifest.weightsFileName)\" (a file beside adapter.json)"
            throw w.fail("file", "\(rule), got \(JSONValue.pythonQuoted(file))", requirement: rule)
        }
        let sha256 = try w.nonEmptyString("sha256")
        guard sha256.utf8.count == 64, sha256.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else {
            throw w.fail("sha256", "must be 64 lower-case hex digits")
        }
        let dtypeName = try w.nonEmptyString("dtype")
        guard let dtype = SafeTensorsDType(rawValue: dtypeName), weightDTypes.contains(dtype) else {
            let choices = weightDTypes.map(\.rawValue).joined(separator: ", ")
            throw w.fail("dtype", "unknown value \(JSONValue.pythonQuoted(dtypeName)) (one of \(choices))", requirement: "must be one of \(choices)")
        }
        return AdapterManifest.Weights(file: file, sha256: sha256, dtype: dtype)
    }

    /// `training`: provenance, not interpreted, but an object.
    static func checkTraining(_ m: AdapterManifestReader) throws(AdapterCheckpointError) {
        guard m.fields["training"]?.object != nil else { throw .manifest("training", "must be a JSON object") }
    }
}
