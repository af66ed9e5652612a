import Foundation
import Testing

/// /v1/classify answers reduced to the index of the top label, for the tests that compare a
/// trained checkpoint's predictions with PyTorch's and count how many are right.
enum ClassifyPredictions {
    /// The index in `labels` of the label the reply ranks highest.
    static func top(_ reply: LiveService.Reply, among labels: [String]) throws -> Int {
        #expect(reply.status == 200, "\(reply.text)")
        let ranked = try #require(reply.json["labels"] as? [[String: Any]])
        let best = try #require(ranked.max { ($0["probability"] as? Double ?? 0) < ($1["probability"] as? Double ?? 0) })
        return try #require(labels.firstIndex(of: best["label"] as? String ?? ""))
    }

    static func correct(_ predicted: [Int], truth: [Int]) -> Int { zip(predicted, truth).filter { $0 == $1 }.count }

    static func differences(_ a: [Int], _ b: [Int]) -> Int { zip(a, b).filter { $0 != $1 }.count }
}
