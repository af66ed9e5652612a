import Foundation
import JSON

/// An item to store: the image's identity and descriptive fields plus its embedding.
public struct NewItem: Sendable, Equatable {
    public var uri: String
    /// Lowercase hex SHA-256 of the image bytes (the dedupe key).
    public var sha256: String
    public var width: Int?
    public var height: Int?
    public var caption: String?
    public var metadata: [String: JSONValue]
    /// In the store's space; normalised to unit length when stored.
    public var embedding: [Float]

    public init(uri: String, sha256: String, width: Int? = nil, height: Int? = nil, caption: String? = nil,
                metadata: [String: JSONValue] = [:], embedding: [Float]) {
        self.uri = uri
        self.sha256 = sha256
        self.width = width
        self.height = height
        self.caption = caption
        self.metadata = metadata
        self.embedding = embedding
    }
}

/// A stored row (without its embedding).
public struct StoredItem: Sendable, Equatable, Codable {
    public let id: Int64
    public let uri: String
    public let sha256: String
    public let width: Int?
    public let height: Int?
    public let caption: String?
    public let metadata: [String: JSONValue]
    public let createdAt: String
}

/// What `ImageStore.add` did with one input.
public enum AddOutcome: Sendable, Equatable {
    case stored(id: Int64)
    /// An item with the same sha256 already exists (possibly earlier in the same batch).
    case duplicate(existingID: Int64)

    public var id: Int64 {
        switch self {
        case .stored(let id), .duplicate(let id): id
        }
    }
}

/// One search result joined to its row.
public struct SearchHit: Sendable, Equatable, Codable {
    public let item: StoredItem
    /// Cosine similarity (stored vectors and the query are unit length).
    public let score: Float
}

/// Exact-match conditions on metadata keys (all must hold). Values must be scalars.
public typealias MetadataFilter = [String: JSONValue]
