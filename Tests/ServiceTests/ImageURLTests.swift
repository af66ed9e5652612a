import Foundation
import HTTPServer
import Logging
import Testing
@testable import Service

/// A real HTTP server on loopback playing the remote image host.
private func withImageHost(_ body: (Int) async throws -> Void) async throws {
    let png = try LiveService.image("png_rgb_256x192.png")
    var router = Router()
    router.add(.get, "/img.png") { _ in HTTPResponse(status: .ok, headers: ["Content-Type": "image/png"], body: Array(png)) }
    router.add(.get, "/same-host-redirect") { _ in HTTPResponse(status: HTTPStatus(code: 302), headers: ["Location": "/img.png"]) }
    router.add(.get, "/missing") { _ in HTTPResponse(status: HTTPStatus(code: 404)) }
    let box = PortBox()
    router.add(.get, "/other-host-redirect") { _ in
        HTTPResponse(status: HTTPStatus(code: 302), headers: ["Location": "http://localhost:\(box.port)/img.png"])
    }
    var logger = Logger(label: "image-host")
    logger.logLevel = .critical
    let server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0), router: router, logger: logger)
    let port = try server.start()
    box.port = port
    do { try await body(port) } catch {
        await server.shutdown(gracePeriod: .seconds(1))
        throw error
    }
    await server.shutdown(gracePeriod: .seconds(1))
}

private final class PortBox: @unchecked Sendable {
    var port = 0
}

@Suite(.serialized) struct ImageURLTests {
    @Test func imageURLIsOffByDefault() async throws {
        try await withImageHost { port in
            try await withService { service in
                let reply = try await service.post("/v1/classify", json: ["image_url": "http://127.0.0.1:\(port)/img.png", "labels": ["a"]])
                expectProblem(reply, status: 400, field: "image_url")
                #expect((reply.json["detail"] as? String)?.contains("disabled") == true)
            }
        }
    }

    @Test func anAllowListedHostIsFetchedAndGivesTheSameAnswerAsInlineBytes() async throws {
        try await withImageHost { port in
            try await withService(["image_url.allowed_hosts": "127.0.0.1"]) { service in
                let byURL = try await service.post("/v1/embeddings", json: [
                    "input": ["http://127.0.0.1:\(port)/img.png"], "modality": "image",
                ])
                let inline = try await service.post("/v1/embeddings", json: [
                    "input": [try LiveService.dataURI("png_rgb_256x192.png")], "modality": "image",
                ])
                #expect(byURL.status == 200, "\(byURL.text)")
                let a = (byURL.json["data"] as? [[String: Any]])?.first?["embedding"] as? [Double]
                let b = (inline.json["data"] as? [[String: Any]])?.first?["embedding"] as? [Double]
                #expect(a != nil && a == b)
                let redirected = try await service.post("/v1/classify", json: [
                    "image_url": "http://127.0.0.1:\(port)/same-host-redirect", "labels": ["a", "b"],
                ])
                #expect(redirected.status == 200, "\(redirected.text)")
            }
        }
    }

    @Test func everyRuleIsEnforcedAndNamesTheField() async throws {
        try await withImageHost { port in
            try await withService(["image_url.allowed_hosts": "127.0.0.1, localhost", "image_url.max_bytes": "50000"]) { service in
                // Not on the list.
                let other = try await service.post("/v1/search", json: ["image_url": "http://example.invalid/x.png"])
                expectProblem(other, status: 400, field: "image_url")
                // A listed *name* resolving to loopback is refused unless the address is listed: here it is.
                // Redirect to another host (localhost ≠ 127.0.0.1) is refused.
                let hop = try await service.post("/v1/classify", json: [
                    "image_url": "http://127.0.0.1:\(port)/other-host-redirect", "labels": ["a"],
                ])
                expectProblem(hop, status: 422, field: "image_url")
                #expect((hop.json["detail"] as? String)?.contains("redirect") == true, "\(hop.text)")
                // Larger than image_url.max_bytes (the PNG is ~ 100 kB).
                let big = try await service.post("/v1/classify", json: ["image_url": "http://127.0.0.1:\(port)/img.png", "labels": ["a"]])
                expectProblem(big, status: 413, field: "image_url")
                // The host answers 404.
                let missing = try await service.post("/v1/classify", json: ["image_url": "http://127.0.0.1:\(port)/missing", "labels": ["a"]])
                expectProblem(missing, status: 422, field: "image_url")
                // Not http(s).
                let ftp = try await service.post("/v1/classify", json: ["image_url": "ftp://127.0.0.1/x", "labels": ["a"]])
                expectProblem(ftp, status: 400, field: "image_url")
            }
        }
    }

    @Test func aListedNameThatResolvesToLoopbackIsRefusedUnlessTheAddressIsListed() async throws {
        try await withImageHost { port in
            try await withService(["image_url.allowed_hosts": "localhost"]) { service in
                let reply = try await service.post("/v1/classify", json: ["image_url": "http://localhost:\(port)/img.png", "labels": ["a"]])
                expectProblem(reply, status: 400, field: "image_url")
                #expect((reply.json["detail"] as? String)?.contains("internal address") == true, "\(reply.text)")
            }
        }
    }

    @Test func internalAddressesAreRecognised() {
        for address in ["127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.1.1", "0.0.0.0",
                        "100.64.0.1", "::1", "fe80::1", "fd00::1", "::ffff:127.0.0.1"] {
            #expect(ImageFetcher.isInternal(address), "\(address)")
        }
        for address in ["8.8.8.8", "172.32.0.1", "1.1.1.1", "2606:4700::1111", "100.128.0.1"] {
            #expect(!ImageFetcher.isInternal(address), "\(address)")
        }
    }
}
