import Foundation
import TestSupport
import Testing
@testable import Service

/// Domain adapters hot-swapped into a running server over real sockets: /v1 answers change
/// while one is active and come back exactly when it is deactivated; a vision side changes the
/// collection's embedding space (409 until /admin/reindex).
@Suite(.serialized) struct DomainAdapterAdminTests {
    static let token = "domain-admin-token"
    static let auth = ["Authorization": "Bearer \(token)"]
    static let both = LiveService.fixtures.appendingPathComponent("engine/domain-both-v1").path
    static let textOnly = LiveService.fixtures.appendingPathComponent("engine/domain-text-v1").path

    private func withAdmin(_ overrides: [String: String] = [:], _ body: (LiveService) async throws -> Void) async throws {
        try await withService(overrides, environment: ["ADAPTCLIP_ADMIN_TOKEN": Self.token], body)
    }

    /// The text, image and classify answers a request gets now.
    private struct Answers: Equatable {
        let text: [Double]
        let image: [Double]
        let probabilities: [String: Double]
        let producer: String
    }

    private func answers(_ service: LiveService) async throws -> Answers {
        let text = try await service.post("/v1/embeddings", json: ["input": "a photo of a red car", "lang": "en"])
        let image = try await service.post("/v1/embeddings", json: [
            "input": [try LiveService.dataURI("png_rgb_256x192.png")], "modality": "image",
        ])
        let classify = try await service.post("/v1/classify", json: [
            "image": try LiveService.dataURI("png_rgb_256x192.png"), "labels": ["cat", "dog", "red car"],
        ])
        #expect(text.status == 200 && image.status == 200 && classify.status == 200, "\(text.text) \(image.text) \(classify.text)")
        let first = { (reply: LiveService.Reply) in (reply.json["data"] as? [[String: Any]])?.first ?? [:] }
        var probabilities: [String: Double] = [:]
        for label in classify.json["labels"] as? [[String: Any]] ?? [] {
            if let name = label["label"] as? String { probabilities[name] = label["probability"] as? Double }
        }
        return Answers(
            text: first(text)["embedding"] as? [Double] ?? [], image: first(image)["embedding"] as? [Double] ?? [],
            probabilities: probabilities, producer: first(text)["producer"] as? String ?? "")
    }

    @Test func activatingADomainAdapterChangesEmbeddingsAndClassifyAndDeactivatingRestoresThem() async throws {
        try await withAdmin { service in
            let frozen = try await answers(service)
            let loaded = try await service.post("/admin/adapters", json: ["path": Self.both, "activate": true], headers: Self.auth)
            #expect(loaded.status == 201, "\(loaded.text)")
            #expect(loaded.json["kind"] as? String == "domain")
            #expect(loaded.json["side"] as? String == "vision+text")
            #expect(loaded.json["active"] as? Bool == true)
            #expect(loaded.json["language"] == nil)

            let adapted = try await answers(service)
            #expect(maxAbsDifference(adapted.text, frozen.text) > 1e-2, "text embedding unchanged")
            #expect(maxAbsDifference(adapted.image, frozen.image) > 1e-2, "image embedding unchanged")
            #expect(adapted.probabilities.keys == frozen.probabilities.keys)
            #expect(adapted.probabilities != frozen.probabilities, "classify unchanged")
            #expect(adapted.producer.hasPrefix("tiny-clip+domain:domain-both@1.0.0:"), "\(adapted.producer)")

            let listing = try await service.request("GET", "/admin/adapters", headers: Self.auth)
            let slots = listing.json["slots"] as? [[String: Any]] ?? []
            #expect(slots.map { $0["slot"] as? String } == ["language:zh", "domain"])
            #expect(slots.last?["active"] as? String == "domain-both@1.0.0")
            #expect((slots.last?["requests"] as? Int ?? 0) >= 3)

            let off = try await service.request("POST", "/admin/adapters/domain-both/deactivate", headers: Self.auth)
            #expect(off.status == 200, "\(off.text)")
            #expect(off.json["active"] as? Bool == false)
            let restored = try await answers(service)
            #expect(restored == frozen)
            // Not active any more: a second deactivation is refused, and the adapter can be unloaded.
            expectProblem(try await service.request("POST", "/admin/adapters/domain-both/deactivate", headers: Self.auth),
                          status: 409, field: "name")
            #expect(try await service.request("DELETE", "/admin/adapters/domain-both@1.0.0", headers: Self.auth).status == 204)
            let metrics = try await service.request("GET", "/metrics")
            #expect(metrics.text.contains(#"adaptclip_adapter_swaps_total{slot="domain"} 2"#))
        }
    }

