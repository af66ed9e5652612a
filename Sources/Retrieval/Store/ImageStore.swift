import Digests
import Foundation

/// The image collection of one embedding space: rows and embeddings in SQLite (the source of
/// truth), vectors in a FAISS index derived from them.
///
/// Write path (one writer at a time): commit the rows, then apply every change after the index's
/// applied position (deletions first, then new items) — the same catch-up that replays a stale
/// index file at open, so there is one code path for "bring the index up to date".
/// Read path (concurrent): FAISS search, then join the hits to their rows through a pooled
/// read-only connection; a hit without a row (deleted meanwhile, or a tombstone) is dropped and
/// the search widened until k rows are found or the index is exhausted.
public final class ImageStore: @unchecked Sendable {
    public let directory: URL
    public let space: EmbeddingSpace
    public let spaceID: Int64
    public let settings: IndexSettings
    /// What `open` did to the index.
    public private(set) var recovery: IndexRecovery

    public static let databaseName = "adaptclip.sqlite"

    private let writer: SQLiteConnection
    private let readers: ConnectionPool
    /// nil for a read-only store.
    private let lock: DirectoryLock?
    /// A read-only store takes no writer lock and writes nothing: `search` while another process
    /// (the server, an import) owns the directory. Its index is loaded and replayed in memory.
    public let readOnly: Bool
    /// Serialises every write (rows, index changes, checkpoints, rebuilds).
    private let writeMutex = Mutex()
    /// Guards the fields below, which searches read.
    private let stateMutex = Mutex()
    private var index: VectorIndex
    private var tombstones: Set<Int64> = []
    private var appliedItemID: Int64 = 0
    private var appliedDeletionSeq: Int64 = 0
    private var changesSinceCheckpoint = 0
    /// Why the last automatic rebuild or checkpoint failed (the store keeps serving).
    private var maintenanceFailure: String?
    /// An automatic rebuild failed: not retried on every write (a manual `rebuild()` resets it).
    private var automaticRebuildFailed = false
    private var closed = false

    public var indexFileURL: URL { directory.appendingPathComponent("index-space\(spaceID).acidx") }

