import Engine
import Foundation
import Models

/// Domain adapters (kind "domain"): bottlenecks inside CLIP's encoders, one active in the
/// engine's `domain` slot, or none (the frozen encoders).
extension DomainAdapter: ServedAdapter {
    static var activation: AdapterActivation { .onePerKind(optional: true) }

    static func load(directory: URL, engine: EmbeddingEngine) throws -> DomainAdapter {
        try engine.loadDomainAdapter(directory: directory)
    }

    static func serving(in engine: EmbeddingEngine) -> [DomainAdapter] {
        engine.domainAdapters.active.map { [$0.adapter] } ?? []
    }

    static func slot(in engine: EmbeddingEngine) -> AdapterSlotSnapshot? { engine.domainAdapters.snapshot }

    func activate(in engine: EmbeddingEngine) -> AdapterIdentity? { engine.activate(self)?.identity }

    static func deactivate(named name: String, in engine: EmbeddingEngine) { engine.deactivateDomainAdapter() }

    /// The CLIP it runs inside.
    var baseModel: String { manifest.clip.id }

    func view(_ status: AdapterStatus) -> AdapterListingItem {
        .adapter(AdapterView(
            status, identity: identity, kind: kind, side: sides, language: nil, baseEncoder: nil, clip: manifest.clip.id))
    }
}
