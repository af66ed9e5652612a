import Foundation

/// What a data directory holds, per embedding space, read without loading any index into FAISS
/// and without taking the writer lock (so `index stats` works while the server runs).
public struct CollectionStatistics: Codable, Sendable {
    public struct Space: Codable, Sendable {
        public let id: Int64
        public let model: String
        public let imageAdapter: String?
        public let dimension: Int
        public let items: Int
        public let index: IndexFileStatus
    }

    public struct IndexFileStatus: Codable, Sendable {
        public let file: String
        /// "ok", "missing" or "corrupt: <why>" (the next open rebuilds a missing or corrupt file).
        public let state: String
        public let factory: String?
        public let vectors: Int?
        public let tombstones: Int?
        public let appliedItemID: Int64?
        public let appliedDeletionSeq: Int64?
        /// Items stored after the file's checkpoint (replayed at the next open).
        public let pendingItems: Int?
        public let lastCheckpointAt: String?
        public let lastCheckpointReason: String?
    }

    public let database: String
    public let schemaVersion: Int
    public let totalItems: Int
    public let spaces: [Space]

    public static func gather(directory: DataDirectory) throws -> CollectionStatistics {
        let (db, migration) = try directory.openDatabase()
        let spaces = try ItemRecords.spaces(db).map { id, space -> Space in
            let items = try ItemRecords.count(db, spaceID: id)
            let url = directory.indexFileURL(spaceID: id)
            let last = try db.query("SELECT created_at, reason FROM index_checkpoints WHERE space_id = ? ORDER BY id DESC LIMIT 1",
                                    [.integer(id)]).first
            let status: IndexFileStatus
            switch Result(catching: { () throws(IndexFile.ReadError) in try IndexFile.read(url) }) {
            case .success(let (checkpoint, _)):
                let pending = Int(try db.scalar("SELECT COUNT(*) FROM items WHERE space_id = ? AND id > ?",
                                                [.integer(id), .integer(checkpoint.appliedItemID)]).integer ?? 0)
                status = IndexFileStatus(
                    file: url.lastPathComponent, state: "ok", factory: checkpoint.factory, vectors: checkpoint.vectorCount,
                    tombstones: checkpoint.tombstones.count, appliedItemID: checkpoint.appliedItemID,
                    appliedDeletionSeq: checkpoint.appliedDeletionSeq, pendingItems: pending,
                    lastCheckpointAt: last?[0].text, lastCheckpointReason: last?[1].text)
            case .failure(let error):
                let state = if case .missing = error { "missing" } else { error.description }
                status = IndexFileStatus(file: url.lastPathComponent, state: state, factory: nil, vectors: nil, tombstones: nil,
                                         appliedItemID: nil, appliedDeletionSeq: nil, pendingItems: nil,
                                         lastCheckpointAt: last?[0].text, lastCheckpointReason: last?[1].text)
            }
            return Space(id: id, model: space.modelID, imageAdapter: space.imageAdapterID, dimension: space.dimension,
                         items: items, index: status)
        }
        return CollectionStatistics(database: directory.databaseURL.path, schemaVersion: migration.currentVersion,
                                    totalItems: spaces.reduce(0) { $0 + $1.items }, spaces: spaces)
    }
}
