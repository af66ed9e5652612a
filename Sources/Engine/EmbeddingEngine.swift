import Foundation
import Imaging
import Models
import Numerics

/// The engine's plain Swift API: texts and images in, L2-normalised joint-space vectors out.
///
/// Every request item goes through a `DynamicBatcher`, so concurrent requests share model
/// batches; image decoding and preprocessing run inside the batch, on the compute queue, to
/// keep CPU-heavy work off Swift's cooperative threads.
public final class EmbeddingEngine: Sendable {
    /// Called after every model batch with its kind ("text", "image"), size and duration.
    public typealias BatchObserver = @Sendable (_ kind: String, _ size: Int, _ duration: Duration) -> Void

    public let clip: CLIPBundle
    /// The frozen Chinese encoder, when configured; the adapter in `languageAdapters` maps it
    /// into CLIP's text space.
    public let chinese: ChineseEncoder?
    /// The active Chinese language adapter; swapped atomically by `activate`.
    public let languageAdapters = AdapterSlot<LanguageAdapter>(slotName: "language:zh")
    /// The active domain adapter, if any: it runs inside CLIP's encoders (its vision side
    /// defines a new embedding space for images). Swapped by `activate`, emptied by
    /// `deactivateDomainAdapter`.
    public let domainAdapters = AdapterSlot<DomainAdapter>(slotName: "domain")
    public let imageLimits: ImageLimits
    /// Query embeddings by (text, path, producer); nil disables caching.
    public let queryCache: EmbeddingCache?
    /// Learned prompts by name and classification with them (class features cached in `queryCache`).
    public let prompts: PromptClassifier
    private let textBatcher: DynamicBatcher<DomainJob<[Int]>, [Float]>
    private let imageBatcher: DynamicBatcher<DomainJob<Data>, Result<[Float], ImageError>>
    private let chineseBatcher: DynamicBatcher<ChineseJob, [Float]>

    /// One Chinese text, with the adapter its request leased (a batch may mix activations
    /// during a swap; each item keeps its own).
    struct ChineseJob: Sendable {
        let ids: [Int]
        let adapter: LanguageAdapter
        let generation: Int
    }

    public init(
        clip: CLIPBundle, chinese: ChineseEncoder? = nil, batching: BatchLimits, imageLimits: ImageLimits,
        queryCache: EmbeddingCache? = nil, observer: BatchObserver? = nil
    ) {
        self.clip = clip
        self.chinese = chinese
        self.imageLimits = imageLimits
        self.queryCache = queryCache
        let model = clip.model
        let preprocessor = clip.preprocessor
        prompts = PromptClassifier(clip: clip, batching: batching, imageLimits: imageLimits, cache: queryCache, observer: observer)
        textBatcher = DynamicBatcher(label: "text", limits: batching) { batch in
            let start = ContinuousClock.now
            var vectors = [[Float]](repeating: [], count: batch.count)
            // One model batch per domain-adapter activation (one, except during a swap).
            for indices in DomainJob.groups(batch) {
                let adapter = batch[indices[0]].domain
                let out = try model.encodeTexts(tokenIDs: indices.map { batch[$0].input }, normalized: true, adapter: adapter)
                for (row, index) in indices.enumerated() { vectors[index] = Array(out.row(row)) }
            }
            observer?("text", batch.count, ContinuousClock.now - start)
            return vectors
        }
        imageBatcher = DynamicBatcher(label: "image", limits: batching) { batch in
            let start = ContinuousClock.now
            var results = [Result<[Float], ImageError>](repeating: .failure(.invalidDimensions(width: 0, height: 0)), count: batch.count)
            var decoded: [RGBImage] = []
            var decodedIndices: [Int] = []
            for (i, job) in batch.enumerated() {
                do throws(ImageError) {
                    decoded.append(try ImageDecoder.decode(job.input, limits: imageLimits))
                    decodedIndices.append(i)
                } catch {
                    results[i] = .failure(error)
                }
            }
            if !decoded.isEmpty {
                let pixels = try preprocessor.preprocessBatch(decoded)
                let perImage = pixels.count / decoded.count
                let decodedJobs = decodedIndices.map { batch[$0] }
                for rows in DomainJob.groups(decodedJobs) {
                    let groupPixels = rows.count == decoded.count
                        ? pixels : rows.flatMap { pixels[($0 * perImage)..<(($0 + 1) * perImage)] }
                    let out = try model.encodeImages(
                        pixels: groupPixels, count: rows.count, normalized: true, adapter: decodedJobs[rows[0]].domain)
                    for (row, decodedRow) in rows.enumerated() {
                        results[decodedIndices[decodedRow]] = .success(Array(out.row(row)))
                    }
                }
            }
            observer?("image", batch.count, ContinuousClock.now - start)
            return results
        }
        let bert = chinese?.model
        chineseBatcher = DynamicBatcher(label: "zh", limits: batching) { batch in
            guard let bert else { throw EngineError.languageUnavailable(.zh, reason: "no Chinese encoder is loaded") }
            let start = ContinuousClock.now
            let vectors = try Self.encodeChinese(batch, bert: bert)
            observer?("zh", batch.count, ContinuousClock.now - start)
            return vectors
        }
    }

