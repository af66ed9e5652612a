import Foundation
import JSON

/// An item to store: the image's identity and descriptive fields plus its embedding.
public struct NewItem: Sendable, Equatable {
    public var uri: String
    /// The name to show for it (see `StoredItem.path`); never an absolute server path.
    public var path: String?
    /// Lowercase hex SHA-256 of the image bytes (the dedupe key).
    public var sha256: String
    public var width: Int?
    public var height: Int?
    public var caption: String?
    public var metadata: [String: JSONValue]
    /// In the store's space; normalised to unit length when stored.
    public var embedding: [Float]

    public init(uri: String, path: String? = nil, sha256: String, width: Int? = nil, height: Int? = nil, caption: String? = nil,
                metadata: [String: JSONValue] = [:], embedding: [Float]) {
        self.uri = uri
        self.path = path
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
    /// Where the bytes are: `images/…` under the data directory, or a `file://` uri of an
    /// operator's file. Internal: clients see `publicPath`.
    public let uri: String
    /// Relative to what was ingested: the path under the ingested folder, an uploaded file's
    /// name, a fetched URL. nil for rows stored before it was recorded.
    public let path: String?
    public let sha256: String
    public let width: Int?
    public let height: Int?
    public let caption: String?
    public let metadata: [String: JSONValue]
    public let createdAt: String

    /// For other stores of the same items (the PostgreSQL backend builds its rows with it).
    public init(id: Int64, uri: String, path: String?, sha256: String, width: Int?, height: Int?, caption: String?,
                metadata: [String: JSONValue], createdAt: String) {
        self.id = id
        self.uri = uri
        self.path = path
        self.sha256 = sha256
        self.width = width
        self.height = height
        self.caption = caption
        self.metadata = metadata
        self.createdAt = createdAt
    }

    /// What clients are shown: `path` when recorded, a uri relative to the data directory as it
    /// is, else (an operator's file from before paths were recorded) its file name alone, so no
    /// absolute server path leaves the server.
    public var publicPath: String {
        if let path { return path }
        guard uri.hasPrefix("/") || uri.hasPrefix("file://") else { return uri }
        let decoded = FileURI.path(of: uri) ?? uri
        return decoded.split(separator: "/").last.map(String.init) ?? ""
    }
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

    public init(item: StoredItem, score: Float) {
        self.item = item
        self.score = score
    }
}

/// Exact-match conditions on metadata keys (all must hold). Values must be scalars.
public typealias MetadataFilter = [String: JSONValue]
