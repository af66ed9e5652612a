import Engine
import Foundation
import Logging
import Retrieval
import Testing
@testable import Service

/// A six-scene labelled split built from fixture images, in the format training/world writes.
private func makeSplit() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("adaptclip-split-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let scenes: [(String, String, String, String)] = [
        ("png_rgb_256x192.png", "two red circles", "两个红色的圆形", "red"),
        ("jpeg_q95_640x480.jpg", "a blue triangle", "一个蓝色的三角形", "blue"),
        ("webp_lossy_320x240.webp", "a green star", "一个绿色的五角星", "green"),
        ("png_rgba_200x150.png", "three red squares", "三个红色的正方形", "red"),
        ("jpeg_grey_160x120.jpg", "a red and a blue shape", "一个红色和一个蓝色的图形", "mixed"),
        ("png_palette_190x100.png", "a large blue circle", "一个大的蓝色圆形", "blue"),
    ]
    var lines: [String] = []
    for (file, en, zh, colour) in scenes {
        try FileManager.default.copyItem(
            at: LiveService.fixtures.appendingPathComponent("images/\(file)"), to: folder.appendingPathComponent(file))
        let labels: [String: Any] = colour == "mixed" ? ["colour": NSNull(), "count": 2] : ["colour": colour, "count": 1]
        let data = try JSONSerialization.data(withJSONObject: ["file": file, "en": en, "zh": zh, "labels": labels])
        lines.append(String(decoding: data, as: UTF8.self))
    }
    try lines.joined(separator: "\n").write(to: folder.appendingPathComponent("captions.jsonl"), atomically: true, encoding: .utf8)
    let prompts: [String: Any] = ["tasks": [
        "colour": ["labels": ["red", "blue", "green"], "en": ["a red shape", "a blue shape", "a green shape"],
                   "zh": ["红色的图形", "蓝色的图形", "绿色的图形"]],
        "count": ["labels": [1, 2], "en": ["one shape", "two shapes"], "zh": ["一个图形", "两个图形"]],
    ]]
    try JSONSerialization.data(withJSONObject: prompts).write(to: folder.appendingPathComponent("prompts.json"))
    return folder
}

private func chineseEngine() throws -> EmbeddingEngine {
    let configuration = try ConfigurationLoader(overrides: [
        "models.clip": LiveService.fixtures.appendingPathComponent("engine/tiny-clip").path,
        "models.zh_encoder": LiveService.fixtures.appendingPathComponent("bert/bert-tiny-a").path,
        "models.zh_adapter": LiveService.fixtures.appendingPathComponent("engine/zh-adapter-v1").path,
    ]).load()
    return try EngineFactory.make(configuration: configuration).engine
}

@Suite(.serialized) struct GalleryAndEvaluationTests {
    @Test func theGalleryIsSeededOnceIntoAnEmptyCollectionWithCaptionsAndLabels() async throws {
        let split = try makeSplit()
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("adaptclip-gallery-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: split); try? FileManager.default.removeItem(at: data) }
        let engine = try chineseEngine()
        let collection = try ImageLibrary(directory: DataDirectory(root: data), current: try engine.imageSpace())
        try await GallerySeeder.seedIfEmpty(collection, from: split, engine: engine, logger: Logger(label: "test"))
        #expect(try collection.store.itemCount() == 6)
        let first = try #require(try collection.store.items(after: 0, limit: 1).first)
        #expect(first.caption == "two red circles")
        #expect(first.metadata["caption_zh"] == .string("两个红色的圆形"))
        #expect(first.metadata["colour"] == .string("red"))
        // A second start finds a non-empty collection and adds nothing.
        try await GallerySeeder.seedIfEmpty(collection, from: split, engine: engine, logger: Logger(label: "test"))
        #expect(try collection.store.itemCount() == 6)
        try collection.close()
    }

    /// Runs the whole evaluation on the random test models: the figures carry no meaning, but
    /// every path and task must be measured over the right scenes, within [0, 1].
    @Test func evaluationMeasuresEveryPathAndTask() async throws {
        let split = try makeSplit()
        defer { try? FileManager.default.removeItem(at: split) }
        let set = try EvaluationSet.load(directory: split)
        #expect(set.scenes.count == 6)
        #expect(set.tasks.map(\.name) == ["colour", "count"])
        let result = try await Evaluation.run(set, engine: try chineseEngine())
        #expect(Set(result.zeroShot.keys) == ["en", "zh-raw", "zh"])
        #expect(Set(result.retrieval.keys) == ["en", "zh-raw", "zh"])
        for (_, tasks) in result.zeroShot {
            #expect(Set(tasks.keys) == ["colour", "count"])
            #expect(tasks.values.allSatisfy { (0...1).contains($0) })
        }
        for (_, metrics) in result.retrieval {
            #expect(metrics.recallAt1 <= metrics.recallAt5 && metrics.recallAt5 <= metrics.recallAt10)
            #expect(metrics.recallAt10 == 1, "with 6 images every caption's image is in the top 10")
        }
    }

    @Test func malformedSplitsAreRefusedWithTheFileAndLine() throws {
        let split = try makeSplit()
        defer { try? FileManager.default.removeItem(at: split) }
        try "{\"file\": \"x.png\"}\n".write(to: split.appendingPathComponent("captions.jsonl"), atomically: true, encoding: .utf8)
        do {
            _ = try EvaluationSet.load(directory: split)
            Issue.record("accepted a scene without captions")
        } catch {
            #expect("\(error)".contains("captions.jsonl:1"))
        }
    }
}
