import Foundation
import Models

extension EmbeddingEngine {
    /// Loads and validates a learned prompt checkpoint against the loaded CLIP, then runs it
    /// once (warm-up) — everything that can fail happens here, before it can replace a prompt
    /// being served.
    public func loadPrompt(directory: URL) throws -> LearnedPrompt {
        try prompts.load(directory: directory)
    }

    /// Serves `prompt` under its manifest name (a request picks it by name); returns the entry
    /// it replaced. Requests in flight keep the entry they took.
    @discardableResult
    public func activate(_ prompt: LearnedPrompt) -> PromptRegistry.Entry? {
        prompts.registry.activate(PromptRegistry.Entry(prompt: prompt, clipName: clip.name))
    }

    /// Stops serving the prompt named `name`; returns its entry, nil when none had that name.
    @discardableResult
    public func deactivatePrompt(named name: String) -> PromptRegistry.Entry? {
        prompts.registry.deactivate(named: name)
    }

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
