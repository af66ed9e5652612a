import Digests
import Foundation
import Synchronization

/// Keeps one store's vector index consistent with SQLite, the source of truth:
/// - recovery at open: load the index file and replay what it lacks, or rebuild it from SQLite
///   when it is missing, stale, corrupt or inconsistent;
/// - catch-up after each write: deletions first, then new items, after the applied positions
///   (the same replay as at open, so there is one path for "bring the index up to date");
/// - the maintenance policy: promotion to the approximate factory, tombstone compaction and
///   periodic checkpoints, none of which may turn a committed write into an error;
/// - rebuilds (trained on an evenly spaced sample for IVF/PQ).
///
/// Everything that changes the index runs with the store's write mutex held; `snapshot` and
/// `state` may be read from any thread.
final class IndexMaintainer: @unchecked Sendable {
    /// Stored embeddings are read in pages of this many rows: a replay, rebuild or training
    /// sample holds one page of vectors at a time, whatever the collection's size.
    static let embeddingPageRows = 4_096

    let space: EmbeddingSpace
    let spaceID: Int64
    let settings: IndexSettings
    let fileURL: URL
    /// A read-only store's index is loaded and replayed in memory, never written.
    let readOnly: Bool
    private let writer: SQLiteConnection

    /// Guards the fields below, which searches read.
    private let stateMutex = Mutex(())
    private var index: VectorIndex
    private var tombstones: Set<Int64> = []
    private var appliedItemID: Int64 = 0
    private var appliedDeletionSeq: Int64 = 0
    /// Why the last automatic rebuild or checkpoint failed (the store keeps serving).
    private var maintenanceFailure: String?

    /// Changes applied since the index file was last written.
    private(set) var changesSinceCheckpoint = 0
    /// An automatic rebuild failed: not retried on every write (a manual rebuild resets it).
    private var automaticRebuildFailed = false

    init(space: EmbeddingSpace, spaceID: Int64, settings: IndexSettings, fileURL: URL, writer: SQLiteConnection, readOnly: Bool) throws {
        self.space = space
        self.spaceID = spaceID
        self.settings = settings
        self.fileURL = fileURL
        self.writer = writer
        self.readOnly = readOnly
        // A typo in the configured factory string should fail now, not at the first promotion.
        _ = try VectorIndex(factory: settings.approximateFactory, dimension: space.dimension)
        index = try VectorIndex(factory: "Flat", dimension: space.dimension)
    }

    /// The index and its tombstones as of now, for one search.
    var snapshot: (index: VectorIndex, tombstones: Set<Int64>) {
        stateMutex.withLock { _ in (index, tombstones) }
    }

    var state: ImageStore.IndexState {
        stateMutex.withLock { _ in
            ImageStore.IndexState(
                factory: index.factory, vectors: index.count, tombstones: tombstones.count,
                appliedItemID: appliedItemID, appliedDeletionSeq: appliedDeletionSeq,
                maintenanceFailure: maintenanceFailure)
        }
    }

    // MARK: recovery

