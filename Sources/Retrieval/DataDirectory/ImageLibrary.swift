import Digests
import Foundation
import Imaging
import JSON
import Synchronization

/// The searchable photo collection: the store of the space being served and the bytes of the
/// images its rows point at. Two kinds:
///
/// - embedded (`init(directory:current:readOnly:formerModelIDs:)`): SQLite + FAISS and image
///   files in a data directory. `adaptclip serve` and the `index add` / `search` commands open it
///   the same way, so they agree on which space is served, where files live and when vectors of
///   another space are refused. Re-index and ingest jobs need this kind (`embedded`).
/// - shared (`init(shared:bytes:directory:close:)`): any `ImageCollectionStore` with its own
///   bytes store (the PostgreSQL one), which any number of replicas open at once. The data
///   directory then holds only caches (thumbnails).
public final class ImageLibrary: Sendable {
    /// Thumbnails are cached here whatever the kind; the embedded store's files too.
    public let directory: DataDirectory
    /// Swapped once, at the end of a re-index (`switchServing`).
    private let serving: Mutex<any ImageCollectionStore>
    let imageBytes: any ImageBytesStore
    private let closeShared: (@Sendable () throws -> Void)?

    public struct Added: Sendable {
        public let item: StoredItem
        /// False when the same bytes were already stored (the existing item is returned).
        public let created: Bool
    }

    /// Opens the store of the space to serve for queries embedded in `current`
    /// (`DataDirectory.servingSpace(for:)`): after a model change the old space keeps serving,
    /// and `servingStore(for:)` refuses the new one, until a re-index has built it. A read-only
    /// library takes no writer lock and writes nothing.
    ///
    /// `formerModelIDs`: names the same model's spaces were recorded under before (see
    /// `DataDirectory.adoptSpaces`); a writer adopts them, so an upgrade keeps serving its index.
    public init(directory: DataDirectory, current: EmbeddingSpace, readOnly: Bool = false, formerModelIDs: [String] = []) throws {
        self.directory = directory
        if !readOnly {
            try FileManager.default.createDirectory(at: directory.imagesDirectory, withIntermediateDirectories: true)
            if !formerModelIDs.isEmpty { try directory.adoptSpaces(formerModelIDs: formerModelIDs, as: current) }
        }
        let space = try directory.servingSpace(for: current)
        serving = Mutex(try directory.openStore(space: space, readOnly: readOnly))
        imageBytes = directory
        closeShared = nil
    }

    /// A shared collection: `store` serves, `bytes` holds the images' bytes, `directory` only
    /// caches thumbnails; `close` releases what the store holds (its connections).
    public init(shared store: any ImageCollectionStore, bytes: any ImageBytesStore, directory: DataDirectory,
                close: @escaping @Sendable () throws -> Void) {
        self.directory = directory
        serving = Mutex(store)
        imageBytes = bytes
        closeShared = close
    }

    /// The store being served, whatever its space.
    public var store: any ImageCollectionStore { serving.withLock { $0 } }

    /// The embedded SQLite + FAISS store being served; nil for a shared collection.
    public var embedded: ImageStore? { store as? ImageStore }

    /// The store being served, when it holds vectors of `space`: the one store a request that
    /// embeds in `space` should use from start to end.
    public func servingStore(for space: EmbeddingSpace) throws(EmbeddingSpaceMismatch) -> any ImageCollectionStore {
        let store = self.store
        guard store.space == space else { throw EmbeddingSpaceMismatch(served: store.space, requested: space) }
        return store
    }

    /// The embedded store, for what only it runs (ingest jobs' ledger, re-index, the CLI).
    public func embeddedStore() throws -> ImageStore {
        guard let store = embedded else { throw StoreError.invalidArgument("this collection is not an embedded data directory") }
        return store
    }

    /// `servingStore(for:)` of an embedded collection (the CLI's `index add` and `search`).
    public func servingEmbeddedStore(for space: EmbeddingSpace) throws -> ImageStore {
        _ = try servingStore(for: space)
        return try embeddedStore()
    }

    /// Stores an image: known bytes (by SHA-256) return their item; new ones are embedded by
    /// `embedder` (whose space must be the served one), written under `images/`, then given a row.
    /// `path`: the name clients are shown (an uploaded file's name).
    public func add(
        _ bytes: Data, path: String? = nil, caption: String?, metadata: [String: JSONValue], embedder: any ImageEmbedder
    ) async throws -> Added {
        let store = try servingStore(for: embedder.space)
        let sha256 = SHA256.hex(bytes)
        if let id = try store.itemID(sha256: sha256), let existing = try store.item(id: id) {
            return Added(item: existing, created: false)
        }
        guard let embedding = try await embedder.embed(images: [bytes]).first else {
            throw StoreError.invalidArgument("the embedder returned no vector for one image")
        }
        let header = try? ImageDecoder.header(of: bytes)
        let uri = try imageBytes.writeImage(bytes, sha256: sha256)
        let outcome = try store.add([NewItem(
            uri: uri, path: path, sha256: sha256, width: header?.width, height: header?.height, caption: caption,
            metadata: metadata, embedding: embedding)])[0]
        try keepBytes(bytes, sha256: sha256)
        guard let item = try store.item(id: outcome.id) else {
            throw StoreError.invalidArgument("item \(outcome.id) vanished after it was stored")
        }
        if case .stored = outcome { return Added(item: item, created: true) }
        return Added(item: item, created: false)
    }

    /// Writes the bytes again when a delete removed them after they were first written: a delete
    /// of the last other row with these bytes, between this writer's bytes and its row, saw no
    /// row left and removed them. Once the row is committed no later delete does, so writing
    /// again now (a no-op when they are there) leaves no row without its bytes.
    func keepBytes(_ bytes: Data, sha256: String) throws {
        _ = try imageBytes.writeImage(bytes, sha256: sha256)
    }

    /// The stored bytes of an item and their media type, when the file is readable.
    public func content(of item: StoredItem) throws -> (data: Data, mediaType: String)? {
        guard let data = try bytes(of: item) else { return nil }
        return (data, (try? ImageDecoder.format(of: data))?.mediaType ?? "application/octet-stream")
    }

    /// The stored bytes of an item, when the file is readable.
    public func bytes(of item: StoredItem) throws -> Data? { try imageBytes.imageBytes(uri: item.uri) }

    /// Removes the row (and so the vector), its cached thumbnails, and the stored bytes too when
    /// the collection stored them.
    public func delete(_ item: StoredItem) throws -> Bool {
        let removed = try store.delete(ids: [item.id]) > 0
        if removed {
            imageBytes.removeStoredImage(uri: item.uri)
            directory.removeThumbnails(sha256: item.sha256)
        }
        return removed
    }

    /// Serves `replacement` from now on and closes the store it replaces.
    public func switchServing(to replacement: ImageStore) throws {
        let previous = serving.withLock { store -> any ImageCollectionStore in
            defer { store = replacement }
            return store
        }
        try (previous as? ImageStore)?.close()
    }

    public func close() throws {
        if let closeShared { try closeShared() } else { try embedded?.close() }
    }
}
