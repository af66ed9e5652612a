import Glibc
import Logging

/// Formats access-log entries byte for byte as swift-log's `StreamLogHandler` would print the
/// `logger.info` call of `HTTPAccessLogConfiguration.Destination.logger`:
///
///     2025-06-01T12:00:00+0200 info adaptclip: bytes=5 duration_ms=0.210 method=GET path=/hello request_id=ab-1 status=200 [HTTPServer] GET /hello 200
///
/// but with the work done once where `StreamLogHandler` repeats it per line: the timestamp is
/// formatted once per second, the logger's own metadata and the key order once at start.
/// (A `MetadataProvider` is not consulted: an access line has no task context to read.)
struct AccessLineFormatter {
    /// One "key=value" of a line, in key order.
    private enum Field {
        case constant([UInt8])
        /// Key bytes "key=" and the index of the value in `AccessLogEntry.fieldValues`.
        case entry(key: [UInt8], index: Int)
    }

    private let afterTimestamp: [UInt8]
    private let fields: [Field]
    private var cachedSecond = Int.min
    private var cachedTimestamp: [UInt8] = []

    /// The `source` swift-log derives from this module's #fileID, as `.logger` lines carry it.
    static let source = "HTTPServer"

    init(label: String, metadata: Logger.Metadata) {
        afterTimestamp = Array(" \(Logger.Level.info)\(label.isEmpty ? "" : " ")\(label):".utf8)
        let entryKeys = AccessLogEntry.fieldKeys
        var keyed: [(String, Field)] = metadata.filter { !entryKeys.contains($0.key) }.map { key, value in
            (key, .constant(Array("\(key)=\(value)".utf8)))
        }
        keyed += entryKeys.enumerated().map { index, key in (key, .entry(key: Array("\(key)=".utf8), index: index)) }
        fields = keyed.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// Appends `entry`'s line, newline included.
    mutating func append(_ entry: AccessLogEntry, to out: inout [UInt8]) {
        out.append(contentsOf: timestamp(entry.time))
        out.append(contentsOf: afterTimestamp)
        let values = entry.fieldValues
        for field in fields {
            out.append(ASCII.space)
            switch field {
            case .constant(let bytes):
                out.append(contentsOf: bytes)
            case .entry(let key, let index):
                out.append(contentsOf: key)
                out.append(contentsOf: values[index].utf8)
            }
        }
        out.append(contentsOf: " [\(Self.source)] ".utf8)
        out.append(contentsOf: entry.message.utf8)
        out.append(ASCII.lf)
    }

    /// Local time as `StreamLogHandler` prints it (strftime "%Y-%m-%dT%H:%M:%S%z").
    private mutating func timestamp(_ second: Int) -> [UInt8] {
        if second == cachedSecond { return cachedTimestamp }
        var time = time_t(second)
        var parts = tm()
        var buffer = [CChar](repeating: 0, count: 64)
        if localtime_r(&time, &parts) == nil {
            cachedTimestamp = Array("<unknown>".utf8)
        } else {
            let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
            cachedTimestamp = buffer[0..<count].map { UInt8(bitPattern: $0) }
        }
        cachedSecond = second
        return cachedTimestamp
    }
}
