import Digests
import Foundation
import JSON
import PostgresStore
import Retrieval
import Synchronization
import TestSupport
import Testing

@Suite(.enabled(if: TemporaryPostgres.isEnabled, Comment(rawValue: TemporaryPostgres.skipReason)))
struct PostgresImageStoreTests {
    let space: EmbeddingSpace

    init() throws { space = try EmbeddingSpace(modelID: "test-clip", imageAdapterID: "domain-a", dimension: 16) }

    @Test func storesSearchesAndSkipsDuplicatesByDigest() throws {
        let fixture = try PostgresFixture(space: space)
        defer { fixture.pool.close() }
        let store = fixture.store
        let items = makePostgresItems(50, dimension: 16, seed: 10, metadata: { ["n": .integer($0)] })
        let outcomes = try store.add(items + [items[3]])
        try #require(outcomes.count == 51)
        #expect(outcomes.prefix(50).allSatisfy { if case .stored = $0 { true } else { false } })
        #expect(Set(outcomes.prefix(50).map(\.id)).count == 50)
        #expect(outcomes[50] == .duplicate(existingID: outcomes[3].id))
        // Known bytes in a later batch, beside a new item.
        let more = makePostgresItems(1, dimension: 16, seed: 99, prefix: "more")
        let again = try store.add([items[7], more[0]])
        #expect(again[0] == .duplicate(existingID: outcomes[7].id))
        guard case .stored = again[1] else { Issue.record("a new item was not stored: \(again[1])"); return }
        #expect(try store.itemCount() == 51)
        #expect(try store.itemID(sha256: items[7].sha256) == outcomes[7].id)
        #expect(try store.contains(sha256: items[8].sha256))

        let hits = try store.search(items[7].embedding, k: 3, filter: [:])
        #expect(hits.first?.item.uri == items[7].uri)
        #expect(abs((hits.first?.score ?? 0) - 1) < 1e-5)
        let row = try #require(try store.item(id: outcomes[7].id))
        #expect(row.caption == "img 7" && row.path == "img/7.jpg" && row.width == 640 && row.height == 480)
        #expect(row.metadata == ["n": .integer(7)])
        #expect(row.createdAt.count == 24 && row.createdAt.hasSuffix("Z"))
        let stored = try #require(try store.embedding(id: outcomes[7].id))
        #expect(zip(stored, items[7].embedding).allSatisfy { abs($0 - $1) < 1e-6 })
    }

    @Test func refusesWhatTheEmbeddedStoreRefuses() throws {
        let fixture = try PostgresFixture(space: space)
        defer { fixture.pool.close() }
        var item = makePostgresItems(1, dimension: 16, seed: 1)[0]
        #expect(throws: StoreError.self) { try fixture.store.search([Float](repeating: 1, count: 15), k: 3, filter: [:]) }
        #expect(throws: StoreError.self) { try fixture.store.search(item.embedding, k: 0, filter: [:]) }
        #expect(throws: MetadataFilterRefusal.self) { try fixture.store.search(item.embedding, k: 1, filter: ["a\"b": .string("x")]) }
        #expect(throws: MetadataFilterRefusal.self) { try fixture.store.search(item.embedding, k: 1, filter: ["a": .array([])]) }
        var zero = item
        zero.embedding = [Float](repeating: 0, count: 16)
        #expect(throws: StoreError.self) { try fixture.store.add([zero]) }
        var badDigest = item
        badDigest.sha256 = String(repeating: "A", count: 64)
        #expect(throws: StoreError.self) { try fixture.store.add([badDigest]) }
        var nulInMetadata = item
        nulInMetadata.metadata = ["tags": .array([.string("ok"), .string("nul\0inside")])]
        #expect(throws: StoreError.self) { try fixture.store.add([nulInMetadata]) }
        item.caption = "nul\0inside"
        #expect(throws: StoreError.self) { try fixture.store.add([item]) }
        #expect(try fixture.store.itemCount() == 0)
    }

    @Test func deletesPagesAndCounts() throws {
        let fixture = try PostgresFixture(space: space)
        defer { fixture.pool.close() }
        let store = fixture.store
        let items = makePostgresItems(30, dimension: 16, seed: 11)
        let ids = try store.add(items).map(\.id)
        #expect(try store.delete(ids: [ids[5], ids[6], 987_654]) == 2)
        #expect(try store.item(id: ids[5]) == nil)
        #expect(try store.embedding(id: ids[5]) == nil)
        #expect(try store.itemCount() == 28)
        let hits = try store.search(items[5].embedding, k: 10, filter: [:])
        #expect(hits.count == 10)
        #expect(!hits.contains { $0.item.id == ids[5] || $0.item.id == ids[6] })
        let firstPage = try store.items(after: 0, limit: 10)
        let secondPage = try store.items(after: firstPage.last?.id ?? 0, limit: 100)
        #expect((firstPage + secondPage).map(\.id) == ids.filter { $0 != ids[5] && $0 != ids[6] })
        // Another space of the same database sees none of it.
        let other = try PostgresImageStore(pool: fixture.pool, space: try EmbeddingSpace(modelID: "other", dimension: 16))
        #expect(try other.itemCount() == 0)
        #expect(try other.search(items[0].embedding, k: 5, filter: [:]).isEmpty)
        #expect(try other.delete(ids: ids) == 0)
    }

