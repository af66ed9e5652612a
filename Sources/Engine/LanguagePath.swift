import Foundation
import Models
import Tokenizers

/// What turns Chinese text into a vector of the CLIP's text space, as the `language:zh` slot
/// serves it: a trained adapter over the engine's frozen Chinese encoder, or a published
/// encoder that carries its own tokenizer and projection. Hot-swapping between the two is one
/// slot activation like any other.
public enum LanguagePath: Sendable {
    case adapter(LanguageAdapter)
    case encoder(PublishedLanguageEncoder)

    public var identity: AdapterIdentity {
        switch self {
        case .adapter(let adapter): adapter.manifest.identity
        case .encoder(let encoder): encoder.adapterIdentity
        }
    }

    /// Languages it embeds.
    public var languages: [String] {
        switch self {
        case .adapter(let adapter): [adapter.manifest.language]
        case .encoder(let encoder): encoder.languages
        }
    }
}
