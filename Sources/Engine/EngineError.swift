import Imaging

/// Failures of the engine's plain Swift API. Each says what a caller can act on.
public enum EngineError: Error, Equatable, CustomStringConvertible {
    /// A model directory could not be loaded; `reason` names the file or field at fault.
    case modelLoad(directory: String, reason: String)
    /// The text path for a language is not available (no encoder or adapter loaded).
    case languageUnavailable(QueryLanguage, reason: String)
    /// One image of a request could not be decoded or preprocessed.
    case image(index: Int, ImageError)
    /// The images of one request announce more pixels together than one request may decode;
    /// `index` is the first image past the limit.
    case imagePixelBudget(index: Int, pixels: Int, limit: Int)
    /// Label `index` of a request cannot be used (e.g. too long for a learned prompt).
    case label(index: Int, reason: String)
    /// The model itself failed on valid input (a bug, reported as a 500).
    case model(String)

    public var description: String {
        switch self {
        case .modelLoad(let directory, let reason): "cannot load model from \(directory): \(reason)"
        case .languageUnavailable(let language, let reason): "language '\(language.rawValue)' is unavailable: \(reason)"
        case .image(let index, let error): "image \(index): \(error)"
        case .imagePixelBudget(let index, let pixels, let limit):
            "images up to \(index) announce \(pixels) pixels together, more than the \(limit) one request may decode"
        case .label(let index, let reason): "label \(index) \(reason)"
        case .model(let message): "model failure: \(message)"
        }
    }
}
