import Digests
import Foundation
import PostgresStore
import Retrieval
import TestSupport
import Testing

/// Image bytes in the shared database: content-addressed by the uri the rows carry, bounded in
/// size, removed only when no item of any space still points at them.
@Suite(.enabled(if: TemporaryPostgres.isEnabled, Comment(rawValue: TemporaryPostgres.skipReason)))
struct PostgresImageBytesTests {
    let space: EmbeddingSpace

    init() throws { space = try EmbeddingSpace(modelID: "test-clip", imageAdapterID: nil, dimension: 16) }

    /// The bytes of a PNG signature and some payload: enough for the format to be read.
    static func png(_ seed: UInt8) -> Data { Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: seed, count: 64)) }

    /// A database with one image's bytes written: its store, bytes, hash and uri.
    struct Written {
        let fixture: PostgresFixture
        let store: PostgresImageBytes
        let bytes: Data
        let sha: String
        let uri: String

        init(space: EmbeddingSpace, seed: UInt8, label: String = #function) throws {
            fixture = try PostgresFixture(space: space, label: label)
            store = PostgresImageBytes(pool: fixture.pool)
            bytes = PostgresImageBytesTests.png(seed)
            sha = SHA256.hex(bytes)
            uri = try store.writeImage(bytes, sha256: sha)
        }
    }

    @Test func writtenBytesAreReadBackByTheirURIFromAnyPool() throws {
        let written = try Written(space: space, seed: 1)
        let (fixture, store, bytes, sha, uri) = (written.fixture, written.store, written.bytes, written.sha, written.uri)
        defer { fixture.pool.close() }
        #expect(uri == "images/\(sha.prefix(2))/\(sha).png")
        #expect(try store.writeImage(bytes, sha256: sha) == uri)
        let (otherPool, _) = try fixture.secondStore()
        defer { otherPool.close() }
        #expect(try PostgresImageBytes(pool: otherPool).imageBytes(uri: uri) == bytes)
        // A store that cannot answer says so: not the same as bytes that are missing (404).
        otherPool.close()
        #expect(throws: PostgresStoreError.closed) { try PostgresImageBytes(pool: otherPool).imageBytes(uri: uri) }
        // Only uris of stored images name bytes: not an operator's file, not a tampered shard.
        #expect(try store.imageBytes(uri: "/srv/photos/\(sha).png") == nil)
        #expect(try store.imageBytes(uri: "images/zz/\(sha).png") == nil)
        #expect(try store.imageBytes(uri: "images/\(sha.prefix(2))/../\(sha).png") == nil)
    }

    @Test func imagesAboveTheLimitAreRefusedNamingIt() throws {
        let fixture = try PostgresFixture(space: space)
        defer { fixture.pool.close() }
        let bytes = Self.png(2)
        let store = PostgresImageBytes(pool: fixture.pool, maxBytes: bytes.count - 1)
        #expect {
            try store.writeImage(bytes, sha256: SHA256.hex(bytes))
        } throws: { error in
            "\(error)".contains("\(bytes.count - 1)")
        }
        #expect(throws: StoreError.self) { try store.writeImage(bytes, sha256: "not-a-hash") }
    }

    @Test func bytesStayWhileAnyItemPointsAtThem() throws {
        let written = try Written(space: space, seed: 3)
        let (fixture, store, bytes, sha, uri) = (written.fixture, written.store, written.bytes, written.sha, written.uri)
        defer { fixture.pool.close() }
        let other = try PostgresImageStore(pool: fixture.pool, space: try EmbeddingSpace(modelID: "other-clip", imageAdapterID: nil, dimension: 16))
        var item = makePostgresItems(1, dimension: 16, seed: 4)[0]
        item = NewItem(uri: uri, path: nil, sha256: sha, width: nil, height: nil, caption: nil, metadata: [:], embedding: item.embedding)
        let first = try fixture.store.add([item])[0].id
        let second = try other.add([item])[0].id
        try fixture.store.delete(ids: [first])
        store.removeStoredImage(uri: uri)
        #expect(try store.imageBytes(uri: uri) == bytes, "the other space's item still points at them")
        try other.delete(ids: [second])
        store.removeStoredImage(uri: uri)
        #expect(try store.imageBytes(uri: uri) == nil)
    }
}
