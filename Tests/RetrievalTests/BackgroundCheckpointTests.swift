import Dispatch
import Foundation
import Synchronization
import TestSupport
import Testing
@testable import Retrieval

/// Periodic checkpoints write the index file on their own thread: the serving index is frozen,
/// new rows are searched beside it, deletions become tombstones, and all of it is folded in when
/// the file is written. The checkpoint is held between freezing and writing (the store's test
/// seam), so "writes during a checkpoint" happen every run, not by timing.
@Suite struct BackgroundCheckpointTests {
    typealias Gate = BackgroundIndexBuildTests.Gate
    let space: EmbeddingSpace
    /// Promoted to IVF (which cannot remove) past 100 rows; a checkpoint every 50 changes.
    static let ivf = IndexSettings(flatLimit: 100, approximateFactory: "IVF4,Flat", nprobe: 4, checkpointEveryRows: 50,
                                   maxTrainingVectors: 1_000)

    init() throws { space = try EmbeddingSpace(modelID: "checkpoint-clip", dimension: 16) }

    /// Runs `body` on another thread while the checkpoint is held. A write that waited for the
    /// checkpoint would never return: after a minute the test fails and releases the checkpoint.
    func whileHeld(_ gate: Gate, _ body: @escaping @Sendable () throws -> Void) {
        let finished = DispatchSemaphore(value: 0)
        let failure = LockedBox<String?>(nil)
        Thread.detachNewThread {
            do { try body() } catch { failure.set("\(error)") }
            finished.signal()
        }
        if finished.wait(timeout: .now() + 60) == .timedOut {
            Issue.record("the writes did not finish while the checkpoint was held: they waited for it")
            gate.open.signal()
            finished.wait()
            return
        }
        if let message = failure.get() { Issue.record("writes during the checkpoint failed: \(message)") }
    }

    func expectFound(_ store: ImageStore, _ items: [NewItem], _ label: String) throws {
        for item in items {
            #expect(try store.search(item.embedding, k: 1).first?.item.uri == item.uri, "\(label): \(item.uri)")
        }
    }

    func expectGone(_ store: ImageStore, _ ids: [Int64], embeddings: [[Float]], _ label: String) throws {
        for (id, embedding) in zip(ids, embeddings) {
            #expect(try store.search(embedding, k: 10).allSatisfy { $0.item.id != id }, "\(label): \(id)")
        }
    }

    /// The index file and SQLite agree, and no id is held twice.
    func expectConsistent(_ store: ImageStore) throws {
        let raw = try store.rawIndexedIDs()
        #expect(raw.count == Set(raw).count, "an id is held twice")
        #expect(try store.indexedIDs() == Set(try store.items(after: 0, limit: 10_000).map(\.id)))
    }

    @Test func writesDuringACheckpointDoNotWaitForItAndAreFoldedIn() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let store = try ImageStore(directory: dir, space: space, settings: IndexSettings(checkpointEveryRows: 50))
        let gate = Gate()
        store.indexCheckpointWillWrite = { gate.hold() }
        let items = makeItems(100, dimension: 16, seed: 61)
        let before = Array(items.prefix(60)), during = Array(items.suffix(40))
        let beforeIDs = try store.add(before).map(\.id)
        gate.reached.wait()
        #expect(store.indexState.checkpointing)
        let deletedBefore = Array(beforeIDs.prefix(3))
        let duringIDs = LockedBox<[Int64]>([])
        whileHeld(gate) {
            var ids: [Int64] = []
            for start in stride(from: 0, to: during.count, by: 10) {
                ids += try store.add(Array(during[start..<start + 10])).map(\.id)
            }
            try store.delete(ids: deletedBefore + ids.prefix(2))
            duringIDs.set(ids)
        }
        let deletedDuring = Array(duringIDs.get().prefix(2))
        // Searchable at once, beside the frozen index; the deleted ones are not.
        try expectFound(store, Array(during.dropFirst(2)), "during the checkpoint")
        try expectGone(store, deletedBefore + deletedDuring, embeddings: [before[0], before[1], before[2], during[0], during[1]].map(\.embedding),
                       "deleted during the checkpoint")
        #expect(store.indexState.vectors == 95 + store.indexState.tombstones)
        gate.open.signal()
        store.waitForIndexCheckpoint()

        let state = store.indexState
        #expect(!state.checkpointing)
        #expect(state.tombstones == 0)  // Flat removes the deferred deletions at the fold
        #expect(state.vectors == 95)
        #expect(state.maintenanceFailure == nil)
        try expectConsistent(store)
        try expectFound(store, Array(before.dropFirst(3)) + Array(during.dropFirst(2)), "after the fold")
        try store.close(writingCheckpoint: false)

