import Engine
import Foundation
import TestSupport
import Testing
@testable import Service

/// Published checkpoints over HTTP: a Taiyi-type encoder as the demo's Chinese path (at start
/// with `--zh-encoder`, or hot-swapped with the trained adapter under load) and Chinese-CLIP as
/// the model itself.
@Suite(.serialized) struct PublishedEncoderServiceTests {
    static let token = "published-admin-token"
    static let auth = ["Authorization": "Bearer \(token)"]
    static let taiyi = publishedFixture("taiyi-type")
    static let demo: [String: String] = ["gallery.seed": "false"]

    private func producer(_ reply: LiveService.Reply) -> String {
        ((reply.json["data"] as? [[String: Any]])?.first?["producer"] as? String) ?? ""
    }

    private func vector(_ reply: LiveService.Reply) -> [Float] {
        (((reply.json["data"] as? [[String: Any]])?.first?["embedding"] as? [Double]) ?? []).map(Float.init)
    }

    @Test func hotSwapBetweenTheTrainedAdapterAndATaiyiEncoderUnderLoadDropsNothing() async throws {
        // Texts `auto` routes to Chinese: clients below send no `lang`, as OpenAI clients cannot.
        let goldens = try PublishedGoldenFile.load("taiyi-type").texts.filter { LanguageRouter.resolve(.auto, text: $0.text) == .zh }
        try #require(goldens.count >= 10)
        try await withService(Self.demo, environment: ["ADAPTCLIP_ADMIN_TOKEN": Self.token], embeddedDefault: true) { service in
            // What the trained adapter answers for each text, before any swap.
            var trained: [[Float]] = []
            for golden in goldens {
                let reply = try await service.post("/v1/embeddings", json: ["input": golden.text, "lang": "zh"])
                #expect(reply.status == 200, "\(reply.text)")
                trained.append(vector(reply))
            }
            let trainedProducer = producer(try await service.post("/v1/embeddings", json: ["input": "猫", "lang": "zh"]))
            let loaded = try await service.post("/admin/adapters", json: ["path": Self.taiyi.path], headers: Self.auth)
            #expect(loaded.status == 201, "\(loaded.text)")
            let taiyiKey = try #require(loaded.json["key"] as? String)
            let trainedKey = try #require(
                ((try await service.request("GET", "/admin/adapters", headers: Self.auth)).json["adapters"] as? [[String: Any]])?
                    .first { ($0["name"] as? String) == "demo-zh" }?["key"] as? String)

            let answers = try await RequestsAcrossSwaps.run(clients: 6, minimumPerClient: 10, swaps: 4) { client, attempt in
                let index = (client + attempt) % goldens.count
                let reply = try await service.post("/v1/embeddings", json: ["input": goldens[index].text])
                return (index, self.producer(reply), self.vector(reply), reply.status)
            } swap: { swap in
                let key = swap.isMultiple(of: 2) ? taiyiKey : trainedKey
                let reply = try await service.request("POST", "/admin/adapters/\(key)/activate", headers: Self.auth)
                #expect(reply.status == 200, "\(reply.text)")
            }
            let results = answers.map(\.value)
            #expect(results.count >= 60)
            #expect(results.allSatisfy { $0.3 == 200 }, "failed requests: \(results.filter { $0.3 != 200 }.count)")
            var producers: Set<String> = []
            for (index, producer, vector, _) in results {
                producers.insert(producer)
                if producer == trainedProducer {
                    #expect(cosine(vector, trained[index]) >= 0.99999, "a trained-adapter answer is not the adapter's")
                } else {
                    #expect(producer.hasPrefix("taiyi-type@"), "unattributable: \(producer)")
                    let expected = normalized(try goldens[index].features())
                    #expect(cosine(vector, expected) >= 0.99999, "a Taiyi answer is not transformers' feature")
                }
            }
            #expect(producers.count == 2, "both paths should have served: \(producers)")
            let failed = results.filter { $0.3 != 200 }.count
            print("hot-swap trained adapter <-> taiyi-type under load: \(results.count) requests from 6 clients across 4 swaps, \(failed) failed, producers \(producers.sorted())")
            // The listing names what serves: the trained adapter again after the fourth swap.
            let models = try await service.request("GET", "/v1/models")
            let path = (models.json["data"] as? [[String: Any]])?.first { $0["role"] as? String == "language-path" }
            #expect(path?["id"] as? String == trainedProducer)
        }
    }

    @Test func aTaiyiEncoderGivenAsZhEncoderIsTheChinesePathFromTheStart() async throws {
        let overrides = Self.demo.merging(["models.zh_encoder": Self.taiyi.path]) { $1 }
        try await withService(overrides, embeddedDefault: true) { service in
            let golden = try #require(try PublishedGoldenFile.load("taiyi-type").texts.first { !$0.text.isEmpty })
            let reply = try await service.post("/v1/embeddings", json: ["input": golden.text, "lang": "zh"])
            #expect(reply.status == 200, "\(reply.text)")
            #expect(producer(reply).hasPrefix("taiyi-type@"))
            #expect(cosine(vector(reply), normalized(try golden.features())) >= 0.99999)
            let models = try await service.request("GET", "/v1/models")
            let roles = (models.json["data"] as? [[String: Any]] ?? []).compactMap { $0["role"] as? String }
            #expect(roles == ["clip", "language-path"], "no frozen base encoder is loaded beside it")
        }
    }

    @Test func aZhAdapterBesideAPublishedEncoderIsRefusedAtStart() async throws {
        let overrides = [
            "models.zh_encoder": Self.taiyi.path,
            "models.zh_adapter": RepositoryPaths.root.appendingPathComponent("models/demo/zh-adapter").path,
        ]
        await #expect {
            try await withService(Self.demo.merging(overrides) { $1 }, embeddedDefault: true) { _ in }
        } throws: { error in
            "\(error)".contains("carries its own projection")
        }
    }

    @Test func anEncoderForAnotherTextSpaceIsRefusedByTheAdminAPI() async throws {
        try await withService(environment: ["ADAPTCLIP_ADMIN_TOKEN": Self.token]) { service in
            let reply = try await service.post("/admin/adapters", json: ["path": Self.taiyi.path], headers: Self.auth)
            #expect(reply.status == 422, "\(reply.text)")
            #expect(reply.text.contains("128 dimensions"), "\(reply.text)")
        }
    }

    @Test func chineseCLIPServesChineseWithoutALanguagePath() async throws {
        try await withService(["models.clip": publishedFixture("chinese-clip-type").path]) { service in
            let reply = try await service.post("/v1/embeddings", json: ["input": ["两只红色的圆形", "two red circles"]])
            #expect(reply.status == 200, "\(reply.text)")
            let items = reply.json["data"] as? [[String: Any]] ?? []
            #expect(items.map { $0["lang"] as? String } == ["zh", "en"])
            #expect((reply.json["model"] as? String)?.hasPrefix("chinese-clip-type@") == true)
            let image = try await service.post("/v1/embeddings", json: [
                "input": [try LiveService.dataURI("png_rgb_256x192.png")], "modality": "image",
            ])
            #expect(image.status == 200, "\(image.text)")
            let classify = try await service.post("/v1/classify", json: [
                "image": try LiveService.dataURI("png_rgb_256x192.png"), "labels": ["猫", "狗"],
            ])
            #expect(classify.status == 200, "\(classify.text)")
        }
    }
}
