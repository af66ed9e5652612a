import Foundation
import Models

extension EmbeddingEngine {
    /// Zero-shot classification of one encoded image with the learned prompt `entry` (leased
    /// once by the caller from `prompts.registry`): unit-length image and class features.
    /// CoOp prompts take the image through the shared image batcher; structured prompts take
    /// it through their own pass (they need the vision tokens, not just the features).
    public func classify(
        image: Data, labels: [String], prompt entry: PromptRegistry.Entry, deadline: ContinuousClock.Instant
    ) async throws -> PromptClassifier.Classification {
        try await prompts.classify(
            image: image, labels: labels, entry: entry,
            embedImage: { data in try await self.embedImages([data], deadline: deadline)[0] },
            preparePixels: { data in try await self.budgetedPixels(data, deadline: deadline) }, deadline: deadline)
    }
}
