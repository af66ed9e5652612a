import Engine
import Foundation
import Models

/// Language adapters (kind "language"): the Chinese encoder's vectors into CLIP's text space,
/// one active in the engine's `language:zh` slot, which always serves one.
extension LanguageAdapter: ServedAdapter {
    static var activation: AdapterActivation { .onePerKind(optional: false) }

    static func load(directory: URL, engine: EmbeddingEngine) throws -> LanguageAdapter {
        try engine.loadLanguageAdapter(directory: directory)
    }

    static func serving(in engine: EmbeddingEngine) -> [LanguageAdapter] {
        engine.languageAdapters.active.map { [$0.adapter] } ?? []
    }

    static func slot(in engine: EmbeddingEngine) -> AdapterSlotSnapshot? { engine.languageAdapters.snapshot }

    func activate(in engine: EmbeddingEngine) -> AdapterIdentity? { engine.activate(self)?.identity }

    /// Only for completeness of the kind: the lifecycle never empties a slot that is not optional.
    static func deactivate(named name: String, in engine: EmbeddingEngine) { engine.languageAdapters.clear() }

    var baseModel: String { manifest.baseEncoder.id }

    func view(_ status: AdapterStatus) -> AdapterListingItem {
        .adapter(AdapterView(
            status, identity: identity, kind: kind, side: "text", language: manifest.language,
            baseEncoder: manifest.baseEncoder.id, clip: manifest.clip.id))
    }
}
