import Foundation
import Numerics

/// A language-adapter checkpoint directory that passed every check of docs/adapters.md
/// ("Validation", checks 1–16, in order, first failure wins) against a `LanguageAdapterHost`.
/// Nothing is decoded or built before all of them pass, so a refused checkpoint never
/// disturbs the adapter being served.
///
/// Reference: training/adaptclip_training/language_checkpoint.py, `validate_language_checkpoint`.
public struct LanguageAdapterCheckpoint: Sendable {
    public let directory: URL
    public let manifest: LanguageAdapterManifest
    let tensors: AdapterTensorFile

    public init(directory: URL, host: LanguageAdapterHost) throws(AdapterCheckpointError) {
        self.directory = directory
        // 1–10: the manifest alone.
        let manifest = try LanguageAdapterManifest.load(directory: directory)
        self.manifest = manifest
        // 11: against the loaded models.
        try host.check(manifest)
        // 12–16: the weights file.
        tensors = try AdapterTensorFile(
            directory: directory, weights: manifest.weights,
            expected: manifest.architecture.tensorShapes(inputSize: manifest.baseEncoder.hiddenSize, outputSize: manifest.clip.projectionDim))
    }
}

extension LanguageAdapterCheckpoint: WeightSource {
    /// The validated tensor `name`, widened to Float32.
    public func tensor(named name: String, expectedShape: [Int]) throws -> Tensor {
        try tensors.tensor(named: name, expectedShape: expectedShape)
    }
}
