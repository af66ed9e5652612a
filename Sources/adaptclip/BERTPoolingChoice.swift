import ArgumentParser
import Models

/// `--pooling cls|mean|pooler` for `embed --model BERTDIR`.
struct BERTPoolingChoice {
    let pooling: BERTPooling

    init(_ text: String) throws {
        switch text {
        case "cls": pooling = .cls
        case "mean": pooling = .mean
        case "pooler": pooling = .pooler
        default: throw ValidationError("--pooling must be cls, mean or pooler, got '\(text)'")
        }
    }
}