    /// A writer killed while writing its index file leaves `.index-spaceN.acidx.tmp-<pid>`
    /// behind; holding the space's lock, this process is the only one that could be writing it.
    func removeAbandonedTemporaryFiles() {
        let directory = fileURL.deletingLastPathComponent()
        let prefix = ".\(fileURL.lastPathComponent).tmp-"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names where name.hasPrefix(prefix) {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }

    /// Loads the index file and replays what it lacks, or rebuilds the index from SQLite.
    func open() throws -> IndexRecovery {
        let loaded: (IndexCheckpoint, Data)
        do {
            loaded = try IndexFile.read(fileURL)
        } catch {
            try rebuild()
            return .rebuilt(reason: error.description)
        }
        let (checkpoint, payload) = loaded
        if let stale = try staleness(of: checkpoint) {
            try rebuild()
            return .rebuilt(reason: stale)
        }
        let restored: VectorIndex
        do {
            restored = try VectorIndex(serialized: payload, factory: checkpoint.factory)
        } catch {
            try rebuild()
            return .rebuilt(reason: "FAISS could not read the index: \(error)")
        }
        guard restored.count == checkpoint.vectorCount, restored.dimension == space.dimension else {
            try rebuild()
            return .rebuilt(reason: "the index holds \(restored.count) vectors of dimension \(restored.dimension), its header says \(checkpoint.vectorCount) of \(checkpoint.dimension)")
        }
        try tune(restored)
        stateMutex.withLock { _ in
            index = restored
            tombstones = Set(checkpoint.tombstones)
            appliedItemID = checkpoint.appliedItemID
            appliedDeletionSeq = checkpoint.appliedDeletionSeq
        }
        let (items, deletions) = try catchUp()
        let expected = try ItemRecords.count(writer, spaceID: spaceID)
        let now = state
        guard now.vectors == expected + now.tombstones else {
            try rebuild()
            return .rebuilt(reason: "after replay the index holds \(now.vectors) vectors (\(now.tombstones) tombstones) for \(expected) rows")
        }
        return .loaded(replayedItems: items, replayedDeletions: deletions)
    }

    /// Why a checkpoint cannot describe this database, or nil when it can.
    private func staleness(of checkpoint: IndexCheckpoint) throws -> String? {
        if checkpoint.space != space.key { return "the index is for space \(checkpoint.space), not \(space.key)" }
        if checkpoint.dimension != space.dimension { return "the index has dimension \(checkpoint.dimension)" }
        let maxID = try ItemRecords.maxAssignedItemID(writer)
        if checkpoint.appliedItemID > maxID { return "the index covers item \(checkpoint.appliedItemID) but the database has assigned only up to \(maxID)" }
        let maxSeq = try ItemRecords.maxDeletionSeq(writer)
        if checkpoint.appliedDeletionSeq > maxSeq { return "the index covers deletion \(checkpoint.appliedDeletionSeq) but the database has only \(maxSeq)" }
        return nil
    }

    // MARK: catch-up and policy

    /// Applies deletions and then new items after the applied positions; returns their counts.
    @discardableResult
    func catchUp() throws -> (items: Int, deletions: Int) {
        let (index, fromItem, fromSeq) = stateMutex.withLock { _ in (self.index, appliedItemID, appliedDeletionSeq) }
        let deletions = try ItemRecords.deletions(writer, spaceID: spaceID, afterSeq: fromSeq)
        // Only ids ≤ the applied item were ever added; later ones were deleted before reaching the index.
        let indexed = deletions.map(\.itemID).filter { $0 <= fromItem }
        var newTombstones: [Int64] = []
        if !indexed.isEmpty {
            if index.supportsRemoval { try index.remove(ids: indexed) } else { newTombstones = indexed }
        }
        stateMutex.withLock { _ in
            tombstones.formUnion(newTombstones)
            if let last = deletions.last { appliedDeletionSeq = last.seq }
        }
        var added = 0
        try forEachEmbeddingPage(after: fromItem) { page in
            try index.add(page.map(\.1), ids: page.map(\.0))
            added += page.count
            let last = page[page.count - 1].0
            stateMutex.withLock { _ in appliedItemID = last }
        }
        changesSinceCheckpoint += added + deletions.count
        return (added, deletions.count)
    }

    /// After a write: rebuilds when the index outgrew Flat or holds too many tombstones, else
    /// writes a checkpoint when enough changes accumulated.
    func maintain() {
        let now = state
        let promote = now.factory == "Flat" && settings.approximateFactory != "Flat" && now.vectors > settings.flatLimit
        let compact = now.tombstones > 0 && Double(now.tombstones) > settings.maxTombstoneFraction * Double(max(now.vectors, 1))
        // The rows are committed whatever happens here, and the index file is only a cache: a
        // failed rebuild (e.g. IVF training with too few vectors) or checkpoint (disk full) is
        // reported in `state` and must not turn the write that triggered it into an error.
        if (promote || compact) && !automaticRebuildFailed {
            do {
                try rebuild()
                return
            } catch {
                automaticRebuildFailed = true
                stateMutex.withLock { _ in maintenanceFailure = "automatic rebuild failed: \(error)" }
            }
        }
        if changesSinceCheckpoint >= settings.checkpointEveryRows {
            do {
                try writeCheckpoint(reason: "checkpoint")
            } catch {
                stateMutex.withLock { _ in maintenanceFailure = "checkpoint failed: \(error)" }
            }
        }
    }

    // MARK: rebuild and checkpoint

    /// Builds a fresh index from the stored embeddings and writes it.
    func rebuild() throws {
        let count = try ItemRecords.count(writer, spaceID: spaceID)
        let factory = settings.factory(forCount: count)
        let fresh = try VectorIndex(factory: factory, dimension: space.dimension)
        // Positions are read before the vectors so nothing committed later is marked as applied.
        let maxSeq = try ItemRecords.maxDeletionSeq(writer)
        if try !fresh.isTrained() {
            try fresh.train(try trainingSample(count: count))
        }
        let lastItemID = try forEachEmbeddingPage(after: 0) { page in
            try fresh.add(page.map(\.1), ids: page.map(\.0))
        }
        try tune(fresh)
        automaticRebuildFailed = false
        stateMutex.withLock { _ in
            index = fresh
            maintenanceFailure = nil
            tombstones = []
            appliedItemID = lastItemID
            appliedDeletionSeq = maxSeq
        }
        try writeCheckpoint(reason: "rebuild")
    }

    /// An evenly spaced sample of stored embeddings for training IVF/PQ.
    private func trainingSample(count: Int) throws -> [[Float]] {
        let stride = max(1, (count + settings.maxTrainingVectors - 1) / settings.maxTrainingVectors)
        var sample: [[Float]] = []
        var position = 0
        try forEachEmbeddingPage(after: 0) { page in
            for (_, vector) in page {
                if position % stride == 0 { sample.append(vector) }
                position += 1
            }
        }
        guard !sample.isEmpty else { throw StoreError.invalidArgument("cannot train \(settings.approximateFactory) without stored vectors") }
        return sample
    }

    /// Calls `body` with each page of this space's stored embeddings after item `afterID`, in id
    /// order; returns the last id read (`afterID` when there was none).
    @discardableResult
    private func forEachEmbeddingPage(after afterID: Int64, _ body: ([(Int64, [Float])]) throws -> Void) throws -> Int64 {
        var cursor = afterID
        while true {
            let page = try ItemRecords.embeddings(
                writer, spaceID: spaceID, afterID: cursor, limit: Self.embeddingPageRows, dimension: space.dimension)
            guard let last = page.last else { return cursor }
            try body(page)
            cursor = last.0
        }
    }

    private func tune(_ index: VectorIndex) throws {
        let factory = index.factory
        if factory.hasPrefix("HNSW") { try index.setEfSearch(settings.efSearch) }
        if factory.hasPrefix("IVF") { try index.setNProbe(settings.nprobe) }
    }

    /// Writes the index file and records the checkpoint in SQLite (nothing for a read-only store).
    func writeCheckpoint(reason: String) throws {
        guard !readOnly else { return }
        let (index, tombstones, itemID, seq) = stateMutex.withLock { _ in (self.index, self.tombstones, appliedItemID, appliedDeletionSeq) }
        let payload = try index.serialized()
        let checkpoint = IndexCheckpoint(
            space: space.key, factory: index.factory, dimension: space.dimension, vectorCount: index.count,
            appliedItemID: itemID, appliedDeletionSeq: seq, tombstones: tombstones.sorted(),
            payloadSHA256: SHA256.hex(payload), payloadBytes: payload.count)
        try IndexFile.write(checkpoint, payload: payload, to: fileURL)
        try ItemRecords.recordCheckpoint(writer, spaceID: spaceID, checkpoint, fileName: fileURL.lastPathComponent,
                                         fileBytes: payload.count, reason: reason)
        changesSinceCheckpoint = 0
    }
}

extension ImageStore {
    /// Live state of the index, for `index stats` and tests.
    public struct IndexState: Sendable, Equatable {
        public let factory: String
        public let vectors: Int
        public let tombstones: Int
        public let appliedItemID: Int64
        public let appliedDeletionSeq: Int64
        /// Set when an automatic rebuild (promotion to the approximate type, tombstone
        /// compaction) failed; the current index keeps serving. Cleared by a successful rebuild.
        public let maintenanceFailure: String?
    }
}
