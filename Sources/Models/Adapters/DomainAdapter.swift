import Foundation
import Numerics

/// A domain adapter: parallel bottlenecks beside the MLPs of chosen layers of CLIP's vision
/// and/or text encoder (docs/adapters.md, "Domain adapter"). It has no forward pass of its own:
/// `CLIPModel.encodeImages` / `encodeTexts` take it and run each side inside its encoder.
///
/// Immutable and `Sendable`; any number of batches may use it at once.
/// Reference: training/adaptclip_training/domain_adapter.py, `DomainAdapter`.
public struct DomainAdapter: Sendable {
    public let manifest: DomainAdapterManifest
    public let vision: DomainAdapterTower?
    public let text: DomainAdapterTower?

    /// Validates the checkpoint in `directory` against `host` (every check; refusals are
    /// `AdapterCheckpointError`), then decodes it, its bottlenecks prepared as `options` says
    /// (normally the host CLIP's).
    public static func load(
        directory: URL, host: DomainAdapterHost, options: ModelLoadOptions = .standard
    ) throws -> DomainAdapter {
        try DomainAdapter(checkpoint: DomainAdapterCheckpoint(directory: directory, host: host), options: options)
    }

    public init(checkpoint: DomainAdapterCheckpoint, options: ModelLoadOptions = .standard) throws {
        let architecture = checkpoint.manifest.architecture
        manifest = checkpoint.manifest
        vision = try architecture.vision.map {
            try DomainAdapterTower(from: checkpoint, tower: .vision, side: $0, options: options)
        }
        text = try architecture.text.map { try DomainAdapterTower(from: checkpoint, tower: .text, side: $0, options: options) }
    }

    /// Which encoders it changes: "vision", "text" or "vision+text".
    public var sides: String {
        DomainAdapterArchitecture.Tower.allCases.filter { manifest.architecture.side($0) != nil }.map(\.rawValue)
            .joined(separator: "+")
    }
}
