/// Refusals and failures of the image store (SQLite and FAISS errors are passed through as
/// `SQLiteError` / `VectorIndexError`).
public enum StoreError: Error, CustomStringConvertible, Sendable, Equatable {
    case invalidArgument(String)
    /// Another process holds the data directory's writer lock.
    case directoryInUse(String)
    /// A stored row cannot be read back (e.g. an embedding blob of the wrong size).
    case corruptRow(id: Int64, reason: String)
    case io(String)

    public var description: String {
        switch self {
        case .invalidArgument(let m): "invalid argument: \(m)"
        case .directoryInUse(let m): m
        case .corruptRow(let id, let reason): "item \(id) is corrupt: \(reason)"
        case .io(let m): m
        }
    }
}
