import Foundation

/// A CLIP-style model's `config.json`, read fully: `model_type: clip` (CLIP's text transformer)
/// or `model_type: chinese_clip` (a BERT text tower beside CLIP's vision tower).
/// Reference: transformers/models/clip/configuration_clip.py, `CLIPConfig`;
/// models/chinese_clip/configuration_chinese_clip.py, `ChineseCLIPConfig` (same defaults for
/// `projection_dim` and `logit_scale_init_value`; its text defaults are `BertConfig`'s).
public struct CLIPConfiguration: Sendable, Equatable {
    public var text: CLIPTextTowerConfiguration
    public var vision: CLIPVisionConfiguration
    public var projectionDim: Int
    /// The initial value only; the trained scale is the checkpoint's `logit_scale` tensor.
    public var logitScaleInitValue: Float

    public init(text: CLIPTextTowerConfiguration, vision: CLIPVisionConfiguration, projectionDim: Int, logitScaleInitValue: Float) {
        self.text = text
        self.vision = vision
        self.projectionDim = projectionDim
        self.logitScaleInitValue = logitScaleInitValue
    }

    /// A CLIP with its own text transformer.
    public init(text: CLIPTextConfiguration, vision: CLIPVisionConfiguration, projectionDim: Int, logitScaleInitValue: Float) {
        self.init(text: .clip(text), vision: vision, projectionDim: projectionDim, logitScaleInitValue: logitScaleInitValue)
    }

    public static func load(contentsOf url: URL) throws -> CLIPConfiguration {
        try CLIPConfiguration(json: try ConfigReader.data(contentsOf: url))
    }

    public init(json data: Data) throws {
        let (config, modelType) = try ConfigReader.modelConfig(data, modelTypes: ["clip", "chinese_clip"])
        let textConfig = try config.nested("text_config")
        text = modelType == "chinese_clip"
            ? .bert(try BERTConfiguration(reading: textConfig, positions: .fromZero))
            : .clip(try CLIPTextConfiguration(reading: textConfig))
        vision = try CLIPVisionConfiguration(reading: config.nested("vision_config"))
        projectionDim = try config.positiveInt("projection_dim", default: 512)
        logitScaleInitValue = Float(try config.double("logit_scale_init_value", default: 2.6592))
        try validate()
    }
}
