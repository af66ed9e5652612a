import Foundation

/// Turns encoded images into embeddings of one space. The CLI wires this to the Engine (CLIP
/// vision tower + the configured image-side adapter); Retrieval knows nothing of models.
public protocol ImageEmbedder: Sendable {
    var space: EmbeddingSpace { get }
    /// One vector of `space.dimension` floats per input, in order. Throws when any image cannot
    /// be decoded; the ingestor then retries the batch one image at a time to isolate it.
    func embed(images: [Data]) async throws -> [[Float]]
}
