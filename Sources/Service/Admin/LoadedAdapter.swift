import Engine
import Foundation
import Models

/// An adapter checkpoint loaded into this process, of any kind the admin API serves. Each kind
/// has its own slot in the engine: activating a domain adapter leaves the language adapter alone.
enum LoadedAdapter: Sendable {
    case language(LanguageAdapter)
    case domain(DomainAdapter)

    /// The manifest's `kind`.
    var kind: String {
        switch self {
        case .language: "language"
        case .domain: DomainAdapterManifest.kind
        }
    }

    var name: String {
        switch self {
        case .language(let a): a.manifest.name
        case .domain(let a): a.manifest.name
        }
    }

    var version: String {
        switch self {
        case .language(let a): a.manifest.version
        case .domain(let a): a.manifest.version
        }
    }

    var sha256: String {
        switch self {
        case .language(let a): a.manifest.weights.sha256
        case .domain(let a): a.manifest.weights.sha256
        }
    }

    var clipID: String {
        switch self {
        case .language(let a): a.manifest.clip.id
        case .domain(let a): a.manifest.clip.id
        }
    }

    /// The encoder side it changes: "text" for a language adapter (Chinese queries into CLIP's
    /// text space); "vision", "text" or "vision+text" for a domain adapter.
    var side: String {
        switch self {
        case .language: "text"
        case .domain(let a): a.sides
        }
    }

    /// The model the catalog records it against: the base encoder, or the CLIP it runs inside.
    var baseModel: String {
        switch self {
        case .language(let a): a.manifest.baseEncoder.id
        case .domain(let a): a.manifest.clip.id
        }
    }

    /// Loads `directory` with the loader of the kind its manifest names (the language loader
    /// when it names none it knows, which then refuses with the precise reason).
    static func load(directory: URL, engine: EmbeddingEngine) throws -> LoadedAdapter {
        if PromptAdmin.kind(ofCheckpointAt: directory.path) == DomainAdapterManifest.kind {
            return .domain(try engine.loadDomainAdapter(directory: directory))
        }
        return .language(try engine.loadLanguageAdapter(directory: directory))
    }

    /// The engine slot this kind lives in (its name, the active one's identity).
    func slotName(_ engine: EmbeddingEngine) -> String {
        switch self {
        case .language: engine.languageAdapters.slotName
        case .domain: engine.domainAdapters.slotName
        }
    }

    /// True when exactly these weights are what its slot serves.
    func isActive(in engine: EmbeddingEngine) -> Bool {
        switch self {
        case .language(let a):
            guard let active = engine.languageAdapters.active else { return false }
            return active.name == a.manifest.name && active.version == a.manifest.version
                && active.adapter.manifest.weights.sha256 == a.manifest.weights.sha256
        case .domain(let a):
            guard let active = engine.domainAdapters.active else { return false }
            return active.name == a.manifest.name && active.version == a.manifest.version
                && active.adapter.manifest.weights.sha256 == a.manifest.weights.sha256
        }
    }

    /// Requests served by its current activation (0 when not active).
    func requestCount(in engine: EmbeddingEngine) -> Int {
        guard isActive(in: engine) else { return 0 }
        switch self {
        case .language:
            return engine.languageAdapters.active.map { engine.languageAdapters.requestCount(generation: $0.generation) } ?? 0
        case .domain:
            return engine.domainAdapters.active.map { engine.domainAdapters.requestCount(generation: $0.generation) } ?? 0
        }
    }

    /// Makes it active in its slot; returns what was active there ("name@version"), if anything.
    func activate(in engine: EmbeddingEngine) -> String? {
        switch self {
        case .language(let a): engine.activate(a).map { "\($0.name)@\($0.version)" }
        case .domain(let a): engine.activate(a).map { "\($0.name)@\($0.version)" }
        }
    }
}
