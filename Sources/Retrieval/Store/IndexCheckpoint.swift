/// What an index file covers; written in the file's header, atomically with the vectors.
struct IndexCheckpoint: Codable, Sendable, Equatable {
    static let formatVersion = 1

    var formatVersion: Int = Self.formatVersion
    /// `EmbeddingSpace.key` of the vectors.
    var space: String
    var factory: String
    var dimension: Int
    var vectorCount: Int
    /// Every item of the space with id ≤ this was applied (added, or skipped because deleted).
    var appliedItemID: Int64
    /// Every deletion with seq ≤ this was applied (removed, or recorded as a tombstone).
    var appliedDeletionSeq: Int64
    /// Ids still in the index whose rows are deleted (index types that cannot remove).
    var tombstones: [Int64]
    var payloadSHA256: String
    var payloadBytes: Int
}
