/// Vectors of `requested` were offered to (or asked of) a store that serves `served`: comparing
/// or mixing them would be meaningless. The served space changes only by a re-index.
public struct EmbeddingSpaceMismatch: Error, Sendable, Equatable, CustomStringConvertible {
    public let served: EmbeddingSpace
    public let requested: EmbeddingSpace

    public init(served: EmbeddingSpace, requested: EmbeddingSpace) {
        self.served = served
        self.requested = requested
    }

    public var description: String {
        "the index holds vectors of \(served.key) but the model now embeds in \(requested.key)"
    }
}
