import Engine
import Retrieval

extension EmbeddingEngine {
    /// The space the engine's image side embeds into under the active domain adapter: the
    /// collection is only ever searched with queries from this space.
    public func imageSpace() throws -> EmbeddingSpace {
        try imageSpace(domain: domainAdapters.active)
    }

    /// The space of images embedded under `domain` (a lease the caller holds for its request).
    /// A domain adapter with a vision side is part of it.
    public func imageSpace(domain: DomainLease?) throws -> EmbeddingSpace {
        try EmbeddingSpace(modelID: modelName, imageAdapterID: imageSpaceAdapterID(domain), dimension: dimension)
    }

    /// The model ids stored spaces may carry for this CLIP from before models were named by
    /// identity: the name the directory (or the embedded default) gave it.
    public var formerModelIDs: [String] { [clip.name] }
}
