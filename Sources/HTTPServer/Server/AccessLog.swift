import Dispatch
import Glibc
import Logging
import Synchronization

/// The access log, off the request path: `append` puts a record in a bounded buffer under a
/// short lock; a serial queue of its own turns batches into lines, either after
/// `flushInterval` or at once when `flushThresholdBytes` are pending. A full buffer drops the
/// new line and counts it, so a slow log destination can never slow or block a request.
final class AccessLog: Sendable {
    private struct Pending {
        var entries: [AccessLogEntry] = []
        var bytes = 0
        var droppedSinceWrite = 0
        var timerArmed = false
        var writeQueued = false
    }

    private let configuration: HTTPAccessLogConfiguration
    private let pending = Mutex(Pending())
    private let queue = DispatchQueue(label: "http.access-log", qos: .utility)
    private let writer: AccessLogWriter
    private let logger: Logger
    private let counters: ServerCounters

    /// nil when there is nothing to write: destination off, or the logger above level info.
    init?(configuration: HTTPAccessLogConfiguration, logger: Logger, counters: ServerCounters) {
        guard logger.logLevel <= .info else { return nil }
        switch configuration.destination {
        case .off: return nil
        case .logger: writer = AccessLogWriter(logger: logger)
        case .text(let fd): writer = AccessLogWriter(fileDescriptor: fd, logger: logger)
        }
        self.configuration = configuration
        self.logger = logger
        self.counters = counters
    }

    /// Called by connections; never blocks beyond the buffer's lock.
    func append(_ entry: AccessLogEntry) {
        enum Schedule { case none, afterInterval, now, dropped }
        let cost = entry.bufferedCost
        let schedule = pending.withLock { p -> Schedule in
            guard p.bytes + cost <= configuration.maxBufferedBytes else {
                p.droppedSinceWrite += 1
                return .dropped
            }
            p.entries.append(entry)
            p.bytes += cost
            if p.bytes >= configuration.flushThresholdBytes, !p.writeQueued {
                p.writeQueued = true
                return .now
            }
            if !p.timerArmed {
                p.timerArmed = true
                return .afterInterval
            }
            return .none
        }
        switch schedule {
        case .none: break
        case .dropped: counters.accessLogLinesDropped.increment()
        case .now: queue.async { self.writePending() }
        case .afterInterval:
            queue.asyncAfter(deadline: .now() + .nanoseconds(Int(configuration.flushInterval.nanoseconds))) { self.writePending() }
        }
    }

    /// Writes everything pending and returns when it is written (at shutdown).
    func flush() {
        queue.sync { writePending() }
    }

    /// On `queue`.
    private func writePending() {
        let dropped = pending.withLock { p in
            // Swap with the writer's emptied array: neither side reallocates in steady state.
            swap(&p.entries, &writer.batch)
            p.bytes = 0
            p.timerArmed = false
            p.writeQueued = false
            defer { p.droppedSinceWrite = 0 }
            return p.droppedSinceWrite
        }
        writer.writeBatch()
        if dropped > 0 {
            logger.warning("access log buffer full, lines dropped", metadata: [
                "dropped": "\(dropped)", "max_buffered_bytes": "\(configuration.maxBufferedBytes)",
            ])
        }
    }
}

/// Turns a batch into output. Used only on the access log's queue, which is what the
/// `@unchecked Sendable` stands for.
final class AccessLogWriter: @unchecked Sendable {
    private enum Output {
        case logger(Logger)
        case text(fd: Int32, formatter: AccessLineFormatter)
    }

    var batch: [AccessLogEntry] = []
    private var output: Output
    private var bytes: [UInt8] = []

    /// Largest single write(2): writes up to PIPE_BUF bytes to a pipe are atomic, so a batch
    /// cut at line boundaries below it never interleaves mid-line with the process's other
    /// log lines on the same pipe.
    private static let writeLimit = Int(PIPE_BUF)

    init(logger: Logger) {
        output = .logger(logger)
    }

    init(fileDescriptor: Int32, logger: Logger) {
        output = .text(fd: fileDescriptor, formatter: AccessLineFormatter(label: logger.label, metadata: logger.handler.metadata))
    }

    func writeBatch() {
        defer { batch.removeAll(keepingCapacity: batch.capacity <= 1 << 16) }
        switch output {
        case .logger(let logger):
            for entry in batch {
                var metadata = Logger.Metadata()
                for (key, value) in zip(AccessLogEntry.fieldKeys, entry.fieldValues) { metadata[key] = .string(value) }
                logger.info("\(entry.message)", metadata: metadata)
            }
        case .text(let fd, var formatter):
            bytes.removeAll(keepingCapacity: true)
            var lineStart = 0
            for entry in batch {
                let before = bytes.count
                formatter.append(entry, to: &bytes)
                if bytes.count - lineStart > Self.writeLimit, before > lineStart {
                    writeAll(fd, bytes[lineStart..<before])
                    lineStart = before
                }
            }
            writeAll(fd, bytes[lineStart...])
            output = .text(fd: fd, formatter: formatter)
        }
    }

    /// Writes every byte unless the descriptor fails; a log must not stop the server, so an
    /// error loses the rest of this batch.
    private func writeAll(_ fd: Int32, _ slice: ArraySlice<UInt8>) {
        slice.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n > 0 {
                    offset += n
                } else if n < 0, errno == EINTR {
                    continue
                } else if n < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                    var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                    if poll(&descriptor, 1, 1000) <= 0 { return }
                } else {
                    return
                }
            }
        }
    }
}
