/// What opening a store did to bring its vector index up to date with SQLite.
public enum IndexRecovery: Sendable, Equatable, CustomStringConvertible {
    /// The index file was loaded and the rows/deletions after its checkpoint were replayed.
    case loaded(replayedItems: Int, replayedDeletions: Int)
    /// The index was rebuilt from the stored embeddings (no file, stale, corrupt or inconsistent).
    case rebuilt(reason: String)

    public var description: String {
        switch self {
        case .loaded(let items, let deletions): "loaded the index file, replayed \(items) items and \(deletions) deletions"
        case .rebuilt(let reason): "rebuilt the index from SQLite: \(reason)"
        }
    }
}
