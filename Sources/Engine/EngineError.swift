/// Failures of the engine's plain Swift API (embed, classify).
public enum EngineError: Error, Equatable, CustomStringConvertible {
    case modelNotLoaded(String)

    public var description: String {
        switch self {
        case .modelNotLoaded(let what): "model not loaded: \(what)"
        }
    }
}
