import Foundation
import Synchronization
import TestSupport
import Testing
@testable import Service

/// Replicas on the shared PostgreSQL store (`store.backend` postgres), over real sockets against
/// a real server: what one replica acknowledges, every other serves at once.
@Suite(.serialized, .enabled(if: TemporaryPostgres.isEnabled, Comment(rawValue: TemporaryPostgres.skipReason)))
struct SharedStoreServiceTests {
    static let files = ["png_rgb_256x192.png", "jpeg_q95_640x480.jpg", "webp_lossy_320x240.webp", "png_rgba_200x150.png",
                        "jpeg_grey_160x120.jpg", "png_palette_190x100.png"]

    static func replica(_ url: String) async throws -> LiveService {
        try await LiveService.start(["store.backend": "postgres", "store.postgres.url": url])
    }

    /// Runs `body`, then stops `services` whether it threw or not.
    static func stopping(_ services: [LiveService], after body: () async throws -> Void) async throws {
        do { try await body() } catch {
            for service in services { await service.stop() }
            throw error
        }
        for service in services { await service.stop() }
    }

    @Test func anUploadAcknowledgedByOneReplicaIsServedByTheOtherAtOnce() async throws {
        let url = try TemporaryPostgres.shared().makeDatabase()
        let a = try await Self.replica(url)
        let b = try await Self.replica(url)
        try await Self.stopping([a, b]) {
            var ids: [String: Int] = [:]
            for file in Self.files.prefix(4) {
                let stored = try await a.post("/v1/images", json: ["image": try LiveService.dataURI(file), "caption": file])
                #expect(stored.status == 201, "\(stored.text)")
                let id = try #require(stored.json["id"] as? Int)
                ids[file] = id
                // The image itself, as a query on the other replica, right after the 201.
                let found = try await b.post("/v1/search", json: ["image": try LiveService.dataURI(file), "k": 1])
                #expect(found.status == 200, "\(found.text)")
                #expect((found.json["hits"] as? [[String: Any]])?.first?["id"] as? Int == id, "\(file): \(found.text)")
                // Its bytes live in the database, not on A's disk.
                let content = try await b.request("GET", "/v1/images/\(id)/content")
                #expect(content.status == 200)
                #expect(content.body == (try LiveService.image(file)))
            }
            // A batch through B is deduplicated against what A stored.
            let batch = try await b.post("/v1/images:batch", json: ["images": Self.files.map { ["image": try LiveService.dataURI($0)] }])
            let results = batch.json["results"] as? [[String: Any]] ?? []
            #expect(results.map { $0["status"] as? Int } == [200, 200, 200, 200, 201, 201], "\(batch.text)")
            #expect((results[0]["item"] as? [String: Any])?["id"] as? Int == ids[Self.files[0]])

            // Both replicas answer the same top-10, ids and scores.
            let query: [String: Any] = ["query": "a red square", "k": 10]
            let fromA = try await a.post("/v1/search", json: query).json["hits"] as? [[String: Any]] ?? []
            let fromB = try await b.post("/v1/search", json: query).json["hits"] as? [[String: Any]] ?? []
            #expect(fromA.count == Self.files.count)
            #expect(fromA.map { $0["id"] as? Int } == fromB.map { $0["id"] as? Int })
            #expect(fromA.map { $0["score"] as? Double } == fromB.map { $0["score"] as? Double })

            // Listing, and a delete on one replica seen by the other.
            let page = try await b.request("GET", "/v1/images?limit=100").json["items"] as? [[String: Any]] ?? []
            #expect(page.count == Self.files.count)
            let gone = try #require(ids[Self.files[1]])
            #expect(try await b.request("DELETE", "/v1/images/\(gone)").status == 204)
            #expect(try await a.request("GET", "/v1/images/\(gone)").status == 404)
            #expect(try await a.request("GET", "/v1/images/\(gone)/content").status == 404)
        }
    }

