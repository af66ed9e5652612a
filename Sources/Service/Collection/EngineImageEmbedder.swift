import Engine
import Foundation
import Retrieval

/// Retrieval's `ImageEmbedder` backed by the engine: what `adaptclip index add` ingests with.
public struct EngineImageEmbedder: ImageEmbedder {
    public let engine: EmbeddingEngine
    public let space: EmbeddingSpace
    /// Per-batch deadline: ingestion is not interactive, but a stuck model must still surface.
    public let timeout: Duration

    public init(engine: EmbeddingEngine, timeout: Duration = .seconds(600)) throws {
        self.engine = engine
        self.space = try ImageCollection.space(of: engine)
        self.timeout = timeout
    }

    public func embed(images: [Data]) async throws -> [[Float]] {
        try await engine.embedImages(images, deadline: .now + timeout)
    }
}
