import Foundation
import TestSupport
import Testing
@testable import Retrieval

/// Any file name round-trips: the uri a row records names the same file back, and what clients
/// are shown is a path relative to what was ingested, never an absolute server path.
@Suite struct UnicodePathTests {
    /// NFC "é" and NFD "e" + U+0301 are two different files on Linux.
    static let names = [
        "猫 在 沙发上.png", "100% real #1?.png", "a b%20c.png", "caf\u{E9}.png", "cafe\u{301}.png", "space at end .png",
        "emoji 🐈‍⬛.png", "日本語/子フォルダ #2/画像?.png",
    ]

    @Test func fileURIsRoundTripEveryName() throws {
        for name in Self.names {
            let path = "/srv/照片/" + name
            let uri = FileURI.uri(forPath: path)
            #expect(uri.unicodeScalars.allSatisfy { $0.isASCII }, "\(uri)")
            let back = try #require(FileURI.path(of: uri))
            #expect(Array(back.unicodeScalars) == Array(path.unicodeScalars), "\(name)")
        }
        // Rows written before by Foundation (`URL.absoluteString`) decode to their path too.
        let legacy = URL(fileURLWithPath: "/srv/photos/猫 #1.png").absoluteString
        #expect(FileURI.path(of: legacy) == "/srv/photos/猫 #1.png")
        #expect(FileURI.path(of: "file:///bad%zz") == nil)
        #expect(FileURI.path(of: "file:///bad%FF") == nil)
    }

    @Test func theDirectMIngestStoresRelativePathsAndReadsEveryFileBack() async throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let photos = dir.appendingPathComponent("photos")
        // Pairs, not a dictionary: String keys would merge the NFC and NFD names.
        var expected: [(name: String, bytes: Data)] = []
        for (offset, name) in Self.names.enumerated() {
            let file = photos.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            let bytes = makePNG(width: 3 + offset, height: 2, seed: UInt8(offset + 1))
            try bytes.write(to: file)
            expected.append((name, bytes))
        }
        let space = try EmbeddingSpace(modelID: "test-clip", dimension: 16)
        let directory = DataDirectory(root: dir.appendingPathComponent("data"))
        let library = try ImageLibrary(directory: directory, current: space)
        let ingestor = try Ingestor(store: try library.embeddedStore(), embedder: PNGHistogramEmbedder(space: space))
        let summary = try await ingestor.run(paths: [photos.path])
        #expect(summary.stored == Self.names.count, "\(summary.problems)")

        let items = try library.store.items(after: 0, limit: 100)
        #expect(items.count == Self.names.count)
        for item in items {
            let shown = item.publicPath
            #expect(!shown.hasPrefix("/") && !shown.contains(dir.path), "\(shown)")
            let want = try #require(expected.first { Array($0.name.unicodeScalars) == Array(shown.unicodeScalars) }, "\(shown)")
            #expect(try library.bytes(of: item) == want.bytes, "\(shown)")
        }
        try library.close()
    }

    @Test func rowsWithFoundationFileURIsFromBeforeStillRead() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let file = dir.appendingPathComponent("旧 photo #1.png")
        let bytes = makePNG(width: 4, height: 4, seed: 9)
        try bytes.write(to: file)
        let directory = DataDirectory(root: dir.appendingPathComponent("data"))
        let legacy = StoredItem(id: 1, uri: file.absoluteString, path: nil, sha256: String(repeating: "a", count: 64), width: nil,
                                height: nil, caption: nil, metadata: [:], createdAt: "")
        #expect(directory.imageBytes(uri: legacy.uri) == bytes)
        #expect(legacy.publicPath == "旧 photo #1.png")
        #expect(directory.fileURL(forURI: "file:///srv/../etc/passwd") == nil)
    }
}
