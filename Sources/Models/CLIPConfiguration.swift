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
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ModelError.missingFile(url.path)
        }
        return try CLIPConfiguration(json: data)
    }

    public init(json data: Data) throws {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw ModelError.invalidConfig(key: "", reason: "config.json is not valid JSON")
        }
        guard let root = object as? [String: Any] else {
            throw ModelError.invalidConfig(key: "", reason: "config.json is not a JSON object")
        }
        let config = ConfigReader(object: root)
        let modelType = try config.string("model_type", default: nil)
        guard modelType == "clip" else {
            throw ModelError.invalidConfig(key: "model_type", reason: "expected \"clip\", got \(modelType.map { "\"\($0)\"" } ?? "nothing")")
        }
        text = try CLIPTextConfiguration(reading: config.nested("text_config"))
        vision = try CLIPVisionConfiguration(reading: config.nested("vision_config"))
        projectionDim = try config.positiveInt("projection_dim", default: 512)
        logitScaleInitValue = Float(try config.double("logit_scale_init_value", default: 2.6592))
        try validate()
    }
}
