import Foundation
import Testing
@testable import Service

@Suite(.serialized) struct EmbeddingsRouteTests {
    private func vectors(_ reply: LiveService.Reply) -> [[Double]] {
        ((reply.json["data"] as? [[String: Any]]) ?? []).map { ($0["embedding"] as? [Double]) ?? [] }
    }

    @Test func textInputsGetOpenAIShapedNormalisedEmbeddings() async throws {
        try await withService { service in
            let reply = try await service.post("/v1/embeddings", json: ["input": ["a photo of a cat", "a dog"], "model": "tiny-clip"])
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.json["object"] as? String == "list")
            // Asked by its directory's name, answered with its id (declared name + weights digest).
            #expect(reply.json["model"] as? String == service.running.context.engine.modelName)
            #expect((reply.json["model"] as? String)?.hasPrefix("clip@") == true)
            let data = try #require(reply.json["data"] as? [[String: Any]])
            #expect(data.map { $0["index"] as? Int } == [0, 1])
            #expect(data.allSatisfy { $0["object"] as? String == "embedding" && $0["truncated"] as? Bool == false })
            for v in vectors(reply) {
                #expect(v.count == 32)
                #expect(abs(v.reduce(0) { $0 + $1 * $1 } - 1) < 1e-4)
            }
            let usage = try #require(reply.json["usage"] as? [String: Any])
            #expect((usage["prompt_tokens"] as? Int ?? 0) > 0)
        }
    }

    @Test func base64EncodingCarriesTheSameFloats() async throws {
        try await withService { service in
            let floats = try await service.post("/v1/embeddings", json: ["input": "a red car"])
            let encoded = try await service.post("/v1/embeddings", json: ["input": "a red car", "encoding_format": "base64"])
            let text = try #require(((encoded.json["data"] as? [[String: Any]])?.first?["embedding"]) as? String)
            let bytes = try #require(Data(base64Encoded: text))
            let decoded = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            let expected = try #require(vectors(floats).first).map(Float.init)
            #expect(decoded == expected)
        }
    }

    @Test func longTextIsTruncatedAndReportedNeverAnError() async throws {
        try await withService { service in
            let long = String(repeating: "the quick brown fox jumps over the lazy dog ", count: 40)
            let reply = try await service.post("/v1/embeddings", json: ["input": long])
            #expect(reply.status == 200)
            #expect((reply.json["data"] as? [[String: Any]])?.first?["truncated"] as? Bool == true)
        }
    }

    @Test func imagesAsDataURIsAndAsMultipartUploadsAgree() async throws {
        try await withService { service in
            let json = try await service.post("/v1/embeddings", json: [
                "input": [try LiveService.dataURI("png_rgb_256x192.png")], "modality": "image",
            ])
            #expect(json.status == 200, "\(json.text)")
            let upload = try await service.postMultipart(
                "/v1/embeddings", fields: [], files: [("file", "a.png", try LiveService.image("png_rgb_256x192.png"))])
            #expect(upload.status == 200, "\(upload.text)")
            #expect(vectors(json) == vectors(upload))
            #expect(try #require(vectors(json).first).count == 32)
        }
    }

    @Test func multipartTextFieldsEmbedLikeJSON() async throws {
        try await withService { service in
            let form = try await service.postMultipart("/v1/embeddings", fields: [("input", "a cat"), ("lang", "en")], files: [])
            let json = try await service.post("/v1/embeddings", json: ["input": "a cat", "lang": "en"])
            #expect(form.status == 200)
            #expect(vectors(form) == vectors(json))
        }
    }

    @Test func badRequestsAreProblemsThatNameTheField() async throws {
        try await withService(["limits.max_embedding_inputs": "4"]) { service in
            expectProblem(try await service.request("POST", "/v1/embeddings", body: Data()), status: 400, field: nil)
            expectProblem(try await service.request("POST", "/v1/embeddings", body: Data("{nope".utf8)), status: 400, field: nil)
            expectProblem(try await service.post("/v1/embeddings", json: [:]), status: 400, field: "input")
            expectProblem(try await service.post("/v1/embeddings", json: ["input": 7]), status: 400, field: "input")
            expectProblem(try await service.post("/v1/embeddings", json: ["input": []]), status: 400, field: "input")
            expectProblem(try await service.post("/v1/embeddings", json: ["input": ["a", 2]]), status: 400, field: "input[1]")
            expectProblem(try await service.post("/v1/embeddings", json: ["input": ["a", "b", "c", "d", "e"]]), status: 413, field: "input")
            expectProblem(try await service.post("/v1/embeddings", json: ["input": "a", "inptu": 1]), status: 400, field: "inptu")
            expectProblem(try await service.post("/v1/embeddings", json: ["input": "a", "model": "text-embedding-3-small"]), status: 404, field: "model")
            expectProblem(try await service.post("/v1/embeddings", json: ["input": "a", "adapter": "nope"]), status: 404, field: "adapter")
            expectProblem(try await service.post("/v1/embeddings", json: ["input": "a", "lang": "fr"]), status: 400, field: "lang")
            expectProblem(try await service.post("/v1/embeddings", json: ["input": "a", "encoding_format": "hex"]), status: 400, field: "encoding_format")
            expectProblem(try await service.post("/v1/embeddings", json: ["input": "a", "dimensions": 64]), status: 400, field: "dimensions")
            expectProblem(try await service.post("/v1/embeddings", json: ["input": [1, 2, 3]]), status: 400, field: "input")
            expectProblem(try await service.post("/v1/embeddings", json: ["input": [[1, 2, 3]]]), status: 400, field: "input")
            expectProblem(try await service.post("/v1/embeddings", json: ["input": "两个红色的圆形", "lang": "zh"]), status: 400, field: "lang")
            expectProblem(try await service.post("/v1/embeddings", json: ["input": "a", "user": ["id": 1]]), status: 400, field: "user")
        }
    }

    @Test func undecodableAndOversizedImagesNameTheirIndex() async throws {
        try await withService(["limits.max_image_pixels": "1000"]) { service in
            let garbage = "data:image/png;base64," + Data("definitely not a png".utf8).base64EncodedString()
            let notImage = try await service.post("/v1/embeddings", json: [
                "input": [try LiveService.dataURI("png_pad_30x20.png"), garbage], "modality": "image",
            ])
            expectProblem(notImage, status: 415, field: "input[1]")
            let big = try await service.post("/v1/embeddings", json: [
                "input": [try LiveService.dataURI("png_rgb_256x192.png")], "modality": "image",
            ])
            expectProblem(big, status: 413, field: "input[0]")
            let truncated = try LiveService.image("png_rgb_256x192.png").prefix(200)
            let cut = try await service.post("/v1/embeddings", json: [
                "input": ["data:image/png;base64," + truncated.base64EncodedString()], "modality": "image",
            ])
            #expect([400, 413].contains(cut.status), "\(cut.text)")
        }
    }

    @Test func oversizedBodyIsRefusedWith413() async throws {
        try await withService(["limits.max_body_bytes": "1024"]) { service in
            let reply = try await service.post("/v1/embeddings", json: ["input": String(repeating: "x", count: 4000)])
            #expect(reply.status == 413)
        }
    }
}
