/// How the approximate index of a space is built and searched (docs/scaling.md gives the
/// measurements behind the defaults).
///
/// The index is pgvector's HNSW over `embedding::halfvec(d)` with inner-product distance (the
/// vectors are unit length, so it orders like cosine): half the memory of a float32 index, so
/// twice the vectors stay in shared buffers, at a recall cost measured as negligible. Exact
/// search and the returned scores always use the float32 embeddings.
public struct PostgresIndexSettings: Sendable, Equatable {
    /// HNSW graph degree (pgvector's `m`). Fixed when a space's index is created.
    public var m: Int
    /// Candidate list while building (pgvector's `ef_construction`). Fixed at creation.
    public var efConstruction: Int
    /// Candidate list per search (`hnsw.ef_search`): recall against latency.
    public var efSearch: Int
    /// Index the halfvec cast (default) or the float32 vectors themselves.
    public var halfPrecision: Bool

    public init(m: Int = 16, efConstruction: Int = 64, efSearch: Int = 100, halfPrecision: Bool = true) {
        self.m = min(max(m, 2), 100)
        self.efConstruction = min(max(efConstruction, 2 * self.m), 1_000)
        self.efSearch = min(max(efSearch, 1), 1_000)
        self.halfPrecision = halfPrecision
    }

    /// The session settings each pooled connection starts with. Iterative scans (pgvector ≥ 0.8)
    /// let a filtered search, or one asking for more than `efSearch` hits, go on scanning the
    /// graph until it has enough rows instead of returning fewer.
    var sessionSetup: [String] {
        ["SET hnsw.ef_search = \(efSearch)", "SET hnsw.iterative_scan = relaxed_order", "SET jit = off"]
    }
}
