import Foundation

/// One data directory and its rules: what lives where (database, index files, writer locks,
/// image files), how its database is opened, and which embedding space it serves. The server and
/// the CLI open stores through this type alone, so they agree on all of it.
///
/// ```
/// <root>/adaptclip.sqlite            items, embeddings, spaces, deletions, checkpoints, adapters
/// <root>/index-space<N>.acidx        the FAISS index of space N (a cache of SQLite)
/// <root>/.writer.space<N>.lock       flock of the one process writing space N
/// <root>/images/ab/<sha256>.<ext>    image bytes stored by the service (see DataDirectory+Images)
/// <root>/thumbnails/ab/<sha256>-<n>.jpg  cached thumbnails (see DataDirectory+Thumbnails)
/// ```
public struct DataDirectory: Sendable {
    public let root: URL
    /// How every store opened here builds and maintains its vector index.
    public var settings: IndexSettings
    /// nil: the migrations bundled with the binary.
    let catalog: MigrationCatalog?

    public static let databaseName = "adaptclip.sqlite"

    public init(root: URL, settings: IndexSettings = IndexSettings(), catalog: MigrationCatalog? = nil) {
        self.root = root
        self.settings = settings
        self.catalog = catalog
    }

    public var databaseURL: URL { root.appendingPathComponent(Self.databaseName) }

    /// The index file of space `spaceID`.
    public func indexFileURL(spaceID: Int64) -> URL { root.appendingPathComponent("index-space\(spaceID).acidx") }

    /// The writer lock of space `spaceID` (see `DirectoryLock`).
    func lockFileURL(spaceID: Int64) -> URL { root.appendingPathComponent(".writer.space\(spaceID).lock") }

    /// A connection to the database, created when missing and migrated to the catalog's latest
    /// version (a database newer than the code is refused), with what the migration did.
    public func openDatabase() throws -> (connection: SQLiteConnection, migration: Migrator.Outcome) {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let connection = try SQLiteConnection(path: databaseURL.path)
        let outcome = try Migrator(catalog: try catalog ?? MigrationCatalog.bundled()).migrate(connection)
        return (connection, outcome)
    }

    /// The store of `space`: the writer (holding the space's lock), or a read-only one that takes
    /// no lock and writes nothing (`search` beside a running server).
    public func openStore(space: EmbeddingSpace, readOnly: Bool = false) throws -> ImageStore {
        try ImageStore(directory: self, space: space, readOnly: readOnly)
    }

    /// The spaces recorded here, each with the number of items stored in it.
    public func itemCounts() throws -> [(space: EmbeddingSpace, items: Int)] {
        let db = try openDatabase().connection
        return try ItemRecords.spaces(db).map { id, space in (space, try ItemRecords.count(db, spaceID: id)) }
    }

    /// The spaces recorded here (for `index rebuild`).
    public func spaces() throws -> [EmbeddingSpace] {
        try ItemRecords.spaces(try openDatabase().connection).map(\.space)
    }

    /// Renames spaces recorded under a model's former id (the directory's name, before models
    /// were named by declared name + weights digest) to `current`'s model id, when their
    /// dimension matches and `current` has no such space yet; returns the spaces renamed. Each
    /// keeps its rows, vectors and image-adapter part; its index file is rebuilt on open (it
    /// records the old name). Done once, by the first writer that opens the directory.
    @discardableResult
    public func adoptSpaces(formerModelIDs: [String], as current: EmbeddingSpace) throws -> [EmbeddingSpace] {
        let db = try openDatabase().connection
        let recorded = try ItemRecords.spaces(db)
        var adopted: [EmbeddingSpace] = []
        for (id, space) in recorded
        where formerModelIDs.contains(space.modelID) && space.modelID != current.modelID && space.dimension == current.dimension {
            let renamed = try EmbeddingSpace(
                modelID: current.modelID, imageAdapterID: space.imageAdapterID, dimension: space.dimension)
            guard !recorded.contains(where: { $0.space == renamed }) else { continue }
            try db.run("UPDATE spaces SET model_id = ? WHERE id = ?", [.text(current.modelID), .integer(id)])
            adopted.append(space)
        }
        return adopted
    }

    /// Which space to serve when queries are embedded in `current`: `current`, unless it holds
    /// no items and another space does — then the fullest other one, so stored images are never
    /// silently hidden or compared with queries of another space (queries get
    /// `EmbeddingSpaceMismatch` until a re-index has filled `current`).
    public func servingSpace(for current: EmbeddingSpace) throws -> EmbeddingSpace {
        EmbeddingSpace.serving(for: current, among: try itemCounts())
    }
}
