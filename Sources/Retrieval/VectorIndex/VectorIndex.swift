import CFaissShim
import Foundation

/// A FAISS index (inner product, 64-bit ids) behind the C shim. Owns its handle and frees it in
/// `deinit`. Searches run concurrently; train/add/remove/parameter changes are exclusive.
/// Every non-zero shim status becomes a thrown `VectorIndexError` in the calling function.
///
/// Vectors are passed as rows (`[[Float]]`); their length is handed to the shim as the caller's
/// dimension, so a wrong dimension is refused by the shim, with its message, not assumed away here.
public final class VectorIndex: @unchecked Sendable {
    private let handle: OpaquePointer
    private let lock = ReadWriteLock()
    /// The factory string this index was created from ("" when read from a file).
    public let factory: String
    public let dimension: Int
    /// Whether `remove(ids:)` works for this type (HNSW cannot remove).
    public let supportsRemoval: Bool

    /// Creates an empty index from a FAISS factory string ("Flat", "HNSW32", "IVF1024,Flat", ...).
    public convenience init(factory: String, dimension: Int) throws {
        guard let dim = Int32(exactly: dimension) else {
            throw VectorIndexError(kind: .invalidArgument, operation: "afs_index_new", message: "dimension \(dimension) is out of range")
        }
        var out: OpaquePointer?
        try shimCall("afs_index_new") { afs_index_new(factory, dim, &out, $0, $1) }
        try self.init(adopting: out, factory: factory)
    }

    /// Reads an index that `write(to:)` wrote.
    public convenience init(contentsOf url: URL) throws {
        var out: OpaquePointer?
        try shimCall("afs_index_read_file") { afs_index_read_file(url.path, &out, $0, $1) }
        try self.init(adopting: out, factory: "")
    }

