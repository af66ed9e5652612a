import Foundation
import Imaging
import Models
import Numerics

/// The engine's plain Swift API: texts and images in, L2-normalised joint-space vectors out.
///
/// Every request item goes through a `DynamicBatcher`, so concurrent requests share model
/// batches. What comes before the model — tokenising, decoding and preprocessing an image —
/// runs per request on the `requestWork` pool, so CPU-heavy work stays off Swift's cooperative
/// threads and a batch never waits for one member's decode: batches carry token ids and pixels.
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
    /// Most pixels the images of one call may announce together (checked from their headers,
    /// before any is decoded).
    public let maxImagePixelsPerRequest: Int
    /// Pixels decoded at once across all requests (memory: 3 bytes a pixel until preprocessed).
    let decodingBudget: DecodingBudget
    /// Runs tokenising, image decoding and preprocessing (and the service's large-body parsing).
    public let requestWork: RequestWorkPool
    let imagePreparation: ImagePreparation
    /// Query embeddings by (text, path, producer); nil disables caching.
    public let queryCache: EmbeddingCache?
    /// Learned prompts by name and classification with them (class features cached in `queryCache`).
    public let prompts: PromptClassifier
    let textBatcher: DynamicBatcher<DomainJob<[Int]>, [Float]>
    /// Items are one preprocessed image's pixels, [channels · size · size].
    let imageBatcher: DynamicBatcher<DomainJob<[Float]>, [Float]>
    let chineseBatcher: DynamicBatcher<ChineseJob, [Float]>

    /// One Chinese text, with the adapter its request leased (a batch may mix activations
    /// during a swap; each item keeps its own).
    struct ChineseJob: Sendable {
        let ids: [Int]
        let adapter: LanguageAdapter
        let generation: Int
    }

    public init(
        clip: CLIPBundle, chinese: ChineseEncoder? = nil, batching: BatchLimits, imageLimits: ImageLimits,
        maxImagePixelsPerRequest: Int = 100_000_000, decodingPixelsInFlight: Int = 60_000_000,
        requestWork: RequestWorkPool = RequestWorkPool(workers: Parallel.workers, queueDepth: 256),
        queryCache: EmbeddingCache? = nil, observer: BatchObserver? = nil
    ) {
        self.clip = clip
        self.chinese = chinese
        self.imageLimits = imageLimits
        self.maxImagePixelsPerRequest = maxImagePixelsPerRequest
        decodingBudget = DecodingBudget(pixels: decodingPixelsInFlight)
        self.requestWork = requestWork
        self.queryCache = queryCache
        let model = clip.model
        let imagePreparation = ImagePreparation(preprocessor: clip.preprocessor, limits: imageLimits)
        self.imagePreparation = imagePreparation
        prompts = PromptClassifier(
            clip: clip, batching: batching, imagePreparation: imagePreparation, requestWork: requestWork, cache: queryCache,
            observer: observer)
        textBatcher = DynamicBatcher(label: "text", limits: batching) { batch, shouldStop in
            let start = ContinuousClock.now
            var vectors = [[Float]](repeating: [], count: batch.count)
            // One model batch per domain-adapter activation (one, except during a swap).
            for indices in DomainJob.groups(batch) {
                let adapter = batch[indices[0]].domain
                let out = try model.encodeTexts(
                    tokenIDs: indices.map { batch[$0].input }, normalized: true, adapter: adapter, shouldStop: shouldStop)
                for (row, index) in indices.enumerated() { vectors[index] = Array(out.row(row)) }
            }
            observer?("text", batch.count, ContinuousClock.now - start)
            return vectors
        }
        imageBatcher = DynamicBatcher(label: "image", limits: batching) { batch, shouldStop in
            let start = ContinuousClock.now
            var vectors = [[Float]](repeating: [], count: batch.count)
            for indices in DomainJob.groups(batch) {
                let pixels = indices.count == batch.count ? batch.flatMap(\.input) : indices.flatMap { batch[$0].input }
                let out = try model.encodeImages(
                    pixels: pixels, count: indices.count, normalized: true, adapter: batch[indices[0]].domain,
                    shouldStop: shouldStop)
                for (row, index) in indices.enumerated() { vectors[index] = Array(out.row(row)) }
            }
            observer?("image", batch.count, ContinuousClock.now - start)
            return vectors
        }
        let bert = chinese?.model
        chineseBatcher = DynamicBatcher(label: "zh", limits: batching) { batch, shouldStop in
            guard let bert else { throw EngineError.languageUnavailable(.zh, reason: "no Chinese encoder is loaded") }
            let start = ContinuousClock.now
            let vectors = try Self.encodeChinese(batch, bert: bert, shouldStop: shouldStop)
            observer?("zh", batch.count, ContinuousClock.now - start)
            return vectors
        }
    }

    /// BERT once over the whole batch, then each adapter activation over its own rows.
    static func encodeChinese(_ batch: [ChineseJob], bert: BERTModel, shouldStop: () -> Bool = { false }) throws -> [[Float]] {
        let output = try bert.encode(tokenIDs: batch.map(\.ids), shouldStop: shouldStop)
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
        VectorProducts.unitLength(row) ?? Array(row)
    }

    /// The CLIP's id (`ModelIdentity.id`): what responses name as `model`.
    public var modelName: String { clip.identity.id }

    /// Whether a request's `model` names the CLIP served here: its id, its declared name, or
    /// the name adapters know it by.
    public func servesModel(named model: String) -> Bool {
        model == clip.identity.id || model == clip.identity.name || model == clip.name
    }
    public var dimension: Int { clip.dimension }
    /// exp(logit_scale): multiplies cosine similarities before a softmax over labels, as
    /// transformers' `CLIPModel.forward` does (the checkpoint stores the logarithm).
    public var logitScale: Float { Foundation.exp(clip.model.logitScale) }

    /// Requests waiting for a model batch (all kinds).
    public var queueDepth: Int {
        textBatcher.queueDepth + imageBatcher.queueDepth + chineseBatcher.queueDepth + prompts.queueDepth
    }

    /// Loads and validates a language adapter checkpoint against the loaded encoder and CLIP,
    /// then runs it once (warm-up) — everything that can fail happens here, before any swap. Its
    /// layers take the encoder's precision and kernel (`ModelLoadOptions`).
    public func loadLanguageAdapter(directory: URL) throws -> LanguageAdapter {
        guard let chinese else {
            throw EngineError.languageUnavailable(.zh, reason: "no Chinese encoder is loaded (models.zh_encoder)")
        }
        let host = LanguageAdapterHost(
            language: "zh", baseEncoder: chinese.model, baseEncoderID: chinese.name, clip: clip.model, clipID: clip.name)
        let adapter = try LanguageAdapter.load(directory: directory, host: host, options: chinese.model.options)
        let warmUp = ChineseJob(ids: chinese.tokenizer.encode("你好"), adapter: adapter, generation: -1)
        _ = try Self.encodeChinese([warmUp], bert: chinese.model)
        return adapter
    }

    /// Makes `adapter` the one new Chinese requests use; requests in flight keep theirs.
    @discardableResult
    public func activate(_ adapter: LanguageAdapter) -> AdapterSlot<LanguageAdapter>.Lease? {
        languageAdapters.activate(adapter, identity: adapter.manifest.identity)
    }
}