    @Test func theSameImageUploadedToBothReplicasAtOnceIsStoredOnce() async throws {
        let url = try TemporaryPostgres.shared().makeDatabase()
        let a = try await Self.replica(url)
        let b = try await Self.replica(url)
        try await Self.stopping([a, b]) {
            for file in Self.files {
                let body = try JSONSerialization.data(withJSONObject: ["image": try LiveService.dataURI(file)])
                async let fromA = a.request("POST", "/v1/images", body: body)
                async let fromB = b.request("POST", "/v1/images", body: body)
                let replies = try await [fromA, fromB]
                // One of them stored it (201), the other was answered with that item (200).
                #expect(replies.map(\.status).sorted() == [200, 201], "\(file): \(replies.map(\.text))")
                #expect(replies[0].json["id"] as? Int == replies[1].json["id"] as? Int)
            }
            let page = try await a.request("GET", "/v1/images?limit=100").json["items"] as? [[String: Any]] ?? []
            #expect(page.count == Self.files.count)
        }
    }

    @Test func ingestJobsAndReindexAreRefusedNamingTheBackend() async throws {
        let url = try TemporaryPostgres.shared().makeDatabase()
        let service = try await LiveService.start(
            ["store.backend": "postgres", "store.postgres.url": url], environment: ["ADAPTCLIP_ADMIN_TOKEN": "t"])
        try await Self.stopping([service]) {
            let admin = ["Authorization": "Bearer t"]
            let ingest = try await service.request("POST", "/admin/ingest", body: Data(#"{"urls": ["https://example.com/a.jpg"]}"#.utf8), headers: admin)
            expectProblem(ingest, status: 501, field: nil)
            #expect(ingest.text.contains("store.backend"))
            expectProblem(try await service.request("POST", "/admin/reindex", headers: admin), status: 501, field: nil)
        }
    }

    @Test func aDatabaseGoneAfterStartIsA503NotACrash() async throws {
        let postgres = try TemporaryPostgres.shared()
        let url = try postgres.makeDatabase()
        let service = try await Self.replica(url)
        try await Self.stopping([service]) {
            #expect(try await service.post("/v1/images", json: ["image": try LiveService.dataURI(Self.files[0])]).status == 201)
            let name = try #require(URLComponents(string: url)?.path.dropFirst())
            try postgres.psql("DROP DATABASE \(name) WITH (FORCE)")
            for _ in 0..<2 {
                let search = try await service.post("/v1/search", json: ["query": "a red square"])
                expectProblem(search, status: 503, field: nil)
                #expect(search.json["type"] as? String == "https://adaptclip.dev/problems/store-unavailable", "\(search.text)")
                #expect(search.headers["retry-after"] != nil)
            }
            #expect(try await service.request("GET", "/healthz").status == 200)
        }
    }

    @Test func aReplicaWhoseDatabaseIsUnreachableIsNotReady() async throws {
        let data = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(data) }
        let port = Mutex<Int?>(nil)
        // Port 1 on loopback: nothing listens, every connection attempt is refused.
        let starting = Task {
            try await LiveService.start(
                ["store.backend": "postgres", "store.postgres.url": "postgres://u:hidden-password@127.0.0.1:1/db?sslmode=disable"]
            ) { listening in port.withLock { $0 = listening } }
        }
        var reply: LiveService.Reply?
        for _ in 0..<200 {
            if let listening = port.withLock({ $0 }) {
                let ready = try await LiveService.request(port: listening, "GET", "/readyz")
                if (ready.json["not_ready"] as? [String: String])?["store"]?.hasPrefix("connecting:") == true { reply = ready; break }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        starting.cancel()
        _ = try? await starting.value
        let notReady = try #require(reply)
        expectProblem(notReady, status: 503, field: nil)
        #expect(notReady.text.contains("cannot be reached"))
        #expect(!notReady.text.contains("hidden-password"))
    }
}
