/// Why a model directory could not be loaded.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    case missingFile(String)
    case invalidConfig(key: String, reason: String)

    public var description: String {
        switch self {
        case .missingFile(let path): "model file not found: \(path)"
        case .invalidConfig(let key, let reason): "invalid config.json key '\(key)': \(reason)"
        }
    }
}
