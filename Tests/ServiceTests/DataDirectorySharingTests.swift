import Foundation
import TestSupport
import Testing
@testable import Service

/// `adaptclip serve` and the `index add` / `search` commands open one data directory the same
/// way: what the server stores the command finds, and the other way round (the real server, the
/// built binary, one SQLite + FAISS store in a temporary directory).
@Suite struct DataDirectorySharingTests {
    private static let model = LiveService.fixtures.appendingPathComponent("engine/tiny-clip").path

    /// Runs the built `adaptclip` with `arguments`; returns its status, stdout and stderr.
    private static func adaptclip(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("adaptclip")
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "run `swift build` first")
        let stderrFile = try TemporaryDirectory.make().appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        defer { TemporaryDirectory.remove(stderrFile.deletingLastPathComponent()) }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments + ["--model", model, "--log-level", "warning"]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errors = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), errors)
    }

    private static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    @Test func anImageUploadedToTheServerIsFoundByTheSearchCommand() async throws {
        let data = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(data) }
        let service = try await LiveService.start(["data_dir": data.path])
        let upload = try await service.post("/v1/images", json: ["image": try LiveService.dataURI("png_rgb_256x192.png"), "caption": "circles"])
        #expect(upload.status == 201, "\(upload.text)")
        let id = try #require(upload.json["id"] as? Int)
        let uri = try #require(upload.json["uri"] as? String)
        await service.running.server.shutdown(gracePeriod: .seconds(2))
        try service.running.context.collection?.close()

        let search = try Self.adaptclip(["search", "--data-dir", data.path, "--text", "a photo", "--k", "1"])
        #expect(search.status == 0, "\(search.stderr)")
        let hit = try #require((Self.json(search.stdout)["hits"] as? [[String: Any]])?.first, "\(search.stdout)")
        let item = hit["item"] as? [String: Any]
        #expect(item?["id"] as? Int == id)
        #expect(item?["uri"] as? String == uri)
        #expect(item?["caption"] as? String == "circles")
    }

    @Test func anImageAddedByTheIndexCommandIsSearchedAndServedByTheServer() async throws {
        let data = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(data) }
        let file = LiveService.fixtures.appendingPathComponent("images/jpeg_grey_160x120.jpg")
        let add = try Self.adaptclip(["index", "add", "--data-dir", data.path, file.path])
        #expect(add.status == 0, "\(add.stderr)")
        #expect(Self.json(add.stdout)["stored"] as? Int == 1, "\(add.stdout)")

        try await withService(["data_dir": data.path]) { service in
            let search = try await service.post("/v1/search", json: ["query": "a photo", "k": 1])
            #expect(search.status == 200, "\(search.text)")
            let hit = try #require((search.json["hits"] as? [[String: Any]])?.first, "\(search.text)")
            // The path relative to what was given (a file: its name), never the server's path.
            #expect(hit["uri"] as? String == "jpeg_grey_160x120.jpg")
            let id = try #require(hit["id"] as? Int)
            let read = try await service.request("GET", "/v1/images/\(id)")
            #expect(read.json["width"] as? Int == 160 && read.json["height"] as? Int == 120)
            let content = try await service.request("GET", "/v1/images/\(id)/content")
            #expect(content.status == 200)
            #expect(content.headers["content-type"] == "image/jpeg")
            #expect(content.body == (try Data(contentsOf: file)))
        }
    }
}
