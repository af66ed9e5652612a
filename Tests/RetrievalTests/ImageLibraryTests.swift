import Digests
import Foundation
import TestSupport
import Testing
@testable import Retrieval

/// The data directory's rules, as `serve` (a writable `ImageLibrary`) and `search` (a read-only
/// one) both apply them over a real SQLite + FAISS store.
@Suite struct ImageLibraryTests {
    private let space = try! EmbeddingSpace(modelID: "test-clip", dimension: 16)

    @Test func anUploadIsStoredUnderItsHashAndFoundByAReadOnlyOpening() async throws {
        let root = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(root) }
        let directory = DataDirectory(root: root)
        let server = try ImageLibrary(directory: directory, current: space)
        let png = makePNG(width: 7, height: 3, seed: 5)
        let sha256 = SHA256.hex(png)
        let added = try await server.add(png, caption: "seven by three", metadata: ["tag": .string("a")],
                                         embedder: PNGHistogramEmbedder(space: space))
        #expect(added.created)
        #expect(added.item.uri == "images/\(sha256.prefix(2))/\(sha256).png")
        #expect(added.item.width == 7 && added.item.height == 3)
        #expect(FileManager.default.contents(atPath: root.appendingPathComponent(added.item.uri).path) == png)
        let again = try await server.add(png, caption: nil, metadata: [:], embedder: PNGHistogramEmbedder(space: space))
        #expect(!again.created && again.item.id == added.item.id)

        // Beside the writer, as `adaptclip search` opens it: same space, same row, same bytes.
        let reader = try ImageLibrary(directory: directory, current: space, readOnly: true)
        let query = try #require(try await PNGHistogramEmbedder(space: space).embed(images: [png]).first)
        let hits = try reader.servingStore(for: space).search(query, k: 1, filter: [:])
        #expect(hits.map(\.item) == [added.item])
        let content = try #require(try reader.content(of: added.item))
        #expect(content.data == png && content.mediaType == "image/png")
        #expect(throws: StoreError.self) { _ = try reader.store.delete(ids: [added.item.id]) }

        #expect(try server.delete(added.item))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent(added.item.uri).path))
        try reader.close()
        try server.close()
    }

    @Test func afterAModelChangeBothOpeningsServeTheOldSpaceAndRefuseTheNewOne() async throws {
        let root = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(root) }
        let directory = DataDirectory(root: root)
        let old = try ImageLibrary(directory: directory, current: space)
        _ = try await old.add(makePNG(width: 4, height: 4, seed: 9), caption: nil, metadata: [:], embedder: PNGHistogramEmbedder(space: space))
        try old.close()

        let changed = try EmbeddingSpace(modelID: "test-clip", imageAdapterID: "domain:x@1", dimension: 16)
        #expect(try directory.servingSpace(for: changed) == space)
        for readOnly in [false, true] {
            let library = try ImageLibrary(directory: directory, current: changed, readOnly: readOnly)
            #expect(library.store.space == space)
            #expect(throws: EmbeddingSpaceMismatch(served: space, requested: changed)) { _ = try library.servingStore(for: changed) }
            try library.close()
        }
        let writer = try ImageLibrary(directory: directory, current: changed)
        let refused = makePNG(width: 5, height: 5, seed: 3)
        await #expect(throws: EmbeddingSpaceMismatch.self) {
            _ = try await writer.add(refused, caption: nil, metadata: [:], embedder: PNGHistogramEmbedder(space: changed))
        }
        let uri = DataDirectory.imageURI(sha256: SHA256.hex(refused), format: .png)
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent(uri).path))

        // Once the new space holds items (a re-index filled it), it is the one served.
        let target = try directory.openStore(space: changed)
        try writer.switchServing(to: target)
        _ = try await writer.add(refused, caption: nil, metadata: [:], embedder: PNGHistogramEmbedder(space: changed))
        try writer.close()
        #expect(try directory.servingSpace(for: changed) == changed)
        #expect(try directory.servingSpace(for: space) == space)
    }

    @Test func urisResolveUnderTheRootOrAsOperatorPathsButNeverClimbOut() throws {
        let directory = DataDirectory(root: URL(fileURLWithPath: "/srv/data"))
        #expect(directory.fileURL(forURI: "images/ab/abc.png")?.path == "/srv/data/images/ab/abc.png")
        #expect(directory.fileURL(forURI: "/photos/cat.jpg")?.path == "/photos/cat.jpg")
        #expect(directory.fileURL(forURI: "file:///photos/cat.jpg")?.path == "/photos/cat.jpg")
        #expect(directory.fileURL(forURI: "images/../../etc/passwd") == nil)
        #expect(directory.fileURL(forURI: "file:///photos/../etc/passwd") == nil)
        #expect(DataDirectory.imageURI(sha256: "ab" + String(repeating: "0", count: 62), format: nil).hasSuffix(".bin"))
    }

    @Test func deletingAnOperatorsFileKeepsTheFile() async throws {
        let root = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(root) }
        let photo = root.appendingPathComponent("photo.png")
        try makePNG(width: 3, height: 3, seed: 2).write(to: photo)
        let library = try ImageLibrary(directory: DataDirectory(root: root.appendingPathComponent("data")), current: space)
        let ingestor = try Ingestor(store: try library.servingEmbeddedStore(for: space), embedder: PNGHistogramEmbedder(space: space))
        #expect(try await ingestor.run(paths: [photo.path]).stored == 1)
        let item = try #require(try library.store.items(after: 0, limit: 1).first)
        #expect(item.uri == photo.absoluteString && item.width == 3)
        #expect(try library.content(of: item)?.mediaType == "image/png")
        #expect(try library.delete(item))
        #expect(FileManager.default.fileExists(atPath: photo.path))
        try library.close()
    }
}