    /// BERT once over the whole batch, then each adapter activation over its own rows.
    static func encodeChinese(_ batch: [ChineseJob], bert: BERTModel) throws -> [[Float]] {
        let output = try bert.encode(tokenIDs: batch.map(\.ids))
        var vectors = [[Float]](repeating: [], count: batch.count)
        let groups = Dictionary(grouping: batch.indices, by: { batch[$0].generation })
        for indices in groups.values {
            let adapter = batch[indices[0]].adapter
            let projected: Tensor
            if indices.count == batch.count {
                projected = try adapter.encode(output)
            } else {
                var rows: [Float] = []
                for index in indices { rows.append(contentsOf: output.hiddenStates(ofSequence: index)) }
                let lengths = indices.map { output.sequenceLengths[$0] }
                let hidden = try Tensor(shape: [lengths.reduce(0, +), bert.hiddenSize], scalars: rows)
                projected = try adapter.encode(hiddenStates: hidden, sequenceLengths: lengths)
            }
            for (row, index) in indices.enumerated() { vectors[index] = Self.unitLength(projected.row(row)) }
        }
        return vectors
    }

    static func unitLength(_ row: ArraySlice<Float>) -> [Float] {
        let norm = row.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? row.map { $0 / norm } : Array(row)
    }

    public var modelName: String { clip.name }
    public var dimension: Int { clip.dimension }
    /// exp(logit_scale): multiplies cosine similarities before a softmax over labels, as
    /// transformers' `CLIPModel.forward` does (the checkpoint stores the logarithm).
    public var logitScale: Float { Foundation.exp(clip.model.logitScale) }

    /// Requests waiting for a model batch (all kinds).
    public var queueDepth: Int {
        textBatcher.queueDepth + imageBatcher.queueDepth + chineseBatcher.queueDepth + prompts.queueDepth
    }

    /// Loads and validates a language adapter checkpoint against the loaded encoder and CLIP,
    /// then runs it once (warm-up) — everything that can fail happens here, before any swap.
    public func loadLanguageAdapter(directory: URL) throws -> LanguageAdapter {
        guard let chinese else {
            throw EngineError.languageUnavailable(.zh, reason: "no Chinese encoder is loaded (models.zh_encoder)")
        }
        let host = LanguageAdapterHost(
            language: "zh", baseEncoder: chinese.model, baseEncoderID: chinese.name, clip: clip.model, clipID: clip.name)
        let adapter = try LanguageAdapter.load(directory: directory, host: host)
        let warmUp = ChineseJob(ids: chinese.tokenizer.encode("你好"), adapter: adapter, generation: -1)
        _ = try Self.encodeChinese([warmUp], bert: chinese.model)
        return adapter
    }

    /// Makes `adapter` the one new Chinese requests use; requests in flight keep theirs.
    @discardableResult
    public func activate(_ adapter: LanguageAdapter) -> AdapterSlot<LanguageAdapter>.Lease? {
        languageAdapters.activate(adapter, name: adapter.manifest.name, version: adapter.manifest.version)
    }

