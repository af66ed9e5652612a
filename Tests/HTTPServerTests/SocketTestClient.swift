import Foundation
import Glibc
@testable import HTTPServer

/// A blocking raw-socket HTTP client for integration tests: it writes exactly the bytes a test
/// gives it and reads responses itself, so nothing between test and server "fixes" anything.
/// Blocking calls run on their own threads (`offPool`), never on Swift's cooperative pool,
/// which the server's handlers need.
final class SocketTestClient: @unchecked Sendable {
    struct Response: CustomStringConvertible {
        var statusLine: String
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
        var bodyText: String { String(decoding: body, as: UTF8.self) }
        var description: String { "\(statusLine) \(headers.fields.map { "\($0.name): \($0.value)" }) \(bodyText)" }
    }

    struct ClientError: Error, CustomStringConvertible {
        let description: String
    }

    let fd: Int32
    private var buffer: [UInt8] = []

    /// Connects to `host`:`port` with a receive timeout so a broken server fails a test instead of hanging it.
    init(port: Int, host: String = "127.0.0.1", receiveTimeout: Double = 5) throws {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let info = list?.pointee else {
            throw ClientError(description: "getaddrinfo \(host)")
        }
        defer { freeaddrinfo(list) }
        fd = socket(info.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError(description: "socket errno \(errno)") }
        var timeout = timeval(tv_sec: Int(receiveTimeout), tv_usec: Int((receiveTimeout - Double(Int(receiveTimeout))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, info.ai_addr, info.ai_addrlen) == 0 else {
            let code = errno
            Glibc.close(fd)
            throw ClientError(description: "connect errno \(code)")
        }
    }

    deinit { Glibc.close(fd) }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw ClientError(description: "send errno \(errno)") }
            offset += n
        }
    }

    func shutdownWrite() { Glibc.shutdown(fd, Int32(SHUT_WR)) }

    /// Reads more bytes; false at end of stream. Throws on timeout or reset.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n > 0 {
            buffer += chunk[0..<n]
            return true
        }
        if n == 0 { return false }
        throw ClientError(description: errno == EAGAIN ? "receive timed out" : "recv errno \(errno)")
    }

    /// Reads one response (Content-Length, chunked, or until close), leaving later bytes buffered.
    func readResponse(headRequest: Bool = false) throws -> Response {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while headEnd == nil {
            headEnd = buffer.indices.dropLast(3).first { Array(buffer[$0..<($0 + 4)]) == separator }
            if headEnd == nil, try !fill() { throw ClientError(description: "closed before a response head: \(String(decoding: buffer, as: UTF8.self))") }
        }
        let headText = String(decoding: buffer[..<headEnd!], as: UTF8.self)
        buffer.removeFirst(headEnd! + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let status = Int(statusLine.split(separator: " ")[1]) ?? -1
        var headers = HTTPHeaders()
        for line in lines {
            let parts = line.split(separator: ":", maxSplits: 1)
            headers.add(String(parts[0]), parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : "")
        }
        var body: [UInt8] = []
        if headRequest || status / 100 == 1 || status == 204 || status == 304 {
        } else if let length = headers["content-length"].flatMap({ Int($0) }) {
            while buffer.count < length {
                if try !fill() { throw ClientError(description: "closed inside a body") }
            }
            body = Array(buffer[..<length])
            buffer.removeFirst(length)
        } else if headers["transfer-encoding"] == "chunked" {
            while true {
                let line = try readLine()
                guard let size = Int(line, radix: 16) else { throw ClientError(description: "bad chunk line \(line)") }
                if size == 0 {
                    while try !readLine().isEmpty {}
                    break
                }
                while buffer.count < size + 2 {
                    if try !fill() { throw ClientError(description: "closed inside a chunk") }
                }
                body += buffer[..<size]
                buffer.removeFirst(size + 2)
            }
        } else {
            while try fill() {}
            body = buffer
            buffer = []
        }
        return Response(statusLine: statusLine, status: status, headers: headers, body: body)
    }

    private func readLine() throws -> String {
        while true {
            if let i = buffer.indices.dropLast().first(where: { buffer[$0] == 13 && buffer[$0 + 1] == 10 }) {
                let line = String(decoding: buffer[..<i], as: UTF8.self)
                buffer.removeFirst(i + 2)
                return line
            }
            if try !fill() { throw ClientError(description: "closed inside a line") }
        }
    }

    /// Sends `text` every `interval` until the server answers or closes, at most `limit` times,
    /// like a client trickling a request just fast enough to dodge per-read timeouts.
    /// - Returns: how many times it was sent.
    func drip(_ text: String, every interval: Duration, atMost limit: Int) throws -> Int {
        var sent = 0
        while sent < limit, !hasInput() {
            usleep(useconds_t(interval.components.seconds * 1_000_000 + interval.components.attoseconds / 1_000_000_000_000))
            do {
                try send(text)
            } catch {
                break  // the server closed first
            }
            sent += 1
        }
        return sent
    }

    /// A whole slow-client exchange: connects, sends `start`, drips `text` every `interval`
    /// until the server answers (at most `limit` times), reads the answer, and reports whether
    /// the server closed afterwards.
    static func dripUntilAnswered(
        port: Int, start: String, drip text: String, every interval: Duration, atMost limit: Int
    ) throws -> (response: Response, dripped: Int, closed: Bool) {
        let client = try SocketTestClient(port: port, receiveTimeout: 10)
        try client.send(start)
        let dripped = try client.drip(text, every: interval, atMost: limit)
        return (try client.readResponse(), dripped, client.readsEndOfStream())
    }

    /// True when a byte (or the end of the stream) is waiting to be read, without waiting.
    func hasInput() -> Bool {
        if !buffer.isEmpty { return true }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) > 0
    }

    /// True when the server closed the connection (end of stream or reset) and nothing else came.
    func readsEndOfStream() -> Bool {
        do {
            return try !fill() && buffer.isEmpty
        } catch {
            return (error as? ClientError)?.description.hasPrefix("recv errno") == true
        }
    }
}

/// Runs blocking client code on a fresh thread so Swift's cooperative pool stays free.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.start()
    }
}
