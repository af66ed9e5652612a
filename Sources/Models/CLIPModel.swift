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

    /// Loads a Hugging Face CLIP directory: `config.json` and `model.safetensors`, its linear
    /// layers prepared as `options` says (`Precision.Unavailable` or `GEMMKernel.Unavailable`
    /// where this CPU cannot run it).
    public static func load(directory: URL, options: ModelLoadOptions = .standard) throws -> CLIPModel {
        let configuration = try CLIPConfiguration.load(contentsOf: directory.appendingPathComponent("config.json"))
        let checkpoint = try SafeTensorsFile(path: directory.appendingPathComponent("model.safetensors").path)
        return CLIPModel(weights: try CLIPWeights(from: checkpoint, configuration: configuration, options: options))
    }

    /// The trained logit scale (`logit_scale.exp()` multiplies cosine similarities in CLIP).
    public var logitScale: Float { weights.logitScale }
    public var projectionDim: Int { configuration.projectionDim }
}
