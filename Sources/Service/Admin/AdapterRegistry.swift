import Engine
import Foundation
import Models
import Synchronization

/// Adapters loaded into this process (validated and warmed up), of every kind, by
/// `name@version` (one namespace, so a reference is never ambiguous across kinds). Loading is
/// separate from activating so an operator can stage a checkpoint and switch later, and so a
/// failed load never touches what is serving.
final class AdapterRegistry: Sendable {
    struct Entry: Sendable {
        let adapter: LoadedAdapter
        let path: String
        let loadedAt: Date
        var key: String { "\(adapter.name)@\(adapter.version)" }
    }

    enum Lookup {
        case found(Entry)
        case missing
        case ambiguous([String])
    }

    private let entries = Mutex<[String: Entry]>([:])

    func add(_ entry: Entry) {
        entries.withLock { $0[entry.key] = entry }
    }

    /// By exact `name@version`, or by bare `name` when exactly one version of it is loaded.
    func find(_ reference: String) -> Lookup {
        entries.withLock { entries in
            if let entry = entries[reference] { return .found(entry) }
            let matches = entries.values.filter { $0.adapter.name == reference }
            switch matches.count {
            case 0: return .missing
            case 1: return .found(matches[0])
            default: return .ambiguous(matches.map(\.key).sorted())
            }
        }
    }

    @discardableResult
    func remove(_ key: String) -> Entry? {
        entries.withLock { $0.removeValue(forKey: key) }
    }

    var all: [Entry] { entries.withLock { $0.values.sorted { $0.key < $1.key } } }
}
