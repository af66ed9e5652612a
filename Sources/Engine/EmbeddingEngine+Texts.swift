import Foundation
import Models
import Tokenizers

extension EmbeddingEngine {
    /// Embeds texts through the path `language` selects (`auto` resolved per text), with the
    /// domain adapter active now (one lease for the whole call).
    public func embedTexts(
        _ texts: [String], language: QueryLanguage = .auto, deadline: ContinuousClock.Instant
    ) async throws -> [TextEmbedding] {
        try await embedTexts(texts, language: language, domain: domainAdapters.lease(), deadline: deadline)
    }

    /// The same with a domain adapter lease the caller took (nil: the frozen encoders), so that
    /// the texts and images of one request see the same adapter.
    ///
    /// One job on the request-work pool resolves each text's path, answers what the query cache
    /// holds and tokenises the rest (texts can be long; tokenising is the CPU work); then each
    /// encoded text joins its model batch.
    public func embedTexts(
        _ texts: [String], language: QueryLanguage = .auto, domain: DomainLease?, deadline: ContinuousClock.Instant
    ) async throws -> [TextEmbedding] {
        let plans = try await requestWork.run(deadline: deadline) { _ in
            try texts.map { text throws(EngineError) in try self.plan(text, language: language, domain: domain) }
        }
        var out = [TextEmbedding?](repeating: nil, count: texts.count)
        var pending: [(index: Int, text: EncodedText)] = []
        for (index, plan) in plans.enumerated() {
            switch plan {
            case .cached(let embedding): out[index] = embedding
            case .encode(let encoded): pending.append((index, encoded))
            }
        }
        // In waves of one model batch: a call with thousands of texts never holds more than a
        // batch's worth of places in the batcher's queue (whose depth would refuse the rest)
        // nor of tasks, and concurrent requests' texts still join the same batches.
        let wave = max(1, min(textBatcher.limits.maxBatchSize, textBatcher.limits.queueDepth))
        for start in stride(from: 0, to: pending.count, by: wave) {
            let slice = pending[start..<min(start + wave, pending.count)]
            try await withThrowingTaskGroup(of: IndexedEmbedding.self) { group in
                for (index, encoded) in slice {
                    group.addTask { IndexedEmbedding(index: index, embedding: try await self.encode(encoded, deadline: deadline)) }
                }
                for try await item in group { out[item.index] = item.embedding }
            }
        }
        return out.compactMap { $0 }
    }

    /// What one text needs: its cached embedding, or its token ids for a model batch.
    enum TextPlan: Sendable {
        case cached(TextEmbedding)
        case encode(EncodedText)
    }

    /// A text tokenised for its path, with everything its embedding will carry.
    struct EncodedText: Sendable {
        let ids: [Int]
        let truncated: Bool
        let path: QueryLanguage
        let producer: String
        let key: EmbeddingCache.Key
        /// The Chinese path's activation (nil on CLIP's own path).
        let chinese: AdapterSlot<LanguagePath>.Lease?
        let domain: DomainLease?
    }

    private func plan(_ text: String, language: QueryLanguage, domain: DomainLease?) throws(EngineError) -> TextPlan {
        let resolved = LanguageRouter.resolve(language, text: text)
        // A CLIP whose own text tower reads Chinese (Chinese-CLIP) is the Chinese path.
        if clip.model.textTower == .bert, resolved == .zh || resolved == .zhRaw { return clipPlan(text, path: resolved, domain: domain) }
        guard resolved == .zh else { return clipPlan(text, path: resolved == .auto ? .en : resolved, domain: domain) }
        guard let lease = languagePaths.lease() else {
            // `auto` picked Chinese but none is served: CLIP's own tokenizer, said as zh-raw.
            if language == .auto { return clipPlan(text, path: .zhRaw, domain: domain) }
            throw EngineError.languageUnavailable(
                .zh, reason: chinese == nil ? "no Chinese encoder is loaded (models.zh_encoder)" : "no Chinese language adapter is active")
        }
        guard let (producer, tokenizer) = chineseReader(of: lease) else {
            throw EngineError.languageUnavailable(.zh, reason: "no Chinese encoder is loaded (models.zh_encoder)")
        }
        let key = EmbeddingCache.Key(text: text, language: .zh, producer: producer)
        if let cached = queryCache?.value(for: key) { return .cached(cached) }
        let encoding = tokenizer.encodeReportingTruncation(text)
        return .encode(EncodedText(
            ids: encoding.ids, truncated: encoding.truncated, path: .zh, producer: producer, key: key, chinese: lease,
            domain: domain))
    }

    /// The CLIP's own text tower, reported as `path`.
    private func clipPlan(_ text: String, path: QueryLanguage, domain: DomainLease?) -> TextPlan {
        let producer = textProducer(domain)
        let key = EmbeddingCache.Key(text: text, language: path, producer: producer)
        if let cached = queryCache?.value(for: key) { return .cached(cached) }
        let encoding = clip.tokenizer.encodeReportingTruncation(text)
        return .encode(EncodedText(
            ids: encoding.ids, truncated: encoding.truncated, path: path, producer: producer, key: key, chinese: nil, domain: domain))
    }

    private func encode(_ text: EncodedText, deadline: ContinuousClock.Instant) async throws -> TextEmbedding {
        let vector: [Float]
        if let lease = text.chinese {
            vector = try await chineseBatcher.submit(
                ChineseJob(ids: text.ids, path: lease.adapter, generation: lease.generation), deadline: deadline)
        } else {
            vector = try await textBatcher.submit(DomainJob(text.ids, domain: text.domain), deadline: deadline)
        }
        let embedding = TextEmbedding(
            vector: vector, tokenCount: text.ids.count, truncated: text.truncated, language: text.path, producer: text.producer)
        queryCache?.insert(embedding, for: text.key)
        return embedding
    }
}

/// A task group's result with its input's position.
struct IndexedEmbedding: Sendable {
    let index: Int
    let embedding: TextEmbedding
}
