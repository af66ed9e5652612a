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

/// `ingest.batch_max_pixels` over HTTP: the images' stored sizes, summed from their headers, in
/// both request forms, refused one pixel past the limit and accepted at it.
@Suite struct ImagesBatchPixelBudgetTests {
    static let png = "png_rgb_256x192.png"
    static let jpeg = "jpeg_q95_640x480.jpg"
    static let sum = 256 * 192 + 640 * 480

    /// The JPEG decodes DCT-scaled (a fraction of its pixels) yet counts at its stored size, as
    /// limits.max_image_pixels_per_request counts for /v1/embeddings.
    @Test func aBatchOnePixelPastTheBudgetIsRefusedWithNothingStored() async throws {
        try await withService(["gallery.seed": "false", "engine.jpeg_dct_scaling": "true", "ingest.batch_max_pixels": "\(Self.sum - 1)"]) { service in
            let multipart = try await service.postMultipart("/v1/images:batch", fields: [], files: [
                ("file", "小猫.png", try LiveService.image(Self.png)), ("file", "海滩 1.jpg", try LiveService.image(Self.jpeg)),
            ])
            expectProblem(multipart, status: 413, field: "file")
            #expect(multipart.json["type"] as? String == "https://adaptclip.dev/problems/batch-too-many-pixels")
            let detail = multipart.json["detail"] as? String ?? ""
            for part in ["file[1] (\"海滩 1.jpg\")", "640 × 480", "\(Self.sum) pixels", "may decode \(Self.sum - 1)", "ingest.batch_max_pixels"] {
                #expect(detail.contains(part), "\(part) in \(detail)")
            }

            let json = try await service.post("/v1/images:batch", json: ["images": [
                ["image": try LiveService.dataURI(Self.png)], ["image": try LiveService.dataURI(Self.jpeg), "path": "trip/beach.jpg"],
            ]])
            expectProblem(json, status: 413, field: "images[1].image")
            #expect((json.json["detail"] as? String ?? "").contains("images[1] (\"trip/beach.jpg\")"), "\(json.text)")
            #expect((try await service.request("GET", "/v1/images?limit=10").json["items"] as? [[String: Any]])?.isEmpty == true)
        }
    }

    /// At the limit exactly; an entry that is no image is not counted (it fails alone).
    @Test func aBatchAtTheBudgetIsStored() async throws {
        try await withService(["gallery.seed": "false", "ingest.batch_max_pixels": "\(Self.sum)"]) { service in
            let multipart = try await service.postMultipart("/v1/images:batch", fields: [], files: [
                ("file", "a.png", try LiveService.image(Self.png)), ("file", "notes.txt", Data("hello".utf8)),
                ("file", "b.jpg", try LiveService.image(Self.jpeg)),
            ])
            #expect(multipart.status == 200, "\(multipart.text)")
            #expect(multipart.json["stored"] as? Int == 2 && multipart.json["failed"] as? Int == 1)

            let json = try await service.post("/v1/images:batch", json: ["images": [
                ["image": try LiveService.dataURI(Self.png)], ["image": "not base64 !!"], ["image": try LiveService.dataURI(Self.jpeg)],
            ]])
            #expect(json.status == 200, "\(json.text)")
            #expect(json.json["duplicates"] as? Int == 2 && json.json["failed"] as? Int == 1)
        }
    }
}
