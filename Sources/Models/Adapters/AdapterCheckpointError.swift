/// Why an adapter checkpoint was refused: `<file>: <field>: <detail>`, e.g.
///
///     adapter.json: clip.projection_dim: 48 does not match the loaded CLIP model's projection_dim (32)
///
/// `file` is `adapter.json` or `adapter.safetensors`; `field` a dotted manifest path
/// (`base_encoder.hidden_size`), `file`, `header`, `data` or `tensor <name>`. The same three
/// parts as Python's `CheckpointError` (training/adaptclip_training/checkpoint_error.py), so
/// both sides are tested against the same broken fixtures (docs/adapters.md, "Validation").
public struct AdapterCheckpointError: Error, Equatable, CustomStringConvertible {
    public let file: String
    public let field: String
    public let detail: String

    public init(file: String, field: String, detail: String) {
        self.file = file
        self.field = field
        self.detail = detail
    }

    public var description: String { "\(file): \(field): \(detail)" }

    static func manifest(_ field: String, _ detail: String) -> AdapterCheckpointError {
        AdapterCheckpointError(file: AdapterManifest.fileName, field: field, detail: detail)
    }

    static func weights(_ field: String, _ detail: String) -> AdapterCheckpointError {
        AdapterCheckpointError(file: AdapterManifest.weightsFileName, field: field, detail: detail)
    }
}
