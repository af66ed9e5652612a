/// One search result from the vector index: the caller's id and the inner product with the query.
public struct VectorHit: Sendable, Equatable {
    public let id: Int64
    public let score: Float

    public init(id: Int64, score: Float) {
        self.id = id
        self.score = score
    }
}
