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
/// - rebuilds, in the background: a new index is built from a snapshot of SQLite through a read
///   connection while writes keep landing in (and searches keep reading) the current one; the
///   new index's file is written, then, under the write lock, what committed since the snapshot
///   is replayed onto it and it replaces the current one. Writes wait only for that replay.
///
/// Catch-up, checkpoints and the install run under the store's write lock; the build does not.
/// `snapshot` and `state` may be read from any thread.
final class IndexMaintainer: @unchecked Sendable {
    let space: EmbeddingSpace
    let spaceID: Int64
    let settings: IndexSettings
    let fileURL: URL
    /// A read-only store's index is loaded and replayed in memory, never written.
    let readOnly: Bool
    private let writer: SQLiteConnection
    private let readers: ConnectionPool
    private let writeLock: StoreWriteLock
    private let builder: IndexBuild

    /// Guards the fields below, which searches and the build thread read.
    private let stateMutex = Mutex(())
    private var index: VectorIndex
    private var tombstones: Set<Int64> = []
    private var appliedItemID: Int64 = 0
    private var appliedDeletionSeq: Int64 = 0
    /// Why the last automatic rebuild or checkpoint failed (the store keeps serving).
    private var maintenanceFailure: String?
    /// An automatic rebuild failed: not retried on every write (a manual rebuild resets it).
    private var automaticRebuildFailed = false
    /// A background build is running (at most one at a time).
    private var building = false
    /// Set by `stopBackgroundBuild`: the build abandons its work at the next page.
    private var cancelled = false
    /// Rows replayed onto the last installed build (written while it was building), with and
    /// without the write lock.
    private var lastBuildReplayedItems = 0
    /// Index files are written by the write path and by the build thread: one at a time.
    private let fileMutex = Mutex(())
    private let buildFinished = DispatchGroup()
    /// Called on the build thread after the new index is built and its file written, before it
    /// takes the write lock to install it: tests hold a build here to write during it.
    var buildWillInstall: (@Sendable () -> Void)?

    /// Changes applied since the index file was last written.
    private(set) var changesSinceCheckpoint = 0

