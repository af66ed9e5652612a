import Foundation
import Models
import Synchronization

/// The learned prompts the engine serves, by name: the active set, chosen by the service
/// (which keeps what was loaded, from where and when). Activating a prompt under a name that is
/// taken replaces it in one step under a lock: a request takes its `Entry` once and keeps that
/// value to the end, so requests in flight finish on the old prompt and new ones get the new one.
public final class PromptRegistry: Sendable {
    public struct Entry: Sendable {
        public let prompt: LearnedPrompt
        /// What class features cached for this prompt are keyed by: a new version under the
        /// same name (other weights) never answers from the old one's cache.
        public let producer: String

        init(prompt: LearnedPrompt, clipName: String) {
            self.prompt = prompt
            producer = prompt.manifest.identity.producer(base: clipName, kind: .prompt)
        }

        public var identity: AdapterIdentity { prompt.manifest.identity }
        public var name: String { prompt.manifest.name }
    }

    private let entries = Mutex<[String: Entry]>([:])

    public init() {}

    /// Serves `entry` under its name; returns the entry it replaced.
    @discardableResult
    func activate(_ entry: Entry) -> Entry? {
        entries.withLock { $0.updateValue(entry, forKey: entry.name) }
    }

    public func entry(named name: String) -> Entry? {
        entries.withLock { $0[name] }
    }

    /// Stops serving the prompt of that name; returns it.
    @discardableResult
    func deactivate(named name: String) -> Entry? {
        entries.withLock { $0.removeValue(forKey: name) }
    }

    public var all: [Entry] { entries.withLock { $0.values.sorted { $0.name < $1.name } } }
}
