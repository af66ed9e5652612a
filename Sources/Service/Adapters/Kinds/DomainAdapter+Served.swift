import Engine
import Foundation
import Models

/// Domain adapters (kind "domain"): bottlenecks inside CLIP's encoders, one active in the
/// engine's `domain` slot, or none (the frozen encoders).
extension DomainAdapter: SlotServedAdapter, HasAdapterManifest {
    static var activation: AdapterActivation { .onePerKind(optional: true) }

    static func load(directory: URL, engine: EmbeddingEngine) throws -> DomainAdapter {
        try engine.loadDomainAdapter(directory: directory)
    }

    static func engineSlot(_ engine: EmbeddingEngine) -> AdapterSlot<Self> { engine.domainAdapters }

    /// The CLIP it runs inside.
    var baseModel: String { manifest.clip.id }

    func view(_ status: AdapterStatus) -> AdapterListingItem {
        .adapter(AdapterView(
            status, identity: identity, kind: kind, side: sides, language: nil, baseEncoder: nil, clip: manifest.clip.id))
    }
}
