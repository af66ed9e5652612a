import Foundation

/// The image collection of one embedding space: rows and embeddings in SQLite (the source of
/// truth), vectors in a FAISS index derived from them and kept up to date by `IndexMaintainer`.
///
/// Write path (one writer at a time): commit the rows, then let the maintainer apply every
/// change after the index's applied position (deletions first, then new items) — the same
/// catch-up that replays a stale index file at open — and run its maintenance policy.
/// Read path (concurrent): FAISS search, then join the hits to their rows through a pooled
/// read-only connection; a hit without a row (deleted meanwhile, or a tombstone) is dropped and
/// the search widened until k rows are found or the index is exhausted.
///
/// Stores are opened through `DataDirectory.openStore(space:readOnly:)` (or an `ImageLibrary`),
/// which knows where the database, index files and locks of a data directory live.
public final class ImageStore: @unchecked Sendable {
    public let directory: URL
    public let space: EmbeddingSpace
    public let spaceID: Int64
    public let settings: IndexSettings
    /// What `open` did to the index.
    public let recovery: IndexRecovery

    private let writer: SQLiteConnection
    private let readers: ConnectionPool
    /// nil for a read-only store.
    private let lock: DirectoryLock?
    /// A read-only store takes no writer lock and writes nothing: `search` while another process
    /// (the server, an import) owns the directory. Its index is loaded and replayed in memory.
    public let readOnly: Bool
    private let maintainer: IndexMaintainer
    /// Serialises every write (rows, index changes, checkpoints, installing a rebuilt index).
    private let writeLock = StoreWriteLock()
    private var closed = false

    public var indexFileURL: URL { maintainer.fileURL }

    /// Opens (creating when needed) the store of `space` in `directory`: applies pending
    /// migrations, takes the space's writer lock, loads the index file and replays what it lacks,
    /// or rebuilds it from SQLite when it is missing, stale, corrupt or inconsistent.
    init(directory: DataDirectory, space: EmbeddingSpace, readOnly: Bool) throws {
        self.directory = directory.root
        self.space = space
        self.settings = directory.settings
        self.readOnly = readOnly
        writer = try directory.openDatabase().connection
        readers = ConnectionPool(path: directory.databaseURL.path)
        spaceID = try ItemRecords.spaceID(writer, for: space)
        let maintainer = try IndexMaintainer(
            space: space, spaceID: spaceID, settings: settings, fileURL: directory.indexFileURL(spaceID: spaceID),
            writer: writer, readers: readers, writeLock: writeLock, readOnly: readOnly)
        self.maintainer = maintainer
        lock = readOnly ? nil : try DirectoryLock(file: directory.lockFileURL(spaceID: spaceID), directory: directory.root)
        if !readOnly { maintainer.removeAbandonedTemporaryFiles() }
        // No other thread can reach the store before init returns: no write mutex needed yet.
        recovery = try maintainer.open()
    }

    /// `DataDirectory(root: directory, settings: settings, catalog: catalog).openStore(space:readOnly:)`.
    public convenience init(directory: URL, space: EmbeddingSpace, settings: IndexSettings = IndexSettings(),
                            catalog: MigrationCatalog? = nil, readOnly: Bool = false) throws {
        try self.init(directory: DataDirectory(root: directory, settings: settings, catalog: catalog), space: space, readOnly: readOnly)
    }

    deinit {
        if !closed { lock?.release() }
    }

    /// Writes a final checkpoint when anything changed since the last one (unless told not to:
    /// the next open replays from SQLite either way), then releases the directory lock.
    /// Further calls on the store are refused. A background rebuild is abandoned (the next open
    /// replays the file it may have written, or rebuilds).
    public func close(writingCheckpoint: Bool = true) throws {
        maintainer.stopBackgroundWork()
        try writeLock.withLock {
            guard !closed else { return }
            if writingCheckpoint, maintainer.changesSinceCheckpoint > 0 { try maintainer.writeCheckpoint(reason: "close") }
            closed = true
            lock?.release()
        }
    }

    // MARK: writes

    /// Stores `items` in one transaction (duplicates by sha256 are skipped and reported), then
    /// adds their vectors to the index. When this returns, the rows are durable.
    public func add(_ items: [NewItem]) throws -> [AddOutcome] {
        try add(items, recording: { _, _ in })
    }

    /// The same, running `record` with the outcomes inside the transaction that stores the rows:
    /// an ingest job marks its work items there, so a kill leaves both or neither.
    func add(_ items: [NewItem], recording record: (SQLiteConnection, [AddOutcome]) throws -> Void) throws -> [AddOutcome] {
        let prepared = try items.enumerated().map { offset, item in
            try (item, StoreValidation.unitVector(item.embedding, dimension: space.dimension, label: "item \(offset) (\(item.uri))"))
        }
        for (item, _) in prepared where !StoreValidation.isSHA256(item.sha256) {
            throw StoreError.invalidArgument("sha256 of \(item.uri) must be 64 lowercase hex digits, got '\(item.sha256)'")
        }
        return try writeLock.withLock {
            try ensureWritable()
            let outcomes = try writer.transaction {
                let outcomes = try prepared.map { item, unit -> AddOutcome in
                    if let id = try ItemRecords.insert(writer, item, unitEmbedding: unit, spaceID: spaceID) { return .stored(id: id) }
                    return .duplicate(existingID: try ItemRecords.id(writer, sha256: item.sha256, spaceID: spaceID) ?? -1)
                }
                try record(writer, outcomes)
                return outcomes
            }
            try maintainer.catchUp()
            maintainer.maintain()
            return outcomes
        }
    }

