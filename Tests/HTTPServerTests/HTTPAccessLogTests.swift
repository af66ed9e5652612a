import Foundation
import Glibc
import Logging
import Synchronization
import Testing
@testable import HTTPServer

/// The access log: written off the request path in batches, bounded, flushed at shutdown, and
/// in text mode byte for byte what swift-log's StreamLogHandler prints.
@Suite struct HTTPAccessLogTests {
    static func routes(_ router: inout Router) {
        router.add(.get, "/hello") { _ in .text("hello") }
    }

    /// Text captured from a StreamLogHandler.
    final class CapturedText: TextOutputStream, Sendable {
        private let text = Mutex("")
        var value: String { text.withLock { $0 } }
        func write(_ string: String) { text.withLock { $0 += string } }
    }

    /// Reads what was written to a pipe so far.
    static func drain(_ fd: Int32) -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 0) > 0 else { break }
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { break }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func textLinesAreWhatStreamLogHandlerPrintsForTheLoggerLines() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let entries = [
            AccessLogEntry(method: .get, path: "/hello", status: 200, bytes: 5, durationNanoseconds: 1_234_567, requestID: "r-1", time: 0),
            AccessLogEntry(method: .post, path: "/v1/x?y", status: 413, bytes: nil, durationNanoseconds: 999, requestID: "r-2", time: 0),
        ]
        // Timestamps are whole seconds: retry if the clock ticks between the two writers.
        for _ in 0..<5 {
            let captured = CapturedText()
            var logger = Logger(label: "svc") { label in StreamLogHandler(label: label, stream: captured, metadataProvider: nil) }
            logger[metadataKey: "zone"] = "eu"
            logger[metadataKey: "app"] = "a"
            let now = time(nil)
            let viaLogger = AccessLogWriter(logger: logger)
            viaLogger.batch = entries
            viaLogger.writeBatch()
            let viaText = AccessLogWriter(fileDescriptor: fds[1], logger: logger)
            viaText.batch = entries.map { entry in
                var entry = entry
                entry.time = now
                return entry
            }
            viaText.writeBatch()
            let text = Self.drain(fds[0])
            guard time(nil) == now else { continue }
            #expect(text == captured.value)
            #expect(text.split(separator: "\n").count == 2)
            #expect(text.contains(" info svc: app=a bytes=5 duration_ms=1.235 method=GET path=/hello request_id=r-1 status=200 zone=eu [HTTPServer] GET /hello 200\n"))
            #expect(text.contains("bytes=stream duration_ms=0.001 "))
            return
        }
        Issue.record("the clock ticked during every attempt")
    }

    @Test func textDestinationWritesOneLinePerRequest() async throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let configuration = HTTPServerConfiguration(accessLog: HTTPAccessLogConfiguration(destination: .text(fileDescriptor: fds[1])))
        try await withServer(configuration, routes: Self.routes) { _, port in
            try await offPool {
                let client = try SocketTestClient(port: port)
                try client.send(get("/hello") + get("/hello") + get("/nope"))
                for _ in 0..<3 { _ = try client.readResponse() }
            }
        }
        let lines = Self.drain(fds[0]).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines.first?.hasSuffix("[HTTPServer] GET /hello 200") == true)
        #expect(lines.last?.hasSuffix("[HTTPServer] GET /nope 404") == true)
    }

    @Test func linesWaitForTheirBatchAndAreFlushedWhenTheServerStops() async throws {
        let recorder = LogRecorder()
        let configuration = HTTPServerConfiguration(accessLog: HTTPAccessLogConfiguration(flushInterval: .seconds(3600)))
        var linesBeforeStop = -1
        try await withServer(configuration, recorder: recorder, routes: Self.routes) { _, port in
            try await offPool {
                let client = try SocketTestClient(port: port)
                try client.send(get("/hello") + get("/hello"))
                for _ in 0..<2 { _ = try client.readResponse() }
            }
            linesBeforeStop = recorder.accessLines.count
        }
        #expect(linesBeforeStop == 0, "lines were written on the request path")
        #expect(recorder.accessLines.count == 2)
    }

    @Test func aFullBufferDropsAndCountsLinesInsteadOfHoldingRequests() async throws {
        let recorder = LogRecorder()
        // Room for one line (96 bytes plus path and request id), and no write until shutdown.
        let accessLog = HTTPAccessLogConfiguration(maxBufferedBytes: 150, flushInterval: .seconds(3600))
        var dropped = -1
        try await withServer(HTTPServerConfiguration(accessLog: accessLog), recorder: recorder, routes: Self.routes) { server, port in
            let statuses = try await offPool {
                let client = try SocketTestClient(port: port)
                try client.send((1...4).map { get("/hello", "X-Request-Id: r\($0)\r\n") }.joined())
                return try (1...4).map { _ in try client.readResponse().status }
            }
            #expect(statuses == [200, 200, 200, 200])
            dropped = server.statistics.accessLogLinesDropped
        }
        #expect(dropped == 3)
        #expect(recorder.accessLines.map { $0.metadata["request_id"] } == ["r1"])
        #expect(recorder.all.contains { $0.level == .warning && $0.metadata["dropped"] == "3" })
    }

    @Test func nothingIsBufferedWhenTheLoggerIsAboveInfo() {
        var logger = LogRecorder().logger
        logger.logLevel = .notice
        #expect(AccessLog(configuration: HTTPAccessLogConfiguration(), logger: logger, counters: ServerCounters()) == nil)
        logger.logLevel = .info
        #expect(AccessLog(configuration: HTTPAccessLogConfiguration(destination: .off), logger: logger, counters: ServerCounters()) == nil)
        #expect(AccessLog(configuration: HTTPAccessLogConfiguration(), logger: logger, counters: ServerCounters()) != nil)
    }
}
