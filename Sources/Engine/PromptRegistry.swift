import Foundation
import Models
import Synchronization

/// Learned prompts loaded into the engine, by name. Installing a prompt under a name that is
/// taken replaces it in one step under a lock: a request takes its `Entry` once and keeps that
/// value to the end, so requests in flight finish on the old prompt and new ones get the new one.
public final class PromptRegistry: Sendable {
    public struct Entry: Sendable {
        public let prompt: LearnedPrompt
        public let path: String
        public let loadedAt: Date
        public var name: String { prompt.manifest.name }
        public var version: String { prompt.manifest.version }
        /// What class features cached for this prompt are keyed by: a new version under the
        /// same name (other weights) never answers from the old one's cache.
        public var producer: String { "prompt:\(name)@\(version):\(prompt.manifest.weights.sha256.prefix(12))" }
    }

    private let entries = Mutex<[String: Entry]>([:])

    public init() {}

    /// Installs `entry` under its name; returns the entry it replaced.
    @discardableResult
    public func install(_ entry: Entry) -> Entry? {
        entries.withLock { $0.updateValue(entry, forKey: entry.name) }
    }

    public func entry(named name: String) -> Entry? {
        entries.withLock { $0[name] }
    }

    @discardableResult
    public func remove(named name: String) -> Entry? {
        entries.withLock { $0.removeValue(forKey: name) }
    }

    public var all: [Entry] { entries.withLock { $0.values.sorted { $0.name < $1.name } } }
}
