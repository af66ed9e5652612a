import Digests
import Foundation
import PostgresNIO
import JSON
import PostgresStore
import Retrieval
import Synchronization
import TestSupport
import Testing

/// The same 10k vectors in both backends: the embedded ImageStore (SQLite + FAISS, exact below
/// its flat limit) and PostgreSQL + pgvector. Loaded once for the suite's tests.
final class TenThousandVectors: Sendable {
    static let count = 10_000
    static let dimension = 64
    let items: [NewItem]
    let queries: [[Float]]
    let embedded: ImageStore
    let embeddedDirectory: URL
    let postgres: PostgresImageStore
    let pool: BlockingPostgresPool

    private static let loaded = Mutex<Result<TenThousandVectors, TemporaryPostgresError>?>(nil)
    /// The embedded store's directory, removed at exit (the data outlives every single test).
    private static let directoryToRemove = Mutex<URL?>(nil)

    static func shared() throws -> TenThousandVectors {
        try loaded.withLock { slot in
            if slot == nil {
                do { slot = .success(try TenThousandVectors()) } catch { slot = .failure(TemporaryPostgresError("loading the 10k vectors failed: \(error)")) }
            }
            return try slot!.get()
        }
    }

    private init() throws {
        let space = try EmbeddingSpace(modelID: "parity-clip", dimension: Self.dimension)
        // Near a 32-dimensional subspace, as real image embeddings are (lowRankVectors); every item
        // also carries filterable metadata.
        let vectors = lowRankVectors(Self.count, dimension: Self.dimension, rank: 32, noise: 0.2, seed: 2026, drawSeed: 1)
        items = vectors.enumerated().map { i, vector in
            let uri = "file:///parity/\(i).jpg"
            return NewItem(uri: uri, sha256: SHA256.hex(Data(uri.utf8)), metadata: Self.metadata(i), embedding: vector)
        }
        queries = lowRankVectors(40, dimension: Self.dimension, rank: 32, noise: 0.2, seed: 2026, drawSeed: 2)
        let directory = try TemporaryDirectory.make("parity")
        embeddedDirectory = directory
        Self.directoryToRemove.withLock { $0 = directory }
        atexit { TenThousandVectors.directoryToRemove.withLock { $0 }.map(TemporaryDirectory.remove) }
        embedded = try ImageStore(directory: embeddedDirectory, space: space, settings: IndexSettings(flatLimit: 1_000_000))
        let url = try PostgresURL(try TemporaryPostgres.shared().makeDatabase("parity"))
        pool = PostgresImageStore.makePool(url: url)
        postgres = try PostgresImageStore(pool: pool, space: space)
        for start in stride(from: 0, to: items.count, by: 1_000) {
            let batch = Array(items[start..<min(start + 1_000, items.count)])
            _ = try embedded.add(batch)
            _ = try postgres.add(batch)
        }
    }

    /// string, integer (stored as both 3 and 3.0), boolean, explicit null, and a key only some have.
    static func metadata(_ i: Int) -> [String: JSONValue] {
        var metadata: [String: JSONValue] = [
            "album": .string(["trip", "home", "work", "旅行"][i % 4]),
            "rating": i % 10 == 0 ? .number(Double(i % 5)) : .integer(i % 5),
            "favourite": .bool(i % 3 == 0),
        ]
        if i % 7 == 0 { metadata["reviewed"] = .null }
        if i % 11 == 0 { metadata["tags"] = .array([.string("trip")]) }
        return metadata
    }
}

@Suite(.enabled(if: TemporaryPostgres.isEnabled, Comment(rawValue: TemporaryPostgres.skipReason)))
struct BackendParityTests {
    /// Exact search: the same ids in the same order, and scores that agree to float32 rounding.
    @Test func theSameVectorsGiveTheSameExactTop10UnderBothBackends() throws {
        let data = try TenThousandVectors.shared()
        #expect(try data.postgres.itemCount() == TenThousandVectors.count)
        #expect(data.embedded.indexState.factory == "Flat")
        for query in data.queries {
            let embedded = try data.embedded.search(query, k: 10)
            let postgres = try data.postgres.exactSearch(query, k: 10)
            #expect(postgres.map(\.item.sha256) == embedded.map(\.item.sha256))
            for (a, b) in zip(postgres, embedded) { #expect(abs(a.score - b.score) < 1e-5) }
        }
    }

    /// Metadata filters mean the same in both: exact string match, numbers compared as numbers
    /// (3 matches 3.0), booleans, an explicit null (not a missing key), arrays never matching a scalar.
    @Test(arguments: [
        ["album": JSONValue.string("旅行")], ["rating": .integer(3)], ["rating": .number(0)], ["favourite": .bool(true)],
        ["reviewed": .null], ["tags": .string("trip")], ["album": .string("home"), "favourite": .bool(false)], ["missing": .integer(1)],
    ])
    func filtersSelectTheSameItemsUnderBothBackends(_ filter: MetadataFilter) throws {
        let data = try TenThousandVectors.shared()
        let matching = Set(try data.postgres.exactSearch(data.queries[0], k: TenThousandVectors.count, filter: filter).map(\.item.id))
        for query in data.queries.prefix(5) {
            let embedded = try data.embedded.search(query, k: 10, filter: filter)
            let exact = try data.postgres.exactSearch(query, k: 10, filter: filter)
            #expect(exact.map(\.item.sha256) == embedded.map(\.item.sha256), "\(filter)")
            // The approximate path returns only matching items, as many as asked when enough match.
            let approximate = try data.postgres.search(query, k: 10, filter: filter)
            #expect(approximate.count == embedded.count, "\(filter)")
            #expect(approximate.allSatisfy { matching.contains($0.item.id) }, "\(filter)")
        }
    }

    /// HNSW (halfvec index, default settings) against exact search over the same 10k vectors.
    /// Measured 1.000 on this data (docs/scaling.md); the threshold leaves room for the graph's
    /// randomness, so only a real loss (a wrong operator class, a broken rerank) fails it.
    @Test func approximateRecallAt10AgainstExact() throws {
        let data = try TenThousandVectors.shared()
        var found = 0
        for query in data.queries {
            let exact = Set(try data.postgres.exactSearch(query, k: 10).map(\.item.id))
            found += try data.postgres.search(query, k: 10, filter: [:]).filter { exact.contains($0.item.id) }.count
        }
        let recall = Double(found) / Double(10 * data.queries.count)
        #expect(recall >= 0.95, "recall@10 \(recall)")
        // And the index is what answered: the plan of an unfiltered search scans it.
        let plan = try data.pool.withConnection { connection in
            try connection.query(PostgresQuery(unsafeSQL: "EXPLAIN " + data.postgres.searchSQL(filtered: false, exact: false, k: 10), binds: {
                var binds = PostgresBindings()
                binds.append(data.queries[0])
                return binds
            }())).map { try $0.decode(String.self) }.joined(separator: "\n")
        }
        #expect(plan.contains(data.postgres.indexName), "\(plan)")
    }
}
