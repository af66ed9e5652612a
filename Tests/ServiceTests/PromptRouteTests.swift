import Foundation
import TestSupport
import Testing
@testable import Service

/// Learned prompts over real sockets: loaded through `/admin/adapters`, selected by `prompt` in
/// `/v1/classify`, scored as the PyTorch goldens of training/fixtures/make_prompt_fixtures.py say.
@Suite(.serialized) struct PromptRouteTests {
    static let auth = ["Authorization": "Bearer prompt-admin-token"]
    static let prompts = LiveService.fixtures.appendingPathComponent("prompts/tiny-clip")

    struct Goldens: Decodable {
        struct Label: Decodable { let name: String }
        struct Variant: Decodable { let logits_f32: String }
        let logit_scale: Float
        let labels: [Label]
        let images: [String]
        let coop: Variant
        let structured: Variant
    }

    static func goldens() throws -> Goldens {
        try JSONDecoder().decode(Goldens.self, from: Data(contentsOf: prompts.appendingPathComponent("goldens.json")))
    }

    /// Golden cosine scores of image 0, by label: logits / logit_scale.
    static func expectedScores(_ variant: String) throws -> [String: Float] {
        let g = try goldens()
        let data = try #require(Data(base64Encoded: variant == "coop" ? g.coop.logits_f32 : g.structured.logits_f32))
        let logits = data.withUnsafeBytes { raw in
            (0..<g.labels.count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
        return Dictionary(uniqueKeysWithValues: zip(g.labels.map(\.name), logits.map { $0 / g.logit_scale }))
    }

    static func scores(_ reply: LiveService.Reply) -> [String: Float] {
        let labels = reply.json["labels"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: labels.map { ($0["label"] as? String ?? "", Float($0["score"] as? Double ?? .nan)) })
    }

    static func worstDifference(_ a: [String: Float], _ b: [String: Float]) -> Float {
        guard a.count == b.count, !a.isEmpty else { return .infinity }
        return a.keys.map { abs((a[$0] ?? .nan) - (b[$0] ?? .nan)) }.max() ?? .infinity
    }

    /// The goldens are transformers' scores from a full-size decode, compared at 1e-5: DCT-scaled
    /// decoding (within cosine 0.999, not 1e-5) is off.
    static let fullDecode = ["engine.jpeg_dct_scaling": "false"]

    private func withAdmin(_ body: (LiveService) async throws -> Void) async throws {
        try await withService(Self.fullDecode, environment: ["ADAPTCLIP_ADMIN_TOKEN": "prompt-admin-token"], body)
    }

    static func classifyBody(prompt: String?) throws -> [String: Any] {
        let g = try goldens()
        let image = try Data(contentsOf: LiveService.fixtures.appendingPathComponent(g.images[0]))
        var body: [String: Any] = ["image": image.base64EncodedString(), "labels": g.labels.map(\.name)]
        if let prompt { body["prompt"] = prompt }
        return body
    }

    @Test func aLoadedPromptGivesTheGoldenScoresAndDiffersFromTheTemplate() async throws {
        try await withAdmin { service in
            let loaded = try await service.post("/admin/adapters", json: ["path": Self.prompts.appendingPathComponent("structured").path], headers: Self.auth)
            #expect(loaded.status == 201, "\(loaded.text)")
            #expect(loaded.json["key"] as? String == "prompt:tiny-clip-structured")
            #expect(loaded.json["variant"] as? String == "structured")

            let prompted = try await service.post("/v1/classify", json: try Self.classifyBody(prompt: "tiny-clip-structured"))
            #expect(prompted.status == 200, "\(prompted.text)")
            #expect(prompted.json["prompt"] as? String == "tiny-clip-structured@1")
            #expect(prompted.json["template"] is NSNull)
            let worst = Self.worstDifference(Self.scores(prompted), try Self.expectedScores("structured"))
            print("service structured prompt scores vs golden: worst abs \(worst)")
            #expect(worst <= 1e-5)

            let templated = try await service.post("/v1/classify", json: try Self.classifyBody(prompt: nil))
            #expect(templated.status == 200)
            #expect(Self.worstDifference(Self.scores(templated), Self.scores(prompted)) > 1e-2)
        }
    }

    @Test func loadingANewVersionUnderANameChangesTheAnswersAndDeleteRemovesIt() async throws {
        try await withAdmin { service in
            let coop = Self.prompts.appendingPathComponent("coop").path
            #expect(try await service.post("/admin/adapters", json: ["path": coop], headers: Self.auth).status == 201)
            let first = try await service.post("/v1/classify", json: try Self.classifyBody(prompt: "tiny-clip-coop"))
            #expect(Self.worstDifference(Self.scores(first), try Self.expectedScores("coop")) <= 1e-5, "\(first.text)")

            // Version 2 of "tiny-clip-coop": the structured fixture's weights under that name.
            let copy = try TemporaryDirectory.make().appendingPathComponent("prompt-v2")
            try FileManager.default.copyItem(at: Self.prompts.appendingPathComponent("structured"), to: copy)
            defer { TemporaryDirectory.remove(copy.deletingLastPathComponent()) }
            let manifestURL = copy.appendingPathComponent("adapter.json")
            var manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: manifestURL)) as? [String: Any])
            manifest["name"] = "tiny-clip-coop"
            manifest["version"] = "2"
            try JSONSerialization.data(withJSONObject: manifest).write(to: manifestURL)
            #expect(try await service.post("/admin/adapters", json: ["path": copy.path], headers: Self.auth).status == 201)

            let second = try await service.post("/v1/classify", json: try Self.classifyBody(prompt: "tiny-clip-coop"))
            #expect(second.json["prompt"] as? String == "tiny-clip-coop@2")
            #expect(Self.worstDifference(Self.scores(second), try Self.expectedScores("structured")) <= 1e-5, "\(second.text)")

            let listing = try await service.request("GET", "/admin/adapters", headers: Self.auth)
            let listed = try #require(listing.json["prompts"] as? [[String: Any]])
            #expect(listed.map { $0["key"] as? String } == ["prompt:tiny-clip-coop"])

            let deleted = try await service.request("DELETE", "/admin/adapters/prompt:tiny-clip-coop", headers: Self.auth)
            #expect(deleted.status == 204)
            expectProblem(try await service.post("/v1/classify", json: try Self.classifyBody(prompt: "tiny-clip-coop")), status: 404, field: "prompt")
            expectProblem(try await service.request("DELETE", "/admin/adapters/prompt:tiny-clip-coop", headers: Self.auth), status: 404, field: "name")
        }
    }

    /// Installed prompts are recorded in the data directory's adapters table, like the active
    /// language adapter: a restart serves them again, and a deleted one stays deleted.
    @Test func installedPromptsSurviveARestartAndADeletedOneStaysDeleted() async throws {
        let data = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(data) }
        let environment = ["ADAPTCLIP_ADMIN_TOKEN": "prompt-admin-token"]
        func restarted(_ body: (LiveService) async throws -> Void) async throws {
            let service = try await LiveService.start(Self.fullDecode.merging(["data_dir": data.path]) { $1 }, environment: environment)
            do { try await body(service) } catch {
                await service.running.server.shutdown(gracePeriod: .seconds(2))
                throw error
            }
            await service.running.server.shutdown(gracePeriod: .seconds(2))
            try service.running.context.collection?.close()
        }

        try await restarted { service in
            for variant in ["coop", "structured"] {
                let path = Self.prompts.appendingPathComponent(variant).path
                let loaded = try await service.post("/admin/adapters", json: ["path": path], headers: Self.auth)
                #expect(loaded.status == 201, "\(loaded.text)")
            }
        }
        try await restarted { service in
            for variant in ["coop", "structured"] {
                let reply = try await service.post("/v1/classify", json: try Self.classifyBody(prompt: "tiny-clip-\(variant)"))
                #expect(reply.status == 200, "\(variant) after a restart: \(reply.text)")
                let worst = Self.worstDifference(Self.scores(reply), try Self.expectedScores(variant))
                #expect(worst <= 1e-5, "\(variant) after a restart: worst abs \(worst)")
            }
            let deleted = try await service.request("DELETE", "/admin/adapters/prompt:tiny-clip-structured", headers: Self.auth)
            #expect(deleted.status == 204)
        }
        try await restarted { service in
            let gone = try await service.post("/v1/classify", json: try Self.classifyBody(prompt: "tiny-clip-structured"))
            expectProblem(gone, status: 404, field: "prompt")
            let listing = try await service.request("GET", "/admin/adapters", headers: Self.auth)
            #expect((listing.json["prompts"] as? [[String: Any]])?.map { $0["key"] as? String } == ["prompt:tiny-clip-coop"])
        }
    }

    @Test func aBrokenPromptIsRejectedAndAPromptAndATemplateTogetherAreRefused() async throws {
        try await withAdmin { service in
            let other = LiveService.fixtures.appendingPathComponent("prompts/tiny-gelu-p16/coop").path
            let rejected = try await service.post("/admin/adapters", json: ["path": other], headers: Self.auth)
            expectProblem(rejected, status: 422, field: "path")
            #expect((rejected.json["detail"] as? String ?? "").contains("clip.id"))
            var body = try Self.classifyBody(prompt: "x")
            body["template"] = "a {}"
            expectProblem(try await service.post("/v1/classify", json: body), status: 400, field: "template")
        }
    }
}