    /// Deletes items (from SQLite, then from the index); returns how many rows were deleted.
    @discardableResult
    public func delete(ids: [Int64]) throws -> Int {
        try writeLock.withLock {
            try ensureWritable()
            let deleted = try writer.transaction { try ItemRecords.delete(writer, ids: ids, spaceID: spaceID) }
            try maintainer.catchUp()
            maintainer.maintain()
            return deleted
        }
    }

    /// Runs `body` on the writer connection in one transaction, serialised with every write
    /// (ingest jobs record their bookkeeping through it).
    func writeTransaction<T: Sendable>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try writeLock.withLock {
            try ensureWritable()
            return try writer.transaction { try body(writer) }
        }
    }

    /// Runs `body` with a pooled read-only connection.
    func read<T: Sendable>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try readers.withConnection(body)
    }

    /// Whether an item with this content hash is stored in this store's space.
    public func contains(sha256: String) throws -> Bool {
        try itemID(sha256: sha256) != nil
    }

    /// Writes the index file now (after a background checkpoint that is running, if any).
    public func checkpoint() throws {
        try writeLock.withLock { try ensureWritable() }
        try maintainer.checkpointNow()
    }

    /// Rebuilds the index from the stored embeddings and writes it. The build reads a snapshot
    /// without the write lock; writes wait only while what committed meanwhile is replayed onto
    /// the new index and it replaces the old one.
    public func rebuild() throws {
        try writeLock.withLock { try ensureWritable() }
        try maintainer.rebuild()
    }

    /// Tests: called on the build thread between a background build and its install.
    var indexBuildWillInstall: (@Sendable () -> Void)? {
        get { maintainer.buildWillInstall }
        set { maintainer.buildWillInstall = newValue }
    }

    /// Tests: called on the checkpoint thread after the index is frozen, before its file is written.
    var indexCheckpointWillWrite: (@Sendable () -> Void)? {
        get { maintainer.checkpointWillWrite }
        set { maintainer.checkpointWillWrite = newValue }
    }

    /// Returns once no background rebuild (promotion past `flatLimit`, tombstone compaction) is
    /// running: for tools and tests that need the new index in place.
    public func waitForIndexBuild() {
        maintainer.waitForBackgroundBuild()
    }

    /// Returns once no background checkpoint is running (its rows are folded into the index).
    public func waitForIndexCheckpoint() {
        maintainer.waitForBackgroundCheckpoint()
    }

    // MARK: reads

    /// The `k` stored items most similar to `query` (cosine), optionally restricted to items
    /// whose metadata matches `filter` exactly (a filter past `MetadataFilterLimits.ceiling`
    /// throws `MetadataFilterRefusal`). Never returns an item whose row is gone.
    public func search(_ query: [Float], k: Int, filter: MetadataFilter = [:]) throws -> [SearchHit] {
        guard k > 0 else { throw StoreError.invalidArgument("k must be positive, got \(k)") }
        let unit = try StoreValidation.unitVector(query, dimension: space.dimension, label: "query")
        let allowed: [Int64]? = filter.isEmpty ? nil : try readers.withConnection { try ItemRecords.ids($0, spaceID: spaceID, matching: filter) }
        if let allowed, allowed.isEmpty { return [] }
        let index = maintainer.snapshot
        let tombstones = index.tombstones
        let total = index.count
        // Room for a few tombstones at first (up to 3k of them, not all: at 10 % of a million-vector
        // index that would ask for 100k hits per search); doubled while too few hits survive.
        var fetch = min(k + min(tombstones.count, 3 * k), max(total, 1))
        while true {
            let found = try index.search(unit, k: fetch, allowedIDs: allowed)
            let hits = found.filter { !tombstones.contains($0.id) }
            let rows = try readers.withConnection { try ItemRecords.items($0, ids: hits.map(\.id), spaceID: spaceID) }
            let joined = hits.compactMap { hit in rows[hit.id].map { SearchHit(item: $0, score: hit.score) } }
            // Fewer hits than asked: the index has no more to give (an IVF search sees only its
            // probed lists), so asking for more would only repeat the search.
            if joined.count >= k || fetch >= total || found.count < fetch { return Array(joined.prefix(k)) }
            fetch = min(fetch * 2, total)
        }
    }

    /// One stored row by id.
    public func item(id: Int64) throws -> StoredItem? {
        try readers.withConnection { try ItemRecords.item($0, id: id) }
    }

    /// The stored (unit) embedding of item `id` in this store's space; nil when no such item is
    /// stored here.
    public func embedding(id: Int64) throws -> [Float]? {
        try readers.withConnection { try ItemRecords.embedding($0, id: id, spaceID: spaceID, dimension: space.dimension) }
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

    public var indexState: IndexState { maintainer.state }

    /// The ids in the vector index minus tombstones (consistency checks compare them to SQLite).
    public func indexedIDs() throws -> Set<Int64> {
        let index = maintainer.snapshot
        return Set(try index.ids()).subtracting(index.tombstones)
    }

    /// Every id held by the vector index, tombstones included, in index order (a duplicate id
    /// would show here twice; consistency checks look for that).
    public func rawIndexedIDs() throws -> [Int64] {
        try maintainer.snapshot.ids()
    }

    private func ensureWritable() throws {
        if closed { throw StoreError.invalidArgument("the store is closed") }
        if readOnly { throw StoreError.invalidArgument("the store was opened read-only") }
    }
}