    /// Swapping between two domain adapters: each answer is one adapter's, the cache never
    /// serves the previous one's vector.
    @Test func swappingDomainAdaptersChangesTextAnswersAndKeepsTheImageSpaceOfATextOnlyAdapter() async throws {
        try await withAdmin { service in
            let frozen = try await answers(service)
            #expect(try await service.post("/admin/adapters", json: ["path": Self.textOnly, "activate": true], headers: Self.auth).status == 201)
            let viaText = try await answers(service)
            #expect(maxAbsDifference(viaText.text, frozen.text) > 1e-2)
            #expect(viaText.image == frozen.image, "a text-only adapter leaves images alone")
            #expect(try await service.post("/admin/adapters", json: ["path": Self.both], headers: Self.auth).status == 201)
            #expect(try await service.request("POST", "/admin/adapters/domain-both/activate", headers: Self.auth).status == 200)
            let viaBoth = try await answers(service)
            #expect(maxAbsDifference(viaBoth.text, viaText.text) > 1e-2)
            // The previously active one is inactive, so it can be unloaded; the active one cannot.
            #expect(try await service.request("DELETE", "/admin/adapters/domain-text", headers: Self.auth).status == 204)
            expectProblem(try await service.request("DELETE", "/admin/adapters/domain-both", headers: Self.auth), status: 409, field: "name")
        }
    }

    @Test func aVisionSideChangesTheEmbeddingSpaceUntilReindex() async throws {
        try await withAdmin { service in
            for file in ["png_rgb_256x192.png", "jpeg_q95_640x480.jpg", "webp_lossy_320x240.webp"] {
                #expect(try await service.post("/v1/images", json: ["image": try LiveService.dataURI(file), "caption": file]).status == 201)
            }
            #expect(try await service.post("/v1/search", json: ["query": "a photo"]).status == 200)
            // A text-only adapter keeps the image space: search goes on.
            #expect(try await service.post("/admin/adapters", json: ["path": Self.textOnly, "activate": true], headers: Self.auth).status == 201)
            #expect(try await service.post("/v1/search", json: ["query": "a photo"]).status == 200)
            // A vision side does not: 409 for search and upload until re-indexed.
            #expect(try await service.post("/admin/adapters", json: ["path": Self.both, "activate": true], headers: Self.auth).status == 201)
            expectProblem(try await service.post("/v1/search", json: ["query": "a photo"]), status: 409, field: nil)
            expectProblem(try await service.post("/v1/images", json: ["image": try LiveService.dataURI("png_pad_30x20.png")]), status: 409, field: nil)
            let started = try await service.request("POST", "/admin/reindex", headers: Self.auth)
            #expect(started.status == 202, "\(started.text)")
            let model = service.running.context.engine.modelName
            #expect((started.json["to"] as? String)?.hasPrefix("\(model)+domain:domain-both@1.0.0:") == true, "\(started.text)")
            var status: [String: Any] = [:]
            try await waitUntil("the reindex ended", pollingEvery: .milliseconds(25)) {
                status = try await service.request("GET", "/admin/reindex", headers: Self.auth).json
                return status["state"] as? String != "running"
            }
            #expect(status["state"] as? String == "completed" && status["done"] as? Int == 3, "\(status)")
            let search = try await service.post("/v1/search", json: ["query": "a photo", "k": 10])
            #expect(search.status == 200, "\(search.text)")
            #expect((search.json["hits"] as? [[String: Any]])?.count == 3)
            // Switching it off leaves the index in the adapter's space: 409 again.
            #expect(try await service.request("POST", "/admin/adapters/domain-both/deactivate", headers: Self.auth).status == 200)
            expectProblem(try await service.post("/v1/search", json: ["query": "a photo"]), status: 409, field: nil)
        }
    }

