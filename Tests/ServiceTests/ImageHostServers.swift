import Foundation
import HTTPServer
import Logging
import Synchronization
@testable import Service

/// Two real HTTP servers on 127.0.0.1 playing remote image hosts: `main`, which serves an image,
/// redirects and hostile answers, and `other`, another port of the same host that only counts
/// the requests it gets (a redirect there must never be followed). Nothing else is contacted.
final class ImageHostServers: Sendable {
    /// Text no error detail may ever contain: it only exists in bodies the hosts send.
    static let secret = "SECRET-BODY-7f3a9c"
    static let png: [UInt8] = (try? Array(LiveService.image("png_rgb_256x192.png"))) ?? []

    let mainPort: Int
    let otherPort: Int
    private let servers: [HTTPServer]
    private let counter: Counter

    var base: String { "http://127.0.0.1:\(mainPort)" }

    /// Requests a server received for `path` (`main` or `other` by port).
    func hits(_ port: Int, _ path: String) -> Int { counter.hits.withLock { $0["\(port)\(path)"] ?? 0 } }
    /// Every request the `other` server received.
    var otherHits: Int { counter.hits.withLock { $0.filter { $0.key.hasPrefix("\(otherPort)/") }.values.reduce(0, +) } }

    private init(mainPort: Int, otherPort: Int, servers: [HTTPServer], counter: Counter) {
        self.mainPort = mainPort
        self.otherPort = otherPort
        self.servers = servers
        self.counter = counter
    }

    static func start() throws -> ImageHostServers {
        let counter = Counter()
        var logger = Logger(label: "image-host")
        logger.logLevel = .critical
        let ports = PortPair()

        var other = Router()
        other.add(.get, "/metrics") { request in
            counter.hit(ports.other, request.path)
            return .text("adaptclip_requests_total 1 \(secret)")
        }
        other.add(.get, "/img.png") { request in
            counter.hit(ports.other, request.path)
            return HTTPResponse(status: .ok, headers: ["Content-Type": "image/png"], body: png)
        }

        var main = Router()
        func route(_ path: String, _ response: @escaping @Sendable () -> HTTPResponse) {
            main.add(.get, path) { request in
                counter.hit(ports.main, request.path)
                return response()
            }
        }
        func redirect(_ path: String, to location: @escaping @Sendable () -> String) {
            route(path) { HTTPResponse(status: HTTPStatus(code: 302), headers: ["Location": location()]) }
        }
        route("/img.png") { HTTPResponse(status: .ok, headers: ["Content-Type": "image/png"], body: png) }
        redirect("/relative-redirect") { "/img.png" }
        redirect("/absolute-redirect") { "http://127.0.0.1:\(ports.main)/img.png" }
        redirect("/explicit-default-port-redirect") { "http://127.0.0.1:80/img.png" }
        redirect("/other-port-redirect") { "http://127.0.0.1:\(ports.other)/metrics" }
        redirect("/other-port-image-redirect") { "http://127.0.0.1:\(ports.other)/img.png" }
        redirect("/other-scheme-redirect") { "https://127.0.0.1:\(ports.main)/img.png" }
        redirect("/other-host-redirect") { "http://localhost:\(ports.main)/img.png" }
        redirect("/two-redirects") { "/relative-redirect" }
        redirect("/loop") { "/loop" }
        redirect("/secret-redirect") { "http://\(secret).invalid/x" }
        route("/secret-404") { .text("not here: \(secret)", status: HTTPStatus(code: 404)) }
        route("/secret-text") { .text("this is no image: \(secret)") }
        route("/big-announced") { HTTPResponse(status: .ok, body: [UInt8](repeating: 7, count: 64 * 1024)) }
        main.add(.get, "/stalled") { request in
            counter.hit(ports.main, request.path)
            // One chunk, then nothing for longer than any test's fetch time limit.
            return HTTPResponse(status: .ok) { writer in
                try await writer.write([1, 2, 3])
                try await Task.sleep(for: .seconds(3))
            }
        }
        main.add(.get, "/big-stream") { request in
            counter.hit(ports.main, request.path)
            // Chunked: no length is announced, so only the receiving side's count can stop it.
            return HTTPResponse(status: .ok) { writer in
                for _ in 0..<64 { try await writer.write([UInt8](repeating: 7, count: 1024)) }
            }
        }

        let otherServer = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0), router: other, logger: logger)
        let mainServer = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0), router: main, logger: logger)
        ports.other = try otherServer.start()
        ports.main = try mainServer.start()
        return ImageHostServers(mainPort: ports.main, otherPort: ports.other, servers: [mainServer, otherServer], counter: counter)
    }

    func stop() async {
        for server in servers { await server.shutdown(gracePeriod: .seconds(1)) }
    }

    /// The servers' ports, known only once they listen; handlers read them later.
    private final class PortPair: @unchecked Sendable {
        var main = 0
        var other = 0
    }

    fileprivate final class Counter: Sendable {
        let hits = Mutex<[String: Int]>([:])
        func hit(_ port: Int, _ path: String) { hits.withLock { $0["\(port)\(path)", default: 0] += 1 } }
    }
}

/// Runs `body` with fresh image hosts and always stops them.
func withImageHosts(_ body: (ImageHostServers) async throws -> Void) async throws {
    let hosts = try ImageHostServers.start()
    do { try await body(hosts) } catch {
        await hosts.stop()
        throw error
    }
    await hosts.stop()
}
