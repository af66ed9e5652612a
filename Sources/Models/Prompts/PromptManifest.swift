import Foundation
import JSON

/// `adapter.json` of a learned prompt (kind `"prompt"`, format_version 1), validated field by
/// field in the order of docs/adapters.md, "Learned prompts" (first failure wins). Comparison
/// with the loaded CLIP is `PromptHost.check`.
/// Reference: training/adaptclip_training/prompt_checkpoint.py, `_check_manifest`.
public struct PromptManifest: AdapterKindManifest, Equatable {
    public static let kind = AdapterKind.prompt

    /// The CLIP a prompt was trained on: its id and the three widths the tensors depend on.
    public struct CLIPTarget: Sendable, Equatable {
        public let id: String
        /// `P`
        public let projectionDim: Int
        /// `Wt`: the width of every inserted vector.
        public let textHiddenSize: Int
        /// `Wv`: the width of the vision tokens the instance attention reads.
        public let visionHiddenSize: Int
    }

    /// What the prompt was trained to classify; informational, any labels can be classified.
    public struct Task: Sendable, Equatable {
        public let name: String
        public let labels: [String]
    }

    public let name: String
    public let version: String
    public let clip: CLIPTarget
    public let architecture: PromptArchitecture
    public let task: Task?
    public let weights: AdapterManifest.Weights

    static let topLevelKeys = ["format_version", "kind", "name", "version", "clip", "architecture", "task", "weights", "training"]

    public static func load(directory: URL) throws(AdapterCheckpointError) -> PromptManifest {
        try PromptManifest(json: AdapterManifest.read(directory: directory))
    }

    public init(json data: Data) throws(AdapterCheckpointError) {
        // 1 (rest), 2. format_version; 3. kind; 4. top-level keys; 5. name, version
        let (m, name, version) = try AdapterManifest.header(json: data, kind: Self.kind, topLevelKeys: Self.topLevelKeys)
        self.name = name
        self.version = version
        // 6. clip
        let c = try m.section("clip", keys: ["id", "projection_dim", "text_hidden_size", "vision_hidden_size"])
        let id = try c.nonEmptyString("id")
        clip = CLIPTarget(
            id: id, projectionDim: try c.positiveInteger("projection_dim"), textHiddenSize: try c.positiveInteger("text_hidden_size"),
            visionHiddenSize: try c.positiveInteger("vision_hidden_size"))
        // 7. architecture
        architecture = try PromptArchitecture(reading: m, textHiddenSize: clip.textHiddenSize)
        // 8. task: null or exactly name + labels
        if case .null = try m.value("task") {
            task = nil
        } else {
            let t = try m.section("task", keys: ["name", "labels"])
            let taskName = try t.nonEmptyString("name")
            let labels = try t.value("labels")
            guard case .array(let items) = labels, !items.isEmpty,
                case let names = items.compactMap({ item -> String? in
                    if case .string(let s) = item, !s.isEmpty { s } else { nil }
                }), names.count == items.count
            else {
                throw t.fail(
                    "labels", "must be a non-empty list of non-empty strings, got \(labels.pythonDescription)",
                    requirement: "must be a non-empty list of non-empty strings")
            }
            task = Task(name: taskName, labels: names)
        }
        // 9. weights; 10. training
        weights = try AdapterManifest.weights(m)
        try AdapterManifest.checkTraining(m)
    }
}
