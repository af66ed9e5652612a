import Digests
import Engine
import Foundation
import JSON
import Retrieval
import Synchronization

/// The searchable photo collection: image bytes under `<data_dir>/images/`, rows and
/// embeddings in SQLite, vectors in the FAISS index (Retrieval's `ImageStore`).
///
/// An upload writes the file first (temp + rename), then the row: a row never points at a
/// missing file, and a crash between the two leaves only an unreferenced file behind.
public final class ImageCollection: Sendable {
    /// The index being served. It is the engine's space, except after a model change: then the
    /// old space keeps serving (queries get 409) until `/admin/reindex` has built the new one.
    public var store: ImageStore { serving.withLock { $0 } }
    public let imagesDirectory: URL
    let dataDirectory: URL
    let settings: IndexSettings
    private let serving: Mutex<ImageStore>

    public struct Added: Sendable {
        public let item: StoredItem
        /// False when the same bytes were already stored (the existing item is returned).
        public let created: Bool
    }

    /// Opens (creating) the collection. It serves the engine's space unless that space is empty
    /// and another one holds the stored images: those are never silently dropped or compared
    /// with queries of another space.
    public init(dataDirectory: URL, engine: EmbeddingEngine, settings: IndexSettings = IndexSettings()) throws {
        self.dataDirectory = dataDirectory
        self.settings = settings
        imagesDirectory = dataDirectory.appendingPathComponent("images")
        try FileManager.default.createDirectory(at: imagesDirectory, withIntermediateDirectories: true)
        let current = try Self.space(of: engine)
        let counts = try CollectionStatistics.itemCounts(directory: dataDirectory)
        let currentItems = counts.first { $0.space == current }?.items ?? 0
        let fullest = counts.filter { $0.space != current && $0.items > 0 }.max { $0.items < $1.items }
        let space = currentItems == 0 ? (fullest?.space ?? current) : current
        serving = Mutex(try ImageStore(directory: dataDirectory, space: space, settings: settings))
    }

    /// Serves `replacement` from now on and closes the store it replaces.
    func switchServing(to replacement: ImageStore) throws {
        let previous = serving.withLock { store in
            defer { store = replacement }
            return store
        }
        try previous.close()
    }

    /// The space the engine's image side embeds into: the index is only ever searched with
    /// queries from this space. An active domain adapter with a vision side is part of it.
    public static func space(of engine: EmbeddingEngine) throws -> EmbeddingSpace {
        try space(of: engine, domain: engine.domainAdapters.active)
    }

    /// The space of images embedded under `domain` (a lease the caller holds for its request).
    public static func space(of engine: EmbeddingEngine, domain: DomainLease?) throws -> EmbeddingSpace {
        try EmbeddingSpace(modelID: engine.modelName, imageAdapterID: engine.imageSpaceAdapterID(domain), dimension: engine.dimension)
    }

    public func add(
        _ bytes: Data, caption: String?, metadata: [String: JSONValue], engine: EmbeddingEngine,
        deadline: ContinuousClock.Instant
    ) async throws -> Added {
        // One domain-adapter lease for the check and the embedding: a swap in between cannot
        // put a vector of another space into this index.
        let domain = engine.domainAdapters.lease()
        let current = try Self.space(of: engine, domain: domain)
        guard store.space == current else { throw Self.spaceMismatch(store.space, current) }
        let sha256 = SHA256.hex(bytes)
        if let id = try store.itemID(sha256: sha256), let existing = try store.item(id: id) {
            return Added(item: existing, created: false)
        }
        let embedding = try await engine.embedImages([bytes], domain: domain, deadline: deadline)[0]
        let header = ImageSniffer.sniff(bytes)
        let relative = "images/\(sha256.prefix(2))/\(sha256).\(header?.format.rawValue ?? "bin")"
        try writeAtomically(bytes, to: dataDirectory.appendingPathComponent(relative))
        let outcome = try store.add([NewItem(
            uri: relative, sha256: sha256, width: header?.width, height: header?.height, caption: caption,
            metadata: metadata, embedding: embedding)])[0]
        guard let item = try store.item(id: outcome.id) else {
            throw StoreError.invalidArgument("item \(outcome.id) vanished after it was stored")
        }
        if case .stored = outcome { return Added(item: item, created: true) }
        return Added(item: item, created: false)
    }

    static func spaceMismatch(_ served: EmbeddingSpace, _ current: EmbeddingSpace) -> APIError {
        APIError(status: 409, code: "embedding-space-mismatch", title: "Embedding space mismatch",
                 detail: "the index holds vectors of \(served.key) but the model now embeds in \(current.key); run POST /admin/reindex first")
    }

    /// The stored bytes of an item and their media type, when the file is readable.
    public func content(of item: StoredItem) -> (data: Data, mediaType: String)? {
        guard let data = bytes(of: item) else { return nil }
        let mediaType = switch ImageSniffer.sniff(data)?.format {
        case .jpeg?: "image/jpeg"
        case .png?: "image/png"
        case .webp?: "image/webp"
        case nil: "application/octet-stream"
        }
        return (data, mediaType)
    }

    func bytes(of item: StoredItem) -> Data? {
        guard let url = fileURL(for: item) else { return nil }
        return FileManager.default.contents(atPath: url.path)
    }

    /// Removes the row (and so the vector); the file too when the service stored it.
    public func delete(_ item: StoredItem) throws -> Bool {
        let removed = try store.delete(ids: [item.id]) > 0
        if removed, item.uri.hasPrefix("images/"), let url = fileURL(for: item) {
            try? FileManager.default.removeItem(at: url)
        }
        return removed
    }

    public func close() throws { try store.close() }

    /// Relative uris live under the data directory; absolute ones were registered by an
    /// operator (`adaptclip index add`). Anything climbing out with ".." is not served.
    private func fileURL(for item: StoredItem) -> URL? {
        let uri = item.uri.hasPrefix("file://") ? String(item.uri.dropFirst(7)) : item.uri
        guard !uri.split(separator: "/").contains("..") else { return nil }
        return uri.hasPrefix("/") ? URL(fileURLWithPath: uri) : dataDirectory.appendingPathComponent(uri)
    }

    private func writeAtomically(_ data: Data, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: url.path) { return }  // same sha256, same bytes
        try data.write(to: url, options: .atomic)
    }
}
