/// Failures of the PostgreSQL store that are not the server's own errors (those pass through as
/// PostgresNIO's `PSQLError`, whose description carries the server's message and SQLSTATE).
public enum PostgresStoreError: Error, CustomStringConvertible, Sendable, Equatable {
    /// `store.postgres.url` could not be used; the text names the part at fault, never the password.
    case invalidURL(String)
    /// No pooled connection came free within the pool's `acquireTimeout`.
    case poolExhausted(connections: Int, waitedSeconds: Double)
    /// A statement did not finish within the pool's `statementTimeout`; its connection was closed.
    case timedOut(seconds: Double)
    /// A blocking call from one of the pool's own event-loop threads would wait on itself forever.
    case calledFromEventLoop
    case closed
    /// A migration failed and was rolled back.
    case migrationFailed(version: Int, name: String, reason: String)
    /// The server could not be reached or refused the login (`reason` from `PostgresErrorText`).
    case connectFailed(url: String, reason: String)
    /// A statement returned something the store did not ask for.
    case unexpectedResult(String)

    public var description: String {
        switch self {
        case .invalidURL(let reason): "store.postgres.url: \(reason)"
        case .poolExhausted(let connections, let waited):
            "all \(connections) PostgreSQL connections stayed busy for \(waited) s"
        case .timedOut(let seconds): "a PostgreSQL statement did not finish within \(seconds) s; its connection was closed"
        case .calledFromEventLoop: "a blocking PostgreSQL call was made from the pool's own event loop"
        case .closed: "the PostgreSQL store is closed"
        case .migrationFailed(let version, let name, let reason): "migration \(version) (\(name)) failed and was rolled back: \(reason)"
        case .connectFailed(let url, let reason): "cannot connect to \(url): \(reason)"
        case .unexpectedResult(let what): "unexpected PostgreSQL result: \(what)"
        }
    }
}