    /// Reads an index from bytes that `serialized()` produced.
    public convenience init(serialized data: Data, factory: String) throws {
        var out: OpaquePointer?
        try data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            try shimCall("afs_index_deserialize") { afs_index_deserialize(bytes.baseAddress, bytes.count, &out, $0, $1) }
        }
        try self.init(adopting: out, factory: factory)
    }

    private init(adopting pointer: OpaquePointer?, factory: String) throws {
        guard let pointer else {
            throw VectorIndexError(kind: .unknown, operation: "afs_index_new", message: "the shim returned no handle")
        }
        var dim: Int32 = 0
        var removal: Int32 = 0
        do {
            try shimCall("afs_index_dimension") { afs_index_dimension(pointer, &dim, $0, $1) }
            try shimCall("afs_index_supports_removal") { afs_index_supports_removal(pointer, &removal, $0, $1) }
        } catch {
            afs_index_free(pointer)
            throw error
        }
        handle = pointer
        self.factory = factory
        dimension = Int(dim)
        supportsRemoval = removal != 0
    }

    deinit { afs_index_free(handle) }

    /// Number of vectors held.
    public var count: Int {
        lock.withReadLock {
            var n: Int64 = 0
            // ntotal fails only on a NULL handle, which this class never holds.
            _ = afs_index_ntotal(handle, &n, nil, 0)
            return Int(n)
        }
    }

    /// Whether vectors can be added (trained, or a type that needs no training).
    public func isTrained() throws -> Bool {
        try lock.withReadLock {
            var trained: Int32 = 0
            try shimCall("afs_index_is_trained") { afs_index_is_trained(handle, &trained, $0, $1) }
            return trained != 0
        }
    }

    /// Trains on `vectors` (no-op for types that need no training).
    public func train(_ vectors: [[Float]]) throws {
        let (flat, dim) = try flatten(vectors, operation: "afs_index_train")
        try lock.withWriteLock {
            try shimCall("afs_index_train") { afs_index_train(handle, Int64(vectors.count), dim, flat, $0, $1) }
        }
    }

    /// Adds `vectors` under `ids` (same count). Id uniqueness is the caller's responsibility.
    public func add(_ vectors: [[Float]], ids: [Int64]) throws {
        guard vectors.count == ids.count else {
            throw VectorIndexError(kind: .invalidArgument, operation: "afs_index_add_with_ids",
                                   message: "\(vectors.count) vectors but \(ids.count) ids")
        }
        let (flat, dim) = try flatten(vectors, operation: "afs_index_add_with_ids")
        try lock.withWriteLock {
            try shimCall("afs_index_add_with_ids") { afs_index_add_with_ids(handle, Int64(ids.count), dim, flat, ids, $0, $1) }
        }
    }

    /// The `k` best hits for one query (fewer when the index or the allow-list is smaller).
    /// `allowedIDs` restricts hits to those ids; an empty list yields no hits.
    public func search(_ query: [Float], k: Int, allowedIDs: [Int64]? = nil) throws -> [VectorHit] {
        try search(queries: [query], k: k, allowedIDs: allowedIDs)[0]
    }

    /// The `k` best hits for each query, in query order.
    public func search(queries: [[Float]], k: Int, allowedIDs: [Int64]? = nil) throws -> [[VectorHit]] {
        let (flat, dim) = try flatten(queries, operation: "afs_index_search")
        let nq = queries.count
        // k is validated by the shim; only a positive k sizes the result buffers.
        let slots = k > 0 ? nq * k : 0
        var scores = [Float](repeating: 0, count: slots)
        var ids = [Int64](repeating: -1, count: slots)
        let allowed = allowedIDs ?? []
        let allowedCount = allowedIDs.map { Int64($0.count) } ?? -1
        try lock.withReadLock {
            try shimCall("afs_index_search") { error, capacity in
                afs_index_search(handle, Int64(nq), dim, flat, Int64(k), allowed, allowedCount, &scores, &ids, error, capacity)
            }
        }
        return (0..<nq).map { q in
            (0..<k).compactMap { j in ids[q * k + j] >= 0 ? VectorHit(id: ids[q * k + j], score: scores[q * k + j]) : nil }
        }
    }

    /// Removes `ids`; returns how many were present. Throws `.unsupported` for HNSW.
    @discardableResult
    public func remove(ids: [Int64]) throws -> Int {
        try lock.withWriteLock {
            var removed: Int64 = 0
            try shimCall("afs_index_remove_ids") { afs_index_remove_ids(handle, Int64(ids.count), ids, &removed, $0, $1) }
            return Int(removed)
        }
    }

    /// The ids held, in insertion order (for consistency checks).
    public func ids() throws -> [Int64] {
        try lock.withReadLock {
            var total: Int64 = 0
            _ = afs_index_ntotal(handle, &total, nil, 0)
            var out = [Int64](repeating: 0, count: Int(total))
            var copied: Int64 = 0
            try shimCall("afs_index_copy_ids") { afs_index_copy_ids(handle, &out, total, &copied, $0, $1) }
            return out
        }
    }

    /// IVF: how many inverted lists a search visits (more = better recall, slower).
    public func setNProbe(_ value: Int) throws { try setParameter("nprobe", value) }

    /// HNSW: the candidate list size of a search (more = better recall, slower).
    public func setEfSearch(_ value: Int) throws { try setParameter("efSearch", value) }

    private func setParameter(_ name: String, _ value: Int) throws {
        try lock.withWriteLock {
            try shimCall("afs_index_set_parameter") { afs_index_set_parameter(handle, name, Double(value), $0, $1) }
        }
    }

    /// Writes FAISS's file format to `url` (not atomic; `IndexFile` adds the atomic write).
    public func write(to url: URL) throws {
        try lock.withReadLock {
            try shimCall("afs_index_write_file") { afs_index_write_file(handle, url.path, $0, $1) }
        }
    }

    /// FAISS's serialised form, in memory.
    public func serialized() throws -> Data {
        try lock.withReadLock {
            var bytes: UnsafeMutablePointer<UInt8>?
            var length = 0
            try shimCall("afs_index_serialize") { afs_index_serialize(handle, &bytes, &length, $0, $1) }
            defer { afs_buffer_free(bytes) }
            guard let bytes else { return Data() }
            return Data(bytes: bytes, count: length)
        }
    }

    /// Row-major floats plus the rows' common length. Rows of unequal length cannot be passed as
    /// one buffer, so that one check lives here; everything else is the shim's to refuse.
    private func flatten(_ rows: [[Float]], operation: String) throws -> ([Float], Int32) {
        guard let first = rows.first else { return ([], Int32(dimension)) }
        guard rows.allSatisfy({ $0.count == first.count }) else {
            throw VectorIndexError(kind: .invalidArgument, operation: operation, message: "vectors have different lengths")
        }
        guard let dim = Int32(exactly: first.count) else {
            throw VectorIndexError(kind: .invalidArgument, operation: operation, message: "vector length \(first.count) is out of range")
        }
        var flat = [Float]()
        flat.reserveCapacity(rows.count * first.count)
        for row in rows { flat.append(contentsOf: row) }
        return (flat, dim)
    }
}
