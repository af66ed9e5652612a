import Foundation
import Testing
@testable import Service

/// A domain adapter *trained* on outline drawings (training/domain_study.py, setting (d)) hot-swapped
/// into the embedded default through the admin API: /v1/classify on outline images it never saw in
/// training gets more colours right, agrees with PyTorch, and returns to the frozen answers when
/// the adapter is deactivated. Fixture: training/fixtures/make_trained_domain_fixture.py.
@Suite(.serialized) struct TrainedDomainAdapterTests {
    static let token = "trained-domain-token"
    static let fixture = LiveService.fixtures.appendingPathComponent("domain-adapter/trained-outline")

    struct Expectations: Decodable {
        struct Item: Decodable { let file: String; let label: Int }
        struct Reference: Decodable {
            let frozenPredictions: [Int], adaptedPredictions: [Int], frozenCorrect: Int, adaptedCorrect: Int
            enum CodingKeys: String, CodingKey {
                case frozenPredictions = "frozen_predictions", adaptedPredictions = "adapted_predictions"
                case frozenCorrect = "frozen_correct", adaptedCorrect = "adapted_correct"
            }
        }
        let task: String, template: String, prompts: [String], images: [Item], pytorch: Reference
    }

    static func expectations() throws -> Expectations {
        try JSONDecoder().decode(Expectations.self, from: Data(contentsOf: fixture.appendingPathComponent("expectations.json")))
    }

    /// The index of the top-ranked prompt for each image, as /v1/classify answers now.
    private func predictions(_ service: LiveService, _ e: Expectations) async throws -> [Int] {
        var predicted: [Int] = []
        for item in e.images {
            let png = try Data(contentsOf: Self.fixture.appendingPathComponent("images/\(item.file)"))
            let reply = try await service.post("/v1/classify", json: [
                "image": "data:image/png;base64," + png.base64EncodedString(), "labels": e.prompts, "template": e.template,
            ])
            predicted.append(try ClassifyPredictions.top(reply, among: e.prompts))
        }
        return predicted
    }

    private static func correct(_ predicted: [Int], _ e: Expectations) -> Int {
        ClassifyPredictions.correct(predicted, truth: e.images.map(\.label))
    }

    private static func differences(_ a: [Int], _ b: [Int]) -> Int { ClassifyPredictions.differences(a, b) }

    @Test func aTrainedOutlineAdapterHotSwappedInGetsMoreOutlineImagesRight() async throws {
        _ = try DemoBundleTests.bundle()
        let e = try Self.expectations()
        #expect(e.images.count >= 20 && e.prompts.count == 10)
        try await withService(["limits.max_labels": "10", "gallery.seed": "false"], environment: ["ADAPTCLIP_ADMIN_TOKEN": Self.token],
                              embeddedDefault: true) { service in
            let auth = ["Authorization": "Bearer \(Self.token)"]
            let frozen = try await predictions(service, e)
            // Swift and PyTorch may split a near-tie differently: at most one image in 20 apart.
            let slack = e.images.count / 20
            #expect(Self.differences(frozen, e.pytorch.frozenPredictions) <= slack, "frozen: \(frozen)")

            let loaded = try await service.post("/admin/adapters", json: [
                "path": Self.fixture.appendingPathComponent("adapter").path, "activate": true,
            ], headers: auth)
            #expect(loaded.status == 201, "\(loaded.text)")
            #expect(loaded.json["kind"] as? String == "domain" && loaded.json["side"] as? String == "vision")
            let adapted = try await predictions(service, e)
            #expect(Self.differences(adapted, e.pytorch.adaptedPredictions) <= slack, "adapted: \(adapted)")
            #expect(Self.correct(adapted, e) > Self.correct(frozen, e),
                    "right with the adapter \(Self.correct(adapted, e)), frozen \(Self.correct(frozen, e)) of \(e.images.count)")

            let name = try #require(loaded.json["name"] as? String)
            #expect(try await service.request("POST", "/admin/adapters/\(name)/deactivate", headers: auth).status == 200)
            #expect(try await predictions(service, e) == frozen)
        }
    }
}
