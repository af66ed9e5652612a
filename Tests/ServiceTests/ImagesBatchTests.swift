import Foundation
import TestSupport
import Testing
@testable import Service

/// `POST /v1/images:batch`: many images per request, each answered on its own.
@Suite struct ImagesBatchTests {
    @Test func aJSONBatchStoresTheGoodImagesAndNamesEachFailure() async throws {
        try await withService(["gallery.seed": "false"]) { service in
            let good = try LiveService.dataURI("png_rgb_256x192.png")
            let damaged = "data:image/png;base64," + Data(try LiveService.image("png_rgb_256x192.png").prefix(200)).base64EncodedString()
            let reply = try await service.post("/v1/images:batch", json: ["images": [
                ["image": good, "path": "相册/猫 #1.png", "caption": "a cat"],
                ["image": "not base64 !!"],
                ["image": damaged],
                ["image": good, "path": "copy.png"],
                ["image": try LiveService.dataURI("jpeg_q95_640x480.jpg"), "metadata": ["album": "trip"]],
                "not an object",
            ]])
            #expect(reply.status == 200, "\(reply.text)")
            let results = reply.json["results"] as? [[String: Any]] ?? []
            #expect(results.map { $0["status"] as? Int } == [201, 400, 422, 200, 201, 400])
            #expect(reply.json["stored"] as? Int == 2 && reply.json["duplicates"] as? Int == 1 && reply.json["failed"] as? Int == 3)
            let first = results[0]["item"] as? [String: Any]
            #expect(first?["uri"] as? String == "相册/猫 #1.png")
            #expect((results[3]["item"] as? [String: Any])?["id"] as? Int == first?["id"] as? Int)
            #expect((results[1]["error"] as? [String: Any])?["code"] as? String != nil)
            let id = try #require(first?["id"] as? Int)
            let content = try await service.request("GET", "/v1/images/\(id)/content")
            #expect(content.body == (try LiveService.image("png_rgb_256x192.png")))
            let page = try await service.request("GET", "/v1/images?limit=10").json["items"] as? [[String: Any]] ?? []
            #expect(page.count == 2)
        }
    }

    /// Nothing stored is a refusal of the whole request (a 4xx naming the first failure), not a
    /// 200 with every item failed.
    @Test func aBatchOfWhichNothingIsStoredIsRefused() async throws {
        try await withService(["gallery.seed": "false"]) { service in
            let unreadable = try await service.post("/v1/images:batch", json: ["images": [["image": "not base64 !!"], "not an object"]])
            expectProblem(unreadable, status: 400, field: "images")
            let undecodable = try await service.postMultipart("/v1/images:batch", fields: [], files: [("file", "x.png", Data("{}".utf8))])
            expectProblem(undecodable, status: 422, field: "file")
            #expect(undecodable.text.contains("image 0"), "\(undecodable.text)")
            #expect((try await service.request("GET", "/v1/images?limit=10").json["items"] as? [[String: Any]])?.isEmpty == true)
        }
    }

    @Test func aMultipartBatchRecordsEachFilesName() async throws {
        try await withService(["gallery.seed": "false"]) { service in
            let reply = try await service.postMultipart("/v1/images:batch", fields: [], files: [
                ("file", "假期/海滩 1.jpg", try LiveService.image("jpeg_q95_640x480.jpg")),
                ("file", "100%.webp", try LiveService.image("webp_lossy_320x240.webp")),
                ("file", "notes.txt", Data("hello".utf8)),
            ])
            #expect(reply.status == 200, "\(reply.text)")
            let results = reply.json["results"] as? [[String: Any]] ?? []
            #expect(results.map { $0["status"] as? Int } == [201, 201, 422])
            #expect(results.compactMap { ($0["item"] as? [String: Any])?["uri"] as? String } == ["假期/海滩 1.jpg", "100%.webp"])
        }
    }

    @Test func batchLimitsAreNamed() async throws {
        try await withService(["ingest.batch_max_files": "2", "ingest.batch_max_bytes": "300000", "limits.max_body_bytes": "1000"]) { service in
            let image = try LiveService.dataURI("png_pad_30x20.png")
            expectProblem(try await service.post("/v1/images:batch", json: ["images": [["image": image], ["image": image], ["image": image]]]),
                          status: 413, field: "images")
            expectProblem(try await service.post("/v1/images:batch", json: ["images": []]), status: 400, field: "images")
            // The route's own body limit, not limits.max_body_bytes.
            let two = try await service.post("/v1/images:batch", json: ["images": [["image": image], ["image": image]]])
            #expect(two.status == 200, "\(two.text)")
            let big = try await service.request("POST", "/v1/images:batch", body: Data(count: 300_001))
            #expect(big.status == 413)
        }
    }
}
