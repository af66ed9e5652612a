import Synchronization

/// Counters of what the server did since it started, as one consistent-enough snapshot
/// (`HTTPServer.statistics`) for a metrics endpoint to read at scrape time.
///
/// A pulled snapshot rather than an event callback: every count is one relaxed atomic add on
/// the I/O path, nothing there waits for (or can be slowed by) the metrics code, and a scrape
/// reads a dozen integers. Values only grow, except `openConnections`; a Prometheus exporter
/// publishes them as counters (and that one as a gauge).
public struct HTTPServerStatistics: Sendable, Hashable {
    /// Connections admitted (below `maxConnections`).
    public var connectionsAccepted: Int
    /// Connections answered 503 and closed because `maxConnections` were open.
    public var connectionsRejectedOverCapacity: Int
    /// Connections open when the snapshot was taken.
    public var openConnections: Int
    /// Responses started, every status included (refusals, 404s, 408s).
    public var requests: Int
    /// Requests the parser refused (malformed, too large, unsupported): 4xx/5xx, then close.
    public var refusedRequests: Int
    /// 408: the head was not complete within `headerTimeout` of its first byte.
    public var headerTimeouts: Int
    /// 408: no body byte arrived for `bodyTimeout`.
    public var bodyTimeouts: Int
    /// 408: the request (head and body) was not in within `requestReadTimeout` of its first
    /// byte — slow clients that kept sending just often enough to dodge the other timeouts.
    public var requestReadTimeouts: Int
    /// Kept-alive connections closed after `idleTimeout` without a next request (no response).
    public var idleTimeouts: Int
    /// Connections closed because the client did not read a response for `sendTimeout`.
    public var sendTimeouts: Int
    /// Access-log lines dropped because the log's buffer was full (the log writer fell behind).
    public var accessLogLinesDropped: Int

    /// All 408s, whatever the phase.
    public var requestTimeouts: Int { headerTimeouts + bodyTimeouts + requestReadTimeouts }
}

/// The live counters behind `HTTPServerStatistics`, incremented from any I/O queue.
final class ServerCounters: Sendable {
    let connectionsAccepted = Atomic<Int>(0)
    let connectionsRejectedOverCapacity = Atomic<Int>(0)
    let requests = Atomic<Int>(0)
    let refusedRequests = Atomic<Int>(0)
    let headerTimeouts = Atomic<Int>(0)
    let bodyTimeouts = Atomic<Int>(0)
    let requestReadTimeouts = Atomic<Int>(0)
    let idleTimeouts = Atomic<Int>(0)
    let sendTimeouts = Atomic<Int>(0)
    let accessLogLinesDropped = Atomic<Int>(0)

    func snapshot(openConnections: Int) -> HTTPServerStatistics {
        HTTPServerStatistics(
            connectionsAccepted: connectionsAccepted.load(ordering: .relaxed),
            connectionsRejectedOverCapacity: connectionsRejectedOverCapacity.load(ordering: .relaxed),
            openConnections: openConnections,
            requests: requests.load(ordering: .relaxed),
            refusedRequests: refusedRequests.load(ordering: .relaxed),
            headerTimeouts: headerTimeouts.load(ordering: .relaxed),
            bodyTimeouts: bodyTimeouts.load(ordering: .relaxed),
            requestReadTimeouts: requestReadTimeouts.load(ordering: .relaxed),
            idleTimeouts: idleTimeouts.load(ordering: .relaxed),
            sendTimeouts: sendTimeouts.load(ordering: .relaxed),
            accessLogLinesDropped: accessLogLinesDropped.load(ordering: .relaxed))
    }
}

extension Atomic where Value == Int {
    /// Counting needs no ordering with other memory: the values are only ever read as a tally.
    func increment() {
        add(1, ordering: .relaxed)
    }
}
