/// What one search reads: the serving index, the rows that arrived while a background checkpoint
/// had it frozen (`recent`, a small Flat index), and the ids to skip.
///
/// Between the fold of `recent` into `index` and the moment `recent` is dropped, a row can be in
/// both; hits are merged by id, so a search never returns one twice.
struct ServingIndex: Sendable {
    let index: VectorIndex
    let recent: VectorIndex?
    let tombstones: Set<Int64>

    var count: Int { index.count + (recent?.count ?? 0) }

    func search(_ query: [Float], k: Int, allowedIDs: [Int64]?) throws -> [VectorHit] {
        let main = try index.search(query, k: k, allowedIDs: allowedIDs)
        guard let recent else { return main }
        let recentCount = recent.count
        guard recentCount > 0 else { return main }
        let newer = try recent.search(query, k: min(k, recentCount), allowedIDs: allowedIDs)
        var best: [Int64: Float] = [:]
        for hit in main + newer where best[hit.id].map({ $0 < hit.score }) ?? true { best[hit.id] = hit.score }
        let merged = best.map { VectorHit(id: $0.key, score: $0.value) }
            .sorted { $0.score != $1.score ? $0.score > $1.score : $0.id < $1.id }
        return Array(merged.prefix(k))
    }

    /// Every id held, tombstones included, the frozen index's first.
    func ids() throws -> [Int64] {
        try index.ids() + (recent?.ids() ?? [])
    }
}
