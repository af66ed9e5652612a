import Foundation
import Logging
import Synchronization
@testable import HTTPServer

/// Collects log records so tests can assert on access-log and error lines.
final class LogRecorder: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let records = Mutex<[Record]>([])
    var all: [Record] { records.withLock { $0 } }
    func append(_ record: Record) { records.withLock { $0.append(record) } }

    var logger: Logger {
        var logger = Logger(label: "http-test") { _ in RecordingHandler(recorder: self) }
        logger.logLevel = .debug
        return logger
    }

    /// Access-log records (those carrying a status).
    var accessLines: [Record] { all.filter { $0.metadata["status"] != nil } }

    struct RecordingHandler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            recorder.append(Record(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
        }
    }
}

/// Starts a server on an ephemeral loopback port (listening before `body` runs), runs `body`,
/// then shuts the server down.
func withServer(
    _ configuration: HTTPServerConfiguration = HTTPServerConfiguration(host: "127.0.0.1", port: 0),
    recorder: LogRecorder = LogRecorder(),
    routes: (inout Router) -> Void,
    _ body: (HTTPServer, Int) async throws -> Void
) async throws {
    var router = Router()
    routes(&router)
    var configuration = configuration
    configuration.port = 0
    let server = HTTPServer(configuration: configuration, router: router, logger: recorder.logger)
    let port = try server.start()
    do {
        try await body(server, port)
    } catch {
        await server.shutdown(gracePeriod: .milliseconds(100))
        throw error
    }
    await server.shutdown(gracePeriod: .milliseconds(500))
}

/// A trivial request.
func get(_ path: String, _ extra: String = "") -> String {
    "GET \(path) HTTP/1.1\r\nHost: test\r\n\(extra)\r\n"
}
