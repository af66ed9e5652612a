import Foundation
import TestSupport
import Testing
@testable import Retrieval
@testable import Service

/// Models are named by declared name + weights digest: where their directory lies changes
/// nothing, and `/v1/models` lists what is served in OpenAI's shape.
@Suite(.serialized) struct ModelIdentityTests {
    /// A copy of the fixture CLIP in a fresh folder, named `name`.
    private func copyOfFixtureCLIP(named name: String) throws -> URL {
        let copy = try TemporaryDirectory.make().appendingPathComponent(name)
        try FileManager.default.copyItem(at: LiveService.fixtures.appendingPathComponent("engine/tiny-clip"), to: copy)
        return copy
    }

    private func addImages(_ service: LiveService) async throws {
        for file in ["png_rgb_256x192.png", "jpeg_q95_640x480.jpg"] {
            let reply = try await service.post("/v1/images", json: ["image": try LiveService.dataURI(file), "caption": file])
            #expect(reply.status == 201, "\(reply.text)")
        }
    }

    @Test func aRenamedModelDirectoryServesTheSameIndex() async throws {
        let data = try TemporaryDirectory.make()
        let original = try copyOfFixtureCLIP(named: "clip-as-downloaded")
        let renamed = original.deletingLastPathComponent().appendingPathComponent("moved elsewhere")
        defer { TemporaryDirectory.remove(data); TemporaryDirectory.remove(original.deletingLastPathComponent()) }

        var firstID = ""
        try await withService(["data_dir": data.path, "models.clip": original.path]) { first in
            try await addImages(first)
            firstID = first.running.context.engine.modelName
        }
        try FileManager.default.moveItem(at: original, to: renamed)
        try await withService(["data_dir": data.path, "models.clip": renamed.path]) { second in
            #expect(second.running.context.engine.modelName == firstID)
            let search = try await second.post("/v1/search", json: ["query": "a photo", "k": 5])
            #expect(search.status == 200, "\(search.text)")
            #expect((search.json["hits"] as? [[String: Any]])?.count == 2)
            #expect(try await second.post("/v1/images", json: ["image": try LiveService.dataURI("png_pad_30x20.png")]).status == 201)
        }
    }

    @Test func anIndexRecordedUnderTheDirectoryNameIsAdoptedOnce() async throws {
        let data = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(data) }
        var id = ""
        try await withService(["data_dir": data.path]) { first in
            try await addImages(first)
            id = first.running.context.engine.modelName
        }
        // As an earlier version recorded it: the space named after the directory.
        let db = try DataDirectory(root: data).openDatabase().connection
        try db.run("UPDATE spaces SET model_id = 'tiny-clip' WHERE model_id = ?", [.text(id)])
        #expect(try DataDirectory(root: data).spaces().map(\.modelID) == ["tiny-clip"])

        try await withService(["data_dir": data.path]) { second in
            #expect(try DataDirectory(root: data).spaces().map(\.modelID) == [id])
            let search = try await second.post("/v1/search", json: ["query": "a photo", "k": 5])
            #expect(search.status == 200, "\(search.text)")
            #expect((search.json["hits"] as? [[String: Any]])?.count == 2)
        }
    }

    @Test func differentWeightsUnderTheSameDirectoryNameAreAnotherModel() async throws {
        let a = try copyOfFixtureCLIP(named: "clip")
        let b = try copyOfFixtureCLIP(named: "clip")
        defer { TemporaryDirectory.remove(a.deletingLastPathComponent()); TemporaryDirectory.remove(b.deletingLastPathComponent()) }
        try ModelCopies.perturbFirstWeight(in: b)
        let data = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(data) }
        var firstID = ""
        try await withService(["data_dir": data.path, "models.clip": a.path]) { first in
            try await addImages(first)
            firstID = first.running.context.engine.modelName
        }
        try await withService(["data_dir": data.path, "models.clip": b.path]) { second in
            #expect(second.running.context.engine.modelName != firstID)
            expectProblem(try await second.post("/v1/search", json: ["query": "a photo"]), status: 409, field: nil)
        }
    }

    @Test func modelsAreListedInOpenAIsShapeAndCanBeNamed() async throws {
        try await withService(["gallery.seed": "false"], embeddedDefault: true) { service in
            let listing = try await service.request("GET", "/v1/models")
            #expect(listing.status == 200, "\(listing.text)")
            #expect(listing.json["object"] as? String == "list")
            let models = try #require(listing.json["data"] as? [[String: Any]])
            let roles = models.compactMap { $0["role"] as? String }
            #expect(roles == ["clip", "base-encoder", "language-path"])
            for model in models {
                #expect(model["object"] as? String == "model")
                #expect(model["owned_by"] as? String == "adaptclip")
                #expect((model["created"] as? Int ?? 0) > 0)
                #expect(model["id"] is String && model["dimension"] is Int && model["languages"] is [String])
            }
            let clip = models[0]
            let clipID = try #require(clip["id"] as? String)
            #expect(clipID == service.running.context.engine.modelName)
            #expect(clip["languages"] as? [String] == ["en"])
            let path = models[2]
            let pathID = try #require(path["id"] as? String)
            #expect(path["producer"] as? String == pathID)

            let one = try await service.request("GET", "/v1/models/\(clipID)")
            #expect(one.status == 200 && one.json["id"] as? String == clipID, "\(one.text)")
            expectProblem(try await service.request("GET", "/v1/models/gpt-4o"), status: 404, field: "model")

            // Naming the language path picks it for `auto` (OpenAI clients cannot send `lang`).
            let viaPath = try await service.post("/v1/embeddings", json: ["input": ["两只红色的圆形"], "model": pathID])
            #expect(viaPath.status == 200, "\(viaPath.text)")
            let item = try #require((viaPath.json["data"] as? [[String: Any]])?.first)
            #expect(item["lang"] as? String == "zh" && item["producer"] as? String == pathID)
            let viaCLIP = try await service.post("/v1/embeddings", json: ["input": ["two red circles"], "model": clipID])
            #expect(viaCLIP.status == 200 && viaCLIP.json["model"] as? String == clipID)
            expectProblem(try await service.post("/v1/embeddings", json: ["input": ["x"], "model": "gpt-4o"]), status: 404, field: "model")
        }
    }
}