        // The file holds the index as frozen: the rows and deletions after it are replayed.
        let reopened = try ImageStore(directory: dir, space: space)
        #expect(reopened.recovery == .loaded(replayedItems: 38, replayedDeletions: 5))
        try expectConsistent(reopened)
        try expectFound(reopened, Array(before.dropFirst(3)) + Array(during.dropFirst(2)), "after reopening")
        try reopened.close()
    }

    @Test func anIndexThatCannotRemoveKeepsOnlyTheTombstonesItHolds() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let store = try ImageStore(directory: dir, space: space, settings: Self.ivf)
        let items = makeItems(240, dimension: 16, seed: 62)
        _ = try store.add(Array(items.prefix(150)))
        store.waitForIndexBuild()
        store.waitForIndexCheckpoint()
        #expect(store.indexState.factory == "IVF4,Flat")
        let gate = Gate()
        store.indexCheckpointWillWrite = { gate.hold() }
        let frozenIDs = try store.add(Array(items[150..<210])).map(\.id)
        gate.reached.wait()
        let during = Array(items[210...])
        let duringIDs = LockedBox<[Int64]>([])
        whileHeld(gate) {
            let ids = try store.add(during).map(\.id)
            try store.delete(ids: Array(frozenIDs.prefix(2)) + ids.prefix(2))
            duringIDs.set(ids)
        }
        gate.open.signal()
        store.waitForIndexCheckpoint()
        // The two deleted rows the frozen IVF holds stay tombstones; the two it never held do not.
        #expect(store.indexState.tombstones == 2)
        #expect(store.indexState.vectors == 236 + 2)
        try expectConsistent(store)
        try expectFound(store, Array(items[0..<150]) + Array(items[152..<210]) + Array(during.dropFirst(2)), "after the fold")
        try expectGone(store, Array(frozenIDs.prefix(2)) + Array(duringIDs.get().prefix(2)),
                       embeddings: [items[150], items[151], during[0], during[1]].map(\.embedding), "deleted")
        try store.close()
        let reopened = try ImageStore(directory: dir, space: space, settings: Self.ivf)
        #expect(reopened.recovery == .loaded(replayedItems: 0, replayedDeletions: 0))
        try expectConsistent(reopened)
        try reopened.close()
    }

    @Test func aCompactionDueDuringACheckpointStartsWhenItEnds() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let store = try ImageStore(directory: dir, space: space, settings: Self.ivf)
        let items = makeItems(260, dimension: 16, seed: 64)
        let ids = try store.add(Array(items.prefix(200))).map(\.id)
        store.waitForIndexBuild()
        store.waitForIndexCheckpoint()
        let gate = Gate()
        store.indexCheckpointWillWrite = { gate.hold() }
        _ = try store.add(Array(items.suffix(60)))
        gate.reached.wait()
        // Past the tombstone share while the checkpoint runs: the compaction waits for it.
        whileHeld(gate) { try store.delete(ids: Array(ids.prefix(40))) }
        #expect(!store.indexState.building)
        gate.open.signal()
        store.waitForIndexCheckpoint()  // no write after this: the checkpoint itself starts the build
        store.waitForIndexBuild()
        #expect(store.indexState.tombstones == 0)
        #expect(store.indexState.vectors == 220)
        try expectConsistent(store)
        try store.close()
    }

    @Test func closeWaitsForTheCheckpointAndWritesEverything() throws {
        let dir = try TemporaryDirectory.make()
        defer { TemporaryDirectory.remove(dir) }
        let store = try ImageStore(directory: dir, space: space, settings: IndexSettings(checkpointEveryRows: 20))
        let gate = Gate()
        store.indexCheckpointWillWrite = { gate.hold() }
        let items = makeItems(50, dimension: 16, seed: 63)
        _ = try store.add(Array(items.prefix(30)))
        gate.reached.wait()
        whileHeld(gate) { _ = try store.add(Array(items.suffix(20))) }
        let closed = DispatchSemaphore(value: 0)
        let failure = LockedBox<String?>(nil)
        Thread.detachNewThread {
            do { try store.close() } catch { failure.set("\(error)") }
            closed.signal()
        }
        gate.open.signal()
        closed.wait()
        #expect(failure.get() == nil)
        let reopened = try ImageStore(directory: dir, space: space)
        #expect(reopened.recovery == .loaded(replayedItems: 0, replayedDeletions: 0))
        try expectFound(reopened, items, "after close")
        try reopened.close()
    }
}

/// A value set on one thread and read on another.
private final class LockedBox<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func set(_ value: Value) { mutex.withLock { $0 = value } }
    func get() -> Value { mutex.withLock { $0 } }
}
