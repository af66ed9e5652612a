import JSON
/// The loaded models a language adapter must fit (Python: `LoadedModels` in
/// training/adaptclip_training/language_checkpoint.py): the route's language, the base encoder's
/// configured id and hidden size, and the CLIP's configured id and projection dim.
///
/// Ids are configured names, by default the last path component of each model directory
/// (docs/adapters.md, "Ids"); the dims come from the loaded models themselves.
public struct LanguageAdapterHost: Sendable, Equatable {
    public var language: String
    public var baseEncoderID: String
    public var baseEncoderHiddenSize: Int
    public var clipID: String
    public var clipProjectionDim: Int

    public init(language: String = "zh", baseEncoderID: String, baseEncoderHiddenSize: Int, clipID: String, clipProjectionDim: Int) {
        self.language = language
        self.baseEncoderID = baseEncoderID
        self.baseEncoderHiddenSize = baseEncoderHiddenSize
        self.clipID = clipID
        self.clipProjectionDim = clipProjectionDim
    }

    /// The host formed by a loaded BERT and CLIP under their configured ids.
    public init(language: String = "zh", baseEncoder: BERTModel, baseEncoderID: String, clip: CLIPModel, clipID: String) {
        self.init(
            language: language, baseEncoderID: baseEncoderID, baseEncoderHiddenSize: baseEncoder.hiddenSize, clipID: clipID,
            clipProjectionDim: clip.projectionDim)
    }

    /// Check 11 of docs/adapters.md, in its order: language, base_encoder.id,
    /// base_encoder.hidden_size, clip.id, clip.projection_dim.
    public func check(_ manifest: LanguageAdapterManifest) throws(AdapterCheckpointError) {
        let checks: [(String, JSONValue, JSONValue, String)] = [
            ("language", .string(manifest.language), .string(language), "the language this adapter slot serves"),
            ("base_encoder.id", .string(manifest.baseEncoder.id), .string(baseEncoderID), "the loaded base encoder's id"),
            ("base_encoder.hidden_size", .integer(manifest.baseEncoder.hiddenSize), .integer(baseEncoderHiddenSize),
             "the loaded base encoder's hidden_size"),
            ("clip.id", .string(manifest.clip.id), .string(clipID), "the loaded CLIP model's id"),
            ("clip.projection_dim", .integer(manifest.clip.projectionDim), .integer(clipProjectionDim),
             "the loaded CLIP model's projection_dim"),
        ]
        for (field, found, expected, what) in checks where found != expected {
            throw .mismatch(field, found: found, expected: expected, what: what)
        }
    }
}
