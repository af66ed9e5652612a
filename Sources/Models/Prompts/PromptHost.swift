import JSON
/// The loaded CLIP a learned prompt must fit: its configured id (docs/adapters.md, "Ids") and
/// the widths the prompt's tensors depend on. Python: `PromptHost` in prompt_checkpoint.py.
public struct PromptHost: Sendable, Equatable {
    public var clipID: String
    public var projectionDim: Int
    public var textHiddenSize: Int
    public var visionHiddenSize: Int
    /// Learned prompts are vectors in CLIP's token-embedding space: a BERT text tower refuses them.
    public var textTower: CLIPTextTower

    public init(clipID: String, projectionDim: Int, textHiddenSize: Int, visionHiddenSize: Int, textTower: CLIPTextTower = .clip) {
        self.clipID = clipID
        self.projectionDim = projectionDim
        self.textHiddenSize = textHiddenSize
        self.visionHiddenSize = visionHiddenSize
        self.textTower = textTower
    }

    /// The host formed by a loaded CLIP under its configured id.
    public init(clip: CLIPModel, clipID: String) {
        let c = clip.configuration
        self.init(
            clipID: clipID, projectionDim: c.projectionDim, textHiddenSize: c.text.hiddenSize, visionHiddenSize: c.vision.hiddenSize,
            textTower: c.text.tower)
    }

    /// Check 11 (prompts), in order: the text tower (CLIP's), clip.id, projection_dim,
    /// text_hidden_size, vision_hidden_size.
    public func check(_ manifest: PromptManifest) throws(AdapterCheckpointError) {
        guard textTower == .clip else {
            throw .manifest(
                "kind", "learned prompts run inside CLIP's text transformer; the loaded model's text tower is a BERT",
                requirement: "must not be a learned prompt: the loaded model's text tower is a BERT")
        }
        let m = manifest.clip
        let checks: [(String, JSONValue, JSONValue, String)] = [
            ("clip.id", .string(m.id), .string(clipID), "the loaded CLIP model's id"),
            ("clip.projection_dim", .integer(m.projectionDim), .integer(projectionDim), "the loaded CLIP model's projection_dim"),
            ("clip.text_hidden_size", .integer(m.textHiddenSize), .integer(textHiddenSize), "the loaded CLIP model's text hidden_size"),
            ("clip.vision_hidden_size", .integer(m.visionHiddenSize), .integer(visionHiddenSize),
             "the loaded CLIP model's vision hidden_size"),
        ]
        for (field, found, expected, what) in checks where found != expected {
            throw .mismatch(field, found: found, expected: expected, what: what)
        }
    }
}
