import Foundation
import Testing
@testable import Service

/// `POST /v1/search` with `"id"` ("more like this") over a real socket: the stored item's own
/// embedding is the query, the item itself is left out, and the rest match an image query with
/// the same bytes.
@Suite(.serialized) struct SearchByIDTests {
    static let files = ["png_rgb_256x192.png", "jpeg_q95_640x480.jpg", "webp_lossy_320x240.webp", "png_rgba_200x150.png",
                        "jpeg_grey_160x120.jpg", "png_palette_190x100.png"]

    private func ids(_ reply: LiveService.Reply) -> [Int] {
        (reply.json["hits"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
    }

    private func scores(_ reply: LiveService.Reply) -> [Double] {
        (reply.json["hits"] as? [[String: Any]] ?? []).compactMap { $0["score"] as? Double }
    }

    @Test func aStoredItemFindsItsNeighboursAsItsOwnImageDoesWithoutItself() async throws {
        try await withService { service in
            var stored: [String: Int] = [:]
            for file in Self.files {
                let reply = try await service.post("/v1/images", json: ["image": try LiveService.dataURI(file), "caption": file,
                                                                          "metadata": ["grey": file.contains("grey")]])
                stored[file] = try #require(reply.json["id"] as? Int, "\(reply.text)")
            }
            let id = try #require(stored["webp_lossy_320x240.webp"])
            let byImage = try await service.post("/v1/search", json: ["image": try LiveService.dataURI("webp_lossy_320x240.webp"), "k": 6])
            #expect(ids(byImage).first == id, "an image query finds its own stored copy first")

            let byID = try await service.post("/v1/search", json: ["id": id, "k": 5])
            #expect(byID.status == 200, "\(byID.text)")
            #expect(byID.json["lang"] as? String == "id")
            #expect(!ids(byID).contains(id))
            #expect(ids(byID) == Array(ids(byImage).dropFirst()), "the same neighbours in the same order")
            for (a, b) in zip(scores(byID), scores(byImage).dropFirst()) { #expect(abs(a - b) < 1e-4) }

            // k counts the hits returned, the item itself not among them.
            #expect(ids(try await service.post("/v1/search", json: ["id": id, "k": 2])).count == 2)
            // Filter and min_score work as for any query.
            let greys = try await service.post("/v1/search", json: ["id": id, "k": 5, "filter": ["grey": true]])
            #expect(ids(greys) == [try #require(stored["jpeg_grey_160x120.jpg"])])
            #expect(ids(try await service.post("/v1/search", json: ["id": id, "min_score": 1.0])).isEmpty)
        }
    }

    @Test func unknownIdsAndMixedQueriesAreRefused() async throws {
        try await withService { service in
            let stored = try await service.post("/v1/images", json: ["image": try LiveService.dataURI("png_rgb_256x192.png")])
            let id = try #require(stored.json["id"] as? Int)
            expectProblem(try await service.post("/v1/search", json: ["id": 999_999]), status: 404, field: "id")
            expectProblem(try await service.post("/v1/search", json: ["id": id, "query": "a photo"]), status: 400, field: "id")
            expectProblem(try await service.post("/v1/search", json: ["id": id, "image": try LiveService.dataURI("png_rgb_256x192.png")]), status: 400, field: "id")
            expectProblem(try await service.post("/v1/search", json: ["query": "x", "image": try LiveService.dataURI("png_rgb_256x192.png")]), status: 400, field: "image")
            expectProblem(try await service.post("/v1/search", json: ["id": 0]), status: 400, field: "id")
            expectProblem(try await service.post("/v1/search", json: ["id": "7"]), status: 400, field: "id")
            // Deleted: its vector is gone with its row.
            #expect(try await service.request("DELETE", "/v1/images/\(id)").status == 204)
            expectProblem(try await service.post("/v1/search", json: ["id": id]), status: 404, field: "id")
        }
    }
}
