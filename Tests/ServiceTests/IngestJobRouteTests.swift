import Foundation
import HTTPServer
import Logging
import TestSupport
import Testing
@testable import Service

/// `/admin/ingest`: folder and URL jobs in the background, their progress, cancellation, path
/// refusals, and a job that continues after the service restarts mid-way.
@Suite(.serialized) struct IngestJobRouteTests {
    static let token = "ingest-token"
    static let auth = ["Authorization": "Bearer \(token)"]
    static let environment = ["ADAPTCLIP_ADMIN_TOKEN": token]

    /// An image host on 127.0.0.1 serving `/img/<n>` (a distinct PNG each): images below `held`
    /// at once, the others only once `release` opens. A job over its URLs stops deterministically
    /// at the first batch holding a held image.
    final class HeldImageHost: Sendable {
        let server: HTTPServer
        let port: Int
        let release = Gate("held images may be served")

        init(held: Int) throws {
            var logger = Logger(label: "held-image-host")
            logger.logLevel = .critical
            var router = Router()
            let release = self.release
            router.add(.get, "/img/{n}") { request in
                let n = Int(request.pathParameters["n"] ?? "") ?? 0
                if n >= held { try await release.wait() }
                return HTTPResponse(status: .ok, headers: ["Content-Type": "image/png"],
                                    body: Array(makePNG(width: 8 + n, height: 6, seed: UInt8(n % 250 + 1))))
            }
            server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0), router: router, logger: logger)
            port = try server.start()
        }

        func urls(_ count: Int) -> [String] { (0..<count).map { "http://127.0.0.1:\(port)/img/\($0)" } }
    }

    private func status(_ service: LiveService, _ id: Int) async throws -> [String: Any] {
        try await service.request("GET", "/admin/ingest/\(id)", headers: Self.auth).json
    }

    @Test func aFolderJobIngestsUnicodeNamesAndTheirContentIsServed() async throws {
        let photos = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(photos) }
        let names = ["猫 沙发.png", "100% #1?.png", "caf\u{E9}.png", "cafe\u{301}.png", "子/画像 2.png", "notes.txt"]
        for (n, name) in names.enumerated() {
            let file = photos.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try (name.hasSuffix(".txt") ? Data("text".utf8) : makePNG(width: 9 + n, height: 7, seed: UInt8(n + 1))).write(to: file)
        }
        try await withService(["ingest.allowed_roots": "[\"\(photos.path)\"]", "gallery.seed": "false"], environment: Self.environment) { service in
            #expect(try await service.post("/admin/ingest", json: ["path": photos.path]).status == 401)
            let started = try await service.post("/admin/ingest", json: ["path": photos.path, "recursive": true], headers: Self.auth)
            #expect(started.status == 202, "\(started.text)")
            let id = try #require(started.json["id"] as? Int)
            #expect(started.headers["location"] == "/admin/ingest/\(id)")
            #expect(!started.text.contains(photos.path))
            var job: [String: Any] = [:]
            try await waitUntil("the job ended", pollingEvery: .milliseconds(10)) {
                job = try await status(service, id)
                return job["state"] as? String != "running" && job["state"] as? String != "listing"
            }
            #expect(job["state"] as? String == "completed", "\(job)")
            #expect(job["total"] as? Int == 6 && job["done"] as? Int == 6 && job["stored"] as? Int == 5 && job["skipped"] as? Int == 1)
            #expect((job["problems"] as? [[String: Any]])?.first?["source"] as? String == "notes.txt")
            let listed = try await service.request("GET", "/admin/ingest", headers: Self.auth).json["jobs"] as? [[String: Any]]
            #expect(listed?.map { $0["id"] as? Int } == [id])

            let page = try await service.request("GET", "/v1/images?limit=10").json["items"] as? [[String: Any]] ?? []
            #expect(page.count == 5)
            for item in page {
                let shown = try #require(item["uri"] as? String)
                #expect(!shown.hasPrefix("/") && !shown.contains(photos.path), "\(shown)")
                let expected = try #require(names.first { Array($0.unicodeScalars) == Array(shown.unicodeScalars) }, "\(shown)")
                let content = try await service.request("GET", "/v1/images/\(item["id"] as? Int ?? 0)/content")
                #expect(content.status == 200)
                #expect(content.body == (try Data(contentsOf: photos.appendingPathComponent(expected))))
            }
            let search = try await service.post("/v1/search", json: ["query": "a photo", "k": 5])
            #expect(!search.text.contains(photos.path), "\(search.text)")
            let metrics = try await service.request("GET", "/metrics").text
            #expect(metrics.contains("adaptclip_ingest_items_total{outcome=\"stored\"} 5"), "\(metrics)")
        }
    }

    @Test func foldersOutsideTheAllowedRootsAreRefused() async throws {
        let base = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(base) }
        let allowed = base.appendingPathComponent("allowed")
        try FileManager.default.createDirectory(at: allowed, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: allowed.appendingPathComponent("out").path, withDestinationPath: "/etc")
        try await withService(environment: Self.environment) { service in
            // No allowed roots: no folder at all.
            expectProblem(try await service.post("/admin/ingest", json: ["path": allowed.path], headers: Self.auth), status: 403, field: "path")
        }
        try await withService(["ingest.allowed_roots": "[\"\(allowed.path)\"]"], environment: Self.environment) { service in
            for path in ["/etc", allowed.path + "/out", allowed.path + "/../", "/no/such/place"] {
                expectProblem(try await service.post("/admin/ingest", json: ["path": path], headers: Self.auth), status: 403, field: "path")
            }
            expectProblem(try await service.post("/admin/ingest", json: ["path": "relative/photos"], headers: Self.auth), status: 400, field: "path")
            expectProblem(try await service.post("/admin/ingest", json: ["path": allowed.path + "/missing"], headers: Self.auth), status: 400, field: "path")
            expectProblem(try await service.post("/admin/ingest", json: ["path": allowed.path, "urls": ["http://x/a.png"]], headers: Self.auth), status: 400, field: "urls")
            // URL jobs follow image_url's rules: disabled here.
            expectProblem(try await service.post("/admin/ingest", json: ["urls": ["http://127.0.0.1/a.png"]], headers: Self.auth), status: 400, field: "urls")
            expectProblem(try await service.request("GET", "/admin/ingest/99", headers: Self.auth), status: 404, field: "id")
        }
    }

    @Test func aCancelledJobStopsAndKeepsWhatItStored() async throws {
        let host = try HeldImageHost(held: 10)
        try await withService(["image_url.allowed_hosts": "127.0.0.1", "ingest.job_batch_size": "4"], environment: Self.environment) { service in
            let started = try await service.post("/admin/ingest", json: ["urls": host.urls(20)], headers: Self.auth)
            #expect(started.status == 202, "\(started.text)")
            let id = try #require(started.json["id"] as? Int)
            // Batches 0–3 and 4–7 commit; 8–11 waits for image 10.
            var job: [String: Any] = [:]
            try await waitUntil("two batches committed", pollingEvery: .milliseconds(10)) {
                job = try await status(service, id)
                return job["done"] as? Int == 8
            }
            #expect(job["state"] as? String == "running" && job["total"] as? Int == 20)
            #expect((job["rate_per_second"] as? Double ?? 0) > 0, "\(job)")
            #expect((job["eta_seconds"] as? Double ?? 0) > 0, "\(job)")
            let cancelled = try await service.request("DELETE", "/admin/ingest/\(id)", headers: Self.auth)
            #expect(cancelled.status == 200 && cancelled.json["state"] as? String == "cancelled", "\(cancelled.text)")
            host.release.open()
            await service.running.context.ingestJobs.stopAll()
            let after = try await status(service, id)
            #expect(after["state"] as? String == "cancelled" && after["done"] as? Int == 8, "\(after)")
            #expect(try service.running.context.collection?.store.itemCount() == 8)
            // Cancelling a finished job changes nothing.
            let again = try await service.request("POST", "/admin/ingest/\(id)/cancel", headers: Self.auth)
            #expect(again.json["state"] as? String == "cancelled")
        }
        await host.server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func aJobStoppedByARestartCompletesWithNothingStoredTwice() async throws {
        let data = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(data) }
        let host = try HeldImageHost(held: 10)
        let settings = ["data_dir": data.path, "image_url.allowed_hosts": "127.0.0.1", "ingest.job_batch_size": "4", "gallery.seed": "false"]

        let first = try await LiveService.start(settings, environment: Self.environment)
        let started = try await first.post("/admin/ingest", json: ["urls": host.urls(30)], headers: Self.auth)
        let id = try #require(started.json["id"] as? Int)
        try await waitUntil("two batches committed", pollingEvery: .milliseconds(10)) {
            try await status(first, id)["done"] as? Int == 8
        }
        await first.halt()

        host.release.open()
        let second = try await LiveService.start(settings, environment: Self.environment)
        do {
            var job: [String: Any] = [:]
            try await waitUntil("the resumed job ended", pollingEvery: .milliseconds(10)) {
                job = try await status(second, id)
                return job["state"] as? String != "running"
            }
            #expect(job["state"] as? String == "completed", "\(job)")
            #expect(job["stored"] as? Int == 30 && job["duplicates"] as? Int == 0 && job["failed"] as? Int == 0, "\(job)")
            let page = try await second.request("GET", "/v1/images?limit=100").json["items"] as? [[String: Any]] ?? []
            #expect(page.count == 30)
            #expect(Set(page.compactMap { $0["sha256"] as? String }).count == 30)
            #expect(Set(page.compactMap { $0["uri"] as? String }) == Set(host.urls(30)))
        } catch {
            await second.halt()
            throw error
        }
        await second.halt()
        await host.server.shutdown(gracePeriod: .seconds(1))
    }
}
