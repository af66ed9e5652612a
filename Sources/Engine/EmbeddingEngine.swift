import Foundation
import Imaging
import Models

/// The engine's plain Swift API: texts and images in, L2-normalised joint-space vectors out.
///
/// Every request item goes through a `DynamicBatcher`, so concurrent requests share model
/// batches; image decoding and preprocessing run inside the batch, on the compute queue, to
/// keep CPU-heavy work off Swift's cooperative threads.
public final class EmbeddingEngine: Sendable {
    /// Called after every model batch with its kind ("text", "image"), size and duration.
    public typealias BatchObserver = @Sendable (_ kind: String, _ size: Int, _ duration: Duration) -> Void

    public let clip: CLIPBundle
    public let imageLimits: ImageLimits
    /// Query embeddings by (text, path, producer); nil disables caching.
    public let queryCache: EmbeddingCache?
    private let textBatcher: DynamicBatcher<[Int], [Float]>
    private let imageBatcher: DynamicBatcher<Data, Result<[Float], ImageError>>

    public init(
        clip: CLIPBundle, batching: BatchLimits, imageLimits: ImageLimits,
        queryCache: EmbeddingCache? = nil, observer: BatchObserver? = nil
    ) {
        self.clip = clip
        self.imageLimits = imageLimits
        self.queryCache = queryCache
        let model = clip.model
        let preprocessor = clip.preprocessor
        textBatcher = DynamicBatcher(label: "text", limits: batching) { batch in
            let start = ContinuousClock.now
            let out = try model.encodeTexts(tokenIDs: batch, normalized: true)
            observer?("text", batch.count, ContinuousClock.now - start)
            return (0..<batch.count).map { Array(out.row($0)) }
        }
        imageBatcher = DynamicBatcher(label: "image", limits: batching) { batch in
            let start = ContinuousClock.now
            var results = [Result<[Float], ImageError>](repeating: .failure(.invalidDimensions(width: 0, height: 0)), count: batch.count)
            var decoded: [RGBImage] = []
            var decodedIndices: [Int] = []
            for (i, data) in batch.enumerated() {
                do throws(ImageError) {
                    decoded.append(try ImageDecoder.decode(data, limits: imageLimits))
                    decodedIndices.append(i)
                } catch {
                    results[i] = .failure(error)
                }
            }
            if !decoded.isEmpty {
                let pixels = try preprocessor.preprocessBatch(decoded)
                let out = try model.encodeImages(pixels: pixels, count: decoded.count, normalized: true)
                for (row, index) in decodedIndices.enumerated() { results[index] = .success(Array(out.row(row))) }
            }
            observer?("image", batch.count, ContinuousClock.now - start)
            return results
        }
    }

    public var modelName: String { clip.name }
    public var dimension: Int { clip.dimension }
    /// exp(logit_scale): multiplies cosine similarities before a softmax over labels, as
    /// transformers' `CLIPModel.forward` does (the checkpoint stores the logarithm).
    public var logitScale: Float { Foundation.exp(clip.model.logitScale) }

    /// Requests waiting for a model batch (text + image).
    public var queueDepth: Int { textBatcher.queueDepth + imageBatcher.queueDepth }

    /// Embeds texts through the path `language` selects (`auto` resolved per text).
    public func embedTexts(
        _ texts: [String], language: QueryLanguage = .auto, deadline: ContinuousClock.Instant
    ) async throws -> [TextEmbedding] {
        try await withThrowingTaskGroup(of: (Int, TextEmbedding).self) { group in
            for (index, text) in texts.enumerated() {
                let resolved = LanguageRouter.resolve(language, text: text)
                group.addTask { (index, try await self.embedText(text, language: resolved, deadline: deadline)) }
            }
            var out = [TextEmbedding?](repeating: nil, count: texts.count)
            for try await (index, embedding) in group { out[index] = embedding }
            return out.compactMap { $0 }
        }
    }

    private func embedText(_ text: String, language: QueryLanguage, deadline: ContinuousClock.Instant) async throws -> TextEmbedding {
        switch language {
        case .en, .zhRaw, .auto:
            let path: QueryLanguage = language == .auto ? .en : language
            let key = EmbeddingCache.Key(text: text, language: path, producer: clip.name)
            if let cached = queryCache?.value(for: key) { return cached }
            let encoding = clip.tokenizer.encodeReportingTruncation(text)
            let vector = try await textBatcher.submit(encoding.ids, deadline: deadline)
            let embedding = TextEmbedding(
                vector: vector, tokenCount: encoding.ids.count, truncated: encoding.truncated,
                language: path, producer: clip.name)
            queryCache?.insert(embedding, for: key)
            return embedding
        case .zh:
            throw EngineError.languageUnavailable(.zh, reason: "no Chinese encoder and language adapter are loaded")
        }
    }

    /// Embeds encoded images (JPEG, PNG, WebP). A bad image fails the call with its index.
    public func embedImages(_ images: [Data], deadline: ContinuousClock.Instant) async throws -> [[Float]] {
        try await withThrowingTaskGroup(of: (Int, Result<[Float], ImageError>).self) { group in
            for (index, data) in images.enumerated() {
                group.addTask { (index, try await self.imageBatcher.submit(data, deadline: deadline)) }
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
