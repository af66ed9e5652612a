import Foundation

/// A labelled test split on disk: `captions.jsonl` (one scene per line: image `file`, `en` and
/// `zh` captions, `labels`) next to the images, and `prompts.json` naming, per classification
/// task, its labels and one prompt per label in each language:
///
///     {"tasks": {"colour": {"labels": ["red", ...], "en": ["a drawing of a red shape", ...],
///                           "zh": ["一个红色的图形", ...]}, ...}}
public struct EvaluationSet: Sendable {
    public struct Scene: Sendable {
        public let file: URL
        public let en: String
        public let zh: String
        /// Task → label (as a string; counts are written as numbers in the file). Absent or
        /// null means the scene has no single answer for that task (e.g. mixed shapes).
        public let labels: [String: String]
    }

    public struct Task: Sendable {
        public let name: String
        public let labels: [String]
        public let prompts: [String: [String]]  // language → one prompt per label
    }

    public let scenes: [Scene]
    public let tasks: [Task]

    public enum LoadError: Error, CustomStringConvertible {
        case unreadable(String)
        case malformed(file: String, line: Int?, reason: String)

        public var description: String {
            switch self {
            case .unreadable(let path): "cannot read \(path)"
            case .malformed(let file, let line, let reason): "\(file)\(line.map { ":\($0)" } ?? ""): \(reason)"
            }
        }
    }

    public static func load(directory: URL, limit: Int? = nil) throws -> EvaluationSet {
        let captionsURL = directory.appendingPathComponent("captions.jsonl")
        guard let captions = try? String(contentsOf: captionsURL, encoding: .utf8) else { throw LoadError.unreadable(captionsURL.path) }
        var scenes: [Scene] = []
        for (number, line) in captions.split(separator: "\n").enumerated() {
            if let limit, scenes.count >= limit { break }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                  let file = object["file"] as? String, let en = object["en"] as? String, let zh = object["zh"] as? String else {
                throw LoadError.malformed(file: captionsURL.path, line: number + 1, reason: "needs file, en and zh")
            }
            var labels: [String: String] = [:]
            for (task, value) in (object["labels"] as? [String: Any]) ?? [:] {
                if let text = value as? String { labels[task] = text }
                if let number = value as? Int { labels[task] = String(number) }
            }
            scenes.append(Scene(file: directory.appendingPathComponent(file), en: en, zh: zh, labels: labels))
        }
        let promptsURL = directory.appendingPathComponent("prompts.json")
        guard let data = FileManager.default.contents(atPath: promptsURL.path),
              let root = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let taskObjects = root["tasks"] as? [String: Any] else {
            throw LoadError.malformed(file: promptsURL.path, line: nil, reason: "needs {\"tasks\": {...}}")
        }
        var tasks: [Task] = []
        for name in taskObjects.keys.sorted() {
            guard let task = taskObjects[name] as? [String: Any], let labels = task["labels"] as? [Any] else {
                throw LoadError.malformed(file: promptsURL.path, line: nil, reason: "task \(name) needs labels")
            }
            let names = labels.map { "\($0)" }
            var prompts: [String: [String]] = [:]
            for language in ["en", "zh"] {
                guard let list = task[language] as? [String], list.count == names.count else {
                    throw LoadError.malformed(file: promptsURL.path, line: nil, reason: "task \(name) needs one \(language) prompt per label")
                }
                prompts[language] = list
            }
            tasks.append(Task(name: name, labels: names, prompts: prompts))
        }
        return EvaluationSet(scenes: scenes, tasks: tasks)
    }
}
