import Models

/// Why a published encoder directory cannot serve as the Chinese path. `description` says it
/// all (logs, the CLI); `redacted` names only the file, key, tensor or dimensions at fault —
/// what the admin API may answer about files its caller may not otherwise read.
public struct PublishedEncoderRefusal: Error, CustomStringConvertible {
    public let directory: String
    public let description: String
    public let redacted: String

    init(directory: String, reason: String, redacted: String? = nil) {
        self.directory = directory
        self.description = "\(directory): \(reason)"
        self.redacted = redacted ?? reason
    }

    /// A model-loading error, redacted to the part of the files it names.
    init(directory: String, _ error: any Error) {
        let redacted: String
        switch error {
        case ModelError.missingFile(let path): redacted = "a file is missing: \(path.split(separator: "/").last ?? "")"
        case ModelError.invalidConfig(let key, _): redacted = "config.json key '\(key)' is invalid"
        case ModelError.missingTensor(let name): redacted = "tensor '\(name)' is missing"
        case ModelError.tensorShapeMismatch(let tensor, let expected, let actual):
            redacted = "tensor '\(tensor)' has shape \(actual), config.json implies \(expected)"
        case ModelError.invalidSafeTensors, ModelError.invalidTensorEntry, ModelError.unsupportedDType:
            redacted = "model.safetensors is not a valid float checkpoint"
        default: redacted = "the directory is not a published encoder this server can load (\(type(of: error)))"
        }
        self.init(directory: directory, reason: "\(error)", redacted: redacted)
    }
}
