/// One answered request as the access log buffers it: raw fields, formatted into a line only on
/// the access-log queue, so a connection pays for a few retains and an array append.
struct AccessLogEntry: Sendable {
    var method: HTTPMethod
    var path: String
    var status: Int
    /// Body bytes sent; nil for a streamed body.
    var bytes: Int?
    /// From the request's first byte to the response being handed to the socket.
    var durationNanoseconds: UInt64
    var requestID: String
    /// Wall-clock second (Unix time) the response was handed to the socket: the line's timestamp.
    var time: Int

    /// Memory held while buffered, approximately, for the buffer's byte bound.
    var bufferedCost: Int { 96 + path.utf8.count + requestID.utf8.count }

    /// The message of the line: "GET /path 200".
    var message: String { "\(method.rawValue) \(path) \(status)" }

    /// The keys of the line's metadata, sorted as `StreamLogHandler` prints them.
    static let fieldKeys = ["bytes", "duration_ms", "method", "path", "request_id", "status"]

    /// The values of the line's metadata, in the order of `fieldKeys`.
    var fieldValues: [String] {
        [
            bytes.map { String($0) } ?? "stream", Self.milliseconds(durationNanoseconds), method.rawValue, path,
            requestID, String(status),
        ]
    }

    /// Milliseconds with three decimals, without Foundation's formatter.
    static func milliseconds(_ nanoseconds: UInt64) -> String {
        let micros = (nanoseconds + 500) / 1000
        let fraction = String(micros % 1000)
        return "\(micros / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
