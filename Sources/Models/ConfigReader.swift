import Foundation

/// Typed look-ups in one JSON object of a Hugging Face `config.json`, with the key path kept
/// for error messages ("vision_config.patch_size"). A missing key takes the default that
/// transformers' configuration class would give it; a present key of the wrong type is an error.
struct ConfigReader {
    let object: [String: Any]
    let prefix: String

    init(object: [String: Any], prefix: String = "") {
        self.object = object
        self.prefix = prefix
    }

    func path(_ key: String) -> String { prefix.isEmpty ? key : "\(prefix).\(key)" }

    func nested(_ key: String) throws -> ConfigReader {
        guard let value = object[key], !(value is NSNull) else { return ConfigReader(object: [:], prefix: path(key)) }
        guard let child = value as? [String: Any] else {
            throw ModelError.invalidConfig(key: path(key), reason: "expected an object")
        }
        return ConfigReader(object: child, prefix: path(key))
    }

    /// A positive integer (sizes, counts).
    func positiveInt(_ key: String, default fallback: Int) throws -> Int {
        let value = try int(key, default: fallback)
        guard value > 0 else { throw ModelError.invalidConfig(key: path(key), reason: "must be positive, got \(value)") }
        return value
    }

    func int(_ key: String, default fallback: Int) throws -> Int {
        guard let value = object[key], !(value is NSNull) else { return fallback }
        guard let number = value as? NSNumber, number.doubleValue == number.doubleValue.rounded(),
            abs(number.doubleValue) < 0x1p62
        else {
            throw ModelError.invalidConfig(key: path(key), reason: "expected an integer, got \(value)")
        }
        return number.intValue
    }

    func double(_ key: String, default fallback: Double) throws -> Double {
        guard let value = object[key], !(value is NSNull) else { return fallback }
        guard let number = value as? NSNumber, number.doubleValue.isFinite else {
            throw ModelError.invalidConfig(key: path(key), reason: "expected a number, got \(value)")
        }
        return number.doubleValue
    }

    func string(_ key: String, default fallback: String?) throws -> String? {
        guard let value = object[key], !(value is NSNull) else { return fallback }
        guard let text = value as? String else {
            throw ModelError.invalidConfig(key: path(key), reason: "expected a string, got \(value)")
        }
        return text
    }
}

extension ConfigReader {
    /// Reads a Hugging Face `config.json` (a missing file is `ModelError.missingFile`).
    static func data(contentsOf url: URL) throws -> Data {
        do { return try Data(contentsOf: url) } catch { throw ModelError.missingFile(url.path) }
    }

    /// The root object of a `config.json` whose `model_type` must be `modelType`.
    static func modelConfig(_ data: Data, modelType: String) throws -> ConfigReader {
        try modelConfig(data, modelTypes: [modelType]).config
    }

    /// The root object of a `config.json` whose `model_type` is one of `modelTypes`, and which one.
    static func modelConfig(_ data: Data, modelTypes: [String]) throws -> (config: ConfigReader, modelType: String) {
        let config = try root(data)
        let found = try config.string("model_type", default: nil)
        guard let found, modelTypes.contains(found) else {
            let expected = modelTypes.map { "\"\($0)\"" }.joined(separator: " or ")
            throw ModelError.invalidConfig(
                key: "model_type", reason: "expected \(expected), got \(found.map { "\"\($0)\"" } ?? "nothing")")
        }
        return (config, found)
    }

    /// The root object of a `config.json`, whatever its `model_type`.
    static func root(_ data: Data) throws -> ConfigReader {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw ModelError.invalidConfig(key: "", reason: "config.json is not valid JSON")
        }
        guard let root = object as? [String: Any] else {
            throw ModelError.invalidConfig(key: "", reason: "config.json is not a JSON object")
        }
        return ConfigReader(object: root)
    }
}
