/// How the vector index is built and maintained. Defaults are documented in docs/retrieval.md
/// (index choice and its trade-offs).
public struct IndexSettings: Sendable, Equatable {
    /// Up to this many vectors the index is exact (`Flat`, scanned by CVectorScan): recall 1, a few ms.
    public var flatLimit: Int
    /// The FAISS factory string used above `flatLimit` ("IVF1024,SQfp16", "IVF1024,Flat", "HNSW32", ...),
    /// built in the background. IVF trains on ≥ 39 vectors per list: keep `flatLimit` above 39 × nlist.
    public var approximateFactory: String
    /// IVF: inverted lists visited per search.
    public var nprobe: Int
    /// HNSW: candidate list size per search.
    public var efSearch: Int
    /// Rows added between two index checkpoints (the rest is replayed from SQLite at start).
    public var checkpointEveryRows: Int
    /// HNSW cannot remove vectors; deleted ids stay as tombstones until they exceed this share.
    public var maxTombstoneFraction: Double
    /// Vectors sampled to train IVF/PQ indexes.
    public var maxTrainingVectors: Int

    public init(flatLimit: Int = 50_000, approximateFactory: String = "IVF1024,SQfp16", nprobe: Int = 16, efSearch: Int = 128,
                checkpointEveryRows: Int = 5_000, maxTombstoneFraction: Double = 0.1, maxTrainingVectors: Int = 200_000) {
        self.flatLimit = flatLimit
        self.approximateFactory = approximateFactory
        self.nprobe = nprobe
        self.efSearch = efSearch
        self.checkpointEveryRows = checkpointEveryRows
        self.maxTombstoneFraction = maxTombstoneFraction
        self.maxTrainingVectors = maxTrainingVectors
    }

    /// The factory string for an index holding `count` vectors.
    public func factory(forCount count: Int) -> String { count <= flatLimit ? "Flat" : approximateFactory }
}
