import Foundation
import Synchronization
import TestSupport
import Testing
@testable import Service

@Suite(.serialized) struct AdminRouteTests {
    static let token = "test-admin-token"
    static let auth = ["Authorization": "Bearer \(token)"]
    static let chinese: [String: String] = [
        "models.zh_encoder": LiveService.fixtures.appendingPathComponent("bert/bert-tiny-a").path,
        "models.zh_adapter": LiveService.fixtures.appendingPathComponent("engine/zh-adapter-v1").path,
    ]
    static let v2 = LiveService.fixtures.appendingPathComponent("engine/zh-adapter-v2").path

    private func withAdmin(_ body: (LiveService) async throws -> Void) async throws {
        try await withService(Self.chinese, environment: ["ADAPTCLIP_ADMIN_TOKEN": Self.token], body)
    }

    @Test func adminRoutesDoNotExistWithoutAToken() async throws {
        try await withService(Self.chinese) { service in
            let reply = try await service.request("GET", "/admin/adapters", headers: Self.auth)
            #expect(reply.status == 404)
        }
    }

    @Test func missingAndWrongTokensAre401And403() async throws {
        try await withAdmin { service in
            let reply1 = try await service.request("GET", "/admin/adapters")
            #expect(reply1.status == 401)
            let reply2 = try await service.request("GET", "/admin/adapters", headers: ["Authorization": "Bearer nope"])
            #expect(reply2.status == 403)
            let reply3 = try await service.post("/admin/adapters", json: ["path": Self.v2])
            #expect(reply3.status == 401)
            let reply4 = try await service.request("POST", "/admin/adapters/zh@1/activate", headers: ["Authorization": "Bearer x"])
            #expect(reply4.status == 403)
        }
    }

    @Test func theConfiguredAdapterIsListedAsActive() async throws {
        try await withAdmin { service in
            let reply = try await service.request("GET", "/admin/adapters", headers: Self.auth)
            #expect(reply.status == 200, "\(reply.text)")
            let slots = try #require(reply.json["slots"] as? [[String: Any]])
            #expect(slots.first?["slot"] as? String == "language:zh")
            #expect(slots.first?["active"] as? String == "zh@1")
            let adapters = try #require(reply.json["adapters"] as? [[String: Any]])
            #expect(adapters.map { $0["key"] as? String } == ["zh@1"])
        }
    }

    @Test func loadActivateAndUnloadChangeWhatChineseRequestsGet() async throws {
        try await withAdmin { service in
            let before = try await service.post("/v1/embeddings", json: ["input": "两个红色的圆形", "lang": "zh"])
            let loaded = try await service.post("/admin/adapters", json: ["path": Self.v2], headers: Self.auth)
            #expect(loaded.status == 201, "\(loaded.text)")
            #expect(loaded.json["active"] as? Bool == false)
            // Staged only: requests still get v1.
            let staged = try await service.post("/v1/embeddings", json: ["input": "两个红色的圆形", "lang": "zh"])
            #expect(producer(staged).contains("zh@1"))

            let activated = try await service.request("POST", "/admin/adapters/zh@2/activate", headers: Self.auth)
            #expect(activated.status == 200, "\(activated.text)")
            let after = try await service.post("/v1/embeddings", json: ["input": "两个红色的圆形", "lang": "zh"])
            #expect(producer(after).contains("zh@2"))
            #expect(vector(before) != vector(after))

            // The active adapter cannot be unloaded; the inactive one can.
            let reply5 = try await service.request("DELETE", "/admin/adapters/zh@2", headers: Self.auth)
            #expect(reply5.status == 409)
            let reply6 = try await service.request("DELETE", "/admin/adapters/zh@1", headers: Self.auth)
            #expect(reply6.status == 204)
            let reply7 = try await service.request("POST", "/admin/adapters/zh@1/activate", headers: Self.auth)
            #expect(reply7.status == 404)
            // A bare name resolves when one version is loaded.
            let reply8 = try await service.request("POST", "/admin/adapters/zh/activate", headers: Self.auth)
            #expect(reply8.status == 200)

            let metrics = try await service.request("GET", "/metrics")
            #expect(metrics.text.contains(#"adaptclip_adapter_swaps_total{slot="language:zh"} 2"#))
        }
    }

