import Foundation

/// A fresh index built from a consistent snapshot of SQLite, not yet serving: it holds every row
/// with id ≤ `appliedItemID` that existed at the snapshot and reflects every deletion with seq ≤
/// `appliedDeletionSeq`. What committed later is replayed onto it when it is installed.
struct BuiltIndex {
    let index: VectorIndex
    var appliedItemID: Int64
    var appliedDeletionSeq: Int64
    /// Deletions replayed onto an index that cannot remove (IVF, HNSW).
    var tombstones: [Int64] = []
    /// Changes replayed onto it since its snapshot (they count towards the next checkpoint).
    var replayedChanges = 0
    var replayedItems = 0
    /// `replayedChanges` when its file was last written (the rest counts towards a checkpoint).
    var changesInFile = 0
}

/// The build was abandoned because the store is closing.
struct IndexBuildCancelled: Error {}

/// Builds indexes from stored embeddings through any connection — the writer's at open (nothing
/// else runs then), a pooled read connection in the background (writes keep committing beside it).
struct IndexBuild {
    /// Stored embeddings are read in pages of this many rows: a replay, rebuild or training
    /// sample holds one page of vectors at a time, whatever the collection's size.
    static let embeddingPageRows = 4_096

    let space: EmbeddingSpace
    let spaceID: Int64
    let settings: IndexSettings

    /// Builds the index for the collection as it is at the start of a read transaction on
    /// `connection` (WAL: a snapshot, whatever commits meanwhile). `isCancelled` is polled
    /// between pages.
    func build(through connection: SQLiteConnection, isCancelled: () -> Bool = { false }) throws -> BuiltIndex {
        // A deferred BEGIN: the first SELECT fixes the snapshot every later read sees.
        try connection.execute("BEGIN")
        defer { try? connection.execute("COMMIT") }
        let maxSeq = try ItemRecords.maxDeletionSeq(connection)
        let count = try ItemRecords.count(connection, spaceID: spaceID)
        let factory = settings.factory(forCount: count)
        let fresh = try VectorIndex(factory: factory, dimension: space.dimension)
        if try !fresh.isTrained() {
            try fresh.train(try trainingSample(through: connection, count: count, isCancelled: isCancelled))
        }
        let lastItemID = try forEachEmbeddingPage(through: connection, after: 0) { page in
            if isCancelled() { throw IndexBuildCancelled() }
            try fresh.add(page.map(\.1), ids: page.map(\.0))
        }
        try tune(fresh)
        return BuiltIndex(index: fresh, appliedItemID: lastItemID, appliedDeletionSeq: maxSeq)
    }

    /// Sets the search parameters the settings ask for (efSearch for HNSW, nprobe for IVF).
    func tune(_ index: VectorIndex) throws {
        let factory = index.factory
        if factory.hasPrefix("HNSW") { try index.setEfSearch(settings.efSearch) }
        if factory.hasPrefix("IVF") { try index.setNProbe(settings.nprobe) }
    }

    /// An evenly spaced sample of stored embeddings for training IVF/PQ.
    private func trainingSample(through connection: SQLiteConnection, count: Int, isCancelled: () -> Bool) throws -> [[Float]] {
        let stride = max(1, (count + settings.maxTrainingVectors - 1) / settings.maxTrainingVectors)
        var sample: [[Float]] = []
        var position = 0
        try forEachEmbeddingPage(through: connection, after: 0) { page in
            if isCancelled() { throw IndexBuildCancelled() }
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
    func forEachEmbeddingPage(through connection: SQLiteConnection, after afterID: Int64,
                              _ body: ([(Int64, [Float])]) throws -> Void) throws -> Int64 {
        var cursor = afterID
        while true {
            let page = try ItemRecords.embeddings(
                connection, spaceID: spaceID, afterID: cursor, limit: Self.embeddingPageRows, dimension: space.dimension)
            guard let last = page.last else { return cursor }
            try body(page)
            cursor = last.0
        }
    }
}
