import PostgresNIO

/// Which store failures mean "the shared database cannot serve this now" rather than a bug or a
/// bad request: the caller answers 503 with Retry-After (another replica, or this one a moment
/// later, may succeed) and the replica keeps running.
public enum PostgresUnavailability {
    /// A client-safe reason when `error` is such a failure, nil otherwise. The reason names what
    /// happened, never the URL's password nor a statement's bound values.
    public static func reason(_ error: any Error) -> String? {
        switch error {
        case PostgresStoreError.poolExhausted, PostgresStoreError.timedOut, PostgresStoreError.closed:
            return "\(error)"
        case PostgresStoreError.connectFailed:
            return "the shared store cannot be reached"
        case let error as PSQLError:
            if connectionCodes.contains(error.code) { return "the connection to the shared store was lost" }
            guard error.code == .server, let state = error.serverInfo?[.sqlState] else { return nil }
            // 08: connection exceptions; 53: insufficient resources (too many connections, disk
            // full); 57: operator intervention (statement timeout, admin shutdown, recovery).
            return ["08", "53", "57"].contains(String(state.prefix(2))) ? "the shared store refused the statement (SQLSTATE \(state))" : nil
        default:
            return nil
        }
    }

    private static let connectionCodes: [PSQLError.Code] = [
        .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown, .poolClosed, .queryCancelled,
    ]
}
