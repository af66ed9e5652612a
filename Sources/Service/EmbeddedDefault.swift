import Foundation

/// Where `adaptclip` finds its models when none are configured.
///
/// The demo bundle (models/demo, trained on the generated world by the project's own pipeline,
/// `make demo-model`) when it is there; otherwise the tiny *random* test models from
/// Tests/Fixtures, which prove the plumbing, not the semantics — `/readyz` and the start-up log
/// say so.
public struct EmbeddedDefault: Sendable {
    public let clipDirectory: URL
    public let chineseEncoderDirectory: URL?
    public let languageAdapterDirectory: URL?
    /// Shown in `/readyz` and logs.
    public let label: String
    /// The ids the bundle's models go by (what its adapter's manifest names as `clip.id` and
    /// `base_encoder.id`, and what the index's embedding space records); nil: the directory name.
    public var clipName: String? = nil
    public var chineseEncoderName: String? = nil
    /// Language ("en", "zh") → the classification template the bundle's CLIP was trained to read
    /// (the demo CLIP knows drawings, not photos), from `manifest.json`'s
    /// `classification_templates`; empty: the service's standard templates.
    public var classificationTemplates: [String: String] = [:]
    /// True for models whose outputs carry no meaning (random weights).
    public let isTestModel: Bool
    /// The bundle's labelled test split (`adaptclip eval`), when it ships one.
    public var evaluationSplit: URL? = nil
    /// Images `serve` indexes on first start with an empty collection, when the bundle has them.
    public var gallery: URL? = nil

    /// Looks next to the executable first (an installed layout: bin/../models/demo), then in the
    /// source tree the binary was built from (a developer's checkout, `make serve`).
    public static func locate(executable: URL = URL(fileURLWithPath: CommandLine.arguments[0])) -> EmbeddedDefault? {
        let sourceRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let installRoot = executable.resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent()
        for root in [installRoot, sourceRoot] {
            let demo = root.appendingPathComponent("models/demo")
            if exists(demo.appendingPathComponent("clip/config.json")) {
                return EmbeddedDefault(
                    clipDirectory: demo.appendingPathComponent("clip"),
                    chineseEncoderDirectory: optional(demo.appendingPathComponent("bert-zh"), marker: "config.json"),
                    languageAdapterDirectory: optional(demo.appendingPathComponent("zh-adapter"), marker: "adapter.json"),
                    label: "demo bundle (models/demo)", clipName: demoCLIPName, chineseEncoderName: demoChineseEncoderName,
                    classificationTemplates: templates(manifest: demo.appendingPathComponent("manifest.json")),
                    isTestModel: false,
                    evaluationSplit: optional(demo.appendingPathComponent("test"), marker: "captions.jsonl"),
                    gallery: optional(demo.appendingPathComponent("test"), marker: "captions.jsonl"))
            }
        }
        let fixtures = sourceRoot.appendingPathComponent("Tests/Fixtures")
        let clip = fixtures.appendingPathComponent("engine/tiny-clip")
        guard exists(clip.appendingPathComponent("config.json")) else { return nil }
        return EmbeddedDefault(
            clipDirectory: clip,
            chineseEncoderDirectory: optional(fixtures.appendingPathComponent("bert/bert-tiny-a"), marker: "config.json"),
            languageAdapterDirectory: optional(fixtures.appendingPathComponent("engine/zh-adapter-v1"), marker: "adapter.json"),
            label: "TEST MODEL: tiny random CLIP + BERT + adapter (Tests/Fixtures) — answers are not meaningful",
            isTestModel: true)
    }

    /// Model ids of the demo bundle (training/make_demo.sh passes the same to the adapter trainer).
    public static let demoCLIPName = "adaptclip-demo-clip"
    public static let demoChineseEncoderName = "adaptclip-demo-bert-zh"

    private static func templates(manifest: URL) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: manifest.path),
              let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let templates = root["classification_templates"] as? [String: String] else { return [:] }
        return templates.filter { $0.value.contains("{}") }
    }

    private static func exists(_ url: URL) -> Bool { FileManager.default.fileExists(atPath: url.path) }

    private static func optional(_ directory: URL, marker: String) -> URL? {
        exists(directory.appendingPathComponent(marker)) ? directory : nil
    }
}
