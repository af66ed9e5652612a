import Digests
import Foundation
import JSON
import TestSupport
import Testing
@testable import Retrieval

/// Items with unit vectors and sha256 of their uri, for store tests.
func makeItems(_ count: Int, dimension: Int, seed: UInt64, prefix: String = "img",
               metadata: (Int) -> [String: JSONValue] = { _ in [:] }) -> [NewItem] {
    var random = TestVectors(seed: seed)
    return (0..<count).map { i in
        let uri = "file:///\(prefix)/\(i).jpg"
        return NewItem(uri: uri, sha256: SHA256.hex(Data(uri.utf8)), width: 640, height: 480, caption: "\(prefix) \(i)",
                       metadata: metadata(i), embedding: random.unitVector(dimension: dimension))
    }
}

@Suite struct ImageStoreTests {
    let space: EmbeddingSpace

    init() throws { space = try EmbeddingSpace(modelID: "test-clip", imageAdapterID: "domain-a", dimension: 16) }

    @Test func storesSearchesAndSkipsDuplicates() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let store = try ImageStore(directory: dir, space: space)
        let items = makeItems(50, dimension: 16, seed: 10)
        let outcomes = try store.add(items + [items[3]])
        try #require(outcomes.count == 51)
        #expect(outcomes.prefix(50).allSatisfy { if case .stored = $0 { true } else { false } })
        #expect(outcomes[50] == .duplicate(existingID: outcomes[3].id))
        #expect(try store.add([items[7]]) == [.duplicate(existingID: outcomes[7].id)])
        #expect(try store.itemCount() == 50)
        let hits = try store.search(items[7].embedding, k: 3)
        #expect(hits.first?.item.uri == items[7].uri)
        #expect(abs((hits.first?.score ?? 0) - 1) < 1e-5)
        #expect(hits.first?.item.caption == "img 7")
        #expect(throws: StoreError.self) { try store.search([Float](repeating: 1, count: 15), k: 3) }
        #expect(throws: StoreError.self) { try store.search(items[0].embedding, k: 0) }
        try store.close()
    }

    @Test func deletesRemoveFromBothAndNeverReturnAGoneRow() throws {
        for factory in ["Flat", "HNSW16"] {
            let dir = try TemporaryDirectory.make()
            defer { TemporaryDirectory.remove(dir) }
            // flatLimit 0 forces the approximate type from the first rebuild on.
            let settings = IndexSettings(flatLimit: factory == "Flat" ? 1_000 : 0, approximateFactory: "HNSW16", maxTombstoneFraction: 0.5)
            let store = try ImageStore(directory: dir, space: space, settings: settings)
            let items = makeItems(40, dimension: 16, seed: 11)
            let ids = try store.add(items).map(\.id)
            try #require(ids.count == 40)
            try store.rebuild()
            #expect(store.indexState.factory == factory)
            #expect(try store.delete(ids: [ids[5], ids[6], 987_654]) == 2)
            #expect(try store.item(id: ids[5]) == nil)
            let hits = try store.search(items[5].embedding, k: 10)
            #expect(hits.count == 10, "\(factory)")
            #expect(!hits.contains { $0.item.id == ids[5] || $0.item.id == ids[6] }, "\(factory)")
            #expect(try store.indexedIDs() == Set(ids).subtracting([ids[5], ids[6]]), "\(factory)")
            #expect(store.indexState.tombstones == (factory == "Flat" ? 0 : 2))
            try store.close()
            // Reopen: the deletions stay applied (removed, or tombstones from the file header).
            let reopened = try ImageStore(directory: dir, space: space, settings: settings)
            #expect(reopened.recovery == .loaded(replayedItems: 0, replayedDeletions: 0), "\(reopened.recovery)")
            #expect(try reopened.indexedIDs() == Set(ids).subtracting([ids[5], ids[6]]))
            #expect(try !reopened.search(items[6].embedding, k: 38).contains { $0.item.id == ids[6] })
            try reopened.close()
        }
    }

    @Test func filteredSearchMatchesMetadataExactly() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let store = try ImageStore(directory: dir, space: space)
        let items = makeItems(60, dimension: 16, seed: 12) { i in
            ["color": .string(i % 3 == 0 ? "red" : "blue"), "year": .number(Double(2000 + i % 4)), "public": .bool(i % 2 == 0)]
        }
        let ids = try store.add(items).map(\.id)
        try #require(ids.count == 60)
        let red = try store.search(items[1].embedding, k: 100, filter: ["color": .string("red")])
        #expect(Set(red.map(\.item.id)) == Set(stride(from: 0, to: 60, by: 3).map { ids[$0] }))
        let both = try store.search(items[0].embedding, k: 100, filter: ["color": .string("red"), "year": .number(2000), "public": .bool(true)])
        // red (i % 3 == 0), year 2000 (i % 4 == 0), public (i % 2 == 0): every 12th.
        let expected: [Int64] = stride(from: 0, to: 60, by: 12).map { ids[$0] }
        #expect(Set(both.map(\.item.id)) == Set(expected))
        #expect(both.first?.item.id == ids[0])
        #expect(try store.search(items[0].embedding, k: 5, filter: ["color": .string("green")]).isEmpty)
        #expect(try store.search(items[0].embedding, k: 5, filter: ["year": .string("2000")]).isEmpty)
        #expect(throws: MetadataFilterRefusal.valueNotScalar(key: "color")) { try store.search(items[0].embedding, k: 5, filter: ["color": .array([])]) }
        try store.close()
    }

    @Test(arguments: ["deleted", "truncated", "flipped", "garbage"])
    func aDamagedIndexFileIsRebuiltAndSearchesAgree(damage: String) throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let items = makeItems(120, dimension: 16, seed: 13)
        var random = TestVectors(seed: 14)
        let queries = random.unitVectors(8, dimension: 16)
        let store = try ImageStore(directory: dir, space: space)
        _ = try store.add(items)
        let before = try queries.map { try store.search($0, k: 5) }
        let file = store.indexFileURL
        try store.close()

        var bytes = try Data(contentsOf: file)
        switch damage {
        case "deleted": try FileManager.default.removeItem(at: file)
        case "truncated": try bytes.prefix(bytes.count / 2).write(to: file)
        case "flipped": bytes[bytes.count - 100] ^= 0xFF; try bytes.write(to: file)
        default: try Data(repeating: 0x42, count: 4_096).write(to: file)
        }
        let reopened = try ImageStore(directory: dir, space: space)
        guard case .rebuilt = reopened.recovery else { Issue.record("\(damage): \(reopened.recovery)"); return }
        let after = try queries.map { try reopened.search($0, k: 5) }
        #expect(after == before, "\(damage)")
        try reopened.close()
        // The rebuilt file is valid: the next start loads it.
        let third = try ImageStore(directory: dir, space: space)
        #expect(third.recovery == .loaded(replayedItems: 0, replayedDeletions: 0))
        try third.close()
    }

    @Test func rowsAfterTheCheckpointAreReplayedAtStart() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let settings = IndexSettings(checkpointEveryRows: 1_000_000)
        let store = try ImageStore(directory: dir, space: space, settings: settings)
        let items = makeItems(30, dimension: 16, seed: 15)
        let ids = try store.add(Array(items.prefix(10))).map(\.id)
        try #require(ids.count == 10)
        try store.checkpoint()
        _ = try store.add(Array(items.suffix(20)))
        try store.delete(ids: [ids[0]])
        // As after a crash: no final checkpoint.
        let state = store.indexState
        #expect(state.vectors == 29)
        try store.close(writingCheckpoint: false)
        let reopened = try ImageStore(directory: dir, space: space, settings: settings)
        #expect(reopened.recovery == .loaded(replayedItems: 20, replayedDeletions: 1), "\(reopened.recovery)")
        #expect(try reopened.indexedIDs().count == 29)
        #expect(try reopened.search(items[25].embedding, k: 1).first?.item.uri == items[25].uri)
        try reopened.close()
    }

    @Test func aStaleIndexFromAnotherDatabaseIsRebuilt() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let store = try ImageStore(directory: dir, space: space)
        _ = try store.add(makeItems(20, dimension: 16, seed: 16))
        let file = store.indexFileURL
        try store.close()
        let saved = try Data(contentsOf: file)
        // A fresh database with fewer rows, next to the old index file.
        for name in [DataDirectory.databaseName, DataDirectory.databaseName + "-wal", DataDirectory.databaseName + "-shm"] {
            try? FileManager.default.removeItem(at: dir.appendingPathComponent(name))
        }
        let fresh = try ImageStore(directory: dir, space: space)
        _ = try fresh.add(makeItems(5, dimension: 16, seed: 17))
        try fresh.close()
        try saved.write(to: file)
        let reopened = try ImageStore(directory: dir, space: space)
        guard case .rebuilt(let reason) = reopened.recovery else { Issue.record("\(reopened.recovery)"); return }
        #expect(reason.contains("assigned only up to 5"), "\(reason)")
        #expect(try reopened.indexedIDs().count == 5)
        try reopened.close()
    }

    @Test func growsFromFlatToTheApproximateTypeBeyondTheFlatLimit() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let settings = IndexSettings(flatLimit: 100, approximateFactory: "IVF4,Flat", nprobe: 4, maxTrainingVectors: 1_000)
        let store = try ImageStore(directory: dir, space: space, settings: settings)
        let items = makeItems(300, dimension: 16, seed: 18)
        _ = try store.add(Array(items.prefix(90)))
        #expect(store.indexState.factory == "Flat")
        _ = try store.add(Array(items.suffix(210)))
        store.waitForIndexBuild()
        #expect(store.indexState.factory == "IVF4,Flat")
        #expect(store.indexState.vectors == 300)
        // nprobe = nlist: the IVF search is exhaustive, so it must find each item itself.
        for i in stride(from: 0, to: 300, by: 37) {
            #expect(try store.search(items[i].embedding, k: 1).first?.item.uri == items[i].uri)
        }
        try store.close()
        let reopened = try ImageStore(directory: dir, space: space, settings: settings)
        #expect(reopened.indexState.factory == "IVF4,Flat")
        try reopened.close()
    }

    @Test func deletingFromAnIVFIndexKeepsEveryOtherItemUnderItsOwnID() throws {
        // IndexIDMap2 over IVF compacts its id map on removal while the lists keep the old
        // internal ids: a removal would shift every later hit to its neighbour's id. The store
        // keeps IVF deletions as tombstones instead.
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let settings = IndexSettings(flatLimit: 100, approximateFactory: "IVF4,Flat", nprobe: 4, maxTrainingVectors: 1_000)
        let store = try ImageStore(directory: dir, space: space, settings: settings)
        let items = makeItems(240, dimension: 16, seed: 20)
        _ = try store.add(Array(items.prefix(200)))
        store.waitForIndexBuild()
        #expect(store.indexState.factory == "IVF4,Flat")
        let gone = try store.items(after: 0, limit: 5).map(\.id)
        try store.delete(ids: gone)
        _ = try store.add(Array(items.suffix(40)))
        #expect(store.indexState.tombstones == 5)
        for item in items.dropFirst(5) {
            #expect(try store.search(item.embedding, k: 1).first?.item.uri == item.uri)
        }
        try store.close()
    }

    @Test func aReadOnlyStoreSearchesBesideTheWriterAndRefusesWrites() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let writer = try ImageStore(directory: dir, space: space, settings: IndexSettings(checkpointEveryRows: 10))
        let items = makeItems(30, dimension: 16, seed: 19)
        _ = try writer.add(Array(items.prefix(25)))
        let reader = try ImageStore(directory: dir, space: space, readOnly: true)
        #expect(try reader.search(items[24].embedding, k: 1).first?.item.uri == items[24].uri)
        #expect(throws: StoreError.self) { try reader.add([items[29]]) }
        #expect(throws: StoreError.self) { try reader.delete(ids: [1]) }
        try reader.close()
        try writer.close()
    }

    @Test func theSameImageIsStoredOncePerSpace() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let other = try EmbeddingSpace(modelID: "other-clip", dimension: 16)
        let item = makeItems(1, dimension: 16, seed: 31)[0]
        let first = try ImageStore(directory: dir, space: space)
        let second = try ImageStore(directory: dir, space: other)
        guard case .stored(let a) = try first.add([item]).first, case .stored(let b) = try second.add([item]).first else {
            Issue.record("both spaces should store the image")
            return
        }
        #expect(a != b)
        #expect(try first.add([item]) == [.duplicate(existingID: a)])
        #expect(try first.search(item.embedding, k: 5).map(\.item.id) == [a])
        #expect(try second.search(item.embedding, k: 5).map(\.item.id) == [b])
        try first.close()
        try second.close()
    }

    @Test func aSecondWriterOnTheSameDirectoryIsRefused() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let store = try ImageStore(directory: dir, space: space)
        #expect(throws: StoreError.self) { try ImageStore(directory: dir, space: space) }
        try store.close()
        try ImageStore(directory: dir, space: space).close()
    }
}

@Suite struct IndexMaintenanceTests {
    @Test func aFailedPromotionKeepsTheFlatIndexServing() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let space = try EmbeddingSpace(modelID: "m", dimension: 8)
        // IVF64 cannot train on 20 vectors: the promotion fails, adds keep working.
        let store = try ImageStore(directory: dir, space: space, settings: IndexSettings(flatLimit: 10, approximateFactory: "IVF64,Flat"))
        let items = makeItems(20, dimension: 8, seed: 30)
        _ = try store.add(Array(items.prefix(15)))
        _ = try store.add(Array(items.suffix(5)))
        store.waitForIndexBuild()
        #expect(store.indexState.factory == "Flat")
        #expect(store.indexState.maintenanceFailure?.contains("automatic rebuild failed") == true)
        #expect(try store.search(items[17].embedding, k: 1).first?.item.uri == items[17].uri)
        try store.close()
    }

    @Test func anUnknownApproximateFactoryIsRefusedAtOpen() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let space = try EmbeddingSpace(modelID: "m", dimension: 8)
        #expect(throws: VectorIndexError.self) {
            try ImageStore(directory: dir, space: space, settings: IndexSettings(approximateFactory: "HNSW32,Nonsense"))
        }
    }
}
