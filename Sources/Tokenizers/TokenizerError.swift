/// Why a tokenizer could not be loaded. Malformed files are typed errors at load time,
/// never a trap in a running server. Encoding itself cannot fail once loading succeeded:
/// unknown text becomes the unknown token, exactly as the reference does.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
    case missingFile(String)
    case malformed(file: String, reason: String)
    /// A special token (BOS, EOS, [CLS], [UNK] ...) named by the configuration has no id in the vocabulary.
    case missingSpecialToken(role: String, token: String)
    /// A configuration asks for behaviour this implementation does not reproduce (rather than
    /// silently tokenising differently from the reference).
    case unsupported(file: String, reason: String)

    public var description: String {
        switch self {
        case .missingFile(let path): "tokenizer file not found: \(path)"
        case .malformed(let file, let reason): "malformed tokenizer file \(file): \(reason)"
        case .missingSpecialToken(let role, let token): "special token \(role) \"\(token)\" is not in the vocabulary"
        case .unsupported(let file, let reason): "unsupported tokenizer setting in \(file): \(reason)"
        }
    }
}
