import Foundation
import Testing
@testable import Service

/// A learned prompt *trained* on the shape task (CoOp, 16 shots, training/train_prompts.py)
/// hot-swapped into the embedded default through the admin API: /v1/classify on gallery images it
/// never saw in training gets more shapes right with `prompt` than with the hand template the
/// prompt started from, agrees with PyTorch, and gives the template's answers again once the
/// prompt is deleted. Fixture: training/fixtures/make_trained_prompt_fixture.py.
@Suite(.serialized) struct TrainedPromptTests {
    static let token = "trained-prompt-token"
    static let fixture = LiveService.fixtures.appendingPathComponent("prompts/trained-shape-coop")

    struct Expectations: Decodable {
        struct Item: Decodable { let file: String; let label: Int }
        struct Reference: Decodable {
            let templatePredictions: [Int], promptPredictions: [Int], templateCorrect: Int, promptCorrect: Int
            enum CodingKeys: String, CodingKey {
                case templatePredictions = "template_predictions", promptPredictions = "prompt_predictions"
                case templateCorrect = "template_correct", promptCorrect = "prompt_correct"
            }
        }
        let task: String, prompt: String, template: String, labels: [String], images: [Item], pytorch: Reference
    }

    static func expectations() throws -> Expectations {
        try JSONDecoder().decode(Expectations.self, from: Data(contentsOf: fixture.appendingPathComponent("expectations.json")))
    }

    /// The index of the top-ranked label for each image, as /v1/classify answers now: with the
    /// learned prompt `prompt`, else with the hand template. The labels are the class names the
    /// prompt was trained with ("a circle", "an ellipse"), which the template completes.
    private func predictions(_ service: LiveService, _ e: Expectations, prompt: String? = nil) async throws -> [Int] {
        var predicted: [Int] = []
        for item in e.images {
            let reply = try await service.post("/v1/classify", json: try Self.body(item, e, prompt: prompt))
            predicted.append(try ClassifyPredictions.top(reply, among: e.labels))
        }
        return predicted
    }

    static func body(_ item: Expectations.Item, _ e: Expectations, prompt: String?) throws -> [String: Any] {
        let png = try Data(contentsOf: fixture.appendingPathComponent("images/\(item.file)"))
        var body: [String: Any] = ["image": "data:image/png;base64," + png.base64EncodedString(), "labels": e.labels]
        if let prompt { body["prompt"] = prompt } else { body["template"] = e.template }
        return body
    }

    private static func correct(_ predicted: [Int], _ e: Expectations) -> Int {
        ClassifyPredictions.correct(predicted, truth: e.images.map(\.label))
    }

    private static func differences(_ a: [Int], _ b: [Int]) -> Int { ClassifyPredictions.differences(a, b) }

    @Test func aTrainedShapePromptHotSwappedInGetsMoreShapesRightThanTheTemplate() async throws {
        _ = try DemoBundleTests.bundle()
        let e = try Self.expectations()
        try #require(e.images.count >= 40 && e.labels.count == 10)
        try await withService(["limits.max_labels": "10", "gallery.seed": "false"], environment: ["ADAPTCLIP_ADMIN_TOKEN": Self.token],
                              embeddedDefault: true) { service in
            let auth = ["Authorization": "Bearer \(Self.token)"]
            let templated = try await predictions(service, e)
            // Swift and PyTorch may split a near-tie differently: at most one image in 40 apart.
            let slack = e.images.count / 40
            #expect(Self.differences(templated, e.pytorch.templatePredictions) <= slack, "template: \(templated)")
            expectProblem(try await service.post("/v1/classify", json: try Self.body(e.images[0], e, prompt: e.prompt)),
                          status: 404, field: "prompt")

            let loaded = try await service.post("/admin/adapters", json: [
                "path": Self.fixture.appendingPathComponent("prompt").path,
            ], headers: auth)
            #expect(loaded.status == 201, "\(loaded.text)")
            #expect(loaded.json["kind"] as? String == "prompt" && loaded.json["variant"] as? String == "coop")
            #expect(loaded.json["task"] as? String == e.task)
            let prompted = try await predictions(service, e, prompt: e.prompt)
            #expect(Self.differences(prompted, e.pytorch.promptPredictions) <= slack, "prompt: \(prompted)")
            print("trained shape prompt on \(e.images.count) gallery images: template \(Self.correct(templated, e)) right "
                  + "(PyTorch \(e.pytorch.templateCorrect)), prompt \(Self.correct(prompted, e)) (PyTorch \(e.pytorch.promptCorrect)); "
                  + "Swift vs PyTorch: \(Self.differences(templated, e.pytorch.templatePredictions)) + "
                  + "\(Self.differences(prompted, e.pytorch.promptPredictions)) predictions apart")
            #expect(Self.correct(prompted, e) > Self.correct(templated, e),
                    "right with the prompt \(Self.correct(prompted, e)), template \(Self.correct(templated, e)) of \(e.images.count)")

            let deleted = try await service.request("DELETE", "/admin/adapters/prompt:\(e.prompt)", headers: auth)
            #expect(deleted.status == 204, "\(deleted.text)")
            #expect(try await predictions(service, e) == templated)
        }
    }
}
