import Foundation
import Testing
@testable import Retrieval

@Suite struct IngestorTests {
    @Test func ingestsFoldersSkipsBadFilesAndResumes() async throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let images = dir.appendingPathComponent("images/nested", isDirectory: true)
        try FileManager.default.createDirectory(at: images, withIntermediateDirectories: true)
        for i in 0..<9 { try makePNG(width: 4 + i, height: 3, seed: UInt8(i + 1)).write(to: images.appendingPathComponent("img\(i).png")) }
        try makePNG(width: 4, height: 3, seed: 1).write(to: images.appendingPathComponent("copy-of-img0.png"))
        try Data("not an image".utf8).write(to: images.appendingPathComponent("notes.jpg"))
        var damaged = makePNG(width: 5, height: 5, seed: 77)
        damaged[damaged.count - 20] ^= 0xFF  // breaks IDAT's CRC: sniffs as PNG, fails to "decode"
        try damaged.write(to: images.appendingPathComponent("damaged.png"))
        try FileManager.default.createSymbolicLink(atPath: images.appendingPathComponent("dangling.png").path,
                                                   withDestinationPath: dir.appendingPathComponent("nowhere.png").path)
        let sidecar = dir.appendingPathComponent("sidecar.jsonl")
        try """
            {"path": "images/nested/img2.png", "caption": "a red square", "metadata": {"source": "camera", "rating": 5}}
            {"path": "\(images.appendingPathComponent("img3.png").path)", "caption": "absolute path"}
            """.write(to: sidecar, atomically: true, encoding: .utf8)

        let space = try EmbeddingSpace(modelID: "test-clip", dimension: 16)
        let store = try ImageStore(directory: dir.appendingPathComponent("data"), space: space)
        let log = dir.appendingPathComponent("progress.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let progress = IngestProgress(output: try FileHandle(forWritingTo: log), interval: 0)
        let ingestor = try Ingestor(store: store, embedder: PNGHistogramEmbedder(space: space),
                                    options: .init(batchSize: 4, sidecar: try Sidecar(url: sidecar)), progress: progress)
        let first = try await ingestor.run(paths: [dir.appendingPathComponent("images").path, dir.appendingPathComponent("missing").path])
        #expect(first.files == 13)
        #expect(first.stored == 9)
        #expect(first.duplicates == 1)
        #expect(first.notImages == 1)
        #expect(first.unreadable == 2)  // the dangling symlink and the missing path
        #expect(first.embeddingFailed == 1)
        #expect(first.problems.contains { $0.path.hasSuffix("damaged.png") && $0.reason.contains("CRC") })
        #expect(try store.itemCount() == 9)
        let progressLines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        #expect(progressLines.last?.hasPrefix("ingest: 13/13 files, 9 stored") == true, "\(progressLines.last ?? "")")

        let probe = try await PNGHistogramEmbedder(space: space).embed(images: [makePNG(width: 6, height: 3, seed: 3)])[0]
        let hit = try store.search(probe, k: 1).first
        #expect(hit?.item.caption == "a red square")
        #expect(hit?.item.metadata == ["source": .string("camera"), "rating": .integer(5)])
        #expect(hit?.item.width == 6 && hit?.item.height == 3)
        #expect(try store.search(probe, k: 9, filter: ["source": .string("camera")]).count == 1)

        // A rerun finds everything already stored.
        let second = try await ingestor.run(paths: [dir.appendingPathComponent("images").path])
        #expect(second.stored == 0)
        #expect(second.duplicates == 10)
        try store.close()
    }

    @Test func refusesAnEmbedderOfAnotherSpaceAndAMalformedSidecar() throws {
        let dir = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try ImageStore(directory: dir, space: try EmbeddingSpace(modelID: "a", dimension: 8))
        let other = PNGHistogramEmbedder(space: try EmbeddingSpace(modelID: "b", dimension: 8))
        #expect(throws: StoreError.self) { try Ingestor(store: store, embedder: other) }
        let sidecar = dir.appendingPathComponent("bad.jsonl")
        try "{\"path\": \"x.png\"}\n{\"caption\": \"no path\"}\n".write(to: sidecar, atomically: true, encoding: .utf8)
        let error = #expect(throws: StoreError.self) { try Sidecar(url: sidecar) }
        #expect(error?.description.contains("bad.jsonl:2") == true, "\(String(describing: error))")
        try store.close()
    }
}
