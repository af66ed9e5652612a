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
