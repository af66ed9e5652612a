// A trivial server for scripts/bench-http: GET / answers "Hello, World!" like the
// Hummingbird server the script builds, so the two measure the same work.
//   http-bench-server [port]        (default 8081; prints "listening <port>" when ready)
// Access logging is off (level warning), as it is in a default Hummingbird application.
import Glibc
import HTTPServer
import Logging

let port = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 8081 : 8081
var logger = Logger(label: "http-bench-server")
logger.logLevel = .warning

var router = Router()
router.add(.get, "/") { _ in .text("Hello, World!") }

let server = HTTPServer(
    configuration: HTTPServerConfiguration(host: "127.0.0.1", port: port, maxConnections: 4096),
    router: router, logger: logger)
do {
    let bound = try server.start()
    print("listening \(bound)")
} catch {
    print("http-bench-server: \(error)")
    exit(1)
}
server.shutdownOnSignals(gracePeriod: .seconds(2))
await server.waitUntilStopped()
