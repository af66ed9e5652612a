import Engine
import Foundation

/// `adaptclip eval`: the language-adaptation results on a labelled split, computed through the
/// engine exactly as the service computes embeddings.
public struct Evaluation: Sendable, Codable {
    /// Language path → task → accuracy.
    public var zeroShot: [String: [String: Double]] = [:]
    /// Caption language path → metrics.
    public var retrieval: [String: RetrievalMetrics] = [:]
    public var images = 0

    enum CodingKeys: String, CodingKey {
        case zeroShot = "zero_shot", retrieval, images
    }

    public static func run(_ set: EvaluationSet, engine: EmbeddingEngine, chunk: Int = 256) async throws -> Evaluation {
        let deadline = ContinuousClock.now + .seconds(3600)
        var result = Evaluation()
        result.images = set.scenes.count
        var imageVectors: [[Float]] = []
        for start in stride(from: 0, to: set.scenes.count, by: chunk) {
            let files = set.scenes[start..<min(set.scenes.count, start + chunk)]
            let data = try files.map { scene in
                guard let bytes = FileManager.default.contents(atPath: scene.file.path) else {
                    throw EvaluationSet.LoadError.unreadable(scene.file.path)
                }
                return bytes
            }
            imageVectors += try await engine.embedImages(data, deadline: deadline)
        }

        // Prompt language → text path: English prompts through CLIP, Chinese prompts both raw
        // into CLIP (what the adapter is measured against) and through the adapter.
        // With no Chinese path served (a plain CLIP on a user's own split), the figures are
        // English and raw Chinese only.
        let paths: [(name: String, prompts: String, language: QueryLanguage)] = [
            ("en", "en", .en), ("zh-raw", "zh", .zhRaw), ("zh", "zh", .zh),
        ].filter { $0.language != .zh || engine.servesChinese }
        for path in paths {
            var perTask: [String: Double] = [:]
            for task in set.tasks {
                let prompts = try await engine.embedTexts(task.prompts[path.prompts] ?? [], language: path.language, deadline: deadline)
                let truth = set.scenes.map { scene in scene.labels[task.name].flatMap { task.labels.firstIndex(of: $0) } }
                perTask[task.name] = ZeroShotAccuracy.compute(images: imageVectors, truth: truth, prompts: prompts.map(\.vector))
            }
            result.zeroShot[path.name] = perTask
        }

        for path in paths {
            var captions: [[Float]] = []
            let texts = set.scenes.map { path.prompts == "en" ? $0.en : $0.zh }
            for start in stride(from: 0, to: texts.count, by: chunk) {
                let slice = Array(texts[start..<min(texts.count, start + chunk)])
                captions += try await engine.embedTexts(slice, language: path.language, deadline: deadline).map(\.vector)
            }
            result.retrieval[path.name] = RetrievalMetrics.compute(queries: captions, gallery: imageVectors)
        }
        return result
    }

    /// Every figure, flattened: "zero_shot/zh/shape", "retrieval/en/R@5", … → value in [0, 1].
    public var figures: [String: Double] {
        var out: [String: Double] = [:]
        for (path, tasks) in zeroShot { for (task, value) in tasks { out["zero_shot/\(path)/\(task)"] = value } }
        for (path, metrics) in retrieval {
            out["retrieval/\(path)/R@1"] = metrics.recallAt1
            out["retrieval/\(path)/R@5"] = metrics.recallAt5
            out["retrieval/\(path)/R@10"] = metrics.recallAt10
        }
        return out
    }

    /// The figures that differ from `reference` (the same evaluation by the PyTorch pipeline,
    /// training/evaluate_demo.py) by more than `tolerancePoints` percentage points, or that one
    /// side lacks. Empty when the two agree.
    public func disagreements(with reference: Evaluation, tolerancePoints: Double) -> [String] {
        let ours = figures, theirs = reference.figures
        var out: [String] = []
        for key in Set(ours.keys).union(theirs.keys).sorted() {
            guard let a = ours[key], let b = theirs[key] else {
                out.append("\(key): only in \(ours[key] == nil ? "the reference" : "this evaluation")")
                continue
            }
            if abs(a - b) * 100 > tolerancePoints {
                out.append("\(key): \(String(format: "%.2f", a * 100)) vs reference \(String(format: "%.2f", b * 100)) points")
            }
        }
        if images != reference.images { out.append("images: \(images) vs reference \(reference.images)") }
        return out
    }

    /// The language adapter's bounds: it reaches ≥ `ratio` of English on every task and on
    /// Chinese retrieval mean recall. Returns the violations, empty when all hold.
    public func violations(ratio: Double = 0.95) -> [String] {
        var out: [String] = []
        for (task, en) in (zeroShot["en"] ?? [:]).sorted(by: { $0.key < $1.key }) {
            let zh = zeroShot["zh"]?[task] ?? 0
            if zh < ratio * en { out.append("zero-shot \(task): zh \(zh) < \(ratio) × en \(en)") }
        }
        if let en = retrieval["en"]?.meanRecall, let zh = retrieval["zh"]?.meanRecall, zh < ratio * en {
            out.append("retrieval mR: zh \(zh) < \(ratio) × en \(en)")
        }
        return out
    }
}
