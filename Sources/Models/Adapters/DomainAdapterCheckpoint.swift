import Foundation
import Numerics

/// A domain-adapter checkpoint directory that passed every check of docs/adapters.md
/// ("Domain adapter", "Validation", in order, first failure wins) against a `DomainAdapterHost`.
/// Nothing is decoded before all of them pass, so a refused checkpoint never disturbs the
/// adapter being served.
///
/// Reference: training/adaptclip_training/domain_checkpoint.py, `validate_domain_checkpoint`.
public struct DomainAdapterCheckpoint: Sendable {
    public let directory: URL
    public let manifest: DomainAdapterManifest
    let weightsFile: AdapterTensorFile

    public init(directory: URL, host: DomainAdapterHost) throws(AdapterCheckpointError) {
        self.directory = directory
        // The manifest alone, then against the loaded CLIP, then the weights file.
        let manifest = try DomainAdapterManifest.load(directory: directory)
        self.manifest = manifest
        try host.check(manifest)
        weightsFile = try AdapterTensorFile(
            directory: directory, weights: manifest.weights, expected: manifest.architecture.tensorShapes())
    }
}

extension DomainAdapterCheckpoint: WeightSource {
    public func tensor(named name: String, expectedShape: [Int]) throws -> Tensor {
        try weightsFile.tensor(named: name, expectedShape: expectedShape)
    }
}
