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