    /// Embeds texts through the path `language` selects (`auto` resolved per text), with the
    /// domain adapter active now (one lease for the whole call).
    public func embedTexts(
        _ texts: [String], language: QueryLanguage = .auto, deadline: ContinuousClock.Instant
    ) async throws -> [TextEmbedding] {
        try await embedTexts(texts, language: language, domain: domainAdapters.lease(), deadline: deadline)
    }

    /// The same with a domain adapter lease the caller took (nil: the frozen encoders), so that
    /// the texts and images of one request see the same adapter.
    public func embedTexts(
        _ texts: [String], language: QueryLanguage = .auto, domain: DomainLease?, deadline: ContinuousClock.Instant
    ) async throws -> [TextEmbedding] {
        try await withThrowingTaskGroup(of: (Int, TextEmbedding).self) { group in
            for (index, text) in texts.enumerated() {
                let resolved = LanguageRouter.resolve(language, text: text)
                group.addTask { (index, try await self.embedText(text, language: resolved, domain: domain, deadline: deadline)) }
            }
            var out = [TextEmbedding?](repeating: nil, count: texts.count)
            for try await (index, embedding) in group { out[index] = embedding }
            return out.compactMap { $0 }
        }
    }

    private func embedText(
        _ text: String, language: QueryLanguage, domain: DomainLease?, deadline: ContinuousClock.Instant
    ) async throws -> TextEmbedding {
        switch language {
        case .en, .zhRaw, .auto:
            let path: QueryLanguage = language == .auto ? .en : language
            let producer = textProducer(domain)
            let key = EmbeddingCache.Key(text: text, language: path, producer: producer)
            if let cached = queryCache?.value(for: key) { return cached }
            let encoding = clip.tokenizer.encodeReportingTruncation(text)
            let vector = try await textBatcher.submit(DomainJob(encoding.ids, domain: domain), deadline: deadline)
            let embedding = TextEmbedding(
                vector: vector, tokenCount: encoding.ids.count, truncated: encoding.truncated,
                language: path, producer: producer)
            queryCache?.insert(embedding, for: key)
            return embedding
        case .zh:
            guard let chinese else {
                throw EngineError.languageUnavailable(.zh, reason: "no Chinese encoder is loaded (models.zh_encoder)")
            }
            guard let lease = languageAdapters.lease() else {
                throw EngineError.languageUnavailable(.zh, reason: "no Chinese language adapter is active")
            }
            let producer = "\(chinese.name)+\(lease.name)@\(lease.version):\(lease.adapter.manifest.weights.sha256.prefix(12))"
            let key = EmbeddingCache.Key(text: text, language: .zh, producer: producer)
            if let cached = queryCache?.value(for: key) { return cached }
            let encoding = chinese.tokenizer.encodeReportingTruncation(text)
            let vector = try await chineseBatcher.submit(
                ChineseJob(ids: encoding.ids, adapter: lease.adapter, generation: lease.generation), deadline: deadline)
            let embedding = TextEmbedding(
                vector: vector, tokenCount: encoding.ids.count, truncated: encoding.truncated, language: .zh,
                producer: producer)
            queryCache?.insert(embedding, for: key)
            return embedding
        }
    }

    /// Embeds encoded images (JPEG, PNG, WebP) with the domain adapter active now (one lease
    /// for the whole call). A bad image fails the call with its index.
    public func embedImages(_ images: [Data], deadline: ContinuousClock.Instant) async throws -> [[Float]] {
        try await embedImages(images, domain: domainAdapters.lease(), deadline: deadline)
    }

    /// The same with a domain adapter lease the caller took (nil: the frozen encoders): the
    /// vectors are in `imageSpaceAdapterID(domain)`'s space whatever is activated meanwhile.
    public func embedImages(_ images: [Data], domain: DomainLease?, deadline: ContinuousClock.Instant) async throws -> [[Float]] {
        try await withThrowingTaskGroup(of: (Int, Result<[Float], ImageError>).self) { group in
            for (index, data) in images.enumerated() {
                group.addTask { (index, try await self.imageBatcher.submit(DomainJob(data, domain: domain), deadline: deadline)) }
            }
            var out = [[Float]](repeating: [], count: images.count)
            for try await (index, result) in group {
                switch result {
                case .success(let vector): out[index] = vector
                case .failure(let error): throw EngineError.image(index: index, error)
                }
            }
            return out
        }
    }
}
