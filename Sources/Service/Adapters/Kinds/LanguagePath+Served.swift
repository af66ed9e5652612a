import Engine
import Foundation
import Models

/// The Chinese path (kind "language"): a trained language adapter over the frozen Chinese
/// encoder, or a published encoder with its own projection (Taiyi-CLIP, M-CLIP); one active in
/// the engine's `language:zh` slot, which always serves one. Either loads from the same admin
/// call: the directory says which it is.
extension LanguagePath: SlotServedAdapter {
    static var kind: AdapterKind { .language }
    static var activation: AdapterActivation { .onePerKind(optional: false) }

    static func load(directory: URL, engine: EmbeddingEngine) throws -> LanguagePath {
        try engine.loadLanguagePath(directory: directory)
    }

    static func engineSlot(_ engine: EmbeddingEngine) -> AdapterSlot<Self> { engine.languagePaths }

    /// The encoder it reads: the frozen one an adapter was trained on, or itself.
    var baseModel: String {
        switch self {
        case .adapter(let adapter): adapter.manifest.baseEncoder.id
        case .encoder(let encoder): encoder.identity.id
        }
    }

    func view(_ status: AdapterStatus) -> AdapterListingItem {
        switch self {
        case .adapter(let adapter):
            let manifest = adapter.manifest
            return .adapter(AdapterView(
                status, identity: identity, kind: Self.kind, side: "text", language: manifest.language,
                baseEncoder: manifest.baseEncoder.id, clip: manifest.clip.id))
        case .encoder(let encoder):
            return .adapter(AdapterView(
                status, identity: identity, kind: Self.kind, side: "text", language: encoder.languages.joined(separator: ","),
                baseEncoder: encoder.identity.id, clip: "a text space of \(encoder.model.outputDimension) dimensions"))
        }
    }
}
