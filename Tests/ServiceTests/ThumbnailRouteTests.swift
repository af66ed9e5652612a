import Foundation
import Imaging
import TestSupport
import Testing
@testable import Service

/// `/v1/images/{id}/thumbnail` over a real socket: a small upright JPEG, made once and then read
/// from the data directory's cache, with a validator.
@Suite(.serialized) struct ThumbnailRouteTests {
    private func upload(_ service: LiveService, _ file: String) async throws -> (id: Int, sha256: String) {
        let bytes = try LiveService.image(file)
        let reply = try await service.post("/v1/images", json: ["image": bytes.base64EncodedString(), "caption": file])
        #expect(reply.status == 201, "\(reply.text)")
        return (try #require(reply.json["id"] as? Int), try #require(reply.json["sha256"] as? String))
    }

    @Test func aThumbnailKeepsTheAspectAndIsServedFromItsCacheFileTheSecondTime() async throws {
        try await withService { service in
            let (id, sha256) = try await upload(service, "jpeg_q95_640x480.jpg")
            let first = try await service.request("GET", "/v1/images/\(id)/thumbnail", contentType: nil)
            #expect(first.status == 200, "\(first.text)")
            #expect(first.headers["content-type"] == "image/jpeg")
            let decoded = try ImageDecoder.decode(first.body)
            #expect((decoded.width, decoded.height) == (256, 192))
            let etag = try #require(first.headers["etag"])
            #expect(etag == "\"\(sha256)-256\"")
            #expect(first.headers["cache-control"]?.contains("max-age=") == true)

            let cacheFile = service.dataDirectory.appendingPathComponent("thumbnails/\(sha256.prefix(2))/\(sha256)-256.jpg")
            #expect(try Data(contentsOf: cacheFile) == first.body)
            // Replace the cached file with another JPEG: the next answer must be that file's bytes,
            // so it was read from the cache, not made again.
            let standIn = try LiveService.image("jpeg_tiny_7x5.jpg")
            try standIn.write(to: cacheFile)
            let second = try await service.request("GET", "/v1/images/\(id)/thumbnail", contentType: nil)
            #expect(second.status == 200)
            #expect(second.body == standIn)
            #expect(second.headers["etag"] == etag)

            let revalidated = try await service.request("GET", "/v1/images/\(id)/thumbnail", contentType: nil, headers: ["If-None-Match": etag])
            #expect(revalidated.status == 304)
            #expect(revalidated.body.isEmpty)

            // Deleting the image removes its cached thumbnail too.
            #expect(try await service.request("DELETE", "/v1/images/\(id)").status == 204)
            #expect(!FileManager.default.fileExists(atPath: cacheFile.path))
            expectProblem(try await service.request("GET", "/v1/images/\(id)/thumbnail", contentType: nil), status: 404, field: "id")
        }
    }

    @Test func theConfiguredSizeAndTheEXIFOrientationApply() async throws {
        try await withService(["page.thumbnail_size": "64"]) { service in
            // Stored 180×120 with EXIF orientation 6: upright it is 120×180.
            let (id, sha256) = try await upload(service, "jpeg_exif6_180x120.jpg")
            let reply = try await service.request("GET", "/v1/images/\(id)/thumbnail", contentType: nil)
            #expect(reply.status == 200, "\(reply.text)")
            let decoded = try ImageDecoder.decode(reply.body)
            #expect((decoded.width, decoded.height) == (43, 64))
            #expect(reply.headers["etag"] == "\"\(sha256)-64\"")
            // Smaller than the size: kept as it is (re-encoded as JPEG), never enlarged.
            let small = try await upload(service, "png_pad_30x20.png")
            let tiny = try ImageDecoder.decode(try await service.request("GET", "/v1/images/\(small.id)/thumbnail", contentType: nil).body)
            #expect((tiny.width, tiny.height) == (30, 20))
        }
    }

    /// Making a thumbnail is an image decode like any other: its header is charged to
    /// `limits.max_image_pixels_per_request` before anything is decoded, and a refusal caches nothing.
    @Test func makingAThumbnailIsBoundedLikeAnyDecode() async throws {
        let data = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(data) }
        let first = try await LiveService.start(["data_dir": data.path])
        let (id, sha256) = try await upload(first, "jpeg_q95_640x480.jpg")
        await first.running.server.shutdown(gracePeriod: .seconds(2))
        try first.running.context.collection?.close()

        // 640 × 480 = 307,200 pixels announced; this server decodes at most 100,000 per request.
        let second = try await LiveService.start(["data_dir": data.path, "limits.max_image_pixels_per_request": "100000"])
        let reply = try await second.request("GET", "/v1/images/\(id)/thumbnail", contentType: nil)
        await second.running.server.shutdown(gracePeriod: .seconds(2))
        try second.running.context.collection?.close()
        expectProblem(reply, status: 413, field: "id")
        let cacheFile = data.appendingPathComponent("thumbnails/\(sha256.prefix(2))/\(sha256)-256.jpg")
        #expect(!FileManager.default.fileExists(atPath: cacheFile.path))
    }

    @Test func unknownAndMalformedIdsAreRefused() async throws {
        try await withService { service in
            expectProblem(try await service.request("GET", "/v1/images/999/thumbnail", contentType: nil), status: 404, field: "id")
            expectProblem(try await service.request("GET", "/v1/images/abc/thumbnail", contentType: nil), status: 400, field: "id")
        }
    }
}
