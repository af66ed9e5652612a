import Numerics
/// Text→image retrieval metrics over a gallery where caption i describes image i.
public struct RetrievalMetrics: Sendable, Codable, Equatable {
    public let recallAt1: Double
    public let recallAt5: Double
    public let recallAt10: Double
    /// Mean of R@1, R@5 and R@10 (the text→image half of COCO-CN's "mean recall").
    public var meanRecall: Double { (recallAt1 + recallAt5 + recallAt10) / 3 }

    enum CodingKeys: String, CodingKey {
        case recallAt1 = "R@1", recallAt5 = "R@5", recallAt10 = "R@10"
    }

    /// `queries[i]` is caption i's vector, `gallery[j]` image j's; both unit length. The rank of
    /// the right image counts the images scoring strictly higher, so ties favour the query (a
    /// caption shared by several identical-looking scenes is not punished for the tie).
    public static func compute(queries: [[Float]], gallery: [[Float]]) -> RetrievalMetrics {
        var hits = (0, 0, 0)
        for (i, query) in queries.enumerated() {
            let target = VectorProducts.dot(query, gallery[i])
            var better = 0
            for (j, image) in gallery.enumerated() where j != i && VectorProducts.dot(query, image) > target { better += 1 }
            if better < 1 { hits.0 += 1 }
            if better < 5 { hits.1 += 1 }
            if better < 10 { hits.2 += 1 }
        }
        let n = Double(max(1, queries.count))
        return RetrievalMetrics(recallAt1: Double(hits.0) / n, recallAt5: Double(hits.1) / n, recallAt10: Double(hits.2) / n)
    }
}

/// Zero-shot classification accuracy: the prompt with the highest cosine is the prediction.
public enum ZeroShotAccuracy {
    /// `images[i]` has the true label index `truth[i]` (nil: no single answer, skipped).
    public static func compute(images: [[Float]], truth: [Int?], prompts: [[Float]]) -> Double {
        var correct = 0
        var counted = 0
        for (image, label) in zip(images, truth) {
            guard let label else { continue }
            counted += 1
            var best = 0
            var bestScore = -Float.infinity
            for (p, prompt) in prompts.enumerated() {
                let score = VectorProducts.dot(image, prompt)
                if score > bestScore { (best, bestScore) = (p, score) }
            }
            if best == label { correct += 1 }
        }
        return counted == 0 ? 0 : Double(correct) / Double(counted)
    }
}
