// A trivial server for scripts/bench-http: GET / answers "Hello, World!" like the
// Hummingbird server the script builds, so the two measure the same work.
//   http-bench-server [port] [text|logger|off]
// Port 8081 by default; prints "listening <port>" when ready. The second argument picks the
// access-log destination (default text, as the service uses; logger and off are for comparing).
// Logs like `adaptclip serve` at its default level: swift-log's StreamLogHandler on standard
// error at level info, with one access line per request written the way the service writes
// them (HTTPAccessLogConfiguration.Destination.standardError, batched off the request path).
// Hummingbird writes no access log by default, so this server does strictly more work.
import Dispatch
import Glibc
import HTTPServer
import Logging

let arguments = CommandLine.arguments
let port = arguments.count > 1 ? Int(arguments[1]) ?? 8081 : 8081
let destination: HTTPAccessLogConfiguration.Destination
switch arguments.count > 2 ? arguments[2] : "text" {
case "text": destination = .standardError
case "logger": destination = .logger
case "off": destination = .off
case let other:
    print("http-bench-server: unknown access-log destination \(other) (text, logger or off)")
    exit(2)
}
LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .info
    return handler
}
let logger = Logger(label: "http-bench-server")

var router = Router()
router.add(.get, "/") { _ in .text("Hello, World!") }

let server = HTTPServer(
    configuration: HTTPServerConfiguration(
        host: "127.0.0.1", port: port, maxConnections: 4096,
        accessLog: HTTPAccessLogConfiguration(destination: destination)),
    router: router, logger: logger)
do {
    let bound = try server.start()
    print("listening \(bound)")
} catch {
    print("http-bench-server: \(error)")
    exit(1)
}
// The shutdown completes on Dispatch and ends the process; the main thread only serves Dispatch.
server.shutdownOnSignals(gracePeriod: .seconds(2)) {
    let statistics = server.statistics
    print("requests \(statistics.requests), access lines dropped \(statistics.accessLogLinesDropped)")
    exit(0)
}
dispatchMain()
