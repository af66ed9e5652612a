import Foundation
import Numerics

/// CLIP's zero-shot classification of one image: cosine of the image with each label's prompt,
/// and softmax(cosine × exp(logit_scale)) over the labels — transformers' `logits_per_image`.
public enum ZeroShotRanking {
    public struct Entry: Sendable, Equatable {
        public let label: String
        public let score: Float
        public let probability: Float
    }

    /// Vectors are unit length. Best first.
    public static func rank(labels: [String], prompts: [[Float]], image: [Float], logitScale: Float) -> [Entry] {
        let scores = prompts.map { VectorProducts.dot($0, image) }
        let top = scores.max() ?? 0
        let exps = scores.map { Foundation.exp(($0 - top) * logitScale) }  // shifted: no overflow
        let total = exps.reduce(0, +)
        return zip(labels, zip(scores, exps))
            .map { Entry(label: $0.0, score: $0.1.0, probability: $0.1.1 / total) }
            .sorted { $0.score > $1.score }
    }
}
