import Engine
import Foundation
import Retrieval

/// Retrieval's `ImageEmbedder` backed by the engine, under one domain-adapter lease: its space
/// and its vectors come from the same adapter, so a swap in between cannot put a vector of
/// another space into an index. What `adaptclip index add` ingests with and what an upload
/// (`POST /v1/images`) is embedded by.
public struct EngineImageEmbedder: ImageEmbedder {
    public let engine: EmbeddingEngine
    public let domain: DomainLease?
    public let space: EmbeddingSpace
    private let deadline: @Sendable () -> ContinuousClock.Instant

    /// For ingestion: each batch gets `timeout` (ingestion is not interactive, but a stuck model
    /// must still surface), under the domain adapter active now.
    public init(engine: EmbeddingEngine, timeout: Duration = .seconds(600)) throws {
        try self.init(engine: engine, domain: engine.domainAdapters.lease(), deadline: { .now + timeout })
    }

    /// For one request: its lease and its deadline.
    public init(engine: EmbeddingEngine, domain: DomainLease?, deadline: ContinuousClock.Instant) throws {
        try self.init(engine: engine, domain: domain, deadline: { deadline })
    }

    private init(engine: EmbeddingEngine, domain: DomainLease?, deadline: @escaping @Sendable () -> ContinuousClock.Instant) throws {
        self.engine = engine
        self.domain = domain
        self.space = try engine.imageSpace(domain: domain)
        self.deadline = deadline
    }

    public func embed(images: [Data]) async throws -> [[Float]] {
        try await engine.embedImages(images, domain: domain, deadline: deadline())
    }
}
