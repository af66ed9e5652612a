import Foundation

/// What kind of Hugging Face model a directory holds, from `config.json`'s `model_type`.
public enum ModelDirectory {
    public enum Kind: String, Sendable {
        case clip, bert
    }

    public static func kind(of directory: URL) throws(EngineError) -> Kind {
        let url = directory.appendingPathComponent("config.json")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw .modelLoad(directory: directory.path, reason: "no config.json")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let type = object["model_type"] as? String else {
            throw .modelLoad(directory: directory.path, reason: "config.json has no model_type")
        }
        guard let kind = Kind(rawValue: type) else {
            throw .modelLoad(directory: directory.path, reason: "model_type '\(type)' is neither clip nor bert")
        }
        return kind
    }
}
