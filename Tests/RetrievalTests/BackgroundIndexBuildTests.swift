import Dispatch
import Foundation
import TestSupport
import Testing
@testable import Retrieval

/// Rebuilds (promotion past the flat limit, tombstone compaction) run on a background thread from
/// a snapshot of SQLite; writes keep landing in the serving index meanwhile and are replayed onto
/// the new one when it is installed. The build is held between building and installing (the
/// store's test seam), so "writes during a build" happen every run, not by timing.
@Suite struct BackgroundIndexBuildTests {
    let space: EmbeddingSpace
    let settings = IndexSettings(flatLimit: 100, approximateFactory: "IVF4,Flat", nprobe: 4, maxTrainingVectors: 1_000)

    init() throws { space = try EmbeddingSpace(modelID: "build-clip", dimension: 16) }

    /// A latch the build thread waits on until the test opens it.
    final class Gate: @unchecked Sendable {
        let reached = DispatchSemaphore(value: 0)
        let open = DispatchSemaphore(value: 0)
        func hold() {
            reached.signal()
            open.wait()
        }
    }

    func expectEveryItemFindsItself(_ store: ImageStore, _ items: [NewItem], _ label: String) throws {
        for item in items {
            #expect(try store.search(item.embedding, k: 1).first?.item.uri == item.uri, "\(label): \(item.uri)")
        }
    }

    @Test func writesDuringABuildAreSearchableBeforeAndAfterTheSwap() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let store = try ImageStore(directory: dir, space: space, settings: settings)
        let gate = Gate()
        store.indexBuildWillInstall = { gate.hold() }
        let items = makeItems(400, dimension: 16, seed: 41)
        _ = try store.add(Array(items.prefix(150)))  // past flatLimit: the promotion starts
        gate.reached.wait()
        #expect(store.indexState.building)
        #expect(store.indexState.factory == "Flat")
        // Writes land while the new index waits to be installed, and are searchable at once.
        let during = Array(items[150..<250])
        for batch in stride(from: 0, to: during.count, by: 25) {
            _ = try store.add(Array(during[batch..<batch + 25]))
        }
        let deleted = try store.items(after: 0, limit: 3).map(\.id)
        #expect(try store.delete(ids: deleted) == 3)
        try expectEveryItemFindsItself(store, during, "during the build")
        gate.open.signal()
        store.waitForIndexBuild()
        let state = store.indexState
        #expect(state.factory == "IVF4,Flat")
        #expect(!state.building)
        // Exactly the rows written during the build were replayed under the write lock.
        #expect(state.lastBuildReplayedItems == during.count)
        #expect(state.tombstones == 3)  // IVF keeps deletions as tombstones
        #expect(state.vectors == 247 + state.tombstones)
        #expect(try store.indexedIDs() == Set(try store.items(after: 0, limit: 1_000).map(\.id)))
        try expectEveryItemFindsItself(store, Array(items[3..<250]), "after the swap")
        for id in deleted { #expect(try store.search(store.embedding(id: id) ?? items[0].embedding, k: 5).allSatisfy { $0.item.id != id }) }
        // Writes after the swap go to the new index.
        _ = try store.add(Array(items[250..<400]))
        try expectEveryItemFindsItself(store, Array(items[250..<400]), "after the swap, new writes")
        try store.close()

        let reopened = try ImageStore(directory: dir, space: space, settings: settings)
        guard case .loaded = reopened.recovery else { Issue.record("\(reopened.recovery)"); return }
        #expect(reopened.indexState.factory == "IVF4,Flat")
        try expectEveryItemFindsItself(reopened, Array(items[3..<400]), "after restart")
        try reopened.close()
    }

    @Test func theBuildsFileAloneRecoversEveryRowAfterACrashBeforeTheInstall() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let store = try ImageStore(directory: dir, space: space, settings: settings)
        let gate = Gate()
        store.indexBuildWillInstall = { gate.hold() }
        let items = makeItems(200, dimension: 16, seed: 42)
        _ = try store.add(Array(items.prefix(120)))
        gate.reached.wait()
        _ = try store.add(Array(items.suffix(80)))
        // As after kill -9 here: the build's file (at its snapshot) is on disk, the 80 rows only in
        // SQLite. Released, the build may catch up and write its file again before close cancels
        // it, or not: either file is a valid checkpoint, and the next open replays what it lacks.
        gate.open.signal()
        try store.close(writingCheckpoint: false)
        let reopened = try ImageStore(directory: dir, space: space, settings: settings)
        guard case .loaded(let replayed, _) = reopened.recovery else { Issue.record("\(reopened.recovery)"); return }
        #expect(replayed == 80 || replayed == 0)
        #expect(reopened.indexState.factory == "IVF4,Flat")
        try expectEveryItemFindsItself(reopened, items, "after reopening")
        try reopened.close()
    }

    @Test func deletionsPastTheTombstoneShareCompactInTheBackground() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let store = try ImageStore(directory: dir, space: space, settings: settings)
        let items = makeItems(200, dimension: 16, seed: 43)
        _ = try store.add(items)
        store.waitForIndexBuild()
        #expect(store.indexState.factory == "IVF4,Flat")
        // IVF keeps deletions as tombstones; past 10 % of the index a rebuild drops them.
        let ids = try store.items(after: 0, limit: 30).map(\.id)
        try store.delete(ids: ids)
        store.waitForIndexBuild()
        #expect(store.indexState.tombstones == 0)
        #expect(store.indexState.vectors == 170)
        try expectEveryItemFindsItself(store, Array(items[30...]), "after compaction")
        try store.close()
    }
}
