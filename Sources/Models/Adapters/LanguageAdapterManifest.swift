import Foundation
import JSON

/// `adapter.json` of a language adapter (kind `"language"`, format_version 1), parsed and
/// validated field by field exactly as docs/adapters.md lays out (checks 1–10, in order,
/// first failure wins). What every kind shares (file names, `weights`, `clip`) is
/// `AdapterManifest`; comparison with the loaded models is `LanguageAdapterHost.check`.
public struct LanguageAdapterManifest: AdapterKindManifest, Equatable {
    public static let kind = AdapterKind.language

    public struct BaseEncoder: Sendable, Equatable {
        public let id: String
        /// Always `"bert"` in format 1.
        public let modelType: String
        /// `H`: must equal the loaded BERT's hidden_size.
        public let hiddenSize: Int
    }

    public let name: String
    public let version: String
    public let language: String
    public let baseEncoder: BaseEncoder
    public let clip: AdapterManifest.CLIPTarget
    public let architecture: LanguageAdapterArchitecture
    public let weights: AdapterManifest.Weights

    static let topLevelKeys = [
        "format_version", "kind", "name", "version", "language", "base_encoder", "clip", "architecture", "weights", "training",
    ]

    /// Reads `<directory>/adapter.json` (check 1) and validates it (checks 2–10).
    public static func load(directory: URL) throws(AdapterCheckpointError) -> LanguageAdapterManifest {
        try LanguageAdapterManifest(json: AdapterManifest.read(directory: directory))
    }

    /// Validates a manifest's bytes (the rest of check 1, then checks 2–10).
    public init(json data: Data) throws(AdapterCheckpointError) {
        // 1 (rest), 2. format_version; 3. kind; 4. top-level keys; 5. name, version, language
        let (m, name, version) = try AdapterManifest.header(json: data, kind: Self.kind, topLevelKeys: Self.topLevelKeys)
        self.name = name
        self.version = version
        language = try m.nonEmptyString("language")

        // 6. base_encoder
        let base = try m.section("base_encoder", keys: ["id", "model_type", "hidden_size"])
        let baseID = try base.nonEmptyString("id")
        let modelType = try base.nonEmptyString("model_type")
        guard modelType == "bert" else {
            throw base.fail(
                "model_type", "\(JSONValue.pythonQuoted(modelType)) is not supported (expected \"bert\")", requirement: "must be \"bert\"")
        }
        baseEncoder = BaseEncoder(id: baseID, modelType: modelType, hiddenSize: try base.positiveInteger("hidden_size"))

        // 7. clip
        let clipSection = try m.section("clip", keys: ["id", "projection_dim"])
        let clipID = try clipSection.nonEmptyString("id")
        clip = AdapterManifest.CLIPTarget(id: clipID, projectionDim: try clipSection.positiveInteger("projection_dim"))

        // 8. architecture
        architecture = try LanguageAdapterArchitecture(reading: m.section("architecture", keys: LanguageAdapterArchitecture.keys))

        // 9. weights; 10. training
        weights = try AdapterManifest.weights(m)
        try AdapterManifest.checkTraining(m)
    }
}
