import Digests
import Foundation
import JSON
import PostgresStore
import Retrieval
import TestSupport

/// A fresh database on the process's temporary server, and a store of `space` on it.
struct PostgresFixture {
    let url: PostgresURL
    let pool: BlockingPostgresPool
    let store: PostgresImageStore

    init(space: EmbeddingSpace, settings: PostgresIndexSettings = PostgresIndexSettings(),
         limits: PostgresPoolLimits = PostgresPoolLimits(), label: String = #function) throws {
        url = try PostgresURL(try TemporaryPostgres.shared().makeDatabase(label))
        pool = PostgresImageStore.makePool(url: url, limits: limits, settings: settings)
        store = try PostgresImageStore(pool: pool, space: space, settings: settings)
    }

    /// A second, independent pool on the same database (another replica's connections).
    func secondStore(settings: PostgresIndexSettings = PostgresIndexSettings()) throws -> (BlockingPostgresPool, PostgresImageStore) {
        let other = PostgresImageStore.makePool(url: url, settings: settings)
        return (other, try PostgresImageStore(pool: other, space: store.space, settings: settings))
    }
}

/// Items with unit vectors, the sha256 of their uri, and the metadata `metadata` gives.
func makePostgresItems(_ count: Int, dimension: Int, seed: UInt64, prefix: String = "img",
                       metadata: (Int) -> [String: JSONValue] = { _ in [:] }) -> [NewItem] {
    var random = TestVectors(seed: seed)
    return (0..<count).map { i in
        let uri = "file:///\(prefix)/\(i).jpg"
        return NewItem(uri: uri, path: "\(prefix)/\(i).jpg", sha256: SHA256.hex(Data(uri.utf8)), width: 640, height: 480,
                       caption: "\(prefix) \(i)", metadata: metadata(i), embedding: random.unitVector(dimension: dimension))
    }
}
