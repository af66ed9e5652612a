import Foundation
import TestSupport
import Testing
@testable import Service

@Suite(.serialized) struct SearchAndImagesTests {
    static let chinese: [String: String] = [
        "models.zh_encoder": LiveService.fixtures.appendingPathComponent("bert/bert-tiny-a").path,
        "models.zh_adapter": LiveService.fixtures.appendingPathComponent("engine/zh-adapter-v1").path,
    ]
    static let files = ["png_rgb_256x192.png", "jpeg_q95_640x480.jpg", "webp_lossy_320x240.webp", "png_rgba_200x150.png",
                        "jpeg_grey_160x120.jpg", "png_palette_190x100.png"]

    private func upload(_ service: LiveService, _ file: String, caption: String, metadata: [String: Any] = [:]) async throws -> LiveService.Reply {
        try await service.post("/v1/images", json: ["image": try LiveService.dataURI(file), "caption": caption, "metadata": metadata])
    }

    private func vector(_ reply: LiveService.Reply) -> [Double] {
        ((reply.json["data"] as? [[String: Any]])?.first?["embedding"] as? [Double]) ?? []
    }

    @Test func uploadsAreStoredReadableDeduplicatedAndDeletable() async throws {
        try await withService { service in
            let first = try await upload(service, "png_rgb_256x192.png", caption: "a gradient", metadata: ["source": "test"])
            #expect(first.status == 201, "\(first.text)")
            let id = try #require(first.json["id"] as? Int)
            #expect(first.headers["location"] == "/v1/images/\(id)")
            #expect(first.json["width"] as? Int == 256)
            let again = try await upload(service, "png_rgb_256x192.png", caption: "other caption")
            #expect(again.status == 200)
            #expect(again.json["id"] as? Int == id)

            let read = try await service.request("GET", "/v1/images/\(id)")
            #expect(read.json["caption"] as? String == "a gradient")
            #expect((read.json["metadata"] as? [String: Any])?["source"] as? String == "test")
            let content = try await service.request("GET", "/v1/images/\(id)/content")
            #expect(content.status == 200)
            #expect(content.headers["content-type"] == "image/png")
            #expect(content.body == (try LiveService.image("png_rgb_256x192.png")))

            let form = try await service.postMultipart(
                "/v1/images", fields: [("caption", "uploaded"), ("metadata", #"{"album": "x"}"#)],
                files: [("file", "b.jpg", try LiveService.image("jpeg_q95_640x480.jpg"))])
            #expect(form.status == 201, "\(form.text)")
            let page = try await service.request("GET", "/v1/images?limit=1")
            #expect((page.json["items"] as? [[String: Any]])?.count == 1)
            let next = try #require(page.json["next_after"] as? Int)
            let rest = try await service.request("GET", "/v1/images?after=\(next)&limit=10")
            #expect((rest.json["items"] as? [[String: Any]])?.count == 1)
            #expect(rest.json["next_after"] == nil)

            #expect(try await service.request("DELETE", "/v1/images/\(id)").status == 204)
            #expect(try await service.request("GET", "/v1/images/\(id)").status == 404)
            #expect(try await service.request("GET", "/v1/images/\(id)/content").status == 404)
        }
    }

    @Test func badImageRequestsNameTheField() async throws {
        try await withService { service in
            expectProblem(try await service.post("/v1/images", json: ["caption": "x"]), status: 400, field: "image")
            let garbage = "data:image/png;base64," + Data("nope".utf8).base64EncodedString()
            expectProblem(try await service.post("/v1/images", json: ["image": garbage]), status: 415, field: "image")
            expectProblem(try await service.post("/v1/images", json: ["image": try LiveService.dataURI("png_pad_30x20.png"), "metadata": 3]), status: 400, field: "metadata")
            expectProblem(try await service.request("GET", "/v1/images/abc"), status: 400, field: "id")
            expectProblem(try await service.request("GET", "/v1/images/999"), status: 404, field: "id")
            expectProblem(try await service.request("GET", "/v1/images?limit=0"), status: 400, field: "limit")
            expectProblem(try await service.post("/v1/search", json: ["k": 3]), status: 400, field: "query")
            expectProblem(try await service.post("/v1/search", json: ["query": "x", "k": 0]), status: 400, field: "k")
            expectProblem(try await service.post("/v1/search", json: ["query": "x", "k": 1000]), status: 400, field: "k")
            expectProblem(try await service.post("/v1/search", json: ["query": "x", "filter": ["a": [1]]]), status: 400, field: "filter.a")
            expectProblem(try await service.post("/v1/search", json: ["query": "x", "min_score": 2]), status: 400, field: "min_score")
            expectProblem(try await service.post("/v1/search", json: ["query": "  "]), status: 400, field: "query")
        }
    }

    /// 640 × 480 = 307,200 pixels announced, over this server's per-request budget: the refusal
    /// names the member that held the image.
    @Test func anImageQueryOverThePixelBudgetNamesItsMember() async throws {
        try await withService(["limits.max_image_pixels_per_request": "100000"]) { service in
            let reply = try await service.post("/v1/search", json: ["image": try LiveService.dataURI("jpeg_q95_640x480.jpg")])
            expectProblem(reply, status: 413, field: "image")
        }
    }

    /// The Chinese query goes through BERT + the zh adapter; the image whose embedding is
    /// nearest to it (computed through the API first) is stored with the matching caption, so
    /// the right answer is known — and search must return it first, joined to its caption.
    @Test func aChineseQueryFindsTheImageWithTheMatchingCaptionFirst() async throws {
        try await withService(Self.chinese) { service in
            let query = "两个红色的圆形"
            let q = vector(try await service.post("/v1/embeddings", json: ["input": query, "lang": "zh"]))
            var scores: [(String, Double)] = []
            for file in Self.files {
                let v = vector(try await service.post("/v1/embeddings", json: ["input": [try LiveService.dataURI(file)], "modality": "image"]))
                scores.append((file, zip(q, v).reduce(0) { $0 + $1.0 * $1.1 }))
            }
            let best = try #require(scores.max { $0.1 < $1.1 }).0
            for file in Self.files {
                let reply = try await upload(service, file, caption: file == best ? query : "其他图片 \(file)", metadata: ["file": file])
                #expect(reply.status == 201)
            }
            let search = try await service.post("/v1/search", json: ["query": query, "k": 3])
            #expect(search.status == 200, "\(search.text)")
            #expect(search.json["lang"] as? String == "zh")
            #expect((search.json["producer"] as? String)?.contains("zh@1") == true)
            let hits = try #require(search.json["hits"] as? [[String: Any]])
            #expect(hits.count == 3)
            #expect(hits.first?["caption"] as? String == query, "hits: \(hits.map { $0["caption"] ?? "" })")
            let hitScores = hits.compactMap { $0["score"] as? Double }
            #expect(hitScores == hitScores.sorted(by: >))
            #expect(abs((hitScores.first ?? 0) - (scores.map(\.1).max() ?? 0)) < 1e-4)

            // The metadata filter keeps only matching rows; min_score drops the rest.
            let filtered = try await service.post("/v1/search", json: ["query": query, "k": 5, "filter": ["file": "jpeg_grey_160x120.jpg"]])
            #expect((filtered.json["hits"] as? [[String: Any]])?.map { $0["uri"] as? String ?? "" }.count == 1)
            let strict = try await service.post("/v1/search", json: ["query": query, "k": 5, "min_score": 1.0])
            #expect((strict.json["hits"] as? [[String: Any]])?.isEmpty == true)

            // An image query finds the identical stored image first.
            let byImage = try await service.post("/v1/search", json: ["image": try LiveService.dataURI("webp_lossy_320x240.webp"), "k": 1])
            let top = try #require((byImage.json["hits"] as? [[String: Any]])?.first)
            #expect((top["metadata"] as? [String: Any])?["file"] as? String == "webp_lossy_320x240.webp")
            #expect((top["score"] as? Double ?? 0) > 0.9999)
        }
    }

    @Test func theCollectionSurvivesARestart() async throws {
        let data = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(data) }
        var firstHits: [Int] = []
        let first = try await LiveService.start(["data_dir": data.path])
        for file in Self.files.prefix(3) { _ = try await upload(first, file, caption: file) }
        firstHits = ((try await first.post("/v1/search", json: ["query": "a photo", "k": 3])).json["hits"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
        await first.running.server.shutdown(gracePeriod: .seconds(2))
        try first.running.context.collection?.close()

        let second = try await LiveService.start(["data_dir": data.path])
        let again = ((try await second.post("/v1/search", json: ["query": "a photo", "k": 3])).json["hits"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
        await second.running.server.shutdown(gracePeriod: .seconds(2))
        try second.running.context.collection?.close()
        #expect(firstHits.count == 3)
        #expect(again == firstHits)
    }
}
