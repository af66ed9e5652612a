import Foundation
import Imaging
import Models
import Numerics
import Tokenizers

/// Zero-shot classification with a learned prompt (docs/adapters.md, "Learned prompts"): the
/// prompt turns the labels into class text features, which are compared with the image.
///
/// CoOp features depend on the labels only and are cached per (prompt producer, label) in the
/// engine's query cache; structured features depend on the image and are computed per request,
/// in the same model batch as the image's own vision pass (whose last hidden states they need).
/// Model work runs on this classifier's `DynamicBatcher` queue, never on cooperative threads.
public final class PromptClassifier: Sendable {
    /// One image's features and its labels' class features, all L2-normalised.
    public struct Classification: Sendable {
        public let image: [Float]
        public let classes: [[Float]]
    }

    enum Job: Sendable {
        /// Class features of a CoOp prompt for these classes.
        case coop(LearnedPrompt, [PromptClassTokens])
        /// The image's features and the structured prompt's class features, from its pixels.
        case structured(LearnedPrompt, [PromptClassTokens], [Float])
    }

    public let registry = PromptRegistry()
    let clip: CLIPBundle
    let imagePreparation: ImagePreparation
    let requestWork: RequestWorkPool
    let cache: EmbeddingCache?
    private let batcher: DynamicBatcher<Job, Result<Classification, EngineError>>

    init(clip: CLIPBundle, batching: BatchLimits, imagePreparation: ImagePreparation, requestWork: RequestWorkPool,
         cache: EmbeddingCache?, observer: EmbeddingEngine.BatchObserver?) {
        self.clip = clip
        self.imagePreparation = imagePreparation
        self.requestWork = requestWork
        self.cache = cache
        batcher = DynamicBatcher(label: "prompt", limits: batching) { jobs, _ in
            let start = ContinuousClock.now
            // Each job is one request (its own prompt, labels and image): run one after the other.
            let results = jobs.map { Self.run($0, clip: clip) }
            observer?("prompt", jobs.count, ContinuousClock.now - start)
            return results
        }
    }

    /// Validates a prompt checkpoint against the loaded CLIP and runs it once (warm-up):
    /// everything that can fail happens here, before it can replace a prompt being served. Its
    /// layers take CLIP's precision and kernel.
    func load(directory: URL) throws -> LearnedPrompt {
        let prompt = try LearnedPrompt.load(
            directory: directory, host: PromptHost(clip: clip.model, clipID: clip.name), options: clip.options)
        let classes = try classTokens(["warm-up"], prompt: prompt)
        let imageSize = clip.model.configuration.vision.imageSize
        let pixels = [Float](repeating: 0, count: 3 * imageSize * imageSize)
        _ = try Self.features(prompt, classes, pixels: pixels, model: clip.model, start: clip.tokenizer.startTokenID, end: clip.tokenizer.endTokenID)
        return prompt
    }

    /// The tokens each label needs. A label that does not fit the tokenizer's context is
    /// refused by index (`EngineError.label`), never cut.
    func classTokens(_ labels: [String], prompt: LearnedPrompt) throws(EngineError) -> [PromptClassTokens] {
        let suffix = prompt.manifest.architecture.classSuffix
        let tokenizer = clip.tokenizer
        func inner(_ text: String, label index: Int) throws(EngineError) -> [Int] {
            let encoding = tokenizer.encodeReportingTruncation(text)
            guard !encoding.truncated else {
                throw .label(index: index, reason: "is longer than the text encoder's \(tokenizer.maxLength) tokens")
            }
            return Array(encoding.ids.dropFirst().dropLast())  // without <|startoftext|> and <|endoftext|>
        }
        var classes: [PromptClassTokens] = []
        for (index, label) in labels.enumerated() {
            classes.append(PromptClassTokens(
                name: try inner(label, label: index), nameWithSuffix: try inner(label + suffix, label: index),
                suffix: try inner(suffix, label: index)))
        }
        return classes
    }

    /// Classifies one image against `labels` with the prompt `entry` (leased by the caller for
    /// the whole request). `imageVector`: the image's embedding, computed by the caller's
    /// image path; needed for CoOp only (a structured prompt computes it in its own pass).
    public func classify(
        image data: Data, labels: [String], entry: PromptRegistry.Entry,
        embedImage: @Sendable (Data) async throws -> [Float], preparePixels: @Sendable (Data) async throws -> [Float],
        deadline: ContinuousClock.Instant
    ) async throws -> Classification {
        let prompt = entry.prompt
        // Tokenising the labels is CPU work: on the request-work pool, like every request's.
        let classes = try await requestWork.run(deadline: deadline) { _ in try self.classTokens(labels, prompt: prompt) }
        if prompt.isImageConditioned {
            let pixels = try await preparePixels(data)
            return try await batcher.submit(.structured(prompt, classes, pixels), deadline: deadline).get()
        }
        // CoOp: cached class features, the misses computed in one job beside the image.
        async let image = embedImage(data)
        var vectors = [[Float]?](repeating: nil, count: labels.count)
        var missing: [Int] = []
        for (index, label) in labels.enumerated() {
            if let hit = cache?.value(for: key(label, entry)) { vectors[index] = hit.vector } else { missing.append(index) }
        }
        if !missing.isEmpty {
            let computed = try await batcher.submit(.coop(prompt, missing.map { classes[$0] }), deadline: deadline).get()
            for (row, index) in missing.enumerated() {
                let vector = computed.classes[row]
                vectors[index] = vector
                cache?.insert(
                    TextEmbedding(vector: vector, tokenCount: classes[index].nameWithSuffix.count + 2, truncated: false,
                                  language: .en, producer: entry.producer),
                    for: key(labels[index], entry))
            }
        }
        return Classification(image: try await image, classes: vectors.map { $0 ?? [] })
    }

    private func key(_ label: String, _ entry: PromptRegistry.Entry) -> EmbeddingCache.Key {
        EmbeddingCache.Key(text: label, language: .en, producer: entry.producer)
    }

    static func run(_ job: Job, clip: CLIPBundle) -> Result<Classification, EngineError> {
        let (start, end) = (clip.tokenizer.startTokenID, clip.tokenizer.endTokenID)
        do {
            switch job {
            case .coop(let prompt, let classes):
                let features = try prompt.textFeatures(model: clip.model, classes: classes, start: start, end: end, normalized: true)
                return .success(Classification(image: [], classes: (0..<classes.count).map { Array(features.row($0)) }))
            case .structured(let prompt, let classes, let pixels):
                return .success(try features(prompt, classes, pixels: pixels, model: clip.model, start: start, end: end))
            }
        } catch let error as EngineError {
            return .failure(error)
        } catch {
            return .failure(.model("\(error)"))
        }
    }

    /// One image's features and its class features under a structured prompt (CoOp: the class
    /// features alone, the image's from the same pass), all unit length.
    static func features(
        _ prompt: LearnedPrompt, _ classes: [PromptClassTokens], pixels: [Float], model: CLIPModel, start: Int, end: Int
    ) throws -> Classification {
        let (image, hidden) = try model.encodeImagesKeepingHiddenStates(pixels: pixels, count: 1, normalized: true)
        let features = prompt.isImageConditioned
            ? try prompt.textFeatures(
                model: model, classes: classes, start: start, end: end, visionHiddenStates: hidden, images: 1, normalized: true)
            : try prompt.textFeatures(model: model, classes: classes, start: start, end: end, normalized: true)
        return Classification(image: Array(image.row(0)), classes: (0..<classes.count).map { Array(features.row($0)) })
    }

    public var queueDepth: Int { batcher.queueDepth }
}
