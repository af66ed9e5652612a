import Foundation

/// A learned-prompt checkpoint directory that passed every check of docs/adapters.md
/// ("Learned prompts": the manifest, the loaded CLIP, then the weights file's checks 12–16),
/// in order, first failure wins. Nothing is decoded before all of them pass.
/// Reference: training/adaptclip_training/prompt_checkpoint.py, `validate_prompt`.
public struct PromptCheckpoint: Sendable {
    public let directory: URL
    public let manifest: PromptManifest
    let tensors: AdapterTensorFile

    public init(directory: URL, host: PromptHost) throws(AdapterCheckpointError) {
        self.directory = directory
        let manifest = try PromptManifest.load(directory: directory)
        self.manifest = manifest
        try host.check(manifest)
        tensors = try AdapterTensorFile(
            directory: directory, weights: manifest.weights,
            expected: manifest.architecture.tensorShapes(
                textHiddenSize: manifest.clip.textHiddenSize, visionHiddenSize: manifest.clip.visionHiddenSize))
    }
}
