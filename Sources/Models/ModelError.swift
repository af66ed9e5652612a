/// Why a model directory could not be loaded, or an input could not be encoded.
/// Every case names the file, config key or tensor at fault.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    case missingFile(String)
    case invalidConfig(key: String, reason: String)
    /// The file exists but could not be opened, sized or mapped.
    case unreadableFile(path: String, reason: String)
    /// The safetensors container itself is malformed (length prefix, header JSON).
    case invalidSafeTensors(path: String, reason: String)
    /// One header entry is malformed: offsets, shape, size, or an unknown dtype.
    case invalidTensorEntry(tensor: String, reason: String)
    /// A known dtype this loader does not convert to Float32 (only F32, F16, BF16 are).
    case unsupportedDType(tensor: String, dtype: String)
    case missingTensor(String)
    case tensorShapeMismatch(tensor: String, expected: [Int], actual: [Int])
    /// A forward-pass input that does not fit the model (token id, length, pixel count).
    case invalidInput(String)
    /// A request this model's architecture cannot serve (e.g. a text-side domain adapter on a
    /// BERT text tower): says what and why.
    case unsupported(String)
    /// The caller's `shouldStop` turned true, checked between layers: the pass was abandoned
    /// (no request is left to read its result).
    case stopped

    public var description: String {
        switch self {
        case .missingFile(let path): "model file not found: \(path)"
        case .invalidConfig(let key, let reason): "invalid config.json key '\(key)': \(reason)"
        case .unreadableFile(let path, let reason): "cannot read \(path): \(reason)"
        case .invalidSafeTensors(let path, let reason): "invalid safetensors file \(path): \(reason)"
        case .invalidTensorEntry(let tensor, let reason): "invalid safetensors entry '\(tensor)': \(reason)"
        case .unsupportedDType(let tensor, let dtype):
            "tensor '\(tensor)' has dtype \(dtype); only F32, F16 and BF16 can be loaded"
        case .missingTensor(let name): "tensor '\(name)' is missing from the checkpoint"
        case .tensorShapeMismatch(let tensor, let expected, let actual):
            "tensor '\(tensor)' has shape \(actual), expected \(expected)"
        case .invalidInput(let reason): "invalid input: \(reason)"
        case .unsupported(let reason): "not supported: \(reason)"
        case .stopped: "the forward pass was stopped between layers"
        }
    }
}