    @Test func aFailedLoadSaysWhyAndLeavesTheActiveAdapterServing() async throws {
        try await withAdmin { service in
            let broken = LiveService.fixtures.appendingPathComponent("language-adapter/broken/bad-sha256").path
            let reply = try await service.post("/admin/adapters", json: ["path": broken, "activate": true], headers: Self.auth)
            #expect(reply.status == 422)
            #expect((reply.json["detail"] as? String)?.contains("adapter.json:") == true, "\(reply.text)")
            let missing = try await service.post("/admin/adapters", json: ["path": "/nonexistent", "activate": true], headers: Self.auth)
            #expect(missing.status == 422)
            expectProblem(try await service.post("/admin/adapters", json: [:], headers: Self.auth), status: 400, field: "path")
            let still = try await service.post("/v1/embeddings", json: ["input": "红色", "lang": "zh"])
            #expect(producer(still).contains("zh@1"))
        }
    }

    /// ≥ 8 clients embed Chinese text while the adapter is swapped ≥ 5 times: no request
    /// fails, and every answer is exactly one adapter's — its vector equals that adapter's
    /// PyTorch golden, and its `producer` names that adapter.
    @Test func hotSwapUnderConcurrentLoadLosesNothingAndMixesNothing() async throws {
        struct Golden: Decodable {
            struct Text: Decodable { let text: String; let embedding_v1: [Float]; let embedding_v2: [Float] }
            struct Zh: Decodable { let texts: [Text] }
            let zh: Zh
        }
        let goldens = try JSONDecoder().decode(
            Golden.self, from: Data(contentsOf: LiveService.fixtures.appendingPathComponent("engine/goldens.json"))).zh.texts
            .filter { !$0.text.isEmpty }
        try await withAdmin { service in
            let reply9 = try await service.post("/admin/adapters", json: ["path": Self.v2], headers: Self.auth)
            #expect(reply9.status == 201)
            let answers = try await RequestsAcrossSwaps.run(clients: 8, minimumPerClient: 12, swaps: 6) { client, attempt in
                let index = (client + attempt) % goldens.count
                let reply = try await service.post("/v1/embeddings", json: ["input": goldens[index].text, "lang": "zh"])
                return (index, self.producer(reply), self.vector(reply).map(Float.init), reply.status)
            } swap: { swap in
                let target = swap.isMultiple(of: 2) ? "zh@2" : "zh@1"
                let reply = try await service.request("POST", "/admin/adapters/\(target)/activate", headers: Self.auth)
                #expect(reply.status == 200)
            }
            let results = answers.map(\.value)
            #expect(results.count >= 96)
            #expect(results.allSatisfy { $0.3 == 200 }, "failed requests: \(results.filter { $0.3 != 200 }.count)")
            var versions: Set<String> = []
            for (index, producer, vector, _) in results {
                let isV2 = producer.contains("zh@2")
                #expect(isV2 || producer.contains("zh@1"), "unattributable: \(producer)")
                versions.insert(isV2 ? "2" : "1")
                let golden = isV2 ? goldens[index].embedding_v2 : goldens[index].embedding_v1
                let cosine = TestSupport.cosine(vector, golden)
                #expect(cosine >= 0.99999, "\(producer) answer is not that adapter's: cosine \(cosine)")
            }
            #expect(versions == ["1", "2"], "both adapters should have served during the swaps")
            let swaps = try await service.request("GET", "/metrics")
            #expect(swaps.text.contains(#"adaptclip_adapter_swaps_total{slot="language:zh"} 6"#))
        }
    }

    @Test func theActivatedAdapterIsRestoredAfterARestart() async throws {
        let data = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(data) }
        var overrides = Self.chinese
        overrides["data_dir"] = data.path
        let environment = ["ADAPTCLIP_ADMIN_TOKEN": Self.token]

        let first = try await LiveService.start(overrides, environment: environment)
        let loaded = try await first.post("/admin/adapters", json: ["path": Self.v2, "activate": true], headers: Self.auth)
        #expect(loaded.status == 201)
        await first.running.server.shutdown(gracePeriod: .seconds(2))
        try first.running.context.collection?.close()

        // The configuration still names v1; the operator's last choice (v2) must win.
        let second = try await LiveService.start(overrides, environment: environment)
        let reply = try await second.post("/v1/embeddings", json: ["input": "红色", "lang": "zh"])
        let listing = try await second.request("GET", "/admin/adapters", headers: Self.auth)
        await second.running.server.shutdown(gracePeriod: .seconds(2))
        try second.running.context.collection?.close()
        #expect(producer(reply).contains("zh@2"), "\(producer(reply))")
        #expect((listing.json["slots"] as? [[String: Any]])?.first?["active"] as? String == "zh@2")
    }

    private func producer(_ reply: LiveService.Reply) -> String {
        ((reply.json["data"] as? [[String: Any]])?.first?["producer"] as? String) ?? ""
    }

    private func vector(_ reply: LiveService.Reply) -> [Double] {
        ((reply.json["data"] as? [[String: Any]])?.first?["embedding"] as? [Double]) ?? []
    }
}
