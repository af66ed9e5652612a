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
///   is replayed onto it and it replaces the current one. Writes wait only for that replay;
/// - periodic checkpoints, in the background: the serving index is frozen and serialised, hashed,
///   written and fsynced on its own thread while new rows go to a small Flat index beside it
///   (`recent`) and deletions become tombstones; then, under the write lock, those rows are added
///   to the index from SQLite and `recent` is dropped. Writes wait only for that fold. (Written
///   under the lock, a million-vector checkpoint held every write for seconds.)
///
/// Builds and checkpoints never run at the same time, so the file is never written by two of
/// them with different contents. Catch-up, the fold and the install run under the store's write
/// lock; builds and checkpoint files do not. `snapshot` and `state` may be read from any thread.
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
    /// Set by `stopBackgroundWork`: the build abandons its work at the next page, and no build
    /// or checkpoint starts any more.
    private var cancelled = false
    /// A background checkpoint is serialising `index`, which no write changes meanwhile.
    private var checkpointRunning = false
    /// While `index` is frozen (and after a fold that failed, until a rebuild replaces it): the
    /// rows applied since the freeze, searched beside it.
    private var recent: VectorIndex?
    /// The applied positions when `index` was frozen: the fold adds the rows after `frozenAt`.
    private var frozenAt: Int64?
    /// Deletions applied as tombstones while frozen, even where `index` could remove them.
    private var deferredDeletions: Set<Int64> = []
    /// A fold failed: `index` and `recent` may overlap until a rebuild replaces both.
    private var needsRebuild = false
    /// Rows replayed onto the last installed build (written while it was building), with and
    /// without the write lock.
    private var lastBuildReplayedItems = 0
    /// Index files are written by the write path and by the build thread: one at a time.
    private let fileMutex = Mutex(())
    private let buildFinished = DispatchGroup()
    private let checkpointFinished = DispatchGroup()
    /// Called on the checkpoint thread after the index is frozen, before its file is written:
    /// tests hold a checkpoint here to write during it.
    var checkpointWillWrite: (@Sendable () -> Void)?
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

    /// The index, the rows beside it and the tombstones as of now, for one search.
    var snapshot: ServingIndex {
        stateMutex.withLock { _ in ServingIndex(index: index, recent: recent, tombstones: tombstones) }
    }

    var state: ImageStore.IndexState {
        stateMutex.withLock { _ in
            ImageStore.IndexState(
                factory: index.factory, vectors: index.count + (recent?.count ?? 0), tombstones: tombstones.count,
                appliedItemID: appliedItemID, appliedDeletionSeq: appliedDeletionSeq,
                maintenanceFailure: maintenanceFailure, building: building, checkpointing: checkpointRunning,
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
    /// While the index is frozen, new items go to `recent` and every deletion is a tombstone.
    /// Caller holds the write lock.
    @discardableResult
    func catchUp() throws -> (items: Int, deletions: Int) {
        let (index, recent, fromItem, fromSeq) = stateMutex.withLock { _ in (self.index, self.recent, appliedItemID, appliedDeletionSeq) }
        let frozen = recent != nil
        let replayed = try replay(onto: recent ?? index, afterItem: fromItem, afterSeq: fromSeq, removing: !frozen) { tombstones, seq, itemID in
            stateMutex.withLock { _ in
                self.tombstones.formUnion(tombstones)
                if frozen { deferredDeletions.formUnion(tombstones) }
                if let seq { appliedDeletionSeq = seq }
                if let itemID { appliedItemID = itemID }
            }
        }
        changesSinceCheckpoint += replayed.items + replayed.deletions
        return replayed
    }

    /// Replays onto `index` the deletions after `afterSeq` (removed when `removing` and the index
    /// can, else reported as tombstones), then the items after `afterItem` page by page;
    /// `advance(newTombstones, deletionSeq, itemID)` records each step's progress as it is applied.
    private func replay(onto index: VectorIndex, afterItem: Int64, afterSeq: Int64, through connection: SQLiteConnection? = nil,
                        removing: Bool = true, advance: ([Int64], Int64?, Int64?) -> Void) throws -> (items: Int, deletions: Int) {
        let connection = connection ?? writer
        let deletions = try ItemRecords.deletions(connection, spaceID: spaceID, afterSeq: afterSeq)
        // Only ids ≤ the applied item were ever added; later ones were deleted before reaching the index.
        let indexed = deletions.map(\.itemID).filter { $0 <= afterItem }
        var newTombstones: [Int64] = []
        if !indexed.isEmpty {
            if removing && index.supportsRemoval { try index.remove(ids: indexed) } else { newTombstones = indexed }
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

    /// After a write (write lock held): starts a background rebuild when the index outgrew Flat,
    /// holds too many tombstones or a fold failed, else a background checkpoint when enough
    /// changes accumulated. While a build runs, periodic checkpoints wait for it (its install
    /// writes the file), and the reverse.
    func maintain() {
        // The rows are committed whatever happens here, and the index file is only a cache: a
        // failed rebuild (e.g. IVF training with too few vectors) or checkpoint (disk full) is
        // reported in `state` and must not turn the write that triggered it into an error.
        guard !readOnly else { return }
        startDueBuild()
        if changesSinceCheckpoint >= settings.checkpointEveryRows {
            startBackgroundCheckpoint()
        }
    }

    /// Starts a background build when the index outgrew Flat, holds too many tombstones or a
    /// fold failed (and the last automatic build did not fail). Write lock held.
    private func startDueBuild() {
        let now = state
        let promote = now.factory == "Flat" && settings.approximateFactory != "Flat" && now.vectors > settings.flatLimit
        let compact = now.tombstones > 0 && Double(now.tombstones) > settings.maxTombstoneFraction * Double(max(now.vectors, 1))
        let (failed, repair) = stateMutex.withLock { _ in (automaticRebuildFailed, needsRebuild) }
        if (promote || compact || repair) && !failed && !readOnly {
            startBackgroundBuild()
        }
    }

    // MARK: background build

    /// Starts a build on its own thread unless one is running or the store is closing.
    private func startBackgroundBuild() {
        let start = stateMutex.withLock { _ in
            guard !building && !cancelled && !checkpointRunning else { return false }
            building = true
            return true
        }
        guard start else { return }
        buildFinished.enter()
        let thread = Thread { [self] in
            defer { buildFinished.leave() }
            do {
                try buildAndInstall()
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

    /// Builds a fresh index from a snapshot through a read connection, writes its file, and
    /// installs it under the write lock. The caller has claimed `building`.
    private func buildAndInstall() throws {
        let isCancelled = { self.stateMutex.withLock { _ in self.cancelled } }
        var built = try readers.withConnection { connection in
            try builder.build(through: connection, isCancelled: isCancelled)
        }
        try writeFile(of: built)
        buildWillInstall?()
        // Rows written during the build are replayed here, without the write lock, until a
        // round finds less than one page; the file is written again at that position (so no
        // checkpoint of hundreds of thousands of replayed rows is left for the write path), the
        // rows written meanwhile replayed the same way, and only then, under the write lock, the
        // install replays the last few. Measured before: a debug build left 234k rows for the
        // lock, or a 45 s checkpoint after the swap. While writes outpace the replay, the old
        // index keeps serving.
        try readers.withConnection { connection in
            try catchUpUnlocked(&built, through: connection, isCancelled: isCancelled)
            if !isCancelled() && built.replayedChanges > 0 {
                try writeFile(of: built)
                built.changesInFile = built.replayedChanges
                try catchUpUnlocked(&built, through: connection, isCancelled: isCancelled)
            }
        }
        try writeLock.withLock {
            guard !isCancelled() else { throw IndexBuildCancelled() }
            try install(built, checkpointed: true)
        }
    }

    /// Makes a running build give up, keeps new builds and checkpoints from starting, and waits
    /// for both threads (call without the write lock: they take it to finish).
    func stopBackgroundWork() {
        stateMutex.withLock { _ in cancelled = true }
        buildFinished.wait()
        checkpointFinished.wait()
    }

    /// Waits until no background build is running (tests, benchmarks; without the write lock).
    func waitForBackgroundBuild() {
        buildFinished.wait()
    }

    /// Waits until no background checkpoint is running (without the write lock).
    func waitForBackgroundCheckpoint() {
        checkpointFinished.wait()
    }

    // MARK: background checkpoint

    /// Freezes the index and writes its file on a thread of its own (write lock held) unless a
    /// build or checkpoint runs, the store is closing, or rows from a failed fold are pending.
    private func startBackgroundCheckpoint() {
        // Checked before the Flat index is made: while a checkpoint runs, every write past the
        // threshold comes here. (Checked again below, where the freeze happens.)
        let startable = stateMutex.withLock { _ in !building && !cancelled && !checkpointRunning && recent == nil }
        guard startable, let empty = try? VectorIndex(factory: "Flat", dimension: space.dimension) else { return }
        let frozen: (VectorIndex, [Int64], Int64, Int64)? = stateMutex.withLock { _ in
            guard !building && !cancelled && !checkpointRunning && recent == nil else { return nil }
            checkpointRunning = true
            recent = empty
            frozenAt = appliedItemID
            deferredDeletions = []
            return (index, tombstones.sorted(), appliedItemID, appliedDeletionSeq)
        }
        guard let (index, tombstones, itemID, seq) = frozen else { return }
        let changesInFile = changesSinceCheckpoint
        changesSinceCheckpoint = 0
        checkpointFinished.enter()
        let thread = Thread { [self] in
            defer { checkpointFinished.leave() }
            checkpointWillWrite?()
            var failure: (any Error)?
            var written: (IndexCheckpoint, Int)?
            do {
                written = try writeIndexFile(index: index, tombstones: tombstones, itemID: itemID, seq: seq)
            } catch {
                failure = error
            }
            writeLock.withLock {
                do {
                    if let written { try record(written, reason: "checkpoint") }
                } catch {
                    failure = error
                }
                if failure != nil { changesSinceCheckpoint += changesInFile }
                do {
                    try foldRecent()
                } catch {
                    stateMutex.withLock { _ in
                        needsRebuild = true
                        maintenanceFailure = "adding the rows written during a checkpoint failed (a rebuild follows): \(error)"
                    }
                }
                stateMutex.withLock { _ in
                    checkpointRunning = false
                    if let failure { maintenanceFailure = "checkpoint failed: \(failure)" }
                }
                // A promotion or compaction that became due meanwhile was held back by this
                // checkpoint: start it now rather than at the next write, which may never come.
                // (Not another checkpoint: back to back they would take a core for good.)
                startDueBuild()
            }
        }
        thread.name = "index checkpoint space \(spaceID)"
        thread.start()
    }

    /// Adds the rows applied since the freeze to the index (read again from SQLite, the truth),
    /// removes the deferred deletions where it can, and drops `recent`. Caller holds the write lock.
    private func foldRecent() throws {
        let (index, frozenAt, deferred, lastItem) = stateMutex.withLock { _ in (self.index, self.frozenAt, deferredDeletions, appliedItemID) }
        guard let frozenAt else { return }
        // Up to the applied position only: a row committed but not yet applied (its catch-up
        // failed) is the next catch-up's, which would otherwise add it twice.
        _ = try builder.forEachEmbeddingPage(through: writer, after: frozenAt) { page in
            let rows = page.filter { $0.0 <= lastItem }
            if !rows.isEmpty { try index.add(rows.map(\.1), ids: rows.map(\.0)) }
        }
        let removable = index.supportsRemoval
        if removable && !deferred.isEmpty { try index.remove(ids: Array(deferred)) }
        stateMutex.withLock { _ in
            // Removed ids, and ids the index never held (added and deleted while it was frozen),
            // are no longer tombstones.
            tombstones.subtract(removable ? deferred : deferred.filter { $0 > frozenAt })
            recent = nil
            self.frozenAt = nil
            deferredDeletions = []
        }
    }

    /// Replays what committed after `built`'s snapshot onto it and makes it the serving index.
    /// Caller holds the write lock. With `checkpointed`, the file already holds `built` as of its
    /// snapshot (written outside the lock); the replayed rows count towards the next checkpoint.
    /// Rows left beside the old index by a failed fold are in `built` (it is read from SQLite).
    private func install(_ built: BuiltIndex, checkpointed: Bool) throws {
        var built = built
        _ = try replay(onto: &built, through: writer)
        stateMutex.withLock { _ in
            index = built.index
            recent = nil
            frozenAt = nil
            deferredDeletions = []
            needsRebuild = false
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

    /// A manual rebuild (the caller does not hold the write lock), built and written like a
    /// background one: it waits for a running build or checkpoint, then claims `building`.
    func rebuild() throws {
        while true {
            buildFinished.wait()
            checkpointFinished.wait()
            buildFinished.enter()
            let claimed = stateMutex.withLock { _ in
                guard !building && !checkpointRunning else { return false }
                building = true
                return true
            }
            if claimed { break }
            buildFinished.leave()
        }
        defer {
            stateMutex.withLock { _ in building = false }
            buildFinished.leave()
        }
        try buildAndInstall()
    }

    /// Writes the index file now, after any background checkpoint (without the write lock).
    func checkpointNow() throws {
        while true {
            checkpointFinished.wait()
            let written = try writeLock.withLock { () -> Bool in
                guard !stateMutex.withLock({ _ in checkpointRunning }) else { return false }
                try writeCheckpoint(reason: "checkpoint")
                return true
            }
            if written { return }
        }
    }

    /// Writes the file of a built index (as of its snapshot) from the build thread.
    private func writeFile(of built: BuiltIndex) throws {
        guard !readOnly else { return }
        let checkpoint = try writeIndexFile(index: built.index, tombstones: built.tombstones.sorted(), itemID: built.appliedItemID,
                                            seq: built.appliedDeletionSeq)
        try writeLock.withLock { try record(checkpoint, reason: "rebuild") }
    }

    /// Writes the index file and records the checkpoint in SQLite (nothing for a read-only
    /// store, nor while rows sit beside the index: a background checkpoint is writing it, or a
    /// rebuild will). Caller holds the write lock.
    func writeCheckpoint(reason: String) throws {
        guard !readOnly else { return }
        let current = stateMutex.withLock { _ in
            recent == nil ? (self.index, self.tombstones, appliedItemID, appliedDeletionSeq) : nil
        }
        guard let (index, tombstones, itemID, seq) = current else { return }
        try record(try writeIndexFile(index: index, tombstones: tombstones.sorted(), itemID: itemID, seq: seq), reason: reason)
        changesSinceCheckpoint = 0
    }

    /// Records a written index file in SQLite's checkpoint history. Caller holds the write lock.
    private func record(_ written: (IndexCheckpoint, Int), reason: String) throws {
        try ItemRecords.recordCheckpoint(writer, spaceID: spaceID, written.0, fileName: fileURL.lastPathComponent,
                                         fileBytes: written.1, reason: reason)
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
        /// A checkpoint is writing the index file in the background; new rows are searched
        /// beside the index meanwhile.
        public let checkpointing: Bool
        /// Rows committed while the last background build ran, replayed onto it at its install.
        public let lastBuildReplayedItems: Int
    }
}
