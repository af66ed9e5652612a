import Foundation
import Models
import Synchronization

/// The checkpoints loaded into this process (validated and warmed up), of every kind: what is
/// loaded, from where and since when. Which of them serve is the engine's to say (it holds the
/// active set); loading is separate from activating so an operator can stage a checkpoint and
/// switch later, and so a failed load never touches what is serving.
final class AdapterRegistry: Sendable {
    struct Entry: Sendable {
        let adapter: any ServedAdapter
        let path: String
        let loadedAt: Date

        var kind: AdapterKind { adapter.kind }
        var identity: AdapterIdentity { adapter.identity }

        /// How the admin API names it. Kinds served one at a time share one `name@version`
        /// namespace, so a reference is never ambiguous across them; a kind served by name
        /// keeps one version per name, addressed as `<kind>:<name>` ("prompt:shapes").
        var key: String { activation == .onePerName ? "\(kind.rawValue):\(identity.name)" : identity.description }

        var activation: AdapterActivation { type(of: adapter).activation }
    }

    enum Lookup {
        case found(Entry)
        case missing
        case ambiguous([String])
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// Adds `entry`, replacing one under the same key (a new version of a prompt's name).
    func add(_ entry: Entry) {
        entries.withLock { $0[entry.key] = entry }
    }

    /// By exact key, or by bare `name` when exactly one version of it is loaded among the kinds
    /// served one at a time.
    func find(_ reference: String) -> Lookup {
        entries.withLock { entries in
            if let entry = entries[reference] { return .found(entry) }
            let matches = entries.values.filter { $0.activation != .onePerName && $0.identity.name == reference }
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
