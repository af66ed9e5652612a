import Glibc

/// Where the access log goes and how much of it may wait in memory. One line per answered
/// request, written at level info: nothing is logged when the server's logger is above info.
///
/// Lines are never written on the request path: a connection appends a small record to a
/// bounded buffer and a dedicated queue writes batches. When the writer falls behind and the
/// buffer is full, new lines are dropped and counted (`HTTPServerStatistics.accessLogLinesDropped`)
/// rather than slowing requests down. The buffer is flushed when the server stops.
public struct HTTPAccessLogConfiguration: Sendable, Hashable {
    public enum Destination: Sendable, Hashable {
        /// No access log.
        case off
        /// Each line through the server's `Logger` (message "METHOD path status" with the fields
        /// method, path, status, bytes, duration_ms, request_id as metadata), so whatever
        /// `LogHandler` the process bootstrapped formats it. Costs what that handler costs per
        /// line (swift-log's `StreamLogHandler`: about 10 µs), off the request path.
        case logger
        /// Lines written straight to a file descriptor in the exact layout of swift-log's
        /// `StreamLogHandler` (timestamp, level, label, sorted metadata, [source], message) with
        /// the server logger's label and metadata, one write(2) per batch of whole lines. For a
        /// process whose logs go through `StreamLogHandler` to that descriptor, the lines are
        /// the ones `.logger` would produce, at a small fraction of the cost.
        case text(fileDescriptor: Int32)

        /// `.text` on standard error, where `StreamLogHandler.standardError` writes.
        public static let standardError = Destination.text(fileDescriptor: STDERR_FILENO)
    }

    public var destination: Destination
    /// Most bytes of pending lines held in memory (about 100 bytes per line plus its path and
    /// request id); beyond it lines are dropped and counted.
    public var maxBufferedBytes: Int
    /// Longest a line waits before its batch is written.
    public var flushInterval: Duration
    /// Pending bytes that start a write at once instead of waiting for `flushInterval`.
    public var flushThresholdBytes: Int

    public init(
        destination: Destination = .logger,
        maxBufferedBytes: Int = 4 << 20,
        flushInterval: Duration = .milliseconds(200),
        flushThresholdBytes: Int = 64 << 10
    ) {
        self.destination = destination
        self.maxBufferedBytes = maxBufferedBytes
        self.flushInterval = flushInterval
        self.flushThresholdBytes = flushThresholdBytes
    }
}
