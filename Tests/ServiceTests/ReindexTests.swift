import Foundation
import TestSupport
import Testing
@testable import Service

@Suite(.serialized) struct ReindexTests {
    static let token = "reindex-token"
    static let auth = ["Authorization": "Bearer \(token)"]

    /// A copy of the fixture CLIP with one weight changed in its last bit: other weights, so
    /// another model id and another embedding space (a copy alone would be the same model).
    private func otherModel() throws -> URL {
        let copy = try TemporaryDirectory.make().appendingPathComponent("tiny-clip-b")
        try FileManager.default.copyItem(at: LiveService.fixtures.appendingPathComponent("engine/tiny-clip"), to: copy)
        try ModelCopies.perturbFirstWeight(in: copy)
        return copy
    }

    @Test func aModelChangeKeepsTheOldIndexUntilReindexSwitchesToTheNewSpace() async throws {
        let data = try TemporaryDirectory.make()
        let other = try otherModel()
        defer { TemporaryDirectory.remove(data); TemporaryDirectory.remove(other.deletingLastPathComponent()) }

        let first = try await LiveService.start(["data_dir": data.path])
        for file in ["png_rgb_256x192.png", "jpeg_q95_640x480.jpg", "webp_lossy_320x240.webp", "png_rgba_200x150.png"] {
            let reply = try await first.post("/v1/images", json: ["image": try LiveService.dataURI(file), "caption": file])
            #expect(reply.status == 201)
        }
        await first.running.server.shutdown(gracePeriod: .seconds(2))
        try first.running.context.collection?.close()

        let second = try await LiveService.start(
            ["data_dir": data.path, "models.clip": other.path], environment: ["ADAPTCLIP_ADMIN_TOKEN": Self.token])
        do {
            // Old index, new model: searching and adding are refused with an explanation.
            expectProblem(try await second.post("/v1/search", json: ["query": "a photo"]), status: 409, field: nil)
            expectProblem(try await second.post("/v1/images", json: ["image": try LiveService.dataURI("png_pad_30x20.png")]), status: 409, field: nil)
            // The old rows still read, and one deleted now must not come back after the switch.
            let page = try await second.request("GET", "/v1/images?limit=10")
            let ids = (page.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
            try #require(ids.count == 4)
            #expect(try await second.request("DELETE", "/v1/images/\(ids[0])").status == 204)

            #expect(try await second.request("POST", "/admin/reindex").status == 401)
            let started = try await second.request("POST", "/admin/reindex", headers: Self.auth)
            #expect(started.status == 202, "\(started.text)")
            var status: [String: Any] = [:]
            try await waitUntil("the reindex ended", pollingEvery: .milliseconds(25)) {
                status = try await second.request("GET", "/admin/reindex", headers: Self.auth).json
                return status["state"] as? String != "running"
            }
            #expect(status["state"] as? String == "completed", "\(status)")
            #expect(status["done"] as? Int == 3)
            #expect(status["to"] as? String == "\(second.running.context.engine.modelName)/32")

            let search = try await second.post("/v1/search", json: ["query": "a photo", "k": 10])
            #expect(search.status == 200, "\(search.text)")
            let captions = Set((search.json["hits"] as? [[String: Any]] ?? []).compactMap { $0["caption"] as? String })
            #expect(captions == ["jpeg_q95_640x480.jpg", "webp_lossy_320x240.webp", "png_rgba_200x150.png"])
            // Now in step: a second call has nothing to do, and uploads work again.
            let again = try await second.request("POST", "/admin/reindex", headers: Self.auth)
            #expect(again.json["state"] as? String == "up-to-date")
            #expect(try await second.post("/v1/images", json: ["image": try LiveService.dataURI("png_pad_30x20.png")]).status == 201)
        } catch {
            await second.stop()
            throw error
        }
        await second.running.server.shutdown(gracePeriod: .seconds(2))
        try second.running.context.collection?.close()
    }
}
