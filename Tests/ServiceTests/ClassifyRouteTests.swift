import Foundation
import Testing
@testable import Service

@Suite(.serialized) struct ClassifyRouteTests {
    @Test func labelsAreRankedWithScoresAndProbabilitiesThatSumToOne() async throws {
        try await withService { service in
            let reply = try await service.post("/v1/classify", json: [
                "image": try LiveService.dataURI("png_rgb_256x192.png"), "labels": ["cat", "dog", "red car"],
            ])
            #expect(reply.status == 200, "\(reply.text)")
            let labels = try #require(reply.json["labels"] as? [[String: Any]])
            #expect(Set(labels.compactMap { $0["label"] as? String }) == ["cat", "dog", "red car"])
            let scores = labels.compactMap { $0["score"] as? Double }
            #expect(scores == scores.sorted(by: >))
            let total = labels.compactMap { $0["probability"] as? Double }.reduce(0, +)
            #expect(abs(total - 1) < 1e-4)
            #expect(reply.json["template"] as? String == "a photo of a {}.")
            #expect(reply.json["lang"] as? String == "en")
        }
    }

    /// The probabilities are CLIP's: softmax(cosine × exp(logit_scale)), checked against the
    /// scores in the same answer.
    @Test func probabilitiesAreTheSoftmaxOfScaledScores() async throws {
        try await withService { service in
            let reply = try await service.post("/v1/classify", json: [
                "image": try LiveService.dataURI("png_rgb_256x192.png"), "labels": ["a", "b"], "template": "{}",
            ])
            let labels = try #require(reply.json["labels"] as? [[String: Any]])
            let s = labels.compactMap { $0["score"] as? Double }
            let p = labels.compactMap { $0["probability"] as? Double }
            let scale = 1 / 0.07
            try #require(s.count == 2 && p.count == 2, "\(reply.text)")
            let expected = 1 / (1 + exp(-(s[0] - s[1]) * scale))
            #expect(abs(p[0] - expected) < 1e-3, "p \(p) expected \(expected)")
        }
    }

    @Test func multipartUploadMatchesJSON() async throws {
        try await withService { service in
            let form = try await service.postMultipart(
                "/v1/classify", fields: [("labels", "cat"), ("labels", "dog")],
                files: [("image", "x.png", try LiveService.image("png_rgb_256x192.png"))])
            let json = try await service.post("/v1/classify", json: [
                "image": try LiveService.dataURI("png_rgb_256x192.png"), "labels": ["cat", "dog"],
            ])
            #expect(form.status == 200, "\(form.text)")
            #expect(form.json["labels"] as? [[String: AnyHashable]] == json.json["labels"] as? [[String: AnyHashable]])
        }
    }

    @Test func badClassifyRequestsNameTheField() async throws {
        try await withService { service in
            let image = try LiveService.dataURI("png_rgb_256x192.png")
            expectProblem(try await service.post("/v1/classify", json: ["labels": ["a"]]), status: 400, field: "image")
            expectProblem(try await service.post("/v1/classify", json: ["image": image]), status: 400, field: "labels")
            expectProblem(try await service.post("/v1/classify", json: ["image": image, "labels": []]), status: 400, field: "labels")
            expectProblem(try await service.post("/v1/classify", json: ["image": image, "labels": "cat"]), status: 400, field: "labels")
            expectProblem(try await service.post("/v1/classify", json: ["image": image, "labels": ["a", "b", "c", "d", "e", "f"]]), status: 413, field: "labels")
            expectProblem(try await service.post("/v1/classify", json: ["image": image, "labels": ["a", "a"]]), status: 400, field: "labels")
            expectProblem(try await service.post("/v1/classify", json: ["image": image, "labels": ["a", " "]]), status: 400, field: "labels[1]")
            expectProblem(try await service.post("/v1/classify", json: ["image": image, "labels": ["a"], "template": "no slot"]), status: 400, field: "template")
            expectProblem(try await service.post("/v1/classify", json: ["image": image, "labels": ["a"], "prompt": "coop-1"]), status: 404, field: "prompt")
            expectProblem(try await service.post("/v1/classify", json: ["image": "!!!", "labels": ["a"]]), status: 400, field: "image")
            let garbage = "data:image/png;base64," + Data("nope nope".utf8).base64EncodedString()
            expectProblem(try await service.post("/v1/classify", json: ["image": garbage, "labels": ["a"]]), status: 415, field: "image")
        }
    }
}
