import Engine
import Foundation
import Models

/// Learned prompts (kind "prompt"): every loaded one serves under its name and a
/// `/v1/classify` request picks one with `prompt`; they have no slot.
extension LearnedPrompt: ServedAdapter, HasAdapterManifest {
    static var activation: AdapterActivation { .onePerName }

    static func load(directory: URL, engine: EmbeddingEngine) throws -> LearnedPrompt {
        try engine.loadPrompt(directory: directory)
    }

    static func serving(in engine: EmbeddingEngine) -> [LearnedPrompt] { engine.prompts.registry.all.map(\.prompt) }

    static func slot(in engine: EmbeddingEngine) -> AdapterSlotSnapshot? { nil }

    func activate(in engine: EmbeddingEngine) -> AdapterIdentity? { engine.activate(self)?.identity }

    static func deactivate(named name: String, in engine: EmbeddingEngine) { engine.deactivatePrompt(named: name) }

    /// The CLIP whose text encoder it feeds.
    var baseModel: String { manifest.clip.id }

    func view(_ status: AdapterStatus) -> AdapterListingItem {
        .prompt(PromptView(
            key: status.key, kind: kind.rawValue, name: manifest.name, version: manifest.version,
            variant: manifest.architecture.variantName, clip: manifest.clip.id, task: manifest.task?.name,
            sha256: manifest.weights.sha256, path: status.path, loaded_at: AdapterView.timestamp(status.loadedAt)))
    }
}
