import Foundation

/// `adapter.json` of a domain adapter (kind `"domain"`, format_version 1), validated field by
/// field in the order of docs/adapters.md ("Domain adapter", "Validation"), first failure wins.
/// Comparison with the loaded CLIP is `DomainAdapterHost.check`.
/// Reference: training/adaptclip_training/domain_checkpoint.py, `_check_manifest`.
public struct DomainAdapterManifest: AdapterKindManifest, Equatable {
    public static let kind = AdapterKind.domain

    public let name: String
    public let version: String
    public let clip: AdapterManifest.CLIPTarget
    public let architecture: DomainAdapterArchitecture
    public let weights: AdapterManifest.Weights

    static let topLevelKeys = ["format_version", "kind", "name", "version", "clip", "architecture", "weights", "training"]

    /// Reads `<directory>/adapter.json` (check 1) and validates it.
    public static func load(directory: URL) throws(AdapterCheckpointError) -> DomainAdapterManifest {
        try DomainAdapterManifest(json: AdapterManifest.read(directory: directory))
    }

    public init(json data: Data) throws(AdapterCheckpointError) {
        // 1–5: the document, kind, top-level keys, name, version.
        let (m, name, version) = try AdapterManifest.header(json: data, kind: Self.kind, topLevelKeys: Self.topLevelKeys)
        self.name = name
        self.version = version
        // 6. clip
        let clipSection = try m.section("clip", keys: ["id", "projection_dim"])
        let clipID = try clipSection.nonEmptyString("id")
        clip = AdapterManifest.CLIPTarget(id: clipID, projectionDim: try clipSection.positiveInteger("projection_dim"))
        // 7. architecture
        guard let architectureFields = m.fields["architecture"]?.object else {
            throw .manifest("architecture", "must be a JSON object")
        }
        architecture = try DomainAdapterArchitecture(
            reading: AdapterManifestReader(fields: architectureFields, prefix: "architecture."))
        // 8. weights; 9. training
        weights = try AdapterManifest.weights(m)
        try AdapterManifest.checkTraining(m)
    }
}
