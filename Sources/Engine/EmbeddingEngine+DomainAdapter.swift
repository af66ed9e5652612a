import Foundation
import Models

/// A request's hold on the active domain adapter (see `AdapterSlot.Lease`).
public typealias DomainLease = AdapterSlot<DomainAdapter>.Lease

extension EmbeddingEngine {
    /// Loads and validates a domain adapter checkpoint against the loaded CLIP (every check of
    /// docs/adapters.md), then runs each of its sides once (warm-up) — everything that can fail
    /// happens here, before any swap. Its layers take CLIP's precision and kernel.
    public func loadDomainAdapter(directory: URL) throws -> DomainAdapter {
        let adapter = try DomainAdapter.load(
            directory: directory, host: DomainAdapterHost(clip: clip.model, clipID: clip.name), options: clip.options)
        let model = clip.model
        if adapter.text != nil {
            _ = try model.encodeTexts(tokenIDs: [clip.tokenizer.encode("warm up")], adapter: adapter)
        }
        if adapter.vision != nil {
            let v = model.configuration.vision
            _ = try model.encodeImages(
                pixels: [Float](repeating: 0, count: v.numChannels * v.imageSize * v.imageSize), count: 1, adapter: adapter)
        }
        return adapter
    }

    /// Makes `adapter` the one new requests use; requests in flight keep theirs. With a vision
    /// side this changes the image embedding space (`imageSpaceAdapterID`).
    @discardableResult
    public func activate(_ adapter: DomainAdapter) -> DomainLease? {
        domainAdapters.activate(adapter, identity: adapter.manifest.identity)
    }

    /// Back to the frozen encoders for new requests; returns what was active.
    @discardableResult
    public func deactivateDomainAdapter() -> DomainLease? {
        domainAdapters.clear()
    }

    /// What the image side adds to the embedding space under `domain`: the adapter's identity
    /// when it has a vision side, nil otherwise (a text-only adapter leaves images as they are).
    public func imageSpaceAdapterID(_ domain: DomainLease?) -> String? {
        guard let domain, domain.adapter.vision != nil else { return nil }
        return domain.identity.qualified(.domain)
    }

    /// The image-side adapter of the space new image requests embed into.
    public var imageSpaceAdapterID: String? { imageSpaceAdapterID(domainAdapters.active) }

    /// Who produced a CLIP text vector under `domain`: the model, plus the adapter when it has a
    /// text side — the query cache's key, so a swap never serves the old adapter's vectors.
    func textProducer(_ domain: DomainLease?) -> String {
        guard let domain, domain.adapter.text != nil else { return clip.name }
        return domain.identity.producer(base: clip.name, kind: .domain)
    }
}
