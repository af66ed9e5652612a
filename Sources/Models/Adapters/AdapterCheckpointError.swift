import JSON
/// Why an adapter checkpoint was refused: `<file>: <field>: <detail>`, e.g.
///
///     adapter.json: clip.projection_dim: 48 does not match the loaded CLIP model's projection_dim (32)
///
/// `file` is `adapter.json` or `adapter.safetensors`; `field` a dotted manifest path
/// (`base_encoder.hidden_size`), `file`, `header`, `data` or `tensor <name>`. The same three
/// parts as Python's `CheckpointError` (training/adaptclip_training/checkpoint_error.py), so
/// both sides are tested against the same broken fixtures (docs/adapters.md, "Validation").
///
/// `detail` may quote what the checkpoint holds (`got 64.0`, a tensor's name), as Python's
/// does: right for the author of a checkpoint at a terminal. `redactedDescription` says the
/// same with nothing read from the files — the field as the format names it and the rule it
/// breaks — for answers to a client who may have pointed the loader at files it cannot read
/// itself (the admin API).
public struct AdapterCheckpointError: Error, Equatable, CustomStringConvertible {
    public let file: String
    public let field: String
    public let detail: String
    /// `field`, or the part of the format it belongs to when `field` holds a name read from
    /// the checkpoint (an unknown key, a tensor's name).
    public let redactedField: String
    /// What `field` must be, quoting nothing from the checkpoint.
    public let requirement: String

    /// A refusal whose `detail` quotes nothing from the checkpoint.
    public init(file: String, field: String, detail: String) {
        self.init(file: file, field: field, detail: detail, requirement: detail)
    }

    /// A refusal whose `detail` quotes the checkpoint; `requirement` (and `redactedField` when
    /// `field` does) says it without.
    public init(file: String, field: String, detail: String, requirement: String, redactedField: String? = nil) {
        self.file = file
        self.field = field
        self.detail = detail
        self.requirement = requirement
        self.redactedField = redactedField ?? field
    }

    public var description: String { "\(file): \(field): \(detail)" }

    public var redactedDescription: String { "\(file): \(redactedField): \(requirement)" }

    /// Two refusals are the same when they say the same; the redacted form follows from it.
    public static func == (a: AdapterCheckpointError, b: AdapterCheckpointError) -> Bool {
        a.file == b.file && a.field == b.field && a.detail == b.detail
    }

    static func manifest(_ field: String, _ detail: String) -> AdapterCheckpointError {
        AdapterCheckpointError(file: AdapterManifest.fileName, field: field, detail: detail)
    }

    static func manifest(_ field: String, _ detail: String, requirement: String, redactedField: String? = nil) -> AdapterCheckpointError {
        AdapterCheckpointError(
            file: AdapterManifest.fileName, field: field, detail: detail, requirement: requirement, redactedField: redactedField)
    }

    /// A manifest value that differs from the loaded models' (`what`, e.g. "the loaded CLIP
    /// model's id"): the expected value is the server's, the found one the file's.
    static func mismatch(_ field: String, found: JSONValue, expected: JSONValue, what: String) -> AdapterCheckpointError {
        .manifest(
            field, "\(found.pythonDescription) does not match \(what) (\(expected.pythonDescription))",
            requirement: "must match \(what) (\(expected.pythonDescription))")
    }

    static func weights(_ field: String, _ detail: String) -> AdapterCheckpointError {
        AdapterCheckpointError(file: AdapterManifest.weightsFileName, field: field, detail: detail)
    }

    static func weights(_ field: String, _ detail: String, requirement: String, redactedField: String? = nil) -> AdapterCheckpointError {
        AdapterCheckpointError(
            file: AdapterManifest.weightsFileName, field: field, detail: detail, requirement: requirement, redactedField: redactedField)
    }
}
