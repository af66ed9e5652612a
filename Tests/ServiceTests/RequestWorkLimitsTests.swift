import Foundation
import Testing
@testable import Service

/// Work limits checked before the work: a body's JSON shape before parsing, a text's and a
/// classify request's prompt bytes before tokenising. Each refusal is a 4xx naming what hit it.
@Suite(.serialized) struct RequestWorkLimitsTests {
    @Test func aBodyOfTooManyJSONValuesIsRefusedBeforeParsing() throws {
        let body = Array(("{\"input\":[" + Array(repeating: "{}", count: 2_000).joined(separator: ",") + "]}").utf8)
        #expect(throws: APIError.self) { try FieldReader.parseBody(body, limits: JSONLimits(maxValues: 1_000, maxDepth: 64)) }
        do {
            _ = try FieldReader.parseBody(body, limits: JSONLimits(maxValues: 1_000, maxDepth: 64))
        } catch {
            #expect(error.status == 413 && error.code == "json-too-large", "\(error)")
        }
        #expect(try FieldReader.parseBody(body, limits: JSONLimits(maxValues: 5_000, maxDepth: 64)).value("input") != nil)
    }

    @Test func deepNestingIsRefusedBeforeParsing() throws {
        let body = Array(("{\"a\":" + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}").utf8)
        do {
            _ = try FieldReader.parseBody(body, limits: JSONLimits(maxValues: 1_000, maxDepth: 64))
            Issue.record("100 levels passed a 64-level limit")
        } catch {
            #expect(error.status == 400 && error.code == "json-too-deep", "\(error)")
        }
    }

    /// Brackets and commas inside strings (escaped quotes included) are text, not structure.
    @Test func stringsAreSkippedWithTheirEscapes() throws {
        let text = String(repeating: "[{,\\\"}]", count: 500)
        let body = Array("{\"input\":\"\(text)\"}".utf8)
        let reader = try FieldReader.parseBody(body, limits: JSONLimits(maxValues: 4, maxDepth: 2))
        #expect(try reader.string("input")?.count == 500 * 6)
    }

    @Test func templateAmplificationIsRefusedFromItsSizeAlone() throws {
        var limits = try ConfigurationLoader(overrides: [:]).load().limits
        limits.maxTextBytes = 65_536
        limits.maxPromptBytes = 262_144
        let budget = TextBudget(limits)
        let label = String(repeating: "x", count: 10_000)
        let template = String(repeating: "{}", count: 2_000)
        do {
            try budget.checkPrompts(template: template, labels: [label, label + "y"])
            Issue.record("a 20 MB prompt passed")
        } catch {
            #expect(error.status == 413 && error.field == "template" && error.code == "text-too-long", "\(error)")
        }
        // Each prompt fits, together they do not.
        let many = (0..<64).map { String(repeating: "w", count: 5_000) + "\($0)" }
        do {
            try budget.checkPrompts(template: "a photo of {}", labels: many)
            Issue.record("320 KB of prompts passed a 256 KB limit")
        } catch {
            #expect(error.status == 413 && error.code == "prompt-too-large", "\(error)")
        }
        try budget.checkPrompts(template: "a photo of a {}, or {}", labels: ["cat", "dog"])
    }

    @Test func overLongTextsAreRefusedByMemberOverHTTP() async throws {
        try await withService(["limits.max_text_bytes": "1000"]) { service in
            let long = String(repeating: "a", count: 1_001)
            let embeddings = try await service.post("/v1/embeddings", json: ["input": ["ok", long]])
            expectProblem(embeddings, status: 413, field: "input[1]")
            let classify = try await service.post("/v1/classify", json: [
                "image": try LiveService.dataURI("png_rgb_256x192.png"), "labels": ["cat", "dog"],
                "template": String(repeating: "{}", count: 400),
            ])
            expectProblem(classify, status: 413, field: "template")
            let fine = try await service.post("/v1/embeddings", json: ["input": [String(repeating: "a", count: 1_000)]])
            #expect(fine.status == 200, "\(fine.text)")
            #expect((fine.json["data"] as? [[String: Any]])?.first?["truncated"] as? Bool == true)
        }
    }

    @Test func aHugeJSONBodyIsRefusedWithItsLimit() async throws {
        try await withService(["limits.max_json_values": "10000"]) { service in
            let body = "{\"input\":[" + Array(repeating: "{}", count: 50_000).joined(separator: ",") + "]}"
            let reply = try await service.request("POST", "/v1/embeddings", body: Data(body.utf8))
            #expect(reply.status == 413, "\(reply.text)")
            #expect(reply.text.contains("limits.max_json_values"))
        }
    }

    /// The images of one request are charged by their headers before any is decoded.
    @Test func imagesOverThePerRequestPixelBudgetAreRefusedBeforeDecoding() async throws {
        try await withService(["limits.max_image_pixels_per_request": "60000"]) { service in
            let image = try LiveService.dataURI("png_rgb_256x192.png")  // 49,152 pixels
            let one = try await service.post("/v1/embeddings", json: ["input": [image], "modality": "image"])
            #expect(one.status == 200, "\(one.text)")
            let two = try await service.post("/v1/embeddings", json: ["input": [image, image], "modality": "image"])
            expectProblem(two, status: 413, field: "input[1]")
            #expect(two.json["type"] as? String == "https://adaptclip.dev/problems/images-too-large")
        }
    }
}
