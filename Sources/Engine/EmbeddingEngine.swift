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
    /// The frozen Chinese encoder trained language adapters read, when configured.
    public let chinese: ChineseEncoder?
    /// The active Chinese path — a trained adapter over `chinese`, or a published encoder with
    /// its own projection; swapped atomically by `activate`.
    public let languagePaths = AdapterSlot<LanguagePath>(slotName: "language:zh")
    /// The active domain adapter, if any: it runs inside CLIP's encoders (its vision side
    /// defines a new embedding space for images). Swapped by `activate`, emptied by
    /// `deactivateDomainAdapter`.
    public let domainAdapters = AdapterSlot<DomainAdapter>(slotName: "domain")
    /// The limits every image is decoded under; `scaledDecodeFloor` is the preprocessor's when
    /// the engine was made with `jpegDCTScaling`, else nil.
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

    /// One Chinese text, tokenised for the path its request leased (a batch may mix
    /// activations during a swap; each item keeps its own).
    struct ChineseJob: Sendable {
        let ids: [Int]
        let path: LanguagePath
        let generation: Int
    }

    public init(
        clip: CLIPBundle, chinese: ChineseEncoder? = nil, batching: BatchLimits, imageLimits: ImageLimits,
        jpegDCTScaling: Bool = false,
        maxImagePixelsPerRequest: Int = 100_000_000, decodingPixelsInFlight: Int = 60_000_000,
        requestWork: RequestWorkPool = RequestWorkPool(workers: Parallel.workers, queueDepth: 256),
        queryCache: EmbeddingCache? = nil, observer: BatchObserver? = nil
    ) {
        self.clip = clip
        self.chinese = chinese
        var imageLimits = imageLimits
        imageLimits.scaledDecodeFloor = jpegDCTScaling ? clip.preprocessor.scaledDecodeFloor() : nil
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
            let start = ContinuousClock.now
            let vectors = try Self.encodeChinese(batch, bert: bert, shouldStop: shouldStop)
            observer?("zh", batch.count, ContinuousClock.now - start)
            return vectors
        }
    }

    /// Per activation in the batch (one, except during a swap): a trained adapter's rows share
    /// one pass of the frozen encoder, then the adapter; a published encoder runs its own rows.
    static func encodeChinese(_ batch: [ChineseJob], bert: BERTModel?, shouldStop: () -> Bool = { false }) throws -> [[Float]] {
        var vectors = [[Float]](repeating: [], count: batch.count)
        let groups = Dictionary(grouping: batch.indices, by: { batch[$0].generation })
        let adapterRows = batch.indices.filter { if case .adapter = batch[$0].path { true } else { false } }
        var hidden: (output: BERTOutput, row: [Int: Int])?
        if !adapterRows.isEmpty {
            guard let bert else { throw EngineError.languageUnavailable(.zh, reason: "no Chinese encoder is loaded") }
            let output = try bert.encode(tokenIDs: adapterRows.map { batch[$0].ids }, shouldStop: shouldStop)
            hidden = (output, Dictionary(uniqueKeysWithValues: adapterRows.enumerated().map { ($1, $0) }))
        }
        for indices in groups.values {
            let projected: Tensor
            switch batch[indices[0]].path {
            case .encoder(let encoder):
                projected = try encoder.model.encode(tokenIDs: indices.map { batch[$0].ids }, shouldStop: shouldStop)
            case .adapter(let adapter):
                guard let hidden, let bert else { throw EngineError.languageUnavailable(.zh, reason: "no Chinese encoder is loaded") }
                if indices.count == adapterRows.count {
                    projected = try adapter.encode(hidden.output)
                } else {
                    var rows: [Float] = []
                    let positions = indices.map { hidden.row[$0] ?? 0 }
                    for position in positions { rows.append(contentsOf: hidden.output.hiddenStates(ofSequence: position)) }
                    let lengths = positions.map { hidden.output.sequenceLengths[$0] }
                    let states = try Tensor(shape: [lengths.reduce(0, +), bert.hiddenSize], scalars: rows)
                    projected = try adapter.encode(hiddenStates: states, sequenceLengths: lengths)
                }
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
        let warmUp = ChineseJob(ids: chinese.tokenizer.encode("你好"), path: .adapter(adapter), generation: -1)
        _ = try Self.encodeChinese([warmUp], bert: chinese.model)
        return adapter
    }

    /// Loads what `directory` holds for the Chinese path: a published encoder (config.json
    /// written by training/convert_checkpoint.py) or a trained adapter (adapter.json), checked
    /// against the models loaded here and warmed up.
    public func loadLanguagePath(directory: URL) throws -> LanguagePath {
        if PublishedLanguageEncoder.isPublishedEncoder(directory) {
            return .encoder(try PublishedLanguageEncoder.load(directory: directory, clip: clip))
        }
        return .adapter(try loadLanguageAdapter(directory: directory))
    }

    /// Makes `path` the one new Chinese requests use; requests in flight keep theirs.
    @discardableResult
    public func activate(_ path: LanguagePath) -> AdapterSlot<LanguagePath>.Lease? {
        languagePaths.activate(path, identity: path.identity)
    }

    /// `activate(.adapter(adapter))`.
    @discardableResult
    public func activate(_ adapter: LanguageAdapter) -> AdapterSlot<LanguagePath>.Lease? {
        activate(.adapter(adapter))
    }
}
