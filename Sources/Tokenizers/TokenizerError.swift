/// Why a tokenizer could not be loaded. Malformed files are typed errors at load time,
/// never a trap in a running server.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
    case missingFile(String)
    case malformed(file: String, reason: String)

    public var description: String {
        switch self {
        case .missingFile(let path): "tokenizer file not found: \(path)"
        case .malformed(let file, let reason): "malformed tokenizer file \(file): \(reason)"
        }
    }
}