    @Test func refusedCheckpointsAndDeactivatingALanguageAdapterSayWhy() async throws {
        let chinese = [
            "models.zh_encoder": LiveService.fixtures.appendingPathComponent("bert/bert-tiny-a").path,
            "models.zh_adapter": LiveService.fixtures.appendingPathComponent("engine/zh-adapter-v1").path,
        ]
        try await withAdmin(chinese) { service in
            // Built for another CLIP: refused with the field, nothing activated.
            let foreign = LiveService.fixtures.appendingPathComponent("domain-adapter/both-gelu-p16").path
            let reply = try await service.post("/admin/adapters", json: ["path": foreign, "activate": true], headers: Self.auth)
            expectProblem(reply, status: 422, field: "path")
            #expect((reply.json["detail"] as? String)?.hasPrefix("adapter.json: clip.id:") == true, "\(reply.text)")
            let broken = LiveService.fixtures.appendingPathComponent("domain-adapter/broken/duplicate-layer").path
            let reply2 = try await service.post("/admin/adapters", json: ["path": broken], headers: Self.auth)
            // The rule, not the file's values (the admin API answers with the redacted form).
            #expect(reply2.json["detail"] as? String == "adapter.json: architecture.text.layers: must list each layer once", "\(reply2.text)")
            let listing = try await service.request("GET", "/admin/adapters", headers: Self.auth)
            #expect((listing.json["slots"] as? [[String: Any]])?.last?["active"] == nil)
            // The language slot always serves an adapter.
            expectProblem(try await service.request("POST", "/admin/adapters/zh/deactivate", headers: Self.auth), status: 409, field: "name")
            let zh = try await service.post("/v1/embeddings", json: ["input": "红色", "lang": "zh"])
            #expect(zh.status == 200)
        }
    }

    /// The active domain adapter is part of the state a restart restores, before the collection
    /// opens (so the collection serves the adapter's space).
    @Test func aRestartRestoresTheActiveDomainAdapter() async throws {
        let data = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(data) }
        let environment = ["ADAPTCLIP_ADMIN_TOKEN": Self.token]
        let first = try await LiveService.start(["data_dir": data.path], environment: environment)
        #expect(try await first.post("/v1/images", json: ["image": try LiveService.dataURI("png_rgb_256x192.png")]).status == 201)
        #expect(try await first.post("/admin/adapters", json: ["path": Self.both, "activate": true], headers: Self.auth).status == 201)
        #expect(try await first.request("POST", "/admin/reindex", headers: Self.auth).status == 202)
        try await waitUntil("the reindex ended", pollingEvery: .milliseconds(25)) {
            try await first.request("GET", "/admin/reindex", headers: Self.auth).json["state"] as? String != "running"
        }
        #expect(try await first.post("/v1/search", json: ["query": "a photo"]).status == 200)
        let adapted = try await answers(first)
        await first.running.server.shutdown(gracePeriod: .seconds(2))
        try first.running.context.collection?.close()

        let second = try await LiveService.start(["data_dir": data.path], environment: environment)
        do {
            #expect(try await answers(second) == adapted)
            #expect(try await second.post("/v1/search", json: ["query": "a photo"]).status == 200)
            let listing = try await second.request("GET", "/admin/adapters", headers: Self.auth)
            #expect((listing.json["slots"] as? [[String: Any]])?.last?["active"] as? String == "domain-both@1.0.0")
        } catch {
            await second.stop()
            throw error
        }
        await second.stop()
    }
}
