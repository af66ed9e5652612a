import Digests
import Foundation
import PostgresNIO
import PostgresStore
import Retrieval
import TestSupport

// Recall and latency of pgvector's HNSW against exact search, for the index choices of
// docs/scaling.md: halfvec vs vector index, ef_search. Runs a throwaway server (TemporaryPostgres)
// and prints a Markdown table. Not a test: wall-clock figures (scripts/bench-pgvector).
//
//   pgvector-bench [count] [dimension] [queries] [rank] [noise] [half|full|both]
//
// The vectors lie near a `rank`-dimensional subspace (lowRankVectors): real image embeddings
// have an intrinsic dimension far below their width. rank = dimension makes them uniform on the
// sphere, the worst case for any approximate index.

let arguments = CommandLine.arguments.dropFirst().prefix(5).map { Double($0) ?? 0 }
let indexKinds = CommandLine.arguments.count > 6 ? CommandLine.arguments[6] : "both"
func argument(_ index: Int, _ fallback: Double) -> Double { index < arguments.count ? arguments[index] : fallback }
let count = Int(argument(0, 100_000)), dimension = Int(argument(1, 512)), queryCount = Int(argument(2, 100))
let rank = Int(argument(3, 16)), noise = Float(argument(4, 0.1))
let efValues = [40, 100, 200]

let server = try TemporaryPostgres.start()
defer { server.stop() }
let vectors = lowRankVectors(count, dimension: dimension, rank: rank, noise: noise, seed: 2026, drawSeed: 1)
let queries = lowRankVectors(queryCount, dimension: dimension, rank: rank, noise: noise, seed: 2026, drawSeed: 2)
print("\(count) vectors of dimension \(dimension), rank \(rank), noise \(noise); \(queryCount) queries; k = 10\n")
let space = try EmbeddingSpace(modelID: "bench", dimension: dimension)
print("| index | ef_search | recall@10 | approx p50 ms | approx p99 ms | exact p50 ms | exact p99 ms |")
print("| --- | --- | --- | --- | --- | --- | --- |")
func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
}
func milliseconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
}
for halfPrecision in [true, false] where indexKinds == "both" || (indexKinds == "half") == halfPrecision {
    let url = try PostgresURL(try server.makeDatabase(halfPrecision ? "half" : "full"))
    let loadSettings = PostgresIndexSettings(halfPrecision: halfPrecision)
    let loadPool = PostgresImageStore.makePool(url: url, settings: loadSettings)
    let loader = try PostgresImageStore(pool: loadPool, space: space, settings: loadSettings)
    let loadTime = try milliseconds {
        for start in stride(from: 0, to: count, by: 1_000) {
            let batch = (start..<min(start + 1_000, count)).map { i in
                NewItem(uri: "bench/\(i)", sha256: SHA256.hex(Data("bench/\(i)".utf8)), embedding: vectors[i])
            }
            _ = try loader.add(batch)
        }
    }
    let sizes = try loadPool.withConnection { connection in
        try connection.query(PostgresQuery(unsafeSQL: "SELECT pg_size_pretty(pg_relation_size('\(loader.indexName)')), pg_size_pretty(pg_total_relation_size('embeddings'))"))
            .first!.decode((String, String).self)
    }
    print("<!-- \(halfPrecision ? "halfvec" : "vector") index: \(count) vectors loaded in \(Int(loadTime / 1000)) s (HNSW maintained on insert); index \(sizes.0), embeddings table \(sizes.1) -->")
    var exactLatencies: [Double] = []
    var truth: [Set<Int64>] = []
    for query in queries {
        var hits: [SearchHit] = []
        exactLatencies.append(try milliseconds { hits = try loader.exactSearch(query, k: 10) })
        truth.append(Set(hits.map(\.item.id)))
    }
    loadPool.close()
    for ef in efValues {
        let settings = PostgresIndexSettings(efSearch: ef, halfPrecision: halfPrecision)
        let pool = PostgresImageStore.makePool(url: url, settings: settings)
        let store = try PostgresImageStore(pool: pool, space: space, settings: settings)
        var latencies: [Double] = []
        var found = 0
        for (query, expected) in zip(queries, truth) {
            var hits: [SearchHit] = []
            latencies.append(try milliseconds { hits = try store.search(query, k: 10, filter: [:]) })
            found += hits.filter { expected.contains($0.item.id) }.count
        }
        let recall = Double(found) / Double(10 * queries.count)
        print(String(format: "| %@ | %d | %.3f | %.2f | %.2f | %.2f | %.2f |", halfPrecision ? "halfvec" : "vector", ef, recall,
                     percentile(latencies, 0.5), percentile(latencies, 0.99), percentile(exactLatencies, 0.5), percentile(exactLatencies, 0.99)))
        pool.close()
    }
}
