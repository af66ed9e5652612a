/// The bounds of a `BlockingPostgresPool`. Defaults suit one replica of the service; each is
/// documented in docs/scaling.md (connections per replica × replicas must stay under the
/// server's `max_connections`).
public struct PostgresPoolLimits: Sendable, Equatable {
    /// Connections the pool opens at most (one per concurrent store call).
    public var maxConnections: Int
    /// How long a call waits for a connection when all are busy before it fails.
    public var acquireTimeout: Duration
    /// How long one statement may run before the call fails and its connection is closed (the
    /// server's `statement_timeout` is set to the same value, so the server stops the work too).
    public var statementTimeout: Duration

    public init(maxConnections: Int = 8, acquireTimeout: Duration = .seconds(10), statementTimeout: Duration = .seconds(30)) {
        self.maxConnections = max(1, maxConnections)
        self.acquireTimeout = acquireTimeout
        self.statementTimeout = statementTimeout
    }
}

extension Duration {
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