    /// Two connections (two replicas' pools) write overlapping batches at once: every digest is
    /// stored once, and both writers are told the same id for it.
    @Test func concurrentWritersFromTwoConnectionsStoreEachDigestOnce() throws {
        let fixture = try PostgresFixture(space: space)
        defer { fixture.pool.close() }
        let (otherPool, otherStore) = try fixture.secondStore()
        defer { otherPool.close() }
        let items = makePostgresItems(400, dimension: 16, seed: 12)
        let stores: [PostgresImageStore] = [fixture.store, otherStore]
        let results = Mutex<[Int: [String: Int64]]>([:])
        let failures = Mutex<[String]>([])
        // Each writer adds every item, in batches of 20, the two in opposite orders of batches.
        DispatchQueue.concurrentPerform(iterations: 2) { writer in
            var seen: [String: Int64] = [:]
            let batches = stride(from: 0, to: items.count, by: 20).map { Array(items[$0..<min($0 + 20, items.count)]) }
            for batch in writer == 0 ? batches : batches.reversed() {
                do {
                    for (item, outcome) in zip(batch, try stores[writer].add(batch)) { seen[item.sha256] = outcome.id }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            results.withLock { $0[writer] = seen }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        let (first, second) = results.withLock { ($0[0] ?? [:], $0[1] ?? [:]) }
        #expect(first.count == 400 && first == second)
        #expect(try fixture.store.itemCount() == 400)
        #expect(Set(first.values).count == 400)
    }

    /// The service calls the store from its own threads; many more callers than connections,
    /// from Dispatch workers and from tasks at once, all complete (none waits on a thread that
    /// is itself waiting).
    @Test func blockingCallsFromDispatchWorkersAndTasksComplete() async throws {
        let fixture = try PostgresFixture(space: space, limits: PostgresPoolLimits(maxConnections: 2, acquireTimeout: .seconds(60)))
        defer { fixture.pool.close() }
        let store = fixture.store
        let items = makePostgresItems(64, dimension: 16, seed: 13)
        _ = try store.add(items)
        let completed = Atomic<Int>(0)
        let queue = DispatchQueue(label: "workers", attributes: .concurrent)
        let group = DispatchGroup()
        for index in 0..<32 {
            queue.async(group: group) {
                if (try? store.search(items[index].embedding, k: 5, filter: [:]))?.first?.item.uri == items[index].uri {
                    completed.add(1, ordering: .relaxed)
                }
            }
        }
        try await withThrowingTaskGroup(of: Bool.self) { tasks in
            for index in 32..<64 { tasks.addTask { try store.search(items[index].embedding, k: 5, filter: [:]).first?.item.uri == items[index].uri } }
            for try await found in tasks where found { completed.add(1, ordering: .relaxed) }
        }
        group.wait()
        #expect(completed.load(ordering: .relaxed) == 64)
    }

    @Test func aBusyPoolRefusesAfterItsAcquireTimeout() throws {
        let fixture = try PostgresFixture(space: space, limits: PostgresPoolLimits(maxConnections: 1, acquireTimeout: .milliseconds(200)))
        defer { fixture.pool.close() }
        let holding = Gate("holding the only connection")
        let release = Gate("release it")
        let holder = Thread {
            _ = try? fixture.pool.withConnection { _ in
                holding.open()
                try release.waitBlocking()
            }
        }
        holder.start()
        try holding.waitBlocking()
        #expect(throws: PostgresStoreError.poolExhausted(connections: 1, waitedSeconds: 0.2)) { try fixture.store.itemCount() }
        release.open()
    }

    @Test func theServerStopsAStatementPastTheTimeout() throws {
        let fixture = try PostgresFixture(space: space, limits: PostgresPoolLimits(statementTimeout: .milliseconds(300)))
        defer { fixture.pool.close() }
        #expect(throws: (any Error).self) { try fixture.pool.withConnection { try $0.execute("SELECT pg_sleep(30)") } }
        // The connection is usable again afterwards (or was replaced).
        #expect(try fixture.store.itemCount() == 0)
    }
}
