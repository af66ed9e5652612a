import Foundation
import TestSupport
import Testing
@testable import Service

/// `adaptclip index add --server URL PATH…` (the built binary) against a live service: uploads in
/// chunks to /v1/images:batch, or starts an admin job with --on-server.
@Suite(.serialized) struct IndexAddServerTests {
    private func addThroughServer(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        try runAdaptCLIP(["index", "add"] + arguments, environment: environment)
    }

    private func folder() throws -> URL {
        let photos = try TemporaryDirectory.make()
        for n in 0..<7 {
            let name = n % 2 == 0 ? "相册/照片 \(n) #.png" : "img \(n)%.png"
            let file = photos.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try makePNG(width: 10 + n, height: 8, seed: UInt8(n + 1)).write(to: file)
        }
        try Data("no image".utf8).write(to: photos.appendingPathComponent("readme.txt"))
        return photos
    }

    @Test func uploadsAFolderInChunks() async throws {
        let photos = try folder()
        defer { TemporaryDirectory.remove(photos) }
        try await withService(["gallery.seed": "false"]) { service in
            let run = try addThroughServer(["--server", service.base, "--chunk-files", "3", photos.path])
            #expect(run.status == 0, "\(run.stderr)")
            let summary = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any] ?? [:]
            #expect(summary["stored"] as? Int == 7 && summary["skipped"] as? Int == 1 && summary["files"] as? Int == 8, "\(run.stdout)")
            #expect(run.stderr.contains("ingest: 8/8 files, 7 stored"), "\(run.stderr)")
            let page = try await service.request("GET", "/v1/images?limit=20").json["items"] as? [[String: Any]] ?? []
            #expect(Set(page.compactMap { $0["uri"] as? String }).contains("相册/照片 0 #.png"))
            // A rerun stores nothing twice.
            let again = try addThroughServer(["--server", service.base, photos.path])
            #expect((try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])?["duplicates"] as? Int == 7)
        }
    }

    /// The server refuses a chunk whose images announce more than ingest.batch_max_pixels: the
    /// client sends its halves instead, and a file over the budget on its own fails alone.
    @Test func aChunkPastTheServersPixelBudgetIsSplit() async throws {
        let photos = try folder()  // 7 images of 80 to 128 pixels, 728 together
        defer { TemporaryDirectory.remove(photos) }
        try makePNG(width: 30, height: 10, seed: 99).write(to: photos.appendingPathComponent("wide.png"))
        try await withService(["gallery.seed": "false", "ingest.batch_max_pixels": "250"]) { service in
            let run = try addThroughServer(["--server", service.base, "--chunk-files", "8", photos.path])
            #expect(run.status == 1, "\(run.stderr)")
            let summary = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any] ?? [:]
            #expect(summary["stored"] as? Int == 7 && summary["failed"] as? Int == 1 && summary["skipped"] as? Int == 1, "\(run.stdout)")
            let problems = summary["problems"] as? [[String: Any]] ?? []
            let wide = problems.first { $0["path"] as? String == "wide.png" }?["reason"] as? String ?? ""
            #expect(wide.contains("ingest.batch_max_pixels"), "\(problems)")
            #expect((try await service.request("GET", "/v1/images?limit=20").json["items"] as? [[String: Any]])?.count == 7)
        }
    }

    @Test func onServerStartsAnAdminJobAndFollowsIt() async throws {
        let photos = try folder()
        defer { TemporaryDirectory.remove(photos) }
        let token = "cli-token"
        try await withService(["ingest.allowed_roots": "[\"\(photos.path)\"]", "gallery.seed": "false"],
                              environment: ["ADAPTCLIP_ADMIN_TOKEN": token]) { service in
            let run = try addThroughServer(["--server", service.base, "--on-server", photos.path], environment: ["ADAPTCLIP_ADMIN_TOKEN": token])
            #expect(run.status == 0, "\(run.stderr)")
            let summary = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any] ?? [:]
            #expect(summary["stored"] as? Int == 7 && summary["skipped"] as? Int == 1, "\(run.stdout)")
            let refused = try addThroughServer(["--server", service.base, "--on-server", "/etc"], environment: ["ADAPTCLIP_ADMIN_TOKEN": token])
            #expect(refused.status != 0 && refused.stderr.contains("403"), "\(refused.stderr)")
        }
    }
}
