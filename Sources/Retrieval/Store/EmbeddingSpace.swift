/// Which model (and image-side adapter) produced a set of vectors, and their dimension. Vectors
/// from different spaces are never compared: a store serves exactly one space.
public struct EmbeddingSpace: Sendable, Hashable, Codable, CustomStringConvertible {
    public let modelID: String
    /// nil when the image side runs without an adapter.
    public let imageAdapterID: String?
    public let dimension: Int

    public init(modelID: String, imageAdapterID: String? = nil, dimension: Int) throws {
        guard !modelID.isEmpty, !modelID.contains("+") else {
            throw StoreError.invalidArgument("model id '\(modelID)' must be non-empty and contain no '+'")
        }
        guard dimension > 0 else { throw StoreError.invalidArgument("dimension must be positive, got \(dimension)") }
        self.modelID = modelID
        self.imageAdapterID = imageAdapterID.flatMap { $0.isEmpty ? nil : $0 }
        self.dimension = dimension
    }

    /// Parses the text form import files use: "model" or "model+image-adapter".
    public init(parsing text: String, dimension: Int) throws {
        let parts = text.split(separator: "+", maxSplits: 1).map(String.init)
        try self.init(modelID: parts.first ?? "", imageAdapterID: parts.count > 1 ? parts[1] : nil, dimension: dimension)
    }

    /// "model" or "model+adapter" (without the dimension).
    public var name: String { imageAdapterID.map { "\(modelID)+\($0)" } ?? modelID }

    /// The identity an index file records: name and dimension.
    public var key: String { "\(name)/\(dimension)" }

    public var description: String { key }
}

extension EmbeddingSpace {
    /// Which space to serve when queries are embedded in `current`, given every recorded space's
    /// item count: `current`, unless it holds no items and another space does — then the fullest
    /// other one, so stored images are never silently hidden or compared with queries of another
    /// space. The rule of every store (`DataDirectory.servingSpace`, the shared store's).
    public static func serving(for current: EmbeddingSpace, among counts: [(space: EmbeddingSpace, items: Int)]) -> EmbeddingSpace {
        let currentItems = counts.first { $0.space == current }?.items ?? 0
        guard currentItems == 0 else { return current }
        let fullest = counts.filter { $0.space != current && $0.items > 0 }.max { $0.items < $1.items }
        return fullest?.space ?? current
    }
}
