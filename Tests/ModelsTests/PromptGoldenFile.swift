import Foundation
import TestSupport
import Testing
@testable import Models
@testable import Numerics

/// `goldens.json` of Tests/Fixtures/prompts/<clip>, written by
/// training/fixtures/make_prompt_fixtures.py from the PyTorch `PromptedClassifier` with the
/// checkpoints re-loaded from disk.
struct PromptGoldenFile: Decodable {
    struct Label: Decodable {
        let name: String
        let ids: [Int]
        let suffix_ids: [Int]
        let coop_ids: [Int]

        var tokens: PromptClassTokens { PromptClassTokens(name: ids, nameWithSuffix: coop_ids, suffix: suffix_ids) }
    }

    struct CoOp: Decodable {
        let text_features_shape: [Int]
        let text_features_f32: String
        let logits_f32: String
    }

    struct Structured: Decodable {
        let vision_hidden_shape: [Int]
        let vision_hidden_f32: String
        let instance_shape: [Int]
        let instance_f32: String
        let text_features_shape: [Int]
        let text_features_f32: String
        let logits_shape: [Int]
        let logits_f32: String
    }

    let clip: String
    let logit_scale: Double
    let bos_id: Int
    let eos_id: Int
    let labels: [Label]
    let images: [String]
    let pixels_shape: [Int]
    let pixels_f32: String
    let image_features_shape: [Int]
    let image_features_f32: String
    let coop: CoOp
    let structured: Structured

    var imageCount: Int { pixels_shape[0] }

    static func load(_ clip: String) throws -> PromptGoldenFile {
        try JSONDecoder().decode(PromptGoldenFile.self, from: Data(contentsOf: promptFixture(clip).appendingPathComponent("goldens.json")))
    }
}

func promptFixture(_ clip: String, _ variant: String? = nil) -> URL {
    let base = RepositoryPaths.fixture("prompts/\(clip)")
    return variant.map { base.appendingPathComponent($0) } ?? base
}

/// The CLIP directory each prompt fixture was made for.
func promptClipDirectory(_ clip: String) -> URL {
    clip == "tiny-clip" ? RepositoryPaths.fixture("engine/tiny-clip") : clipFixture(clip)
}

/// Every row of `actual` against `expected` (both [rows, width]): the worst cosine and max abs.
func compareRows(_ actual: Tensor, _ expected: [Float], width: Int) -> (cosine: Double, maxAbs: Double, report: String) {
    var worst = (cosine: 1.0, maxAbs: 0.0, report: "")
    let rows = expected.count / width
    guard actual.count == expected.count else { return (0, .infinity, "shape \(actual.shape) vs \(expected.count) values") }
    for row in 0..<rows {
        let range = (row * width)..<((row + 1) * width)
        let comparison = RowComparison(actual.scalars[range], expected[range])
        if comparison.cosine < worst.cosine || comparison.maxAbs > worst.maxAbs {
            worst = (min(worst.cosine, comparison.cosine), max(worst.maxAbs, comparison.maxAbs), "row \(row): \(comparison.report)")
        }
    }
    return worst
}
