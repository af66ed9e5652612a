import Foundation
import Numerics

/// A frozen CLIP: configuration plus weights, and the two encoders as plain functions.
///
/// Immutable and `Sendable`: any number of threads may encode at once; each call allocates
/// its own activations (once per batch, reused across layers).
public struct CLIPModel: Sendable {
    public let weights: CLIPWeights

    /// The configuration comes with the weights (`CLIPWeights.configuration`), never separately.
    public init(weights: CLIPWeights) {
        self.weights = weights
    }

    public var configuration: CLIPConfiguration { weights.configuration }
    /// The precision and kernel the model was loaded with (`kernelReport` says what they run on).
    public var options: ModelLoadOptions { weights.options }

    /// Loads a Hugging Face CLIP or Chinese-CLIP directory (`model_type` `clip` or
    /// `chinese_clip`): `config.json` and `model.safetensors`, its linear layers prepared as
    /// `options` says (`Precision.Unavailable` or `GEMMKernel.Unavailable` where this CPU cannot
    /// run it).
    public static func load(directory: URL, options: ModelLoadOptions = .standard) throws -> CLIPModel {
        let configuration = try CLIPConfiguration.load(contentsOf: directory.appendingPathComponent("config.json"))
        let checkpoint = try SafeTensorsFile(path: directory.appendingPathComponent("model.safetensors").path)
        return CLIPModel(weights: try CLIPWeights(from: checkpoint, configuration: configuration, options: options))
    }

    /// The trained logit scale (`logit_scale.exp()` multiplies cosine similarities in CLIP).
    public var logitScale: Float { weights.logitScale }
    public var projectionDim: Int { configuration.projectionDim }
    /// Which text encoder the model has: the token ids `encodeTexts` takes come from its tokenizer
    /// (`clip`: CLIP's BPE; `bert`: the directory's WordPiece `vocab.txt`).
    public var textTower: CLIPTextTower { configuration.text.tower }

    /// CLIP's text transformer, configuration and weights; refused naming `what` when the text
    /// tower is a BERT (learned prompts and text-side domain adapters live inside CLIP's).
    func clipTextTower(for what: String) throws -> (configuration: CLIPTextConfiguration, weights: CLIPTextWeights) {
        guard case .clip(let c) = configuration.text, case .clip(let w) = weights.text else {
            throw ModelError.unsupported("\(what) needs CLIP's text transformer; this model's text tower is a BERT")
        }
        return (c, w)
    }
}