    init(space: EmbeddingSpace, spaceID: Int64, settings: IndexSettings, fileURL: URL, writer: SQLiteConnection,
         readers: ConnectionPool, writeLock: StoreWriteLock, readOnly: Bool) throws {
        self.space = space
        self.spaceID = spaceID
        self.settings = settings
        self.fileURL = fileURL
        self.writer = writer
        self.readers = readers
        self.writeLock = writeLock
        self.readOnly = readOnly
        builder = IndexBuild(space: space, spaceID: spaceID, settings: settings)
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
                maintenanceFailure: maintenanceFailure, building: building,
                lastBuildReplayedItems: lastBuildReplayedItems)
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
    /// Runs before the store is shared, so it builds in the calling thread, through the writer.
    func open() throws -> IndexRecovery {
        let loaded: (IndexCheckpoint, Data)
        do {
            loaded = try IndexFile.read(fileURL)
        } catch {
            try rebuildNow(through: writer)
            return .rebuilt(reason: error.description)
        }
        let (checkpoint, payload) = loaded
        if let stale = try staleness(of: checkpoint) {
            try rebuildNow(through: writer)
            return .rebuilt(reason: stale)
        }
        let restored: VectorIndex
        do {
            restored = try VectorIndex(serialized: payload, factory: checkpoint.factory)
        } catch {
            try rebuildNow(through: writer)
            return .rebuilt(reason: "FAISS could not read the index: \(error)")
        }
        guard restored.count == checkpoint.vectorCount, restored.dimension == space.dimension else {
            try rebuildNow(through: writer)
            return .rebuilt(reason: "the index holds \(restored.count) vectors of dimension \(restored.dimension), its header says \(checkpoint.vectorCount) of \(checkpoint.dimension)")
        }
        try builder.tune(restored)
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
            try rebuildNow(through: writer)
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
    /// Caller holds the write lock.
    @discardableResult
    func catchUp() throws -> (items: Int, deletions: Int) {
        let (index, fromItem, fromSeq) = stateMutex.withLock { _ in (self.index, appliedItemID, appliedDeletionSeq) }
        let replayed = try replay(onto: index, afterItem: fromItem, afterSeq: fromSeq) { tombstones, seq, itemID in
            stateMutex.withLock { _ in
                self.tombstones.formUnion(tombstones)
                if let seq { appliedDeletionSeq = seq }
                if let itemID { appliedItemID = itemID }
            }
        }
        changesSinceCheckpoint += replayed.items + replayed.deletions
        return replayed
    }

    /// Replays onto `index` the deletions after `afterSeq` (removed, or reported as tombstones),
    /// then the items after `afterItem` page by page; `advance(newTombstones, deletionSeq,
    /// itemID)` records each step's progress as it is applied.
    private func replay(onto index: VectorIndex, afterItem: Int64, afterSeq: Int64, through connection: SQLiteConnection? = nil,
                        advance: ([Int64], Int64?, Int64?) -> Void) throws -> (items: Int, deletions: Int) {
        let connection = connection ?? writer
        let deletions = try ItemRecords.deletions(connection, spaceID: spaceID, afterSeq: afterSeq)
        // Only ids ≤ the applied item were ever added; later ones were deleted before reaching the index.
        let indexed = deletions.map(\.itemID).filter { $0 <= afterItem }
        var newTombstones: [Int64] = []
        if !indexed.isEmpty {
            if index.supportsRemoval { try index.remove(ids: indexed) } else { newTombstones = indexed }
        }
        advance(newTombstones, deletions.last?.seq, nil)
        var added = 0
        try builder.forEachEmbeddingPage(through: connection, after: afterItem) { page in
            try index.add(page.map(\.1), ids: page.map(\.0))
            added += page.count
            advance([], nil, page[page.count - 1].0)
        }
        return (added, deletions.count)
    }

    /// After a write (write lock held): starts a background rebuild when the index outgrew Flat
    /// or holds too many tombstones, else writes a checkpoint when enough changes accumulated.
    /// While a build runs, periodic checkpoints wait for it (its install writes the file).
    func maintain() {
        let now = state
        let promote = now.factory == "Flat" && settings.approximateFactory != "Flat" && now.vectors > settings.flatLimit
        let compact = now.tombstones > 0 && Double(now.tombstones) > settings.maxTombstoneFraction * Double(max(now.vectors, 1))
        let failed = stateMutex.withLock { _ in automaticRebuildFailed }
        // The rows are committed whatever happens here, and the index file is only a cache: a
        // failed rebuild (e.g. IVF training with too few vectors) or checkpoint (disk full) is
        // reported in `state` and must not turn the write that triggered it into an error.
        if (promote || compact) && !failed && !readOnly {
            startBackgroundBuild()
        }
        let buildRunning = stateMutex.withLock { _ in building }
        if changesSinceCheckpoint >= settings.checkpointEveryRows && !buildRunning {
            do {
                try writeCheckpoint(reason: "checkpoint")
            } catch {
                stateMutex.withLock { _ in maintenanceFailure = "checkpoint failed: \(error)" }
            }
        }
    }

    // MARK: background build

    /// Starts a build on its own thread unless one is running or the store is closing.
    private func startBackgroundBuild() {
        let start = stateMutex.withLock { _ in
            guard !building && !cancelled else { return false }
            building = true
            return true
        }
        guard start else { return }
        buildFinished.enter()
        let thread = Thread { [self] in
            defer { buildFinished.leave() }
            do {
                var built = try readers.withConnection { connection in
                    try builder.build(through: connection, isCancelled: { stateMutex.withLock { _ in cancelled } })
                }
                try writeFile(of: built)
                buildWillInstall?()
                // Rows written during the build are replayed here, without the write lock, until
                // a round finds less than one page; the file is written again at that position
                // (so no checkpoint of hundreds of thousands of replayed rows is left for the
                // write path), the rows written meanwhile replayed the same way, and only then,
                // under the write lock, the install replays the last few. Measured before: a
                // debug build left 234k rows for the lock, or a 45 s checkpoint after the swap.
                // While writes outpace the replay, the old index keeps serving.
                let isCancelled = { self.stateMutex.withLock { _ in self.cancelled } }
                try readers.withConnection { connection in
                    try catchUpUnlocked(&built, through: connection, isCancelled: isCancelled)
                    if !isCancelled() && built.replayedChanges > 0 {
                        try writeFile(of: built)
                        built.changesInFile = built.replayedChanges
                        try catchUpUnlocked(&built, through: connection, isCancelled: isCancelled)
                    }
                }
                try writeLock.withLock {
                    guard !stateMutex.withLock({ _ in cancelled }) else { throw IndexBuildCancelled() }
                    try install(built, checkpointed: true)
                }
            } catch is IndexBuildCancelled {
                // The store is closing; the next open replays or rebuilds.
            } catch {
                stateMutex.withLock { _ in
                    automaticRebuildFailed = true
                    maintenanceFailure = "automatic rebuild failed: \(error)"
                }
            }
            stateMutex.withLock { _ in building = false }
        }
        thread.name = "index build space \(spaceID)"
        thread.start()
    }

    /// Makes a running build give up and waits for its thread (call without the write lock:
    /// the build takes it to install).
    func stopBackgroundBuild() {
        stateMutex.withLock { _ in cancelled = true }
        buildFinished.wait()
    }

    /// Waits until no background build is running (tests, benchmarks; without the write lock).
    func waitForBackgroundBuild() {
        buildFinished.wait()
    }

    /// Replays what committed after `built`'s snapshot onto it and makes it the serving index.
    /// Caller holds the write lock. With `checkpointed`, the file already holds `built` as of its
    /// snapshot (written outside the lock); the replayed rows count towards the next checkpoint.
    private func install(_ built: BuiltIndex, checkpointed: Bool) throws {
        var built = built
        _ = try replay(onto: &built, through: writer)
        stateMutex.withLock { _ in
            index = built.index
            tombstones = Set(built.tombstones)
            appliedItemID = built.appliedItemID
            appliedDeletionSeq = built.appliedDeletionSeq
            maintenanceFailure = nil
            automaticRebuildFailed = false
            lastBuildReplayedItems = built.replayedItems
        }
        if checkpointed {
            changesSinceCheckpoint = built.replayedChanges - built.changesInFile
        } else {
            try writeCheckpoint(reason: "rebuild")
        }
    }

    /// Replays rounds onto a built index until one finds less than a page (or the store closes).
    private func catchUpUnlocked(_ built: inout BuiltIndex, through connection: SQLiteConnection, isCancelled: () -> Bool) throws {
        while !isCancelled() {
            if try replay(onto: &built, through: connection) < IndexBuild.embeddingPageRows { return }
        }
    }

    /// Replays onto a built index what committed after its positions; returns the changes applied.
    private func replay(onto built: inout BuiltIndex, through connection: SQLiteConnection) throws -> Int {
        var next = built
        let replayed = try replay(onto: built.index, afterItem: built.appliedItemID, afterSeq: built.appliedDeletionSeq,
                                  through: connection) { t, s, i in
            next.tombstones += t
            if let s { next.appliedDeletionSeq = s }
            if let i { next.appliedItemID = i }
        }
        next.replayedItems += replayed.items
        next.replayedChanges += replayed.items + replayed.deletions
        built = next
        return replayed.items + replayed.deletions
    }

    // MARK: rebuild and checkpoint

    /// Builds a fresh index through `connection` in the calling thread and installs it. At open,
    /// through the writer; for a manual rebuild, through a read connection, then installed under
    /// the write lock (writes wait only for the replay of what committed during the build).
    private func rebuildNow(through connection: SQLiteConnection) throws {
        let built = try builder.build(through: connection)
        try install(built, checkpointed: false)
    }

    /// A manual rebuild (the caller does not hold the write lock).
    func rebuild() throws {
        let built = try readers.withConnection { try builder.build(through: $0) }
        try writeLock.withLock { try install(built, checkpointed: false) }
    }

    /// Writes the file of a built index (as of its snapshot) from the build thread.
    private func writeFile(of built: BuiltIndex) throws {
        guard !readOnly else { return }
        let checkpoint = try writeIndexFile(index: built.index, tombstones: built.tombstones.sorted(), itemID: built.appliedItemID,
                                            seq: built.appliedDeletionSeq)
        try writeLock.withLock {
            try ItemRecords.recordCheckpoint(writer, spaceID: spaceID, checkpoint.0, fileName: fileURL.lastPathComponent,
                                             fileBytes: checkpoint.1, reason: "rebuild")
        }
    }

    /// Writes the index file and records the checkpoint in SQLite (nothing for a read-only
    /// store). Caller holds the write lock.
    func writeCheckpoint(reason: String) throws {
        guard !readOnly else { return }
        let (index, tombstones, itemID, seq) = stateMutex.withLock { _ in (self.index, self.tombstones, appliedItemID, appliedDeletionSeq) }
        let (checkpoint, bytes) = try writeIndexFile(index: index, tombstones: tombstones.sorted(), itemID: itemID, seq: seq)
        try ItemRecords.recordCheckpoint(writer, spaceID: spaceID, checkpoint, fileName: fileURL.lastPathComponent,
                                         fileBytes: bytes, reason: reason)
        changesSinceCheckpoint = 0
    }

    private func writeIndexFile(index: VectorIndex, tombstones: [Int64], itemID: Int64, seq: Int64) throws -> (IndexCheckpoint, Int) {
        let payload = try index.serialized()
        let checkpoint = IndexCheckpoint(
            space: space.key, factory: index.factory, dimension: space.dimension, vectorCount: index.count,
            appliedItemID: itemID, appliedDeletionSeq: seq, tombstones: tombstones,
            payloadSHA256: SHA256.hex(payload), payloadBytes: payload.count)
        try fileMutex.withLock { _ in try IndexFile.write(checkpoint, payload: payload, to: fileURL) }
        return (checkpoint, payload.count)
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
        /// A rebuild (promotion, compaction) is running in the background; searches and writes
        /// use the current index meanwhile.
        public let building: Bool
        /// Rows committed while the last background build ran, replayed onto it at its install.
        public let lastBuildReplayedItems: Int
    }
}
