import Foundation

/// A CLIP model's `config.json` (`model_type: clip`), read fully.
/// Reference: transformers/models/clip/configuration_clip.py, `CLIPConfig`.
public struct CLIPConfiguration: Sendable, Equatable {
    public var text: CLIPTextConfiguration
    public var vision: CLIPVisionConfiguration
    public var projectionDim: Int
    /// The initial value only; the trained scale is the checkpoint's `logit_scale` tensor.
    public var logitScaleInitValue: Float

    public init(text: CLIPTextConfiguration, vision: CLIPVisionConfiguration, projectionDim: Int, logitScaleInitValue: Float) {
        self.text = text
        self.vision = vision
        self.projectionDim = projectionDim
        self.logitScaleInitValue = logitScaleInitValue
    }

    public static func load(contentsOf url: URL) throws -> CLIPConfiguration {
        try CLIPConfiguration(json: try ConfigReader.data(contentsOf: url))
    }

    public init(json data: Data) throws {
        let config = try ConfigReader.modelConfig(data, modelType: "clip")
        text = try CLIPTextConfiguration(reading: config.nested("text_config"))
        vision = try CLIPVisionConfiguration(reading: config.nested("vision_config"))
        projectionDim = try config.positiveInt("projection_dim", default: 512)
        logitScaleInitValue = Float(try config.double("logit_scale_init_value", default: 2.6592))
        try validate()
    }
}
