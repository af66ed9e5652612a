import Engine
import Foundation
import Testing
@testable import Service

/// The embedded default as a user meets it: models/demo, trained by training/make_demo.sh on the
/// generated world. These tests fail if the bundle is missing, if a figure of the language-adaptation
/// results drops below the issue's bounds, or if the Swift engine disagrees with the PyTorch pipeline
/// (the committed evaluation-pytorch.json, written by training/evaluate_demo.py) by more than 0.5 points.
@Suite(.serialized) struct DemoBundleTests {
    static func bundle() throws -> EmbeddedDefault {
        let located = try #require(EmbeddedDefault.locate(), "no embedded default found")
        try #require(!located.isTestModel, "models/demo is missing: the embedded default fell back to the test models")
        return located
    }

    static func pytorchFigures(_ bundle: EmbeddedDefault) throws -> [String: Double] {
        let url = bundle.clipDirectory.deletingLastPathComponent().appendingPathComponent("evaluation-pytorch.json")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var figures: [String: Double] = [:]
        for (path, tasks) in root["zero_shot"] as? [String: [String: Double]] ?? [:] {
            for (task, value) in tasks { figures["zero_shot/\(path)/\(task)"] = value }
        }
        for (path, metrics) in root["retrieval"] as? [String: [String: Double]] ?? [:] {
            for (name, value) in metrics { figures["retrieval/\(path)/\(name)"] = value }
        }
        return figures
    }

    @Test func theAdapterKeepsEnglishAccuracyAndAgreesWithPyTorch() async throws {
        let bundle = try Self.bundle()
        let split = try #require(bundle.evaluationSplit)
        let engine = try EngineFactory.make(configuration: try ConfigurationLoader(overrides: [:]).load()).engine
        let result = try await Evaluation.run(try EvaluationSet.load(directory: split), engine: engine)
        #expect(result.violations().isEmpty, "\(result.violations())")

        var swift: [String: Double] = [:]
        for (path, tasks) in result.zeroShot { for (task, value) in tasks { swift["zero_shot/\(path)/\(task)"] = value } }
        for (path, metrics) in result.retrieval {
            swift["retrieval/\(path)/R@1"] = metrics.recallAt1
            swift["retrieval/\(path)/R@5"] = metrics.recallAt5
            swift["retrieval/\(path)/R@10"] = metrics.recallAt10
        }
        let pytorch = try Self.pytorchFigures(bundle)
        #expect(pytorch.count == 24, "3 paths × (3 tasks + 3 recalls)")
        #expect(Set(swift.keys) == Set(pytorch.keys))
        for (key, reference) in pytorch.sorted(by: { $0.key < $1.key }) {
            let ours = try #require(swift[key])
            #expect(abs(ours - reference) * 100 <= 0.5, "\(key): Swift \(ours) vs PyTorch \(reference)")
        }
        // Raw Chinese through CLIP's English-only text tower is the floor the adapter lifts.
        for (task, zh) in result.zeroShot["zh"] ?? [:] {
            #expect(zh > (result.zeroShot["zh-raw"]?[task] ?? 1), "\(task): zh does not beat zh-raw")
        }
    }

    /// The issue's first-contact checks, over HTTP on the service `adaptclip serve` starts with no flags
    /// (it seeds the bundle's gallery into the empty collection).
    @Test func aChineseSearchAndAChineseClassificationAnswerAsAUserExpects() async throws {
        let bundle = try Self.bundle()
        try await withService(["limits.max_labels": "20"], embeddedDefault: true) { service in
            let search = try await service.post("/v1/search", json: ["query": "两个红色的圆形", "k": 5])
            #expect(search.status == 200, "\(search.text)")
            let hits = try #require(search.json["hits"] as? [[String: Any]])
            #expect(hits.count == 5)
            let twoRedCircles = hits.filter { hit in
                let metadata = hit["metadata"] as? [String: Any] ?? [:]
                return metadata["shape"] as? String == "circle" && metadata["colour"] as? String == "red"
                    && metadata["count"] as? String == "2"
            }
            #expect(twoRedCircles.count >= 3, "top 5 for 两个红色的圆形: \(hits.map { $0["caption"] ?? "" })")

            // A blue triangle of the test split, classified against Chinese labels.
            let split = try #require(bundle.gallery)
            let set = try EvaluationSet.load(directory: split)
            let triangle = try #require(set.scenes.first {
                $0.labels["shape"] == "triangle" && $0.labels["colour"] == "blue" && $0.labels["count"] == "1"
            })
            let labels = ["蓝色三角形", "红色三角形", "绿色三角形", "蓝色圆形", "蓝色正方形", "蓝色五角星", "黄色菱形"]
            let classify = try await service.post("/v1/classify", json: [
                "image": "data:image/png;base64," + (try Data(contentsOf: triangle.file)).base64EncodedString(),
                "labels": labels,
            ])
            #expect(classify.status == 200, "\(classify.text)")
            let ranked = try #require(classify.json["labels"] as? [[String: Any]])
            #expect(ranked.first?["label"] as? String == "蓝色三角形", "\(ranked)")
        }
    }
}
