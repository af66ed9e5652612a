/// What the service needs of the collection store of one embedding space, whichever backend
/// holds it: the embedded `ImageStore` (SQLite + FAISS, one process) or the shared PostgreSQL +
/// pgvector store (any number of replicas). The operations and their semantics are
/// `ImageStore`'s: unit-length vectors of `space.dimension`, dedupe by SHA-256 within the space,
/// cosine scores, exact-match metadata filters checked against `MetadataFilterLimits.ceiling`.
///
/// Synchronous, like the rest of the service's store calls: callers are ordinary threads.
public protocol ImageCollectionStore: AnyObject, Sendable {
    var space: EmbeddingSpace { get }

    /// Stores `items` atomically; duplicates by SHA-256 (in the store or earlier in the batch)
    /// are reported with the existing id. When this returns the rows are durable and searchable.
    func add(_ items: [NewItem]) throws -> [AddOutcome]

    /// Deletes items of this space; returns how many rows were deleted.
    @discardableResult
    func delete(ids: [Int64]) throws -> Int

    /// The `k` stored items most similar to `query`, best first, optionally restricted to items
    /// whose metadata matches `filter` exactly.
    func search(_ query: [Float], k: Int, filter: MetadataFilter) throws -> [SearchHit]

    func item(id: Int64) throws -> StoredItem?
    func embedding(id: Int64) throws -> [Float]?
    /// Rows in id order after `afterID` (0 for the first page), at most `limit`.
    func items(after afterID: Int64, limit: Int) throws -> [StoredItem]
    func itemID(sha256: String) throws -> Int64?
    func itemCount() throws -> Int
}

extension ImageStore: ImageCollectionStore {}
