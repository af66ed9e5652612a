import Engine
import Foundation
import Models

/// Language adapters (kind "language"): the Chinese encoder's vectors into CLIP's text space,
/// one active in the engine's `language:zh` slot, which always serves one.
extension LanguageAdapter: SlotServedAdapter {
    static var activation: AdapterActivation { .onePerKind(optional: false) }

    static func load(directory: URL, engine: EmbeddingEngine) throws -> LanguageAdapter {
        try engine.loadLanguageAdapter(directory: directory)
    }

    static func engineSlot(_ engine: EmbeddingEngine) -> AdapterSlot<Self> { engine.languageAdapters }

    var baseModel: String { manifest.baseEncoder.id }

    func view(_ status: AdapterStatus) -> AdapterListingItem {
        .adapter(AdapterView(
            status, identity: identity, kind: kind, side: "text", language: manifest.language,
            baseEncoder: manifest.baseEncoder.id, clip: manifest.clip.id))
    }
}
