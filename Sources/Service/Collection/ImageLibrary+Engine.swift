import Engine
import Foundation
import JSON
import Retrieval

extension ImageLibrary {
    /// Stores an uploaded image, embedded by `engine` under one domain-adapter lease for the
    /// space check and the embedding (`EmbeddingSpaceMismatch`, answered 409, while another
    /// space is served).
    func add(
        _ bytes: Data, path: String? = nil, caption: String?, metadata: [String: JSONValue], engine: EmbeddingEngine,
        deadline: ContinuousClock.Instant
    ) async throws -> Added {
        let embedder = try EngineImageEmbedder(engine: engine, domain: engine.domainAdapters.lease(), deadline: deadline)
        return try await add(bytes, path: path, caption: caption, metadata: metadata, embedder: embedder)
    }
}