    /// Opens (creating when needed) the store in `directory` for `space`: applies pending
    /// migrations, takes the writer lock, loads the index file and replays what it lacks, or
    /// rebuilds it from SQLite when it is missing, stale, corrupt or inconsistent.
    public init(directory: URL, space: EmbeddingSpace, settings: IndexSettings = IndexSettings(),
                catalog: MigrationCatalog? = nil, readOnly: Bool = false) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.directory = directory
        self.space = space
        self.settings = settings
        self.readOnly = readOnly
        let path = directory.appendingPathComponent(Self.databaseName).path
        writer = try SQLiteConnection(path: path)
        try Migrator(catalog: try catalog ?? MigrationCatalog.bundled()).migrate(writer)
        readers = ConnectionPool(path: path)
        spaceID = try ItemRecords.spaceID(writer, for: space)
        // A typo in the configured factory string should fail now, not at the first promotion.
        _ = try VectorIndex(factory: settings.approximateFactory, dimension: space.dimension)
        lock = readOnly ? nil : try DirectoryLock(directory: directory, spaceID: spaceID)
        index = try VectorIndex(factory: "Flat", dimension: space.dimension)
        recovery = .rebuilt(reason: "")
        if !readOnly { removeAbandonedTemporaryFiles() }
        recovery = try writeMutex.withLock { try openIndex() }
    }

    deinit {
        if !closed { lock?.release() }
    }

    /// Writes a final checkpoint when anything changed since the last one (unless told not to:
    /// the next open replays from SQLite either way), then releases the directory lock.
    /// Further calls on the store are refused.
    public func close(writingCheckpoint: Bool = true) throws {
        try writeMutex.withLock {
            guard !closed else { return }
            if writingCheckpoint, changesSinceCheckpoint > 0 { try writeCheckpoint(reason: "close") }
            closed = true
            lock?.release()
        }
    }

    // MARK: writes

    /// Stores `items` in one transaction (duplicates by sha256 are skipped and reported), then
    /// adds their vectors to the index. When this returns, the rows are durable.
    public func add(_ items: [NewItem]) throws -> [AddOutcome] {
        let prepared = try items.enumerated().map { offset, item in
            try (item, Self.unitVector(item.embedding, dimension: space.dimension, label: "item \(offset) (\(item.uri))"))
        }
        for (item, _) in prepared where !Self.isSHA256(item.sha256) {
            throw StoreError.invalidArgument("sha256 of \(item.uri) must be 64 lowercase hex digits, got '\(item.sha256)'")
        }
        return try writeMutex.withLock {
            try ensureWritable()
            let outcomes = try writer.transaction {
                try prepared.map { item, unit -> AddOutcome in
                    if let id = try ItemRecords.insert(writer, item, unitEmbedding: unit, spaceID: spaceID) { return .stored(id: id) }
                    return .duplicate(existingID: try ItemRecords.id(writer, sha256: item.sha256, spaceID: spaceID) ?? -1)
                }
            }
            try catchUp()
            try checkpointIfDue()
            return outcomes
        }
    }

    /// Deletes items (from SQLite, then from the index); returns how many rows were deleted.
    @discardableResult
    public func delete(ids: [Int64]) throws -> Int {
        try writeMutex.withLock {
            try ensureWritable()
            let deleted = try writer.transaction { try ItemRecords.delete(writer, ids: ids, spaceID: spaceID) }
            try catchUp()
            try checkpointIfDue()
            return deleted
        }
    }

    /// Whether an item with this content hash is stored in this store's space.
    public func contains(sha256: String) throws -> Bool {
        try readers.withConnection { try ItemRecords.id($0, sha256: sha256, spaceID: spaceID) != nil }
    }

    /// Writes the index file now.
    public func checkpoint() throws {
        try writeMutex.withLock {
            try ensureWritable()
            try writeCheckpoint(reason: "checkpoint")
        }
    }

    /// Rebuilds the index from the stored embeddings and writes it.
    public func rebuild() throws {
        try writeMutex.withLock {
            try ensureWritable()
            try rebuildIndex()
        }
    }

    // MARK: reads

    /// The `k` stored items most similar to `query` (cosine), optionally restricted to items
    /// whose metadata matches `filter` exactly (a filter past `MetadataFilterLimits.ceiling`
    /// throws `MetadataFilterRefusal`). Never returns an item whose row is gone.
    public func search(_ query: [Float], k: Int, filter: MetadataFilter = [:]) throws -> [SearchHit] {
        guard k > 0 else { throw StoreError.invalidArgument("k must be positive, got \(k)") }
        let unit = try Self.unitVector(query, dimension: space.dimension, label: "query")
        let allowed: [Int64]? = filter.isEmpty ? nil : try readers.withConnection { try ItemRecords.ids($0, spaceID: spaceID, matching: filter) }
        if let allowed, allowed.isEmpty { return [] }
        let (index, tombstones) = stateMutex.withLock { (self.index, self.tombstones) }
        let total = index.count
        var fetch = min(max(k + tombstones.count, k), max(total, 1))
        while true {
            let hits = try index.search(unit, k: fetch, allowedIDs: allowed).filter { !tombstones.contains($0.id) }
            let rows = try readers.withConnection { try ItemRecords.items($0, ids: hits.map(\.id), spaceID: spaceID) }
            let joined = hits.compactMap { hit in rows[hit.id].map { SearchHit(item: $0, score: hit.score) } }
            if joined.count >= k || fetch >= total { return Array(joined.prefix(k)) }
            fetch = min(fetch * 2, total)
        }
    }

    /// One stored row by id.
    public func item(id: Int64) throws -> StoredItem? {
        try readers.withConnection { try ItemRecords.item($0, id: id) }
    }

    /// Rows in id order after `afterID` (0 for the first page), at most `limit`.
    public func items(after afterID: Int64, limit: Int) throws -> [StoredItem] {
        try readers.withConnection { try ItemRecords.page($0, spaceID: spaceID, afterID: afterID, limit: max(0, limit)) }
    }

    /// The id of the item with these bytes' sha256 in this space, if stored.
    public func itemID(sha256: String) throws -> Int64? {
        try readers.withConnection { try ItemRecords.id($0, sha256: sha256, spaceID: spaceID) }
    }

    /// Items stored in this space.
    public func itemCount() throws -> Int {
        try readers.withConnection { try ItemRecords.count($0, spaceID: spaceID) }
    }

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

    public var indexState: IndexState {
        stateMutex.withLock {
            IndexState(factory: index.factory, vectors: index.count, tombstones: tombstones.count,
                       appliedItemID: appliedItemID, appliedDeletionSeq: appliedDeletionSeq,
                       maintenanceFailure: maintenanceFailure)
        }
    }

    /// The ids in the vector index minus tombstones (consistency checks compare them to SQLite).
    public func indexedIDs() throws -> Set<Int64> {
        let (index, tombstones) = stateMutex.withLock { (self.index, self.tombstones) }
        return Set(try index.ids()).subtracting(tombstones)
    }

    /// Every id held by the vector index, tombstones included, in index order (a duplicate id
    /// would show here twice; consistency checks look for that).
    public func rawIndexedIDs() throws -> [Int64] {
        try stateMutex.withLock { index }.ids()
    }

    // MARK: index maintenance (callers hold writeMutex)

    /// A writer killed while writing its index file leaves `.index-spaceN.acidx.tmp-<pid>`
    /// behind; holding the space's lock, this process is the only one that could be writing it.
    private func removeAbandonedTemporaryFiles() {
        let prefix = ".\(indexFileURL.lastPathComponent).tmp-"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names where name.hasPrefix(prefix) {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
        }
    }

    private func ensureOpen() throws {
        if closed { throw StoreError.invalidArgument("the store is closed") }
    }

    private func ensureWritable() throws {
        try ensureOpen()
        if readOnly { throw StoreError.invalidArgument("the store was opened read-only") }
    }

    private func openIndex() throws -> IndexRecovery {
        let loaded: (IndexCheckpoint, Data)
        do {
            loaded = try IndexFile.read(indexFileURL)
        } catch {
            try rebuildIndex()
            return .rebuilt(reason: error.description)
        }
        let (checkpoint, payload) = loaded
        if let stale = try staleness(of: checkpoint) {
            try rebuildIndex()
            return .rebuilt(reason: stale)
        }
        let restored: VectorIndex
        do {
            restored = try VectorIndex(serialized: payload, factory: checkpoint.factory)
        } catch {
            try rebuildIndex()
            return .rebuilt(reason: "FAISS could not read the index: \(error)")
        }
        guard restored.count == checkpoint.vectorCount, restored.dimension == space.dimension else {
            try rebuildIndex()
            return .rebuilt(reason: "the index holds \(restored.count) vectors of dimension \(restored.dimension), its header says \(checkpoint.vectorCount) of \(checkpoint.dimension)")
        }
        try tune(restored)
        stateMutex.withLock {
            index = restored
            tombstones = Set(checkpoint.tombstones)
            appliedItemID = checkpoint.appliedItemID
            appliedDeletionSeq = checkpoint.appliedDeletionSeq
        }
        let (items, deletions) = try catchUp()
        let expected = try ItemRecords.count(writer, spaceID: spaceID)
        let state = indexState
        guard state.vectors == expected + state.tombstones else {
            try rebuildIndex()
            return .rebuilt(reason: "after replay the index holds \(state.vectors) vectors (\(state.tombstones) tombstones) for \(expected) rows")
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

    /// Applies deletions and then new items after the applied positions; returns their counts.
    @discardableResult
    private func catchUp() throws -> (items: Int, deletions: Int) {
        let (index, fromItem, fromSeq) = stateMutex.withLock { (self.index, appliedItemID, appliedDeletionSeq) }
        let deletions = try ItemRecords.deletions(writer, spaceID: spaceID, afterSeq: fromSeq)
        // Only ids ≤ the applied item were ever added; later ones were deleted before reaching the index.
        let indexed = deletions.map(\.itemID).filter { $0 <= fromItem }
        var newTombstones: [Int64] = []
        if !indexed.isEmpty {
            if index.supportsRemoval { try index.remove(ids: indexed) } else { newTombstones = indexed }
        }
        stateMutex.withLock {
            tombstones.formUnion(newTombstones)
            if let last = deletions.last { appliedDeletionSeq = last.seq }
        }
        var added = 0
        var cursor = fromItem
        while true {
            let batch = try ItemRecords.embeddings(writer, spaceID: spaceID, afterID: cursor, limit: 4_096, dimension: space.dimension)
            guard let last = batch.last else { break }
            try index.add(batch.map(\.1), ids: batch.map(\.0))
            added += batch.count
            cursor = last.0
            stateMutex.withLock { appliedItemID = cursor }
        }
        changesSinceCheckpoint += added + deletions.count
        return (added, deletions.count)
    }

    private func checkpointIfDue() throws {
        let state = indexState
        let promote = state.factory == "Flat" && settings.approximateFactory != "Flat" && state.vectors > settings.flatLimit
        let compact = state.tombstones > 0 && Double(state.tombstones) > settings.maxTombstoneFraction * Double(max(state.vectors, 1))
        // The rows are committed whatever happens here, and the index file is only a cache: a
        // failed rebuild (e.g. IVF training with too few vectors) or checkpoint (disk full) is
        // reported in `indexState` and must not turn the write that triggered it into an error.
        if (promote || compact) && !automaticRebuildFailed {
            do {
                try rebuildIndex()
                return
            } catch {
                automaticRebuildFailed = true
                stateMutex.withLock { maintenanceFailure = "automatic rebuild failed: \(error)" }
            }
        }
        if changesSinceCheckpoint >= settings.checkpointEveryRows {
            do {
                try writeCheckpoint(reason: "checkpoint")
            } catch {
                stateMutex.withLock { maintenanceFailure = "checkpoint failed: \(error)" }
            }
        }
    }

    private func rebuildIndex() throws {
        let count = try ItemRecords.count(writer, spaceID: spaceID)
        let factory = settings.factory(forCount: count)
        let fresh = try VectorIndex(factory: factory, dimension: space.dimension)
        // Positions are read before the vectors so nothing committed later is marked as applied.
        let maxSeq = try ItemRecords.maxDeletionSeq(writer)
        if try !fresh.isTrained() {
            try fresh.train(try trainingSample(count: count))
        }
        var cursor: Int64 = 0
        while true {
            let batch = try ItemRecords.embeddings(writer, spaceID: spaceID, afterID: cursor, limit: 4_096, dimension: space.dimension)
            guard let last = batch.last else { break }
            try fresh.add(batch.map(\.1), ids: batch.map(\.0))
            cursor = last.0
        }
        try tune(fresh)
        automaticRebuildFailed = false
        stateMutex.withLock {
            index = fresh
            maintenanceFailure = nil
            tombstones = []
            appliedItemID = cursor
            appliedDeletionSeq = maxSeq
        }
        try writeCheckpoint(reason: "rebuild")
    }

    /// An evenly spaced sample of stored embeddings for training IVF/PQ.
    private func trainingSample(count: Int) throws -> [[Float]] {
        let stride = max(1, (count + settings.maxTrainingVectors - 1) / settings.maxTrainingVectors)
        var sample: [[Float]] = []
        var cursor: Int64 = 0
        var position = 0
        while true {
            let batch = try ItemRecords.embeddings(writer, spaceID: spaceID, afterID: cursor, limit: 4_096, dimension: space.dimension)
            guard let last = batch.last else { break }
            for (_, vector) in batch {
                if position % stride == 0 { sample.append(vector) }
                position += 1
            }
            cursor = last.0
        }
        guard !sample.isEmpty else { throw StoreError.invalidArgument("cannot train \(settings.approximateFactory) without stored vectors") }
        return sample
    }

    private func tune(_ index: VectorIndex) throws {
        let factory = index.factory
        if factory.hasPrefix("HNSW") { try index.setEfSearch(settings.efSearch) }
        if factory.hasPrefix("IVF") { try index.setNProbe(settings.nprobe) }
    }

    private func writeCheckpoint(reason: String) throws {
        guard !readOnly else { return }
        let (index, tombstones, itemID, seq) = stateMutex.withLock { (self.index, self.tombstones, appliedItemID, appliedDeletionSeq) }
        let payload = try index.serialized()
        let checkpoint = IndexCheckpoint(
            space: space.key, factory: index.factory, dimension: space.dimension, vectorCount: index.count,
            appliedItemID: itemID, appliedDeletionSeq: seq, tombstones: tombstones.sorted(),
            payloadSHA256: SHA256.hex(payload), payloadBytes: payload.count)
        try IndexFile.write(checkpoint, payload: payload, to: indexFileURL)
        try ItemRecords.recordCheckpoint(writer, spaceID: spaceID, checkpoint, fileName: indexFileURL.lastPathComponent,
                                         fileBytes: payload.count, reason: reason)
        changesSinceCheckpoint = 0
    }

    // MARK: validation

    /// `vector` scaled to unit length; refuses a wrong length, non-finite values and the zero vector.
    static func unitVector(_ vector: [Float], dimension: Int, label: String) throws -> [Float] {
        guard vector.count == dimension else {
            throw StoreError.invalidArgument("\(label) has \(vector.count) dimensions, the space has \(dimension)")
        }
        guard vector.allSatisfy(\.isFinite) else { throw StoreError.invalidArgument("\(label) has a non-finite value") }
        let norm = vector.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
        guard norm > 0, norm.isFinite else { throw StoreError.invalidArgument("\(label) is the zero vector") }
        return vector.map { $0 / norm }
    }

    static func isSHA256(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }
}
