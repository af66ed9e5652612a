/// The kinds of checkpoint this server loads beside the frozen models. The raw value is the
/// manifest's `kind` and what the admin API and the adapters table say.
///
/// A new kind is a case here, its manifest and model in Models, and one conformance in
/// Service/Adapters/Kinds (docs/architecture.md, "Adding an adapter kind").
public enum AdapterKind: String, Sendable, CaseIterable {
    /// Maps another language's encoder into CLIP's text space (one active per language slot).
    case language
    /// Bottlenecks inside CLIP's own encoders (one active, or none).
    case domain
    /// Learned prompt vectors for zero-shot classification (any number, chosen per request).
    case prompt

    /// How a refusal names a checkpoint of this kind: "is not a domain adapter", "is not a prompt".
    public var noun: String {
        switch self {
        case .language, .domain: "\(rawValue) adapter"
        case .prompt: "prompt"
        }
    }
}
