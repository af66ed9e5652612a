import Foundation
import Testing
@testable import Service

@Suite(.serialized) struct ScoreRouteTests {
    private func vector(_ reply: LiveService.Reply) -> [Double] {
        ((reply.json["data"] as? [[String: Any]])?.first?["embedding"] as? [Double]) ?? []
    }

    /// Each pair's cosine equals the dot product of the two embeddings the embeddings route
    /// gives, and clip_score is 2.5 · max(cosine, 0).
    @Test func scoresAreTheCosineOfEachPairAndTheirCLIPScore() async throws {
        try await withService { service in
            let image = try LiveService.dataURI("png_rgb_256x192.png")
            let reply = try await service.post("/v1/score", json: [
                "pairs": [["image": image, "text": "a red car"], ["image": image, "text": "a photo of a cat"]],
            ])
            #expect(reply.status == 200, "\(reply.text)")
            let scores = try #require(reply.json["scores"] as? [[String: Any]])
            #expect(scores.map { $0["index"] as? Int } == [0, 1])
            let i = vector(try await service.post("/v1/embeddings", json: ["input": [image], "modality": "image"]))
            for (score, text) in zip(scores, ["a red car", "a photo of a cat"]) {
                let t = vector(try await service.post("/v1/embeddings", json: ["input": text, "lang": "en"]))
                let cosine = zip(i, t).reduce(0) { $0 + $1.0 * $1.1 }
                #expect(abs((score["cosine"] as? Double ?? 9) - cosine) < 1e-5)
                #expect(abs((score["clip_score"] as? Double ?? 9) - 2.5 * max(cosine, 0)) < 1e-5)
            }
        }
    }

    @Test func badPairsNameTheirField() async throws {
        try await withService { service in
            let image = try LiveService.dataURI("png_rgb_256x192.png")
            expectProblem(try await service.post("/v1/score", json: [:]), status: 400, field: "pairs")
            expectProblem(try await service.post("/v1/score", json: ["pairs": []]), status: 400, field: "pairs")
            expectProblem(try await service.post("/v1/score", json: ["pairs": [3]]), status: 400, field: "pairs[0]")
            expectProblem(try await service.post("/v1/score", json: ["pairs": [["image": image]]]), status: 400, field: "pairs[0].text")
            expectProblem(try await service.post("/v1/score", json: ["pairs": [["text": "x"]]]), status: 400, field: "pairs[0].image")
            let garbage = "data:image/png;base64," + Data("nope".utf8).base64EncodedString()
            expectProblem(try await service.post("/v1/score", json: ["pairs": [["image": image, "text": "a"], ["image": garbage, "text": "b"]]]),
                          status: 415, field: "pairs[1].image")
            let many = Array(repeating: ["image": image, "text": "a"], count: 5)
            expectProblem(try await service.post("/v1/score", json: ["pairs": many]), status: 413, field: "pairs")
        }
    }
}
