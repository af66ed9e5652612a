import PostgresStore
import Retrieval
import TestSupport
import Testing

/// A replica whose space changed keeps serving the stored images until the new space has some.
@Suite(.enabled(if: TemporaryPostgres.isEnabled, Comment(rawValue: TemporaryPostgres.skipReason)))
struct PostgresSpacesTests {
    @Test func anEmptyNewSpaceDoesNotHideTheStoredOne() throws {
        let old = try EmbeddingSpace(modelID: "test-clip", imageAdapterID: nil, dimension: 16)
        let new = try EmbeddingSpace(modelID: "test-clip", imageAdapterID: "domain-b", dimension: 16)
        let fixture = try PostgresFixture(space: old)
        defer { fixture.pool.close() }
        // Nothing stored anywhere: the current space.
        #expect(try PostgresSpaces.servingSpace(for: new, pool: fixture.pool) == new)
        _ = try fixture.store.add(makePostgresItems(3, dimension: 16, seed: 1))
        #expect(try PostgresSpaces.servingSpace(for: new, pool: fixture.pool) == old)
        let newStore = try PostgresImageStore(pool: fixture.pool, space: new)
        #expect(try PostgresSpaces.servingSpace(for: new, pool: fixture.pool) == old, "recorded but still empty")
        _ = try newStore.add(makePostgresItems(1, dimension: 16, seed: 2))
        #expect(try PostgresSpaces.servingSpace(for: new, pool: fixture.pool) == new)
        let counts = try PostgresSpaces.itemCounts(fixture.pool)
        #expect(counts.map(\.space) == [old, new] && counts.map(\.items) == [3, 1])
    }
}
